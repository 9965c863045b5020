// A pointer without a shadow (into an argument held constant) stored into a
// heap struct is its own shadow there; a pointer loaded back from the struct
// and passed on where a real shadow is needed (here a memcpy, whose reverse
// adds into the source's shadow) is a compile error at the copy, not
// derivatives added into the constant data.
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

void use(double *x, double *dx, const double *w) {
  __enzyme_autodiff((void *)copy_weights, enzyme_dup, x, dx, enzyme_const, w, 3, 4);
}
