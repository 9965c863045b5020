/* The other file of e2e/separate_accessors.c, compiled separately (no LTO):
 * a matrix library whose accessors, and a stack's push returning the new
 * slot, are declared differentiable. This file exports their split
 * gradients; their augmented forwards return the pointer and its shadow. */
#include <cotangent.h>

typedef struct {
  int nrows, ncols;
  double *data;
} Mat;

typedef struct {
  int n;
  double items[64];
} Stack;

CT_DIFFERENTIABLE double *mat_row(Mat *m, int i) { return m->data + i * m->ncols; }

CT_DIFFERENTIABLE double *mat_at(Mat *m, int i, int j) { return &m->data[i * m->ncols + j]; }

CT_DIFFERENTIABLE double *stack_push(Stack *s, double v) {
  s->items[s->n] = v;
  return &s->items[s->n++];
}
