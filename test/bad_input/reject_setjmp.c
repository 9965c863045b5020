// README rejected row 8 / issue 12 item 14: setjmp in a differentiated
// function (wrong at -O0 before) is an error at the call at every level.
// EXPECT: error @sj "may return twice (setjmp/longjmp)"
#include <cotangent.h>
#include <setjmp.h>

static jmp_buf env;
static int rounds;

static void again(void) {
  if (++rounds < 3)
    longjmp(env, 1);
}

static double f(double x) {
  volatile double acc = 1;
  setjmp(env); /*@sj*/
  acc = acc * x;
  again();
  return acc;
}

void use(double x, double *dx) { ct_gradient(f, x, dx); }
