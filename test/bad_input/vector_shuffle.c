// GCC vector types (vector_size) with __builtin_shufflevector and lane
// reads in the differentiated function: v = (a, b, ab, 1), w = v reversed,
// sum(v * w) = 2a + 2ab^2.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

typedef double v4 __attribute__((vector_size(32)));

static double f(double a, double b) {
  v4 v = {a, b, a * b, 1.0};
  v4 w = __builtin_shufflevector(v, v, 3, 2, 1, 0);
  v4 p = v * w;
  return p[0] + p[1] + p[2] + p[3];
}

int main(void) {
  double da = 0, db = 0, a = 2, b = 3;
  ct_gradient(f, a, &da, b, &db);
  CHECK_D(da, 2 + 2 * b * b);
  CHECK_D(db, 4 * a * b);
  return check_summary("vector_shuffle");
}
