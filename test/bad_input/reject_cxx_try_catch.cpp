// README rejected row: a try/catch inside the differentiated function (the
// gradient follows the normal path only, and a handler changes what the
// function computes): an error at the call the handler guards, at every
// level.
// EXPECT: error @call "it catches C++ exceptions"
#include <cotangent.h>
#include <stdexcept>

__attribute__((noinline)) static double checked_log(double x) {
  if (x <= 0)
    throw std::domain_error("log of a non-positive number");
  return __builtin_log(x);
}

static double f(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    try {
      s += checked_log(x[i]); /*@call*/
    } catch (const std::domain_error &) {
      s += -1e3;
    }
  }
  return s;
}

void use(const double *x, double *dx) { ct_gradient(f, x, dx, 3); }
