/*
 * Cotangent runtime: version and error reporting.
 */
#ifndef COTANGENT_RT_RUNTIME_H
#define COTANGENT_RT_RUNTIME_H

#ifdef __cplusplus
#define CT_RT_NORETURN [[noreturn]]
extern "C" {
#else
#define CT_RT_NORETURN _Noreturn
#endif

/* "0.1.0": lets tools check which runtime they linked against. */
const char *ct_runtime_version(void);

/* Called by generated code (and by the runtime itself) on an unrecoverable
 * error: prints "cotangent: <msg>" on stderr and aborts. */
CT_RT_NORETURN void __ct_runtime_error(const char *msg);

/* Adjoints of memcpy/memmove of double or float data (memory_adjoint.c):
 * dsrc[i] += ddst[i]; ddst[i] = 0 for bytes / sizeof(element) elements. */
#include <stddef.h>
void __ct_copy_adjoint_f64(double *dsrc, double *ddst, size_t bytes);
void __ct_copy_adjoint_f32(float *dsrc, float *ddst, size_t bytes);

#ifdef __cplusplus
}
#endif

#endif /* COTANGENT_RT_RUNTIME_H */
