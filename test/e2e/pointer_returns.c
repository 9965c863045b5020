/* Functions that return pointers into differentiable memory, in the shapes
 * people write: a matrix library of accessors (row(), at()) used in i-j-k
 * loops, a 4x4 transform chain of 144 accessor calls (all inlined since
 * the budget is 8192 calls; it was 64), a fixed-capacity stack whose push returns the new slot, a
 * recursive expression evaluator returning the stack slot of its result, a
 * bump (arena) allocator handing out blocks of one buffer, a recursive
 * binary-tree lookup returning the address of a node's value (written
 * through), a recursive bisection returning a pointer into a table, and a
 * recursive accessor into a block the function frees before its reverse
 * pass reads the values (they come from the tape).
 * Where the callee stays a call (recursion; separate_accessors.c: another
 * file's accessors), its augmented
 * forward returns the pointer and its shadow (the same offset into the
 * shadow of the memory it points into). Every gradient is checked against
 * central differences, at -O0..-O3 (and under ASan and valgrind). */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

#define NOINLINE __attribute__((noinline))

/* ---- a matrix library of accessors ---- */
typedef struct {
  int nrows, ncols;
  double *data;
} Mat;

NOINLINE static double *row(Mat *m, int i) { return m->data + i * m->ncols; }
NOINLINE static double *at(Mat *m, int i, int j) { return &m->data[i * m->ncols + j]; }

/* C = A A^T (A n x n from x), loss = sum C_ij^2 + sum_i row(C, i)[i] */
double matrix_accessors(double *x, int n) {
  Mat a = {n, n, x};
  Mat c = {n, n, malloc(n * n * sizeof(double))};
  for (int i = 0; i < n; i++) {
    double *ci = row(&c, i);
    for (int j = 0; j < n; j++) {
      ci[j] = 0;
      for (int k = 0; k < n; k++)
        *at(&c, i, j) += row(&a, i)[k] * *at(&a, j, k);
    }
  }
  double s = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      s += *at(&c, i, j) * *at(&c, i, j);
  for (int i = 0; i < n; i++)
    s += row(&c, i)[i];
  free(c.data);
  return s;
}

/* ---- 4x4 transforms, fully written out: well over the calls inlined ---- */
typedef struct {
  double m[16];
} Mat4;

NOINLINE static double *m4(Mat4 *t, int i, int j) { return &t->m[4 * i + j]; }

/* unrolled, as in graphics code: 144 accessor calls */
#define MUL_ENTRY(i, j)                                                                                       \
  *m4(r, i, j) = *m4(a, i, 0) * *m4(b, 0, j) + *m4(a, i, 1) * *m4(b, 1, j) + *m4(a, i, 2) * *m4(b, 2, j) +     \
                 *m4(a, i, 3) * *m4(b, 3, j);
#define MUL_ROW(i) MUL_ENTRY(i, 0) MUL_ENTRY(i, 1) MUL_ENTRY(i, 2) MUL_ENTRY(i, 3)

static void mat4_mul(Mat4 *r, Mat4 *a, Mat4 *b) { MUL_ROW(0) MUL_ROW(1) MUL_ROW(2) MUL_ROW(3) }

/* a rotation about z by x[k] and a translation by x[k+1] per bone; the
 * chain's absolute transforms, and a loss over them */
double transform_chain(const double *x, int bones) {
  Mat4 abs = {{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}, rel, tmp;
  double s = 0;
  for (int b = 0; b < bones; b++) {
    memset(&rel, 0, sizeof rel);
    double c = cos(x[2 * b]), sn = sin(x[2 * b]);
    *m4(&rel, 0, 0) = c;
    *m4(&rel, 0, 1) = -sn;
    *m4(&rel, 1, 0) = sn;
    *m4(&rel, 1, 1) = c;
    *m4(&rel, 2, 2) = 1;
    *m4(&rel, 3, 3) = 1;
    *m4(&rel, 0, 3) = x[2 * b + 1];
    *m4(&rel, 1, 3) = 0.5 * x[2 * b + 1];
    mat4_mul(&tmp, &abs, &rel);
    abs = tmp;
    s += *m4(&abs, 0, 3) * *m4(&abs, 0, 3) + *m4(&abs, 1, 3) + *m4(&abs, 0, 0) * *m4(&abs, 1, 1);
  }
  return s;
}

/* ---- a stack whose push returns the new slot ---- */
typedef struct {
  int n;
  double items[32];
} Stack;

NOINLINE static double *push(Stack *s, double v) {
  s->items[s->n] = v;
  return &s->items[s->n++];
}

NOINLINE static double pop(Stack *s) { return s->items[--s->n]; }

/* pushes x_i^2, scales the slot by the previous top, pops them all */
double stack_slots(const double *x, int n) {
  Stack st = {0};
  double *prev = NULL;
  for (int i = 0; i < n; i++) {
    double *slot = push(&st, x[i] * x[i]);
    if (prev)
      *slot *= 1 + *prev;
    prev = slot;
  }
  double s = 0;
  while (st.n)
    s = s * 0.5 + pop(&st);
  return s;
}

/* ---- a recursive evaluator returning the slot of its result ---- */
typedef struct Expr {
  char op; /* '+', '*', 's' (sin of left), 'x' (variable index) */
  int index;
  const struct Expr *left, *right;
} Expr;

static double *eval(const Expr *e, Stack *s, const double *x) {
  switch (e->op) {
  case 'x':
    return push(s, x[e->index]);
  case 's': {
    double *a = eval(e->left, s, x);
    *a = sin(*a);
    return a;
  }
  default: {
    double *a = eval(e->left, s, x);
    double *b = eval(e->right, s, x);
    double v = e->op == '+' ? *a + *b : *a * *b;
    s->n -= 2;
    return push(s, v);
  }
  }
}

/* (x0 * sin(x1 + x2)) * (x3 + x0 * x1) */
static const Expr X0 = {'x', 0, NULL, NULL}, X1 = {'x', 1, NULL, NULL}, X2 = {'x', 2, NULL, NULL},
                  X3 = {'x', 3, NULL, NULL};
static const Expr SUM12 = {'+', 0, &X1, &X2, }, SIN12 = {'s', 0, &SUM12, NULL}, PROD1 = {'*', 0, &X0, &SIN12},
                  P01 = {'*', 0, &X0, &X1}, SUM3 = {'+', 0, &X3, &P01}, ROOT = {'*', 0, &PROD1, &SUM3};

double expression(const double *x) {
  Stack st = {0};
  double *r = eval(&ROOT, &st, x);
  *r *= *r; /* squared in its slot */
  return *r + st.items[0];
}

/* ---- an arena (bump allocator) ---- */
typedef struct {
  double *buf;
  int used, cap;
} Arena;

NOINLINE static double *arena_alloc(Arena *a, int n) {
  if (a->used + n > a->cap)
    return NULL;
  double *p = a->buf + a->used;
  a->used += n;
  return p;
}

/* a two-layer network whose activations live in an arena */
double arena_network(const double *w, const double *in, int n) {
  Arena a = {malloc(64 * sizeof(double)), 0, 64};
  double *h = arena_alloc(&a, n);
  double *o = arena_alloc(&a, n);
  for (int i = 0; i < n; i++) {
    h[i] = 0;
    for (int j = 0; j < n; j++)
      h[i] += w[i * n + j] * in[j];
    h[i] = tanh(h[i]);
  }
  for (int i = 0; i < n; i++) {
    o[i] = 0;
    for (int j = 0; j < n; j++)
      o[i] += w[n * n + i * n + j] * h[j];
  }
  double s = 0;
  for (int i = 0; i < n; i++)
    s += o[i] * o[i];
  free(a.buf);
  return s;
}

/* ---- a binary tree: a recursive lookup returns the value's address ---- */
typedef struct Node {
  int key;
  double val;
  struct Node *left, *right;
} Node;

static Node *insert(Node *t, int key, double val) {
  if (!t) {
    t = malloc(sizeof *t);
    t->key = key;
    t->val = val;
    t->left = t->right = NULL;
  } else if (key < t->key) {
    t->left = insert(t->left, key, val);
  } else {
    t->right = insert(t->right, key, val);
  }
  return t;
}

static double *find(Node *t, int key) {
  if (!t)
    return NULL;
  if (key == t->key)
    return &t->val;
  return find(key < t->key ? t->left : t->right, key);
}

static void destroy(Node *t) {
  if (!t)
    return;
  destroy(t->left);
  destroy(t->right);
  free(t);
}

/* keys in a scrambled order, values exp(x_k); each value is scaled by the
 * next key's through find(); loss = sum (k + 1) val_k */
double tree_lookup(const double *x, int n) {
  Node *root = NULL;
  for (int i = 0; i < n; i++) {
    int k = (i * 3) % n;
    root = insert(root, k, exp(x[k]));
  }
  for (int k = 0; k + 1 < n; k++)
    *find(root, k) *= *find(root, k + 1);
  double s = 0;
  for (int k = 0; k < n; k++)
    s += (k + 1) * *find(root, k);
  destroy(root);
  return s;
}

/* ---- a recursive bisection returning a pointer into a table ---- */
static double *locate(const double *xs, double *ys, int lo, int hi, double t) {
  if (hi - lo <= 1)
    return &ys[lo];
  int mid = (lo + hi) / 2;
  return t < xs[mid] ? locate(xs, ys, lo, mid, t) : locate(xs, ys, mid, hi, t);
}

/* piecewise-linear interpolation of the table ys (differentiable) at the
 * points ts, summed with weights */
double interpolate(double *ys, const double *xs, int n, const double *ts, int m) {
  double s = 0;
  for (int k = 0; k < m; k++) {
    double *y = locate(xs, ys, 0, n - 1, ts[k]);
    int i = (int)(y - ys);
    double u = (ts[k] - xs[i]) / (xs[i + 1] - xs[i]);
    s += (k + 1) * ((1 - u) * y[0] + u * y[1]) * y[0];
  }
  return s;
}

/* ---- a recursive accessor into a block freed before the reverse pass ---- */
static double *nth_slot(double *p, int k) { return k <= 0 ? p : nth_slot(p, k - 1) + 1; }

/* the values read through nth_slot are needed by the reverse pass after the
   block is freed: they must come from the tape (the ASan run checks) */
double freed_scratch(const double *x, int n) {
  double *d = malloc(sizeof(double) * 3 * n);
  for (int i = 0; i < 3 * n; i++)
    d[i] = x[i % n] * (i + 1);
  double s = 0;
  for (int i = 0; i < 3 * n; i++)
    s = 0.5 * s + tanh(*nth_slot(d, i) * x[0]);
  free(d);
  return s;
}

/* ---- checks against central differences ---- */
#define FD_H 1e-6
#define FD_TOL 1e-6

typedef double (*vec_fn)(double *x, void *ctx);

#define check_fd(what, f, ctx, x, n, grad) CHECK_FD_GRADIENT(what, f, ctx, x, n, grad, FD_H, FD_TOL)

static double f_matrix(double *x, void *ctx) { return matrix_accessors(x, *(int *)ctx); }
static double f_chain(double *x, void *ctx) { return transform_chain(x, *(int *)ctx); }
static double f_stack(double *x, void *ctx) { return stack_slots(x, *(int *)ctx); }
static double f_expr(double *x, void *ctx) { (void)ctx; return expression(x); }
static double f_tree(double *x, void *ctx) { return tree_lookup(x, *(int *)ctx); }
static double f_freed(double *x, void *ctx) { return freed_scratch(x, *(int *)ctx); }
static double f_arena(double *x, void *ctx) { return arena_network(x, (const double *)ctx, 3); }

typedef struct {
  const double *xs, *ts;
  int n, m;
} Interp;
static double f_interp(double *y, void *ctx) {
  Interp *c = ctx;
  return interpolate(y, c->xs, c->n, c->ts, c->m);
}

int main(void) {
  int n = 3;
  double x[16], dx[16];
  for (int i = 0; i < 16; i++)
    x[i] = 0.3 + 0.1 * i - 0.05 * (i % 2);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)matrix_accessors, enzyme_dup, x, dx, enzyme_const, n);
  check_fd("matrix_accessors", f_matrix, &n, x, 9, dx);

  int bones = 5;
  memset(dx, 0, sizeof dx);
  ct_gradient(transform_chain, x, dx, bones);
  check_fd("transform_chain", f_chain, &bones, x, 2 * bones, dx);

  int ns = 6;
  memset(dx, 0, sizeof dx);
  ct_gradient(stack_slots, x, dx, ns);
  check_fd("stack_slots", f_stack, &ns, x, ns, dx);

  memset(dx, 0, sizeof dx);
  ct_gradient(expression, x, dx);
  check_fd("expression", f_expr, NULL, x, 4, dx);

  int nf = 4;
  memset(dx, 0, sizeof dx);
  ct_gradient(freed_scratch, x, dx, nf);
  check_fd("freed_scratch", f_freed, &nf, x, nf, dx);

  double in[3] = {0.5, -0.25, 1.0};
  double w[18];
  for (int i = 0; i < 18; i++)
    w[i] = 0.2 * sin(i + 1.0);
  double dw[18] = {0}, din[3] = {0};
  ct_gradient(arena_network, w, dw, in, din, 3);
  check_fd("arena_network", f_arena, in, w, 18, dw);

  int nt = 7;
  memset(dx, 0, sizeof dx);
  ct_gradient(tree_lookup, x, dx, nt);
  check_fd("tree_lookup", f_tree, &nt, x, nt, dx);

  double xs[6] = {0, 0.5, 1.2, 2.0, 2.5, 3.5}, ys[6], dys[6] = {0};
  double ts[5] = {0.1, 1.0, 1.9, 2.2, 3.4};
  for (int i = 0; i < 6; i++)
    ys[i] = cos(xs[i]) + 0.1 * i;
  __enzyme_autodiff((void *)interpolate, enzyme_dup, ys, dys, enzyme_const, xs, 6, enzyme_const, ts, 5);
  Interp ic = {xs, ts, 6, 5};
  check_fd("interpolate", f_interp, &ic, ys, 6, dys);

  /* pullbacks: the reverse runs later, twice (the callees' shadows kept
     for the second run, then freed) */
  double g1[16] = {0}, g2[16] = {0};
  ct_gradient(tree_lookup, x, g1, nt);
  ct_pullback_t pb = ct_pullback(tree_lookup, x, g2, nt);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 0.5);
  ct_pullback_free(pb);
  for (int i = 0; i < nt; i++)
    CHECK_AT_TOL("pullback tree_lookup", i, g2[i], 1.5 * g1[i], 1e-12);
  memset(g1, 0, sizeof g1);
  memset(g2, 0, sizeof g2);
  ct_gradient(expression, x, g1);
  pb = ct_pullback(expression, x, g2);
  ct_pullback_apply(pb, 2.0);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_free(pb);
  for (int i = 0; i < 4; i++)
    CHECK_AT_TOL("pullback expression", i, g2[i], 3.0 * g1[i], 1e-12);
  return check_summary("pointer_returns");
}
