/* The adjoints of the MPI routines Cotangent differentiates (pass/mpi.c
 * names them for each call): the reverse pass's communication. Built only
 * where CMake finds MPI (libcotangent_mpi.a), so programs without MPI never
 * depend on it.
 *
 * A pullback takes the routine's arguments, then one shadow per pointer
 * parameter: the shadow of each buffer (NULL when the buffer carries no
 * derivative on this rank: zeros are sent in its place and what arrives is
 * dropped, so the partner's adjoint message is always matched), and NULL for
 * the communicator, datatype, operation and status. The shadow of a buffer
 * the routine writes holds the adjoint of its new contents on entry and the
 * adjoint of its old contents on return (zero where the routine overwrote).
 *
 *   send to p         <->  receive the adjoint from p, add it to dbuf
 *   receive from p    <->  send dbuf to p, zero dbuf
 *   allreduce (sum)   <->  allreduce-sum of dy, added to dx; dy = 0
 *   (max, min)        <->  the same, added where this rank holds the extremum
 *   reduce (sum)      <->  broadcast dy from the root, added to dx
 *   broadcast         <->  reduce-sum of the adjoints to the root
 *   gather / scatter  <->  scatter / gather of the adjoint
 *   allgather         <->  reduce-scatter-sum of the adjoint
 *   isend/irecv+wait  <->  irecv/isend of the adjoint, posted by the wait's reverse (below;
 *                          a test that completed, a wait-any: as a wait of what they completed)
 *
 * The adjoint messages use the call's own communicator and tag: MPI keeps
 * the order of the messages between two ranks, so a rank still in its
 * forward pass matches its own messages first. MPI_DOUBLE and MPI_FLOAT
 * are differentiated; integer and character datatypes carry no derivative
 * (nothing to do); MPI_BYTE, MPI_PACKED, derived and other datatypes on a
 * buffer with a shadow stop the whole job (MPI_Abort) with a message naming
 * the call, never a wrong gradient or a hang. */
#include "mpi_adjoint.h"

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void ct_mpi_fail(const char *routine, const char *what) {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  fprintf(stderr, "cotangent: rank %d: the derivative of %s: %s\n", rank, routine, what);
  fflush(stderr);
  MPI_Abort(MPI_COMM_WORLD, 1);
  abort();
}

/* Bytes of one element of a differentiated datatype, or 0 for a datatype
 * without derivative; stops the job for a datatype whose derivative is
 * unknown when `shadow` says the buffer carries one. */
size_t ct_mpi_element_bytes(MPI_Datatype t, const void *shadow, const char *routine) {
  if (t == MPI_DOUBLE)
    return sizeof(double);
  if (t == MPI_FLOAT)
    return sizeof(float);
  const MPI_Datatype inactive[] = {
      MPI_INT,       MPI_LONG,      MPI_SHORT,   MPI_CHAR,     MPI_UNSIGNED, MPI_UNSIGNED_LONG, MPI_UNSIGNED_SHORT,
      MPI_LONG_LONG, MPI_UNSIGNED_LONG_LONG,     MPI_SIGNED_CHAR, MPI_UNSIGNED_CHAR, MPI_C_BOOL, MPI_INT8_T,
      MPI_INT16_T,   MPI_INT32_T,   MPI_INT64_T, MPI_UINT8_T,  MPI_UINT16_T, MPI_UINT32_T,      MPI_UINT64_T,
      MPI_WCHAR,     MPI_AINT,      MPI_OFFSET,  MPI_COUNT,    MPI_2INT};
  for (size_t i = 0; i < sizeof inactive / sizeof inactive[0]; ++i)
    if (t == inactive[i])
      return 0;
  if (!shadow)
    return 0;
  ct_mpi_fail(routine, "a datatype other than MPI_DOUBLE and MPI_FLOAT (MPI_BYTE, MPI_PACKED, a derived or other "
                       "datatype) carries differentiable data; send doubles or floats as MPI_DOUBLE / MPI_FLOAT");
}

/* The one element size of a call with two datatypes (0 when neither is
 * differentiated); a send and a receive type that differ stop the job. */
size_t ct_mpi_pair_bytes(MPI_Datatype s, const void *ds, MPI_Datatype r, const void *dr, const char *routine) {
  size_t a = ct_mpi_element_bytes(s, ds, routine), b = ct_mpi_element_bytes(r, dr, routine);
  if (a != b && a && b)
    ct_mpi_fail(routine, "the send and receive datatypes differ (MPI_DOUBLE and MPI_FLOAT)");
  return a ? a : b;
}

/* n elements of `size` bytes, zeroed. */
void *ct_mpi_scratch(size_t size, long n, const char *routine) {
  void *p = calloc(n > 0 ? (size_t)n : 1, size);
  if (!p)
    ct_mpi_fail(routine, "out of memory for the adjoint message");
  return p;
}

/* d[i] += s[i] for n elements of `size` bytes (double or float). */
void ct_mpi_add_into(void *d, const void *s, long n, size_t size) {
  if (!d)
    return;
  if (size == sizeof(double))
    for (long i = 0; i < n; ++i)
      ((double *)d)[i] += ((const double *)s)[i];
  else
    for (long i = 0; i < n; ++i)
      ((float *)d)[i] += ((const float *)s)[i];
}

void ct_mpi_zero(void *d, long n, size_t size) {
  if (d && n > 0)
    memset(d, 0, (size_t)n * size);
}

long ct_mpi_buffer_bytes(long count, MPI_Datatype t) {
  MPI_Aint lb = 0, extent = 0;
  if (count <= 0 || MPI_Type_get_extent(t, &lb, &extent) != MPI_SUCCESS || extent <= 0)
    return 0;
  return count * (long)extent;
}

/* The shadow, or a zeroed scratch buffer in its place (*owned set). */
const void *ct_mpi_or_zeros(const void *d, size_t size, long n, void **owned, const char *routine) {
  *owned = d ? NULL : ct_mpi_scratch(size, n, routine);
  return d ? d : *owned;
}

static void check_source(int source, int tag, const char *routine) {
  if (source == MPI_ANY_SOURCE || tag == MPI_ANY_TAG)
    ct_mpi_fail(routine, "a receive from MPI_ANY_SOURCE or with MPI_ANY_TAG: the adjoint must be sent back to "
                         "the sender; name the source rank and the tag");
}

static void check_op(MPI_Op op, const char *routine) {
  if (op != MPI_SUM && op != MPI_MAX && op != MPI_MIN)
    ct_mpi_fail(routine,
                "a reduction other than MPI_SUM, MPI_MAX and MPI_MIN (MPI_PROD, ... are not differentiated)");
}

static int is_extremum(MPI_Op op) { return op == MPI_MAX || op == MPI_MIN; }

/* Bytes of a reduction's input its pullback reads: the inputs of MPI_MAX and
 * MPI_MIN (which rank holds the extremum), nothing for a sum. */
static long reduction_input_bytes(const void *sbuf, int count, MPI_Datatype t, MPI_Op op, int k) {
  if (k != 0 || sbuf == MPI_IN_PLACE || !is_extremum(op) || count <= 0)
    return 0;
  return (long)count * (long)ct_mpi_element_bytes(t, NULL, "");
}

/* dx[i] += d[i] where this rank holds the extremum y[i] of x[i] over the
 * ranks (the lowest such rank on a tie), from x (the call's input, as it
 * was), y recomputed from it; d the adjoint of y, the same on every rank. */
static void add_at_extremum(const void *x, void *dx, const void *d, int count, MPI_Datatype t, MPI_Op op,
                            MPI_Comm comm, size_t size, const char *routine) {
  int rank = 0, n = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &n);
  void *y = ct_mpi_scratch(size, count, routine);
  int *mine = ct_mpi_scratch(sizeof(int), count, routine), *owner = ct_mpi_scratch(sizeof(int), count, routine);
  MPI_Allreduce(x, y, count, t, op, comm);
  for (int i = 0; i < count; ++i)
    mine[i] = (size == sizeof(double) ? ((const double *)x)[i] == ((double *)y)[i]
                                      : ((const float *)x)[i] == ((float *)y)[i])
                  ? rank
                  : n;
  MPI_Allreduce(mine, owner, count, MPI_INT, MPI_MIN, comm);
  if (dx)
    for (int i = 0; i < count; ++i)
      if (owner[i] == rank) {
        if (size == sizeof(double))
          ((double *)dx)[i] += ((const double *)d)[i];
        else
          ((float *)dx)[i] += ((const float *)d)[i];
      }
  free(y);
  free(mine);
  free(owner);
}

/* A shadow that points nowhere: a merge of MPI_IN_PLACE with a buffer has
 * MPI_IN_PLACE as its own shadow (pass/forward.c). */
void *ct_mpi_live(void *d) { return d == MPI_IN_PLACE ? NULL : d; }

/* ---- point to point ---- */

static void reverse_send(const char *routine, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm,
                         void *dbuf) {
  size_t size = ct_mpi_element_bytes(t, dbuf, routine);
  if (!size || dest == MPI_PROC_NULL)
    return;
  MPI_Status st;
  MPI_Probe(dest, tag, comm, &st);
  int got = 0;
  MPI_Get_count(&st, t, &got);
  if (got != count) {
    char what[256];
    snprintf(what, sizeof what,
             "the adjoint message from rank %d has %d elements where the send had %d: the matching receive's "
             "count must be the message's size",
             dest, got, count);
    ct_mpi_fail(routine, what);
  }
  void *tmp = ct_mpi_scratch(size, count, routine);
  MPI_Recv(tmp, count, t, dest, tag, comm, MPI_STATUS_IGNORE);
  ct_mpi_add_into(dbuf, tmp, count, size);
  free(tmp);
}

void __ct_mpi_MPI_Send(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm, void *dbuf,
                       void *dt, void *dcomm) {
  dbuf = ct_mpi_live(dbuf);
  (void)buf, (void)dt, (void)dcomm;
  reverse_send("MPI_Send", count, t, dest, tag, comm, dbuf);
}

void __ct_mpi_MPI_Ssend(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm, void *dbuf,
                        void *dt, void *dcomm) {
  dbuf = ct_mpi_live(dbuf);
  (void)buf, (void)dt, (void)dcomm;
  reverse_send("MPI_Ssend", count, t, dest, tag, comm, dbuf);
}

/* The extents of the buffers a routine writes (argument k), for the copies
 * pass/undo.c puts back after the pullback; 0 for the other arguments. */
long __ct_mpi_MPI_Recv_extent(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm,
                              MPI_Status *st, int k) {
  (void)buf, (void)source, (void)tag, (void)comm, (void)st;
  return k == 0 ? ct_mpi_buffer_bytes(count, t) : 0;
}

long __ct_mpi_MPI_Sendrecv_extent(const void *sbuf, int scount, MPI_Datatype stype, int dest, int stag, void *rbuf,
                                  int rcount, MPI_Datatype rtype, int source, int rtag, MPI_Comm comm,
                                  MPI_Status *st, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)dest, (void)stag, (void)rbuf, (void)source, (void)rtag, (void)comm,
      (void)st;
  return k == 5 ? ct_mpi_buffer_bytes(rcount, rtype) : 0;
}

void __ct_mpi_MPI_Recv(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm, MPI_Status *st,
                       void *dbuf, void *dt, void *dcomm, void *dst) {
  dbuf = ct_mpi_live(dbuf);
  (void)buf, (void)st, (void)dt, (void)dcomm, (void)dst;
  size_t size = ct_mpi_element_bytes(t, dbuf, "MPI_Recv");
  if (!size || source == MPI_PROC_NULL)
    return;
  check_source(source, tag, "MPI_Recv");
  void *owned;
  MPI_Send(ct_mpi_or_zeros(dbuf, size, count, &owned, "MPI_Recv"), count, t, source, tag, comm);
  free(owned);
  ct_mpi_zero(dbuf, count, size);
}

void __ct_mpi_MPI_Sendrecv(const void *sbuf, int scount, MPI_Datatype stype, int dest, int stag, void *rbuf,
                           int rcount, MPI_Datatype rtype, int source, int rtag, MPI_Comm comm, MPI_Status *st,
                           void *dsbuf, void *dstype, void *drbuf, void *drtype, void *dcomm, void *dst) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)sbuf, (void)rbuf, (void)st, (void)dstype, (void)drtype, (void)dcomm, (void)dst;
  size_t size = ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Sendrecv");
  if (!size)
    return;
  if (source != MPI_PROC_NULL)
    check_source(source, rtag, "MPI_Sendrecv");
  void *owned, *tmp = ct_mpi_scratch(size, scount, "MPI_Sendrecv");
  MPI_Sendrecv(ct_mpi_or_zeros(drbuf, size, rcount, &owned, "MPI_Sendrecv"), rcount, rtype, source, rtag, tmp, scount,
               stype, dest, stag, comm, MPI_STATUS_IGNORE);
  free(owned);
  ct_mpi_zero(drbuf, rcount, size);
  ct_mpi_add_into(dsbuf, tmp, scount, size);
  free(tmp);
}

/* ---- collectives ---- */

long __ct_mpi_MPI_Allreduce_extent(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op,
                                   MPI_Comm comm, int k) {
  (void)rbuf, (void)comm;
  return k == 1 ? ct_mpi_buffer_bytes(count, t) : reduction_input_bytes(sbuf, count, t, op, k);
}

/* sbuf: the input as the call read it (a copy on the tape where the program
 * wrote it afterwards); MPI_IN_PLACE, or a merge of it with a buffer (whose
 * shadow is then MPI_IN_PLACE too) */
void __ct_mpi_MPI_Allreduce(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op, MPI_Comm comm,
                            void *dsbuf, void *drbuf, void *dt, void *dop, void *dcomm) {
  int in_place = sbuf == MPI_IN_PLACE || dsbuf == MPI_IN_PLACE;
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dt, (void)dop, (void)dcomm;
  size_t size = ct_mpi_element_bytes(t, drbuf ? drbuf : dsbuf, "MPI_Allreduce");
  if (!size)
    return;
  check_op(op, "MPI_Allreduce");
  if (in_place && is_extremum(op))
    ct_mpi_fail("MPI_Allreduce", "MPI_MAX or MPI_MIN with MPI_IN_PLACE: the inputs, which the derivative needs, are "
                                 "overwritten; reduce from a separate buffer");
  if (is_extremum(op)) { /* the sum of the adjoints goes to the rank holding the extremum */
    void *owned, *d = ct_mpi_scratch(size, count, "MPI_Allreduce");
    MPI_Allreduce(ct_mpi_or_zeros(drbuf, size, count, &owned, "MPI_Allreduce"), d, count, t, MPI_SUM, comm);
    free(owned);
    ct_mpi_zero(drbuf, count, size);
    add_at_extremum(sbuf, dsbuf, d, count, t, op, comm, size, "MPI_Allreduce");
    free(d);
    return;
  }
  if (in_place && drbuf) { /* x and y share the buffer: dx = sum of the dy */
    MPI_Allreduce(MPI_IN_PLACE, drbuf, count, t, MPI_SUM, comm);
    return;
  }
  void *owned, *tmp = ct_mpi_scratch(size, count, "MPI_Allreduce");
  MPI_Allreduce(ct_mpi_or_zeros(drbuf, size, count, &owned, "MPI_Allreduce"), tmp, count, t, MPI_SUM, comm);
  free(owned);
  ct_mpi_zero(drbuf, count, size);
  if (!in_place)
    ct_mpi_add_into(dsbuf, tmp, count, size);
  free(tmp);
}

long __ct_mpi_MPI_Reduce_extent(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op, int root,
                                MPI_Comm comm, int k) {
  (void)rbuf;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  if (k == 1)
    return rank == root ? ct_mpi_buffer_bytes(count, t) : 0;
  return reduction_input_bytes(sbuf, count, t, op, k);
}

void __ct_mpi_MPI_Reduce(const void *sbuf, void *rbuf, int count, MPI_Datatype t, MPI_Op op, int root,
                         MPI_Comm comm, void *dsbuf, void *drbuf, void *dt, void *dop, void *dcomm) {
  int in_place = sbuf == MPI_IN_PLACE || dsbuf == MPI_IN_PLACE;
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dt, (void)dop, (void)dcomm;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  size_t size = ct_mpi_element_bytes(t, rank == root && drbuf ? drbuf : dsbuf, "MPI_Reduce");
  if (!size)
    return;
  check_op(op, "MPI_Reduce");
  if (in_place && is_extremum(op))
    ct_mpi_fail("MPI_Reduce", "MPI_MAX or MPI_MIN with MPI_IN_PLACE: the inputs, which the derivative needs, are "
                              "overwritten; reduce from a separate buffer");
  void *tmp = ct_mpi_scratch(size, count, "MPI_Reduce");
  if (rank == root && drbuf)
    memcpy(tmp, drbuf, (size_t)count * size);
  MPI_Bcast(tmp, count, t, root, comm); /* the adjoint of the root's result, everywhere */
  if (rank == root && in_place) {       /* the root's x is its y: dx = dy, in place */
    free(tmp);
    return;
  }
  if (rank == root)
    ct_mpi_zero(drbuf, count, size);
  if (is_extremum(op)) /* to the rank holding the extremum */
    add_at_extremum(sbuf, dsbuf, tmp, count, t, op, comm, size, "MPI_Reduce");
  else
    ct_mpi_add_into(dsbuf, tmp, count, size);
  free(tmp);
}

long __ct_mpi_MPI_Bcast_extent(void *buf, int count, MPI_Datatype t, int root, MPI_Comm comm, int k) {
  (void)buf, (void)root, (void)comm;
  return k == 0 ? ct_mpi_buffer_bytes(count, t) : 0;
}

void __ct_mpi_MPI_Bcast(void *buf, int count, MPI_Datatype t, int root, MPI_Comm comm, void *dbuf, void *dt,
                        void *dcomm) {
  dbuf = ct_mpi_live(dbuf);
  (void)buf, (void)dt, (void)dcomm;
  size_t size = ct_mpi_element_bytes(t, dbuf, "MPI_Bcast");
  if (!size)
    return;
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  void *owned, *tmp = ct_mpi_scratch(size, count, "MPI_Bcast");
  MPI_Reduce(ct_mpi_or_zeros(dbuf, size, count, &owned, "MPI_Bcast"), tmp, count, t, MPI_SUM, root, comm);
  free(owned);
  if (rank == root && dbuf)
    memcpy(dbuf, tmp, (size_t)count * size);
  else
    ct_mpi_zero(dbuf, count, size);
  free(tmp);
}

long __ct_mpi_MPI_Gather_extent(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                                MPI_Datatype rtype, int root, MPI_Comm comm, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)rbuf;
  int rank = 0, n = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &n);
  return k == 3 && rank == root ? ct_mpi_buffer_bytes((long)rcount * n, rtype) : 0;
}

void __ct_mpi_MPI_Gather(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                         MPI_Datatype rtype, int root, MPI_Comm comm, void *dsbuf, void *dstype, void *drbuf,
                         void *drtype, void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dstype, (void)drtype, (void)dcomm;
  int rank = 0, n = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &n);
  int at_root = rank == root;
  size_t size = at_root ? ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Gather")
                        : ct_mpi_element_bytes(stype, dsbuf, "MPI_Gather");
  if (!size)
    return;
  long all = (long)rcount * n;
  void *owned = NULL;
  const void *from = at_root ? ct_mpi_or_zeros(drbuf, size, all, &owned, "MPI_Gather") : NULL;
  if (at_root && sbuf == MPI_IN_PLACE) { /* the root's block stays where it is */
    MPI_Scatter(from, rcount, rtype, MPI_IN_PLACE, rcount, rtype, root, comm);
    if (drbuf) {
      ct_mpi_zero(drbuf, (long)rcount * root, size);
      ct_mpi_zero((char *)drbuf + (size_t)rcount * (size_t)(root + 1) * size, (long)rcount * (n - root - 1), size);
    }
    free(owned);
    return;
  }
  void *tmp = ct_mpi_scratch(size, scount, "MPI_Gather");
  MPI_Scatter(from, rcount, rtype, tmp, scount, stype, root, comm);
  free(owned);
  if (at_root)
    ct_mpi_zero(drbuf, all, size);
  ct_mpi_add_into(dsbuf, tmp, scount, size);
  free(tmp);
}

long __ct_mpi_MPI_Scatter_extent(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                                 MPI_Datatype rtype, int root, MPI_Comm comm, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)root, (void)comm;
  return k == 3 && rbuf != MPI_IN_PLACE ? ct_mpi_buffer_bytes(rcount, rtype) : 0;
}

void __ct_mpi_MPI_Scatter(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                          MPI_Datatype rtype, int root, MPI_Comm comm, void *dsbuf, void *dstype, void *drbuf,
                          void *drtype, void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)sbuf, (void)dstype, (void)drtype, (void)dcomm;
  int rank = 0, n = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &n);
  int at_root = rank == root, in_place = at_root && rbuf == MPI_IN_PLACE;
  size_t size = at_root ? (in_place ? ct_mpi_element_bytes(stype, dsbuf, "MPI_Scatter")
                                    : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Scatter"))
                        : ct_mpi_element_bytes(rtype, drbuf, "MPI_Scatter");
  if (!size)
    return;
  long all = (long)scount * n;
  void *tmp = at_root ? ct_mpi_scratch(size, all, "MPI_Scatter") : NULL, *owned = NULL;
  if (in_place) /* the root's own block's adjoint is already in dsbuf (tmp's block stays 0) */
    MPI_Gather(MPI_IN_PLACE, scount, stype, tmp, scount, stype, root, comm);
  else
    MPI_Gather(ct_mpi_or_zeros(drbuf, size, rcount, &owned, "MPI_Scatter"), rcount, rtype, tmp, scount, stype, root,
               comm);
  free(owned);
  if (!in_place)
    ct_mpi_zero(drbuf, rcount, size);
  if (at_root)
    ct_mpi_add_into(dsbuf, tmp, all, size);
  free(tmp);
}

long __ct_mpi_MPI_Allgather_extent(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                                   MPI_Datatype rtype, MPI_Comm comm, int k) {
  (void)sbuf, (void)scount, (void)stype, (void)rbuf;
  int n = 1;
  MPI_Comm_size(comm, &n);
  return k == 3 ? ct_mpi_buffer_bytes((long)rcount * n, rtype) : 0;
}

void __ct_mpi_MPI_Allgather(const void *sbuf, int scount, MPI_Datatype stype, void *rbuf, int rcount,
                            MPI_Datatype rtype, MPI_Comm comm, void *dsbuf, void *dstype, void *drbuf, void *drtype,
                            void *dcomm) {
  dsbuf = ct_mpi_live(dsbuf);
  drbuf = ct_mpi_live(drbuf);
  (void)rbuf, (void)dstype, (void)drtype, (void)dcomm;
  int rank = 0, n = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &n);
  int in_place = sbuf == MPI_IN_PLACE;
  size_t size = in_place ? ct_mpi_element_bytes(rtype, drbuf, "MPI_Allgather")
                         : ct_mpi_pair_bytes(stype, dsbuf, rtype, drbuf, "MPI_Allgather");
  if (!size)
    return;
  long all = (long)rcount * n;
  void *owned, *tmp = ct_mpi_scratch(size, rcount, "MPI_Allgather");
  MPI_Reduce_scatter_block(ct_mpi_or_zeros(drbuf, size, all, &owned, "MPI_Allgather"), tmp, rcount, rtype, MPI_SUM,
                           comm);
  free(owned);
  ct_mpi_zero(drbuf, all, size);
  if (in_place && drbuf) /* this rank's block of y was its x */
    memcpy((char *)drbuf + (size_t)rcount * (size_t)rank * size, tmp, (size_t)rcount * size);
  else if (!in_place)
    ct_mpi_add_into(dsbuf, tmp, scount, size);
  free(tmp);
}

/* ---- non-blocking communication ----
 *
 * The reverse of a non-blocking call completed by a wait is a non-blocking
 * call posted by the wait's reverse and completed by the call's reverse:
 *   MPI_Isend ... MPI_Wait   <->  MPI_Irecv of the adjoint ... MPI_Wait, added to dbuf
 *   MPI_Irecv ... MPI_Wait   <->  MPI_Isend of dbuf ... MPI_Wait, dbuf = 0
 * The forward pass records each request right after the call (with the
 * buffer's shadow, which the wait's reverse needs); the pass copies the
 * request value to the tape after the call and before the wait (which frees
 * it), so both reverses find the record by that value. Records are matched
 * last first: Open MPI may hand out a freed request's value again. */

typedef struct {
  MPI_Request key; /* the request the non-blocking call returned */
  int send;        /* MPI_Isend (1) or MPI_Irecv (0) */
  void *dbuf;      /* the buffer's shadow (NULL: none) */
  void *tmp;       /* the adjoint received (Isend), or zeros sent (Irecv) */
  int count, peer, tag, posted;
  MPI_Datatype t;
  MPI_Comm comm;
  size_t size;
  MPI_Request adjoint; /* the adjoint call, posted by the wait's reverse */
} pending;

static pending *pendings;
static size_t npendings, pending_cap;

static long record(const char *routine, int send, int count, MPI_Datatype t, int peer, int tag, MPI_Comm comm,
                   const MPI_Request *req, void *dbuf) {
  dbuf = ct_mpi_live(dbuf);
  size_t size = ct_mpi_element_bytes(t, dbuf, routine);
  if (size && *req != MPI_REQUEST_NULL) {
    if (npendings == pending_cap) {
      size_t cap = pending_cap ? 2 * pending_cap : 16;
      pending *p = realloc(pendings, cap * sizeof *p);
      if (!p)
        ct_mpi_fail(routine, "out of memory for the record of a request");
      pendings = p, pending_cap = cap;
    }
    pendings[npendings++] = (pending){.key = *req, .send = send, .dbuf = dbuf, .count = count, .peer = peer,
                                      .tag = tag, .t = t, .comm = comm, .size = size};
  }
  return (long)sizeof(MPI_Request);
}

/* The last record of request r that is (posted = 1) or is not (0) posted. */
static pending *find(MPI_Request r, int posted) {
  for (size_t i = npendings; i-- > 0;)
    if (pendings[i].key == r && pendings[i].posted == posted)
      return &pendings[i];
  return NULL;
}

/* The wait's reverse: post the adjoint of the call that made request r
 * (nothing for a request without record: no floating-point data). */
static void post_adjoint(MPI_Request r) {
  pending *p = find(r, 0);
  if (!p)
    return;
  if (p->send) {
    p->tmp = ct_mpi_scratch(p->size, p->count, "MPI_Isend");
    MPI_Irecv(p->tmp, p->count, p->t, p->peer, p->tag, p->comm, &p->adjoint);
  } else {
    const void *from = ct_mpi_or_zeros(p->dbuf, p->size, p->count, &p->tmp, "MPI_Irecv");
    MPI_Isend(from, p->count, p->t, p->peer, p->tag, p->comm, &p->adjoint);
  }
  p->posted = 1;
}

/* The non-blocking call's reverse: complete its adjoint, drop the record. */
static void complete_adjoint(const char *routine, MPI_Request r, void *dbuf) {
  pending *p = find(r, 1);
  if (!p) {
    if (find(r, 0))
      ct_mpi_fail(routine, "its request was not completed by MPI_Wait, MPI_Waitall, MPI_Waitany, MPI_Test or "
                           "MPI_Testall in the differentiated code");
    ct_mpi_fail(routine, "its request has no record (a pullback applied twice, or a request waited for outside the "
                         "differentiated code)");
  }
  MPI_Wait(&p->adjoint, MPI_STATUS_IGNORE);
  if (p->send)
    ct_mpi_add_into(dbuf, p->tmp, p->count, p->size);
  else
    ct_mpi_zero(dbuf, p->count, p->size);
  free(p->tmp);
  size_t at = (size_t)(p - pendings);
  memmove(p, p + 1, (npendings - at - 1) * sizeof *p);
  --npendings;
  if (!npendings) {
    free(pendings);
    pendings = NULL, pending_cap = 0;
  }
}

long __ct_mpi_MPI_Isend_record(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm,
                               MPI_Request *req, int k, void *dbuf) {
  (void)buf, (void)k;
  return record("MPI_Isend", 1, count, t, dest, tag, comm, req, dbuf);
}

long __ct_mpi_MPI_Irecv_record(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm,
                               MPI_Request *req, int k, void *dbuf) {
  (void)buf, (void)k;
  if (source == MPI_ANY_SOURCE || tag == MPI_ANY_TAG)
    check_source(source, tag, "MPI_Irecv");
  return record("MPI_Irecv", 0, count, t, source, tag, comm, req, dbuf);
}

long __ct_mpi_MPI_Isend_extent(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm,
                               MPI_Request *req, int k) {
  (void)buf, (void)count, (void)t, (void)dest, (void)tag, (void)comm, (void)req, (void)k;
  return (long)sizeof(MPI_Request);
}

long __ct_mpi_MPI_Irecv_extent(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm,
                               MPI_Request *req, int k) {
  (void)buf, (void)count, (void)t, (void)source, (void)tag, (void)comm, (void)req, (void)k;
  return (long)sizeof(MPI_Request);
}

long __ct_mpi_MPI_Wait_extent(MPI_Request *req, MPI_Status *st, int k) {
  (void)req, (void)st, (void)k;
  return (long)sizeof(MPI_Request);
}

long __ct_mpi_MPI_Waitall_extent(int count, MPI_Request *reqs, MPI_Status *sts, int k) {
  (void)reqs, (void)sts, (void)k;
  return count > 0 ? (long)count * (long)sizeof(MPI_Request) : 0;
}

/* req, reqs: the copies of the requests as they were before the wait */
void __ct_mpi_MPI_Wait(MPI_Request *req, MPI_Status *st, void *dreq, void *dst) {
  (void)st, (void)dreq, (void)dst;
  post_adjoint(*req);
}

void __ct_mpi_MPI_Waitall(int count, MPI_Request *reqs, MPI_Status *sts, void *dreqs, void *dsts) {
  (void)sts, (void)dreqs, (void)dsts;
  for (int i = count; i-- > 0;)
    post_adjoint(reqs[i]);
}

/* MPI_Test, MPI_Testall and MPI_Waitany: the requests as they were before
 * the call, and the flag (index) as the call set it. A test that completed
 * its requests, and the request a wait-any completed, are reversed as a
 * wait of them; a test that did not complete any is reversed as nothing. */
long __ct_mpi_MPI_Test_extent(MPI_Request *req, int *flag, MPI_Status *st, int k) {
  (void)req, (void)flag, (void)st;
  return k == 0 ? (long)sizeof(MPI_Request) : (long)sizeof(int);
}

long __ct_mpi_MPI_Testall_extent(int count, MPI_Request *reqs, int *flag, MPI_Status *sts, int k) {
  (void)reqs, (void)flag, (void)sts;
  return k == 1 ? (count > 0 ? (long)count * (long)sizeof(MPI_Request) : 0) : (long)sizeof(int);
}

long __ct_mpi_MPI_Waitany_extent(int count, MPI_Request *reqs, int *index, MPI_Status *st, int k) {
  (void)reqs, (void)index, (void)st;
  return k == 1 ? (count > 0 ? (long)count * (long)sizeof(MPI_Request) : 0) : (long)sizeof(int);
}

void __ct_mpi_MPI_Test(MPI_Request *req, int *flag, MPI_Status *st, void *dreq, void *dflag, void *dst) {
  (void)st, (void)dreq, (void)dflag, (void)dst;
  if (*flag)
    post_adjoint(*req);
}

void __ct_mpi_MPI_Testall(int count, MPI_Request *reqs, int *flag, MPI_Status *sts, void *dreqs, void *dflag,
                          void *dsts) {
  (void)sts, (void)dreqs, (void)dflag, (void)dsts;
  for (int i = count; *flag && i-- > 0;)
    post_adjoint(reqs[i]);
}

void __ct_mpi_MPI_Waitany(int count, MPI_Request *reqs, int *index, MPI_Status *st, void *dreqs, void *dindex,
                          void *dst) {
  (void)st, (void)dreqs, (void)dindex, (void)dst;
  if (*index != MPI_UNDEFINED && *index >= 0 && *index < count)
    post_adjoint(reqs[*index]);
}

/* req: the copy of the request as the call returned it */
void __ct_mpi_MPI_Isend(const void *buf, int count, MPI_Datatype t, int dest, int tag, MPI_Comm comm,
                        MPI_Request *req, void *dbuf, void *dt, void *dcomm, void *dreq) {
  (void)buf, (void)count, (void)dest, (void)tag, (void)comm, (void)dt, (void)dcomm, (void)dreq;
  dbuf = ct_mpi_live(dbuf);
  if (ct_mpi_element_bytes(t, dbuf, "MPI_Isend"))
    complete_adjoint("MPI_Isend", *req, dbuf);
}

void __ct_mpi_MPI_Irecv(void *buf, int count, MPI_Datatype t, int source, int tag, MPI_Comm comm,
                        MPI_Request *req, void *dbuf, void *dt, void *dcomm, void *dreq) {
  (void)buf, (void)count, (void)source, (void)tag, (void)comm, (void)dt, (void)dcomm, (void)dreq;
  dbuf = ct_mpi_live(dbuf);
  if (ct_mpi_element_bytes(t, dbuf, "MPI_Irecv"))
    complete_adjoint("MPI_Irecv", *req, dbuf);
}
