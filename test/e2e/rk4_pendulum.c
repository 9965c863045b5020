/* RK4 integration of a pendulum theta'' = -(g / L) sin(theta) for 5000 steps
 * (dt = 2 ms, 10 s). d(final angle) / d(theta0, omega0, L) is compared with
 * fourth-order central finite differences. Two implementations: scalar
 * stages in registers, and the state in local arrays updated through a
 * helper that writes its result through a pointer (inlined). The step count
 * is a runtime argument. */
#include "check.h"

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
typedef struct {
  double theta0, omega0, L;
} D3;
extern D3 __enzyme_autodiff_scalar(void *, ...);
extern D3 __enzyme_autodiff_array(void *, ...);

#define STEPS 5000
#define DT 0.002
#define G 9.81

static double pendulum_scalar(double theta0, double omega0, double L, int steps) {
  double th = theta0, om = omega0;
  const double c = G / L;
  for (int s = 0; s < steps; ++s) {
    double k1t = om, k1o = -c * sin(th);
    double k2t = om + 0.5 * DT * k1o, k2o = -c * sin(th + 0.5 * DT * k1t);
    double k3t = om + 0.5 * DT * k2o, k3o = -c * sin(th + 0.5 * DT * k2t);
    double k4t = om + DT * k3o, k4o = -c * sin(th + DT * k3t);
    th += DT / 6.0 * (k1t + 2.0 * k2t + 2.0 * k3t + k4t);
    om += DT / 6.0 * (k1o + 2.0 * k2o + 2.0 * k3o + k4o);
  }
  return th;
}

static void rhs(const double *y, double *dy, double L) {
  dy[0] = y[1];
  dy[1] = -(G / L) * sin(y[0]);
}

static double pendulum_array(double theta0, double omega0, double L, int steps) {
  double y[2] = {theta0, omega0};
  double k[4][2], tmp[2];
  for (int s = 0; s < steps; ++s) {
    rhs(y, k[0], L);
    for (int i = 0; i < 2; ++i)
      tmp[i] = y[i] + 0.5 * DT * k[0][i];
    rhs(tmp, k[1], L);
    for (int i = 0; i < 2; ++i)
      tmp[i] = y[i] + 0.5 * DT * k[1][i];
    rhs(tmp, k[2], L);
    for (int i = 0; i < 2; ++i)
      tmp[i] = y[i] + DT * k[2][i];
    rhs(tmp, k[3], L);
    for (int i = 0; i < 2; ++i)
      y[i] += DT / 6.0 * (k[0][i] + 2.0 * k[1][i] + 2.0 * k[2][i] + k[3][i]);
  }
  return y[0];
}

typedef double (*pend_fn)(double, double, double, int);

/* fourth-order central difference in parameter `which` */
static double fd(pend_fn f, double a, double b, double L, int steps, int which) {
  double p[3] = {a, b, L};
  double h = 1e-4 * fmax(1.0, fabs(p[which]));
  const double off[4] = {-2.0, -1.0, 1.0, 2.0};
  double v[4];
  for (int k = 0; k < 4; ++k) {
    double q[3] = {a, b, L};
    q[which] += off[k] * h;
    v[k] = f(q[0], q[1], q[2], steps);
  }
  return (v[0] - 8.0 * v[1] + 8.0 * v[2] - v[3]) / (12.0 * h);
}

static void check_point3(const char *what, pend_fn f, D3 d, double a, double b, double L, int steps) {
  const double got[3] = {d.theta0, d.omega0, d.L};
  for (int w = 0; w < 3; ++w)
    check_point(__FILE__, __LINE__, what, w, got[w], fd(f, a, b, L, steps, w), 1e-6);
}

int main(void) {
  const double cases[][3] = {{0.3, 0.0, 1.0}, {1.2, -0.5, 0.75}, {-2.0, 1.5, 2.3}};
  for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; ++c) {
    double a = cases[c][0], b = cases[c][1], L = cases[c][2];
    D3 ds = __enzyme_autodiff_scalar((void *)pendulum_scalar, a, b, L, STEPS);
    check_point3("scalar", pendulum_scalar, ds, a, b, L, STEPS);
    D3 da = __enzyme_autodiff_array((void *)pendulum_array, a, b, L, STEPS);
    check_point3("array", pendulum_array, da, a, b, L, STEPS);
    /* both implementations do the same arithmetic */
    CHECK_TOL(da.theta0, ds.theta0, 1e-9);
    CHECK_TOL(da.omega0, ds.omega0, 1e-9);
    CHECK_TOL(da.L, ds.L, 1e-9);
  }
  /* zero steps: the map is the identity; one step vs finite differences */
  D3 d0 = __enzyme_autodiff_scalar((void *)pendulum_scalar, 0.4, 0.1, 1.0, 0);
  CHECK(d0.theta0 == 1.0 && d0.omega0 == 0.0 && d0.L == 0.0);
  D3 d1 = __enzyme_autodiff_array((void *)pendulum_array, 0.4, 0.1, 1.0, 1);
  check_point3("array, 1 step", pendulum_array, d1, 0.4, 0.1, 1.0, 1);
  return check_summary("rk4_pendulum");
}
