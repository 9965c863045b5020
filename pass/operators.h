/* The differential operators inside the pass: operators.c finds their calls
 * and lowers them in order, operators_parse.c reads one call into a
 * ct_op_call (checking it, with the frontend's facts from
 * operators_facts.c), and operators_lower.c emits the code of each kind. */
#ifndef COTANGENT_PASS_OPERATORS_H
#define COTANGENT_PASS_OPERATORS_H

#include "core.h"
#include "operator_names.h"

/* ---- facts the frontend recorded at an operator call (operators_facts.c) ----
 * The attribute frontend makes each operator call whose function it knows
 * call a declaration of its own, <operator>.ct_site.<n>, annotated with the
 * C types of the function's parameters and of the call's arguments and the
 * source location of each argument, which the IR no longer has (opaque
 * pointers, structs split into their fields). */
typedef struct {
  char kind;                /* 'f' floating, 'p' pointer, 'F' function pointer, 's' struct with data, 'c' complex,
                               'r' other struct, 'o'; 'v' a struct with data passed by value to a function that
                               struct_args.c made take a pointer to it */
  unsigned long type, base; /* ids of the C type (a pointer's pointee) and of its array element; 0: void */
  const char *name, *shown; /* the parameter's name (may be ""), that type as C writes it */
} ct_fact_param;
typedef struct {
  char kind;                /* 's' a struct or complex number, else '-' */
  unsigned long long loc;   /* clang's source location of the argument */
  unsigned long type, base; /* ids of the type it points to (arrays: their element) and its element; 0: none */
  const char *shown;        /* its type as written */
} ct_fact_arg;
typedef struct {
  char *text; /* owns the strings below */
  int here;   /* made in this process: the source locations are valid */
  const char *fn;
  ct_fact_param *params;
  ct_fact_arg *args;
  unsigned nparams, nargs;
} ct_facts;

/* Maps each call site's declaration to its facts (a string global). */
void facts_collect(ct_module *m, ct_vmap *facts);
/* Deletes the call sites' declarations and their facts (after lowering:
 * the calls are gone). */
void facts_remove(ct_module *m);
/* Reads the facts of a string global; 0 when there are none. facts_free
 * releases them. */
int facts_read(LLVMValueRef global, ct_facts *out);
void facts_free(ct_facts *f);
/* Which C parameter each of fn's IR parameters belongs to (a struct passed
 * by value may become several), -1 where that cannot be told. */
void facts_map_params(const ct_facts *f, LLVMValueRef fn, int *c_param);
/* The C argument an operand of `call` belongs to, -1 where that cannot be
 * told; `first` operands (an sret pointer) come before C's arguments. */
int facts_arg_of(const ct_facts *f, LLVMValueRef call, unsigned first, unsigned operand);

/* ---- one operator call ---- */
typedef struct {
  LLVMValueRef call;
  LLVMValueRef caller; /* the function containing the call, for diagnostics */
  ct_op_kind kind;
  LLVMValueRef facts;  /* the frontend's facts (a string global), or NULL */
  int facts_repeated;  /* an earlier site has the same facts (an inlined copy): errors said there */
  struct ct_unwind *unwind; /* the call was an invoke: its unwind edge (unwind.h), else NULL */
  char where[160];     /* "file:line:col" of the call ("" when unknown), for errors after it is gone */
} ct_site;

/* The checks with C's types. A struct (with floating-point or pointer
 * data) or a complex number passed by value is not supported (the error is
 * at its argument: the operator's structs are the function's, in order).
 * A shadow (`shadow`) or derivative pointer, C argument `arg` (-1: not
 * known, nothing is checked), must point to the type of C parameter
 * `param`. Each reports its error and returns 0. */
int facts_check_by_value(const ct_site *s, const ct_facts *f);
int facts_check_pointer(const ct_site *s, const ct_facts *f, int param, int arg, int shadow);

/* At PipelineStart (struct_args.c): operator calls of functions taking
 * structs with data by value differentiate a twin taking a pointer to each
 * such struct (the tangent struct pointer that follows is its shadow);
 * returns whether any call was rewritten. */
int struct_args_lower(ct_module *m);

/* An operator call read against the function it differentiates. */
typedef struct {
  const ct_site *site;
  unsigned nargs;
  LLVMValueRef sret;   /* Enzyme: the struct the results go to, or NULL */
  LLVMValueRef fn;     /* the function differentiated (or a pointer, at run time) */
  LLVMValueRef pb_out; /* ct_value_with_pullback: where the pullback goes (ct_value_with_derivative: the tangent) */
  unsigned first;      /* the operand after fn (and pb_out) */
  char fname[256];
  ct_spec spec; /* fn, nparams, act */
  /* operands: each parameter's value, and its shadow or derivative
     pointer (0 when none) */
  unsigned value[CT_MAX_PARAMS], extra[CT_MAX_PARAMS];
  unsigned next; /* the operand after the function's arguments */
  /* Enzyme's split-mode options: the operands after enzyme_allocated and
     enzyme_tape (0 when absent), and enzyme_nofree */
  unsigned tape_size, tape;
  int nofree;
  /* __enzyme_fwddiff: enzyme_primal_return, enzyme_const_return */
  int primal_return, const_return;
  /* vector forward mode (enzyme_width, ct_derivative_n): the number of
     directions (0: one, scalar mode); then a floating-point parameter's
     `extra` is the first of its N tangents, a pointer's the first of its N
     shadows, or (stride[p] != 0: the operand holding the byte stride) the
     block of N shadows stride bytes apart */
  unsigned width;
  unsigned stride[CT_MAX_PARAMS];
  /* ct_pullback / ct_value_with_pullback of a function with no floating-
     point result (results through pointers): its pointers come without
     shadows; ct_pullback_apply gives them (a vector-Jacobian product) */
  int vjp;
} ct_op_call;

typedef enum { PARSE_ERROR, PARSE_OK, PARSE_RUNTIME_POINTER } ct_parse_result;

/* Vector forward mode (operators_vector.c). The number of directions at
 * operand *i (ct_derivative_n's N; after the marker enzyme_width there),
 * a constant from 1 to CT_MAX_WIDTH, before any argument; consumed. */
enum { CT_MAX_WIDTH = 64 };
int operators_parse_width(ct_op_call *c, unsigned *i);
/* Parameter p's operands in vector mode (after its marker; dupv: marked
 * enzyme_dupv): its value and N tangents (floating point), its value and N
 * shadows (a pointer, Enzyme), stride, value, block (enzyme_dupv), value,
 * block, stride (a pointer, ct_derivative_n). Reports and returns 0 when
 * they do not fit. */
int operators_parse_vector_param(ct_op_call *c, unsigned p, LLVMTypeRef pt, int dupv, unsigned *i);
/* The tangent function's arguments for p in vector mode at m->b: its value
 * (already in args[n]) is followed by <N x T> tangents or <N x ptr>
 * shadows built from the operands. */
LLVMValueRef operators_vector_tangent(ct_module *m, const ct_op_call *c, unsigned p, LLVMTypeRef want);
/* What a vector-mode operator call returns, from f's value v and its N
 * tangents d (NULL: a void f); stores ct_derivative_n's tangents. 0 after
 * an error (a result type that cannot hold the N tangents). */
int operators_vector_result(ct_module *m, const ct_op_call *c, LLVMValueRef v, LLVMValueRef d, LLVMValueRef *out);

/* Reads and checks an operator call (errors at the call, or with facts at
 * the argument); the checks happen in the order users meet them. */
ct_parse_result operators_parse(ct_module *m, const ct_site *s, ct_op_call *c);
/* An error at the operator call. */
void operators_error(const ct_site *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The marker an operator argument reads (a load of a marker global). */
ct_marker operators_marker(LLVMValueRef arg);
/* Does `fn` reach `target` through direct calls of functions whose bodies
 * are differentiated (fn == target included)? */
int operators_reaches(ct_module *m, LLVMValueRef fn, LLVMValueRef target);

/* ct_hessian_vector_product and ct_hessian calls become ct_gradient calls
 * of helpers calling ct_derivative (hessian.c), before the sites are
 * collected; returns whether any was rewritten. */
int hessian_rewrite_all(ct_module *m);

/* ct_value_with_differential calls: a record run of f and the apply run
 * the differential calls (differential.c), after the other operators;
 * returns whether any was lowered. */
int differential_lower_all(ct_module *m);

/* Lowering, one function per kind (operators_lower.c); each replaces the
 * call's uses (the caller erases it) and returns 0 after an error. The
 * gradient call made is returned for inlining, where there is one. */
int operators_lower_gradient(ct_module *m, const ct_op_call *c, LLVMValueRef *gradient_call);
int operators_lower_split(ct_module *m, ct_op_call *c);
int operators_lower_pullback(ct_module *m, ct_op_call *c);
/* At m->b: runs the augmented forward of split (spec) on gargs and makes
 * the pullback object (its arguments stored, a thunk rerunning the
 * reverse), returned; *value is f's value (NULL for a void f). vjp: the
 * shadows come with each application (a function returning nothing). */
LLVMValueRef operators_build_pullback(ct_module *m, const ct_spec *spec, const ct_split *split, LLVMValueRef *gargs,
                                      unsigned ng, int vjp, LLVMValueRef *value);
/* Does a vjp pullback's augmented forward leave the shadows alone (it gets
 * none)? */
int operators_vjp_forward_shadowless(const ct_spec *spec, const ct_split *split);
/* Set in the count of pointers a vjp pullback takes (and a ct_pullback_
 * apply call gives when its first one is a pointer, not a seed); the
 * runtime's CT_PULLBACK_VJP. */
#define CT_VJP_FLAG 0x80000000u
int operators_lower_gradient_of(ct_module *m, const ct_op_call *c);
int operators_lower_runtime_pointer(ct_module *m, const ct_op_call *c);
/* __enzyme_augmentsize: the bytes of the tape that __enzyme_augmentfwd
 * writes into a buffer given with enzyme_allocated (a pointer). */
int operators_lower_augmentsize(ct_module *m, const ct_op_call *c);
/* Those bytes. */
unsigned long long operators_tape_bytes(ct_module *m);
/* The `n` results `vals` as the operator call returns them (C's ABI: the
 * natural struct stored, the call's type loaded, or copied into sret);
 * NULL when the call returns nothing. At m->b. */
LLVMValueRef operators_coerce_results(ct_module *m, LLVMValueRef call, LLVMValueRef sret, LLVMValueRef *vals,
                                      unsigned n);
/* Forward mode (tangent_operators.c): ct_derivative, ct_value_with_
 * derivative and __enzyme_fwddiff become a call of the tangent function
 * (returned for inlining). */
int operators_lower_derivative(ct_module *m, const ct_op_call *c, LLVMValueRef *tangent_call);
/* After the operators: ct_pullback_apply calls pass the runtime the number
 * of derivative pointers they give (__ct_pullback_apply_counted); a wrong
 * number is a compile error where the pullback's origin is in view. */
void operators_lower_pullback_applies(ct_module *m);

#endif
