// CT_CHECKPOINT_LOOP on loops whose trip count is not known when they
// start: a while loop to convergence with a call in its condition, a for
// loop that can leave early (break), and a do-while loop. Each is counted
// while the gradient's forward pass runs it and run again from one
// snapshot on the binomial schedule (a recomputed <f>.ct_while): the
// gradients equal the analytic derivative and central differences.
// EXPECT: run
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

static double newton_sqrt(double x) {
  double y = 1.0;
  CT_CHECKPOINT_LOOP(4)
  while (fabs(y * y - x) > 1e-12)
    y = 0.5 * (y + x / y);
  return y;
}

static double early(double x) {
  double s = x;
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < 100; i++) {
    s = s + 0.01 * s * s;
    if (s > 10.0)
      break;
  }
  return s;
}

static double until(double x) {
  double s[2] = {x, 0.0};
  int k = 0;
#pragma ct checkpoint(2)
  do {
    s[1] += 0.1 * sin(s[0]);
    s[0] += 0.1 * s[1];
    k++;
  } while (k < 37);
  return s[0] * s[1];
}

int main(void) {
  double ds = 0, de = 0, de2 = 0, du = 0, h = 1e-6;
  ct_gradient(newton_sqrt, 2.0, &ds);
  ct_gradient(early, 0.5, &de);  /* 100 steps */
  ct_gradient(early, 2.0, &de2); /* leaves early */
  ct_gradient(until, 0.7, &du);
  double fe = (early(0.5 + h) - early(0.5 - h)) / (2 * h), fe2 = (early(2.0 + h) - early(2.0 - h)) / (2 * h);
  double fu = (until(0.7 + h) - until(0.7 - h)) / (2 * h);
  if (fabs(ds - 0.5 / sqrt(2.0)) > 1e-9 || fabs(de - fe) > 1e-6 * fabs(fe) || fabs(de2 - fe2) > 1e-6 * fabs(fe2) ||
      fabs(du - fu) > 1e-6 * fabs(fu)) {
    printf("sqrt %.12g vs %.12g, early %.12g vs %.12g, %.12g vs %.12g, do %.12g vs %.12g\n", ds, 0.5 / sqrt(2.0),
           de, fe, de2, fe2, du, fu);
    return 1;
  }
  return 0;
}
