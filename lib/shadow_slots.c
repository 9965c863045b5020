/*
 * Shadows of pointers kept in memory that has no shadow, for one run of a
 * gradient's forward pass.
 *
 * A differentiated function may store pointers to its own differentiable
 * memory (a workspace it mallocs) into memory that has no shadow: a model
 * struct passed as constant, a global. Loading such a pointer back, the
 * generated code cannot read its shadow from a shadow struct; it finds it
 * here instead, by the address it was stored at. An address holding another
 * pointer than the one stored there (the caller's own, or one written by
 * code that did not register it) has no known shadow: a load that needs one
 * stops the program with a message, never a silently wrong derivative.
 */
#include "runtime.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct {
  const void *addr; /* NULL: a free entry */
  const void *primal;
  void *shadow;
} ct_slot;

typedef struct {
  ct_slot *slots;
  size_t cap, len; /* cap: a power of two */
} ct_slot_table;

static size_t slot_hash(const void *addr, size_t cap) {
  uint64_t h = (uint64_t)(uintptr_t)addr;
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return (size_t)h & (cap - 1);
}

static ct_slot *slot_find(ct_slot_table *t, const void *addr) {
  size_t i = slot_hash(addr, t->cap);
  while (t->slots[i].addr && t->slots[i].addr != addr)
    i = (i + 1) & (t->cap - 1);
  return &t->slots[i];
}

static void slot_grow(ct_slot_table *t) {
  size_t old_cap = t->cap;
  ct_slot *old = t->slots;
  t->cap = old_cap ? 2 * old_cap : 16;
  t->slots = calloc(t->cap, sizeof *t->slots);
  if (!t->slots)
    __ct_runtime_error("out of memory in the table of the shadows of pointers stored into memory without a shadow");
  for (size_t i = 0; i < old_cap; ++i)
    if (old[i].addr)
      *slot_find(t, old[i].addr) = old[i];
  free(old);
}

void __ct_slots_set(void **table, const void *addr, const void *primal, void *shadow) {
  ct_slot_table *t = *table;
  if (!t) {
    t = calloc(1, sizeof *t);
    if (!t)
      __ct_runtime_error("out of memory in the table of the shadows of pointers stored into memory without a shadow");
    *table = t;
  }
  if (2 * (t->len + 1) > t->cap)
    slot_grow(t);
  ct_slot *s = slot_find(t, addr);
  if (!s->addr)
    t->len++;
  *s = (ct_slot){addr, primal, shadow};
}

void *__ct_slots_get(void *table, const void *addr, const void *primal, int strict, const char *where) {
  if (!primal)
    return NULL;
  ct_slot_table *t = table;
  ct_slot *s = t && t->cap ? slot_find(t, addr) : NULL;
  if (s && s->addr && s->primal == primal)
    return s->shadow;
  if (!strict)
    return NULL; /* the pointer is not used where a shadow is needed */
  char msg[512];
  snprintf(msg, sizeof msg,
           "%s: a pointer to differentiable data read from memory without a shadow (a constant argument or a "
           "global) was not stored there by the differentiated function, so it has no shadow; pass that memory "
           "with a shadow (enzyme_dup), or let the function allocate what it writes",
           where ? where : "gradient");
  __ct_runtime_error(msg);
}

void __ct_slots_free(void *table) {
  ct_slot_table *t = table;
  if (!t)
    return;
  free(t->slots);
  free(t);
}
