// A memcpy from an extern variable of an incomplete struct type (defined
// in another file, its size unknown here) over differentiable memory: the
// copy overwrites x with constant data, which has no derivative. It must
// compile without a diagnostic: the analysis of what the copied bytes hold
// leaves the incomplete type alone (LLVM's size and offset queries are not
// defined for it; release builds of LLVM happen to answer).
// EXPECT: compile
#include <cotangent.h>
#include <string.h>

struct table;
extern struct table weights;

static double f(double *x, int n) {
  memcpy(x, &weights, sizeof(double) * (size_t)n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i];
  return s;
}

void use(double *x, double *dx, int n) { ct_gradient(f, x, dx, n); }
