/* Callbacks defined in another file than the differentiated code that calls
 * them through pointers (test/e2e/function_pointer_calls.c): one declared
 * differentiable (its exported split gradient is a dispatch target there),
 * one that is not (reaching it through the pointer on the differentiated
 * path stops the program: test/lit/indirect_call_unknown.c). */
#include <cotangent.h>
#include <math.h>

CT_DIFFERENTIABLE void lib_softsign(double x, double *out) { *out = x / (1 + fabs(x)) + 0.5 * x * x; }

void lib_plain(double x, double *out) { *out = 3 * x; }
