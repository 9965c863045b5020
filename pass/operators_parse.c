/* Reading one operator call (operators.h): where its function, its
 * arguments and their shadows or derivative pointers are, and whether the
 * call is well formed. The checks run in the order users meet the rules
 * (the call's shape, the function, each argument, what follows them); with
 * the frontend's facts (operators_facts.c) the argument types are checked
 * with C's types too, each error at its argument.
 *
 * The layout of the arguments: after the function (and ct_value_with_
 * pullback's &pb), each parameter's value, optionally preceded by a marker
 * (enzyme_out/const/dup/dupnoneed, or __ct_const_marker in Cotangent's
 * API) and followed by its shadow (a duplicated pointer) or, in
 * ct_gradient and ct_value_with_gradient, by the pointer receiving its
 * derivative (an active floating-point value). Activity without a marker:
 * floating point active, pointers duplicated, the rest constant, except
 * parameters marked no_derivative or left out of a wrt list. */
#include "operators.h"

#include <llvm-c/Target.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void operators_error(const ct_site *s, const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  diag_report(s->caller, s->call, CT_SEV_ERROR, "%s", msg);
}

ct_marker operators_marker(LLVMValueRef arg) {
  LLVMValueRef g = LLVMIsALoadInst(arg) ? LLVMGetOperand(arg, 0) : NULL;
  if (!g || !LLVMIsAGlobalVariable(g))
    return MARK_NONE;
  size_t len = 0;
  const char *name = LLVMGetValueName2(g, &len);
  return marker_of_name(name, len);
}

/* A function with a custom derivative, or a differentiable function of
 * another file, is differentiated through a wrapper that calls it, so the
 * generator sees one call and uses the pullback or the exported gradient. */
static LLVMValueRef call_wrapper(ct_module *m, LLVMValueRef fn) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  char *wname = util_format("%.*s.ct_call", (int)len, name);
  LLVMValueRef w = LLVMGetNamedFunction(m->mod, wname);
  if (w) {
    free(wname);
    return w;
  }
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  w = LLVMAddFunction(m->mod, wname, fty);
  free(wname);
  LLVMSetLinkage(w, LLVMInternalLinkage);
  LLVMAttributeRef nd = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "ct-no-derivative-params", 23);
  if (nd) /* the operator's argument layout follows it */
    LLVMAddAttributeAtIndex(w, LLVMAttributeFunctionIndex, nd);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
  unsigned n = LLVMCountParams(w);
  LLVMValueRef args[CT_MAX_PARAMS];
  for (unsigned i = 0; i < n && i < CT_MAX_PARAMS; ++i)
    args[i] = LLVMGetParam(w, i);
  LLVMValueRef r = LLVMBuildCall2(b, fty, fn, args, n < CT_MAX_PARAMS ? n : CT_MAX_PARAMS, "");
  if (LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMVoidTypeKind)
    LLVMBuildRetVoid(b);
  else
    LLVMBuildRet(b, r);
  LLVMDisposeBuilder(b);
  return w;
}

/* The call's shape: [sret], the function, [&pb]. */
static int parse_head(ct_op_call *c) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  unsigned i = 0;
  c->nargs = (unsigned)LLVMGetNumArgOperands(s->call);
  if (operator_is_enzyme(s->kind) && c->nargs > 0 &&
      LLVMGetCallSiteEnumAttribute(s->call, 1, LLVMGetEnumAttributeKindForName("sret", 4)))
    c->sret = LLVMGetOperand(s->call, i++);
  if (i >= c->nargs) {
    operators_error(s, "%s: missing the function to differentiate", op);
    return 0;
  }
  c->fn = LLVMGetOperand(s->call, i++);
  if (s->kind == OP_CT_VALUE_WITH_PULLBACK || s->kind == OP_CT_VALUE_WITH_DERIVATIVE ||
      s->kind == OP_CT_DERIVATIVE_N) {
    if (i >= c->nargs || LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(s->call, i))) != LLVMPointerTypeKind) {
      operators_error(s, "%s: the second argument must point to where the %s goes (%s)", op,
                      s->kind == OP_CT_VALUE_WITH_PULLBACK ? "pullback" : "derivative",
                      s->kind == OP_CT_VALUE_WITH_PULLBACK ? "&pb" : "a double *");
      return 0;
    }
    c->pb_out = LLVMGetOperand(s->call, i++);
  }
  if (s->kind == OP_CT_DERIVATIVE_N && !operators_parse_width(c, &i))
    return 0;
  c->first = i;
  return 1;
}

/* Do the call's operands fit configuration `declared` of several (an
 * operand per constant parameter, a value and its derivative pointer,
 * shadow or tangent per other one; markers say it)? *exact: every
 * floating-point or pointer parameter without a marker is in its wrt list. */
static int fits_config(const ct_op_call *c, LLVMValueRef fn, const ct_spec *declared, int *exact) {
  const ct_site *s = c->site;
  int pullback = s->kind == OP_CT_PULLBACK || s->kind == OP_CT_VALUE_WITH_PULLBACK;
  int forward = operator_is_forward(s->kind);
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  unsigned np = LLVMCountParamTypes(fty), i = c->first;
  LLVMTypeRef pt[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, pt);
  *exact = 1;
  for (unsigned p = 0; p < np; ++p) {
    if (i >= c->nargs)
      return 0;
    int is_fp = type_is_fp(pt[p]), is_ptr = LLVMGetTypeKind(pt[p]) == LLVMPointerTypeKind;
    LLVMValueRef a = LLVMGetOperand(s->call, i);
    ct_marker mk = operators_marker(a);
    int in_config = declared->act[p] != ACT_CONST;
    if (mk != MARK_NONE) { /* the marker decides; an active one must be in the configuration */
      ++i;
      if (mk != MARK_CT_CONST && mk != MARK_CONST && !in_config)
        return 0;
      i += mk == MARK_DUP || mk == MARK_DUPNONEED ? 2 : 1;
      continue;
    }
    if ((is_fp || is_ptr) && !in_config && !LLVMIsAFunction(a))
      *exact = 0;
    LLVMTypeRef at = LLVMTypeOf(a);
    int a_fp = type_is_fp(at), a_ptr = LLVMGetTypeKind(at) == LLVMPointerTypeKind;
    if ((is_fp && !a_fp) || (is_ptr && !a_ptr))
      return 0;
    ++i;
    if (!in_config || LLVMIsAFunction(a) || (pullback && is_fp))
      continue; /* nothing follows it */
    if (i >= c->nargs)
      return 0;
    LLVMTypeRef dt = LLVMTypeOf(LLVMGetOperand(s->call, i++));
    if (forward && is_fp ? !type_is_fp(dt) : LLVMGetTypeKind(dt) != LLVMPointerTypeKind)
      return 0;
  }
  return i == c->nargs || s->kind == OP_ENZYME_AUGMENT || s->kind == OP_ENZYME_REVERSE;
}

/* Several `differentiable(wrt)` attributes on fn: the configuration this
 * call's operands fit, preferring one whose wrt list holds exactly the
 * parameters without ct_const; an error when none fits. */
static int pick_config(ct_module *m, const ct_op_call *c, LLVMValueRef fn, ct_spec *declared) {
  unsigned n = contract_config_count(m, fn);
  int found = 0;
  for (unsigned k = 0; k < n; ++k) {
    ct_spec spec;
    int exact = 0;
    if (!contract_config_spec(m, fn, k, &spec) || !fits_config(c, fn, &spec, &exact))
      continue;
    if (exact) {
      *declared = spec;
      return 1;
    }
    if (!found)
      *declared = spec;
    ++found;
  }
  if (found > 1) {
    operators_error(c->site, "%s: the arguments fit %d of the differentiable configurations of '%s' (its "
                             "differentiable(wrt) attributes); say which: pass the parameters outside the wanted "
                             "wrt list in ct_const", operator_name(c->site->kind), found, c->fname);
    return 0;
  }
  if (!found)
    operators_error(c->site, "%s: the arguments fit none of the %u differentiable configurations of '%s' (its "
                             "differentiable(wrt) attributes): follow exactly the parameters of one wrt list with "
                             "their derivative pointers, shadows or tangents, and pass the others as they are or in "
                             "ct_const", operator_name(c->site->kind), n, c->fname);
  return found;
}

/* The function: not too many parameters, not containing this call, a body
 * here (or a wrapper calling its pullback or another file's gradient), not
 * variadic. ct_gradient_of takes nothing else. */
static int parse_function(ct_module *m, ct_op_call *c, ct_spec *declared, int *has_declared) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind), *name = c->fname;
  LLVMValueRef fn = c->fn;
  diag_function_name(fn, c->fname, sizeof c->fname);
  if (LLVMCountParams(fn) > CT_MAX_PARAMS) {
    operators_error(s, "cannot differentiate '%s': it has %u parameters, more than the %u Cotangent differentiates",
                    name, LLVMCountParams(fn), CT_MAX_PARAMS);
    return 0;
  }
  if (!LLVMIsDeclaration(fn) && !custom_derivative_of(m, fn) && operators_reaches(m, fn, s->caller)) {
    operators_error(s, "%s: cannot differentiate '%s' inside itself: this call is part of '%s' (in its body or in "
                       "a function it calls); call the operator from a function that '%s' does not call",
                    op, name, name, name);
    return 0;
  }
  *has_declared = contract_canonical_spec(m, fn, declared); /* a wrt list narrows the default activity */
  if (*has_declared && s->kind != OP_CT_GRADIENT_OF && contract_config_count(m, fn) > 1 &&
      !pick_config(m, c, fn, declared))
    return 0;
  if (custom_derivative_of(m, fn) || (LLVMIsDeclaration(fn) && *has_declared))
    c->fn = fn = call_wrapper(m, fn); /* its calls use the pullback, or the other file's gradient */
  if (s->kind == OP_CT_GRADIENT_OF) {
    if (c->first != c->nargs) {
      operators_error(s, "%s takes just the function", op);
      return 0;
    }
    if (LLVMIsDeclaration(fn)) {
      operators_error(s, "cannot differentiate '%s': its body is not in this translation unit (define it here, or "
                         "declare it CT_DIFFERENTIABLE where it is defined)", name);
      return 0;
    }
    return 1;
  }
  if (LLVMIsDeclaration(fn)) {
    operators_error(s, "cannot differentiate '%s': its body is not in this translation unit (define it in this "
                       "file, or compile with LTO)", name);
    return 0;
  }
  if (LLVMIsFunctionVarArg(LLVMGlobalGetValueType(fn))) {
    operators_error(s, "cannot differentiate '%s': variadic functions are not supported", name);
    return 0;
  }
  return 1;
}

/* An argument of type `have` converts to a parameter of type `want`
 * (variadic calls promote float to double and small integers to int). */
static int check_convertible(const ct_site *s, LLVMTypeRef have, LLVMTypeRef want, unsigned p) {
  int have_int = LLVMGetTypeKind(have) == LLVMIntegerTypeKind;
  if (have == want || (type_is_fp_scalar(have) && type_is_fp_scalar(want)) ||
      (have_int && LLVMGetTypeKind(want) == LLVMIntegerTypeKind))
    return 1;
  if (have_int && type_is_fp_scalar(want))
    operators_error(s, "%s: argument for parameter %u is an integer but the parameter is floating point (write "
                       "e.g. 2.0 instead of 2)", operator_name(s->kind), p + 1);
  else
    operators_error(s, "%s: argument for parameter %u does not match the parameter's type", operator_name(s->kind),
                    p + 1);
  return 0;
}

/* The frontend's facts along the walk over the arguments: the C parameter
 * of each IR parameter (-1: not known). */
typedef struct {
  ct_facts f;
  int have;
  int c_param[CT_MAX_PARAMS];
  unsigned sret; /* operands before C's first argument */
} ct_fact_walk;

unsigned long long operators_tape_bytes(ct_module *m) {
  return LLVMABISizeOfType(LLVMGetModuleDataLayout(m->mod), LLVMPointerTypeInContext(m->ctx, 0));
}

/* Enzyme's split-mode options where they appear among the arguments
 * (operator_names.h): enzyme_allocated, size; enzyme_tape, p;
 * enzyme_nofree. */
static int parse_options(ct_module *m, ct_op_call *c, unsigned *i) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  for (;;) {
    ct_marker mk = *i < c->nargs ? operators_marker(LLVMGetOperand(s->call, *i)) : MARK_NONE;
    if ((mk == MARK_PRIMAL_RETURN || mk == MARK_DUP_RETURN || mk == MARK_CONST_RETURN) &&
        s->kind != OP_ENZYME_FWDDIFF) {
      operators_error(s, "%s: %s belongs to forward mode (__enzyme_fwddiff)", op,
                      mk == MARK_PRIMAL_RETURN ? "enzyme_primal_return"
                      : mk == MARK_DUP_RETURN  ? "enzyme_dup_return"
                                               : "enzyme_const_return");
      return 0;
    }
    if (mk == MARK_PRIMAL_RETURN || mk == MARK_DUP_RETURN || mk == MARK_CONST_RETURN) { /* what the result holds */
      c->primal_return |= mk == MARK_PRIMAL_RETURN;
      c->const_return = mk == MARK_CONST_RETURN ? 1 : mk == MARK_DUP_RETURN ? 0 : c->const_return;
      ++*i;
      continue;
    }
    if (mk == MARK_WIDTH) {
      if (!operators_parse_width(c, i))
        return 0;
      continue;
    }
    if (mk != MARK_ALLOCATED && mk != MARK_TAPE && mk != MARK_NOFREE)
      return 1;
    const char *name = mk == MARK_ALLOCATED ? "enzyme_allocated" : mk == MARK_TAPE ? "enzyme_tape" : "enzyme_nofree";
    if (!operator_is_enzyme(s->kind)) {
      operators_error(s, "%s: %s belongs to Enzyme's API", op, name);
      return 0;
    }
    if (mk != MARK_NOFREE && s->kind != OP_ENZYME_AUGMENT && s->kind != OP_ENZYME_REVERSE) {
      operators_error(s, "%s: %s belongs to split mode (__enzyme_augmentfwd and __enzyme_reverse)", op, name);
      return 0;
    }
    ++*i;
    if (mk == MARK_NOFREE) {
      c->nofree = 1;
      continue;
    }
    unsigned *slot = mk == MARK_ALLOCATED ? &c->tape_size : &c->tape;
    LLVMValueRef v = *i < c->nargs ? LLVMGetOperand(s->call, *i) : NULL;
    int fits = v && (mk == MARK_ALLOCATED ? LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMIntegerTypeKind
                                          : LLVMGetTypeKind(LLVMTypeOf(v)) == LLVMPointerTypeKind);
    if (!fits || *slot) {
      operators_error(s, "%s: %s %s", op, name,
                      *slot              ? "is given twice"
                      : mk == MARK_TAPE ? "must be followed by the tape (a pointer: the buffer, with enzyme_allocated)"
                                        : "must be followed by the size of the tape's buffer (an integer, "
                                          "from __enzyme_augmentsize)");
      return 0;
    }
    if (mk == MARK_ALLOCATED && LLVMIsAConstantInt(v) && LLVMConstIntGetZExtValue(v) < operators_tape_bytes(m)) {
      operators_error(s, "%s: the tape's buffer (enzyme_allocated) has %llu bytes, fewer than the %llu the tape "
                         "takes (__enzyme_augmentsize)",
                      op, LLVMConstIntGetZExtValue(v), operators_tape_bytes(m));
      return 0;
    }
    *slot = (*i)++;
  }
}

/* Is the operand `arg` for parameter p a function pointer (by C's type
 * when the frontend told it, else a function passed directly)? */
static int is_function_pointer(const ct_fact_walk *w, unsigned p, LLVMValueRef arg) {
  int cp = w->have ? w->c_param[p] : -1;
  if (cp >= 0)
    return w->f.params[cp].kind == 'F';
  while (arg && LLVMIsAConstantExpr(arg) && (LLVMGetConstOpcode(arg) == LLVMBitCast ||
                                             LLVMGetConstOpcode(arg) == LLVMAddrSpaceCast))
    arg = LLVMGetOperand(arg, 0);
  return arg && (LLVMIsAFunction(arg) || LLVMIsAGlobalAlias(arg));
}

/* The activity of parameter p by default and by marker, checked against
 * its type; the marker's operand is consumed. A function pointer is
 * constant by default: it has no shadow, and calls through it dispatch
 * to the function it points to (indirect_calls.c). */
static int parse_activity(ct_op_call *c, unsigned p, LLVMTypeRef pt, const ct_spec *declared, int has_declared,
                          unsigned *i, const ct_fact_walk *w, int *dupv) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  int is_fp = type_is_fp(pt), is_ptr = LLVMGetTypeKind(pt) == LLVMPointerTypeKind;
  LLVMValueRef arg = *i < c->nargs ? LLVMGetOperand(s->call, *i) : NULL;
  ct_activity act = custom_param_no_derivative(c->fn, p) ||
                            (has_declared && declared->act[p] == ACT_CONST && (is_fp || is_ptr)) ||
                            (is_ptr && is_function_pointer(w, p, arg))
                        ? ACT_CONST
                    : is_fp  ? ACT_ACTIVE
                    : is_ptr ? ACT_DUP
                             : ACT_CONST;
  ct_marker mk = *i < c->nargs ? operators_marker(LLVMGetOperand(s->call, *i)) : MARK_NONE;
  if (mk != MARK_NONE) {
    if (operator_is_enzyme(s->kind) == (mk == MARK_CT_CONST)) {
      operators_error(s, "%s: marker for parameter %u belongs to the other API", op, p + 1);
      return 0;
    }
    ++*i;
    *dupv = mk == MARK_DUPV || mk == MARK_DUPNONEEDV;
    if (*dupv && (!c->width || !is_ptr)) {
      operators_error(s, "%s: parameter %u is marked %s, which %s", op, p + 1,
                      mk == MARK_DUPV ? "enzyme_dupv" : "enzyme_dupnoneedv",
                      !c->width ? "needs vector mode (enzyme_width, N before the arguments)"
                                : "takes a pointer (enzyme_dupv, byte_stride, x, dx)");
      return 0;
    }
    act = mk == MARK_OUT                            ? ACT_ACTIVE
          : mk == MARK_DUP || mk == MARK_DUPV       ? ACT_DUP
          : mk == MARK_DUPNONEED || mk == MARK_DUPNONEEDV ? ACT_DUPNONEED
                                                    : ACT_CONST;
    if (operator_is_forward(s->kind) && mk == MARK_OUT) {
      operators_error(s, "%s: parameter %u is marked enzyme_out, which forward mode does not take: a "
                         "floating-point argument is followed by its tangent (enzyme_dup, or no marker)", op, p + 1);
      return 0;
    }
    if (operator_is_forward(s->kind) && is_fp && (act == ACT_DUP || act == ACT_DUPNONEED))
      act = ACT_ACTIVE; /* x, dx: the value and its tangent */
  }
  if (act == ACT_ACTIVE && !is_fp) {
    operators_error(s, "%s: parameter %u is marked active (enzyme_out) but is not floating point", op, p + 1);
    return 0;
  }
  if ((act == ACT_DUP || act == ACT_DUPNONEED) && !is_ptr) {
    operators_error(s, "%s: parameter %u is marked duplicated but is not a pointer", op, p + 1);
    return 0;
  }
  c->spec.act[p] = act;
  return 1;
}

/* Parameter p's operands: its value, then its shadow or derivative
 * pointer. */
static int parse_param(ct_module *m, ct_op_call *c, unsigned p, LLVMTypeRef pt, const ct_spec *declared,
                       int has_declared, unsigned *i, ct_fact_walk *w) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  int cp = w->have ? w->c_param[p] : -1; /* the C parameter */
  if (!parse_options(m, c, i))
    return 0;
  if (LLVMGetTypeKind(pt) == LLVMPointerTypeKind &&
      LLVMGetEnumAttributeAtIndex(c->fn, p + 1, LLVMGetEnumAttributeKindForName("byval", 5))) {
    operators_error(s, "%s: parameter %u of '%s' is a struct passed by value: differentiating functions that take "
                       "structs by value is not supported yet (pass a pointer to the struct)", op, p + 1, c->fname);
    return 0;
  }
  int dupv = 0;
  if (!parse_activity(c, p, pt, declared, has_declared, i, w, &dupv))
    return 0;
  if (c->width) /* N tangents or shadows: operators_vector.c */
    return operators_parse_vector_param(c, p, pt, dupv, i);
  ct_activity act = c->spec.act[p];
  int dup = (act == ACT_DUP || act == ACT_DUPNONEED) && !c->vjp; /* vjp: the shadow comes when applied */
  int wants_out = act == ACT_ACTIVE && (s->kind == OP_CT_GRADIENT || s->kind == OP_CT_VALUE_WITH_GRADIENT);
  int wants_tangent = act == ACT_ACTIVE && operator_is_forward(s->kind); /* a value of its type */
  int by_value = cp >= 0 && w->f.params[cp].kind == 'v'; /* a struct (struct_args.c) */
  if (*i + 1 + (dup || wants_out || wants_tangent) > c->nargs) {
    if (by_value)
      operators_error(s, "%s: too few arguments: struct parameter %u ('%s') of '%s' must be followed by a pointer "
                         "to its tangent struct ('%s *'), which receives the derivative of each floating-point field",
                      op, p + 1, w->f.params[cp].name, c->fname, w->f.params[cp].shown);
    else
      operators_error(s, "%s: too few arguments: parameter %u of the function has no value (or no %s)", op, p + 1,
                      wants_tangent ? "tangent" : "derivative/shadow location");
    return 0;
  }
  if (cp >= 0 && (dup || wants_out) &&
      !facts_check_pointer(s, &w->f, cp, facts_arg_of(&w->f, s->call, w->sret, *i + 1), dup))
    return 0;
  if (!check_convertible(s, LLVMTypeOf(LLVMGetOperand(s->call, *i)), pt, p))
    return 0;
  c->value[p] = (*i)++;
  c->extra[p] = 0;
  if (wants_tangent) {
    if (!type_is_fp_scalar(LLVMTypeOf(LLVMGetOperand(s->call, *i))) && LLVMTypeOf(LLVMGetOperand(s->call, *i)) != pt) {
      operators_error(s, "%s: floating-point parameter %u must be followed by its tangent, a value of its type "
                         "(e.g. 1.0)", op, p + 1);
      return 0;
    }
    c->extra[p] = (*i)++;
  } else if (dup || wants_out) {
    if (LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(s->call, *i))) != LLVMPointerTypeKind) {
      if (by_value)
        operators_error(s, "%s: struct parameter %u ('%s') of '%s' must be followed by a pointer to its tangent "
                           "struct ('%s *', e.g. &dp), which receives the derivative of each floating-point field",
                        op, p + 1, w->f.params[cp].name, c->fname, w->f.params[cp].shown);
      else if (dup && LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(s->call, *i))) == LLVMIntegerTypeKind)
        operators_error(s, "%s: the shadow of parameter %u must be a pointer, and an integer follows it (a C++ "
                           "std::span, or another struct passed by value, arrives as its data pointer and its "
                           "size): pass a span and its shadow span to ct::gradient of <cotangent.hpp>, or pass "
                           "xs.data(), dxs.data(), xs.size() to a function taking a pointer and a size", op, p + 1);
      else if (dup)
        operators_error(s, "%s: the shadow of parameter %u must be a pointer", op, p + 1);
      else
        operators_error(s, "%s: floating-point parameter %u must be followed by a pointer that receives its "
                           "derivative (e.g. &dx)", op, p + 1);
      return 0;
    }
    c->extra[p] = (*i)++;
  }
  return 1;
}

/* What follows the arguments in split mode: the result's seed (reverse,
 * when f returns floating point) and the tape (reverse, unless given with
 * enzyme_tape). */
static int parse_split_tail(ct_op_call *c, unsigned i, int ret_fp) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  if (c->tape_size && !c->tape) {
    operators_error(s, "%s: enzyme_allocated needs enzyme_tape, followed by the buffer the tape goes into", op);
    return 0;
  }
  if (s->kind == OP_ENZYME_AUGMENT && c->tape && !c->tape_size) {
    operators_error(s, "%s: enzyme_tape needs enzyme_allocated, followed by the buffer's size (from "
                       "__enzyme_augmentsize): the augmented forward writes the tape into that buffer", op);
    return 0;
  }
  int rev = s->kind == OP_ENZYME_REVERSE;
  unsigned extra = rev ? (ret_fp ? 1u : 0u) + (c->tape ? 0u : 1u) : 0u;
  if (i + extra != c->nargs) {
    operators_error(s, "%s: expected %u argument(s) after the function's arguments (%s), found %u", op, extra,
                    !rev                ? "none"
                    : ret_fp && c->tape ? "the result's seed"
                    : ret_fp            ? "the result's seed, then the tape"
                    : c->tape           ? "none: the tape is given with enzyme_tape"
                                        : "the tape",
                    c->nargs - i);
    return 0;
  }
  return 1;
}

/* A function with no floating-point result: it returns nothing and writes
 * its results through a pointer parameter that is not constant (their
 * shadows hold the seeds), else there is nothing to differentiate. */
static int check_void_result(ct_op_call *c, LLVMTypeRef fty) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  int is_void = LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMVoidTypeKind, outputs = 0;
  for (unsigned p = 0; p < c->spec.nparams; ++p)
    outputs |= c->spec.act[p] == ACT_DUP || c->spec.act[p] == ACT_DUPNONEED;
  if (is_void && (outputs || s->kind == OP_CT_DERIVATIVE || s->kind == OP_CT_DERIVATIVE_N))
    return 1;
  if (is_void)
    operators_error(s, "%s: '%s' returns nothing and has no pointer parameter (not constant) to write a result "
                       "through: there is nothing to differentiate (return the result as a float or double, or "
                       "write it through a pointer followed by its shadow holding the seed)", op, c->fname);
  else
    operators_error(s, "%s: '%s' must return a floating-point value (or nothing)%s", op, c->fname,
                    operator_is_forward(s->kind) ? "" : ": a function returning nothing writes its results through "
                                                        "pointers followed by their shadows");
  return 0;
}

/* Every parameter's operands, then what follows them. */
static int parse_layout(ct_module *m, ct_op_call *c, const ct_spec *declared, int has_declared, ct_fact_walk *w) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  LLVMTypeRef fty = LLVMGlobalGetValueType(c->fn);
  unsigned nparams = LLVMCountParamTypes(fty), i = c->first; /* at most CT_MAX_PARAMS: checked */
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  c->spec = (ct_spec){.fn = c->fn, .nparams = nparams};
  c->vjp = (s->kind == OP_CT_PULLBACK || s->kind == OP_CT_VALUE_WITH_PULLBACK) &&
           LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMVoidTypeKind;
  if (w->have)
    facts_map_params(&w->f, c->fn, w->c_param);
  for (unsigned p = 0; p < nparams; ++p)
    if (!parse_param(m, c, p, ptypes[p], declared, has_declared, &i, w))
      return 0;
  if (!parse_options(m, c, &i))
    return 0;
  c->next = i;
  int ret_fp = type_is_fp(LLVMGetReturnType(fty));
  if (s->kind == OP_ENZYME_AUGMENT || s->kind == OP_ENZYME_REVERSE)
    return parse_split_tail(c, i, ret_fp);
  if (i != c->nargs) {
    operators_error(s, "%s: %u argument(s) too many for the function's parameters", op, c->nargs - i);
    return 0;
  }
  return operator_is_enzyme(s->kind) || ret_fp || check_void_result(c, fty);
}

/* __enzyme_augmentsize(f, markers...): an activity marker per parameter
 * (at most), no values. */
static int parse_markers_only(ct_op_call *c) {
  const ct_site *s = c->site;
  const char *op = operator_name(s->kind);
  LLVMTypeRef fty = LLVMGlobalGetValueType(c->fn);
  unsigned nparams = LLVMCountParamTypes(fty);
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  for (unsigned i = c->first, p = 0; i < c->nargs; ++i, ++p) {
    ct_marker mk = operators_marker(LLVMGetOperand(s->call, i));
    if (mk != MARK_OUT && mk != MARK_CONST && mk != MARK_DUP && mk != MARK_DUPNONEED) {
      operators_error(s, "%s: takes the function and an activity marker (enzyme_dup, enzyme_const, ...) per "
                         "parameter, no values: argument %u is not a marker",
                      op, i - c->first + 2);
      return 0;
    }
    if (p >= nparams) {
      operators_error(s, "%s: %u markers for the %u parameter(s) of '%s'", op, c->nargs - c->first, nparams,
                      c->fname);
      return 0;
    }
    int is_ptr = LLVMGetTypeKind(ptypes[p]) == LLVMPointerTypeKind;
    if ((mk == MARK_OUT && !type_is_fp(ptypes[p])) || ((mk == MARK_DUP || mk == MARK_DUPNONEED) && !is_ptr)) {
      operators_error(s, "%s: parameter %u is marked %s but is not %s", op, p + 1,
                      mk == MARK_OUT ? "active (enzyme_out)" : "duplicated", mk == MARK_OUT ? "floating point" : "a pointer");
      return 0;
    }
  }
  return 1;
}

/* A struct result (in memory: an sret parameter; in registers: a struct or
 * vector) is not differentiated yet: an error with the way around it. */
static int returns_struct(ct_op_call *c) {
  LLVMValueRef fn = c->fn;
  LLVMTypeKind rk = LLVMGetTypeKind(LLVMGetReturnType(LLVMGlobalGetValueType(fn)));
  if (!(LLVMCountParams(fn) && LLVMGetEnumAttributeAtIndex(fn, 1, LLVMGetEnumAttributeKindForName("sret", 4))) &&
      rk != LLVMStructTypeKind && rk != LLVMVectorTypeKind)
    return 1;
  diag_function_name(fn, c->fname, sizeof c->fname);
  operators_error(c->site, "%s: '%s' returns a struct (or a vector): differentiating struct results is not "
                           "supported yet; write the result through a pointer parameter instead (void %s(..., T "
                           "*out)), whose shadow then holds the result's seed",
                  operator_name(c->site->kind), c->fname, c->fname);
  return 0;
}

ct_parse_result operators_parse(ct_module *m, const ct_site *s, ct_op_call *c) {
  *c = (ct_op_call){.site = s};
  if (!parse_head(c))
    return PARSE_ERROR;
  if (!LLVMIsAFunction(c->fn)) {
    if (s->kind == OP_CT_GRADIENT || s->kind == OP_CT_VALUE_WITH_GRADIENT || s->kind == OP_CT_PULLBACK ||
        s->kind == OP_CT_VALUE_WITH_PULLBACK || s->kind == OP_CT_GRADIENT_OF)
      return PARSE_RUNTIME_POINTER;
    operators_error(s, "%s: the function to differentiate must be a function known at compile time here, not a "
                       "function pointer computed at run time%s", operator_name(s->kind),
                    operator_is_enzyme(s->kind) ? "" : " (the reverse-mode operators of cotangent.h accept those)");
    return PARSE_ERROR;
  }
  if (!operator_is_enzyme(s->kind) && !operator_is_forward(s->kind) && !returns_struct(c))
    return PARSE_ERROR;
  ct_fact_walk w = {.sret = c->sret != NULL};
  w.have = facts_read(s->facts, &w.f);
  ct_spec declared;
  int has_declared = 0;
  int ok = (!w.have || facts_check_by_value(s, &w.f)) && parse_function(m, c, &declared, &has_declared) &&
           (s->kind == OP_CT_GRADIENT_OF ||
            (s->kind == OP_ENZYME_AUGMENTSIZE ? parse_markers_only(c) : parse_layout(m, c, &declared, has_declared, &w)));
  facts_free(&w.f);
  return ok ? PARSE_OK : PARSE_ERROR;
}

/* An operator applied to the function containing it, or to one that calls
 * it, would have to differentiate its own call. */
/* The function a call or invoke of `inst` calls directly whose body is
 * differentiated (no custom derivative, not no_derivative), or NULL. */
static LLVMValueRef differentiated_callee(LLVMValueRef inst, void *m) {
  if (!LLVMIsACallInst(inst) && !LLVMIsAInvokeInst(inst))
    return NULL;
  LLVMValueRef callee = LLVMGetCalledValue(inst);
  if (!callee || !LLVMIsAFunction(callee) || LLVMIsDeclaration(callee) || custom_derivative_of(m, callee) ||
      LLVMGetStringAttributeAtIndex(callee, LLVMAttributeFunctionIndex, "ct-no-derivative", 16))
    return NULL; /* a body that is not differentiated */
  return callee;
}

int operators_reaches(ct_module *m, LLVMValueRef fn, LLVMValueRef target) {
  return fn == target || ir_calls_reach(fn, target, differentiated_callee, m);
}
