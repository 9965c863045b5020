/* C99 _Complex programs (complex_numbers.h) under -ffast-math: complex
 * multiply and divide are inline arithmetic (no helper calls), and LLVM
 * may rewrite cabs as a square root. */
/* run.sh flags: -ffast-math */
#include "complex_numbers.h"

int main(void) { return complex_numbers_run("complex_fast_math"); }
