/* Layouts of copied memory: which bytes of what a memcpy/memmove copies
 * hold float or double values (whose adjoints the reverse of the copy
 * moves), and which hold integers, pointers or padding (no derivative; the
 * shadows of pointers are copied by stored_pointers.c).
 *
 * LLVM's IR does not type memory, so the layout is deduced from evidence
 * about the bytes at each offset from the copy's ends, gathered as facts
 * "at position P (relative to the copy's start) there is a T":
 *   - accesses: loads and stores (float/double ones are the strongest
 *     evidence), through GEPs, casts, phis and selects of either end's
 *     object, pointers stored to memory and loaded back (a local variable,
 *     a struct field), calls of functions with a body (their accesses of
 *     the parameter), CT_ACCESS element types;
 *   - types: the struct and array types of allocas, globals and GEPs, the
 *     struct-path TBAA of accesses (the whole struct around a field) and the
 *     tbaa.struct of struct assignments (the copied struct's fields);
 *   - other copies of the same memory, in both directions (what the other
 *     end of a copy holds, at the same positions).
 * A position is a constant plus variable index terms (an index times a
 * scale, bounded by its array's length where the GEP's type gives one);
 * terms that both ends share cancel (a[i] = b[i] with a[i].w read in the
 * same loop). Unbounded terms (array-of-struct indices, loop pointers)
 * make the layout periodic. layout_resolve.c turns the facts into the
 * copy's fields. */
#include "core.h"
#include "layout.h"

#include <llvm-c/Target.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Work caps of one analysis: beyond them facts are left out, which can
 * only leave bytes unknown (an error, or the single-type rule), never give
 * them a wrong kind. MAX_NESTING bounds the recursion of the walk itself:
 * pointers stored and loaded back at ever new positions (the nodes of a
 * std::unordered_map linking to each other) are new visits each time, and
 * 20000 nested ones overflowed the compiler's stack. */
enum { MAX_DEPTH = 4, MAX_VISITS = 20000, MAX_NESTING = 256 };

/* A value walked at a position (a list per value: the two ends of a
 * memmove within one object reach it at two positions). */
typedef struct {
  ct_lin pos;
  unsigned next; /* index + 1 of the value's previous visit, 0: none */
} visit;

typedef struct {
  LLVMTargetDataRef td;
  ct_layout_facts *out;
  ct_vmap visited; /* value -> index + 1 of its last visit */
  visit *v;
  unsigned visits, cap;
  unsigned nesting; /* walks and gathers in progress */
  int too_deep;     /* one was left out at MAX_NESTING */
  unsigned md_tbaa, md_tbaa_struct;
} ctx;

static unsigned long long gcd_u64(unsigned long long a, unsigned long long b) {
  while (b) {
    unsigned long long t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* ---- positions ---- */

static void lin_add_term(ct_lin *l, LLVMValueRef index, long long scale, unsigned long long bound) {
  if (!scale)
    return;
  if (index)
    for (unsigned i = 0; i < l->n; ++i)
      if (l->t[i].index == index && l->t[i].bound == bound) {
        l->t[i].scale += scale;
        if (!l->t[i].scale)
          l->t[i] = l->t[--l->n];
        return;
      }
  if (l->n == CT_LIN_TERMS) {
    l->imprecise = 1;
    return;
  }
  l->t[l->n++] = (ct_term){index, scale, bound};
}

/* a + sign * b */
static ct_lin lin_combine(ct_lin a, const ct_lin *b, int sign) {
  a.c += sign * b->c;
  a.imprecise |= b->imprecise;
  for (unsigned i = 0; i < b->n; ++i)
    lin_add_term(&a, b->t[i].index, sign * b->t[i].scale, b->t[i].bound);
  return a;
}

static LLVMValueRef strip_int_casts(LLVMValueRef v) {
  while (LLVMIsASExtInst(v) || LLVMIsAZExtInst(v))
    v = LLVMGetOperand(v, 0);
  return v;
}

/* Adds unit * v (an integer index) to l: constants, sums, differences and
 * products by constants are taken apart; anything else is a term (bounded
 * when v is the whole index of an array of `bound` elements). */
static void lin_add_index(ct_lin *l, LLVMValueRef v, long long unit, unsigned long long bound, int depth) {
  v = strip_int_casts(v);
  if (LLVMIsAConstantInt(v)) {
    l->c += LLVMConstIntGetSExtValue(v) * unit;
    return;
  }
  if (depth < 8 && LLVMIsAInstruction(v) && LLVMGetNumOperands(v) == 2) {
    LLVMValueRef a = LLVMGetOperand(v, 0), b = LLVMGetOperand(v, 1);
    switch (LLVMGetInstructionOpcode(v)) {
    case LLVMAdd:
      lin_add_index(l, a, unit, 0, depth + 1);
      lin_add_index(l, b, unit, 0, depth + 1);
      return;
    case LLVMSub:
      lin_add_index(l, a, unit, 0, depth + 1);
      lin_add_index(l, b, -unit, 0, depth + 1);
      return;
    case LLVMMul:
      if (LLVMIsAConstantInt(b)) {
        lin_add_index(l, a, unit * LLVMConstIntGetSExtValue(b), 0, depth + 1);
        return;
      }
      break;
    case LLVMShl:
      if (LLVMIsAConstantInt(b) && LLVMConstIntGetZExtValue(b) < 32) {
        lin_add_index(l, a, unit * (1ll << LLVMConstIntGetZExtValue(b)), 0, depth + 1);
        return;
      }
      break;
    default:
      break;
    }
  }
  lin_add_term(l, v, unit, bound);
}

static int is_gep(LLVMValueRef p) {
  return LLVMIsAGetElementPtrInst(p) || (LLVMIsAConstantExpr(p) && LLVMGetConstOpcode(p) == LLVMGetElementPtr);
}

static int is_pointer_cast(LLVMValueRef p) {
  return LLVMIsABitCastInst(p) || LLVMIsAAddrSpaceCastInst(p) ||
         (LLVMIsAConstantExpr(p) &&
          (LLVMGetConstOpcode(p) == LLVMBitCast || LLVMGetConstOpcode(p) == LLVMAddrSpaceCast));
}

static int is_i8(LLVMTypeRef t) {
  return LLVMGetTypeKind(t) == LLVMIntegerTypeKind && LLVMGetIntTypeWidth(t) == 8;
}

/* Adds the offset the GEP adds to its pointer operand. `first`, when not
 * NULL, receives the position of the GEP's source element (its pointer
 * operand plus the first index only). */
static void gep_offset(ctx *c, LLVMValueRef gep, ct_lin *l, ct_lin *first) {
  LLVMTypeRef t = LLVMGetGEPSourceElementType(gep);
  unsigned n = (unsigned)LLVMGetNumOperands(gep);
  for (unsigned i = 1; i < n; ++i) {
    LLVMValueRef idx = LLVMGetOperand(gep, i);
    unsigned long long bound = 0;
    if (i > 1) {
      LLVMTypeKind k = LLVMGetTypeKind(t);
      if (k == LLVMStructTypeKind) {
        unsigned field = (unsigned)LLVMConstIntGetZExtValue(idx);
        l->c += (long long)LLVMOffsetOfElement(c->td, t, field);
        t = LLVMStructGetTypeAtIndex(t, field);
        continue;
      }
      bound = k == LLVMArrayTypeKind ? LLVMGetArrayLength2(t) : k == LLVMVectorTypeKind ? LLVMGetVectorSize(t) : 0;
      t = LLVMGetElementType(t);
    }
    lin_add_index(l, idx, (long long)LLVMABISizeOfType(c->td, t), bound, 0);
    if (i == 1 && first)
      *first = *l;
  }
}

/* The object p points into (through GEPs and casts), and p's position in
 * it. */
static LLVMValueRef decompose(ctx *c, LLVMValueRef p, ct_lin *l) {
  *l = (ct_lin){0};
  for (int depth = 0; depth < 64; ++depth) {
    if (is_pointer_cast(p))
      p = LLVMGetOperand(p, 0);
    else if (is_gep(p)) {
      gep_offset(c, p, l, NULL);
      p = LLVMGetOperand(p, 0);
    } else
      break;
  }
  return p;
}

/* ---- facts ---- */

static void add_fact(ctx *c, const ct_lin *pos, unsigned size, ct_byte_kind kind, int access) {
  ct_layout_facts *f = c->out;
  if (f->n == f->cap)
    f->v = realloc(f->v, (f->cap = f->cap ? 2 * f->cap : 64) * sizeof *f->v);
  f->v[f->n++] = (ct_fact){*pos, size, kind, access};
}

/* Facts for a value of type t at pos: scalars by kind, aggregates by their
 * members (arrays as a bounded term), struct padding as data. i8 (char
 * arrays, and the bytes LLVM gives unions) says nothing. */
static void type_facts(ctx *c, LLVMTypeRef t, ct_lin pos, int access, int depth) {
  if (depth > 16 || !LLVMTypeIsSized(t)) /* an opaque struct: an extern variable of an incomplete type */
    return;
  switch (LLVMGetTypeKind(t)) {
  case LLVMDoubleTypeKind:
    add_fact(c, &pos, 8, CT_BYTE_F64, access);
    return;
  case LLVMFloatTypeKind:
    add_fact(c, &pos, 4, CT_BYTE_F32, access);
    return;
  case LLVMPointerTypeKind:
    add_fact(c, &pos, (unsigned)LLVMABISizeOfType(c->td, t), CT_BYTE_PTR, access);
    return;
  case LLVMIntegerTypeKind:
    if (!is_i8(t))
      add_fact(c, &pos, (unsigned)LLVMStoreSizeOfType(c->td, t), CT_BYTE_DATA, access);
    return;
  case LLVMStructTypeKind: {
    unsigned n = LLVMCountStructElementTypes(t);
    unsigned long long end = 0;
    for (unsigned i = 0; i < n; ++i) {
      unsigned long long off = LLVMOffsetOfElement(c->td, t, i);
      ct_lin p = pos;
      if (off > end) { /* padding */
        p.c = pos.c + (long long)end;
        add_fact(c, &p, (unsigned)(off - end), CT_BYTE_DATA, 0);
      }
      LLVMTypeRef e = LLVMStructGetTypeAtIndex(t, i);
      p.c = pos.c + (long long)off;
      type_facts(c, e, p, access, depth + 1);
      end = off + LLVMStoreSizeOfType(c->td, e);
    }
    unsigned long long size = LLVMABISizeOfType(c->td, t);
    if (size > end) {
      ct_lin p = pos;
      p.c = pos.c + (long long)end;
      add_fact(c, &p, (unsigned)(size - end), CT_BYTE_DATA, 0);
    }
    return;
  }
  case LLVMArrayTypeKind:
  case LLVMVectorTypeKind: {
    unsigned long long n = LLVMGetTypeKind(t) == LLVMArrayTypeKind ? LLVMGetArrayLength2(t) : LLVMGetVectorSize(t);
    LLVMTypeRef e = LLVMGetElementType(t);
    if (!n)
      return;
    ct_lin p = pos;
    if (n > 1)
      lin_add_term(&p, NULL, (long long)LLVMABISizeOfType(c->td, e), n);
    type_facts(c, e, p, access, depth + 1);
    return;
  }
  default:
    return;
  }
}

/* ---- TBAA ---- */

static const char *md_name(LLVMValueRef node) {
  if (!node || !LLVMIsAMDNode(node) || LLVMGetMDNodeNumOperands(node) < 1)
    return NULL;
  LLVMValueRef op0 = NULL;
  if (LLVMGetMDNodeNumOperands(node) == 1)
    LLVMGetMDNodeOperands(node, &op0);
  else {
    unsigned n = LLVMGetMDNodeNumOperands(node);
    LLVMValueRef *ops = malloc(n * sizeof *ops);
    LLVMGetMDNodeOperands(node, ops);
    op0 = ops[0];
    free(ops);
  }
  unsigned len = 0;
  return op0 ? LLVMGetMDString(op0, &len) : NULL;
}

/* The kind and size of a scalar TBAA type by its name (clang's names);
 * 0 when the name is not a scalar's (a struct), -1 for char (anything). */
static int tbaa_scalar(ctx *c, const char *name, ct_byte_kind *kind, unsigned *size) {
  static const struct {
    const char *name;
    ct_byte_kind kind;
    unsigned size;
  } SCALARS[] = {{"double", CT_BYTE_F64, 8}, {"float", CT_BYTE_F32, 4}, {"int", CT_BYTE_DATA, 4},
                 {"short", CT_BYTE_DATA, 2}, {"long", CT_BYTE_DATA, 8}, {"long long", CT_BYTE_DATA, 8},
                 {"_Bool", CT_BYTE_DATA, 1}, {"bool", CT_BYTE_DATA, 1}, {"__int128", CT_BYTE_DATA, 16}};
  if (!strcmp(name, "omnipotent char") || !strcmp(name, "long double") || !strncmp(name, "_Float", 6) ||
      !strcmp(name, "__fp16") || !strcmp(name, "__bf16"))
    return -1;
  if (!strcmp(name, "any pointer") || !strcmp(name, "vtable pointer") ||
      (name[0] == 'p' && name[1] >= '1' && name[1] <= '9' && strchr(name, ' '))) {
    *kind = CT_BYTE_PTR;
    *size = (unsigned)LLVMPointerSize(c->td);
    return 1;
  }
  for (size_t i = 0; i < sizeof SCALARS / sizeof *SCALARS; ++i)
    if (!strcmp(name, SCALARS[i].name)) {
      *kind = SCALARS[i].kind;
      *size = SCALARS[i].size;
      return 1;
    }
  return 0;
}

/* Facts for the fields of a TBAA struct type node at pos (its members:
 * name, then member type and offset pairs). Char members (arrays, unions)
 * say nothing. */
static void tbaa_struct_facts(ctx *c, LLVMValueRef node, ct_lin pos, int depth) {
  const char *name = md_name(node);
  unsigned n = node && LLVMIsAMDNode(node) ? LLVMGetMDNodeNumOperands(node) : 0;
  ct_byte_kind kind;
  unsigned size;
  if (!name || depth > 16 || n < 3 || n % 2 == 0)
    return;
  int scalar = tbaa_scalar(c, name, &kind, &size);
  if (scalar) {
    if (scalar > 0)
      add_fact(c, &pos, size, kind, 0);
    return;
  }
  LLVMValueRef *ops = malloc(n * sizeof *ops);
  LLVMGetMDNodeOperands(node, ops);
  long long end = -1; /* the end of the previous member, when a scalar's */
  for (unsigned i = 1; i + 1 < n; i += 2)
    if (ops[i + 1] && LLVMIsAConstantInt(ops[i + 1])) {
      long long off = LLVMConstIntGetSExtValue(ops[i + 1]);
      ct_lin p = pos;
      if (end >= 0 && off > end) { /* padding between a scalar and the next member */
        p.c = pos.c + end;
        add_fact(c, &p, (unsigned)(off - end), CT_BYTE_DATA, 0);
      }
      p.c = pos.c + off;
      tbaa_struct_facts(c, ops[i], p, depth + 1);
      const char *member = md_name(ops[i]);
      end = member && tbaa_scalar(c, member, &kind, &size) > 0 ? off + size : -1;
    }
  free(ops);
}

/* The struct around a field access: from a struct-path TBAA tag (base
 * type, access type, offset of the access in the base). */
static void tbaa_access_facts(ctx *c, LLVMValueRef inst, const ct_lin *pos) {
  LLVMValueRef tag = LLVMGetMetadata(inst, c->md_tbaa);
  if (!tag || LLVMGetMDNodeNumOperands(tag) < 3 || LLVMGetMDNodeNumOperands(tag) > 4)
    return;
  LLVMValueRef ops[4];
  LLVMGetMDNodeOperands(tag, ops);
  if (ops[0] == ops[1] || !ops[2] || !LLVMIsAConstantInt(ops[2]))
    return;
  ct_lin base = *pos;
  base.c -= LLVMConstIntGetSExtValue(ops[2]);
  tbaa_struct_facts(c, ops[0], base, 0);
}

/* A struct assignment's fields: tbaa.struct lists (offset, size, tag) of
 * every member copied, so the bytes between them are padding. */
static void tbaa_copy_facts(ctx *c, LLVMValueRef copy, const ct_lin *pos) {
  LLVMValueRef md = LLVMGetMetadata(copy, c->md_tbaa_struct);
  unsigned n = md ? LLVMGetMDNodeNumOperands(md) : 0;
  if (n < 3)
    return;
  LLVMValueRef *ops = malloc(n * sizeof *ops);
  LLVMGetMDNodeOperands(md, ops);
  long long end = 0;
  for (unsigned i = 0; i + 2 < n; i += 3) {
    LLVMValueRef tag = ops[i + 2];
    if (!ops[i] || !ops[i + 1] || !LLVMIsAConstantInt(ops[i]) || !LLVMIsAConstantInt(ops[i + 1]) || !tag ||
        !LLVMIsAMDNode(tag) || LLVMGetMDNodeNumOperands(tag) < 2 || LLVMGetMDNodeNumOperands(tag) > 4) {
      end = -1; /* unreadable: no padding after this */
      continue;
    }
    long long off = LLVMConstIntGetSExtValue(ops[i]);
    unsigned long long bytes = LLVMConstIntGetZExtValue(ops[i + 1]);
    ct_lin p = *pos;
    if (end >= 0 && off > end) {
      p.c = pos->c + end;
      add_fact(c, &p, (unsigned)(off - end), CT_BYTE_DATA, 0);
    }
    end = off + (long long)bytes;
    LLVMValueRef tops[4];
    LLVMGetMDNodeOperands(tag, tops);
    const char *name = md_name(tops[1]);
    ct_byte_kind kind;
    unsigned size;
    if (!name || tbaa_scalar(c, name, &kind, &size) <= 0)
      continue;
    p.c = pos->c + off;
    if (bytes > size && bytes % size == 0)
      lin_add_term(&p, NULL, size, bytes / size);
    add_fact(c, &p, size, kind, 0);
  }
  LLVMValueRef len = LLVMGetOperand(copy, 2);
  if (end >= 0 && LLVMIsAConstantInt(len) && (long long)LLVMConstIntGetZExtValue(len) > end) { /* tail padding */
    ct_lin p = *pos;
    p.c = pos->c + end;
    add_fact(c, &p, (unsigned)((long long)LLVMConstIntGetZExtValue(len) - end), CT_BYTE_DATA, 0);
  }
  free(ops);
}

/* ---- the walk over the memory's uses ---- */

static void gather(ctx *c, LLVMValueRef p, ct_lin pos, int depth);
static void walk(ctx *c, LLVMValueRef v, ct_lin pos, int depth);

static int lin_equal(const ct_lin *a, const ct_lin *b) {
  if (a->c != b->c || a->n != b->n || a->imprecise || b->imprecise)
    return 0;
  for (unsigned i = 0; i < a->n; ++i) {
    int found = 0;
    for (unsigned j = 0; j < b->n && !found; ++j)
      found = a->t[i].index && a->t[i].index == b->t[j].index && a->t[i].scale == b->t[j].scale &&
              a->t[i].bound == b->t[j].bound;
    if (!found)
      return 0;
  }
  return 1;
}

/* Calls visit(c, inst, arg...) for each load and store whose address is
 * the same as `at` (same object, same position), through GEPs and casts of
 * the object. */
typedef void (*same_address_fn)(ctx *c, LLVMValueRef inst, ct_lin pos, int depth);
static void same_address_walk(ctx *c, LLVMValueRef v, const ct_lin *vpos, const ct_lin *at, same_address_fn fn,
                              ct_lin pos, int depth, int steps) {
  if (steps > 16)
    return;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (is_gep(user) && LLVMGetOperand(user, 0) == v) {
      ct_lin p = *vpos;
      gep_offset(c, user, &p, NULL);
      same_address_walk(c, user, &p, at, fn, pos, depth, steps + 1);
    } else if (is_pointer_cast(user)) {
      same_address_walk(c, user, vpos, at, fn, pos, depth, steps + 1);
    } else if ((LLVMIsALoadInst(user) && LLVMGetOperand(user, 0) == v) ||
               (LLVMIsAStoreInst(user) && LLVMGetOperand(user, 1) == v)) {
      if (lin_equal(vpos, at))
        fn(c, user, pos, depth);
    }
  }
}

static void for_same_address(ctx *c, LLVMValueRef addr, same_address_fn fn, ct_lin pos, int depth) {
  ct_lin at, zero = {0};
  LLVMValueRef base = decompose(c, addr, &at);
  if (!at.imprecise)
    same_address_walk(c, base, &zero, &at, fn, pos, depth, 0);
}

/* A pointer at the same address as the memory's pointer: loads give it
 * back (a local variable at -O0, a struct field), stores put other
 * pointers to the same memory there. */
static void reloaded(ctx *c, LLVMValueRef inst, ct_lin pos, int depth) {
  if (LLVMIsALoadInst(inst) && LLVMGetTypeKind(LLVMTypeOf(inst)) == LLVMPointerTypeKind)
    walk(c, inst, pos, depth);
  else if (LLVMIsAStoreInst(inst) && LLVMGetTypeKind(LLVMTypeOf(LLVMGetOperand(inst, 0))) == LLVMPointerTypeKind &&
           depth > 0)
    gather(c, LLVMGetOperand(inst, 0), pos, depth - 1);
}

/* The step of a pointer phi that a loop advances (p = phi(start, p + s)):
 * pos plus an unbounded term of the gcd of the steps, when it has one. */
static ct_lin with_recurrence(ctx *c, LLVMValueRef phi, ct_lin pos) {
  unsigned long long stride = 0;
  unsigned n = LLVMIsAPHINode(phi) ? LLVMCountIncoming(phi) : 0;
  for (unsigned i = 0; i < n; ++i) {
    ct_lin l;
    if (decompose(c, LLVMGetIncomingValue(phi, i), &l) != phi)
      continue;
    stride = gcd_u64(stride, (unsigned long long)(l.c < 0 ? -l.c : l.c));
    for (unsigned k = 0; k < l.n; ++k)
      stride = gcd_u64(stride, (unsigned long long)(l.t[k].scale < 0 ? -l.t[k].scale : l.t[k].scale));
    if (l.imprecise)
      stride = 1;
  }
  if (stride)
    lin_add_term(&pos, phi, (long long)stride, 0);
  return pos;
}

/* A call the memory is passed to: a memcpy (its struct fields, and what
 * the other end holds), a masked access, a function with CT_ACCESS types
 * or with a body (its accesses of the parameter). */
static void walk_call(ctx *c, LLVMValueRef call, LLVMValueRef v, ct_lin pos, int depth) {
  const char *mem = ir_mem_intrinsic(call);
  if (mem) {
    if (!strcmp(mem, "memset"))
      return;
    LLVMValueRef dst = LLVMGetOperand(call, 0), src = LLVMGetOperand(call, 1);
    tbaa_copy_facts(c, call, &pos);
    if (depth > 0 && (dst == v) != (src == v))
      gather(c, dst == v ? src : dst, pos, depth - 1);
    return;
  }
  const char *masked = ir_masked_intrinsic(call);
  if (masked) {
    int store = !strcmp(masked, "store");
    if (LLVMGetOperand(call, store ? 1 : 0) == v)
      type_facts(c, LLVMTypeOf(store ? LLVMGetOperand(call, 0) : call), pos, 1, 0);
    return;
  }
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee))
    return;
  LLVMTypeRef elem = custom_element_type(callee);
  if (elem) {
    ct_lin p = pos;
    lin_add_term(&p, NULL, (long long)LLVMABISizeOfType(c->td, elem), 0);
    type_facts(c, elem, p, 1, 0);
  }
  unsigned n = (unsigned)LLVMGetNumArgOperands(call);
  if (depth == 0 || LLVMIsDeclaration(callee) || LLVMIsFunctionVarArg(LLVMGlobalGetValueType(callee)) ||
      n != LLVMCountParams(callee))
    return;
  for (unsigned k = 0; k < n; ++k)
    if (LLVMGetOperand(call, k) == v)
      walk(c, LLVMGetParam(callee, k), pos, depth - 1);
}

static int lin_same(const ct_lin *a, const ct_lin *b) {
  if (a->c != b->c || a->n != b->n || a->imprecise != b->imprecise)
    return 0;
  for (unsigned i = 0; i < a->n; ++i)
    if (a->t[i].index != b->t[i].index || a->t[i].scale != b->t[i].scale || a->t[i].bound != b->t[i].bound)
      return 0;
  return 1;
}

/* Was v walked at pos before (a phi at any position: loops come back to
 * it at ever new ones)? Else it is now. Also 1 past the cap of visits. */
static int seen(ctx *c, LLVMValueRef v, const ct_lin *pos) {
  unsigned last = (unsigned)(uintptr_t)vmap_get(&c->visited, v);
  for (unsigned i = last; i; i = c->v[i - 1].next)
    if (LLVMIsAPHINode(v) || lin_same(&c->v[i - 1].pos, pos))
      return 1;
  if (++c->visits > MAX_VISITS)
    return 1;
  if (c->visits > c->cap)
    c->v = realloc(c->v, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof *c->v);
  c->v[c->visits - 1] = (visit){*pos, last};
  vmap_set(&c->visited, v, (LLVMValueRef)(uintptr_t)c->visits);
  return 0;
}

/* Facts from the uses of v, a pointer at pos. */
static void walk_uses(ctx *c, LLVMValueRef v, ct_lin pos, int depth);
static void walk(ctx *c, LLVMValueRef v, ct_lin pos, int depth) {
  if (c->nesting >= MAX_NESTING) {
    c->too_deep = 1;
    return;
  }
  if (!seen(c, v, &pos)) {
    ++c->nesting;
    walk_uses(c, v, pos, depth);
    --c->nesting;
  }
}

static void walk_uses(ctx *c, LLVMValueRef v, ct_lin pos, int depth) {
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsAInstruction(user))
      continue;
    if (is_gep(user) && LLVMGetOperand(user, 0) == v) {
      ct_lin p = pos, first = pos;
      gep_offset(c, user, &p, &first);
      LLVMTypeRef src = LLVMGetGEPSourceElementType(user);
      if (!is_i8(src))
        type_facts(c, src, first, 0, 0);
      walk(c, user, p, depth);
    } else if (is_pointer_cast(user) || (LLVMIsASelectInst(user) && LLVMGetOperand(user, 0) != v)) {
      walk(c, user, pos, depth);
    } else if (LLVMIsAPHINode(user)) {
      walk(c, user, with_recurrence(c, user, pos), depth);
    } else if (LLVMIsALoadInst(user)) {
      type_facts(c, LLVMTypeOf(user), pos, 1, 0);
      tbaa_access_facts(c, user, &pos);
    } else if (LLVMIsAStoreInst(user)) {
      if (LLVMGetOperand(user, 1) == v) {
        type_facts(c, LLVMTypeOf(LLVMGetOperand(user, 0)), pos, 1, 0);
        tbaa_access_facts(c, user, &pos);
      } else
        for_same_address(c, LLVMGetOperand(user, 1), reloaded, pos, depth);
    } else if (LLVMIsACallInst(user)) {
      walk_call(c, user, v, pos, depth);
    }
  }
}

/* Facts about the memory p points to, p being at pos (gather_object,
 * below), within MAX_NESTING. */
static void gather_object(ctx *c, LLVMValueRef p, ct_lin pos, int depth);
static void gather(ctx *c, LLVMValueRef p, ct_lin pos, int depth) {
  if (c->nesting >= MAX_NESTING) {
    c->too_deep = 1;
    return;
  }
  ++c->nesting;
  gather_object(c, p, pos, depth);
  --c->nesting;
}

/* Its object's type, the objects a phi or select of pointers may be, the
 * pointers stored where p was loaded from, and the uses of the object. */
static void gather_object(ctx *c, LLVMValueRef p, ct_lin pos, int depth) {
  ct_lin lp;
  LLVMValueRef base = decompose(c, p, &lp);
  ct_lin at = lin_combine(pos, &lp, -1);
  if (seen(c, base, &at))
    return;
  if (LLVMIsAAllocaInst(base))
    type_facts(c, LLVMGetAllocatedType(base), at, 0, 0);
  else if (LLVMIsAGlobalVariable(base))
    type_facts(c, LLVMGlobalGetValueType(base), at, 0, 0);
  walk_uses(c, base, at, depth);
  if (depth == 0)
    return;
  if (LLVMIsAPHINode(base) || LLVMIsASelectInst(base)) {
    ct_lin entry = with_recurrence(c, base, at);
    unsigned n = LLVMIsAPHINode(base) ? LLVMCountIncoming(base) : 3;
    for (unsigned i = LLVMIsAPHINode(base) ? 0 : 1; i < n; ++i) {
      LLVMValueRef in = LLVMIsAPHINode(base) ? LLVMGetIncomingValue(base, i) : LLVMGetOperand(base, i);
      ct_lin l;
      if (decompose(c, in, &l) != base && !LLVMIsAConstant(in))
        gather(c, in, entry, depth - 1);
    }
  } else if (LLVMIsALoadInst(base)) {
    for_same_address(c, LLVMGetOperand(base, 0), reloaded, at, depth);
  }
}

void layout_gather_facts(LLVMValueRef copy, ct_layout_facts *out) {
  LLVMModuleRef mod = LLVMGetGlobalParent(LLVMGetBasicBlockParent(LLVMGetInstructionParent(copy)));
  LLVMContextRef ctx_ = LLVMGetModuleContext(mod);
  ctx c = {.td = LLVMGetModuleDataLayout(mod), .out = out};
  c.md_tbaa = LLVMGetMDKindIDInContext(ctx_, "tbaa", 4);
  c.md_tbaa_struct = LLVMGetMDKindIDInContext(ctx_, "tbaa.struct", 11);
  vmap_init(&c.visited);
  ct_lin zero = {0};
  gather(&c, LLVMGetOperand(copy, 0), zero, MAX_DEPTH);
  gather(&c, LLVMGetOperand(copy, 1), zero, MAX_DEPTH);
  out->capped = c.visits > MAX_VISITS || c.too_deep;
  vmap_free(&c.visited);
  free(c.v);
}

/* ---- closed memory ---- */

/* Does a phi or select of the object's address go nowhere but to free
 * (through further phis and selects): the one free after branches that
 * chose between buffers (a loop peeled for n <= 0, seed 110959)? */
static int only_freed(LLVMValueRef v, int depth) {
  if (depth > 8)
    return 0;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (LLVMIsAPHINode(user) || LLVMIsASelectInst(user)) {
      if (!only_freed(user, depth + 1))
        return 0;
    } else if (!(LLVMIsACallInst(user) && alloc_freed_pointer(user) == v)) {
      return 0;
    }
  }
  return 1;
}

/* Does the object's address go nowhere but into loads, stores into it,
 * copies (whose other ends join `work`), free (also through phis and
 * selects that only free) and lifetime markers? */
static int stays_private(LLVMValueRef v, ct_vmap *seen, LLVMValueRef **work, unsigned *n, unsigned *cap, int depth) {
  static const char *const HARMLESS[] = {"llvm.lifetime.start.p0", "llvm.lifetime.end.p0", NULL};
  if (depth > 32)
    return 0;
  for (LLVMUseRef u = LLVMGetFirstUse(v); u; u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if ((is_gep(user) && LLVMGetOperand(user, 0) == v) || is_pointer_cast(user)) {
      if (!stays_private(user, seen, work, n, cap, depth + 1))
        return 0;
    } else if (LLVMIsALoadInst(user) || LLVMIsAICmpInst(user)) {
      continue;
    } else if (LLVMIsAStoreInst(user)) {
      if (LLVMGetOperand(user, 0) == v)
        return 0;
    } else if (LLVMIsACallInst(user) && ir_mem_intrinsic(user)) {
      if (!strcmp(ir_mem_intrinsic(user), "memset"))
        continue;
      LLVMValueRef other = ir_base_object(LLVMGetOperand(user, LLVMGetOperand(user, 0) == v ? 1 : 0));
      if (!ir_is_local_allocation(other))
        return 0;
      if (!vmap_get(seen, other)) {
        vmap_set(seen, other, other);
        if (*n == *cap)
          *work = realloc(*work, (*cap = *cap ? 2 * *cap : 8) * sizeof **work);
        (*work)[(*n)++] = other;
      }
    } else if ((LLVMIsAPHINode(user) || LLVMIsASelectInst(user)) && only_freed(user, 0)) {
      continue;
    } else if (!(LLVMIsACallInst(user) && (ir_callee_is(user, HARMLESS) || alloc_freed_pointer(user) == v))) {
      return 0;
    }
  }
  return 1;
}

int layout_memory_is_closed(LLVMValueRef copy) {
  ct_vmap seen;
  vmap_init(&seen);
  LLVMValueRef *work = NULL;
  unsigned n = 0, cap = 0;
  int closed = 1;
  for (unsigned k = 0; k < 2 && closed; ++k) {
    LLVMValueRef base = ir_base_object(LLVMGetOperand(copy, k));
    if (!ir_is_local_allocation(base))
      closed = 0;
    else if (!vmap_get(&seen, base)) {
      vmap_set(&seen, base, base);
      if (n == cap)
        work = realloc(work, (cap = cap ? 2 * cap : 8) * sizeof *work);
      work[n++] = base;
    }
  }
  while (n && closed)
    closed = stays_private(work[--n], &seen, &work, &n, &cap, 0);
  free(work);
  vmap_free(&seen);
  return closed;
}
