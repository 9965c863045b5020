/* An array of structs mixing int, double and pointer fields. The function
 * reads the doubles through the fields, loops over a per-element int count,
 * and follows the pointer field into a second array. With that array
 * duplicated, the shadow structs' pointer fields point into its shadow
 * (Enzyme's convention for pointers stored in duplicated memory); a second
 * variant keeps the pointed-to data constant (enzyme_const on a separate
 * table indexed through an int field). Two elements share pointed-to data,
 * so their contributions accumulate. Checked against fourth-order central
 * finite differences on every double, plus analytic values. */
#include "check.h"

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_const(void *, ...);

typedef struct {
  int n;       /* how many values p points at */
  double w;    /* weight */
  double *p;   /* values (differentiable) */
  int id;      /* small integer factor */
  double bias; /* through sin */
} item;

#define M 6
#define NV 20

static double items_loss(const item *it, int m) {
  double f = 0.0;
  for (int i = 0; i < m; ++i) {
    double s = 0.0;
    for (int k = 0; k < it[i].n; ++k)
      s += it[i].p[k] * it[i].p[k];
    f += it[i].w * s + it[i].id * sin(it[i].bias);
  }
  return f;
}

/* pointer-free variant: the item's data offset comes from `id`, into a
 * constant table; the item's doubles are active */
typedef struct {
  int off;
  double a, b;
} rec;

static double recs_loss(const rec *r, const double *table, int m) {
  double f = 1.0;
  for (int i = 0; i < m; ++i) {
    double t = table[r[i].off];
    f = f * (1.0 + 0.1 * r[i].a * t) + r[i].b * r[i].b * t;
  }
  return f;
}

/* whole-struct copies (llvm.memcpy at -O0, loads/stores when optimized):
 * into a local, and into a duplicated work array that is updated in place */
static double recs_copy_loss(const rec *r, rec *work, const double *table, int m) {
  for (int i = 0; i < m; ++i) {
    rec tmp = r[i];
    tmp.a = tmp.a * tmp.b;
    work[i] = tmp;
  }
  double f = 0.0;
  for (int i = 0; i < m; ++i) {
    work[i].b += work[i].a;
    f += table[work[i].off] * work[i].b * work[i].b;
  }
  return f;
}

static double vals[NV], dvals[NV];
static item items[M], ditems[M];

static void fd_one(const char *what, int i, double *p, double got, double (*eval)(void)) {
  double save = *p;
  double h = 1e-3 * fmax(1.0, fabs(save));
  const double off[4] = {-2.0, -1.0, 1.0, 2.0};
  double f[4];
  for (int k = 0; k < 4; ++k) {
    *p = save + off[k] * h;
    f[k] = eval();
  }
  *p = save;
  double fd = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
  double err = fabs(got - fd) / fmax(fabs(fd), 1e-3);
  ++check_count;
  if (!(err <= 1e-7)) {
    ++check_failures;
    fprintf(stderr, "%s:%d: FAILED %s [%d]: got %.17g, want (FD) %.17g (rel. err %.3g)\n", __FILE__, __LINE__,
            what, i, got, fd, err);
  }
}

static double eval_items(void) { return items_loss(items, M); }

static rec recs[M], drecs[M];
static double table[8];
static double eval_recs(void) { return recs_loss(recs, table, M); }

int main(void) {
  for (int j = 0; j < NV; ++j) {
    vals[j] = 0.4 * sin(1.3 * j) + 0.05 * j;
    dvals[j] = 0.0;
  }
  const int start[M] = {0, 3, 3, 9, 12, 15}; /* items 1 and 2 share data */
  const int count[M] = {3, 4, 2, 3, 0, 5};
  for (int i = 0; i < M; ++i) {
    items[i].n = count[i];
    items[i].w = 0.5 + 0.3 * i;
    items[i].p = vals + start[i];
    items[i].id = i - 2;
    items[i].bias = 0.2 * i + 0.1;
    ditems[i].n = 0; /* ints in the shadow are not read */
    ditems[i].w = 0.0;
    ditems[i].p = dvals + start[i];
    ditems[i].id = 0;
    ditems[i].bias = 0.0;
  }
  __enzyme_autodiff((void *)items_loss, items, ditems, M);
  for (int i = 0; i < M; ++i) {
    double s = 0.0;
    for (int k = 0; k < count[i]; ++k)
      s += vals[start[i] + k] * vals[start[i] + k];
    CHECK_TOL(ditems[i].w, s, 1e-10);
    CHECK_TOL(ditems[i].bias, (i - 2) * cos(0.2 * i + 0.1), 1e-10);
    CHECK(ditems[i].p == dvals + start[i]); /* shadow pointers left alone */
    fd_one("d/dw", i, &items[i].w, ditems[i].w, eval_items);
    fd_one("d/dbias", i, &items[i].bias, ditems[i].bias, eval_items);
  }
  for (int j = 0; j < NV; ++j) {
    double want = 0.0;
    for (int i = 0; i < M; ++i)
      if (j >= start[i] && j < start[i] + count[i])
        want += 2.0 * items[i].w * vals[j];
    CHECK_TOL(dvals[j], want, 1e-10);
    fd_one("d/dvals", j, &vals[j], dvals[j], eval_items);
  }

  for (int t = 0; t < 8; ++t)
    table[t] = 1.0 + 0.25 * t;
  for (int i = 0; i < M; ++i) {
    recs[i].off = (5 * i + 3) % 8;
    recs[i].a = 0.7 - 0.2 * i;
    recs[i].b = 0.1 * i - 0.2;
    drecs[i].off = 0;
    drecs[i].a = 0.0;
    drecs[i].b = 0.0;
  }
  __enzyme_autodiff_const((void *)recs_loss, recs, drecs, enzyme_const, table, M);
  for (int i = 0; i < M; ++i) {
    fd_one("rec d/da", i, &recs[i].a, drecs[i].a, eval_recs);
    fd_one("rec d/db", i, &recs[i].b, drecs[i].b, eval_recs);
    CHECK(drecs[i].off == 0);
  }

  rec work[M], dwork[M];
  for (int i = 0; i < M; ++i) {
    drecs[i].a = drecs[i].b = 0.0;
    dwork[i].off = 0;
    dwork[i].a = dwork[i].b = 0.0;
  }
  __enzyme_autodiff_const((void *)recs_copy_loss, recs, drecs, work, dwork, enzyme_const, table, M);
  for (int i = 0; i < M; ++i) {
    /* f_i = t (b + a b)^2: d/da = 2 t (b + a b) b, d/db = 2 t (b + a b)(1 + a) */
    double t = table[recs[i].off], a = recs[i].a, b = recs[i].b, u = b + a * b;
    CHECK_TOL(drecs[i].a, 2.0 * t * u * b, 1e-10);
    CHECK_TOL(drecs[i].b, 2.0 * t * u * (1.0 + a), 1e-10);
    CHECK(dwork[i].a == 0.0 && dwork[i].b == 0.0);
    CHECK(work[i].off == recs[i].off);
  }
  return check_summary("struct_array");
}
