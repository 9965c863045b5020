/* ct_pullback_free of a function with an OpenMP parallel loop that
 * overwrites its argument: the free releases the region's per-thread tapes
 * through the reverse's release twin (release.c) and leaves the argument's
 * shadow as the application left it (the old free re-ran the reverse with
 * seed 0: dv became 2 v^2 * 6 instead of 6 v). Applied twice, then freed.
 * Analytic checks; run with 1, 2 and 4 threads. */
#include "check.h"

#include <cotangent.h>

static double squares_then_sum(double *v, int n, double a) {
#pragma omp parallel for
  for (int i = 0; i < n; ++i)
    v[i] = v[i] * v[i];
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += a * v[i];
  return s;
}

int main(void) {
  enum { N = 37 };
  double v[N], v0[N], dv[N] = {0}, da = 0;
  for (int i = 0; i < N; ++i)
    v[i] = v0[i] = 0.25 + 0.1 * i * (i % 3 ? 1 : -1);
  ct_pullback_t pb = ct_pullback(squares_then_sum, v, dv, N, 3.0);
  ct_pullback_apply(pb, 1.0, &da);
  double want_da = 0;
  for (int i = 0; i < N; ++i) {
    CHECK_D(dv[i], 6 * v0[i]);
    want_da += v0[i] * v0[i];
  }
  CHECK_D(da, want_da);
  for (int i = 0; i < N; ++i)
    dv[i] = 0;
  ct_pullback_apply(pb, 2.0, &da);
  for (int i = 0; i < N; ++i)
    CHECK_D(dv[i], 12 * v0[i]);
  CHECK_D(da, 2 * want_da);
  ct_pullback_free(pb);
  for (int i = 0; i < N; ++i)
    CHECK_D(dv[i], 12 * v0[i]);
  return check_summary("omp_pullback_free");
}
