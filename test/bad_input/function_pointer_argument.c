// A function pointer parameter of the differentiated function (a higher-
// order integrator given its right-hand side): calls through it are not
// differentiated, and a function pointer has no shadow. A correct tool says
// so at the operator call (or at the indirect call). Today it takes the next
// argument (y0, a double) for the function pointer's shadow and says
// "ct_gradient: the shadow of parameter 1 must be a pointer".
// XFAIL: misleading error: asks for a shadow of the function pointer
// EXPECT: error @call:3 "function pointer"
#include <cotangent.h>
#include <math.h>

CT_DIFFERENTIABLE double field(double t, double y) { return -y * y + sin(t); }

static double euler(double (*rhs)(double, double), double y0, int steps) {
  double y = y0, h = 0.1;
  for (int i = 0; i < steps; ++i)
    y += h * rhs(i * h, y);
  return y;
}

void use(double y0, double *dy0) {
  ct_gradient(euler, field, y0, dy0, 5); /*@call*/
}
