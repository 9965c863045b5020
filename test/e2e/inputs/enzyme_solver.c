/* The body of a function that test/e2e/enzyme_custom_gradients.c only
 * declares: a cube root by Newton's method (its derivative, registered
 * there, is 1 / (3 cbrt(a)^2), not the derivative of these iterations). */
double cbrt_newton(double a) {
  double x = a > 1 ? a / 3 : 1;
  for (int i = 0; i < 60; ++i)
    x -= (x * x * x - a) / (3 * x * x);
  return x;
}
