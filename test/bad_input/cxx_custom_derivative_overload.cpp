// [[ct::derivative(f)]] in C++ where f is overloaded and no overload has
// a pullback with the pullback's parameters (here: the seed is missing):
// an error at the attribute's argument naming both, not a silently
// ignored attribute (f's symbol is mangled; the pass could not find it).
// EXPECT: error @arg "no overload of 'scale' has a pullback with the parameters of 'scale_pullback'"
#include <cotangent.hpp>

double scale(double x) { return 2 * x; }
float scale(float x) { return 2 * x; }

[[ct::derivative(scale /*@arg*/)]] void scale_pullback(double x, double *dx) { *dx += 2; }

double use(double x) { return scale(x); }
void grad(double x, double *dx) { ct::gradient(use, x, dx); }
