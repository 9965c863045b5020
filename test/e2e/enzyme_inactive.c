/* Enzyme's ways of saying "no derivative here" are honoured (they were
 * ignored: a function's derivative was taken anyway, and a model writing
 * its loss into a diagnostics global did not compile). Checked against
 * analytic derivatives in which the inactive parts are constants:
 *   - __enzyme_inactivefn[] = {f}; __attribute__((enzyme_inactive)) and
 *     annotate("enzyme_inactive") on functions (enzyme_nofree accepted);
 *     the "enzyme_inactive" IR attribute on a function and on one call
 *     (enzyme_inactive_ir.ll)
 *   - __enzyme_inactive_global[] = {&g}, __attribute__((enzyme_inactive))
 *     and annotate("enzyme_inactive" / "enzyme_const") on global
 *     variables that a model writes and reads (a ring buffer of losses, a
 *     running statistic), static registrations included
 *   - a global table passed with enzyme_const */
/* run.sh sources: enzyme_inactive_ir.ll */
#include "check.h"

#include <math.h>

int enzyme_const, enzyme_dup;
extern double __enzyme_autodiff(void *, ...);
double ir_d1(double x);
double ir_d2(double x);

/* ---- inactive functions ---- */
double learning_rate(double x) { return 0.5 + x * x; } /* a schedule: constant to the gradient */
void *__enzyme_inactivefn[] = {(void *)learning_rate};
__attribute__((enzyme_inactive, enzyme_nofree)) double noise_floor(double x) { return 0.1 * x * x * x; }
__attribute__((annotate("enzyme_inactive"))) double damping(double x) { return exp(-x); }

static double step(double x) { return x * learning_rate(x) + sin(x) * noise_floor(x) + x * x * damping(x); }

/* ---- inactive globals, written and read by the model ---- */
double losses[8];
int nlosses;
void *__enzyme_inactive_global[] = {&losses};
double running_max;
static void *__enzyme_inactive_global_max = &running_max; /* static: kept for the pass anyway */
__attribute__((enzyme_inactive)) double last_value;
__attribute__((annotate("enzyme_const"))) double scale_hint = 2.0;

static double tracked(double x, double y) {
  double v = x * x * y + sin(y);
  losses[nlosses++ % 8] = v;
  if (v > running_max)
    running_max = v;
  last_value = v;
  scale_hint = v * 0.5;
  /* read back: constants to the gradient */
  return v + 0.25 * losses[(nlosses + 7) % 8] * x + scale_hint * y - running_max * 0.0;
}

/* ---- a global table passed with enzyme_const ---- */
double table[4] = {1.0, -2.0, 0.5, 3.0};
static double weighted(const double *t, double x) {
  double s = 0;
  for (int i = 0; i < 4; ++i)
    s += t[i] * sin((i + 1) * x);
  return s;
}

int main(void) {
  (void)__enzyme_inactive_global_max;
  for (double x = -1.0; x < 1.6; x += 0.5) {
    double want = learning_rate(x) + cos(x) * noise_floor(x) + 2 * x * damping(x);
    CHECK_AT_D("step", x, __enzyme_autodiff((void *)step, x), want);
    double y = 0.75, v = x * x * y + sin(y);
    /* d/dx: v's 2xy, plus 0.25 * v (the stored loss read back, constant) */
    CHECK_AT_D("tracked", x, __enzyme_autodiff((void *)tracked, x, enzyme_const, y), 2 * x * y + 0.25 * v);
    double wt = 0;
    for (int i = 0; i < 4; ++i)
      wt += table[i] * (i + 1) * cos((i + 1) * x);
    CHECK_AT_D("weighted", x, __enzyme_autodiff((void *)weighted, enzyme_const, table, x), wt);
    CHECK_AT_D("ir: inactive function", x, ir_d1(x), x * x);
    CHECK_AT_D("ir: inactive call", x, ir_d2(x), x * x * x + 3 * x * x);
  }
  CHECK(nlosses > 0 && last_value != 0);
  return check_summary("enzyme_inactive");
}
