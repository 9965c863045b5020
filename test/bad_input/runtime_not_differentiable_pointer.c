// README run-time error: an operator applied to a function pointer that does
// not point to a CT_DIFFERENTIABLE function stops the program with a message
// naming the operator and the function (never a jump into garbage).
// FLAGS: -rdynamic
// EXPECT: runtime-error "the function 'plain' is not differentiable"
#include <cotangent.h>
#include <stdio.h>

CT_DIFFERENTIABLE double square(double x) { return x * x; }
double plain(double x) { return 3 * x; }

int main(int argc, char **argv) {
  (void)argv;
  double (*fp)(double) = argc > 0 ? plain : square;
  double dx = 0;
  ct_gradient(fp, 2.0, &dx);
  printf("dx = %g\n", dx);
  return 0;
}
