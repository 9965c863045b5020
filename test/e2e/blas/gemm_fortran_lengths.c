/* The Fortran dgemm_ declared with gfortran's hidden string lengths after
 * its arguments (as blas.h / lapack.h declare it): the program of
 * single_fortran.c with that declaration (the same checks: the float
 * routines against double, dgemm_ for each transpose pair against central
 * differences, padded leading dimensions). Was "declared with other
 * parameters than the standard interface". */
#define GEMM_TEST_LENGTHS 1
#include "single_fortran.c"
