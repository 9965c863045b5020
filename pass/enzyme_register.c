/* Enzyme's registration globals and attributes at PipelineStart (enzyme.h).
 *
 *   void *__enzyme_register_gradient_f[] = {f, augment_f, gradient_f};
 *   void *__enzyme_register_derivative_f[] = {f, forward_f};
 *   void *__enzyme_register_splitderivative_f[] = {f, augment_f, forward_f};
 *   void *__enzyme_inactivefn[] = {g, ...};
 *   void *__enzyme_inactive_global[] = {&table, ...};
 *
 * (names containing those prefixes, as in Enzyme). A gradient is checked
 * against f's signature (enzyme_adapters.c says the convention): which
 * pointer parameters have a shadow follows from the augmented forward's
 * parameters, whether there is a tape from the gradient's last one; a
 * registration that does not fit is an error at the user's function,
 * spelling out what was expected. Cotangent has no forward mode: a forward
 * derivative serves only where f's parameters are scalars (its gradient is
 * one forward call per floating-point parameter); otherwise it is an error
 * when f is differentiated, unless a gradient is registered as well (then
 * the forward one is not needed). The globals are deleted once read.
 *
 * Inactive functions (__enzyme_inactivefn, the "enzyme_inactive" function
 * and call attributes, annotate("enzyme_inactive")) become no_derivative
 * functions; inactive globals get metadata that lower.c turns into
 * ct_without_derivative around their loads and stores. "enzyme_nofree"
 * needs nothing: Cotangent never relies on a callee not freeing memory. */
#include "enzyme.h"
#include "operators.h"

#include <llvm-c/Target.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GRADIENT[] = "__enzyme_register_gradient";
static const char DERIVATIVE[] = "__enzyme_register_derivative";
static const char SPLIT[] = "__enzyme_register_splitderivative";
static const char INACTIVE_FN[] = "__enzyme_inactivefn";
static const char INACTIVE_GLOBAL[] = "__enzyme_inactive_global";

static int has_attr(LLVMValueRef f, const char *name) {
  return LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, name, (unsigned)strlen(name)) != NULL;
}

static void add_string_attr(ct_module *m, LLVMValueRef f, const char *name, const char *value) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, name, (unsigned)strlen(name), value, (unsigned)strlen(value)));
}

static void add_noinline(ct_module *m, LLVMValueRef f) {
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
}

/* A constant without pointer casts; a function alias's function. */
static LLVMValueRef strip(LLVMValueRef v) {
  while (v && LLVMIsAConstantExpr(v) &&
         (LLVMGetConstOpcode(v) == LLVMBitCast || LLVMGetConstOpcode(v) == LLVMAddrSpaceCast))
    v = LLVMGetOperand(v, 0);
  if (v && LLVMIsAGlobalAlias(v))
    v = strip(LLVMAliasGetAliasee(v));
  return v;
}

/* The elements of a registration's initializer (an array, or one pointer). */
static unsigned elements(LLVMValueRef g, LLVMValueRef *out, unsigned max) {
  LLVMValueRef init = LLVMGetInitializer(g);
  if (!init || LLVMIsAConstantAggregateZero(init) || LLVMIsAConstantPointerNull(init))
    return 0;
  if (!LLVMIsAConstantArray(init) && !LLVMIsAConstantStruct(init)) {
    out[0] = strip(init);
    return 1;
  }
  unsigned n = (unsigned)LLVMGetNumOperands(init);
  for (unsigned i = 0; i < n && i < max; ++i)
    out[i] = strip(LLVMGetOperand(init, i));
  return n;
}

/* An error about registration `global` at function `at` (any function of
 * the module when it is not one: clang needs one to place it). */
static void report(ct_module *m, LLVMValueRef at, const char *global, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(ct_module *m, LLVMValueRef at, const char *global, const char *fmt, ...) {
  if (!at || !LLVMIsAFunction(at))
    for (at = LLVMGetFirstFunction(m->mod); at && LLVMIsDeclaration(at); at = LLVMGetNextFunction(at))
      ;
  if (!at)
    at = LLVMGetFirstFunction(m->mod);
  if (!at)
    return;
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
  vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, again);
  va_end(again);
  diag_report(at, NULL, CT_SEV_ERROR, "%s: %s", global, msg);
  free(msg);
}

static const char *name_of(LLVMValueRef v) {
  size_t len = 0;
  const char *s = LLVMGetValueName2(v, &len);
  return s;
}

/* A C-like name of an IR type, for messages. */
static void type_text(LLVMTypeRef t, char *buf, size_t n) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMDoubleTypeKind: snprintf(buf, n, "double"); return;
  case LLVMFloatTypeKind: snprintf(buf, n, "float"); return;
  case LLVMVoidTypeKind: snprintf(buf, n, "void"); return;
  case LLVMPointerTypeKind: snprintf(buf, n, "a pointer"); return;
  case LLVMIntegerTypeKind: {
    unsigned w = LLVMGetIntTypeWidth(t);
    snprintf(buf, n, "%s", w == 8 ? "char" : w == 16 ? "short" : w == 32 ? "int" : w == 64 ? "long" : "an integer");
    return;
  }
  default: {
    char *s = LLVMPrintTypeToString(t);
    snprintf(buf, n, "%s", s);
    LLVMDisposeMessage(s);
  }
  }
}

/* "(double, a pointer, ...)": the list, `marks` (may be NULL) marking the
 * elements that are shadows or tangents: "(its shadow)". */
static char *list_text(LLVMTypeRef *types, const unsigned char *marks, unsigned n, const char *mark) {
  char *s = util_format("(");
  for (unsigned i = 0; i < n; ++i) {
    char t[128];
    type_text(types[i], t, sizeof t);
    char *next = util_format("%s%s%s%s%s%s", s, i ? ", " : "", t, marks && marks[i] ? " (" : "", marks && marks[i] ? mark : "",
                             marks && marks[i] ? ")" : "");
    free(s);
    s = next;
  }
  char *done = util_format("%s)", s);
  free(s);
  return done;
}

/* The parameter types of fn after its sret buffer (if any). */
static unsigned user_params(LLVMValueRef fn, LLVMTypeRef *out) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  unsigned n = LLVMCountParamTypes(fty);
  LLVMTypeRef all[2 * CT_MAX_PARAMS + 8];
  if (n > sizeof all / sizeof all[0])
    return (unsigned)-1;
  LLVMGetParamTypes(fty, all);
  int sret = 0;
  enzyme_result_type(fn, &sret);
  for (unsigned i = (unsigned)sret; i < n; ++i)
    out[i - (unsigned)sret] = all[i];
  return n - (unsigned)sret;
}

static int is_ptr(LLVMTypeRef t) { return LLVMGetTypeKind(t) == LLVMPointerTypeKind; }

/* Which pointer parameters of f (types fp[np]) have a shadow in the user's
 * list up[nu] (each pointer optionally followed by its shadow); returns the
 * number of ways they can (0: none fits, 2: ambiguous), with the one way in
 * shadow[] when it is 1. */
static unsigned align_shadows(const LLVMTypeRef *fp, unsigned np, const LLVMTypeRef *up, unsigned nu,
                              unsigned char *shadow) {
  unsigned char ways[CT_MAX_PARAMS + 1][2 * CT_MAX_PARAMS + 2];
  if (np > CT_MAX_PARAMS || nu > 2 * CT_MAX_PARAMS)
    return 0;
  for (unsigned j = 0; j <= nu; ++j)
    ways[np][j] = j == nu;
  for (unsigned i = np; i-- > 0;)
    for (unsigned j = nu + 1; j-- > 0;) {
      unsigned w = 0;
      if (j < nu && up[j] == fp[i])
        w += ways[i + 1][j + 1];
      if (is_ptr(fp[i]) && j + 1 < nu && is_ptr(up[j]) && is_ptr(up[j + 1]))
        w += ways[i + 1][j + 2];
      ways[i][j] = (unsigned char)(w > 2 ? 2 : w);
    }
  if (ways[0][0] != 1)
    return ways[0][0];
  for (unsigned i = 0, j = 0; i < np; ++i) {
    shadow[i] = !(up[j] == fp[i] && ways[i + 1][j + 1] == 1);
    j += shadow[i] ? 2 : 1;
  }
  return 1;
}

static unsigned long long size_of(ct_module *m, LLVMTypeRef t) {
  return LLVMABISizeOfType(LLVMGetModuleDataLayout(m->mod), t);
}

/* f itself: not variadic, not too many parameters, a result that is void,
 * floating point or an integer. */
static int check_target(ct_module *m, LLVMValueRef f, const char *global) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(f);
  LLVMTypeRef rty = LLVMGetReturnType(fty);
  int sret = 0;
  enzyme_result_type(f, &sret);
  const char *why = LLVMIsFunctionVarArg(fty)                     ? "it is variadic"
                    : LLVMCountParams(f) > CT_MAX_PARAMS          ? "it has more than 64 parameters"
                    : sret || (LLVMGetTypeKind(rty) != LLVMVoidTypeKind && LLVMGetTypeKind(rty) != LLVMIntegerTypeKind &&
                               !type_is_fp(rty))                  ? "it returns a pointer or a struct (not supported yet)"
                    : has_attr(f, "ct-custom-derivative")         ? "it has a custom derivative (CT_DERIVATIVE) already"
                    : has_attr(f, ENZYME_GRADIENT_ATTR)           ? "it has a registered gradient already"
                    : has_attr(f, "ct-no-derivative")             ? "it is marked inactive (no derivative)"
                    : contract_differentiable_text(m, f, &(unsigned){0}) ? "it is declared differentiable (CT_DIFFERENTIABLE) "
                                                                          "as well: give it one derivative"
                                                                  : NULL;
  if (why)
    report(m, f, global, "cannot register a derivative of '%s': %s", name_of(f), why);
  return !why;
}

/* The augmented forward's parameters give the shadows; fills r->spec. */
static int check_augment(ct_module *m, ez_rule *r, const char *global, LLVMTypeRef *ftypes, unsigned np,
                         LLVMTypeRef *atypes, unsigned *na) {
  unsigned char shadow[CT_MAX_PARAMS] = {0}, marks[2 * CT_MAX_PARAMS] = {0};
  *na = user_params(r->aug, atypes);
  unsigned ways = *na == (unsigned)-1 ? 0 : align_shadows(ftypes, np, atypes, *na, shadow);
  if (ways != 1) {
    LLVMTypeRef want[2 * CT_MAX_PARAMS];
    unsigned k = 0;
    for (unsigned p = 0; p < np; ++p) {
      want[k++] = ftypes[p];
      if (is_ptr(ftypes[p])) {
        marks[k] = 1;
        want[k++] = ftypes[p];
      }
    }
    char *text = list_text(want, marks, k, "its shadow");
    report(m, r->aug, global,
           "the augmented forward '%s' of '%s' must take its parameters, each pointer followed by its shadow%s: %s",
           name_of(r->aug), name_of(r->f),
           ways ? " (which pointers have one is ambiguous here: give each pointer a shadow)" : "", text);
    free(text);
    return 0;
  }
  r->spec = (ct_spec){.fn = r->f, .nparams = np, .split = 1};
  int any = 0;
  for (unsigned p = 0; p < np; ++p) {
    r->spec.act[p] = shadow[p] ? ACT_DUP : type_is_fp(ftypes[p]) ? ACT_ACTIVE : ACT_CONST;
    any |= r->spec.act[p] != ACT_CONST;
  }
  r->spec.ret_active = type_is_fp(LLVMGetReturnType(LLVMGlobalGetValueType(r->f)));
  if (!any)
    report(m, r->f, global, "'%s' has no floating-point parameter and no pointer with a shadow: nothing to differentiate",
           name_of(r->f));
  return any;
}

/* The gradient's parameters: the augmented forward's, the derivative of a
 * floating-point result, then maybe the tape. */
static int check_gradient_params(ct_module *m, ez_rule *r, const char *global, const LLVMTypeRef *atypes, unsigned na) {
  LLVMTypeRef gtypes[2 * CT_MAX_PARAMS + 8], rty = LLVMGetReturnType(LLVMGlobalGetValueType(r->f));
  unsigned ng = user_params(r->deriv, gtypes), base = na + (r->spec.ret_active ? 1u : 0u);
  int ok = ng != (unsigned)-1 && (ng == base || ng == base + 1);
  for (unsigned i = 0; ok && i < na; ++i)
    ok = gtypes[i] == atypes[i];
  if (ok && r->spec.ret_active)
    ok = gtypes[na] == rty;
  if (ok && ng == base + 1) {
    r->tape = gtypes[base];
    int sret = 0;
    enzyme_result_type(r->deriv, &sret);
    if (LLVMGetEnumAttributeAtIndex(r->deriv, (unsigned)sret + base + 1, LLVMGetEnumAttributeKindForName("byval", 5))) {
      report(m, r->deriv, global, "the tape of '%s' is a struct passed by value: pass a pointer to it", name_of(r->deriv));
      return 0;
    }
  }
  if (!ok) {
    char *text = list_text((LLVMTypeRef *)atypes, NULL, na, "");
    char rt[64];
    type_text(rty, rt, sizeof rt);
    report(m, r->deriv, global,
           "the gradient '%s' of '%s' must take the augmented forward's parameters %s%s%s%s, then the tape if the "
           "augmented forward returns one",
           name_of(r->deriv), name_of(r->f), text, r->spec.ret_active ? ", then the derivative of the result (" : "",
           r->spec.ret_active ? rt : "", r->spec.ret_active ? ")" : "");
    free(text);
  }
  return ok;
}

/* What the augmented forward returns, given whether there is a tape. */
static int check_augment_result(ct_module *m, ez_rule *r, const char *global) {
  int sret = 0;
  LLVMTypeRef have = enzyme_result_type(r->aug, &sret), rty = LLVMGetReturnType(LLVMGlobalGetValueType(r->f));
  int none = !sret && LLVMGetTypeKind(have) == LLVMVoidTypeKind, has_result = LLVMGetTypeKind(rty) != LLVMVoidTypeKind;
  LLVMTypeRef both[2] = {r->tape, rty};
  if (!r->tape)
    r->aug_kind = none ? EZ_AUG_NONE : !sret && has_result && have == rty ? EZ_AUG_RESULT : (ez_aug_kind)-1;
  else if (none)
    r->aug_kind = (ez_aug_kind)-1;
  else if (!sret && have == r->tape)
    r->aug_kind = EZ_AUG_TAPE; /* f's result, if any, from a call of f */
  else if (has_result && size_of(m, have) >= size_of(m, LLVMStructTypeInContext(m->ctx, both, 2, 0)))
    r->aug_kind = EZ_AUG_BOTH;
  else if (!has_result && size_of(m, have) >= size_of(m, r->tape))
    r->aug_kind = EZ_AUG_TAPE;
  else
    r->aug_kind = (ez_aug_kind)-1;
  if (r->aug_kind != (ez_aug_kind)-1)
    return 1;
  char rt[64], tt[64];
  type_text(rty, rt, sizeof rt);
  if (r->tape)
    type_text(r->tape, tt, sizeof tt);
  if (r->tape)
    report(m, r->aug, global,
           "the augmented forward '%s' of '%s' must return the tape the gradient '%s' takes (%s)%s%s%s", name_of(r->aug),
           name_of(r->f), name_of(r->deriv), tt, has_result ? ", or a struct { tape; result } with the result (" : "",
           has_result ? rt : "", has_result ? ")" : "");
  else
    report(m, r->aug, global,
           "the augmented forward '%s' of '%s' returns a value, but the gradient '%s' takes no tape after %s: it "
           "must return nothing%s%s%s",
           name_of(r->aug), name_of(r->f), name_of(r->deriv),
           r->spec.ret_active ? "the derivative of the result" : "its parameters", has_result ? " or the result (" : "",
           has_result ? rt : "", has_result ? ")" : "");
  return 0;
}

/* The gradient returns the derivatives of f's floating-point parameters. */
static int check_gradient_result(ct_module *m, ez_rule *r, const char *global) {
  LLVMTypeRef fields[CT_MAX_PARAMS], ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(LLVMGlobalGetValueType(r->f), ptypes);
  unsigned nf = 0;
  for (unsigned p = 0; p < r->spec.nparams; ++p)
    if (r->spec.act[p] == ACT_ACTIVE)
      fields[nf++] = ptypes[p];
  int sret = 0;
  LLVMTypeRef have = enzyme_result_type(r->deriv, &sret);
  int none = !sret && LLVMGetTypeKind(have) == LLVMVoidTypeKind;
  int ok = nf == 0 ? none
                   : (!sret && nf == 1 && have == fields[0]) ||
                         (!none && size_of(m, have) >= size_of(m, LLVMStructTypeInContext(m->ctx, fields, nf, 0)));
  if (!ok) {
    char *text = list_text(fields, NULL, nf, "");
    report(m, r->deriv, global,
           "the gradient '%s' of '%s' must return %s%s", name_of(r->deriv), name_of(r->f),
           nf == 0 ? "nothing ('f' has no floating-point parameter)"
           : nf == 1 ? "the derivative of its floating-point parameter, of type "
                     : "the derivatives of its floating-point parameters, in a struct of ",
           nf ? text : "");
    free(text);
  }
  return ok;
}

static int check_gradient(ct_module *m, ez_rule *r, const char *global) {
  LLVMTypeRef ftypes[CT_MAX_PARAMS], atypes[2 * CT_MAX_PARAMS + 8];
  unsigned np = LLVMCountParams(r->f), na = 0;
  LLVMGetParamTypes(LLVMGlobalGetValueType(r->f), ftypes);
  return check_augment(m, r, global, ftypes, np, atypes, &na) && check_gradient_params(m, r, global, atypes, na) &&
         check_augment_result(m, r, global) && check_gradient_result(m, r, global);
}

/* A forward derivative of a function of scalars: fwd(x, dx, ..., n, ...)
 * returning { result; tangent } or the tangent. Returns -1 when f is not
 * such a function (the forward derivative cannot serve), 0 after an error. */
static int check_forward(ct_module *m, ez_rule *r, const char *global) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(r->f), rty = LLVMGetReturnType(fty), ftypes[CT_MAX_PARAMS];
  unsigned np = LLVMCountParams(r->f), nfp = 0;
  LLVMGetParamTypes(fty, ftypes);
  if (!type_is_fp_scalar(rty))
    return -1;
  LLVMTypeRef want[2 * CT_MAX_PARAMS];
  unsigned char marks[2 * CT_MAX_PARAMS] = {0};
  unsigned k = 0;
  r->spec = (ct_spec){.fn = r->f, .nparams = np, .split = 1, .ret_active = 1};
  for (unsigned p = 0; p < np; ++p) {
    if (!type_is_fp_scalar(ftypes[p]) && LLVMGetTypeKind(ftypes[p]) != LLVMIntegerTypeKind)
      return -1;
    want[k++] = ftypes[p];
    r->spec.act[p] = type_is_fp_scalar(ftypes[p]) ? ACT_ACTIVE : ACT_CONST;
    if (type_is_fp_scalar(ftypes[p])) {
      ++nfp;
      marks[k] = 1;
      want[k++] = ftypes[p];
    }
  }
  if (!nfp)
    return -1;
  LLVMTypeRef have_params[2 * CT_MAX_PARAMS + 8];
  unsigned nh = user_params(r->deriv, have_params);
  int ok = nh == k;
  for (unsigned i = 0; ok && i < k; ++i)
    ok = have_params[i] == want[i];
  int sret = 0;
  LLVMTypeRef have = enzyme_result_type(r->deriv, &sret), pair[2] = {rty, rty};
  ok = ok && ((!sret && have == rty) ||
              (LLVMGetTypeKind(have) != LLVMVoidTypeKind && size_of(m, have) >= size_of(m, LLVMStructTypeInContext(m->ctx, pair, 2, 0))));
  if (!ok) {
    char *text = list_text(want, marks, k, "tangent");
    char rt[64];
    type_text(rty, rt, sizeof rt);
    report(m, r->deriv, global,
           "the forward derivative '%s' of '%s' must take %s (each floating-point parameter followed by its "
           "tangent) and return the struct { %s result; %s tangent; } or the tangent",
           name_of(r->deriv), name_of(r->f), text, rt, rt);
    free(text);
    return 0;
  }
  r->forward = 1;
  return 1;
}

/* f's derivative is ready: adapters, and what tells everyone f has one. */
static void install(ct_module *m, const ez_rule *r) {
  char *wrt = util_format("%s", "");
  for (unsigned p = 0; p < r->spec.nparams; ++p)
    if (r->spec.act[p] != ACT_CONST) {
      char *next = util_format("%s%s%u", wrt, *wrt ? "," : "", p);
      free(wrt);
      wrt = next;
    }
  if (!enzyme_build_adapters(m, r)) {
    free(wrt);
    return;
  }
  add_string_attr(m, r->f, ENZYME_GRADIENT_ATTR, wrt);
  if (LLVMIsDeclaration(r->f)) { /* no body to hide: the declaration is the contract's */
    char *text = util_format("ct.differentiable:%s", wrt);
    LLVMMetadataRef s = LLVMMDStringInContext2(m->ctx, text, strlen(text));
    LLVMGlobalSetMetadata(r->f, LLVMGetMDKindIDInContext(m->ctx, "ct.differentiable", 17),
                          LLVMMDNodeInContext2(m->ctx, &s, 1));
    free(text);
  }
  free(wrt);
}

/* ---- the registration globals ---- */

static void delete_global(ct_module *m, LLVMValueRef g) {
  util_list_edit(m, "llvm.used", g, 0);
  util_list_edit(m, "llvm.compiler.used", g, 0);
  if (!LLVMGetFirstUse(g))
    LLVMDeleteGlobal(g);
}

/* The registration's functions (n of them): each element must be one. */
static int functions_of(ct_module *m, LLVMValueRef g, const char *global, LLVMValueRef *fns, unsigned n,
                        const char *shape) {
  LLVMValueRef el[8] = {NULL};
  unsigned count = elements(g, el, 8);
  for (unsigned i = 0; i < count && i < n; ++i)
    fns[i] = el[i] && LLVMIsAFunction(el[i]) ? el[i] : NULL;
  LLVMValueRef any = count && el[0] && LLVMIsAFunction(el[0]) ? el[0] : NULL;
  if (count != n) {
    report(m, any, global, "a registration holds %s; this one has %u element(s)", shape, count);
    return 0;
  }
  for (unsigned i = 0; i < n; ++i)
    if (!fns[i]) {
      report(m, any, global, "element %u is not a function (a registration holds %s)", i + 1, shape);
      return 0;
    }
  return 1;
}

static void register_gradient(ct_module *m, LLVMValueRef g, const char *global) {
  LLVMValueRef fns[3];
  if (!functions_of(m, g, global, fns, 3, "{function, augmented forward, gradient}"))
    return;
  ez_rule r = {.f = fns[0], .aug = fns[1], .deriv = fns[2], .global = global};
  if (check_target(m, r.f, global) && check_gradient(m, &r, global))
    install(m, &r);
}

/* A forward derivative (split: with an augmented forward) serves where f
 * has a gradient anyway, or is a function of scalars (not split);
 * otherwise f is marked, and differentiating it is an error. */
static void register_forward(ct_module *m, LLVMValueRef g, const char *global, int split) {
  LLVMValueRef fns[3];
  if (!functions_of(m, g, global, fns, split ? 3 : 2,
                    split ? "{function, augmented forward, forward derivative}" : "{function, forward derivative}"))
    return;
  LLVMValueRef f = fns[0];
  int has_gradient = has_attr(f, ENZYME_GRADIENT_ATTR);
  ez_rule r = {.f = f, .deriv = fns[split ? 2 : 1], .global = global};
  int usable = split || has_gradient ? -1 : check_forward(m, &r, global);
  if (!usable)
    return; /* reported */
  if (!split && !has_attr(f, ENZYME_FORWARD_ATTR)) { /* forward mode's derivative of f (checked where used) */
    add_string_attr(m, f, ENZYME_FORWARD_ATTR, name_of(fns[1]));
    util_list_edit(m, "llvm.compiler.used", fns[1], 1);
  }
  if (has_gradient)
    return; /* reverse mode has what it needs */
  if (usable > 0 && check_target(m, f, global))
    install(m, &r);
  else if (usable < 0) {
    add_string_attr(m, f, ENZYME_FORWARD_ONLY_ATTR, global);
    add_noinline(m, f); /* its calls stay calls, for the check at the operators */
  }
}

static void mark_inactive_function(ct_module *m, LLVMValueRef f) {
  if (!has_attr(f, "ct-no-derivative"))
    add_string_attr(m, f, "ct-no-derivative", "");
  add_noinline(m, f);
}

static void register_inactive(ct_module *m, LLVMValueRef g, const char *global, int functions) {
  LLVMValueRef el[64];
  unsigned n = elements(g, el, 64);
  for (unsigned i = 0; i < n && i < 64; ++i) {
    LLVMValueRef v = el[i];
    if (!v || LLVMIsAConstantPointerNull(v))
      continue;
    if (functions && LLVMIsAFunction(v))
      mark_inactive_function(m, v);
    else if (!functions && LLVMIsAGlobalVariable(v))
      enzyme_annotation(m, v, "enzyme_inactive", 15);
    else
      report(m, NULL, global, "element %u is not a %s", i + 1, functions ? "function" : "global variable");
  }
  if (n > 64)
    report(m, NULL, global, "holds %u elements; split it into registrations of at most 64", n);
}

/* Registrations of one kind (gradients first: a forward derivative is not
 * needed where there is one). */
static int lower_kind(ct_module *m, int kind) {
  int changed = 0;
  for (LLVMValueRef g = LLVMGetFirstGlobal(m->mod), next; g; g = next) {
    next = LLVMGetNextGlobal(g);
    size_t len = 0;
    const char *raw = LLVMGetValueName2(g, &len);
    char *name = util_format("%.*s", (int)len, raw);
    int is = kind == 0 ? strstr(name, GRADIENT) != NULL
             : kind == 1 ? strstr(name, DERIVATIVE) != NULL
             : kind == 2 ? strstr(name, SPLIT) != NULL
             : kind == 3 ? strstr(name, INACTIVE_FN) != NULL
                         : strstr(name, INACTIVE_GLOBAL) != NULL;
    if (is && !LLVMIsDeclaration(g)) {
      if (kind == 0)
        register_gradient(m, g, name);
      else if (kind <= 2)
        register_forward(m, g, name, kind == 2);
      else
        register_inactive(m, g, name, kind == 3);
      delete_global(m, g);
      changed = 1;
    }
    free(name);
  }
  return changed;
}

/* Calls carrying the "enzyme_inactive" attribute call a no_derivative
 * wrapper of their function instead. */
static int lower_inactive_calls(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(f); bb; bb = LLVMGetNextBasicBlock(bb))
      for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst; inst = LLVMGetNextInstruction(inst)) {
        LLVMValueRef callee = LLVMIsACallInst(inst) ? LLVMGetCalledValue(inst) : NULL;
        if (!callee || !LLVMIsAFunction(callee) ||
            !LLVMGetCallSiteStringAttribute(inst, LLVMAttributeFunctionIndex, "enzyme_inactive", 15))
          continue;
        char *wname = util_format("%s.ct_inactive", name_of(callee));
        LLVMValueRef w = LLVMGetNamedFunction(m->mod, wname);
        if (!w) {
          LLVMTypeRef fty = LLVMGlobalGetValueType(callee);
          w = LLVMAddFunction(m->mod, wname, fty);
          LLVMSetLinkage(w, LLVMInternalLinkage);
          mark_inactive_function(m, w);
          LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
          LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, w, "entry"));
          unsigned n = LLVMCountParams(w);
          LLVMValueRef args[2 * CT_MAX_PARAMS];
          for (unsigned i = 0; i < n && i < 2 * CT_MAX_PARAMS; ++i)
            args[i] = LLVMGetParam(w, i);
          LLVMValueRef r = LLVMBuildCall2(b, fty, callee, args, n < 2 * CT_MAX_PARAMS ? n : 2 * CT_MAX_PARAMS, "");
          if (LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMVoidTypeKind)
            LLVMBuildRetVoid(b);
          else
            LLVMBuildRet(b, r);
          LLVMDisposeBuilder(b);
        }
        free(wname);
        LLVMSetOperand(inst, (unsigned)LLVMGetNumOperands(inst) - 1, w);
        changed = 1;
      }
  return changed;
}

int enzyme_lower_registrations(ct_module *m) {
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f))
    if (has_attr(f, "enzyme_inactive") && !has_attr(f, "ct-no-derivative")) {
      mark_inactive_function(m, f);
      changed = 1;
    }
  changed |= lower_inactive_calls(m);
  for (int kind = 0; kind < 5; ++kind)
    changed |= lower_kind(m, kind);
  return changed;
}

int enzyme_annotation(ct_module *m, LLVMValueRef target, const char *text, size_t len) {
  int inactive = (len == 15 && !memcmp(text, "enzyme_inactive", 15)) || (len == 12 && !memcmp(text, "enzyme_const", 12));
  int nofree = len == 13 && !memcmp(text, "enzyme_nofree", 13);
  if (!inactive && !nofree)
    return 0;
  if (inactive && LLVMIsAFunction(target))
    mark_inactive_function(m, target);
  else if (inactive && LLVMIsAGlobalVariable(target)) {
    LLVMMetadataRef none = LLVMMDStringInContext2(m->ctx, "", 0);
    LLVMGlobalSetMetadata(target, LLVMGetMDKindIDInContext(m->ctx, ENZYME_INACTIVE_MD, strlen(ENZYME_INACTIVE_MD)),
                          LLVMMDNodeInContext2(m->ctx, &none, 1));
  }
  return 1;
}

int enzyme_check_forward_only(ct_module *m, LLVMValueRef fn, LLVMValueRef caller, LLVMValueRef site,
                              const char *op) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, ENZYME_FORWARD_ONLY_ATTR,
                                                       (unsigned)strlen(ENZYME_FORWARD_ONLY_ATTR));
    if (!a || LLVMIsDeclaration(f) || !operators_reaches(m, fn, f))
      continue;
    unsigned len = 0;
    const char *global = LLVMGetStringAttributeValue(a, &len);
    diag_report(caller, site, CT_SEV_ERROR,
                "%s: cannot differentiate '%s': it calls '%s', whose registered derivative (%.*s) is forward mode; "
                "Cotangent differentiates in reverse mode, where a forward derivative serves only functions of "
                "scalars (floating-point and integer parameters, a floating-point result): register a gradient "
                "(__enzyme_register_gradient_%s = {%s, augmented forward, gradient})",
                op, name_of(fn), name_of(f), (int)len, global, name_of(f), name_of(f));
    return 0;
  }
  return 1;
}
