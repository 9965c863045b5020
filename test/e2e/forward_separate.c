/* Forward mode through differentiable functions of other files
 * (lib/forward_lib.c and lib/accessors_lib.c, compiled separately, no LTO,
 * declared CT_DIFFERENTIABLE here): their files export tangent functions
 * (__ct_fwd_<f>) for their canonical activity, which this file's tangent
 * code calls: a loop over an array, a wrt list (the constant parameter
 * passed a constant), a void function writing through a pointer, and
 * accessors returning pointers into differentiable memory (the tangent
 * returns the pointer's shadow). Every directional derivative along the
 * unit vectors, by ct_derivative and __enzyme_fwddiff, against central
 * differences at -O0..-O3. */
/* run.sh sources: lib/forward_lib.c lib/accessors_lib.c */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_fwddiff(void *, ...);

CT_DIFFERENTIABLE double energy(const double *x, int n);
double scaled(double a, double k) CT_DIFFERENTIABLE_WRT(a);
CT_DIFFERENTIABLE void step(const double *s, double *next, int n, double dt);

typedef struct {
  int nrows, ncols;
  double *data;
} Mat;
CT_DIFFERENTIABLE double *mat_row(Mat *m, int i);
CT_DIFFERENTIABLE double *mat_at(Mat *m, int i, int j);

#define N 6

/* two steps, the energy of the result, and a scaled term */
static double simulate(const double *x, int n) {
  double a[N], b[N];
  step(x, a, n, 0.1 * x[0]);
  step(a, b, n, 0.05);
  return energy(b, n) + scaled(x[1] * b[2], 3.0);
}

/* a 2 x 3 matrix view of x through the accessors: sum of row products */
static double through_accessors(const double *x, int n) {
  (void)n;
  double y[N];
  Mat m = {2, 3, y};
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < 3; j++)
      *mat_at(&m, i, j) = sin(x[3 * i + j]);
  double s = 0;
  for (int j = 0; j < 3; j++)
    s += mat_row(&m, 0)[j] * mat_row(&m, 1)[j];
  return s;
}

typedef double (*vec_fn)(const double *, int);
typedef double (*tangent_fn)(const double *, const double *);

/* one operator call per function (LLVM would merge two calls of one
   function into a call through a selected pointer) */
static __attribute__((noinline)) double t_simulate(const double *x, const double *d) {
  return ct_derivative(simulate, x, d, N);
}
static __attribute__((noinline)) double t_simulate_enzyme(const double *x, const double *d) {
  return __enzyme_fwddiff((void *)simulate, enzyme_dup, x, d, enzyme_const, N);
}
static __attribute__((noinline)) double t_accessors(const double *x, const double *d) {
  return ct_derivative(through_accessors, x, d, N);
}
static __attribute__((noinline)) double t_accessors_enzyme(const double *x, const double *d) {
  return __enzyme_fwddiff((void *)through_accessors, enzyme_dup, x, d, enzyme_const, N);
}

static void check_unit_directions(const char *what, vec_fn f, tangent_fn tangent) {
  double x[N], dir[N];
  for (int i = 0; i < N; i++)
    x[i] = 0.4 + 0.13 * i - 0.2 * (i % 2);
  for (int k = 0; k < N; k++) {
    for (int i = 0; i < N; i++)
      dir[i] = i == k;
    double t = tangent(x, dir);
    double keep = x[k], h = 1e-6;
    x[k] = keep + h;
    double up = f(x, N);
    x[k] = keep - h;
    double down = f(x, N);
    x[k] = keep;
    CHECK_AT_TOL(what, k, t, (up - down) / (2 * h), 1e-7);
  }
}

int main(void) {
  check_unit_directions("d simulate", simulate, t_simulate);
  check_unit_directions("d simulate (__enzyme_fwddiff)", simulate, t_simulate_enzyme);
  check_unit_directions("d through_accessors", through_accessors, t_accessors);
  check_unit_directions("d through_accessors (__enzyme_fwddiff)", through_accessors, t_accessors_enzyme);
  return check_summary("forward_separate");
}
