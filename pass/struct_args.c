/* Structs passed by value to the function an operator differentiates
 * (operators.h): double energy(Particle p), ct_gradient(energy, p, &dp).
 *
 * In the IR a struct argument is a byval pointer or is split into pieces
 * ({double, double}, <2 x float>, an i64 holding an int and a float on
 * x86-64), and a piece mixing fields is an integer through which no
 * derivative can be followed. So at PipelineStart, while the IR is still
 * clang's (each piece stored into the parameter's own alloca, a byval
 * parameter read in place), each such operator call is rewritten to
 * differentiate a twin of the function, <f>.ct_byval, that takes a pointer
 * to each struct instead and copies the struct where the original stored
 * its pieces (a memcpy: each field's derivative then flows through memory
 * as in any struct). The call passes a pointer to the struct (the byval
 * pointer, or a temporary holding the pieces), so the pointer to the
 * tangent struct that follows it is that pointer's shadow: the adjoint of
 * each floating-point field is added into it, as for any shadow. The
 * frontend's facts at the call are updated to match (the struct parameter
 * becomes kind 'v': a struct by value, now a pointer to it), so the
 * tangent's type is still checked. Forward mode and functions without a body here keep the error
 * of facts_check_by_value. */
#include "operators.h"

#include <llvm-c/DebugInfo.h>
#include <llvm-c/Target.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The IR parameters of one C parameter. */
typedef struct {
  unsigned first, count;
  char kind;          /* the facts' kind ('s': a struct with data, rewritten) */
  int byval;          /* one byval pointer */
  LLVMValueRef slot;  /* pieces: the alloca they are stored into */
  unsigned wparam;    /* its first parameter in the twin */
} ct_group;

/* The alloca that parameter `p` (a piece of a struct) is stored into, its
 * only use, through constant getelementptrs; NULL otherwise. */
static LLVMValueRef piece_slot(LLVMValueRef p) {
  LLVMUseRef u = LLVMGetFirstUse(p);
  if (!u || LLVMGetNextUse(u))
    return NULL;
  LLVMValueRef st = LLVMGetUser(u);
  size_t len = 0;
  const char *name = util_callee_name(st, &len);
  if (name && len >= 23 && !memcmp(name, "__ct_without_derivative", 23)) { /* a no_derivative parameter (lower.c) */
    p = st;
    u = LLVMGetFirstUse(st);
    if (!u || LLVMGetNextUse(u))
      return NULL;
    st = LLVMGetUser(u);
  }
  if (!LLVMIsAStoreInst(st) || LLVMGetOperand(st, 0) != p)
    return NULL;
  LLVMValueRef a = LLVMGetOperand(st, 1);
  while (LLVMIsAGetElementPtrInst(a)) {
    for (unsigned k = 1; k < (unsigned)LLVMGetNumOperands(a); ++k)
      if (!LLVMIsAConstantInt(LLVMGetOperand(a, k)))
        return NULL;
    a = LLVMGetOperand(a, 0);
  }
  return LLVMIsAAllocaInst(a) ? a : NULL;
}

static int has_enum(LLVMValueRef fn, unsigned idx, const char *name) {
  return LLVMGetEnumAttributeAtIndex(fn, idx, LLVMGetEnumAttributeKindForName(name, strlen(name))) != NULL;
}

static int is_struct_kind(char k) { return k == 's' || k == 'c' || k == 'r'; }

/* Groups f's IR parameters by C parameter; 0 when they cannot be told
 * apart (the IR is not clang's, or a struct result in memory). */
static int group_params(LLVMValueRef f, const ct_facts *facts, ct_group *g) {
  unsigned n = LLVMCountParams(f), q = 0;
  if (n && has_enum(f, 1, "sret"))
    return 0;
  for (unsigned k = 0; k < facts->nparams; ++k) {
    if (q >= n)
      return 0;
    g[k] = (ct_group){.first = q, .count = 1, .kind = facts->params[k].kind};
    if (is_struct_kind(g[k].kind) && has_enum(f, q + 1, "byval")) {
      g[k].byval = 1;
    } else if (is_struct_kind(g[k].kind)) {
      g[k].slot = piece_slot(LLVMGetParam(f, q));
      if (!g[k].slot)
        return 0;
      while (q + g[k].count < n && piece_slot(LLVMGetParam(f, q + g[k].count)) == g[k].slot)
        ++g[k].count;
    }
    q += g[k].count;
  }
  return q == n;
}

/* The pieces of group g as a struct of their types (their offsets are the
 * C ABI's: eightbytes at 0 and 8). */
static LLVMTypeRef pieces_type(ct_module *m, LLVMValueRef f, const ct_group *g) {
  LLVMTypeRef t[8];
  for (unsigned i = 0; i < g->count && i < 8; ++i)
    t[i] = LLVMTypeOf(LLVMGetParam(f, g->first + i));
  return LLVMStructTypeInContext(m->ctx, t, g->count < 8 ? g->count : 8, 0);
}

static LLVMValueRef byte_gep(ct_module *m, LLVMValueRef base, unsigned long long off) {
  LLVMValueRef idx = LLVMConstInt(LLVMInt64TypeInContext(m->ctx), off, 0);
  return off ? LLVMBuildGEP2(m->b, LLVMInt8TypeInContext(m->ctx), base, &idx, 1, "") : base;
}

/* ct-no-derivative-params in the twin's numbering. */
static void remap_no_derivative(ct_module *m, LLVMValueRef f, LLVMValueRef w, const ct_group *g, unsigned ng) {
  char list[16 * CT_MAX_PARAMS] = "";
  size_t len = 0;
  for (unsigned k = 0; k < ng; ++k)
    for (unsigned i = 0; i < g[k].count; ++i)
      if (custom_param_no_derivative(f, g[k].first + i) && len + 12 < sizeof list)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%u", len ? "," : "",
                                g[k].wparam + (g[k].kind == 's' ? 0 : i));
  LLVMRemoveStringAttributeAtIndex(w, LLVMAttributeFunctionIndex, "ct-no-derivative-params", 23);
  if (len)
    LLVMAddAttributeAtIndex(w, LLVMAttributeFunctionIndex,
                            LLVMCreateStringAttribute(m->ctx, "ct-no-derivative-params", 23, list, (unsigned)len));
}

/* Where the pieces were stored, one memcpy of the whole struct from the
 * twin's pointer; the loads standing for the pieces go when unused. */
static void copy_pieces(ct_module *m, LLVMValueRef w, LLVMValueRef *loads, unsigned n, LLVMValueRef src) {
  LLVMValueRef slot = NULL, last = NULL;
  for (unsigned i = 0; i < n; ++i) {
    LLVMUseRef u = LLVMGetFirstUse(loads[i]);
    LLVMValueRef st = u && !LLVMGetNextUse(u) ? LLVMGetUser(u) : NULL;
    if (!st || !LLVMIsAStoreInst(st) || LLVMGetOperand(st, 0) != loads[i])
      return; /* not clang's pattern: the loads stay, as correct code */
    slot = ir_base_object(LLVMGetOperand(st, 1));
    last = st;
  }
  if (!slot || !LLVMIsAAllocaInst(slot))
    return;
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  LLVMPositionBuilderBefore(m->b, last);
  LLVMBuildMemCpy(m->b, slot, LLVMGetAlignment(slot), src, 1,
                  LLVMConstInt(LLVMInt64TypeInContext(m->ctx), LLVMABISizeOfType(td, LLVMGetAllocatedType(slot)), 0));
  for (unsigned i = 0; i < n; ++i) {
    LLVMInstructionEraseFromParent(LLVMGetUser(LLVMGetFirstUse(loads[i])));
    LLVMInstructionEraseFromParent(loads[i]);
  }
  (void)w;
}

/* The twin of f taking a pointer to each struct parameter of kind 's'. */
static LLVMValueRef make_twin(ct_module *m, LLVMValueRef f, ct_group *g, unsigned ng) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(f, &len);
  char *wname = util_format("%.*s.ct_byval", (int)len, name);
  LLVMValueRef w = LLVMGetNamedFunction(m->mod, wname);
  LLVMTypeRef ptr = LLVMPointerTypeInContext(m->ctx, 0), wt[CT_MAX_PARAMS];
  unsigned nw = 0;
  for (unsigned k = 0; k < ng; ++k) {
    g[k].wparam = nw;
    if (g[k].kind == 's')
      wt[nw++] = ptr;
    else
      for (unsigned i = 0; i < g[k].count; ++i)
        wt[nw++] = LLVMTypeOf(LLVMGetParam(f, g[k].first + i));
  }
  if (w) {
    free(wname);
    return w;
  }
  LLVMTypeRef fty = LLVMGlobalGetValueType(f);
  w = LLVMAddFunction(m->mod, wname, LLVMFunctionType(LLVMGetReturnType(fty), wt, nw, 0));
  free(wname);
  LLVMSetLinkage(w, LLVMInternalLinkage);
  ir_copy_attributes(f, w, LLVMAttributeFunctionIndex);
  remap_no_derivative(m, f, w, g, ng);
  LLVMBuilderRef saved = m->b;
  m->b = LLVMCreateBuilderInContext(m->ctx);
  LLVMBasicBlockRef args = LLVMAppendBasicBlockInContext(m->ctx, w, "ct.args");
  LLVMPositionBuilderAtEnd(m->b, args);
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  ct_vmap map;
  vmap_init(&map);
  LLVMValueRef *loads = calloc(LLVMCountParams(f) + 1, sizeof *loads);
  for (unsigned k = 0; k < ng; ++k) {
    LLVMValueRef src = LLVMGetParam(w, g[k].wparam);
    if (g[k].kind != 's') {
      for (unsigned i = 0; i < g[k].count; ++i)
        vmap_set(&map, LLVMGetParam(f, g[k].first + i), LLVMGetParam(w, g[k].wparam + i));
    } else if (g[k].byval) { /* the callee's own copy */
      LLVMAttributeRef bv =
          LLVMGetEnumAttributeAtIndex(f, g[k].first + 1, LLVMGetEnumAttributeKindForName("byval", 5));
      LLVMTypeRef t = LLVMGetTypeAttributeValue(bv);
      LLVMValueRef copy = LLVMBuildAlloca(m->b, t, "ct.byval");
      LLVMSetAlignment(copy, 16);
      LLVMBuildMemCpy(m->b, copy, 16, src, 1, LLVMConstInt(LLVMInt64TypeInContext(m->ctx), LLVMABISizeOfType(td, t), 0));
      vmap_set(&map, LLVMGetParam(f, g[k].first), copy);
    } else { /* the pieces, read from the struct (until copy_pieces) */
      LLVMTypeRef pt = pieces_type(m, f, &g[k]);
      for (unsigned i = 0; i < g[k].count; ++i) {
        LLVMValueRef at = byte_gep(m, src, LLVMOffsetOfElement(td, pt, i));
        loads[g[k].first + i] = LLVMBuildLoad2(m->b, LLVMStructGetTypeAtIndex(pt, i), at, "ct.piece");
        LLVMSetAlignment(loads[g[k].first + i], 1);
        vmap_set(&map, LLVMGetParam(f, g[k].first + i), loads[g[k].first + i]);
      }
    }
  }
  clone_blocks(m, f, w, &map);
  vmap_free(&map);
  /* the preamble moves to the top of f's entry block (its allocas stay
     static) */
  LLVMBasicBlockRef entry = LLVMGetNextBasicBlock(args);
  LLVMValueRef top = LLVMGetFirstInstruction(entry);
  for (LLVMValueRef inst = LLVMGetFirstInstruction(args), next; inst; inst = next) {
    next = LLVMGetNextInstruction(inst);
    LLVMInstructionRemoveFromParent(inst);
    LLVMPositionBuilderBefore(m->b, top);
    LLVMInsertIntoBuilder(m->b, inst);
  }
  LLVMDeleteBasicBlock(args);
  for (unsigned k = 0; k < ng; ++k)
    if (g[k].kind == 's' && !g[k].byval)
      copy_pieces(m, w, loads + g[k].first, g[k].count, LLVMGetParam(w, g[k].wparam));
  free(loads);
  LLVMDisposeBuilder(m->b);
  m->b = saved;
  return w;
}

/* The facts' text with the rewritten struct parameters as pointers to the
 * struct and their arguments as plain values (same length: one character
 * each). */
static void update_facts(ct_module *m, LLVMValueRef text, const ct_group *g, unsigned ng) {
  size_t len = 0;
  const char *s = LLVMGetAsString(LLVMGetInitializer(text), &len);
  char *t = malloc(len + 1);
  memcpy(t, s, len);
  t[len] = 0;
  unsigned k = 0, struct_param = 0, struct_arg = 0;
  char rewritten[CT_MAX_PARAMS + 1] = {0}; /* by struct position */
  for (char *line = t; line < t + len; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : t + len) {
    if (line[0] == 'p' && line[1] == '\t' && k < ng) {
      if (is_struct_kind(line[2]) && struct_param < CT_MAX_PARAMS)
        rewritten[struct_param++] = g[k].kind == 's';
      if (g[k].kind == 's')
        line[2] = 'v';
      ++k;
    } else if (line[0] == 'a' && line[1] == '\t' && line[2] == 's') {
      if (struct_arg < struct_param && rewritten[struct_arg])
        line[2] = '-';
      ++struct_arg;
    }
  }
  LLVMSetInitializer(text, LLVMConstStringInContext(m->ctx, t, (unsigned)len, 1));
  free(t);
}

/* The call's new operands: each struct argument of a rewritten parameter
 * becomes a pointer to it. 0 after an error, -1 when the struct arguments
 * do not match the struct parameters (the call is left as it is). */
static int rewrite_call(ct_module *m, LLVMValueRef call, const ct_facts *facts, LLVMValueRef f, LLVMValueRef w,
                        const ct_group *g, unsigned ng) {
  unsigned n = (unsigned)LLVMGetNumArgOperands(call), nout = 0, op = 0;
  LLVMValueRef *out = calloc(n + 1, sizeof *out);
  const ct_group *sg[CT_MAX_PARAMS]; /* the struct parameters, in order */
  unsigned ns = 0, t = 0;
  for (unsigned k = 0; k < ng; ++k)
    if (is_struct_kind(g[k].kind))
      sg[ns++] = &g[k];
  unsigned nsa = 0;
  for (unsigned a = 0; a < facts->nargs; ++a)
    nsa += facts->args[a].kind == 's';
  if (nsa != ns && n > 1) { /* (ct_gradient_of: f alone) e.g. a tangent struct by value (a C++ span's): left to facts_check_by_value */
    free(out);
    return -1;
  }
  LLVMValueRef caller = LLVMGetBasicBlockParent(LLVMGetInstructionParent(call));
  LLVMBuilderRef eb = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderBefore(eb, LLVMGetFirstInstruction(LLVMGetEntryBasicBlock(caller)));
  LLVMTargetDataRef td = LLVMGetModuleDataLayout(m->mod);
  int ok = 1;
  for (unsigned a = 0; a < facts->nargs && op < n && ok; ++a) {
    const ct_group *sp = facts->args[a].kind == 's' && t < ns ? sg[t++] : NULL;
    if (!sp || sp->kind != 's') { /* as it was: one operand, or a struct's pieces */
      unsigned c = sp && !sp->byval ? sp->count : 1;
      for (unsigned i = 0; i < c && op < n; ++i)
        out[nout++] = LLVMGetOperand(call, op++);
      continue;
    }
    if (sp->byval) {
      out[nout++] = LLVMGetOperand(call, op++);
      ok = LLVMGetTypeKind(LLVMTypeOf(out[nout - 1])) == LLVMPointerTypeKind;
      continue;
    }
    LLVMTypeRef pt = pieces_type(m, f, sp);
    ok = op + sp->count <= n;
    for (unsigned i = 0; ok && i < sp->count; ++i)
      ok = LLVMTypeOf(LLVMGetOperand(call, op + i)) == LLVMStructGetTypeAtIndex(pt, i);
    if (!ok)
      break;
    LLVMValueRef tmp = LLVMBuildAlloca(eb, pt, "ct.struct_arg");
    LLVMSetAlignment(tmp, 16);
    LLVMPositionBuilderBefore(m->b, call);
    for (unsigned i = 0; i < sp->count; ++i)
      LLVMBuildStore(m->b, LLVMGetOperand(call, op + i), byte_gep(m, tmp, LLVMOffsetOfElement(td, pt, i)));
    op += sp->count;
    out[nout++] = tmp;
  }
  LLVMDisposeBuilder(eb);
  if (!ok) {
    char name[256];
    diag_function_name(f, name, sizeof name);
    diag_report(caller, call, CT_SEV_ERROR,
                "%s: the struct passed by value to '%s' has another type than its parameter: pass the struct "
                "of the parameter's type, followed by a pointer to its tangent struct",
                operator_name(operator_kind_of_name(LLVMGetValueName(LLVMGetCalledValue(call)),
                                                    strlen(LLVMGetValueName(LLVMGetCalledValue(call))))),
                name);
    free(out);
    return 0;
  }
  while (op < n)
    out[nout++] = LLVMGetOperand(call, op++);
  out[0] = w; /* operand 0 was f */
  LLVMPositionBuilderBefore(m->b, call);
  LLVMValueRef callee = LLVMGetCalledValue(call);
  LLVMValueRef nc = LLVMBuildCall2(m->b, LLVMGlobalGetValueType(callee), callee, out, nout, "");
  LLVMInstructionSetDebugLoc(nc, LLVMInstructionGetDebugLoc(call));
  LLVMReplaceAllUsesWith(call, nc);
  LLVMInstructionEraseFromParent(call);
  free(out);
  return 1;
}

/* One operator call: rewritten when its function takes a struct with
 * data by value and has its body here (not hidden by a custom derivative). */
static int lower_site(ct_module *m, LLVMValueRef call, LLVMValueRef text) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = LLVMGetValueName2(callee, &len);
  ct_op_kind kind = operator_kind_of_name(name, len);
  if (operator_is_enzyme(kind) || operator_is_forward(kind) || LLVMGetNumArgOperands(call) < 1)
    return 0;
  LLVMValueRef f = LLVMGetOperand(call, 0);
  ct_facts facts;
  if (!LLVMIsAFunction(f) || LLVMIsDeclaration(f) || !facts_read(text, &facts))
    return 0;
  int any = 0, changed = 0;
  for (unsigned k = 0; k < facts.nparams; ++k)
    any |= facts.params[k].kind == 's';
  ct_group *g = calloc(facts.nparams + 1, sizeof *g);
  if (any && facts.nparams <= CT_MAX_PARAMS && group_params(f, &facts, g)) {
    LLVMValueRef w = make_twin(m, f, g, facts.nparams);
    int r = rewrite_call(m, call, &facts, f, w, g, facts.nparams);
    if (r > 0)
      update_facts(m, text, g, facts.nparams);
    if (r < 0 && !LLVMGetFirstUse(w))
      LLVMDeleteFunction(w);
    changed = r >= 0;
  }
  free(g);
  facts_free(&facts);
  return changed;
}

int struct_args_lower(ct_module *m) {
  ct_vmap sites;
  vmap_init(&sites);
  facts_collect(m, &sites);
  int changed = 0;
  LLVMBuilderRef saved = m->b;
  m->b = LLVMCreateBuilderInContext(m->ctx);
  for (LLVMValueRef fn = LLVMGetFirstFunction(m->mod); fn; fn = LLVMGetNextFunction(fn)) {
    LLVMValueRef text = vmap_get(&sites, fn);
    if (!text)
      continue;
    for (LLVMUseRef u = LLVMGetFirstUse(fn), next; u; u = next) {
      next = LLVMGetNextUse(u);
      LLVMValueRef call = LLVMGetUser(u);
      if (LLVMIsACallInst(call) && LLVMGetCalledValue(call) == fn)
        changed |= lower_site(m, call, text);
    }
  }
  LLVMDisposeBuilder(m->b);
  m->b = saved;
  vmap_free(&sites);
  return changed;
}
