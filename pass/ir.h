/* IR predicates and small IR helpers shared by every stage of the pass,
 * named for what they answer rather than for the stage that first needed
 * them. ir.c knows nothing of gradients: it depends on LLVM-C (and util.c)
 * only, so any file may call it. */
#ifndef COTANGENT_PASS_IR_H
#define COTANGENT_PASS_IR_H

#include <llvm-c/Core.h>
#include <llvm-c/Target.h>
#include <stddef.h>

/* The object a pointer points into (through GEPs and casts, constant
 * expressions included). */
LLVMValueRef ir_base_object(LLVMValueRef p);
/* Does p point into no object: null, undef, a constant integer made a
 * pointer, or an offset from one (an empty std::vector's end of storage,
 * NULL + n folded to inttoptr (i64 16 to ptr))? Such a pointer is its own
 * shadow. */
int ir_points_nowhere(LLVMValueRef p);
/* v is computed inside its function (an instruction), not a constant, a
 * global or an argument. */
int ir_is_local(LLVMValueRef v);
/* The index of argument v among its function's parameters, or -1 when v is
 * not an argument. */
int ir_param_index(LLVMValueRef v);
/* A direct call of one of `names` (a NULL-terminated list). */
int ir_callee_is(LLVMValueRef call, const char *const *names);
/* A call of a heap allocation function whose result gets a shadow
 * allocation (malloc, calloc, realloc, ...: the table in alloc.c). */
int ir_is_allocation(LLVMValueRef v);
/* Is the object `base` memory the function allocates itself (an alloca,
 * or a call of an allocation function)? */
int ir_is_local_allocation(LLVMValueRef base);
/* May `size_a` bytes at `pa` overlap `size_b` bytes at `pb`? Addresses are
 * told apart by base object (two of the function's allocations, or one and
 * an argument or global, or two globals, are different objects) and by
 * constant offsets modulo the strides of variable indices. */
int ir_may_overlap(LLVMTargetDataRef td, LLVMValueRef pa, unsigned long long size_a, LLVMValueRef pb,
                   unsigned long long size_b);
/* The same question where pointers read from memory are named by where they
 * were read (two loads of model->rel are one object, model->rel and
 * model->base two): for memory without a shadow, whose pointer fields the
 * function sets and reads back. */
int ir_same_slot(LLVMTargetDataRef td, LLVMValueRef pa, unsigned long long size_a, LLVMValueRef pb,
                 unsigned long long size_b);
/* "memcpy", "memmove", "memset" for those intrinsic calls, else NULL. */
const char *ir_mem_intrinsic(LLVMValueRef inst);
/* "load" or "store" for llvm.masked.load/store calls, else NULL. */
const char *ir_masked_intrinsic(LLVMValueRef inst);
/* The call kept beside a run-time dispatch of a call through a pointer,
 * for the pointers no target equals (indirect_calls.c tags it so). */
#define IR_DISPATCH_FALLBACK "ct.indirect.fallback"
int ir_is_dispatch_fallback(LLVMValueRef call);
/* ... and, on a dispatched direct call, that it stays a call (inlining.c). */
#define IR_DISPATCH_KEPT "ct.dispatch.kept"
/* A call of __kmpc_fork_call (an OpenMP parallel region, clang's lowering). */
int ir_is_omp_fork(LLVMValueRef inst);
/* Does a call in `from` reach `target`, directly or through the bodies of
 * the functions it calls in turn? `next` gives the function a call
 * instruction leads to (NULL: not followed; declarations are not). */
int ir_calls_reach(LLVMValueRef from, LLVMValueRef target, LLVMValueRef (*next)(LLVMValueRef inst, void *data),
                   void *data);
/* Does TBAA type a load or store as float, double or long double? */
int ir_tbaa_says_fp(LLVMValueRef inst);
/* The function `name` of mod, declared with type fty when mod has none
 * (*declared, if not NULL, says which: for attributes of a new
 * declaration). */
LLVMValueRef ir_declare_function(LLVMModuleRef mod, const char *name, LLVMTypeRef fty, int *declared);
/* A call at b of the function `name`, declared with type fty when mod has
 * none (the runtime's entry points, libm). */
LLVMValueRef ir_build_call(LLVMBuilderRef b, LLVMModuleRef mod, const char *name, LLVMTypeRef fty, LLVMValueRef *args,
                           unsigned n, const char *result);
/* Copies the attributes of function `from` at index idx to `to`; at the
 * function index all but optnone, noinline and memory (the memory effects
 * of a primal do not hold for code that writes shadows), and ct-checkpoint
 * (the user's function only: checkpoint.c). */
void ir_copy_attributes(LLVMValueRef from, LLVMValueRef to, LLVMAttributeIndex idx);

#endif
