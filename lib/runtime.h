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

#ifdef __cplusplus
}
#endif

#endif /* COTANGENT_RT_RUNTIME_H */
