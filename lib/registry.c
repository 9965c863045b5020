/* The registry of differentiable functions, for operators applied to
 * function pointers known only at run time.
 *
 * Each file that defines a differentiable function registers, from a
 * constructor the pass adds, the function's address with a gradient entry
 * point taking the operator's arguments as a variadic call passes them.
 * A lookup that finds nothing is a clear run-time error. The table is an
 * open-addressing hash set protected by a mutex (registration happens at
 * start-up; lookups are rare enough not to matter). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include "runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* grad[0]: the gradient entry (ct_gradient, ct_value_with_gradient: the
 * variadic call's arguments), grad[1]: ct_gradient_of's gradient, grad[2]:
 * the pullback maker (ct_pullback, ct_value_with_pullback); NULL where the
 * function has none. */
typedef struct {
  const void *fn, *grad[3];
} ct_entry;

static ct_entry *table;
static size_t cap, count;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static size_t slot(const void *fn, size_t c) {
  uint64_t h = (uint64_t)(uintptr_t)fn * 0x9E3779B97F4A7C15ULL;
  return (size_t)(h >> 17) & (c - 1);
}

static void insert(ct_entry *t, size_t c, const void *fn, const void *const *grad) {
  size_t i = slot(fn, c);
  while (t[i].fn && t[i].fn != fn)
    i = (i + 1) & (c - 1);
  t[i].fn = fn;
  for (int k = 0; k < 3; ++k)
    t[i].grad[k] = grad[k];
}

void __ct_register_gradient(const void *fn, const void *grad) { __ct_register_entries(fn, grad, NULL, NULL); }

void __ct_register_entries(const void *fn, const void *grad, const void *gradient_of, const void *pullback) {
  const void *entries[3] = {grad, gradient_of, pullback};
  pthread_mutex_lock(&lock);
  if (2 * (count + 1) > cap) {
    size_t ncap = cap ? 2 * cap : 64;
    ct_entry *nt = calloc(ncap, sizeof *nt);
    if (!nt)
      __ct_runtime_error("out of memory registering a differentiable function");
    for (size_t i = 0; i < cap; ++i)
      if (table[i].fn)
        insert(nt, ncap, table[i].fn, table[i].grad);
    free(table);
    table = nt;
    cap = ncap;
  }
  insert(table, cap, fn, entries);
  count++;
  pthread_mutex_unlock(&lock);
}

/* fn as a message names it: 'symbol' or its address. */
static void name_function(const void *fn, char *name, size_t n) {
  Dl_info info;
  if (dladdr(fn, &info) && info.dli_sname && info.dli_saddr == fn)
    snprintf(name, n, "'%s'", info.dli_sname);
  else
    snprintf(name, n, "at %p", fn);
}

void __ct_indirect_call_unknown(const void *fn, const char *where) {
  char msg[1024], name[256];
  name_function(fn, name, sizeof name);
  snprintf(msg, sizeof msg,
           "%s: the function %s, called through a pointer in code being differentiated, is not one whose "
           "derivative that call knows: it dispatches among the functions of its type of its file that the pointer "
           "may hold (with a body there, a libm function, or declared CT_DIFFERENTIABLE there)",
           where ? where : "a call through a pointer", name);
  __ct_runtime_error(msg);
}

const void *__ct_lookup_gradient(const void *fn, const char *op) { return __ct_lookup_entry(fn, op, 0); }

const void *__ct_lookup_entry(const void *fn, const char *op, int which) {
  const void *grad = NULL;
  int found = 0;
  pthread_mutex_lock(&lock);
  if (cap && which >= 0 && which < 3)
    for (size_t i = slot(fn, cap); table[i].fn; i = (i + 1) & (cap - 1))
      if (table[i].fn == fn) {
        grad = table[i].grad[which];
        found = 1;
        break;
      }
  pthread_mutex_unlock(&lock);
  if (!grad && found) {
    char msg[512], name[256];
    name_function(fn, name, sizeof name);
    snprintf(msg, sizeof msg,
             "%s: the differentiable function %s has no %s for calls through a pointer (%s)", op ? op : "gradient",
             name, which == 2 ? "pullback" : "gradient",
             which == 2 ? "its forward pass needs the shadows of its pointer arguments before they are given: use "
                          "ct_gradient"
                        : "its result is neither floating point nor void");
    __ct_runtime_error(msg);
  }
  if (!grad) {
    char msg[512], name[256];
    name_function(fn, name, sizeof name);
    snprintf(msg, sizeof msg,
             "%s: the function %s is not differentiable (declare it CT_DIFFERENTIABLE, in a file "
             "compiled with Cotangent)",
             op ? op : "gradient", name);
    __ct_runtime_error(msg);
  }
  return grad;
}
