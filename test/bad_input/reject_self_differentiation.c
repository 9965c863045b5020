// README rejected row 11 / issue 12 item 19: an operator applied to the
// function that contains it (here through a helper it calls) is an error at
// the operator call, not an undefined symbol at link time.
// EXPECT: error @call "cannot differentiate 'f' inside itself"
#include <cotangent.h>

static double f(double x);

static double slope(double x) {
  double d = 0;
  ct_gradient(f, x, &d); /*@call*/
  return d;
}

static double f(double x) { return x * x + (x > 10 ? slope(x - 1) : 0); }

int main(void) {
  double dx = 0;
  ct_gradient(f, 3.0, &dx);
  return dx != 6.0;
}
