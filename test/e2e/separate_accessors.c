/* Functions returning pointers into differentiable memory defined in
 * another file (lib/accessors_lib.c, compiled separately, no LTO) and
 * declared differentiable: matrix accessors used in i-j-k loops and a
 * stack's push returning the new slot, written through. The calls go
 * through the other file's exported split gradients, whose augmented
 * forward returns the pointer's shadow. Checked against central
 * differences at -O0..-O3 (and under ASan and valgrind). */
/* run.sh sources: lib/accessors_lib.c */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

typedef struct {
  int nrows, ncols;
  double *data;
} Mat;

typedef struct {
  int n;
  double items[64];
} Stack;

CT_DIFFERENTIABLE double *mat_row(Mat *m, int i);
CT_DIFFERENTIABLE double *mat_at(Mat *m, int i, int j);
CT_DIFFERENTIABLE double *stack_push(Stack *s, double v);

/* C = A B with A = x (n x n) and B = sin(A), through the accessors; loss
 * = sum C_ij^2 + the diagonal read by rows */
double product(double *x, int n) {
  Mat a = {n, n, x};
  Mat b = {n, n, malloc(n * n * sizeof(double))};
  Mat c = {n, n, malloc(n * n * sizeof(double))};
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      *mat_at(&b, i, j) = sin(*mat_at(&a, i, j));
  for (int i = 0; i < n; i++) {
    double *ci = mat_row(&c, i);
    for (int j = 0; j < n; j++) {
      ci[j] = 0;
      for (int k = 0; k < n; k++)
        ci[j] += mat_row(&a, i)[k] * *mat_at(&b, k, j);
    }
  }
  double s = 0;
  for (int i = 0; i < n; i++) {
    s += mat_row(&c, i)[i];
    for (int j = 0; j < n; j++)
      s += *mat_at(&c, i, j) * *mat_at(&c, i, j);
  }
  free(b.data);
  free(c.data);
  return s;
}

/* pushes exp(x_i) scaled by the previous slot, then sums the stack */
double pushes(const double *x, int n) {
  Stack st = {0};
  double *prev = NULL;
  for (int i = 0; i < n; i++) {
    double *slot = stack_push(&st, exp(0.5 * x[i]));
    if (prev)
      *slot *= *prev;
    prev = slot;
  }
  double s = 0;
  for (int i = 0; i < st.n; i++)
    s += (i + 1) * st.items[i];
  return s;
}

#define FD_H 1e-6
#define FD_TOL 1e-6

typedef double (*vec_fn)(double *x, int n);

static void check_fd(const char *what, vec_fn f, double *x, int n, int len, const double *grad) {
  for (int i = 0; i < len; i++) {
    double keep = x[i];
    x[i] = keep + FD_H;
    double fp = f(x, n);
    x[i] = keep - FD_H;
    double fm = f(x, n);
    x[i] = keep;
    CHECK_AT_TOL(what, i, grad[i], (fp - fm) / (2 * FD_H), FD_TOL);
  }
}

static double f_pushes(double *x, int n) { return pushes(x, n); }

int main(void) {
  double x[9], dx[9] = {0};
  for (int i = 0; i < 9; i++)
    x[i] = 0.2 + 0.15 * i - 0.1 * (i % 3);
  __enzyme_autodiff((void *)product, enzyme_dup, x, dx, enzyme_const, 3);
  check_fd("product", product, x, 3, 9, dx);

  double dx2[9] = {0};
  ct_gradient(pushes, x, dx2, 6);
  check_fd("pushes", f_pushes, x, 6, 6, dx2);
  return check_summary("separate_accessors");
}
