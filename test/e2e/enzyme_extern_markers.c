/* Enzyme's markers declared extern and never defined anywhere (as Enzyme
 * users do): the pass must remove every use of them, so the program links
 * at every optimization level. Also the common spelling with a `void *`
 * function argument and explicit enzyme_out on every active argument. */
#include "check.h"

#include <math.h>

extern int enzyme_out;
extern int enzyme_const;

typedef struct {
  double dx, dz;
} grad_xz;
extern double __enzyme_autodiff(void *, ...);
extern grad_xz __enzyme_autodiff_xz(void *, ...);

static double f(double x, double y, double z) { return x * y + sin(z) * x - z / y; }

int main(void) {
  double x = 0.75, y = 1.5, z = -0.5;
  grad_xz g = __enzyme_autodiff_xz((void *)f, enzyme_out, x, enzyme_const, y, enzyme_out, z);
  CHECK_D(g.dx, y + sin(z));
  CHECK_D(g.dz, cos(z) * x - 1.0 / y);
  CHECK_D(__enzyme_autodiff((void *)f, enzyme_const, x, y, enzyme_const, z), x + z / (y * y));
  return check_summary("enzyme_extern_markers");
}
