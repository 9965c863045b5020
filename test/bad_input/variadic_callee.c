// A variadic helper reading doubles with va_arg, called from the
// differentiated function: va_arg is not differentiated, so a clear error at
// the call that says the function is variadic (before: "call to 'sum_sq' has
// no derivative; Cotangent differentiates ... functions whose body is in this
// file", though its body is in this file).
// EXPECT: error @call:46 "variadic functions (va_arg) are not differentiated"
#include <cotangent.h>
#include <stdarg.h>

static double sum_sq(int n, ...) {
  va_list ap;
  va_start(ap, n);
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double v = va_arg(ap, double);
    s += v * v;
  }
  va_end(ap);
  return s;
}

static double f(double x, double y) { return sum_sq(3, x, y, x * y); } /*@call*/

void use(double x, double *dx, double y, double *dy) { ct_gradient(f, x, dx, y, dy); }
