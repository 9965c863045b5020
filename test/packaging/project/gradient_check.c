/* Sample out-of-tree user of an installed Cotangent (see ../run.sh): a
 * gradient through the native API, checked against the analytic one. Exits
 * non-zero on any mismatch. The loop (trip count from the command line, so
 * the optimizer can't unroll it away) makes the gradient use the tape, i.e.
 * the runtime library and the runtime bitcode. q calls a runtime kernel
 * (ct_dot), so the kernels library and libomp must be linked too. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static double f(double x, double y, int n) {
  double s = x * sin(y) + exp(x / y);
  double p = 1.0;
  for (int k = 1; k <= n; ++k) {
    p *= x;
    s += p / k; /* s = x sin y + e^(x/y) + sum_{k=1..n} x^k / k */
  }
  return s;
}

static double q(const double *w, long n) { return ct_dot(w, w, n); }

static int close_to(const char *what, double got, double want) {
  if (fabs(got - want) <= 1e-12 * (1.0 + fabs(want)))
    return 1;
  fprintf(stderr, "gradient_check: %s = %.17g, expected %.17g\n", what, got, want);
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 7;
  double x = 0.75, y = 1.5, dx = 0.0, dy = 0.0;
  double v = ct_value_with_gradient(f, x, &dx, y, &dy, n);

  double want_v = x * sin(y) + exp(x / y), want_dx = sin(y) + exp(x / y) / y;
  for (int k = 1; k <= n; ++k) {
    want_v += pow(x, k) / k;
    want_dx += pow(x, k - 1);
  }
  double want_dy = x * cos(y) - x / (y * y) * exp(x / y);

  int ok = close_to("f", v, want_v) & close_to("df/dx", dx, want_dx) & close_to("df/dy", dy, want_dy);
  double w[2] = {x, y}, dw[2] = {0.0, 0.0};
  ct_gradient(q, w, dw, 2L);
  ok &= close_to("dq/dw0", dw[0], 2 * x) & close_to("dq/dw1", dw[1], 2 * y);
  if (ok)
    printf("gradient_check: f = %.12g, df/dx = %.12g, df/dy = %.12g: ok\n", v, dx, dy);
  return ok ? 0 : 1;
}
