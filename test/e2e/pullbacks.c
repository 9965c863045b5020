/* Pullback objects: ct_value_with_pullback / ct_pullback, applied several
 * times with different seeds, on a function with an in-place update, a loop
 * and heap scratch memory (the tape is rewound and the shadows cleaned
 * between applications), then freed. Analytic checks. */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
static double f(double x, double y) { return x * sin(y) + exp(x / y); }
static float g(float x, int n) { float r = 1; for (int i = 0; i < n; ++i) r *= x; return r; }
/* in-place update, loop, heap scratch: the pullback must be reusable */
static double h(double *v, int n, double s) {
  double *t = malloc((size_t)n * sizeof *t); double r = 0;
  for (int i = 0; i < n; ++i) { t[i] = v[i] * s; v[i] = sin(v[i]); }
  for (int i = 0; i < n; ++i) r += t[i] * v[i];
  free(t); return r;
}
static int bad;
static void check(const char *w, double got, double want) { if (fabs(got - want) > 1e-12 * fmax(1, fabs(want))) { bad++; printf("FAIL %s %.17g %.17g\n", w, got, want); } }
int main(void) {
  ct_pullback_t pb;
  double v = ct_value_with_pullback(f, &pb, 1.0, 2.0);
  check("value", v, f(1.0, 2.0));
  double dx, dy;
  for (int k = 1; k <= 3; ++k) {
    ct_pullback_apply(pb, 0.5 * k, &dx, &dy);
    check("dx", dx, 0.5 * k * (sin(2.0) + exp(0.5) / 2.0));
    check("dy", dy, 0.5 * k * (cos(2.0) - exp(0.5) / 4.0));
  }
  ct_pullback_free(pb);
  ct_pullback_t pg = ct_pullback(g, 1.5f, 4);
  float fx; ct_pullback_apply(pg, 2.0, &fx); check("g", fx, 2.0 * 4 * pow(1.5, 3)); ct_pullback_apply(pg, 1.0, &fx); check("g2", fx, 4 * pow(1.5, 3));
  ct_pullback_free(pg);
  double a[4] = {0.1, 0.2, 0.3, 0.4}, a0[4], da[4] = {0};
  for (int i = 0; i < 4; ++i) a0[i] = a[i];
  ct_pullback_t ph = ct_pullback(h, a, da, 4, 1.5);
  double ds;
  for (int rep = 0; rep < 3; ++rep) {
    for (int i = 0; i < 4; ++i) da[i] = 0;
    ct_pullback_apply(ph, 1.0, &ds);
    double want_ds = 0;
    for (int i = 0; i < 4; ++i) { want_ds += a0[i] * sin(a0[i]); check("da", da[i], 1.5 * (sin(a0[i]) + a0[i] * cos(a0[i]))); }
    check("ds", ds, want_ds);
  }
  ct_pullback_free(ph);
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}
