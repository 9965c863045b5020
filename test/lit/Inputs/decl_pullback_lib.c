/* The bodies behind decl_pullback.h, compiled without the plugin. The
 * pullbacks mark their work in `pullback_calls` so the test can tell that
 * they (not a differentiated body) ran. */
int pullback_calls;
double wsum(const double *x, const double *w, long n) {
  double s = 0;
  for (long i = 0; i < n; ++i)
    s += w[i] * x[i] * x[i];
  return s;
}
void wsum_pullback(const double *x, const double *w, long n, double seed, double *dx, double *dw) {
  ++pullback_calls;
  for (long i = 0; i < n; ++i) {
    if (dx)
      dx[i] += seed * 2 * w[i] * x[i];
    if (dw)
      dw[i] += seed * x[i] * x[i];
  }
}
double cube(double x) { return x * x * x; }
void cube_pullback(double x, double seed, double *dx) {
  ++pullback_calls;
  *dx += seed * 3 * x * x;
}
