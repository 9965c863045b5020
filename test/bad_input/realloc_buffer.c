// A growable buffer of differentiable values (realloc doubling its
// capacity from realloc(NULL, 1)), the shape of any C vector type: the
// gradient must be right (the shadow follows the buffer: a new zeroed
// shadow per realloc, the adjoints of the moved elements added back into
// the old one in the reverse pass). Was "call to 'realloc' has no
// derivative" at every level.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdlib.h>

static double f(const double *x, int n) {
  double *buf = NULL;
  int cap = 0;
  for (int i = 0; i < n; ++i) {
    if (i >= cap) {
      cap = cap ? 2 * cap : 1;
      buf = realloc(buf, cap * sizeof *buf);
    }
    buf[i] = x[i] * x[i];
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += buf[i] * (i + 1);
  free(buf);
  return s;
}

int main(void) {
  double x[5] = {1, 2, 3, 4, 5}, dx[5] = {0};
  ct_gradient(f, x, dx, 5);
  for (int i = 0; i < 5; ++i)
    CHECK_D(dx[i], 2 * (i + 1) * x[i]);
  return check_summary("realloc_buffer");
}
