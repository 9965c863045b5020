// CT_CHECKPOINT_LOOP on a loop that swaps two malloc'd buffers each step:
// the snapshots keep the buffers' bytes, not which pointer points where,
// so the loop is refused at the use of the swapped pointer.
// EXPECT: error @use "its body reads a pointer from memory that the loop changes or that is not a local variable (a swapped buffer"
#include <cotangent.h>
#include <stdlib.h>

static double f(double x) {
  double *a = malloc(4 * sizeof *a), *b = malloc(4 * sizeof *b);
  for (int j = 0; j < 4; j++) a[j] = x * j;
  CT_CHECKPOINT_LOOP(4)
  for (int i = 0; i < 10; i++) {
    for (int j = 0; j < 4; j++)
      b[j] = 0.5 * a[j] + 0.1 * a[(j + 1) % 4];
    double *t = a; /*@use*/
    a = b;
    b = t;
  }
  double r = a[0] + a[3];
  free(a);
  free(b);
  return r;
}

int main(void) {
  double dx = 0;
  ct_gradient(f, 2.0, &dx);
  return 0;
}
