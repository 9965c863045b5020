/* A pullback declared (CT_DERIVATIVE on a mere declaration) after the
 * definition of its function is used, not the body: quantize (round to a
 * quarter; the body's derivative is 0) gets a straight-through gradient,
 * relu a leaky surrogate gradient (0.1 below zero). The pullbacks' bodies
 * are not in their declarations: quantize's is an alias of a function
 * defined further down, relu's is bound by an asm label to one defined
 * under another name, as a body in another file would be. Analytic checks;
 * the declarations used to be ignored when the function was already
 * defined (test/lit/custom_derivative_late.c: a real second file). */
#include <cotangent.h>
#include <math.h>
#include <stdio.h>

double quantize(double x) { return round(4.0 * x) / 4.0; }
double relu(double x) { return x > 0 ? x : 0.0; }

CT_DERIVATIVE(quantize)
void quantize_pullback(double x, double seed, double *dx);
CT_DERIVATIVE(relu)
void relu_pullback(double x, double seed, double *dx) __asm__("relu_surrogate");

/* a tiny quantized network: sum_i relu(w_i * quantize(x_i)) */
static double net(const double *w, const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += relu(w[i] * quantize(x[i]));
  return s;
}

int main(void) {
  int bad = 0;
  double w[4] = {0.5, -1.5, 2.0, 1.0}, x[4] = {0.3, 0.6, -0.8, 1.1};
  double dw[4] = {0}, dx[4] = {0};
  ct_gradient(net, w, dw, x, dx, 4);
  for (int i = 0; i < 4; ++i) {
    double q = round(4.0 * x[i]) / 4.0, z = w[i] * q, slope = z > 0 ? 1.0 : 0.1;
    double want_dw = slope * q, want_dx = slope * w[i]; /* straight through quantize */
    if (fabs(dw[i] - want_dw) > 1e-15 || fabs(dx[i] - want_dx) > 1e-15) {
      bad++;
      printf("%d: dw %g (want %g), dx %g (want %g)\n", i, dw[i], want_dw, dx[i], want_dx);
    }
  }
  double d = 0;
  ct_gradient(quantize, 0.3, &d);
  if (d != 1.0) { bad++; printf("dquantize = %g, want 1\n", d); }
  d = 0;
  ct_gradient(relu, -2.0, &d);
  if (fabs(d - 0.1) > 1e-15) { bad++; printf("drelu(-2) = %g, want 0.1\n", d); }
  if (quantize(0.3) != 0.25 || relu(-2.0) != 0.0) { bad++; printf("values changed\n"); }
  printf("%s\n", bad ? "FAIL" : "ok");
  return bad;
}

/* the pullbacks' bodies, under other names */
static void straight_through(double x, double seed, double *dx) { (void)x; *dx += seed; }
void quantize_pullback(double x, double seed, double *dx) __attribute__((alias("straight_through")));
void relu_surrogate(double x, double seed, double *dx) { *dx += seed * (x > 0 ? 1.0 : 0.1); }
