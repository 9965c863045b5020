// A function that grows its argument's heap block with realloc, given a
// stack array as that block's shadow: the shadow cannot follow the block
// (malloc was asked the stack array's size: a crash). The runtime stops
// with a message naming the cause instead.
// EXPECT: runtime-error "the shadow of the block being reallocated is a stack array"
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdlib.h>

typedef struct {
  double *v;
  int n;
} Vec;

static double grow_and_sum(Vec *a) {
  a->v = realloc(a->v, 2 * a->n * sizeof(double));
  for (int i = a->n; i < 2 * a->n; ++i)
    a->v[i] = 2 * a->v[i - a->n];
  a->n *= 2;
  double s = 0;
  for (int i = 0; i < a->n; ++i)
    s += a->v[i] * a->v[i];
  return s;
}

int main(void) {
  Vec a = {malloc(2 * sizeof(double)), 2}, da = {0};
  a.v[0] = 1.5;
  a.v[1] = -0.5;
  double dstack[2] = {0};
  da.v = dstack;
  da.n = 2;
  ct_gradient(grow_and_sum, &a, &da);
  CHECK_D(dstack[0], 10 * 1.5);
  free(a.v);
  return check_summary("realloc_stack_shadow");
}
