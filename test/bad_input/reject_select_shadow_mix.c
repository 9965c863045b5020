// README rejected row 3: a pointer that chooses between a duplicated array and
// a constant one (no shadow), then advanced in a loop, is an error where they
// are merged. (A load, store or memcpy right through such a select is split
// into a branch and works: e2e select_const_and_dup.)
// EXPECT: error @pick "mixes memory with and without a shadow"
#include <cotangent.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

static double pick(double *x, const double *w, int n) {
  const double *p = x[0] < 0.5 ? x : w; /*@pick*/
  double s = 0;
  for (int i = 0; i < n; ++i, p += 2)
    s += *p * x[i];
  return s;
}

void use(double *v, double *dv) { __enzyme_autodiff((void *)pick, enzyme_dup, v, dv, enzyme_const, v + 4, 4); }
