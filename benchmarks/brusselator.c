/* An ODE integrator: the 2-D Brusselator reaction-diffusion system on an
 * N x N periodic grid (method of lines), integrated with fixed classical
 * RK4 steps, written the usual way: a right-hand-side function called four
 * times per step, stage buffers k1..k4 reused by every step, neighbours
 * found with wrapped indices:
 *
 *   u' = b + u^2 v - (a + 1) u + alpha L(u)
 *   v' = a u - u^2 v + alpha L(v),   L: the 5-point Laplacian (grid units)
 *
 *   f(u0, v0, a, b, alpha) = 1/2 sum (u(T) - u*)^2 + (v(T) - v*)^2
 *
 * Gradient with respect to the initial state and the three parameters
 * (the adjoint of the whole trajectory). abi=ct (default):
 * ct_value_with_gradient; abi=enzyme: __enzyme_autodiff on a function that
 * writes its value through a pointer. Sizes (N, steps): 4, 5 (check);
 * 32, 100 (quick); 32, 500 (full); dt = 0.01. */
#include "bench.h"

static int wrap(int i, int n) { return i < 0 ? i + n : i >= n ? i - n : i; }

/* y = [u | v], each N x N row-major; p = [a, b, alpha] */
static void brusselator_rhs(const double *y, const double *p, double *dy, int nn) {
  const double *u = y, *v = y + nn * nn;
  double *du = dy, *dv = dy + nn * nn;
  double a = p[0], b = p[1], alpha = p[2];
  for (int i = 0; i < nn; i++)
    for (int j = 0; j < nn; j++) {
      int c = i * nn + j;
      int up = wrap(i - 1, nn) * nn + j, down = wrap(i + 1, nn) * nn + j;
      int left = i * nn + wrap(j - 1, nn), right = i * nn + wrap(j + 1, nn);
      double lu = u[up] + u[down] + u[left] + u[right] - 4.0 * u[c];
      double lv = v[up] + v[down] + v[left] + v[right] - 4.0 * v[c];
      double uuv = u[c] * u[c] * v[c];
      du[c] = b + uuv - (a + 1.0) * u[c] + alpha * lu;
      dv[c] = a * u[c] - uuv + alpha * lv;
    }
}

/* one RK4 step of y in place; k1..k4 and tmp: scratch of size len */
static void rk4_step(double *y, const double *p, double dt, int nn, double *k1, double *k2, double *k3,
                     double *k4, double *tmp) {
  int len = 2 * nn * nn;
  brusselator_rhs(y, p, k1, nn);
  for (int i = 0; i < len; i++)
    tmp[i] = y[i] + 0.5 * dt * k1[i];
  brusselator_rhs(tmp, p, k2, nn);
  for (int i = 0; i < len; i++)
    tmp[i] = y[i] + 0.5 * dt * k2[i];
  brusselator_rhs(tmp, p, k3, nn);
  for (int i = 0; i < len; i++)
    tmp[i] = y[i] + dt * k3[i];
  brusselator_rhs(tmp, p, k4, nn);
  for (int i = 0; i < len; i++)
    y[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
}

static double brusselator_loss(const double *y0, const double *p, const double *target CT_NO_DERIVATIVE,
                               int nn, int steps, double dt) {
  int len = 2 * nn * nn;
  double *y = malloc((size_t)len * sizeof *y);
  double *k1 = malloc((size_t)len * sizeof *k1), *k2 = malloc((size_t)len * sizeof *k2);
  double *k3 = malloc((size_t)len * sizeof *k3), *k4 = malloc((size_t)len * sizeof *k4);
  double *tmp = malloc((size_t)len * sizeof *tmp);
  for (int i = 0; i < len; i++)
    y[i] = y0[i];
  for (int s = 0; s < steps; s++)
    rk4_step(y, p, dt, nn, k1, k2, k3, k4, tmp);
  double f = 0.0;
  for (int i = 0; i < len; i++)
    f += 0.5 * (y[i] - target[i]) * (y[i] - target[i]);
  free(y);
  free(k1);
  free(k2);
  free(k3);
  free(k4);
  free(tmp);
  return f;
}

static void brusselator_loss_out(const double *y0, const double *p, const double *target, int nn, int steps,
                                 double dt, double *out) {
  *out = brusselator_loss(y0, p, target, nn, steps, dt);
}

static double *q, *dq, *target; /* q = [u0 | v0 | a, b, alpha] */
static int nn, steps, len, enzyme;
static const double dt = 0.01;

#ifndef NO_GRADIENT
/* one operator call per function: LLVM would merge two calls in one
   function into a call through a selected pointer */
static BENCH_NOINLINE double grad_ct(double *g) {
  return ct_value_with_gradient(brusselator_loss, q, g, q + len, g + len, target, nn, steps, ct_const(dt));
}
static BENCH_NOINLINE double grad_enzyme(double *g) {
  double out = 0.0, dout = 1.0;
  __enzyme_autodiff((void *)brusselator_loss_out, enzyme_dup, q, g, enzyme_dup, q + len, g + len,
                    enzyme_const, target, enzyme_const, nn, enzyme_const, steps, enzyme_const, dt, enzyme_dup,
                    &out, &dout);
  return out;
}
#endif

static double value(int out) {
  (void)out;
  return brusselator_loss(q, q + len, target, nn, steps, dt);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  return enzyme ? grad_enzyme(g) : grad_ct(g);
#endif
}

static BENCH_NOINLINE void run_primal(void) { bench_sink = brusselator_loss(q, q + len, target, nn, steps, dt); }
static BENCH_NOINLINE void run_gradient(void) {
  memset(dq, 0, (size_t)(len + 3) * sizeof *dq);
  bench_sink = gradient(0, dq);
}

static void bench_setup(int check) {
  enzyme = bench_enzyme_abi();
  nn = check ? 4 : bench_arg_int("N", 4, 32, 32);
  steps = check ? 5 : bench_arg_int("steps", 5, 100, 500);
  bench_require(nn >= 3 && steps >= 1, "invalid size: need N >= 3, steps >= 1");
  len = 2 * nn * nn;
  q = bench_alloc((size_t)(len + 3) * sizeof *q);
  dq = bench_alloc((size_t)(len + 3) * sizeof *dq);
  target = bench_alloc((size_t)len * sizeof *target);
  bench_seed(51);
  /* near the steady state (u, v) = (b, a / b) with a = 3.4, b = 1 */
  for (int i = 0; i < nn * nn; i++) {
    q[i] = 1.0 + bench_range(-0.3, 0.3);
    q[nn * nn + i] = 3.4 + bench_range(-0.3, 0.3);
  }
  q[len] = 3.4;
  q[len + 1] = 1.0;
  q[len + 2] = 0.1;
  for (int i = 0; i < len; i++)
    target[i] = (i < nn * nn ? 1.0 : 3.4) + bench_range(-0.1, 0.1);
  bench.n = len + 3;
  bench.x = q;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  snprintf(bench.size, sizeof bench.size, "N=%d steps=%d%s", nn, steps, enzyme ? " enzyme" : "");
}
static void bench_teardown(void) {
  free(q);
  free(dq);
  free(target);
}

BENCH_MAIN("brusselator")
