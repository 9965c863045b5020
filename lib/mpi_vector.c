/* The adjoints of the MPI collectives with per-rank counts and of the
 * all-to-all exchanges (pass/mpi.c names them for each call; lib/mpi.c has
 * the others and the helpers they share, mpi_adjoint.h). Each reverses the
 * communication pattern, adding into the senders' shadows:
 *
 *   gatherv to root     <->  scatterv of the adjoint blocks from the root
 *   scatterv from root  <->  gatherv of the adjoints to the root, added block by block
 *   allgatherv          <->  reduce-scatter (sum) of the adjoint, rcounts[i] to rank i
 *   alltoall(v)         <->  alltoall(v) of the adjoint with the counts swapped
 *
 * The counts and displacements arrays are copies the forward pass put on
 * the tape right after the call (n ints each where the call reads them:
 * __ct_mpi_<routine>_extent), so a program that reuses them is fine. The
 * blocks a call wrote get a zero adjoint (their old contents were
 * overwritten); blocks of the receive buffer outside every block keep
 * theirs. MPI_IN_PLACE is handled as MPI defines it for each call. */
#include "mpi_adjoint.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static int comm_rank(MPI_Comm comm) {
  int r = 0;
  MPI_Comm_rank(comm, &r);
  return r;
}

static int comm_size(MPI_Comm comm) {
  int n = 1;
  MPI_Comm_size(comm, &n);
  return n;
}

/* Elements a buffer of n blocks (counts, displs) spans: the end of its last block. */
static long span(const int *counts, const int *displs, int n) {
  long end = 0;
  for (int i = 0; i < n; ++i)
    if (counts[i] > 0 && (long)displs[i] + counts[i] > end)
      end = (long)displs[i] + counts[i];
  return end;
}

/* Displacements packing n blocks of counts one after another (malloc'd);
 * *total their elements. */
static int *packed_displs(const int *counts, int n, long *total, const char *routine) {
  int *d = ct_mpi_scratch(sizeof(int), n, routine);
  long at = 0;
  for (int i = 0; i < n; ++i) {
    if (at > INT_MAX)
      ct_mpi_fail(routine, "the adjoint message has more than INT_MAX elements");
    d[i] = (int)at;
    at += counts[i] > 0 ? counts[i] : 0;
  }
  *total = at;
  return d;
}

/* Zeroes the blocks of d (but block `skip`, -1: none). */
static void zero_blocks(void *d, const int *counts, const int *displs, int n, int skip, size_t size) {
  for (int i = 0; d && i < n; ++i)
    if (i != skip)
      ct_mpi_zero((char *)d + (size_t)displs[i] * size, counts[i], size);
}

/* Adds packed block i (packed displacements pd) into d at displs[i], for every i. */
static void add_blocks(void *d, const void *packed, const int *pd, const int *counts, const int *displs, int n,
                       size_t size) {
  for (int i = 0; d && i < n; ++i)
    ct_mpi_add_into((char *)d + (size_t)displs[i] * size, (const char *)packed + (size_t)pd[i] * size, counts[i],
                    size);
}

/* ---- MPI_Gatherv ---- */

long __ct_mpi_MPI_Gatherv_extent(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int *rcounts,
                                 const int *displs, MPI_Datatype rtype, int root, MPI_Comm comm, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)rbuf;
  if (comm_rank(comm) != root)
    return 0;
  if (k == 3)
    return ct_mpi_buffer_bytes(span(rcounts, displs, comm_size(comm)), rtype);
  return k == 4 || k == 5 ? (long)comm_size(comm) * (long)sizeof(int) : 0;
}

void __ct_mpi_MPI_Gatherv(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int *rcounts,
                          const int *displs, MPI_Datatype rtype, int root, MPI_Comm comm, void *dsbuf, void *dstype,
                          void *drbuf, void *drcounts, void *ddispls, void *drtype, void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dstype, (void)drcounts, (void)ddispls, (void)drtype, (void)dcomm;
  int rank = comm_rank(comm), n = comm_size(comm), at_root = rank == root, in_place = at_root && sbuf == MPI_IN_PLACE;
  size_t size = !at_root   ? ct_mpi_element_bytes(stype, dsbuf, "MPI_Gatherv")
                : in_place ? ct_mpi_element_bytes(rtype, drbuf, "MPI_Gatherv")
                           : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Gatherv");
  if (!size)
    return;
  void *owned = NULL;
  const void *from = at_root ? ct_mpi_or_zeros(drbuf, size, span(rcounts, displs, n), &owned, "MPI_Gatherv") : NULL;
  if (in_place) { /* the root's block stays where it is, with its adjoint */
    MPI_Scatterv(from, rcounts, displs, rtype, MPI_IN_PLACE, 0, rtype, root, comm);
    free(owned);
    zero_blocks(drbuf, rcounts, displs, n, root, size);
    return;
  }
  void *tmp = ct_mpi_scratch(size, scount, "MPI_Gatherv");
  MPI_Scatterv(from, rcounts, displs, rtype, tmp, scount, stype, root, comm);
  free(owned);
  if (at_root)
    zero_blocks(drbuf, rcounts, displs, n, -1, size);
  ct_mpi_add_into(dsbuf, tmp, scount, size);
  free(tmp);
}

/* ---- MPI_Scatterv ---- */

long __ct_mpi_MPI_Scatterv_extent(const void *sbuf, const int *scounts, const int *displs, MPI_Datatype stype,
                                  void *rbuf, int rcount, MPI_Datatype rtype, int root, MPI_Comm comm, int k) {
  (void)sbuf, (void)scounts, (void)displs, (void)stype;
  if (k == 4)
    return rbuf != MPI_IN_PLACE ? ct_mpi_buffer_bytes(rcount, rtype) : 0;
  return (k == 1 || k == 2) && comm_rank(comm) == root ? (long)comm_size(comm) * (long)sizeof(int) : 0;
}

void __ct_mpi_MPI_Scatterv(const void *sbuf, const int *scounts, const int *displs, MPI_Datatype stype, void *rbuf,
                           int rcount, MPI_Datatype rtype, int root, MPI_Comm comm, void *dsbuf, void *dscounts,
                           void *ddispls, void *dstype, void *drbuf, void *drtype, void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)sbuf, (void)dscounts, (void)ddispls, (void)dstype, (void)drtype, (void)dcomm;
  int rank = comm_rank(comm), n = comm_size(comm), at_root = rank == root, in_place = at_root && rbuf == MPI_IN_PLACE;
  size_t size = !at_root   ? ct_mpi_element_bytes(rtype, drbuf, "MPI_Scatterv")
                : in_place ? ct_mpi_element_bytes(stype, dsbuf, "MPI_Scatterv")
                           : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Scatterv");
  if (!size)
    return;
  /* the root gathers the adjoints packed by rank (blocks of sbuf may overlap), then adds each where it came from */
  long total = 0;
  int *pd = at_root ? packed_displs(scounts, n, &total, "MPI_Scatterv") : NULL;
  void *tmp = at_root ? ct_mpi_scratch(size, total, "MPI_Scatterv") : NULL, *owned = NULL;
  if (in_place) /* the root's own block's adjoint is in dsbuf already (its packed block stays 0) */
    MPI_Gatherv(MPI_IN_PLACE, 0, stype, tmp, scounts, pd, stype, root, comm);
  else
    MPI_Gatherv(ct_mpi_or_zeros(drbuf, size, rcount, &owned, "MPI_Scatterv"), rcount, rtype, tmp, scounts, pd, stype,
                root, comm);
  free(owned);
  if (!in_place)
    ct_mpi_zero(drbuf, rcount, size);
  if (at_root)
    add_blocks(dsbuf, tmp, pd, scounts, displs, n, size);
  free(tmp);
  free(pd);
}

/* ---- MPI_Allgatherv ---- */

long __ct_mpi_MPI_Allgatherv_extent(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int *rcounts,
                                    const int *displs, MPI_Datatype rtype, MPI_Comm comm, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)rbuf;
  if (k == 3)
    return ct_mpi_buffer_bytes(span(rcounts, displs, comm_size(comm)), rtype);
  return k == 4 || k == 5 ? (long)comm_size(comm) * (long)sizeof(int) : 0;
}

void __ct_mpi_MPI_Allgatherv(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, const int *rcounts,
                             const int *displs, MPI_Datatype rtype, MPI_Comm comm, void *dsbuf, void *dstype,
                             void *drbuf, void *drcounts, void *ddispls, void *drtype, void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dstype, (void)drcounts, (void)ddispls, (void)drtype, (void)dcomm;
  int rank = comm_rank(comm), n = comm_size(comm), in_place = sbuf == MPI_IN_PLACE;
  size_t size = in_place ? ct_mpi_element_bytes(rtype, drbuf, "MPI_Allgatherv")
                         : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Allgatherv");
  if (!size)
    return;
  /* every rank's adjoint of block i, packed, summed onto rank i */
  long total = 0;
  int *pd = packed_displs(rcounts, n, &total, "MPI_Allgatherv");
  char *all = ct_mpi_scratch(size, total, "MPI_Allgatherv");
  for (int i = 0; drbuf && i < n; ++i)
    if (rcounts[i] > 0)
      memcpy(all + (size_t)pd[i] * size, (char *)drbuf + (size_t)displs[i] * size, (size_t)rcounts[i] * size);
  int mine = rcounts[rank] > 0 ? rcounts[rank] : 0;
  void *tmp = ct_mpi_scratch(size, mine, "MPI_Allgatherv");
  MPI_Reduce_scatter(all, tmp, rcounts, rtype, MPI_SUM, comm);
  free(all);
  zero_blocks(drbuf, rcounts, displs, n, -1, size);
  if (in_place && drbuf) /* this rank's block of y was its x */
    memcpy((char *)drbuf + (size_t)displs[rank] * size, tmp, (size_t)mine * size);
  else if (!in_place)
    ct_mpi_add_into(dsbuf, tmp, scount < mine ? scount : mine, size);
  free(tmp);
  free(pd);
}

/* ---- MPI_Alltoall ---- */

long __ct_mpi_MPI_Alltoall_extent(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                                  MPI_Datatype rtype, MPI_Comm comm, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)rbuf;
  return k == 3 ? ct_mpi_buffer_bytes((long)rcount * comm_size(comm), rtype) : 0;
}

void __ct_mpi_MPI_Alltoall(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                           MPI_Datatype rtype, MPI_Comm comm, void *dsbuf, void *dstype, void *drbuf, void *drtype,
                           void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dstype, (void)drtype, (void)dcomm;
  int n = comm_size(comm), in_place = sbuf == MPI_IN_PLACE;
  size_t size = in_place ? ct_mpi_element_bytes(rtype, drbuf, "MPI_Alltoall")
                         : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Alltoall");
  if (!size)
    return;
  long all = (long)rcount * n;
  void *owned = NULL;
  if (in_place) { /* x and y share the buffer: dx = the exchange of dy, in place */
    void *buf = drbuf ? drbuf : (owned = ct_mpi_scratch(size, all, "MPI_Alltoall"));
    MPI_Alltoall(MPI_IN_PLACE, rcount, rtype, buf, rcount, rtype, comm);
    free(owned);
    return;
  }
  void *tmp = ct_mpi_scratch(size, (long)scount * n, "MPI_Alltoall");
  MPI_Alltoall(ct_mpi_or_zeros(drbuf, size, all, &owned, "MPI_Alltoall"), rcount, rtype, tmp, scount, stype, comm);
  free(owned);
  ct_mpi_zero(drbuf, all, size);
  ct_mpi_add_into(dsbuf, tmp, (long)scount * n, size);
  free(tmp);
}

/* ---- MPI_Alltoallv ---- */

long __ct_mpi_MPI_Alltoallv_extent(const void *sbuf, const int *scounts, const int *sdispls, MPI_Datatype stype,
                                   void *rbuf, const int *rcounts, const int *rdispls, MPI_Datatype rtype,
                                   MPI_Comm comm, int k) {
  (void)scounts, (void)sdispls, (void)stype, (void)rbuf;
  if (k == 4)
    return ct_mpi_buffer_bytes(span(rcounts, rdispls, comm_size(comm)), rtype);
  int read = k == 5 || k == 6 || ((k == 1 || k == 2) && sbuf != MPI_IN_PLACE);
  return read ? (long)comm_size(comm) * (long)sizeof(int) : 0;
}

void __ct_mpi_MPI_Alltoallv(const void *sbuf, const int *scounts, const int *sdispls, MPI_Datatype stype, void *rbuf,
                            const int *rcounts, const int *rdispls, MPI_Datatype rtype, MPI_Comm comm, void *dsbuf,
                            void *dscounts, void *dsdispls, void *dstype, void *drbuf, void *drcounts,
                            void *drdispls, void *drtype, void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dscounts, (void)dsdispls, (void)dstype, (void)drcounts, (void)drdispls, (void)drtype, (void)dcomm;
  int n = comm_size(comm), in_place = sbuf == MPI_IN_PLACE;
  size_t size = in_place ? ct_mpi_element_bytes(rtype, drbuf, "MPI_Alltoallv")
                         : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Alltoallv");
  if (!size)
    return;
  void *owned = NULL;
  long rspan = span(rcounts, rdispls, n);
  if (in_place) { /* the same counts both ways: dx = the exchange of dy, in place */
    void *buf = drbuf ? drbuf : (owned = ct_mpi_scratch(size, rspan, "MPI_Alltoallv"));
    MPI_Alltoallv(MPI_IN_PLACE, rcounts, rdispls, rtype, buf, rcounts, rdispls, rtype, comm);
    free(owned);
    return;
  }
  /* the adjoint of what came from rank i goes back to i, packed (blocks of sbuf may overlap) */
  long total = 0;
  int *pd = packed_displs(scounts, n, &total, "MPI_Alltoallv");
  void *tmp = ct_mpi_scratch(size, total, "MPI_Alltoallv");
  MPI_Alltoallv(ct_mpi_or_zeros(drbuf, size, rspan, &owned, "MPI_Alltoallv"), rcounts, rdispls, rtype, tmp, scounts,
                pd, stype, comm);
  free(owned);
  zero_blocks(drbuf, rcounts, rdispls, n, -1, size);
  add_blocks(dsbuf, tmp, pd, scounts, sdispls, n, size);
  free(tmp);
  free(pd);
}
