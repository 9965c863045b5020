// ct_pullback and ct_gradient_of on a function pointer known only at run
// time that points to a function not declared CT_DIFFERENTIABLE (-rdynamic:
// the message has its name): the
// program stops with a message naming the operator and the function.
// FLAGS: -rdynamic
// EXPECT: runtime-error "cotangent: ct_pullback: the function 'plain' is not differentiable (declare it CT_DIFFERENTIABLE"
#include <cotangent.h>
#include <stdio.h>

double plain(double x, double y) { return x * y; }

int main(int argc, char **argv) {
  (void)argv;
  double (*f)(double, double) = argc > 7 ? NULL : plain;
  ct_pullback_t pb = ct_pullback(f, 1.0, 2.0);
  double dx, dy;
  ct_pullback_apply(pb, 1.0, &dx, &dy);
  printf("applied?! %g %g\n", dx, dy);
  ct_pullback_free(pb);
  return 0;
}
