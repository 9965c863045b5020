/* release.c: each reverse function R gets a twin "R.release" that walks
 * R's tape and frees what R would free with keep = false, without touching
 * any shadow (ct_pullback_free calls it). See release.c for why. */
#ifndef COTANGENT_PASS_RELEASE_H
#define COTANGENT_PASS_RELEASE_H

#include "core.h"

/* Marks `call` as a call of a reverse function (its callee, or a reverse
 * function among its arguments: the OpenMP fork), so R's twin calls the
 * callee's twin instead. Every emitter of such a call marks it. */
void release_mark_reverse_call(ct_module *m, LLVMValueRef call);
/* The twin of reverse function `reverse_fn`, declared when absent (a
 * reverse function of another file has its twin there, same name +
 * ".release"). */
LLVMValueRef release_of(ct_module *m, LLVMValueRef reverse_fn);
/* Builds the twin's body from the just-generated `reverse_fn`, whose
 * parameter `keep_param` says whether to keep the tape. Call it before the
 * tape's fast paths are inlined into reverse_fn. */
void release_make(ct_module *m, LLVMValueRef reverse_fn, unsigned keep_param);
/* Deletes the twins nothing calls (most gradients are never pullbacks). */
void release_drop_unused(ct_module *m);

#endif
