/* Forward mode, the operators: ct_derivative and ct_value_with_derivative
 * on functions of scalars (double, float, integers, ct_const), directional
 * derivatives J v checked against analytic derivatives and against central
 * differences along v; a void function writing its outputs through pointers
 * (tangent arrays read for inputs, written for outputs); every tangent also
 * against the reverse-mode gradient (J v = grad . v). */
#include "check.h"

#include <cotangent.h>
#include <math.h>

static double f2(double x, double y) { return x * sin(y) + exp(x / y); }
static float ff(float x, float y) { return x * x * y + sinf(y); }
static double with_int(double x, int k, double y) { return pow(x, k) * y + k * y; }
/* a helper called several times (inlined into the copy) */
static double sq(double t) { return t * t; }
static double norm3(double a, double b, double c) { return sqrt(sq(a) + sq(b) + sq(c)); }
/* outputs through pointers: polar to cartesian, with a side input */
static void polar(double r, double th, const double *scale, double *out) {
  out[0] = scale[0] * r * cos(th);
  out[1] = scale[1] * r * sin(th);
}
/* a result that does not depend on x: tangent 0 */
static double flat(double x, double y) { return y * y + 0.0 * (x > 1 ? 1 : 0); }

int main(void) {
  /* analytic */
  for (double x = 0.5; x < 3; x += 0.7) {
    double y = 1.3;
    double dfdx = sin(y) + exp(x / y) / y, dfdy = x * cos(y) - exp(x / y) * x / (y * y);
    CHECK_AT_D("df/dx", x, ct_derivative(f2, x, 1.0, y, 0.0), dfdx);
    CHECK_AT_D("df/dy", x, ct_derivative(f2, x, 0.0, y, 1.0), dfdy);
    CHECK_AT_D("J v", x, ct_derivative(f2, x, 0.25, y, -2.0), 0.25 * dfdx - 2.0 * dfdy);
    CHECK_AT_D("ct_const y", x, ct_derivative(f2, x, 1.0, ct_const(y)), dfdx);
    double t = -1, v = ct_value_with_derivative(f2, &t, x, 0.25, y, -2.0);
    CHECK_AT_D("value", x, v, f2(x, y));
    CHECK_AT_D("tangent", x, t, 0.25 * dfdx - 2.0 * dfdy);
    /* against the reverse gradient */
    double gx, gy;
    ct_gradient(f2, x, &gx, y, &gy);
    CHECK_AT_D("J v = grad . v", x, ct_derivative(f2, x, 0.25, y, -2.0), 0.25 * gx - 2.0 * gy);
  }
  /* float: tangents are passed as double (variadic) and converted */
  {
    float x = 1.5f, y = 0.75f;
    CHECK_F(ct_derivative(ff, x, 1.0f, y, 0.0f), 2 * x * y);
    CHECK_F(ct_derivative(ff, x, 0.0f, y, 1.0f), x * x + cosf(y));
    double t;
    CHECK_F(ct_value_with_derivative(ff, &t, x, 1.0f, y, 1.0f), ff(x, y));
    CHECK_F(t, 2 * x * y + x * x + cosf(y));
  }
  /* integers pass as they are */
  for (int k = 0; k < 4; ++k) {
    double x = 1.7, y = -0.4;
    double want = (k ? k * pow(x, k - 1) * y : 0.0) * 0.5 + (pow(x, k) + k) * 3.0;
    CHECK_AT_D("with_int", k, ct_derivative(with_int, x, 0.5, k, y, 3.0), want);
  }
  /* central differences along v */
  {
    double a = 0.3, b = -1.2, c = 2.1, va = 1.0, vb = 0.5, vc = -0.25, h = 1e-6;
    double fd = (norm3(a + h * va, b + h * vb, c + h * vc) - norm3(a - h * va, b - h * vb, c - h * vc)) / (2 * h);
    CHECK_TOL(ct_derivative(norm3, a, va, b, vb, c, vc), fd, 1e-8);
    CHECK_D(ct_derivative(norm3, a, va, b, vb, c, vc), (a * va + b * vb + c * vc) / norm3(a, b, c));
  }
  /* a void function: outputs' tangents in the tangent array; the tangent
     array of an output is written, not read (start it with garbage) */
  {
    double r = 2.0, th = 0.6, scale[2] = {1.5, -0.5}, dscale[2] = {0.1, 0.2}, out[2], dout[2] = {123, -456};
    double d = ct_derivative(polar, r, 0.3, th, -1.0, scale, dscale, out, dout);
    CHECK(d == 0.0);
    CHECK_D(out[0], scale[0] * r * cos(th));
    CHECK_D(dout[0], dscale[0] * r * cos(th) + scale[0] * 0.3 * cos(th) + scale[0] * r * sin(th));
    CHECK_D(dout[1], dscale[1] * r * sin(th) + scale[1] * 0.3 * sin(th) - scale[1] * r * cos(th));
    CHECK_D(dscale[0], 0.1); /* an input's tangent array is read only */
  }
  CHECK(ct_derivative(flat, 2.0, 1.0, 3.0, 0.0) == 0.0);
  CHECK_D(ct_derivative(flat, 2.0, 1.0, 3.0, 1.0), 6.0);
  return check_summary("forward_basics");
}
