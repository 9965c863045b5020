/* Speelpenning's product: f(x) = prod_i x_i over n = 20 values, read through
 * a duplicated pointer. Gradient df/dx_i = prod_{j != i} x_j (computed here
 * as an explicit product over j != i, so zeros are handled too).
 * Variants: a while loop, a loop accumulating through memory (the running
 * product stored in a local array), and an input containing an exact zero. */
#include "check.h"

/* analytic references: 1e-10 relative leaves room for a different summation order */
#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

#include <string.h>

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_mem(void *, ...);
extern double __enzyme_autodiff_while(void *, ...);

#define N 20

static double speelpenning(const double *x, int n) {
  double p = 1.0;
  for (int i = 0; i < n; ++i)
    p *= x[i];
  return p;
}

/* the running products go through a local array */
static double speelpenning_mem(const double *x, int n) {
  double partial[N + 1];
  partial[0] = 1.0;
  for (int i = 0; i < n; ++i)
    partial[i + 1] = partial[i] * x[i];
  return partial[n];
}

/* counting down with a while loop */
static double speelpenning_while(const double *x, int n) {
  double p = 1.0;
  int i = n;
  while (i > 0) {
    --i;
    p = x[i] * p;
  }
  return p;
}

static double prod_except(const double *x, int n, int skip) {
  double p = 1.0;
  for (int j = 0; j < n; ++j)
    if (j != skip)
      p *= x[j];
  return p;
}

static void run(const char *what, const double *x, int n, int which) {
  double dx[N];
  for (int i = 0; i < N; ++i)
    dx[i] = 0.0;
  double r;
  if (which == 0)
    r = __enzyme_autodiff((void *)speelpenning, x, dx, n);
  else if (which == 1)
    r = __enzyme_autodiff_mem((void *)speelpenning_mem, x, dx, n);
  else
    r = __enzyme_autodiff_while((void *)speelpenning_while, enzyme_dup, x, dx, n);
  (void)r; /* no active scalar argument: the result holds nothing */
  for (int i = 0; i < n; ++i)
    CHECK_AT(what, i, dx[i], prod_except(x, n, i));
  for (int i = n; i < N; ++i)
    CHECK(dx[i] == 0.0);
}

int main(void) {
  double x[N];
  for (int i = 0; i < N; ++i)
    x[i] = 0.8 + 0.05 * i * ((i & 1) ? -1.0 : 1.0) + 0.013 * i;
  const char *names[3] = {"speelpenning", "speelpenning_mem", "speelpenning_while"};
  for (int k = 0; k < 3; ++k) {
    run(names[k], x, N, k);
    run(names[k], x, 7, k); /* a shorter runtime trip count */
    run(names[k], x, 1, k);
    run(names[k], x, 0, k); /* empty loop: no gradient at all */
  }
  /* an exact zero: only its own derivative is non-zero */
  double z[N];
  memcpy(z, x, sizeof z);
  z[5] = 0.0;
  for (int k = 0; k < 3; ++k)
    run(names[k], z, N, k);

  /* gradient accumulates: two calls add up */
  double dx[N];
  for (int i = 0; i < N; ++i)
    dx[i] = 0.0;
  __enzyme_autodiff((void *)speelpenning, x, dx, N);
  __enzyme_autodiff((void *)speelpenning, x, dx, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT("accumulated", i, dx[i], 2.0 * prod_except(x, N, i));
  return check_summary("speelpenning");
}
