/* Cotangent demo: the Black-Scholes price of a European call option and all
 * its sensitivities ("Greeks") from one reverse-mode gradient.
 * Built by scripts/demo with: cotangent-cc -O2 demo.c -o demo */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

/* Price of a call with spot s, strike k, maturity t (years), rate r and
 * volatility v. The normal CDF is written with erf. */
static double call_price(double s, double k, double t, double r, double v) {
  double sqrt_t = sqrt(t);
  double d1 = (log(s / k) + (r + 0.5 * v * v) * t) / (v * sqrt_t);
  double d2 = d1 - v * sqrt_t;
  double n1 = 0.5 * (1.0 + erf(d1 / sqrt(2.0)));
  double n2 = 0.5 * (1.0 + erf(d2 / sqrt(2.0)));
  return s * n1 - k * exp(-r * t) * n2;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(void) {
  double x[5] = {100.0, 95.0, 0.75, 0.03, 0.25};
  const char *names[5] = {"spot (delta)", "strike", "maturity (-theta)", "rate (rho)", "volatility (vega)"};
  double g[5];
  double value = ct_value_with_gradient(call_price, x[0], &g[0], x[1], &g[1], x[2], &g[2], x[3], &g[3],
                                        x[4], &g[4]);
  printf("Black-Scholes call: S=%g K=%g T=%g r=%g sigma=%g\n", x[0], x[1], x[2], x[3], x[4]);
  printf("value = %.12f\n\n", value);
  printf("%-20s %22s %22s %10s\n", "d value / d", "Cotangent", "finite difference", "rel. err");
  double worst = 0;
  for (int i = 0; i < 5; ++i) {
    double h = 1e-6 * fmax(1.0, fabs(x[i]));
    double xp[5], xm[5];
    for (int j = 0; j < 5; ++j)
      xp[j] = xm[j] = x[j];
    xp[i] += h;
    xm[i] -= h;
    double fd = (call_price(xp[0], xp[1], xp[2], xp[3], xp[4]) -
                 call_price(xm[0], xm[1], xm[2], xm[3], xm[4])) / (2 * h);
    double err = fabs(fd - g[i]) / fmax(1e-12, fabs(fd));
    worst = fmax(worst, err);
    printf("%-20s %22.12f %22.12f %10.1e\n", names[i], g[i], fd, err);
  }

  /* timing: many evaluations at slightly different spots */
  enum { N = 2000000 };
  volatile double sink = 0;
  double t0 = now();
  for (int i = 0; i < N; ++i)
    sink += call_price(x[0] + 1e-6 * i, x[1], x[2], x[3], x[4]);
  double t1 = now();
  for (int i = 0; i < N; ++i) {
    double d[5];
    sink += ct_value_with_gradient(call_price, x[0] + 1e-6 * i, &d[0], x[1], &d[1], x[2], &d[2], x[3],
                                   &d[3], x[4], &d[4]);
    sink += d[0];
  }
  double t2 = now();
  printf("\nforward (value only):       %7.1f ns per call\n", (t1 - t0) / N * 1e9);
  printf("backward (value + 5 Greeks): %7.1f ns per call  (%.2fx the forward pass)\n", (t2 - t1) / N * 1e9,
         (t2 - t1) / (t1 - t0));
  printf("\nfinite-difference check: %s (worst relative error %.1e)\n", worst < 1e-5 ? "PASS" : "FAIL", worst);
  return worst < 1e-5 ? 0 : 1;
}
