/* Every unary and binary row of the derivative rule table in vector forward
 * mode (ct_derivative_n), on libm calls: built with -fno-builtin, so that sin, fabsf, fmax, ... stay
 * calls of their libm names at every -O level. What it checks: forward_vector_rules.h. */
/* run.sh flags: -fno-builtin */
#define _GNU_SOURCE /* exp10, roundeven */
#include "forward_vector_rules.h"

int main(void) {
  forward_vector_rules_run();
  return check_summary("forward_vector_rules_libm");
}
