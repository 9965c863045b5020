/* The Fortran LAPACK symbols through lapack.h's macros (LAPACK_dpotrf(...)
 * and friends, what a program including <lapack.h> or <lapacke.h> calls):
 * they pass gfortran's hidden string lengths after the arguments, so the
 * calls have other parameters than in lapack_fortran.c, whose program this
 * is (the same checks: reverse mode against central differences, forward
 * mode against differences, column-major, padded leading dimensions). */
#define LAPACK_TEST_LENGTHS 1
#include "lapack_fortran.c"
