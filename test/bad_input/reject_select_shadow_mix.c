// README rejected row 3: a pointer that chooses between a duplicated array and
// a constant one (no shadow) is an error where they are merged.
// EXPECT: error @pick "mixes memory with and without a shadow"
#include <cotangent.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

static double pick(double *x, const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    const double *p = x[i] < 0.5 ? &x[n - 1 - i] : &w[i]; /*@pick*/
    s += *p * x[i];
  }
  return s;
}

void use(double *v, double *dv) { __enzyme_autodiff((void *)pick, enzyme_dup, v, dv, enzyme_const, v + 4, 4); }
