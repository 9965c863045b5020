// _Float16 parameters and result: the derivative is computed and written
// through a _Float16 pointer (values chosen exactly representable).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static _Float16 f(_Float16 x, _Float16 y) { return x * x * y; }

int main(void) {
  _Float16 dx = 0, dy = 0;
  ct_gradient(f, (_Float16)1.5, &dx, (_Float16)2.0, &dy);
  CHECK_D((double)dx, 6.0);
  CHECK_D((double)dy, 2.25);
  return check_summary("type_float16");
}
