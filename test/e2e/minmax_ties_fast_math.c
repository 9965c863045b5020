/* Ties of max and min (minmax_ties.h) under -ffast-math, where LLVM would
 * turn the select idioms into llvm.maxnum/minnum (losing which operand the
 * source gives a tie) and fmax/fmin calls into those intrinsics: the
 * gradients must be the same as without -ffast-math. */
/* run.sh flags: -ffast-math */
#include "minmax_ties.h"

int main(void) { return minmax_ties_run("minmax_ties_fast_math"); }
