/* An RK4 physics simulation: N gravitating bodies (softened, G = 1)
 * integrated with the classical 4th-order Runge-Kutta method for many
 * steps; the loss is the squared distance of the final positions to
 * targets:
 *
 *   state s = (q, v) in R^{6N},  s' = F(s) = (v, a(q)),
 *   a_i = sum_{j != i} m_j (q_j - q_i) / (|q_j - q_i|^2 + eps^2)^{3/2}
 *   s_{t+1} = s_t + dt/6 (k1 + 2 k2 + 2 k3 + k4)
 *   f(q0, v0, m) = sum_i |q_i(T) - target_i|^2
 *
 * Gradient with respect to the initial positions, velocities and the
 * masses (the adjoint of the whole trajectory: the tape holds every step).
 * Sizes (N, steps): 3, 20 (check); 6, 2000 (quick); 6, 10000 (full). */
#include "bench.h"

static void deriv(const double *s, const double *m, double *ds, int nb, double eps2) {
  const double *q = s, *v = s + 3 * nb;
  double *dq = ds, *dv = ds + 3 * nb;
  for (int i = 0; i < 3 * nb; i++) {
    dq[i] = v[i];
    dv[i] = 0.0;
  }
  for (int i = 0; i < nb; i++)
    for (int j = 0; j < nb; j++) {
      if (j == i)
        continue;
      double dx = q[3 * j] - q[3 * i], dy = q[3 * j + 1] - q[3 * i + 1],
             dz = q[3 * j + 2] - q[3 * i + 2];
      double r2 = dx * dx + dy * dy + dz * dz + eps2;
      double inv3 = m[j] / (r2 * sqrt(r2));
      dv[3 * i] += dx * inv3;
      dv[3 * i + 1] += dy * inv3;
      dv[3 * i + 2] += dz * inv3;
    }
}

static double nbody_loss(const double *s0, const double *m, const double *target CT_NO_DERIVATIVE,
                         int nb, int steps, double dt) {
  int ns = 6 * nb;
  double eps2 = 0.01;
  double *s = malloc(6 * (size_t)ns * sizeof *s);
  double *k1 = s + ns, *k2 = s + 2 * ns, *k3 = s + 3 * ns, *k4 = s + 4 * ns, *tmp = s + 5 * ns;
  for (int i = 0; i < ns; i++)
    s[i] = s0[i];
  for (int t = 0; t < steps; t++) {
    deriv(s, m, k1, nb, eps2);
    for (int i = 0; i < ns; i++)
      tmp[i] = s[i] + 0.5 * dt * k1[i];
    deriv(tmp, m, k2, nb, eps2);
    for (int i = 0; i < ns; i++)
      tmp[i] = s[i] + 0.5 * dt * k2[i];
    deriv(tmp, m, k3, nb, eps2);
    for (int i = 0; i < ns; i++)
      tmp[i] = s[i] + dt * k3[i];
    deriv(tmp, m, k4, nb, eps2);
    for (int i = 0; i < ns; i++)
      s[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
  }
  double f = 0.0;
  for (int i = 0; i < 3 * nb; i++) {
    double e = s[i] - target[i];
    f += e * e;
  }
  free(s);
  return f;
}

static double *p, *dp, *target; /* p = [q0 | v0 | m] */
static int nb, steps;
static double dt;

static double value(int out) {
  (void)out;
  return nbody_loss(p, p + 6 * nb, target, nb, steps, dt);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return ct_value_with_gradient(nbody_loss, p, g, p + 6 * nb, g + 6 * nb, target, nb, steps,
                                ct_const(dt));
#endif
}

static double *tv; /* the timed direction (forward mode) */
static double tangent(int out, const double *v) {
  (void)out;
#ifdef NO_GRADIENT
  (void)v;
  return 0;
#else
  return ct_derivative(nbody_loss, p, v, p + 6 * nb, v + 6 * nb, target, nb, steps, ct_const(dt));
#endif
}
static BENCH_NOINLINE void run_tangent(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_derivative(nbody_loss, p, tv, p + 6 * nb, tv + 6 * nb, target, nb, steps, ct_const(dt));
#endif
}

static BENCH_NOINLINE void run_primal(void) {
  bench_sink = nbody_loss(p, p + 6 * nb, target, nb, steps, dt);
}
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  memset(dp, 0, 7 * (size_t)nb * sizeof *dp);
  bench_sink = ct_value_with_gradient(nbody_loss, p, dp, p + 6 * nb, dp + 6 * nb, target, nb, steps,
                                      ct_const(dt));
#endif
}

static void bench_setup(int check) {
  nb = check ? 3 : bench_arg_int("N", 3, 6, 6);
  steps = check ? 20 : bench_arg_int("steps", 20, 2000, 10000);
  bench_require(nb >= 2 && steps >= 1, "invalid size: need N >= 2, steps >= 1");
  dt = 1e-3;
  p = bench_alloc(7 * (size_t)nb * sizeof *p);
  dp = bench_alloc(7 * (size_t)nb * sizeof *dp);
  target = bench_alloc(3 * (size_t)nb * sizeof *target);
  tv = bench_alloc((7 * (size_t)nb) * sizeof *tv);
  bench_direction(tv, (int)(7 * (size_t)nb));
  bench_seed(8);
  for (int i = 0; i < 3 * nb; i++) {
    p[i] = bench_range(-1, 1);              /* positions */
    p[3 * nb + i] = bench_range(-0.3, 0.3); /* velocities */
    target[i] = bench_range(-1, 1);
  }
  for (int i = 0; i < nb; i++)
    p[6 * nb + i] = bench_range(0.5, 1.5); /* masses */
  bench.n = 7 * nb;
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = NULL;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = NULL;
  bench.tangent = tangent;
  bench.run_tangent = run_tangent;
  snprintf(bench.size, sizeof bench.size, "N=%d steps=%d", nb, steps);
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(target);
  free(tv);
}

BENCH_MAIN("rk4_nbody")
