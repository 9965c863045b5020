/* C99 _Complex programs (complex_numbers.h) at the default floating-point
 * options: z * w and z / w call __muldc3/__divdc3 when the inline result is
 * NaN, and cexp, clog, csqrt, cabs are library calls. */
#include "complex_numbers.h"

int main(void) { return complex_numbers_run("complex_numbers"); }
