/* Every unary and binary row of the derivative rule table in vector forward
 * mode (ct_derivative_n), on LLVM intrinsics: built with -fno-math-errno, so that its libm calls
 * become llvm.sin.f64, llvm.maxnum.f32, ... (the rows' intrinsic names). What it checks: forward_vector_rules.h. */
/* run.sh flags: -fno-math-errno */
#define _GNU_SOURCE /* exp10, roundeven */
#include "forward_vector_rules.h"

int main(void) {
  forward_vector_rules_run();
  return check_summary("forward_vector_rules_intrinsics");
}
