/* 300 differentiable functions, each used through a function pointer known
 * only at run time, in a file that also has 300 constructors of its own:
 * every function must be registered (the registry used to keep 256 and
 * skip the rest, so the gradient of the 257th stopped the program as "not
 * differentiable"; with more than 255 constructors in the file none was
 * registered). f_k(x, y) = (k + 1) x^2 y, checked analytically. */
#include <cotangent.h>

#include "check.h"

#define ONE(h, t, u)                                                                                      \
  CT_DIFFERENTIABLE double f_##h##t##u(double x, double y) { return (h * 100 + t * 10 + u + 1) * x * x * y; } \
  static int ctor_ran_##h##t##u;                                                                          \
  __attribute__((constructor)) static void ctor_##h##t##u(void) { ctor_ran_##h##t##u = 1; }
#define TEN(h, t) ONE(h, t, 0) ONE(h, t, 1) ONE(h, t, 2) ONE(h, t, 3) ONE(h, t, 4) \
                  ONE(h, t, 5) ONE(h, t, 6) ONE(h, t, 7) ONE(h, t, 8) ONE(h, t, 9)
#define HUNDRED(h) TEN(h, 0) TEN(h, 1) TEN(h, 2) TEN(h, 3) TEN(h, 4) \
                   TEN(h, 5) TEN(h, 6) TEN(h, 7) TEN(h, 8) TEN(h, 9)
HUNDRED(0)
HUNDRED(1)
HUNDRED(2)
#undef ONE

typedef double (*binary)(double, double);
#define ONE(h, t, u) f_##h##t##u,
static const binary table[] = {HUNDRED(0) HUNDRED(1) HUNDRED(2)};
#undef ONE
#define ONE(h, t, u) &ctor_ran_##h##t##u,
static const int *const ran[] = {HUNDRED(0) HUNDRED(1) HUNDRED(2)};
#undef ONE

int main(void) {
  enum { N = sizeof table / sizeof table[0] };
  CHECK(N == 300);
  int ctors = 0;
  for (int k = 0; k < N; ++k)
    ctors += *ran[k];
  CHECK(ctors == N);
  for (int k = 0; k < N; ++k) {
    binary volatile fp = table[k]; /* known only at run time */
    double x = 0.5 + 0.001 * k, y = 1.25, dx = 0, dy = 0;
    double v = ct_value_with_gradient(fp, x, &dx, y, &dy);
    CHECK_AT_D("value", k, v, (k + 1) * x * x * y);
    CHECK_AT_D("d/dx", k, dx, 2 * (k + 1) * x * y);
    CHECK_AT_D("d/dy", k, dy, (k + 1) * x * x);
  }
  return check_summary("many_functions");
}
