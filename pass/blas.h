/* BLAS and LAPACK calls (blas.c): the CBLAS, LAPACKE and Fortran routines
 * whose calls get a derivative from a table, through the custom-derivative
 * machinery (custom.c, custom_memory.c) with runtime adjoints in lib/blas.c
 * and lib/lapack.c. */
#ifndef CT_PASS_BLAS_H
#define CT_PASS_BLAS_H
#include "gen.h"

/* Registers each declared routine of the table used in the module: its
 * pullback and access letters, as for CT_DERIVATIVE_IS and CT_ACCESS.
 * Returns whether anything changed. */
int blas_register(ct_module *m);
/* Is fn a table routine (registered by blas_register)? */
int blas_is(LLVMValueRef fn);
/* Does fn's pullback read array argument k's contents from before the call
 * (an array the call overwrites in place, copied to the tape before it)? */
int blas_reads_old(LLVMValueRef fn, unsigned k);
/* Bytes of array argument k of a table routine's call, computed by the
 * routine's extent function (lib/blas.c) from the arguments as `value`
 * gives them. */
LLVMValueRef blas_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef));
/* Refuses (gen_fail) a table call whose use has no derivative here (an
 * active beta: the adjoint would need C's old contents); returns 0 then. */
int blas_check_call(ct_gen *g, LLVMValueRef call);
/* The runtime's forward derivative of table routine fn (lib/blas.c's and
 * lib/lapack.c's __ct_blas_fwd_<name>: fn's parameters, each floating-point
 * one followed by its tangent and each pointer by its shadow; { result,
 * tangent } for a result), declared on first use; NULL for other fn. */
LLVMValueRef blas_forward_derivative(LLVMValueRef fn);
/* Builds tfn, the vector-mode tangent function of spec (a table routine,
 * spec->width directions: tangents <N x T>, shadows <N x ptr>): the
 * runtime's forward derivative once per direction, the arrays the routine
 * writes kept before and put back after each but the last, so that every
 * direction sees the same inputs. Returns 1. */
int blas_build_lanes(ct_module *m, const ct_spec *spec, LLVMValueRef tfn);
/* For a call of fn with no derivative: a hint when fn is a BLAS or LAPACK
 * routine Cotangent does not differentiate (NULL otherwise). */
const char *blas_unsupported_hint(LLVMValueRef fn);
#endif
