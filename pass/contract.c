/* The `differentiable` contract across translation units (no LTO).
 *
 * In the file that defines a differentiable function f with external
 * linkage, its split gradient for the canonical activity is exported as
 * __ct_aug_<f> and __ct_rev_<f> (aliases of the generated pair). In any
 * other file that declares f differentiable (CT_DIFFERENTIABLE on the
 * declaration, e.g. in a header), a call of f on the differentiated path
 * calls those two symbols: ordinary separate compilation, like Swift.
 *
 * Canonical activity: floating-point parameters are active and pointers
 * duplicated (only those in the wrt list when one is given; the others are
 * constant), integers are constant; a floating-point result is
 * differentiated. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The metadata string "ct.differentiable[:a,b]" of fn, or NULL. */
static const char *differentiable_text(ct_module *m, LLVMValueRef fn, unsigned *len) {
  unsigned kind = LLVMGetMDKindIDInContext(m->ctx, "ct.differentiable", 17);
  size_t n = 0;
  LLVMValueMetadataEntry *entries = LLVMGlobalCopyAllMetadata(fn, &n);
  const char *text = NULL;
  for (size_t i = 0; i < n && !text; ++i) {
    if (LLVMValueMetadataEntriesGetKind(entries, (unsigned)i) != kind)
      continue;
    LLVMValueRef node = LLVMMetadataAsValue(m->ctx, LLVMValueMetadataEntriesGetMetadata(entries, (unsigned)i));
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

int contract_canonical_spec(ct_module *m, LLVMValueRef fn, ct_spec *out) {
  unsigned len = 0;
  const char *text = differentiable_text(m, fn, &len);
  if (!text)
    return 0;
  const char *wrt = memchr(text, ':', len);
  size_t wlen = wrt ? len - (size_t)(wrt + 1 - text) : 0;
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

/* __ct_aug_<f>, __ct_rev_<f> (whole: names of any length must not
 * collide); the caller frees them. */
static void stable_names(LLVMValueRef fn, char **aug, char **rev) {
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  *aug = util_format("__ct_aug_%.*s", (int)len, name);
  *rev = util_format("__ct_rev_%.*s", (int)len, name);
}

int contract_external_pair(ct_module *m, const ct_spec *spec, ct_split *out) {
  char *aug, *rev;
  stable_names(spec->fn, &aug, &rev);
  LLVMTypeRef aug_ty, rev_ty;
  gradient_split_types(m, spec, &aug_ty, &rev_ty);
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

void contract_export_all(ct_module *m) {
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    ct_spec spec;
    unsigned tlen = 0;
    if (!LLVMIsDeclaration(f) && LLVMCountParams(f) > CT_MAX_PARAMS && differentiable_text(m, f, &tlen)) {
      size_t len = 0;
      const char *name = LLVMGetValueName2(f, &len);
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%.*s' is declared differentiable but has %u parameters, more than the %u Cotangent "
                  "differentiates",
                  (int)len, name, LLVMCountParams(f), CT_MAX_PARAMS);
      continue;
    }
    if (LLVMIsDeclaration(f) || !contract_canonical_spec(m, f, &spec))
      continue;
    int any_fp = spec.ret_active;
    for (unsigned i = 0; i < spec.nparams; ++i)
      any_fp |= spec.act[i] == ACT_ACTIVE || spec.act[i] == ACT_DUP;
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    LLVMTypeRef rty = LLVMGetReturnType(LLVMGlobalGetValueType(f));
    if (!spec.ret_active && LLVMGetTypeKind(rty) != LLVMVoidTypeKind) {
      /* the frontend reports this at the attribute; this is for the
         annotate fallback */
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%.*s' is declared differentiable but its result is not floating point (a differentiable "
                  "function returns float or double, or void when it writes its results through pointers)",
                  (int)len, name);
      continue;
    }
    if (!any_fp) {
      diag_report(f, NULL, CT_SEV_ERROR,
                  "'%.*s' is declared differentiable but has no floating-point parameter or result to "
                  "differentiate",
                  (int)len, name);
      continue;
    }
    LLVMLinkage link = LLVMGetLinkage(f);
    if (link == LLVMInternalLinkage || link == LLVMPrivateLinkage)
      continue; /* only this file can call it: gradients are made on demand */
    char *aug, *rev;
    stable_names(f, &aug, &rev);
    ct_split split;
    if (LLVMGetNamedGlobalAlias(m->mod, aug, strlen(aug)) || !gradient_get_split(m, &spec, NULL, &split)) {
      free(aug);
      free(rev);
      continue;
    }
    /* a declaration made by a call in this file gives way to the alias */
    LLVMValueRef names[2] = {split.aug, split.rev};
    const char *exported[2] = {aug, rev};
    for (int k = 0; k < 2; ++k) {
      LLVMValueRef decl = LLVMGetNamedFunction(m->mod, exported[k]);
      LLVMValueRef alias = LLVMAddAlias2(m->mod, LLVMGlobalGetValueType(names[k]), 0, names[k], exported[k]);
      if (decl) {
        LLVMReplaceAllUsesWith(decl, alias);
        LLVMDeleteFunction(decl);
        LLVMSetValueName2(alias, exported[k], strlen(exported[k]));
      }
    }
    free(aug);
    free(rev);
    m->changed = 1;
  }
}
