/* Every row of the derivative rule table (pass/rules.c) in forward mode,
 * on libm calls: built with -fno-builtin, so that sin, fabsf, fmax, exp10,
 * creal, ... stay calls of their libm names at every -O level. The table
 * and what it checks: forward_rules.h. */
/* run.sh flags: -fno-builtin */
#define _GNU_SOURCE /* exp10, roundeven */
#include "forward_rules.h"

int main(void) {
  forward_rules_run();
  return check_summary("forward_rules_libm");
}
