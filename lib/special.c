/* Special functions that derivatives of libm functions need and libm does
 * not have: the digamma function psi = Gamma'/Gamma, the derivative of
 * lgamma (and, times Gamma, of tgamma). Generated gradients call
 * __ct_digamma, __ct_digammaf and __ct_digammal (pass/rules.c). */
#include "runtime.h"

#include <math.h>

/* psi(x) in long double (the double and float versions round its result):
 *  - poles at 0, -1, -2, ...: NaN (the derivative of lgamma is infinite
 *    there, of either sign);
 *  - x < 0: the reflection psi(x) = psi(1 - x) - pi cot(pi x), with the
 *    cotangent taken of x less its nearest integer (accurate near poles);
 *  - the recurrence psi(x) = psi(x + 1) - 1/x up to x >= 20, then the
 *    asymptotic series ln x - 1/(2x) - sum B_2k / (2k x^2k) to x^-16
 *    (its remainder below 1e-21 there). */
static long double digamma(long double x) {
  static const long double PI = 3.141592653589793238462643383279503L;
  if (isnan(x))
    return x;
  if (isinf(x))
    return x > 0 ? x : NAN;
  long double acc = 0;
  if (x <= 0) {
    long double n = roundl(x), f = x - n;
    if (f == 0)
      return NAN;
    acc = -PI / tanl(PI * f);
    x = 1 - x;
  }
  for (; x < 20; x += 1)
    acc -= 1 / x;
  /* B_2k / 2k for k = 1..8: 1/12, -1/120, 1/252, -1/240, 1/132, -691/32760,
     1/12, -3617/8160 */
  static const long double C[] = {1.0L / 12,  -1.0L / 120,    1.0L / 252, -1.0L / 240,
                                  1.0L / 132, -691.0L / 32760, 1.0L / 12,  -3617.0L / 8160};
  long double t = 1 / (x * x), s = 0;
  for (int k = (int)(sizeof C / sizeof C[0]) - 1; k >= 0; --k)
    s = (s + C[k]) * t;
  return acc + logl(x) - 0.5L / x - s;
}

double __ct_digamma(double x) { return (double)digamma(x); }
float __ct_digammaf(float x) { return (float)digamma(x); }
long double __ct_digammal(long double x) { return digamma(x); }
