/* malloc'd scratch memory (shadow allocated and freed), a struct with a
 * pointer field into it, and a printf on the path; analytic. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void*, ...);
typedef struct { int n; double *v; double w; } Node;
double f(const double *x, int n) {
  double *t = malloc((size_t)n * sizeof *t);
  for (int i = 0; i < n; ++i) t[i] = sin(x[i]);
  Node nd = { n, t, 2.0 }; Node *pn = &nd;
  double s = 0; for (int i = 0; i < pn->n; ++i) s += pn->v[i] * pn->v[i] * pn->w;
  printf("%s", "");
  free(t);
  return s;
}
int main() {
  double x[6] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, dx[6] = {0}; int bad = 0;
  __enzyme_autodiff((void*)f, x, dx, 6);
  for (int i = 0; i < 6; ++i) { double w = 4*sin(x[i])*cos(x[i]); if (fabs(dx[i]-w) > 1e-12) { bad++; printf("%d %g %g\n", i, dx[i], w); } }


  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
