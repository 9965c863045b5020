/* A copy's floating-point fields, decided from the facts about its memory
 * (layout.c gathers them).
 *
 * The facts are laid over a window of bytes from the copy's start: the
 * layout's period when some fact repeats (an array of structs indexed by a
 * loop, a pointer a loop advances, a copy of n * sizeof(struct) bytes), or
 * else the copy's constant length. Per byte, float/double accesses beat
 * types; a float and a double at the same byte, or a pointer and a
 * floating-point value, or a value straddling another, is a conflict (the
 * copy is rejected, never guessed). Each float/double then is a field.
 *
 * Bytes no fact covers: when the layout has one floating-point type, its
 * aligned slots that nothing covers are of that type (an array of doubles
 * read at a few places, a struct field the function never touches; their
 * shadows are zero if they hold anything else). With floats and doubles
 * both, such bytes are an error. */
#include "layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_PERIOD = 1 << 14, MAX_WINDOW = 1 << 16, MAX_POSITIONS = 1 << 16 };

/* evidence per byte of the window */
enum { B_TF32 = 1, B_TF64 = 2, B_AF32 = 4, B_AF64 = 8, B_PTR = 16, B_DATA = 32 };

typedef struct {
  unsigned long long w; /* bytes in the window */
  int periodic;         /* positions are taken modulo w */
  unsigned char *bits;  /* evidence per byte */
  unsigned char *starts; /* float/double facts starting at the byte (B_TF32..B_AF64) */
  unsigned imprecise;   /* kinds of facts whose positions are unknown */
  int closed;           /* layout_memory_is_closed */
  char why[160];        /* the first conflict */
} window;

static unsigned long long gcd_u64(unsigned long long a, unsigned long long b) {
  while (b) {
    unsigned long long t = a % b;
    a = b;
    b = t;
  }
  return a;
}

/* lcm, or MAX_PERIOD + 1 when it is larger than MAX_PERIOD */
static unsigned long long lcm_capped(unsigned long long a, unsigned long long b) {
  if (!a || !b)
    return a ? a : b;
  unsigned long long l = a / gcd_u64(a, b) * b;
  return l > MAX_PERIOD ? MAX_PERIOD + 1 : l;
}

static unsigned long long length_factor(LLVMValueRef v, int depth);

/* length_factor of a summand, whose constant may be negative */
static unsigned long long summand_factor(LLVMValueRef v, int depth) {
  if (LLVMIsAConstantInt(v)) {
    long long c = LLVMConstIntGetSExtValue(v);
    return c < 0 ? 0ULL - (unsigned long long)c : (unsigned long long)c;
  }
  return length_factor(v, depth);
}

/* A constant the copy's length is always a multiple of (n * sizeof(T)),
 * 1 when none is known, 0 for a length of 0. */
static unsigned long long length_factor(LLVMValueRef v, int depth) {
  while (LLVMIsAZExtInst(v) || LLVMIsASExtInst(v))
    v = LLVMGetOperand(v, 0);
  if (LLVMIsAConstantInt(v))
    return LLVMConstIntGetZExtValue(v);
  if (depth > 8 || !LLVMIsAInstruction(v))
    return 1;
  if (LLVMIsAPHINode(v) || LLVMIsASelectInst(v)) {
    unsigned long long f = 0;
    unsigned n = LLVMIsAPHINode(v) ? LLVMCountIncoming(v) : 3;
    for (unsigned i = LLVMIsAPHINode(v) ? 0 : 1; i < n && f != 1; ++i)
      f = gcd_u64(f, length_factor(LLVMIsAPHINode(v) ? LLVMGetIncomingValue(v, i) : LLVMGetOperand(v, i), depth + 1));
    return f ? f : 1;
  }
  LLVMValueRef a = LLVMGetNumOperands(v) == 2 ? LLVMGetOperand(v, 0) : NULL, b = a ? LLVMGetOperand(v, 1) : NULL;
  switch (a ? LLVMGetInstructionOpcode(v) : LLVMRet) {
  case LLVMMul:
    return length_factor(a, depth + 1) * length_factor(b, depth + 1);
  case LLVMAdd:
  case LLVMSub: /* (n - 1) * sizeof(T) after LLVM: n * sizeof(T) - sizeof(T) */
    return gcd_u64(length_factor(a, depth + 1), summand_factor(b, depth + 1));
  case LLVMShl:
    return LLVMIsAConstantInt(b) && LLVMConstIntGetZExtValue(b) < 32
               ? length_factor(a, depth + 1) << LLVMConstIntGetZExtValue(b)
               : 1;
  default:
    return 1;
  }
}

static int is_fp_kind(ct_byte_kind k) { return k == CT_BYTE_F32 || k == CT_BYTE_F64; }

/* A fact whose positions are known: not imprecise, and any unbounded
 * index steps by whole values (a double read at every 4th byte is not). */
static int fact_precise(const ct_fact *f) {
  if (f->pos.imprecise)
    return 0;
  for (unsigned i = 0; i < f->pos.n; ++i) {
    unsigned long long s = (unsigned long long)(f->pos.t[i].scale < 0 ? -f->pos.t[i].scale : f->pos.t[i].scale);
    if (!f->pos.t[i].bound && f->kind != CT_BYTE_DATA && s % f->size)
      return 0;
  }
  return 1;
}

static void conflict(window *wd, const char *fmt, long long at) {
  if (!wd->why[0])
    snprintf(wd->why, sizeof wd->why, fmt, at);
}

static unsigned char fact_bit(const ct_fact *f) {
  switch (f->kind) {
  case CT_BYTE_F32:
    return f->access ? B_AF32 : B_TF32;
  case CT_BYTE_F64:
    return f->access ? B_AF64 : B_TF64;
  case CT_BYTE_PTR:
    return B_PTR;
  default:
    return B_DATA;
  }
}

/* Lays one position of f over the window. */
static void mark(window *wd, const ct_fact *f, long long pos) {
  unsigned char bit = fact_bit(f);
  long long w = (long long)wd->w, size = f->size;
  if (wd->periodic) {
    long long r = ((pos % w) + w) % w;
    if (r + size > w && is_fp_kind(f->kind)) {
      conflict(wd, "a floating-point value crosses the end of the %lld-byte element", (long long)wd->w);
      return;
    }
    for (long long k = 0; k < size; ++k)
      wd->bits[(r + k) % w] |= bit;
    if (is_fp_kind(f->kind))
      wd->starts[r] |= bit;
    return;
  }
  if (pos >= w || pos + size <= 0)
    return;
  if (is_fp_kind(f->kind) && (pos < 0 || pos + size > w)) {
    conflict(wd, "it copies part of a floating-point value (at byte %lld)", pos);
    return;
  }
  for (long long k = pos < 0 ? -pos : 0; k < size && pos + k < w; ++k)
    wd->bits[pos + k] |= bit;
  if (is_fp_kind(f->kind))
    wd->starts[pos] |= bit;
}

/* Every position of f (each bounded index over its range; an unbounded
 * one over the period): laid over the window. Returns 0 when there are too
 * many to list (the fact's position then counts as unknown). */
static int lay_fact(window *wd, const ct_fact *f) {
  size_t n = 1, cap = 16;
  long long *pos = malloc(cap * sizeof *pos);
  long long w = (long long)wd->w;
  pos[0] = wd->periodic ? ((f->pos.c % w) + w) % w : f->pos.c;
  for (unsigned i = 0; i < f->pos.n; ++i) {
    long long s = f->pos.t[i].scale;
    unsigned long long count = f->pos.t[i].bound;
    if (wd->periodic) {
      s = ((s % w) + w) % w;
      if (!s)
        continue;
      unsigned long long cycle = (unsigned long long)w / gcd_u64((unsigned long long)s, (unsigned long long)w);
      count = count && count < cycle ? count : cycle;
    }
    if (count > 1 && n * count > MAX_POSITIONS) {
      free(pos);
      return 0;
    }
    if (n * count > cap)
      pos = realloc(pos, (cap = n * count) * sizeof *pos);
    for (size_t j = 0; j < n; ++j)
      for (unsigned long long k = 1; k < count; ++k) {
        long long p = pos[j] + (long long)k * s;
        pos[n * k + j] = wd->periodic ? p % w : p;
      }
    n *= count > 1 ? count : 1;
  }
  for (size_t j = 0; j < n; ++j)
    mark(wd, f, pos[j]);
  free(pos);
  return 1;
}

static void add_field(ct_layout *out, unsigned long long off, int f64) {
  out->fields = realloc(out->fields, (out->nfields + 1) * sizeof *out->fields);
  out->fields[out->nfields++] = (unsigned)(off << 1) | (unsigned)f64;
}

/* The fields from the evidence: per byte, accesses beat types. */
static void find_fields(window *wd, ct_layout *out) {
  for (unsigned long long b = 0; b < wd->w && !wd->why[0];) {
    unsigned char x = wd->bits[b];
    int acc = (x & (B_AF32 | B_AF64)) != 0;
    unsigned fp = acc ? (x >> 2) & 3u : x & 3u; /* 1 float, 2 double */
    if (!fp) {
      ++b;
      continue;
    }
    if (fp == 3) {
      conflict(wd, "it holds a float and a double at byte %lld", (long long)b);
      break;
    }
    if (x & B_PTR) {
      conflict(wd, "it holds a pointer and a floating-point value at byte %lld", (long long)b);
      break;
    }
    unsigned size = fp == 2 ? 8 : 4;
    unsigned char want = (unsigned char)(acc ? fp << 2 : fp);
    int ok = (wd->starts[b] & want) && b + size <= wd->w;
    for (unsigned k = 1; ok && k < size; ++k) {
      unsigned char y = wd->bits[b + k];
      unsigned yfp = (y & (B_AF32 | B_AF64)) ? (y >> 2) & 3u : y & 3u;
      ok = yfp == fp && !(wd->starts[b + k] & want) && !(y & B_PTR);
    }
    if (!ok) {
      conflict(wd, "floating-point values overlap at byte %lld", (long long)b);
      break;
    }
    add_field(out, b, fp == 2);
    b += size;
  }
}

static int covered(const window *wd, const ct_layout *out, unsigned long long b) {
  if (wd->bits[b])
    return 1;
  for (unsigned i = 0; i < out->nfields; ++i) {
    unsigned long long off = out->fields[i] >> 1, size = out->fields[i] & 1 ? 8 : 4;
    if (b >= off && b < off + size)
      return 1;
  }
  return 0;
}

static int cmp_field(const void *a, const void *b) {
  unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
  return x < y ? -1 : x > y;
}

/* Bytes no fact covers: slots of the one floating-point type, or an
 * error beside floats and doubles (in closed memory, unless some float or
 * double access was at a position that could not be told: nothing). */
static void fill_unknown(window *wd, ct_layout *out) {
  if (wd->closed && !(wd->imprecise & (CT_BYTE_F32 | CT_BYTE_F64)))
    return;
  unsigned kinds = wd->imprecise & (CT_BYTE_F32 | CT_BYTE_F64);
  for (unsigned i = 0; i < out->nfields; ++i)
    kinds |= out->fields[i] & 1 ? CT_BYTE_F64 : CT_BYTE_F32;
  if (!kinds)
    return;
  if (kinds == (CT_BYTE_F32 | CT_BYTE_F64)) {
    for (unsigned long long b = 0; b + 4 <= wd->w; b += 4)
      if (!covered(wd, out, b) && !covered(wd, out, b + 1) && !covered(wd, out, b + 2) && !covered(wd, out, b + 3)) {
        snprintf(wd->why, sizeof wd->why, "bytes %llu to %llu of %s are of no known type, beside float and double fields",
                 b, b + 4, wd->periodic ? "each element" : "the copy");
        return;
      }
    return;
  }
  unsigned size = kinds == CT_BYTE_F64 ? 8 : 4;
  unsigned n0 = out->nfields;
  for (unsigned long long b = 0; b + size <= wd->w; b += size) {
    int all = 1;
    for (unsigned k = 0; k < size && all; ++k)
      all = !covered(wd, out, b + k);
    if (all) {
      if (wd->imprecise & CT_BYTE_PTR) {
        snprintf(wd->why, sizeof wd->why, "bytes %llu to %llu may hold a pointer or a floating-point value", b,
                 b + size);
        return;
      }
      add_field(out, b, size == 8);
    }
  }
  if (out->nfields != n0)
    qsort(out->fields, out->nfields, sizeof *out->fields, cmp_field);
}

/* Without a window (a copy of run-time size whose layout does not repeat,
 * or too large): one floating-point type and no pointers, as an array of
 * it; else unknown. */
static void single_type(const ct_layout_facts *facts, ct_layout *out) {
  unsigned kinds = 0;
  for (unsigned i = 0; i < facts->n; ++i)
    kinds |= facts->v[i].kind;
  out->fp_seen = (kinds & (CT_BYTE_F32 | CT_BYTE_F64)) != 0;
  if ((kinds & (CT_BYTE_F32 | CT_BYTE_F64 | CT_BYTE_PTR)) == CT_BYTE_F64 ||
      (kinds & (CT_BYTE_F32 | CT_BYTE_F64 | CT_BYTE_PTR)) == CT_BYTE_F32) {
    out->kind = CT_LAYOUT_UNIFORM;
    out->uniform = (kinds & CT_BYTE_F64) ? 8 : 4;
    return;
  }
  snprintf(out->why, sizeof out->why, "%s",
           !out->fp_seen ? "no float or double load or store of that memory, or both"
                         : "the copy's size is known only at run time, and its bytes hold more than one "
                           "kind of value (float, double, pointer) at no known period");
}

/* Uniform: every slot of the window one type. */
static void classify_fields(window *wd, ct_layout *out) {
  if (!out->nfields) {
    int closed = wd->closed && !(wd->imprecise & (CT_BYTE_F32 | CT_BYTE_F64));
    for (unsigned long long b = 0; b < wd->w && !closed; ++b)
      if (!covered(wd, out, b)) {
        snprintf(out->why, sizeof out->why, "no float or double load or store of that memory, or both");
        return;
      }
    out->kind = CT_LAYOUT_NO_FP;
    return;
  }
  out->fp_seen = 1;
  int f64 = out->fields[0] & 1;
  unsigned size = f64 ? 8 : 4;
  int uniform = wd->w % size == 0 && out->nfields == wd->w / size;
  for (unsigned i = 0; i < out->nfields && uniform; ++i)
    uniform = (int)(out->fields[i] & 1) == f64 && (out->fields[i] >> 1) == i * size;
  if (uniform) {
    out->kind = CT_LAYOUT_UNIFORM;
    out->uniform = f64 ? 8 : 4;
    return;
  }
  out->kind = CT_LAYOUT_FIELDS;
  out->period = wd->w;
}

/* Does p point into a std::string or its characters: the object or the
 * buffer a std::string member returns, a variable of type std::string, or
 * the data pointer loaded from one? (Its bytes are integer data.) */
static int string_bytes(LLVMValueRef p, int depth) {
  static const char member[] = "_ZNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE";
  static const char const_member[] = "_ZNKSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEE";
  static const char type[] = "class.std::__cxx11::basic_string";
  if (depth > 8)
    return 0;
  if (LLVMIsAGetElementPtrInst(p) || LLVMIsABitCastInst(p))
    return string_bytes(LLVMGetOperand(p, 0), depth + 1);
  if (LLVMIsACallInst(p)) {
    LLVMValueRef callee = LLVMGetCalledValue(p);
    size_t len = 0;
    const char *name = callee && LLVMIsAFunction(callee) ? LLVMGetValueName2(callee, &len) : "";
    return !strncmp(name, member, sizeof member - 1) || !strncmp(name, const_member, sizeof const_member - 1);
  }
  if (LLVMIsAAllocaInst(p)) {
    LLVMTypeRef t = LLVMGetAllocatedType(p);
    const char *name = LLVMGetTypeKind(t) == LLVMStructTypeKind ? LLVMGetStructName(t) : NULL;
    return name && !strncmp(name, type, sizeof type - 1);
  }
  if (LLVMIsALoadInst(p) && LLVMGetTypeKind(LLVMTypeOf(p)) == LLVMPointerTypeKind)
    return string_bytes(LLVMGetOperand(p, 0), depth + 1); /* the data pointer of a string */
  return 0;
}

void layout_of_copy(LLVMValueRef copy, ct_layout *out) {
  memset(out, 0, sizeof *out);
  out->kind = CT_LAYOUT_UNKNOWN;
  ct_layout_facts facts = {0};
  layout_gather_facts(copy, &facts);
  LLVMValueRef len = LLVMGetOperand(copy, 2);
  int constant = LLVMIsAConstantInt(len) != NULL;
  unsigned long long length = constant ? LLVMConstIntGetZExtValue(len) : 0;
  unsigned long long period = constant ? 0 : length_factor(len, 0);
  if (period == 1)
    period = 0;
  for (unsigned i = 0; i < facts.n; ++i)
    if (fact_precise(&facts.v[i]))
      for (unsigned k = 0; k < facts.v[i].pos.n; ++k)
        if (!facts.v[i].pos.t[k].bound) {
          long long s = facts.v[i].pos.t[k].scale;
          period = lcm_capped(period, (unsigned long long)(s < 0 ? -s : s));
        }
  window wd = {0};
  if ((constant && !length) || string_bytes(LLVMGetOperand(copy, 0), 0) || string_bytes(LLVMGetOperand(copy, 1), 0)) {
    /* nothing, or a std::string's bytes (integer data) */
    out->kind = CT_LAYOUT_NO_FP;
  } else if (facts.capped || period > MAX_PERIOD || (!period && (!constant || length > MAX_WINDOW))) {
    single_type(&facts, out);
  } else {
    wd.periodic = period != 0;
    wd.w = period ? period : length;
    wd.bits = calloc(wd.w, 1);
    wd.starts = calloc(wd.w, 1);
    wd.closed = layout_memory_is_closed(copy);
    for (unsigned i = 0; i < facts.n; ++i)
      if (!fact_precise(&facts.v[i]) || !lay_fact(&wd, &facts.v[i]))
        wd.imprecise |= facts.v[i].kind;
    if (!wd.why[0])
      find_fields(&wd, out);
    if (!wd.why[0])
      fill_unknown(&wd, out);
    if (wd.why[0]) {
      out->fp_seen = 1;
      snprintf(out->why, sizeof out->why, "%s", wd.why);
    } else
      classify_fields(&wd, out);
    free(wd.bits);
    free(wd.starts);
  }
  free(facts.v);
  if (out->kind != CT_LAYOUT_FIELDS) {
    free(out->fields);
    out->fields = NULL;
    out->nfields = 0;
  }
}

void layout_free(ct_layout *l) {
  free(l->fields);
  l->fields = NULL;
}
