#include "separate_model.h"
#include <math.h>
double smooth(double x) { return log1p(exp(x)); }
double energy(const double *x, int n, double k) {
  double e = 0;
  for (int i = 0; i + 1 < n; ++i) { double d = x[i + 1] - x[i]; e += 0.5 * k * d * d + smooth(x[i]); }
  return e;
}
double fit(const double *w, const double *data, int n, double scale) {
  double s = 0;
  for (int i = 0; i < n; ++i) s += (w[i] - data[i]) * (w[i] - data[i]);
  return scale * s;
}
