// README rejected row 20: Cotangent's attributes on declarations they cannot
// apply to (a variable) are errors at the attribute.
// FLAGS: -std=c2x
// EXPECT: error @var:3 "'differentiable' applies to functions only"
// EXPECT: error @global:16 "'no_derivative' applies to functions, parameters and struct fields only"
#include <cotangent.h>

[[ct::differentiable]] int counter; /*@var*/
__attribute__((no_derivative)) double g; /*@global*/

double f(double x) { return x; }
