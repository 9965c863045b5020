/* What the MPI adjoints of lib/mpi.c (point to point, reductions, the
 * collectives of fixed counts, non-blocking calls) and lib/mpi_vector.c
 * (the collectives with per-rank counts, all-to-all) share: the element
 * size of a differentiated datatype, scratch buffers, and the stop with a
 * message naming the call. Internal to libcotangent_mpi.a. */
#ifndef CT_LIB_MPI_ADJOINT_H
#define CT_LIB_MPI_ADJOINT_H
#include <mpi.h>
#include <stddef.h>

/* Stops the whole job (MPI_Abort) with "the derivative of <routine>: <what>". */
_Noreturn void ct_mpi_fail(const char *routine, const char *what);
/* Bytes of one element of MPI_DOUBLE / MPI_FLOAT, 0 for a datatype without
 * derivative; stops the job for another datatype on a buffer with a shadow. */
size_t ct_mpi_element_bytes(MPI_Datatype t, const void *shadow, const char *routine);
/* The one element size of a call's send and receive datatypes (0: neither
 * differentiated); stops the job when they differ. */
size_t ct_mpi_pair_bytes(MPI_Datatype s, const void *ds, MPI_Datatype r, const void *dr, const char *routine);
/* n zeroed elements of `size` bytes (never NULL: stops the job instead). */
void *ct_mpi_scratch(size_t size, long n, const char *routine);
/* d[i] += s[i] for n doubles (size 8) or floats; nothing when d is NULL. */
void ct_mpi_add_into(void *d, const void *s, long n, size_t size);
/* Zeroes n elements at d (nothing when d is NULL). */
void ct_mpi_zero(void *d, long n, size_t size);
/* d, or zeroed scratch of n elements in its place (*owned: to free). */
const void *ct_mpi_or_zeros(const void *d, size_t size, long n, void **owned, const char *routine);
/* Bytes of `count` elements of datatype t (0 for count <= 0): the extent
 * functions' answer for a buffer a call writes, which the pass copies to the
 * tape before the call when the reverse pass must put it back (pass/undo.c). */
long ct_mpi_buffer_bytes(long count, MPI_Datatype t);
/* A shadow, or NULL where it is MPI_IN_PLACE (a merge of MPI_IN_PLACE with
 * a buffer has MPI_IN_PLACE as its shadow: pass/forward.c). */
void *ct_mpi_live(void *d);
#endif
