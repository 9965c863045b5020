// Several differentiable(wrt) configurations on one function: an operator
// call whose arguments fit none of them, or several with none preferred
// (forward mode's tangents are values like the arguments), is an error at
// the call saying how to pick one. A function of another file exports each
// configuration: a call giving derivatives to parameters that no
// configuration holds together is an error at the call; its tangent (forward
// mode) is exported for the first configuration only, and a tangent for a
// parameter outside it is an error at the call.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not=error:
#include <cotangent.h>
#include <math.h>

double f(double x, double y, double z) CT_DIFFERENTIABLE_WRT(x) CT_DIFFERENTIABLE_WRT(y);
double f(double x, double y, double z) { return x * y * z + sin(y); }

double use(double x, double y, double z) {
  double dx = 0, dz = 0;
  ct_gradient(f, x, &dx, y, z); /* fine: wrt x */
  // CHECK: diag_differentiable_configurations.c:[[@LINE+1]]:3: error: ct_gradient: the arguments fit none of the 2 differentiable configurations of 'f' (its differentiable(wrt) attributes): follow exactly the parameters of one wrt list with their derivative pointers, shadows or tangents, and pass the others as they are or in ct_const
  ct_gradient(f, x, y, z, &dz);
  // CHECK: diag_differentiable_configurations.c:[[@LINE+1]]:10: error: ct_derivative: the arguments fit 2 of the differentiable configurations of 'f' (its differentiable(wrt) attributes); say which: pass the parameters outside the wanted wrt list in ct_const
  return ct_derivative(f, x, 1.0, y, z) + dx + dz;
}

double h(double x, double y) CT_DIFFERENTIABLE_WRT(x) CT_DIFFERENTIABLE_WRT(y); /* another file's */
double through_x(double a, double b) { return h(a, b) * a; }
double through_y(double a, double b) { return h(a, b) * a; } /* fine: h wrt y */
double through_both(double a, double b) {
  // CHECK: diag_differentiable_configurations.c:[[@LINE+1]]:10: error: cannot differentiate 'through_both': call to 'h' passes values with a derivative to parameters that no differentiable configuration of this function of another file holds together
  return h(a, b) * a;
}
double forward_y(double a, double b) {
  // CHECK: diag_differentiable_configurations.c:[[@LINE+1]]:10: error: cannot differentiate 'forward_y': call to 'h' passes a tangent to a parameter outside the first differentiable configuration of this function of another file
  return h(a, b) + b;
}
double other_file(double a, double b) {
  double da = 0, db = 0;
  ct_gradient(through_x, a, &da, ct_const(b)); /* fine: h wrt x */
  ct_gradient(through_y, ct_const(a), b, &db);
  ct_gradient(through_both, a, &da, b, &db);
  double t = ct_derivative(through_x, a, 1.0, ct_const(b)); /* fine: h's tangent wrt x */
  return da + db + t + ct_derivative(forward_y, a, 0.0, b, 1.0);
}
