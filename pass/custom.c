/* Custom derivatives: `CT_DERIVATIVE(f)` / `[[ct::derivative(f)]]` on a
 * user function P registers P as the pullback of f:
 *
 *   void P(<f's parameters>, [T seed if f returns T], <adjoint pointers>)
 *
 * with one adjoint pointer per floating-point or pointer parameter of f, in
 * order: for a scalar it points to the adjoint P adds its contribution to;
 * for a pointer it is the shadow of that array (NULL when constant).
 *
 * At PipelineStart the target is marked (string attribute
 * "ct-custom-derivative" naming P, and noinline so LLVM keeps the calls)
 * and P's signature is checked. The generator then differentiates calls of
 * f by calling P in the reverse pass, whether f has a body here or not.
 *
 * When P is only declared (its body in a library), clang emits no
 * annotation for it; then the link is recorded on f instead
 * ("ct.derivative_is:P", from CT_DERIVATIVE_IS on f), and P is declared
 * here with the expected signature if the file does not declare it; or, for
 * CT_DERIVATIVE on a declaration, the frontend plugin makes a variable
 * annotated "ct.derivative_link:f,P" that refers to P (so P's declared
 * signature is checked here too).
 *
 * "ct.access:<one char per parameter>" on f (CT_ACCESS) says which arrays
 * f writes and which P reads (see cotangent.h); custom_memory.c uses it.
 *
 * A body of f in this module is hidden from the optimizer until the
 * gradients are made: LLVM would otherwise fold calls of a trivial f away
 * before the pullback is looked up (`returned` for `return x;`, constant
 * propagation for `return 0.0;`, dead-argument elimination, ...). Every use
 * of f is moved to an opaque declaration under f's name (the body is renamed
 * "<f>.ct_body" and kept alive); after differentiation the uses go back. So
 * each call the user wrote reaches the generator and gets the pullback.
 * The same holds for f with a gradient registered the Enzyme way
 * (enzyme.h): its hidden declaration is then a differentiable function
 * (contract.c) whose split gradient is the registration's adapters. */
#include "core.h"
#include "enzyme.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CUSTOM_ATTR "ct-custom-derivative"

static int expected_signature(LLVMValueRef f, LLVMTypeRef *params, unsigned *n, LLVMContextRef ctx) {
  LLVMTypeRef fty = LLVMGlobalGetValueType(f);
  unsigned np = LLVMCountParamTypes(fty);
  if (np > CT_MAX_PARAMS)
    return 0;
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  unsigned k = 0;
  for (unsigned i = 0; i < np; ++i)
    params[k++] = ptypes[i];
  LLVMTypeRef rty = LLVMGetReturnType(fty);
  if (type_is_fp(rty))
    params[k++] = rty;
  for (unsigned i = 0; i < np; ++i)
    if (type_is_fp(ptypes[i]) || LLVMGetTypeKind(ptypes[i]) == LLVMPointerTypeKind)
      params[k++] = LLVMPointerTypeInContext(ctx, 0);
  *n = k;
  return 1;
}

static void type_name(LLVMTypeRef t, char *buf, size_t n) {
  switch (LLVMGetTypeKind(t)) {
  case LLVMDoubleTypeKind: snprintf(buf, n, "double"); return;
  case LLVMFloatTypeKind: snprintf(buf, n, "float"); return;
  case LLVMPointerTypeKind: snprintf(buf, n, "pointer"); return;
  case LLVMIntegerTypeKind: {
    unsigned w = LLVMGetIntTypeWidth(t);
    snprintf(buf, n, "%s", w == 8 ? "char" : w == 16 ? "short" : w == 32 ? "int" : w == 64 ? "long" : "integer");
    return;
  }
  default: {
    char *s = LLVMPrintTypeToString(t);
    snprintf(buf, n, "%s", s);
    LLVMDisposeMessage(s);
  }
  }
}

/* Registers the function named `pname` (pullback: it, or the function it is
 * an alias of) as the pullback of the function named `target`. */
static void register_named(ct_module *m, LLVMValueRef pullback, const char *pname, size_t plen, const char *target,
                           size_t len) {
  char *name = util_format("%.*s", (int)len, target);
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  free(name);
  if (!f)
    return; /* f is not used in this file: nothing to differentiate here */
  if (LLVMCountParams(f) > CT_MAX_PARAMS) {
    diag_report(pullback, NULL, CT_SEV_ERROR,
                "'%.*s' cannot be the derivative of '%.*s': it has %u parameters, more than the %u Cotangent "
                "differentiates",
                (int)plen, pname, (int)len, target, LLVMCountParams(f), CT_MAX_PARAMS);
    return;
  }
  LLVMTypeRef want[2 * CT_MAX_PARAMS + 1];
  unsigned nwant = 0;
  LLVMTypeRef pty = LLVMGlobalGetValueType(pullback);
  int ok = expected_signature(f, want, &nwant, m->ctx) && LLVMCountParamTypes(pty) == nwant &&
           LLVMGetTypeKind(LLVMGetReturnType(pty)) == LLVMVoidTypeKind && !LLVMIsFunctionVarArg(pty);
  if (ok) {
    LLVMTypeRef have[2 * CT_MAX_PARAMS + 1];
    LLVMGetParamTypes(pty, have);
    for (unsigned i = 0; i < nwant; ++i)
      ok &= have[i] == want[i];
  }
  if (!ok) {
    char sig[1024] = "", t[64];
    for (unsigned i = 0; i < nwant; ++i) {
      type_name(want[i], t, sizeof t);
      snprintf(sig + strlen(sig), sizeof sig - strlen(sig), "%s%s", i ? ", " : "", t);
    }
    diag_report(pullback, NULL, CT_SEV_ERROR,
                "'%.*s' cannot be the derivative of '%.*s': a derivative must be 'void %.*s(%s)' (f's "
                "parameters, the seed of its result, then a pointer to the adjoint of each "
                "floating-point or pointer parameter)",
                (int)plen, pname, (int)len, target, (int)plen, pname, sig);
    return;
  }
  LLVMAttributeRef a = LLVMCreateStringAttribute(m->ctx, CUSTOM_ATTR, (unsigned)strlen(CUSTOM_ATTR), pname,
                                                 (unsigned)plen);
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, a);
  LLVMAddAttributeAtIndex(
      f, LLVMAttributeFunctionIndex,
      LLVMCreateEnumAttribute(m->ctx, LLVMGetEnumAttributeKindForName("noinline", 8), 0));
}

/* The C++ frontend names f by its symbol followed by ";" and the access
 * f's parameter types imply ("ct.derivative:_ZNK4Tank5levelEd;r.": `this`
 * of a const member function and pointers to const are read, not written),
 * which holds unless CT_ACCESS says more. */
static void implied_access(ct_module *m, LLVMValueRef f, const char *access, size_t len);

static void register_with_access(ct_module *m, LLVMValueRef pullback, const char *pname, size_t plen,
                                 const char *target, size_t len) {
  const char *semi = memchr(target, ';', len);
  size_t nlen = semi ? (size_t)(semi - target) : len;
  register_named(m, pullback, pname, plen, target, nlen);
  if (!semi)
    return;
  char *name = util_format("%.*s", (int)nlen, target);
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  free(name);
  implied_access(m, f, semi + 1, len - nlen - 1);
}

static void implied_access(ct_module *m, LLVMValueRef f, const char *access, size_t len) {
  if (f && LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, CUSTOM_ATTR, (unsigned)strlen(CUSTOM_ATTR)) &&
      !LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-access", 9))
    custom_set_access(m, f, access, len);
}

void custom_register(ct_module *m, LLVMValueRef pullback, const char *target, size_t len) {
  size_t plen = 0;
  const char *pname = LLVMGetValueName2(pullback, &plen);
  register_with_access(m, pullback, pname, plen, target, len);
}

/* The function an alias named `name` stands for, or NULL. */
static LLVMValueRef aliased_function(ct_module *m, const char *name) {
  LLVMValueRef alias = LLVMGetNamedGlobalAlias(m->mod, name, strlen(name));
  LLVMValueRef p = alias ? LLVMAliasGetAliasee(alias) : NULL;
  while (p && LLVMIsAConstantExpr(p) && LLVMGetConstOpcode(p) == LLVMBitCast)
    p = LLVMGetOperand(p, 0);
  return p && LLVMIsAFunction(p) ? p : NULL;
}

void custom_register_on_target(ct_module *m, LLVMValueRef f, const char *pullback, size_t len) {
  char *name = util_format("%.*s", (int)len, pullback);
  LLVMValueRef p = LLVMGetNamedFunction(m->mod, name);
  size_t flen = 0;
  const char *fname = LLVMGetValueName2(f, &flen);
  LLVMValueRef aliasee = p ? NULL : aliased_function(m, name);
  if (aliasee) { /* P is an alias (the optimizer may move the body to its name) */
    register_named(m, aliasee, name, strlen(name), fname, flen);
    free(name);
    return;
  }
  if (!p) {
    LLVMTypeRef want[2 * CT_MAX_PARAMS + 1];
    unsigned nwant = 0;
    if (!expected_signature(f, want, &nwant, m->ctx)) {
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%s' cannot be the derivative of '%.*s': it has %u parameters, more than the %u Cotangent "
                  "differentiates",
                  name, (int)flen, fname, LLVMCountParams(f), CT_MAX_PARAMS);
      free(name);
      return;
    }
    p = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), want, nwant, 0));
  }
  free(name);
  custom_register(m, p, fname, flen);
}

int custom_register_link(ct_module *m, LLVMValueRef var, const char *text, size_t len) {
  /* the variable was made only to carry the link */
  util_list_edit(m, "llvm.compiler.used", var, 0);
  util_list_edit(m, "llvm.global.annotations", var, 0);
  LLVMDeleteGlobal(var);
  const char *comma = memchr(text, ',', len);
  if (!comma)
    return 1;
  const char *semi = memchr(text, ';', (size_t)(comma - text)); /* f's symbol;access (C++) */
  char *name = util_format("%.*s", (int)((semi ? semi : comma) - text), text);
  LLVMValueRef f = LLVMGetNamedFunction(m->mod, name);
  free(name);
  if (f) /* else f is not used in this file */
    custom_register_on_target(m, f, comma + 1, len - (size_t)(comma + 1 - text));
  if (f && semi)
    implied_access(m, f, semi + 1, (size_t)(comma - semi - 1));
  return 1;
}

void custom_set_access(ct_module *m, LLVMValueRef f, const char *text, size_t len) {
  /* custom_array_size keeps at most 8 size digits per parameter */
  unsigned digits = 0;
  for (size_t i = 0; i < len && text[i] != ':'; ++i) {
    digits = text[i] >= '0' && text[i] <= '9' ? digits + 1 : 0;
    if (digits > 8) {
      size_t flen = 0;
      const char *fname = LLVMGetValueName2(f, &flen);
      diag_report(f, NULL, CT_SEV_ERROR,
                  "CT_ACCESS(\"%.*s\") on '%.*s': an array's length is the product of at most 8 size parameters",
                  (int)len, text, (int)flen, fname);
      return;
    }
  }
  LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex,
                          LLVMCreateStringAttribute(m->ctx, "ct-access", 9, text, (unsigned)len));
}

/* The CT_ACCESS text of fn ("" when none), without its ":d"/":f" suffix. */
static const char *access_text(LLVMValueRef fn, unsigned *len) {
  *len = 0;
  LLVMAttributeRef a = fn && LLVMIsAFunction(fn)
                           ? LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "ct-access", 9)
                           : NULL;
  if (!a)
    return NULL;
  const char *s = LLVMGetStringAttributeValue(a, len);
  const char *colon = memchr(s, ':', *len);
  if (colon)
    *len = (unsigned)(colon - s);
  return s;
}

/* Parameter `index`'s letter in an access text, and the digits after it
 * (the integer parameters whose product is the array's element count). */
static char access_entry(const char *s, unsigned len, unsigned index, unsigned *sizes, unsigned *nsizes) {
  int p = -1;
  char letter = 0;
  *nsizes = 0;
  for (unsigned i = 0; i < len; ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      if (p == (int)index && *nsizes < 8)
        sizes[(*nsizes)++] = (unsigned)(s[i] - '0');
    } else if (++p == (int)index)
      letter = s[i];
  }
  return letter;
}

char custom_access(LLVMValueRef fn, unsigned index) {
  if (!fn || !LLVMIsAFunction(fn))
    return 'u';
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  if (index < LLVMCountParamTypes(fty)) {
    LLVMTypeRef ptypes[CT_MAX_PARAMS];
    if (LLVMCountParamTypes(fty) > CT_MAX_PARAMS)
      return 'u';
    LLVMGetParamTypes(fty, ptypes);
    if (LLVMGetTypeKind(ptypes[index]) != LLVMPointerTypeKind)
      return '.';
  }
  unsigned len = 0, sizes[8], nsizes = 0;
  const char *s = access_text(fn, &len);
  if (!s)
    return 'u'; /* unknown: written by f and read by its pullback */
  char c = access_entry(s, len, index, sizes, &nsizes);
  return c && strchr("riwu", c) ? c : 'u';
}

unsigned custom_array_size(LLVMValueRef fn, unsigned index, unsigned *sizes) {
  unsigned len = 0, n = 0;
  const char *s = access_text(fn, &len);
  if (!s || !custom_element_type(fn))
    return 0;
  access_entry(s, len, index, sizes, &n);
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  for (unsigned i = 0; i < n; ++i)
    if (sizes[i] >= LLVMCountParamTypes(fty))
      return 0;
  return n;
}

LLVMTypeRef custom_element_type(LLVMValueRef fn) {
  if (!fn || !LLVMIsAFunction(fn))
    return NULL;
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "ct-access", 9);
  if (!a)
    return NULL;
  unsigned len = 0;
  const char *s = LLVMGetStringAttributeValue(a, &len);
  const char *colon = memchr(s, ':', len);
  if (!colon || colon + 2 != s + len)
    return NULL;
  LLVMContextRef ctx = LLVMGetTypeContext(LLVMTypeOf(fn));
  return colon[1] == 'd' ? LLVMDoubleTypeInContext(ctx) : colon[1] == 'f' ? LLVMFloatTypeInContext(ctx) : NULL;
}

LLVMValueRef custom_derivative_of(ct_module *m, LLVMValueRef fn) {
  if (!fn || !LLVMIsAFunction(fn))
    return NULL;
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, CUSTOM_ATTR,
                                                     (unsigned)strlen(CUSTOM_ATTR));
  if (!a)
    return NULL;
  unsigned len = 0;
  const char *pname = LLVMGetStringAttributeValue(a, &len);
  char *name = util_format("%.*s", (int)len, pname);
  LLVMValueRef p = LLVMGetNamedFunction(m->mod, name);
  if (!p)
    p = LLVMGetNamedGlobalAlias(m->mod, name, strlen(name));
  LLVMTypeRef want[2 * CT_MAX_PARAMS + 1];
  unsigned nwant = 0;
  /* a mere declaration, removed by the optimizer as unused */
  if (!p && expected_signature(fn, want, &nwant, m->ctx))
    p = LLVMAddFunction(m->mod, name, LLVMFunctionType(LLVMVoidTypeInContext(m->ctx), want, nwant, 0));
  free(name);
  return p;
}

int custom_param_no_derivative(LLVMValueRef fn, unsigned index) {
  if (!fn || !LLVMIsAFunction(fn))
    return 0;
  LLVMAttributeRef a = LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, "ct-no-derivative-params", 23);
  if (!a)
    return 0;
  unsigned len = 0;
  const char *list = LLVMGetStringAttributeValue(a, &len);
  for (unsigned p = 0; p < len;) {
    unsigned v = 0, q = p;
    while (q < len && list[q] >= '0' && list[q] <= '9')
      v = v * 10 + (unsigned)(list[q++] - '0');
    if (q > p && v == index)
      return 1;
    p = q + 1;
  }
  return 0;
}

/* ---- hiding bodies of functions with custom derivatives ---- */

#define BODY_SUFFIX ".ct_body"
#define BODY_MD "ct.custom_body"

/* "ct.differentiable:<wrt>" metadata on d, the wrt list from an Enzyme
 * registration's attribute (enzyme.h). */
static void set_differentiable(ct_module *m, LLVMValueRef d, LLVMAttributeRef enzyme) {
  unsigned len = 0;
  const char *wrt = LLVMGetStringAttributeValue(enzyme, &len);
  char *text = util_format("ct.differentiable:%.*s", (int)len, wrt);
  LLVMMetadataRef s = LLVMMDStringInContext2(m->ctx, text, strlen(text));
  LLVMGlobalSetMetadata(d, LLVMGetMDKindIDInContext(m->ctx, "ct.differentiable", 17), LLVMMDNodeInContext2(m->ctx, &s, 1));
  free(text);
}

int custom_hide_bodies(ct_module *m) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, BODY_MD, (unsigned)strlen(BODY_MD));
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod), next; f; f = next) {
    next = LLVMGetNextFunction(f);
    LLVMAttributeRef enzyme = LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, ENZYME_GRADIENT_ATTR,
                                                            (unsigned)strlen(ENZYME_GRADIENT_ATTR));
    if (LLVMIsDeclaration(f) || (!enzyme && !LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, CUSTOM_ATTR,
                                                                           (unsigned)strlen(CUSTOM_ATTR))))
      continue;
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    char *fname = malloc(len + sizeof BODY_SUFFIX);
    memcpy(fname, name, len);
    memcpy(fname + len, BODY_SUFFIX, sizeof BODY_SUFFIX);
    LLVMSetValueName2(f, fname, len + sizeof BODY_SUFFIX - 1);
    fname[len] = 0;
    LLVMValueRef d = LLVMAddFunction(m->mod, fname, LLVMGlobalGetValueType(f));
    free(fname);
    ir_copy_attributes(f, d, LLVMAttributeFunctionIndex); /* not its memory effects, not noinline/optnone */
    LLVMSetFunctionCallConv(d, LLVMGetFunctionCallConv(f));
    LLVMReplaceAllUsesWith(f, d);
    LLVMMetadataRef body = LLVMValueAsMetadata(f);
    LLVMGlobalSetMetadata(d, kind, LLVMMDNodeInContext2(m->ctx, &body, 1));
    if (enzyme) /* its gradient is the registered one: the declaration is differentiable (contract.c) */
      set_differentiable(m, d, enzyme);
    util_list_edit(m, "llvm.compiler.used", f, 1);
    changed = 1;
  }
  return changed;
}

/* The body hidden behind declaration `d`, or NULL. */
static LLVMValueRef hidden_body(ct_module *m, LLVMValueRef d, unsigned kind) {
  size_t n = 0;
  LLVMValueMetadataEntry *entries = LLVMGlobalCopyAllMetadata(d, &n);
  LLVMValueRef body = NULL;
  for (size_t i = 0; i < n && !body; ++i) {
    if (LLVMValueMetadataEntriesGetKind(entries, (unsigned)i) != kind)
      continue;
    LLVMValueRef node = LLVMMetadataAsValue(m->ctx, LLVMValueMetadataEntriesGetMetadata(entries, (unsigned)i));
    LLVMValueRef op[1] = {NULL};
    if (LLVMGetMDNodeNumOperands(node) == 1)
      LLVMGetMDNodeOperands(node, op);
    body = op[0] && LLVMIsAFunction(op[0]) ? op[0] : NULL;
  }
  if (entries)
    LLVMDisposeValueMetadataEntries(entries);
  return body;
}

int custom_body_only_reads(ct_module *m, LLVMValueRef d, unsigned index) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, BODY_MD, (unsigned)strlen(BODY_MD));
  LLVMValueRef f = LLVMIsAFunction(d) && LLVMIsDeclaration(d) ? hidden_body(m, d, kind) : NULL;
  if (!f || index >= LLVMCountParams(f))
    return 0;
  static const char *const READ[] = {"readonly", "readnone"};
  for (int i = 0; i < 2; ++i)
    if (LLVMGetEnumAttributeAtIndex(f, index + 1, LLVMGetEnumAttributeKindForName(READ[i], strlen(READ[i]))))
      return 1;
  return 0;
}

#define HIDDEN_SUFFIX ".ct_hidden"

/* Gives body `f` its name back from declaration `d` (d becomes
 * "<f>.ct_hidden"), unless done already. */
static void restore_name(LLVMValueRef d, LLVMValueRef f) {
  size_t len = 0, flen = 0;
  const char *fname = LLVMGetValueName2(f, &flen);
  size_t slen = strlen(BODY_SUFFIX);
  if (flen < slen || memcmp(fname + flen - slen, BODY_SUFFIX, slen) != 0)
    return;
  const char *name = LLVMGetValueName2(d, &len);
  char *buf = malloc(len + sizeof HIDDEN_SUFFIX);
  memcpy(buf, name, len);
  memcpy(buf + len, HIDDEN_SUFFIX, sizeof HIDDEN_SUFFIX);
  LLVMSetValueName2(d, buf, len + sizeof HIDDEN_SUFFIX - 1);
  LLVMSetValueName2(f, buf, len);
  free(buf);
}

/* Calls `restore` for each hidden body (after restore_name). */
static int for_each_hidden(ct_module *m, int restore) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, BODY_MD, (unsigned)strlen(BODY_MD));
  int changed = 0;
  for (LLVMValueRef d = LLVMGetFirstFunction(m->mod), next; d; d = next) {
    next = LLVMGetNextFunction(d);
    LLVMValueRef f = LLVMIsDeclaration(d) ? hidden_body(m, d, kind) : NULL;
    if (!f)
      continue;
    restore_name(d, f);
    if (restore) {
      util_list_edit(m, "llvm.compiler.used", f, 0);
      LLVMReplaceAllUsesWith(d, f);
      LLVMDeleteFunction(d);
    }
    changed = 1;
  }
  return changed;
}

int custom_restore_names(ct_module *m) { return for_each_hidden(m, 0); }

int custom_restore_bodies(ct_module *m) { return for_each_hidden(m, 1); }

void custom_build_call_body(ct_module *m, LLVMValueRef f, LLVMValueRef into) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, BODY_MD, (unsigned)strlen(BODY_MD));
  LLVMValueRef target = f;
  for (LLVMValueRef d = LLVMGetFirstFunction(m->mod); d && target == f; d = LLVMGetNextFunction(d))
    if (LLVMIsDeclaration(d) && hidden_body(m, d, kind) == f)
      target = d;
  LLVMTypeRef fty = LLVMGlobalGetValueType(f);
  unsigned n = LLVMCountParams(into);
  LLVMValueRef *args = malloc((n + 1) * sizeof *args);
  for (unsigned i = 0; i < n; ++i)
    args[i] = LLVMGetParam(into, i);
  LLVMBuilderRef b = LLVMCreateBuilderInContext(m->ctx);
  LLVMPositionBuilderAtEnd(b, LLVMAppendBasicBlockInContext(m->ctx, into, "entry"));
  LLVMValueRef r = LLVMBuildCall2(b, fty, target, args, n, "");
  LLVMSetInstructionCallConv(r, LLVMGetFunctionCallConv(target));
  if (LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMVoidTypeKind)
    LLVMBuildRetVoid(b);
  else
    LLVMBuildRet(b, r);
  LLVMDisposeBuilder(b);
  free(args);
}
