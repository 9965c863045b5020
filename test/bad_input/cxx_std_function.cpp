// A right-hand side held in a std::function inside the differentiated
// function (an RK4 step over a lambda capturing the parameters): the
// call goes through std::function's stored invoker, a function pointer
// that the optimizer does not fold at any level (its manager, also called
// through a pointer, copies and destroys the functor). A correct tool
// differentiates it (the targets are the lambda's invoker and manager,
// both in this file). Failed before with "'phi' instruction merges
// pointers with and without a shadow" (the invoker's address met in a phi
// with the one loaded back from the object); test/e2e/cxx/std_function.cpp
// has more shapes.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <cmath>
#include <functional>

static double decay(double k, double y0) {
  std::function<double(double)> rhs = [k](double y) { return -k * y; };
  double y = y0, h = 0.1;
  for (int s = 0; s < 5; ++s) {
    double k1 = rhs(y), k2 = rhs(y + 0.5 * h * k1), k3 = rhs(y + 0.5 * h * k2), k4 = rhs(y + h * k3);
    y += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return y;
}

int main() {
  double dk = 0, dy0 = 0;
  ct_gradient(decay, 0.7, &dk, 2.0, &dy0);
  /* RK4 on y' = -k y: y5 = y0 q^5, q = 1 - z + z^2/2 - z^3/6 + z^4/24, z = k h */
  double h = 0.1, z = 0.7 * h, q = 1 - z + z * z / 2 - z * z * z / 6 + z * z * z * z / 24;
  double dq = (-1 + z - z * z / 2 + z * z * z / 6) * h;
  CHECK_D(dy0, std::pow(q, 5));
  CHECK_D(dk, 2.0 * 5 * std::pow(q, 4) * dq);
  return check_summary("cxx_std_function");
}
