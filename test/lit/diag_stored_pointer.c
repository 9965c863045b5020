// A pointer without a shadow (into an argument held constant) stored into a
// heap struct is its own shadow there; a pointer loaded back from the struct
// and passed on where a real shadow is needed (here a memcpy, whose reverse
// adds into the source's shadow) is a compile error at the copy, not
// derivatives added into the constant data. So is a copy of structs holding
// pointers out of an argument (the pointers' shadows are copied only between
// the function's own allocations).
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O1 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

typedef struct {
  const double *w;
  double *out;
} Layer;

double copy_weights(const double *x, const double *w, int m, int n) {
  Layer *l = malloc(m * sizeof *l);
  for (int k = 0; k < m; k++) {
    l[k].w = w;
    l[k].out = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++)
      l[k].out[i] = x[i] * k;
  }
  double *buf = malloc(n * sizeof(double));
  double s = 0;
  for (int k = 0; k < m; k++) {
    // CHECK: diag_stored_pointer.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'copy_weights': call to 'llvm.memcpy{{.*}}' passes on a pointer whose shadow may be the primal pointer; a pointer without a shadow
    memcpy(buf, l[k].w, n * sizeof(double));
    for (int i = 0; i < n; i++)
      s += buf[i] * l[k].out[i];
  }
  for (int k = 0; k < m; k++)
    free(l[k].out);
  free(l);
  free(buf);
  return s;
}

typedef struct {
  int n;
  double *data;
  double scale;
} Vec;

double local_copies(const Vec *v, int m) {
  Vec *c = malloc(m * sizeof *c);
  // CHECK: diag_stored_pointer.c:[[@LINE+1]]:3: error: cannot differentiate 'local_copies': call to 'llvm.memcpy{{.*}}' copies memory holding pointers into differentiable memory, from or into memory that is not the function's own allocation
  memcpy(c, v, m * sizeof *c);
  double s = 0;
  for (int k = 0; k < m; k++)
    for (int i = 0; i < c[k].n; i++)
      s += c[k].scale * c[k].data[i] * c[k].data[i];
  free(c);
  return s;
}

void use(double *x, double *dx, const double *w, const Vec *v, Vec *dv) {
  __enzyme_autodiff((void *)copy_weights, enzyme_dup, x, dx, enzyme_const, w, 3, 4);
  __enzyme_autodiff((void *)local_copies, enzyme_dup, v, dv, 2);
}
