/* PipelineStart: lowering and protection.
 *
 * - `annotate` attributes from the frontend plugin or the header's fallback
 *   macros ("ct.differentiable[:wrt]", "ct.no_derivative") become function
 *   metadata of the same name, which later stages read; custom derivatives
 *   ("ct.derivative:f" on P, "ct.derivative_is:P" and "ct.access:..." on f,
 *   "ct.derivative_link:f,P" on a variable) are registered, and the bodies
 *   of functions that have one hidden until differentiation (custom.c).
 * - Enzyme's registration globals (custom derivatives, inactive functions
 *   and globals) and attributes are read (enzyme_register.c); the globals
 *   inactive that way or by an "enzyme_inactive" annotation get their loads
 *   and stores held constant.
 * - Activity marker globals (enzyme_dup, ...) are marked externally
 *   initialized so that the optimizer cannot fold their loads to constants
 *   before the operator calls are read. */
#include "blas.h"
#include "mpi.h"
#include "core.h"
#include "enzyme.h"
#include "release.h"
#include "tangent.h"
#include "operator_names.h"
#include "operators.h"

#include <stdlib.h>
#include <string.h>

static int protect_markers(ct_module *m) {
  int changed = 0;
  for (unsigned i = 0; i < MARKER_COUNT; ++i) {
    LLVMValueRef g = LLVMGetNamedGlobal(m->mod, marker_name(i));
    if (g && !LLVMIsExternallyInitialized(g)) {
      LLVMSetExternallyInitialized(g, 1);
      changed = 1;
    }
  }
  return changed;
}

/* Strips pointer casts from a constant (older IR may still carry them). */
static LLVMValueRef strip_casts(LLVMValueRef v) {
  while (v && LLVMIsAConstantExpr(v) &&
         (LLVMGetConstOpcode(v) == LLVMBitCast || LLVMGetConstOpcode(v) == LLVMAddrSpaceCast))
    v = LLVMGetOperand(v, 0);
  return v;
}

/* The declaration of ct_without_derivative for type t (double, float or a
 * pointer), pure so it does not hinder optimization until it is removed. */
static LLVMValueRef without_derivative_fn(ct_module *m, LLVMTypeRef t) {
  const char *name = LLVMGetTypeKind(t) == LLVMDoubleTypeKind  ? "__ct_without_derivative"
                     : LLVMGetTypeKind(t) == LLVMFloatTypeKind ? "__ct_without_derivativef"
                     : LLVMGetTypeKind(t) == LLVMPointerTypeKind ? "__ct_without_derivative_ptr"
                                                                 : NULL;
  if (!name)
    return NULL;
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  if (f)
    return f;
  f = LLVMAddFunction(m->mod, name, LLVMFunctionType(t, &t, 1, 0));
  const char *attrs[] = {"nounwind", "willreturn"};
  for (int i = 0; i < 2; ++i)
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                            LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName(attrs[i], strlen(attrs[i])), 0));
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("memory", 6), 0));
  return f;
}

/* Is `inst` an llvm.var.annotation of one of Cotangent's attributes ("ct."
 * ...: clang's record of a parameter's ct::no_derivative, lowered through
 * the function's annotation)? */
static int is_cotangent_var_annotation(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  if (!name || len < 19 || memcmp(name, "llvm.var.annotation", 19) || LLVMGetNumArgOperands(inst) < 2)
    return 0;
  LLVMValueRef text = LLVMGetOperand(inst, 1);
  if (!LLVMIsAGlobalVariable(text) || !LLVMGetInitializer(text) || !LLVMIsConstantString(LLVMGetInitializer(text)))
    return 0;
  size_t tlen = 0;
  const char *t = LLVMGetAsString(LLVMGetInitializer(text), &tlen);
  return tlen >= 3 && !memcmp(t, "ct.", 3);
}

/* Drops those annotations: they would keep the parameter's stack slot
 * (with the held pointer stored in it) alive at every -O level, and a
 * reload of it would not be held constant. */
static void drop_parameter_annotations(LLVMValueRef fn) {
  for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb; bb = LLVMGetNextBasicBlock(bb))
    for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
      next = LLVMGetNextInstruction(inst);
      if (is_cotangent_var_annotation(inst))
        LLVMInstructionEraseFromParent(inst);
    }
}

static void hold_parameters_constant(ct_module *m, LLVMValueRef fn) {
  if (LLVMIsDeclaration(fn))
    return;
  drop_parameter_annotations(fn);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderBefore(b, LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(fn)));
  unsigned n = LLVMCountParams(fn);
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef p = LLVMGetParam(fn, i);
    LLVMValueRef wd = custom_param_no_derivative(fn, i) ? without_derivative_fn(m, LLVMTypeOf(p)) : NULL;
    if (!wd)
      continue;
    LLVMValueRef held = LLVMBuildCall2(b, LLVMGlobalGetValueType(wd), wd, &p, 1, "");
    /* every use but the new call's */
    for (LLVMUseRef u = LLVMGetFirstUse(p), next; u; u = next) {
      next = LLVMGetNextUse(u);
      LLVMValueRef user = LLVMGetUser(u);
      if (user == held)
        continue;
      int ops = LLVMGetNumOperands(user);
      for (int k = 0; k < ops; ++k)
        if (LLVMGetOperand(user, (unsigned)k) == p)
          LLVMSetOperand(user, (unsigned)k, held);
    }
  }
  LLVMDisposeBuilder(b);
}

/* The "ct.*" text of an entry of llvm.global.annotations and its target
 * (a function or variable), or NULL. */
static const char *annotation_text(LLVMValueRef entry, LLVMValueRef *target, size_t *len) {
  if (!entry || LLVMGetNumOperands(entry) < 2)
    return NULL;
  *target = strip_casts(LLVMGetOperand(entry, 0));
  LLVMValueRef str_global = strip_casts(LLVMGetOperand(entry, 1));
  if (!*target || !(LLVMIsAFunction(*target) || LLVMIsAGlobalVariable(*target)) || !str_global ||
      !LLVMIsAGlobalVariable(str_global))
    return NULL;
  LLVMValueRef str = LLVMGetInitializer(str_global);
  if (!str || !LLVMIsConstantString(str))
    return NULL;
  const char *text = LLVMGetAsString(str, len);
  if (*len && text[*len - 1] == 0)
    --*len;
  return (*len >= 3 && !strncmp(text, "ct.", 3)) || (*len >= 7 && !strncmp(text, "enzyme_", 7)) ? text : NULL;
}

/* P, a declared pullback, is what a "ct.derivative_link:f,P" variable the
 * frontend made for it points to: the link registers P (its own
 * "ct.derivative:f", emitted with the declaration the variable refers to,
 * would do it twice). */
static int linked_pullback(LLVMValueRef p) {
  for (LLVMUseRef u = LLVMGetFirstUse(p); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    size_t len = 0;
    const char *name = LLVMIsAGlobalVariable(user) ? LLVMGetValueName2(user, &len) : "";
    if (!strncmp(name, "__ct_derivative_link.", 21))
      return 1;
  }
  return 0;
}

/* "ct.derivative_link:f,P" on variables the frontend made for pullbacks
 * that are only declared; each is registered and deleted (which rebuilds
 * the annotation list, so the search restarts). */
static int lower_derivative_links(ct_module *m) {
  int changed = 0;
  for (int found = 1; found;) {
    found = 0;
    LLVMValueRef ga = LLVMGetNamedGlobal(m->mod, "llvm.global.annotations");
    LLVMValueRef init = ga ? LLVMGetInitializer(ga) : NULL;
    int n = init && LLVMIsAConstantArray(init) ? LLVMGetNumOperands(init) : 0;
    for (int i = 0; i < n && !found; ++i) {
      LLVMValueRef target = NULL;
      size_t len = 0;
      const char *text = annotation_text(LLVMGetOperand(init, (unsigned)i), &target, &len);
      if (text && LLVMIsAGlobalVariable(target) && len > 19 && !strncmp(text, "ct.derivative_link:", 19))
        found = changed = custom_register_link(m, target, text + 19, len - 19);
    }
  }
  return changed;
}

/* Several `differentiable` attributes on one function (different wrt
 * lists, Swift's several @differentiable(wrt:) configurations): one
 * metadata string "ct.differentiable:L1|L2" listing each once, in the order
 * met, "*" for all parameters (contract.c reads them). NULL: the first. */
static char *merge_configs(ct_module *m, LLVMValueRef fn, const char *text, size_t len) {
  unsigned olen = 0;
  const char *old = contract_differentiable_text(m, fn, &olen);
  if (!old)
    return NULL;
  const char *colon = memchr(text, ':', len), *ocolon = memchr(old, ':', olen);
  int nlen = colon ? (int)(len - (size_t)(colon + 1 - text)) : 1;
  const char *list = colon ? colon + 1 : "*";
  int olist_len = ocolon ? (int)(olen - (unsigned)(ocolon + 1 - old)) : 1;
  const char *olist = ocolon ? ocolon + 1 : "*";
  for (const char *p = olist, *end = olist + olist_len; p < end;) { /* already listed */
    const char *bar = memchr(p, '|', (size_t)(end - p));
    const char *stop = bar ? bar : end;
    if (stop - p == nlen && !memcmp(p, list, (size_t)nlen))
      return util_format("ct.differentiable:%.*s", olist_len, olist);
    p = stop + 1;
  }
  return util_format("ct.differentiable:%.*s|%.*s", olist_len, olist, nlen, list);
}

static int lower_annotations(ct_module *m) {
  LLVMValueRef ga = LLVMGetNamedGlobal(m->mod, "llvm.global.annotations");
  if (!ga)
    return 0;
  LLVMValueRef init = LLVMGetInitializer(ga);
  if (!init || !LLVMIsAConstantArray(init))
    return 0;
  int changed = 0;
  int n = LLVMGetNumOperands(init);
  for (int i = 0; i < n; ++i) {
    LLVMValueRef target = NULL;
    size_t len = 0;
    const char *text = annotation_text(LLVMGetOperand(init, (unsigned)i), &target, &len);
    if (text && enzyme_annotation(m, target, text, len)) { /* Enzyme's enzyme_inactive, ... */
      changed = 1;
      continue;
    }
    if (!text || !LLVMIsAFunction(target))
      continue;
    size_t kind_len = strcspn(text, ":");
    if (kind_len > len)
      kind_len = len;
    unsigned kind = LLVMGetMDKindIDInContext(m->ctx, text, (unsigned)kind_len);
    char *merged = kind_len == 17 && !strncmp(text, "ct.differentiable", 17) ? merge_configs(m, target, text, len)
                                                                               : NULL;
    LLVMMetadataRef args = LLVMMDStringInContext2(m->ctx, merged ? merged : text, merged ? strlen(merged) : len);
    free(merged);
    LLVMGlobalSetMetadata(target, kind, LLVMMDNodeInContext2(m->ctx, &args, 1));
    if (kind_len == 13 && !strncmp(text, "ct.derivative", 13) && len > 14 && !linked_pullback(target))
      custom_register(m, target, text + 14, len - 14);
    if (kind_len == 16 && !strncmp(text, "ct.derivative_is", 16) && len > 17)
      custom_register_on_target(m, target, text + 17, len - 17);
    if (kind_len == 13 && !strncmp(text, "ct.tangent_is", 13) && len > 14)
      tangent_jvp_register(m, target, text + 14, len - 14);
    if (kind_len == 24 && !strncmp(text, "ct.tangent_derivative_is", 24) && len > 25)
      tangent_jvp_register_pullback(m, target, text + 25, len - 25);
    if (kind_len == 9 && !strncmp(text, "ct.access", 9) && len > 10)
      custom_set_access(m, target, text + 10, len - 10);
    if (kind_len == 12 && !strncmp(text, "ct.allocator", 12))
      alloc_register_annotation(m, target,
                                LLVMGetNumOperands(LLVMGetOperand(init, (unsigned)i)) > 4
                                    ? LLVMGetOperand(LLVMGetOperand(init, (unsigned)i), 4)
                                    : NULL);
    if (kind_len == 23 && !strncmp(text, "ct.no_derivative_params", 23) && len > 24) {
      /* parameters held constant: recorded for callers and operators, and
         inside the body their uses go through ct_without_derivative, which
         survives inlining */
      LLVMAddAttributeAtIndex(target, LLVMAttributeFunctionIndex,
                              LLVMCreateStringAttribute(m->ctx, "ct-no-derivative-params", 23, text + 24,
                                                        (unsigned)(len - 24)));
      hold_parameters_constant(m, target);
    } else if (kind_len == 16 && !strncmp(text, "ct.no_derivative", 16)) {
      /* calls of it are constants; keep them calls (not inlined) */
      LLVMAddAttributeAtIndex(target, LLVMAttributeFunctionIndex,
                              LLVMCreateStringAttribute(m->ctx, "ct-no-derivative", 16, "", 0));
      LLVMAddAttributeAtIndex(target, LLVMAttributeFunctionIndex,
                              LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
    }
    changed = 1;
  }
  return changed;
}

/* A global variable that carries no derivative (Enzyme's inactive
 * globals, enzyme.h): the values stored into it and loaded from it,
 * directly or through GEPs and casts, go through ct_without_derivative. */
static int hold_global_constant(ct_module *m, LLVMValueRef v, int depth) {
  int changed = 0;
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  for (LLVMUseRef u = LLVMGetFirstUse(v), next; u; u = next) {
    next = LLVMGetNextUse(u);
    LLVMValueRef user = LLVMGetUser(u);
    int addr = LLVMIsAConstantExpr(user) ? LLVMGetConstOpcode(user) : LLVMIsAInstruction(user) ? LLVMGetInstructionOpcode(user) : 0;
    if ((addr == LLVMGetElementPtr || addr == LLVMBitCast || addr == LLVMAddrSpaceCast) && LLVMGetOperand(user, 0) == v &&
        depth < 8) {
      changed |= hold_global_constant(m, user, depth + 1);
    } else if (LLVMIsALoadInst(user) && without_derivative_fn(m, LLVMTypeOf(user))) {
      LLVMValueRef wd = without_derivative_fn(m, LLVMTypeOf(user));
      LLVMValueRef after = LLVMGetNextInstruction(user);
      LLVMPositionBuilderBefore(b, after);
      LLVMValueRef held = LLVMBuildCall2(b, LLVMGlobalGetValueType(wd), wd, &user, 1, "");
      LLVMReplaceAllUsesWith(user, held);
      LLVMSetOperand(held, 0, user);
      changed = 1;
    } else if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == v &&
               without_derivative_fn(m, LLVMTypeOf(LLVMGetOperand(user, 0)))) {
      LLVMValueRef val = LLVMGetOperand(user, 0);
      LLVMValueRef wd = without_derivative_fn(m, LLVMTypeOf(val));
      LLVMPositionBuilderBefore(b, user);
      LLVMSetOperand(user, 0, LLVMBuildCall2(b, LLVMGlobalGetValueType(wd), wd, &val, 1, ""));
      changed = 1;
    }
  }
  LLVMDisposeBuilder(b);
  return changed;
}

/* The stores into a no_derivative field (through GEPs and casts of its
 * address v) get metadata ct.no_derivative: their reverse leaves the
 * field's shadow as it is (classify.c) instead of zeroing it. */
static void mark_field_stores(ct_module *m, LLVMValueRef v, int depth) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, "ct.no_derivative", 16);
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if ((LLVMIsAGetElementPtrInst(user) || LLVMIsABitCastInst(user)) && LLVMGetOperand(user, 0) == v && depth < 8)
      mark_field_stores(m, user, depth + 1);
    else if (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == v)
      LLVMSetMetadata(user, kind, LLVMMetadataAsValue(m->ctx, LLVMMDNodeInContext2(m->ctx, NULL, 0)));
  }
}

/* Struct fields marked no_derivative (`CT_NO_DERIVATIVE double lr;`):
 * clang gives each access of such a field an llvm.ptr.annotation of
 * "ct.no_derivative"; what is loaded from it and stored into it goes
 * through ct_without_derivative, wherever the struct is (so no adjoint
 * reaches the tangent struct's field), and the annotation goes. */
static int hold_no_derivative_fields(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), nextf; f; f = nextf) {
    nextf = LLVMGetNextFunction(f);
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    if (len < 19 || memcmp(name, "llvm.ptr.annotation", 19))
      continue;
    for (LLVMUseRef u = LLVMGetFirstUse(f), next; u; u = next) {
      next = LLVMGetNextUse(u);
      LLVMValueRef call = LLVMGetUser(u);
      if (!LLVMIsACallInst(call) || LLVMGetCalledValue(call) != f || LLVMGetNumArgOperands(call) < 2)
        continue;
      LLVMValueRef text = LLVMGetOperand(call, 1), init = LLVMIsAGlobalVariable(text) ? LLVMGetInitializer(text) : NULL;
      size_t tlen = 0;
      const char *t = init && LLVMIsConstantString(init) ? LLVMGetAsString(init, &tlen) : "";
      if (tlen < 16 || memcmp(t, "ct.no_derivative", 16) || (tlen > 16 && t[16]))
        continue;
      hold_global_constant(m, call, 0);
      mark_field_stores(m, call, 0);
      LLVMReplaceAllUsesWith(call, LLVMGetOperand(call, 0));
      LLVMInstructionEraseFromParent(call);
      changed = 1;
    }
  }
  return changed;
}

static int hold_inactive_globals(ct_module *m) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, ENZYME_INACTIVE_MD, (unsigned)strlen(ENZYME_INACTIVE_MD));
  int changed = 0;
  for (LLVMValueRef g = LLVMGetFirstGlobal(m->mod); g; g = LLVMGetNextGlobal(g)) {
    size_t n = 0;
    LLVMValueMetadataEntry *entries = LLVMGlobalCopyAllMetadata(g, &n);
    int inactive = 0;
    for (size_t i = 0; i < n; ++i)
      inactive |= LLVMValueMetadataEntriesGetKind(entries, (unsigned)i) == kind;
    if (entries)
      LLVMDisposeValueMetadataEntries(entries);
    if (inactive)
      changed |= hold_global_constant(m, g, 0);
  }
  return changed;
}

int ct_lower_module(LLVMModuleRef module) {
  ct_module m = {.mod = module, .ctx = LLVMGetModuleContext(module)};
  int changed = protect_markers(&m);
  changed |= lower_annotations(&m);
  changed |= hold_no_derivative_fields(&m);
  changed |= struct_args_lower(&m); /* after the annotations: no_derivative parameters */
  changed |= lower_derivative_links(&m);
  changed |= blas_register(&m); /* BLAS/LAPACK routines: pullbacks from a table */
  changed |= mpi_register(&m);  /* MPI communication: adjoint communication from a table */
  changed |= enzyme_lower_registrations(&m); /* after the annotations: conflicts with CT_DERIVATIVE */
  changed |= alloc_lower_module(&m);
  changed |= checkpoint_loop_lower(&m); /* makes recomputed calls */
  changed |= checkpoint_lower(&m);
  changed |= custom_hide_bodies(&m);
  changed |= hold_inactive_globals(&m);
  changed |= libm_keep_tie_order(module);
  return changed;
}

/* A call of ct_without_derivative itself (not of a no_derivative function,
 * which activity_is_without_derivative also accepts: that call must stay). */
static int is_without_derivative_call(LLVMValueRef inst) {
  size_t len = 0;
  const char *name = util_callee_name(inst, &len);
  return name && ((len == 23 && !memcmp(name, "__ct_without_derivative", 23)) ||
                  (len == 24 && !memcmp(name, "__ct_without_derivativef", 24)) ||
                  (len == 27 && !memcmp(name, "__ct_without_derivative_ptr", 27)));
}

/* After differentiation, ct_without_derivative(x) is just x everywhere (so
 * programs need no definition of it). */
static int remove_without_derivative(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb), next; inst; inst = next) {
        next = LLVMGetNextInstruction(inst);
        if (!is_without_derivative_call(inst))
          continue;
        LLVMReplaceAllUsesWith(inst, LLVMGetOperand(inst, 0));
        LLVMInstructionEraseFromParent(inst);
        changed = 1;
      }
  return changed;
}

static int is_interposable(LLVMLinkage l) {
  return l != LLVMExternalLinkage && l != LLVMInternalLinkage && l != LLVMPrivateLinkage;
}

/* Uses of a function alias (`double g(double) __attribute__((alias("f")))`)
 * become uses of the function it names, as GlobalOpt does from -O1 on: at
 * -O0 a call of g would otherwise be an indirect call to the pass, and an
 * operator applied to g a run-time function pointer. Only aliases that the
 * linker cannot replace, of functions it cannot replace. */
static int resolve_function_aliases(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef a = LLVMGetFirstGlobalAlias(m->mod); a; a = LLVMGetNextGlobalAlias(a)) {
    LLVMValueRef f = strip_casts(LLVMAliasGetAliasee(a));
    if (!f || !LLVMIsAFunction(f) || LLVMIsDeclaration(f) || is_interposable(LLVMGetLinkage(a)) ||
        is_interposable(LLVMGetLinkage(f)) || !LLVMGetFirstUse(a) || LLVMTypeOf(a) != LLVMTypeOf(f))
      continue;
    LLVMReplaceAllUsesWith(a, f);
    changed = 1;
  }
  return changed;
}

int ct_differentiate_module(LLVMModuleRef module) {
  ct_module m = {.mod = module, .ctx = LLVMGetModuleContext(module)};
  m.b = LLVMCreateBuilderInContext(m.ctx);
  m.changed |= resolve_function_aliases(&m);
  operators_lower_all(&m);
  m.changed |= custom_restore_names(&m); /* exported gradients use f's name */
  registry_export_all(&m);
  tangent_export_all(&m);
  registry_register_all(&m);
  gradient_finish(&m);
  enzyme_release_adapters(&m);
  release_drop_unused(&m);
  m.changed |= custom_restore_bodies(&m);
  m.changed |= runtime_link_device(&m);
  gpu_finish_module(&m);
  m.changed |= remove_without_derivative(&m);
  LLVMDisposeBuilder(m.b);
  return m.changed;
}
