/* CT_TANGENT_ZERO and CT_TANGENT_MOVE (Swift's zeroTangentVector and
 * move(by:)) on structs of parameters: which fields they touch (doubles,
 * floats, long doubles, fixed arrays, nested structs, complex numbers; not
 * integers, pointers or CT_NO_DERIVATIVE fields), exactly; and a perceptron
 * trained by gradient descent over its struct (the loop Swift's tutorial
 * writes), each step equal to the update written out by hand with analytic
 * gradients, and the loss going down. At -O0..-O3 (ASan). */
#include "check.h"

#include <complex.h>
#include <cotangent.h>
#include <math.h>

typedef struct {
  double a;
  float b[3];
} Inner;
typedef struct {
  double w[2];
  double bias;
  int steps;
  CT_NO_DERIVATIVE double lr;
  float scale;
  long double big;
  double _Complex z;
  Inner inner[2];
  double *ptr;
} Model;

/* ---- the perceptron: y = sigmoid(w . x + b), cross-entropy loss ---- */
typedef struct {
  double w[2];
  double bias;
  CT_NO_DERIVATIVE double lr;
} Perceptron;

static const double X[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
static const double Y[4] = {0, 0, 0, 1}; /* AND */

double loss(Perceptron p) {
  double l = 0;
  for (int i = 0; i < 4; ++i) {
    double z = p.w[0] * X[i][0] + p.w[1] * X[i][1] + p.bias;
    l += log1p(exp(z)) - Y[i] * z; /* -log likelihood of a sigmoid */
  }
  return l / 4;
}

int main(void) {
  double other = 7;
  Model m = {{1, 2}, 3, 4, 0.5, 5.0f, 6.0L, 7 + 8 * I, {{9, {10, 11, 12}}, {13, {14, 15, 16}}}, &other};
  Model t = m;
  CT_TANGENT_ZERO(&t);
  CHECK(t.w[0] == 0 && t.w[1] == 0 && t.bias == 0 && t.scale == 0 && t.big == 0 && t.z == 0);
  CHECK(t.inner[0].a == 0 && t.inner[1].b[2] == 0 && t.inner[0].b[0] == 0);
  CHECK(t.steps == 4 && t.lr == 0.5 && t.ptr == &other); /* left alone */
  Model d = m;
  CT_TANGENT_MOVE(&t, &d, 2.0); /* t = 0 + 2 m on the differentiable fields */
  CHECK(t.w[0] == 2 && t.w[1] == 4 && t.bias == 6 && t.scale == 10.0f && t.big == 12.0L);
  CHECK(creal(t.z) == 14 && cimag(t.z) == 16 && t.inner[1].a == 26 && t.inner[1].b[1] == 30.0f);
  CHECK(t.steps == 4 && t.lr == 0.5 && t.ptr == &other);
  double x = 1.5, dx = 0.25;
  CT_TANGENT_MOVE(&x, &dx, -2.0); /* a scalar */
  CHECK_D(x, 1.0);
  double arr[3] = {1, 2, 3}, darr[3] = {1, 1, 1};
  CT_TANGENT_MOVE(&arr, &darr, 0.5);
  CHECK(arr[0] == 1.5 && arr[2] == 3.5);

  /* gradient descent over the perceptron's struct */
  Perceptron p = {{0.1, -0.2}, 0.0, 0.5}, dp;
  double first = loss(p), last = first;
  for (int step = 0; step < 200; ++step) {
    CT_TANGENT_ZERO(&dp);
    dp.lr = 123; /* CT_NO_DERIVATIVE: neither read nor written */
    double l = ct_value_with_gradient(loss, p, &dp);
    CHECK(dp.lr == 123);
    /* the same step by hand */
    double g0 = 0, g1 = 0, gb = 0;
    for (int i = 0; i < 4; ++i) {
      double z = p.w[0] * X[i][0] + p.w[1] * X[i][1] + p.bias, s = 1 / (1 + exp(-z)) - Y[i];
      g0 += s * X[i][0] / 4;
      g1 += s * X[i][1] / 4;
      gb += s / 4;
    }
    Perceptron want = {{p.w[0] - p.lr * g0, p.w[1] - p.lr * g1}, p.bias - p.lr * gb, p.lr};
    CT_TANGENT_MOVE(&p, &dp, -p.lr);
    if (step % 50 == 0) {
      CHECK_TOL(p.w[0], want.w[0], 1e-12);
      CHECK_TOL(p.w[1], want.w[1], 1e-12);
      CHECK_TOL(p.bias, want.bias, 1e-12);
    }
    CHECK(p.lr == 0.5);
    CHECK(l <= last + 1e-15);
    last = l;
  }
  CHECK(last < 0.5 * first);
  return check_summary("tangent_helpers");
}
