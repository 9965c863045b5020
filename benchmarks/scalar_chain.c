/* Scalar libm chain: a short chain of sin, exp, log and pow on two scalars.
 *
 *   u = sin(x), v = exp(y u), w = log(1 + v + x^2), f = w^y + u w
 *
 * Tests the per-call overhead of a gradient: nothing to keep on a tape. */
#include "bench.h"

static double chain(double x, double y) {
  double u = sin(x);
  double v = exp(y * u);
  double w = log(1.0 + v + x * x);
  return pow(w, y) + u * w;
}

/* the chain rule by hand */
static double chain_hand(double x, double y, double *dx, double *dy) {
  double u = sin(x), du_dx = cos(x);
  double v = exp(y * u);
  double q = 1.0 + v + x * x;
  double w = log(q);
  double r = pow(w, y);
  double f = r + u * w;
  /* reverse sweep */
  double bw = r * y / w + u, bu = w;
  double bq = bw / q;
  double bv = bq, bx = bq * 2.0 * x;
  double by = r * log(w) + bv * v * u;
  bu += bv * v * y;
  bx += bu * du_dx;
  *dx += bx;
  *dy += by;
  return f;
}

static double xy[2];
static double cx, cy;

static double value(int out) {
  (void)out;
  return chain(xy[0], xy[1]);
}
static double gradient(int out, double *g) {
  (void)out;
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  double dx, dy;
  double v = ct_value_with_gradient(chain, xy[0], &dx, xy[1], &dy);
  g[0] += dx;
  g[1] += dy;
  return v;
#endif
}
static double hand(int out, double *g) {
  (void)out;
  return chain_hand(xy[0], xy[1], &g[0], &g[1]);
}

static double tdx, tdy;
static BENCH_NOINLINE void run_primal(void) { bench_sink = chain(cx, cy); }
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  bench_sink = ct_value_with_gradient(chain, cx, &tdx, cy, &tdy);
#endif
}
static BENCH_NOINLINE void run_hand(void) {
  tdx = tdy = 0;
  bench_sink = chain_hand(cx, cy, &tdx, &tdy);
}

static void bench_setup(int check) {
  xy[0] = 0.7;
  xy[1] = 1.3;
  cx = 0.7;
  cy = 1.3;
  bench.n = 2;
  bench.x = xy;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = hand;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = run_hand;
  snprintf(bench.size, sizeof bench.size, "2 scalars");
  (void)check;
}
static void bench_teardown(void) {}

BENCH_MAIN("scalar_chain")
