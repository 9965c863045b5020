/* The `differentiable` contract across translation units (no LTO).
 *
 * In the file that defines a differentiable function f with external
 * linkage, its split gradient for the canonical activity is exported as
 * __ct_aug_<f> and __ct_rev_<f> (aliases of the generated pair). In any
 * other file that declares f differentiable (CT_DIFFERENTIABLE on the
 * declaration, e.g. in a header), a call of f on the differentiated path
 * calls those two symbols: ordinary separate compilation, like Swift.
 *
 * (registry.c exports them.) A function with several configurations
 * (several wrt lists) exports each; the others' names carry their list
 * (contract_config_names), and calls in other files pick theirs
 * (classify.c).
 *
 * Canonical activity: floating-point parameters are active and pointers
 * duplicated (only those in the wrt list when one is given; the others are
 * constant), integers are constant; a floating-point result is
 * differentiated; a pointer result's shadow is returned with it (registry.c
 * and classify.c set ret_shadow: the operators' gradients of the function
 * itself have none). */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *differentiable_text(LLVMContextRef ctx, LLVMValueRef fn, unsigned *len) {
  unsigned kind = LLVMGetMDKindIDInContext(ctx, "ct.differentiable", 17);
  size_t n = 0;
  LLVMValueMetadataEntry *entries = LLVMGlobalCopyAllMetadata(fn, &n);
  const char *text = NULL;
  for (size_t i = 0; i < n && !text; ++i) {
    if (LLVMValueMetadataEntriesGetKind(entries, (unsigned)i) != kind)
      continue;
    LLVMValueRef node = LLVMMetadataAsValue(ctx, LLVMValueMetadataEntriesGetMetadata(entries, (unsigned)i));
    if (LLVMGetMDNodeNumOperands(node) == 1) {
      LLVMValueRef op[1];
      LLVMGetMDNodeOperands(node, op);
      text = LLVMGetMDString(op[0], len);
    }
  }
  if (entries)
    LLVMDisposeValueMetadataEntries(entries);
  return text;
}

const char *contract_differentiable_text(ct_module *m, LLVMValueRef fn, unsigned *len) {
  return differentiable_text(m->ctx, fn, len);
}

/* Is parameter `i` (named `name`) in the wrt list `list` ("a,b")? */
static int in_wrt(const char *list, size_t len, const char *name, size_t nlen, unsigned i) {
  if (!len)
    return 1;
  for (size_t p = 0; p < len;) {
    size_t q = p;
    while (q < len && list[q] != ',')
      ++q;
    char num[16];
    snprintf(num, sizeof num, "%u", i);
    if ((q - p == nlen && nlen && !memcmp(list + p, name, nlen)) ||
        (q - p == strlen(num) && !memcmp(list + p, num, q - p)))
      return 1;
    p = q + 1;
  }
  return 0;
}

int contract_is_differentiable(LLVMValueRef fn) {
  unsigned len = 0;
  return differentiable_text(LLVMGetModuleContext(LLVMGetGlobalParent(fn)), fn, &len) != NULL;
}

/* The wrt lists of fn's configurations: "ct.differentiable:L1|L2|..." (one
 * per `differentiable` attribute, lower.c), "*" for all parameters; a
 * single "ct.differentiable" or "ct.differentiable:L" is one configuration.
 * Sets *list and *wlen to configuration k's list (wlen 0: all). */
static int config_list(const char *text, unsigned len, unsigned k, const char **list, size_t *wlen) {
  const char *wrt = memchr(text, ':', len);
  if (!wrt) {
    *list = NULL, *wlen = 0;
    return k == 0;
  }
  const char *p = wrt + 1, *end = text + len;
  for (unsigned i = 0;; ++i) {
    const char *bar = memchr(p, '|', (size_t)(end - p));
    const char *stop = bar ? bar : end;
    if (i == k) {
      int all = stop - p == 1 && *p == '*';
      *list = all ? NULL : p, *wlen = all ? 0 : (size_t)(stop - p);
      return 1;
    }
    if (!bar)
      return 0;
    p = bar + 1;
  }
}

unsigned contract_config_count(ct_module *m, LLVMValueRef fn) {
  unsigned len = 0, n = 0;
  const char *text = contract_differentiable_text(m, fn, &len), *list;
  size_t wlen;
  while (text && config_list(text, len, n, &list, &wlen))
    ++n;
  return n;
}

int contract_canonical_spec(ct_module *m, LLVMValueRef fn, ct_spec *out) { return contract_config_spec(m, fn, 0, out); }

int contract_config_spec(ct_module *m, LLVMValueRef fn, unsigned k, ct_spec *out) {
  unsigned len = 0;
  const char *text = contract_differentiable_text(m, fn, &len);
  const char *list;
  size_t wlen;
  if (!text || !config_list(text, len, k, &list, &wlen))
    return 0;
  const char *wrt = list ? list - 1 : NULL;
  LLVMTypeRef fty = LLVMGlobalGetValueType(fn);
  unsigned np = LLVMCountParamTypes(fty);
  if (np > CT_MAX_PARAMS)
    return 0;
  LLVMTypeRef ptypes[CT_MAX_PARAMS];
  LLVMGetParamTypes(fty, ptypes);
  memset(out, 0, sizeof *out);
  out->fn = fn;
  out->nparams = np;
  out->split = 1;
  for (unsigned i = 0; i < np; ++i) {
    size_t nlen = 0;
    const char *pname = LLVMIsDeclaration(fn) ? "" : LLVMGetValueName2(LLVMGetParam(fn, i), &nlen);
    if (custom_param_no_derivative(fn, i))
      out->act[i] = ACT_CONST;
    else if (type_is_fp(ptypes[i]))
      out->act[i] = in_wrt(wrt ? wrt + 1 : NULL, wlen, pname, nlen, i) ? ACT_ACTIVE : ACT_CONST;
    else if (LLVMGetTypeKind(ptypes[i]) == LLVMPointerTypeKind)
      out->act[i] = in_wrt(wrt ? wrt + 1 : NULL, wlen, pname, nlen, i) ? ACT_DUP : ACT_CONST;
    else
      out->act[i] = ACT_CONST;
  }
  out->ret_active = type_is_fp(LLVMGetReturnType(fty));
  return 1;
}

void contract_stable_names(LLVMValueRef fn, char **aug, char **rev) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  *aug = util_format("__ct_aug_%.*s", (int)len, name);
  *rev = util_format("__ct_rev_%.*s", (int)len, name);
}

/* Configuration k's names: the stable names for the first, the stable names
 * + ".wrt.<indices of its parameters with a derivative>" for the others
 * (by the list, not by k, so that files listing them in another order
 * agree). */
void contract_config_names(ct_module *m, LLVMValueRef fn, const ct_spec *spec, char **aug, char **rev) {
  contract_stable_names(fn, aug, rev);
  ct_spec first;
  if (contract_config_count(m, fn) < 2 || !contract_canonical_spec(m, fn, &first) ||
      !memcmp(first.act, spec->act, spec->nparams * sizeof *spec->act))
    return;
  char *suffix = util_format(".wrt");
  for (unsigned i = 0; i < spec->nparams; ++i)
    if (spec->act[i] != ACT_CONST) {
      char *longer = util_format("%s.%u", suffix, i);
      free(suffix);
      suffix = longer;
    }
  char *a = util_format("%s%s", *aug, suffix), *r = util_format("%s%s", *rev, suffix);
  free(*aug);
  free(*rev);
  free(suffix);
  *aug = a, *rev = r;
}

int contract_external_pair(ct_module *m, const ct_spec *spec, ct_split *out) {
  char *aug, *rev;
  contract_config_names(m, spec->fn, spec, &aug, &rev);
  LLVMTypeRef aug_ty, rev_ty;
  signature_split(m, spec, &aug_ty, &rev_ty);
  out->aug = LLVMGetNamedGlobalAlias(m->mod, aug, strlen(aug));
  if (!out->aug)
    out->aug = LLVMGetNamedFunction(m->mod, aug);
  if (!out->aug)
    out->aug = LLVMAddFunction(m->mod, aug, aug_ty);
  out->rev = LLVMGetNamedGlobalAlias(m->mod, rev, strlen(rev));
  if (!out->rev)
    out->rev = LLVMGetNamedFunction(m->mod, rev);
  if (!out->rev)
    out->rev = LLVMAddFunction(m->mod, rev, rev_ty);
  free(aug);
  free(rev);
  return 1;
}
