/* Every row of the derivative rule table (pass/rules.c) on libm calls:
 * built with -fno-builtin, so that sin, fabsf, fmax, exp10, roundeven, ...
 * stay calls of their libm names at every -O level (the rows' libm names).
 * The table and what it checks: rules_table.h. */
/* run.sh flags: -fno-builtin */
#define _GNU_SOURCE /* exp10, roundeven */
#include "rules_table.h"

int main(void) {
  rules_table_run();
  return check_summary("rules_libm");
}
