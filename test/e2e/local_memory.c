/* Local memory that LLVM cannot promote (a volatile local, a local array
 * indexed at run time) is differentiated through shadow allocas. */
#include <cotangent.h>
#include <stdio.h>
#include <math.h>
static double volatile_local(double x) { volatile double t = 2.0 * x; return t * t + x; }
static double local_array(double x, int i) { double a[4] = {x, 2.0 * x, x * x, 1.0}; return a[i & 3] * x; }
int main(void) {
  int bad = 0; double dx;
  ct_gradient(volatile_local, 1.5, &dx); if (fabs(dx - 13) > 1e-12) { bad++; printf("vol %g\n", dx); }
  double want[4] = {3, 6, 6.75, 1};
  for (int i = 0; i < 4; ++i) { ct_gradient(local_array, 1.5, &dx, i); if (fabs(dx - want[i]) > 1e-12) { bad++; printf("arr %d %g\n", i, dx); } }
  printf("%s\n", bad ? "FAIL" : "ok"); return bad;
}
