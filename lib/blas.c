/* The adjoints and tangents of the CBLAS routines Cotangent differentiates
 * (pass/blas.c names them for each call): the double and float instances
 * of blas_api.h and blas_forward_api.h, and the helpers both share. */
#include "blas.h"

#include <stdio.h>

long ct_blas_vec_len(long n, long inc) { return n <= 0 ? 0 : 1 + (n - 1) * (inc < 0 ? -inc : inc); }

long ct_blas_mat_len(CBLAS_LAYOUT L, long r, long c, long ld) {
  if (r <= 0 || c <= 0)
    return 0;
  return L == CblasRowMajor ? (r - 1) * ld + c : (c - 1) * ld + r;
}

CBLAS_TRANSPOSE ct_blas_trans_char(char c) {
  return c == 'T' || c == 't' || c == 'C' || c == 'c' ? CblasTrans : CblasNoTrans;
}

void *ct_blas_alloc(size_t size, long n) {
  void *p = calloc(n > 0 ? (size_t)n : 1, size);
  if (!p) {
    fprintf(stderr, "cotangent: out of memory in a BLAS adjoint (%ld elements)\n", n);
    abort();
  }
  return p;
}

void ct_blas_fail(const char *routine, const char *what) {
  fprintf(stderr, "cotangent: %s: cannot compute %s\n", routine, what);
  abort();
}

#define BT double
#define BX(n) cblas_d##n
#define BH(n) ct_blas_d_##n
#define BPB(n) __ct_blas_cblas_d##n
#define BEX(n) __ct_blas_cblas_d##n##_extent
#define BFW(n) __ct_blas_fwd_cblas_d##n
#define BT2 ct_blas_d2
#include "blas_api.h"
#include "blas_forward_api.h"
#undef BFW
#undef BT2
#undef BT
#undef BX
#undef BH
#undef BPB
#undef BEX

#define BT float
#define BX(n) cblas_s##n
#define BH(n) ct_blas_s_##n
#define BPB(n) __ct_blas_cblas_s##n
#define BEX(n) __ct_blas_cblas_s##n##_extent
#define BFW(n) __ct_blas_fwd_cblas_s##n
#define BT2 ct_blas_s2
#include "blas_api.h"
#include "blas_forward_api.h"
