/* Shared helpers of the BLAS and LAPACK adjoints (blas.c, lapack.c): index
 * arithmetic for CBLAS's layouts and strides, and scratch memory. Built only
 * where CMake finds CBLAS and LAPACKE (libcotangent_blas.a). */
#ifndef CT_LIB_BLAS_H
#define CT_LIB_BLAS_H
#include <cblas.h>
#include <stddef.h>
#include <stdlib.h>

/* What a forward derivative of a routine with a result returns. */
typedef struct {
  double v, d;
} ct_blas_d2;
typedef struct {
  float v, d;
} ct_blas_s2;

/* Elements a vector of n elements with stride inc spans (0 when n <= 0). */
long ct_blas_vec_len(long n, long inc);
/* Elements an r x c matrix with leading dimension ld spans in layout L. */
long ct_blas_mat_len(CBLAS_LAYOUT L, long r, long c, long ld);
/* The offset of logical element i of an n-element vector of stride inc
 * (a negative stride runs from the end, as BLAS defines). */
static inline long ct_blas_vec_at(long i, long n, long inc) { return inc >= 0 ? i * inc : (n - 1 - i) * -inc; }
/* The offset of element (i, j) of a matrix in layout L. */
static inline long ct_blas_mat_at(CBLAS_LAYOUT L, long i, long j, long ld) {
  return L == CblasRowMajor ? i * ld + j : i + j * ld;
}
/* Is t a transpose (CblasTrans or CblasConjTrans, the same for reals)? */
static inline int ct_blas_trans(CBLAS_TRANSPOSE t) { return t == CblasTrans || t == CblasConjTrans; }
/* A Fortran transpose character ('N', 'T', 'C', either case) as CBLAS's. */
CBLAS_TRANSPOSE ct_blas_trans_char(char c);
/* n zeroed elements of `size` bytes; stops the program when out of memory. */
void *ct_blas_alloc(size_t size, long n);
/* Stops the program: `routine`'s derivative cannot give `what`. */
_Noreturn void ct_blas_fail(const char *routine, const char *what);
#endif
