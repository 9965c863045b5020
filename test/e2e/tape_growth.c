/* Long loops whose trip count is only known at run time (read through a
 * volatile), so every iteration's values go to the runtime tape and it has
 * to grow many times:
 *   x_{k+1} = x_k + h sin(x_k) p                       (2,000,000 steps)
 *   a branchy recurrence (a data-dependent if per step, recorded on the tape)
 *   a recurrence storing every iterate into a caller buffer
 * d/dp and d/dx0 vs fourth-order central differences, at the full step
 * count and at a small one. */
#include "check.h"

#include <stdlib.h>

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
typedef struct {
  double dx0, dp;
} D2;
extern D2 __enzyme_autodiff(void *, ...);
extern D2 __enzyme_autodiff_branchy(void *, ...);
extern D2 __enzyme_autodiff_store(void *, ...);

static volatile long big_steps = 2000000;
static volatile long small_steps = 37;

static double recurrence(double x0, double p, long steps, double h) {
  double x = x0;
  for (long k = 0; k < steps; ++k)
    x = x + h * sin(x) * p;
  return x;
}

/* data-dependent branch on x with a right-hand side that is continuous at
 * the switch (so the final state is continuous in x0 and p and finite
 * differences make sense), plus a branch on the counter */
#define SWITCH_AT 1.0
static double branchy(double x0, double p, long steps, double h) {
  const double s_at = sin(SWITCH_AT);
  double x = x0, acc = 0.0;
  for (long k = 0; k < steps; ++k) {
    if (x < SWITCH_AT)
      x += h * p * sin(x);
    else
      x += h * p * (s_at + 0.3 * (x - SWITCH_AT));
    if (k % 3 == 0)
      acc += h * x * x;
    else
      acc += h * cos(x * p);
  }
  return acc + x;
}

static double store_all(double x0, double p, double *traj, long steps, double h) {
  double x = x0;
  for (long k = 0; k < steps; ++k) {
    x = x + h * sin(x) * p;
    traj[k] = x;
  }
  double f = 0.0;
  for (long k = 0; k < steps; k += 1000)
    f += traj[k];
  return f + traj[steps - 1];
}

typedef double (*fn4)(double, double, long, double);

static double fd(fn4 f, double x0, double p, long steps, double h, int which) {
  double q[2] = {x0, p};
  double e = 1e-3 * fmax(1.0, fabs(q[which]));
  const double off[4] = {-2.0, -1.0, 1.0, 2.0};
  double v[4];
  for (int k = 0; k < 4; ++k) {
    double r[2] = {x0, p};
    r[which] += off[k] * e;
    v[k] = f(r[0], r[1], steps, h);
  }
  return (v[0] - 8.0 * v[1] + 8.0 * v[2] - v[3]) / (12.0 * e);
}

static double *traj_buf;
static double store_eval(double x0, double p, long steps, double h) {
  return store_all(x0, p, traj_buf, steps, h);
}

int main(void) {
  const double x0 = 0.7, p = 0.9;
  long nb = big_steps, ns = small_steps;

  double hb = 1e-6, hs = 0.05;
  D2 d = __enzyme_autodiff((void *)recurrence, x0, p, nb, enzyme_const, hb);
  check_point(__FILE__, __LINE__, "recurrence d/dx0", nb, d.dx0, fd(recurrence, x0, p, nb, hb, 0), 1e-6);
  check_point(__FILE__, __LINE__, "recurrence d/dp", nb, d.dp, fd(recurrence, x0, p, nb, hb, 1), 1e-6);
  d = __enzyme_autodiff((void *)recurrence, x0, p, ns, enzyme_const, hs);
  check_point(__FILE__, __LINE__, "recurrence d/dx0", ns, d.dx0, fd(recurrence, x0, p, ns, hs, 0), 1e-7);
  check_point(__FILE__, __LINE__, "recurrence d/dp", ns, d.dp, fd(recurrence, x0, p, ns, hs, 1), 1e-7);

  /* x crosses SWITCH_AT about halfway (dx/dt >= p sin(x0) > 0.5, t = 1);
   * where the switch happens moves with x0 and p, which puts O(h) kinks into
   * the final value, hence 1e-5 */
  d = __enzyme_autodiff_branchy((void *)branchy, x0, p, nb / 4, enzyme_const, 2e-6);
  check_point(__FILE__, __LINE__, "branchy d/dx0", nb / 4, d.dx0, fd(branchy, x0, p, nb / 4, 2e-6, 0), 1e-5);
  check_point(__FILE__, __LINE__, "branchy d/dp", nb / 4, d.dp, fd(branchy, x0, p, nb / 4, 2e-6, 1), 1e-5);
  d = __enzyme_autodiff_branchy((void *)branchy, x0, p, ns, enzyme_const, hs);
  check_point(__FILE__, __LINE__, "branchy d/dx0", ns, d.dx0, fd(branchy, x0, p, ns, hs, 0), 1e-7);
  check_point(__FILE__, __LINE__, "branchy d/dp", ns, d.dp, fd(branchy, x0, p, ns, hs, 1), 1e-7);

  long nt = nb / 2;
  traj_buf = malloc(sizeof(double) * (size_t)nt);
  double *dtraj = calloc((size_t)nt, sizeof(double));
  if (!traj_buf || !dtraj)
    return 2;
  d = __enzyme_autodiff_store((void *)store_all, x0, p, traj_buf, dtraj, nt, enzyme_const, hb);
  check_point(__FILE__, __LINE__, "store d/dx0", nt, d.dx0, fd(store_eval, x0, p, nt, hb, 0), 1e-6);
  check_point(__FILE__, __LINE__, "store d/dp", nt, d.dp, fd(store_eval, x0, p, nt, hb, 1), 1e-6);
  int nonzero = 0;
  for (long k = 0; k < nt; ++k)
    nonzero += dtraj[k] != 0.0;
  CHECK(nonzero == 0); /* stores consume the shadow */
  free(traj_buf);
  free(dtraj);
  return check_summary("tape_growth");
}
