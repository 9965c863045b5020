// long double _Complex library functions (cexpl, cabsl, ...) take their
// argument in memory (byval) on x86-64, which the rule table's complex
// rows do not read: rejected at the call, not differentiated wrongly. The
// multiply's helper __mulxc3 (scalar arguments) is differentiated.
// EXPECT: error @call "call to 'cexpl' has no derivative"
#include <complex.h>
#include <cotangent.h>

static long double f(long double a, long double b) {
  long double _Complex z = a + b * I;
  long double _Complex w = cexpl(z) * z; /*@call*/
  return creall(w) + cimagl(w);
}

void use(long double a, long double b, long double *da, long double *db) { ct_gradient(f, a, da, b, db); }
