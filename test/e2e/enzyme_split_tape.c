/* Enzyme's split mode with a tape the caller allocates (it was "expected 0
 * argument(s) after the function's arguments"): __enzyme_augmentsize gives
 * the tape's bytes for an activity; __enzyme_augmentfwd(f,
 * enzyme_allocated, size, enzyme_tape, buffer, args...) writes the tape
 * into the buffer and returns f's result; __enzyme_reverse(f,
 * enzyme_allocated, size, enzyme_tape, buffer, args..., [seed]) reads it
 * from there. Also enzyme_tape alone (the tape given before the arguments
 * instead of last) and enzyme_nofree (the reverse keeps the tape: run again
 * with another seed, the last run frees it). Checked against analytic
 * derivatives:
 *   - a time-stepping loop (explicit Euler of a damped oscillator) keeping
 *     one tape per step in a caller-allocated array, reversed step by step
 *   - a function writing its results through a pointer (no seed, the
 *     results enzyme_dupnoneed), buffers on the stack and on the heap
 *   - a reverse run twice from one tape with enzyme_nofree
 *   - a buffer size known at run time and too small: the program stops */
#include "check.h"
#include "child.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const, enzyme_out, enzyme_tape, enzyme_allocated, enzyme_nofree, enzyme_dupnoneed;
size_t __enzyme_augmentsize(void *, ...);
int __enzyme_augmentsize_int(void *, ...);
void __enzyme_augmentfwd(void *, ...);
double __enzyme_augmentfwd_d(void *, ...);
typedef struct {
  void *tape;
  double ret;
} Aug;
Aug __enzyme_augmentfwd_t(void *, ...);
void __enzyme_reverse(void *, ...);
double __enzyme_reverse_d(void *, ...);

/* one step of x'' = -k x - c x' (state s = {x, v}), in place */
static void euler_step(double *s, double k, double c, double h) {
  double x = s[0], v = s[1];
  s[0] = x + h * v;
  s[1] = v + h * (-k * x - c * v);
}

/* u[i] = mu x[i]^2 */
static void square_scaled(double *u, const double *x, double mu, int n) {
  for (int i = 0; i < n; i++)
    u[i] = mu * x[i] * x[i];
}

static double energy(const double *x, double s, int n) {
  double r = 0;
  for (int i = 0; i < n; ++i)
    r += sin(x[i]) * s * x[i];
  return r;
}

/* the trajectory's Jacobian by hand: each step is linear in s */
static void step_matrix(double k, double c, double h, double m[4]) {
  m[0] = 1, m[1] = h, m[2] = -h * k, m[3] = 1 - h * c;
}

static void test_time_stepping(void) {
  enum { STEPS = 25 };
  double k = 2.0, c = 0.3, h = 0.05;
  size_t size = __enzyme_augmentsize((void *)euler_step, enzyme_dup, enzyme_const, enzyme_const, enzyme_const);
  CHECK(size > 0);
  char *tapes = malloc(STEPS * size);
  double s[2] = {1.0, 0.0}, ds[2] = {0, 0};
  for (int t = 0; t < STEPS; ++t)
    __enzyme_augmentfwd((void *)euler_step, enzyme_allocated, size, enzyme_tape, tapes + t * size, s, ds,
                        enzyme_const, k, enzyme_const, c, enzyme_const, h);
  /* d(x_final)/d(s0): seed the final x */
  ds[0] = 1.0, ds[1] = 0.0;
  for (int t = STEPS - 1; t >= 0; --t)
    __enzyme_reverse((void *)euler_step, enzyme_allocated, size, enzyme_tape, tapes + t * size, s, ds, enzyme_const,
                     k, enzyme_const, c, enzyme_const, h);
  free(tapes);
  double m[4], row[2] = {1, 0};
  step_matrix(k, c, h, m);
  for (int t = 0; t < STEPS; ++t) { /* row * M^STEPS */
    double a = row[0] * m[0] + row[1] * m[2], b = row[0] * m[1] + row[1] * m[3];
    row[0] = a, row[1] = b;
  }
  CHECK_D(ds[0], row[0]);
  CHECK_D(ds[1], row[1]);
}

static void test_results_through_pointers(void) {
  double u[3], du[3] = {1, 1, 1}, x[3] = {1, 2, 3}, dx[3] = {0}, mu = 2;
  int size = __enzyme_augmentsize_int((void *)square_scaled, enzyme_dupnoneed, enzyme_dup, enzyme_const, enzyme_const);
  char buffer[64]; /* on the stack */
  CHECK(size <= (int)sizeof buffer);
  __enzyme_augmentfwd((void *)square_scaled, enzyme_allocated, size, enzyme_tape, buffer, enzyme_dupnoneed, u, du,
                      x, dx, enzyme_const, mu, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(u[i], mu * x[i] * x[i]);
  __enzyme_reverse((void *)square_scaled, enzyme_allocated, size, enzyme_tape, buffer, enzyme_dupnoneed, u, du, x,
                   dx, enzyme_const, mu, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 2 * mu * x[i]);
}

static void test_nofree_and_tape_first(void) {
  double x[4] = {0.3, -0.7, 1.1, 0.5}, dx[4] = {0}, s = 1.5;
  size_t size = __enzyme_augmentsize((void *)energy, enzyme_dup, enzyme_out, enzyme_const);
  void *buffer = malloc(size);
  double v = __enzyme_augmentfwd_d((void *)energy, enzyme_allocated, size, enzyme_tape, buffer, x, dx, s, 4);
  CHECK_D(v, energy(x, s, 4));
  /* twice from one tape: seed 1 (kept), then seed 2 (freed) */
  double d1 = __enzyme_reverse_d((void *)energy, enzyme_allocated, size, enzyme_tape, buffer, enzyme_nofree, x, dx,
                                 s, 4, 1.0);
  double d2 = __enzyme_reverse_d((void *)energy, enzyme_allocated, size, enzyme_tape, buffer, x, dx, s, 4, 2.0);
  free(buffer);
  CHECK_D(d1, v / s);
  CHECK_D(d2, 2 * v / s);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 3 * s * (cos(x[i]) * x[i] + sin(x[i])));
  /* the tape returned by the augmented forward, given with enzyme_tape */
  double dy[4] = {0};
  Aug a = __enzyme_augmentfwd_t((void *)energy, x, dy, s, 4);
  double ds = __enzyme_reverse_d((void *)energy, enzyme_tape, a.tape, x, dy, s, 4, 1.0);
  CHECK_D(a.ret, v);
  CHECK_D(ds, v / s);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dy[i], s * (cos(x[i]) * x[i] + sin(x[i])));
}

static void small_buffer(void *arg) {
  size_t size = *(volatile size_t *)arg;
  double x[2] = {1, 2}, dx[2] = {0};
  char buffer[16];
  __enzyme_augmentfwd_d((void *)energy, enzyme_allocated, size, enzyme_tape, buffer, x, dx, 1.0, 2);
}

int main(void) {
  size_t small = 3;
  check_child_stops("a tape buffer smaller than __enzyme_augmentsize", small_buffer, &small,
                    "cotangent: __enzyme_augmentfwd: the tape's buffer (enzyme_allocated) of 'energy' is smaller than "
                    "the 8 bytes __enzyme_augmentsize gives",
                    1);
  test_time_stepping();
  test_results_through_pointers();
  test_nofree_and_tape_first();
  return check_summary("enzyme_split_tape");
}
