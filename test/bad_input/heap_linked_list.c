// A linked list on the heap, built by pushing malloc'd nodes (links set
// through a phi, and with `i > 0 ? head : NULL`, a select), summed, then
// freed node by node: the gradient must be right. Today the gradient is
// garbage (about 1e-309) at every level and the reverse pass reads freed
// nodes (valgrind: invalid read in the gradient).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <stdlib.h>

typedef struct node { double v; struct node *next; } node;

static double phi_list(const double *x, int n) {
  node *head = NULL;
  for (int i = 0; i < n; ++i) {
    node *c = malloc(sizeof *c);
    c->v = x[i] * (i + 1);
    c->next = head;
    head = c;
  }
  double s = 0;
  for (node *p = head; p; p = p->next)
    s += p->v * p->v;
  while (head) {
    node *next = head->next;
    free(head);
    head = next;
  }
  return s;
}

static double select_list(const double *x, int n) {
  node *head = NULL;
  for (int i = 0; i < n; ++i) {
    node *c = malloc(sizeof *c);
    c->v = x[i] * (i + 1);
    c->next = i > 0 ? head : NULL;
    head = c;
  }
  double s = 0;
  for (node *p = head; p; p = p->next)
    s += p->v * p->v;
  while (head) {
    node *next = head->next;
    free(head);
    head = next;
  }
  return s;
}

int main(void) {
  double x[3] = {1, 2, 3};
  double dx[3] = {0}, dy[3] = {0};
  ct_gradient(phi_list, x, dx, 3);
  ct_gradient(select_list, x, dy, 3);
  for (int i = 0; i < 3; ++i) {
    CHECK_D(dx[i], 2 * (i + 1) * (i + 1) * x[i]);
    CHECK_D(dy[i], 2 * (i + 1) * (i + 1) * x[i]);
  }
  return check_summary("heap_linked_list");
}
