/* An in-place 3-point stencil (diffusion plus a cubic reaction term) applied
 * for T = 50 time steps on n = 64 points, then a sum of squares. In place
 * means each step overwrites u[i] while carrying the old left neighbour in a
 * scalar, so the reverse must restore the overwritten values. Two boundary
 * variants: fixed ends and periodic (with wrap-around reads). The diffusion
 * coefficient is an active scalar too. Checked by central finite differences
 * on several components and on alpha. */
#include "check.h"

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_periodic(void *, ...);

#define N 64
#define T 50

static double stencil_fixed(double *u, double alpha, double beta, int n, int steps) {
  for (int t = 0; t < steps; ++t) {
    double prev = u[0];
    for (int i = 1; i < n - 1; ++i) {
      double cur = u[i];
      u[i] = cur + alpha * (prev - 2.0 * cur + u[i + 1]) - beta * cur * cur * cur;
      prev = cur;
    }
  }
  double f = 0.0;
  for (int i = 0; i < n; ++i)
    f += u[i] * u[i];
  return f;
}

static double stencil_periodic(double *u, double alpha, double beta, int n, int steps) {
  for (int t = 0; t < steps; ++t) {
    double first = u[0];
    double prev = u[n - 1];
    for (int i = 0; i < n; ++i) {
      double cur = u[i];
      double right = (i + 1 < n) ? u[i + 1] : first;
      u[i] = cur + alpha * (prev - 2.0 * cur + right) - beta * cur * cur * cur;
      prev = cur;
    }
  }
  double f = 0.0;
  for (int i = 0; i < n; ++i)
    f += u[i] * u[i];
  return f;
}

static void init(double *u) {
  for (int i = 0; i < N; ++i)
    u[i] = sin(6.283185307179586 * i / N) + 0.3 * cos(5.0 * 6.283185307179586 * i / N) + 0.05 * (i % 3);
}

/* primal on a copy (the functions overwrite their input) */
static double eval(int periodic, const double *u0, double alpha, double beta) {
  double u[N];
  for (int i = 0; i < N; ++i)
    u[i] = u0[i];
  return periodic ? stencil_periodic(u, alpha, beta, N, T) : stencil_fixed(u, alpha, beta, N, T);
}

static void run(int periodic) {
  const char *name = periodic ? "periodic" : "fixed";
  const double alpha = 0.23, beta = 0.04;
  double u0[N], u[N], du[N];
  init(u0);
  for (int i = 0; i < N; ++i) {
    u[i] = u0[i];
    du[i] = 0.0;
  }
  double dalpha;
  if (periodic)
    dalpha = __enzyme_autodiff_periodic((void *)stencil_periodic, enzyme_dup, u, du, alpha, enzyme_const, beta, N,
                                        T);
  else
    dalpha = __enzyme_autodiff((void *)stencil_fixed, enzyme_dup, u, du, alpha, enzyme_const, beta, N, T);

  /* the primal ran in place: u holds the final state */
  double ufin[N];
  for (int i = 0; i < N; ++i)
    ufin[i] = u0[i];
  if (periodic)
    stencil_periodic(ufin, alpha, beta, N, T);
  else
    stencil_fixed(ufin, alpha, beta, N, T);
  for (int i = 0; i < N; i += 9)
    CHECK_AT_D(name, i, u[i], ufin[i]);

  const int comps[] = {0, 1, 2, 17, 31, 32, 50, 62, 63};
  for (unsigned c = 0; c < sizeof comps / sizeof comps[0]; ++c) {
    int i = comps[c];
    double up[N];
    for (int k = 0; k < N; ++k)
      up[k] = u0[k];
    /* fourth-order central difference: truncation ~h^4, rounding ~eps f / h */
    double h = 1e-3 * fmax(1.0, fabs(u0[i]));
    double f[4];
    const double off[4] = {-2.0, -1.0, 1.0, 2.0};
    for (int k = 0; k < 4; ++k) {
      up[i] = u0[i] + off[k] * h;
      f[k] = eval(periodic, up, alpha, beta);
    }
    double fd = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
    check_point(__FILE__, __LINE__, name, i, du[i], fd, 1e-7);
  }
  double h = 1e-4, f[4];
  const double off[4] = {-2.0, -1.0, 1.0, 2.0};
  for (int k = 0; k < 4; ++k)
    f[k] = eval(periodic, u0, alpha + off[k] * h, beta);
  double fd = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
  check_point(__FILE__, __LINE__, "d/dalpha", periodic, dalpha, fd, 1e-7);
}

int main(void) {
  run(0);
  run(1);
  return check_summary("stencil");
}
