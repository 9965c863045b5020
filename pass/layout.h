/* Layouts of copied memory (layout.c gathers the facts, layout_resolve.c
 * decides the copy's fields from them): which bytes of what a
 * memcpy/memmove copies are float or double values. The facts are
 * internal to the two files; the rest of the pass uses layout_of_copy
 * (core.h). */
#ifndef COTANGENT_PASS_LAYOUT_H
#define COTANGENT_PASS_LAYOUT_H

#include "core.h"

typedef enum { CT_BYTE_DATA = 1, CT_BYTE_PTR = 2, CT_BYTE_F32 = 4, CT_BYTE_F64 = 8 } ct_byte_kind;

/* A position relative to the copy's start: c + sum of index * scale, each
 * index in [0, bound) (bound 0: any integer). More terms than fit make the
 * position imprecise (anywhere). */
#define CT_LIN_TERMS 8
typedef struct {
  LLVMValueRef index; /* NULL: an array of a type, distinct from every other */
  long long scale;
  unsigned long long bound;
} ct_term;
typedef struct {
  long long c;
  unsigned n;
  int imprecise;
  ct_term t[CT_LIN_TERMS];
} ct_lin;

/* "At pos there is a `size`-byte value of this kind"; `access` when an
 * access of that type (not a type or TBAA) says so. */
typedef struct {
  ct_lin pos;
  unsigned size;
  ct_byte_kind kind;
  int access;
} ct_fact;

typedef struct {
  ct_fact *v;
  unsigned n, cap;
  int capped; /* the walk stopped at its cap: some facts are missing */
} ct_layout_facts;

/* The facts about the memory at both ends of `copy` (positions relative to
 * either end's pointer, which are the same bytes); free out->v. */
void layout_gather_facts(LLVMValueRef copy, ct_layout_facts *out);

/* Is the copy's memory closed: both ends, and every object copies connect
 * them to, local allocations whose addresses go nowhere but into loads,
 * stores, such copies, free and lifetime markers? Then the function sees
 * every access of those bytes, and bytes no access types carry no
 * derivative. */
int layout_memory_is_closed(LLVMValueRef copy);

#endif
