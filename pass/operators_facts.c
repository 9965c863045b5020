/* The facts the attribute frontend records at an operator call, and the
 * checks made with them (operators.h).
 *
 * In the IR, pointers are opaque and a struct passed by value is split
 * into its fields, so a `float *` receiving the derivative of a double
 * (8-byte stores into a float) or a struct of doubles looks like any other
 * pointer or like separate scalars. The frontend (frontend_operators.cpp)
 * knows C's types but not the argument layout; it makes the call call a
 * declaration of its own annotated with the facts, lines of tab-separated
 * fields:
 *
 *   <process id>
 *   <the function's name>
 *   p <kind> <type id> <element type id> <name> <type>   one per parameter
 *   a <kind> <source location> <type id> <element type id> <type>   one per argument
 *
 * A parameter's type is the one its shadow or derivative pointer must
 * point to (a pointer's pointee; the parameter's own type otherwise); an
 * argument's is what it points to (an array's element). Type ids number
 * the translation unit's canonical types, 0 standing for void or none; the
 * element type id is that of the innermost array element (a flat double[9]
 * is a fine shadow for a double (*)[3]). A source location is clang's,
 * meaningful only in the process that made it (else, as after
 * -save-temps, errors are at the call). The pass walks the layout
 * (operators_parse.c) and asks here at each parameter. */
#include "operators.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A call site's own declaration, and its annotation's facts, in an entry
 * of llvm.global.annotations. */
static LLVMValueRef site_of(LLVMValueRef entry, LLVMValueRef *facts) {
  if (!LLVMIsAConstantStruct(entry) || LLVMGetNumOperands(entry) < 2)
    return NULL;
  LLVMValueRef f = LLVMGetOperand(entry, 0);
  *facts = LLVMGetOperand(entry, 1);
  size_t len = 0;
  const char *name = f && LLVMIsAFunction(f) ? LLVMGetValueName2(f, &len) : "";
  return strstr(name, OPERATOR_SITE_SUFFIX) && LLVMIsAGlobalVariable(*facts) ? f : NULL;
}

static LLVMValueRef annotations(ct_module *m, unsigned *n) {
  LLVMValueRef ga = LLVMGetNamedGlobal(m->mod, "llvm.global.annotations");
  LLVMValueRef init = ga ? LLVMGetInitializer(ga) : NULL;
  *n = init && LLVMIsAConstantArray(init) ? (unsigned)LLVMGetNumOperands(init) : 0;
  return init;
}

void facts_collect(ct_module *m, ct_vmap *facts) {
  unsigned n = 0;
  LLVMValueRef init = annotations(m, &n), text = NULL;
  for (unsigned i = 0; i < n; ++i) {
    LLVMValueRef site = site_of(LLVMGetOperand(init, i), &text);
    if (site)
      vmap_set(facts, site, text);
  }
}

/* Deletes g, used by constants at most (the annotations' old entries). */
static void delete_global(LLVMValueRef g) {
  for (LLVMUseRef u = LLVMGetFirstUse(g); u; u = LLVMGetNextUse(u))
    if (!LLVMIsAConstant(LLVMGetUser(u)) || LLVMIsAGlobalValue(LLVMGetUser(u)))
      return;
  LLVMReplaceAllUsesWith(g, LLVMConstNull(LLVMTypeOf(g)));
  if (LLVMIsAFunction(g))
    LLVMDeleteFunction(g);
  else
    LLVMDeleteGlobal(g);
}

void facts_remove(ct_module *m) {
  for (unsigned n = 0, i = 0;; ++i) {
    LLVMValueRef init = annotations(m, &n), text = NULL, site = NULL;
    while (i < n && !(site = site_of(LLVMGetOperand(init, i), &text)))
      ++i;
    if (!site)
      return;
    util_list_edit(m, "llvm.global.annotations", site, 0); /* rebuilds the list */
    delete_global(site);
    delete_global(text);
    i = (unsigned)-1;
  }
}

/* The text up to `sep` (made a string), advancing *s past it. */
static char *field(char **s, char sep) {
  char *f = *s, *end = strchr(f, sep);
  if (end) {
    *end = 0;
    *s = end + 1;
  } else {
    *s = f + strlen(f);
  }
  return f;
}

static void read_line(ct_facts *f, char *line) {
  char *tag = field(&line, '\t');
  if (!strcmp(tag, "p")) {
    f->params = realloc(f->params, (f->nparams + 1) * sizeof *f->params);
    ct_fact_param *p = &f->params[f->nparams++];
    p->kind = *field(&line, '\t');
    p->type = strtoul(field(&line, '\t'), NULL, 10);
    p->base = strtoul(field(&line, '\t'), NULL, 10);
    p->name = field(&line, '\t');
    p->shown = field(&line, '\t');
  } else if (!strcmp(tag, "a")) {
    f->args = realloc(f->args, (f->nargs + 1) * sizeof *f->args);
    ct_fact_arg *a = &f->args[f->nargs++];
    a->kind = *field(&line, '\t');
    a->loc = strtoull(field(&line, '\t'), NULL, 10);
    a->type = strtoul(field(&line, '\t'), NULL, 10);
    a->base = strtoul(field(&line, '\t'), NULL, 10);
    a->shown = field(&line, '\t');
  }
}

int facts_read(LLVMValueRef global, ct_facts *out) {
  memset(out, 0, sizeof *out);
  LLVMValueRef init = global ? LLVMGetInitializer(global) : NULL;
  if (!init || !LLVMIsConstantString(init))
    return 0;
  size_t len = 0;
  const char *text = LLVMGetAsString(init, &len);
  out->text = malloc(len + 1);
  memcpy(out->text, text, len);
  out->text[len] = 0;
  char *s = out->text;
  out->here = strtoull(field(&s, '\n'), NULL, 10) == (unsigned long long)getpid();
  out->fn = field(&s, '\n');
  while (*s)
    read_line(out, field(&s, '\n'));
  return 1;
}

void facts_free(ct_facts *f) {
  free(f->text);
  free(f->params);
  free(f->args);
  memset(f, 0, sizeof *f);
}

static int is_struct(char kind) { return kind == 's' || kind == 'c' || kind == 'r'; }

/* Item q of n in the IR, of nc in C with structs passed by value from
 * index first to last (-1: none), each may be split in several: the items
 * before the first struct and after the last match one to one, counted
 * from either end (the first struct's first piece too: a struct is never
 * empty here); a single struct takes what lies between. Else -1. */
static int c_index(unsigned q, unsigned n, unsigned nc, int first, int last) {
  if (first < 0)
    return n == nc ? (int)q : -1;
  if (q <= (unsigned)first)
    return (int)q;
  unsigned after = nc - 1 - (unsigned)last; /* items after the last struct */
  if (n < (unsigned)first + 1 + after)
    return -1;
  if (q >= n - after)
    return (int)q - (int)n + (int)nc;
  return first == last ? first : -1;
}

void facts_map_params(const ct_facts *f, LLVMValueRef fn, int *c_param) {
  unsigned n = LLVMCountParams(fn);
  int first = -1, last = -1;
  for (unsigned p = 0; p < f->nparams; ++p)
    if (is_struct(f->params[p].kind)) {
      first = first < 0 ? (int)p : first;
      last = (int)p;
    }
  int sret = n && LLVMGetEnumAttributeAtIndex(fn, 1, LLVMGetEnumAttributeKindForName("sret", 4));
  for (unsigned q = 0; q < n; ++q)
    c_param[q] = sret ? -1 : c_index(q, n, f->nparams, first, last);
}

int facts_arg_of(const ct_facts *f, LLVMValueRef call, unsigned first_operand, unsigned operand) {
  unsigned n = (unsigned)LLVMGetNumArgOperands(call) - first_operand;
  int first = -1, last = -1;
  for (unsigned a = 0; a < f->nargs; ++a)
    if (f->args[a].kind == 's') {
      first = first < 0 ? (int)a : first;
      last = (int)a;
    }
  return operand < first_operand ? -1 : c_index(operand - first_operand, n, f->nargs, first, last);
}

/* "parameter 2 ('y') of 'f'" */
static void describe(const ct_facts *f, int param, char *buf, size_t n) {
  const char *name = f->params[param].name;
  if (*name)
    snprintf(buf, n, "parameter %d ('%s') of '%s'", param + 1, name, f->fn);
  else
    snprintf(buf, n, "parameter %d of '%s'", param + 1, f->fn);
}

/* An error at the source location of argument `arg` (-1: at the call),
 * said once for all copies of a call. */
__attribute__((format(printf, 4, 5))) static void error_at(const ct_site *s, const ct_facts *f, int arg,
                                                            const char *fmt, ...) {
  if (s->facts_repeated)
    return;
  va_list ap, again;
  va_start(ap, fmt);
  va_copy(again, ap);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *msg = malloc(n > 0 ? (size_t)n + 1 : 1);
  vsnprintf(msg, n > 0 ? (size_t)n + 1 : 1, fmt, again);
  va_end(again);
  if (f->here && arg >= 0)
    ct_bridge_diagnose_at_source(LLVMGetTypeContext(LLVMTypeOf(s->call)), f->args[arg].loc, msg);
  else /* at the call, as after -save-temps (made by another process) */
    diag_report(s->caller, s->call, CT_SEV_ERROR, "%s", msg);
  free(msg);
}

int facts_check_by_value(const ct_site *s, const ct_facts *f) {
  unsigned arg = 0;
  for (unsigned p = 0; p < f->nparams; ++p) {
    char kind = f->params[p].kind, what[512];
    if (!is_struct(kind))
      continue;
    while (arg < f->nargs && f->args[arg].kind != 's')
      ++arg;
    if (kind == 'r') {
      ++arg;
      continue;
    }
    describe(f, (int)p, what, sizeof what);
    const char *a = kind == 's' ? "struct" : "complex number";
    int span = strstr(f->params[p].shown, "std::span<") != NULL;
    error_at(s, f, arg < f->nargs ? (int)arg : -1,
             "%s: %s is a %s passed by value ('%s'): differentiating functions that take %ss by value is not "
             "supported yet (pass a pointer to it)%s",
             operator_name(s->kind), what, a, f->params[p].shown, a,
             span ? "; for a std::span, pass the span and its shadow span to ct::gradient of <cotangent.hpp>, "
                    "or pass xs.data(), dxs.data(), xs.size() to a function taking a pointer and a size"
                  : "");
    return 0;
  }
  return 1;
}

int facts_check_pointer(const ct_site *s, const ct_facts *f, int param, int arg, int shadow) {
  const ct_fact_param *p = &f->params[param];
  if (arg < 0 || (p->kind == 'v' ? !shadow : p->kind != (shadow ? 'p' : 'f')))
    return 1;
  const ct_fact_arg *a = &f->args[arg];
  if (!a->type || !p->type || a->type == p->type || (shadow && a->base == p->base))
    return 1;
  char what[512];
  describe(f, param, what, sizeof what);
  if (p->kind == 'v')
    error_at(s, f, arg, "%s: %s is a struct '%s' passed by value, so the pointer to its tangent struct that "
                        "follows it must be '%s *', not '%s'",
             operator_name(s->kind), what, p->shown, p->shown, a->shown);
  else if (shadow)
    error_at(s, f, arg, "%s: %s points to '%s', so its shadow must point to '%s' too, not be '%s'",
             operator_name(s->kind), what, p->shown, p->shown, a->shown);
  else
    error_at(s, f, arg, "%s: %s has type '%s', so the pointer receiving its derivative must be '%s *', not '%s'",
             operator_name(s->kind), what, p->shown, p->shown, a->shown);
  return 0;
}
