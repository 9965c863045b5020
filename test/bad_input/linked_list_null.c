// A linked list on the stack whose links are set with `cond ? &node : NULL`
// (a select between a pointer with a shadow and NULL): NULL is its own
// shadow, as when a phi merges it. Before the fix: a compile error at every
// level, "'select' instruction mixes memory with and without a shadow".
// (heap_linked_list.c: the same on the heap.)
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stddef.h>

typedef struct node { double v; struct node *next; } node;

static double stack_list(const double *x, int n) {
  node ns[8];
  for (int i = 0; i < n; ++i) {
    ns[i].v = x[i] * 2;
    ns[i].next = i + 1 < n ? &ns[i + 1] : NULL;
  }
  double s = 0;
  for (node *p = ns; p; p = p->next)
    s += p->v * p->v;
  return s;
}

int main(void) {
  double x[3] = {1, 2, 3}, dx[3] = {0};
  ct_gradient(stack_list, x, dx, 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 8 * x[i]);
  return check_summary("linked_list_null");
}
