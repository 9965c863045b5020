/* Heap structs with pointer fields, in the shapes real code has: an array of
 * matrices whose data blocks a resize() helper frees and mallocs again
 * (issue 12), double** rows allocated in a helper, a struct of pointers
 * returned by a helper (by pointer and by value), calloc'd arrays of
 * structs, a linked list of heap nodes, a resize in a loop, struct
 * assignments and memcpy of memory holding pointers, and a block allocated
 * into the caller's struct (its shadow goes to the caller's shadow struct
 * and stays the caller's, as in Enzyme). The
 * pointers are stored into heap memory and loaded back, so their shadows
 * must travel through the shadow memory; the data blocks are freed before
 * the reverse pass runs, so what it reads must be on the tape. Also
 * constant arrays (no shadow: an argument held constant, a global, rows
 * of a constant double**) stored next to differentiable ones: the
 * derivatives through them are dropped, and they come back unchanged.
 * Through __enzyme_autodiff, ct_gradient and pullbacks (applied twice).
 * Checked against analytic derivatives (the runs at -O0/-O1 keep the loads
 * of the pointer fields; the ASan run catches reads of freed blocks). */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

#define N 5

/* ---- issue 12: an array of matrices, data set later by resize() ---- */
typedef struct {
  int nrows, ncols;
  double *data;
} Matrix;

Matrix *get_matrix_array(int count) {
  Matrix *r = malloc(count * sizeof(Matrix));
  for (int i = 0; i < count; i++) {
    r[i].data = NULL;
    r[i].nrows = r[i].ncols = 0;
  }
  return r;
}

void resize(Matrix *m, int nrows, int ncols) {
  if (m->nrows * m->ncols != nrows * ncols) {
    if (m->data)
      free(m->data);
    m->data = nrows * ncols > 0 ? malloc(nrows * ncols * sizeof(double)) : NULL;
  }
  m->nrows = nrows;
  m->ncols = ncols;
}

void free_matrix_array(Matrix *a, int count) {
  for (int k = 0; k < count; k++)
    free(a[k].data);
  free(a);
}

/* s = sum_k sum_i (k + 1) x_i^2: ds/dx_i = 12 x_i */
double matrices(const double *x, int n) {
  Matrix *a = get_matrix_array(3);
  for (int k = 0; k < 3; k++) {
    resize(&a[k], 1, n);
    for (int i = 0; i < n; i++)
      a[k].data[i] = x[i] * (k + 1);
  }
  double s = 0;
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < n; i++)
      s += a[k].data[i] * x[i];
  for (int k = 0; k < 3; k++)
    free(a[k].data);
  free(a);
  return s;
}

/* The same matrices resized again and again in a loop (the block is freed
 * and allocated anew each time its size changes), a sum taken after each:
 * s = sum_{t=1..n} sum_{i<t} sin(x_i) * t */
double resize_in_loop(const double *x, int n) {
  Matrix *a = calloc(2, sizeof(Matrix));
  double s = 0;
  for (int t = 1; t <= n; t++) {
    resize(&a[t % 2], 1, t);
    for (int i = 0; i < t; i++)
      a[t % 2].data[i] = sin(x[i]) * t;
    for (int i = 0; i < a[t % 2].ncols; i++)
      s += a[t % 2].data[i];
  }
  free_matrix_array(a, 2);
  return s;
}

/* ---- double** rows allocated in a helper ---- */
double **alloc_rows(int m, int n) {
  double **rows = malloc(m * sizeof(double *));
  for (int i = 0; i < m; i++)
    rows[i] = malloc(n * sizeof(double));
  return rows;
}

void free_rows(double **rows, int m) {
  for (int i = 0; i < m; i++)
    free(rows[i]);
  free(rows);
}

/* rows[i][j] = (i + 1) sin(x_j); s = sum rows[i][j]^2 over 3 rows:
 * ds/dx_j = 2 (1 + 4 + 9) sin(x_j) cos(x_j) */
double rows_of_helper(const double *x, int n) {
  double **rows = alloc_rows(3, n);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < n; j++)
      rows[i][j] = (i + 1) * sin(x[j]);
  double s = 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < n; j++)
      s += rows[i][j] * rows[i][j];
  free_rows(rows, 3);
  return s;
}

/* ---- a struct of pointers returned by a helper ---- */
typedef struct {
  int n;
  double *a, *b;
} Pair;

Pair *new_pair(int n) {
  Pair *p = malloc(sizeof *p);
  p->n = n;
  p->a = malloc(n * sizeof(double));
  p->b = malloc(n * sizeof(double));
  return p;
}

void delete_pair(Pair *p) {
  free(p->a);
  free(p->b);
  free(p);
}

Pair pair_value(int n) {
  Pair p = {n, malloc(n * sizeof(double)), malloc(n * sizeof(double))};
  return p;
}

/* s = sum x_i^2 exp(x_i): ds/dx_i = (2 x_i + x_i^2) exp(x_i) */
double pair_by_pointer(const double *x, int n) {
  Pair *p = new_pair(n);
  for (int i = 0; i < p->n; i++) {
    p->a[i] = x[i] * x[i];
    p->b[i] = exp(x[i]);
  }
  double s = 0;
  for (int i = 0; i < p->n; i++)
    s += p->a[i] * p->b[i];
  delete_pair(p);
  return s;
}

double pair_by_value(const double *x, int n) {
  Pair p = pair_value(n);
  Pair *q = &p;
  for (int i = 0; i < q->n; i++) {
    q->a[i] = x[i] * x[i];
    q->b[i] = exp(x[i]);
  }
  double s = 0;
  for (int i = 0; i < q->n; i++)
    s += q->a[i] * q->b[i];
  free(p.a);
  free(p.b);
  return s;
}

/* ---- calloc'd array of structs with pointer fields ---- */
typedef struct {
  double *w;   /* differentiable block */
  double bias; /* differentiable value */
  int len;
} Layer;

/* layer k holds w = x * (k + 1) and bias = x_0; s = sum_k (sum_i w_i^2 +
 * bias * w_0) for k = 0..3: ds/dx_i = 2 x_i * 30 + (i == 0) * 2 x_0 * 10 */
double layers(const double *x, int n) {
  Layer *l = calloc(4, sizeof *l);
  for (int k = 0; k < 4; k++) {
    l[k].len = n;
    l[k].w = calloc(n, sizeof(double));
    for (int i = 0; i < n; i++)
      l[k].w[i] = x[i] * (k + 1);
    l[k].bias = x[0];
  }
  double s = 0;
  for (int k = 0; k < 4; k++) {
    for (int i = 0; i < l[k].len; i++)
      s += l[k].w[i] * l[k].w[i];
    s += l[k].bias * l[k].w[0];
  }
  for (int k = 0; k < 4; k++)
    free(l[k].w);
  free(l);
  return s;
}

/* ---- a linked list of heap nodes ---- */
typedef struct node {
  double v;
  double *extra; /* one differentiable value of its own */
  struct node *next;
} node;

/* pushes x_i^2 in front, then s = sum v * extra with extra = cos(x_i):
 * ds/dx_i = 2 x_i cos(x_i) - x_i^2 sin(x_i) */
double linked_list(const double *x, int n) {
  node *head = NULL;
  for (int i = 0; i < n; i++) {
    node *nd = malloc(sizeof *nd);
    nd->v = x[i] * x[i];
    nd->extra = malloc(sizeof(double));
    *nd->extra = cos(x[i]);
    nd->next = head;
    head = nd;
  }
  double s = 0;
  for (node *p = head; p; p = p->next)
    s += p->v * *p->extra;
  while (head) {
    node *next = head->next;
    free(head->extra);
    free(head);
    head = next;
  }
  return s;
}

/* ---- the caller's matrix filled: its new block (and that block's shadow,
 * stored into the caller's shadow matrix) belong to the caller ----
 * m = x^2; returns sum m_i sin(x_i): d/dx_i = 2 x_i sin(x_i) + x_i^2 cos(x_i) */
double fill_callers(Matrix *m, const double *x, int n) {
  resize(m, 1, n);
  for (int i = 0; i < n; i++)
    m->data[i] = x[i] * x[i];
  double s = 0;
  for (int i = 0; i < n; i++)
    s += m->data[i] * sin(x[i]);
  return s;
}

/* ---- struct assignment and memcpy of memory holding pointers ---- */
/* a[0] built, copied into a[1] and a[2] (they share its data):
 * s = 3 sum sin(x_i)^2, ds/dx_i = 6 sin(x_i) cos(x_i) */
double struct_copies(const double *x, int n) {
  Matrix *a = malloc(3 * sizeof *a);
  a[0].nrows = 1;
  a[0].ncols = n;
  a[0].data = malloc(n * sizeof(double));
  for (int i = 0; i < n; i++)
    a[0].data[i] = sin(x[i]);
  for (int k = 1; k < 3; k++)
    a[k] = a[k - 1];
  double s = 0;
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < a[k].ncols; i++)
      s += a[k].data[i] * a[k].data[i];
  free(a[0].data);
  free(a);
  return s;
}

/* a struct holding a double and a pointer, copied:
 * s = sum_k w_k p_k[0] with w = x_0, p[0] = x_1^2 for all 3 copies */
typedef struct {
  double w;
  double *p;
} Weighted;

double mixed_copies(const double *x, int n) {
  Weighted *a = malloc(3 * sizeof *a);
  a[0].w = x[0];
  a[0].p = malloc(sizeof(double));
  a[0].p[0] = x[1] * x[1];
  for (int k = 1; k < 3; k++)
    a[k] = a[0];
  double s = 0;
  for (int k = 0; k < 3; k++)
    s += a[k].w * a[k].p[0];
  free(a[0].p);
  free(a);
  (void)n;
  return s;
}

/* rows copied into a second table with memcpy: rows[i][j] = (i + 1)
 * sin(x_j), s = sum rows2[i][j]^2, ds/dx_j = 28 sin(x_j) cos(x_j) */
double copied_table(const double *x, int n) {
  double **rows = alloc_rows(3, n);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < n; j++)
      rows[i][j] = (i + 1) * sin(x[j]);
  double **rows2 = malloc(3 * sizeof *rows2);
  memcpy(rows2, rows, 3 * sizeof *rows);
  double s = 0;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < n; j++)
      s += rows2[i][j] * rows2[i][j];
  free(rows2);
  free_rows(rows, 3);
  return s;
}

/* ---- constant arrays stored next to differentiable ones ----
 * A pointer without a shadow is its own shadow in the shadow struct: the
 * reverse pass must drop what it would add through it. */
typedef struct {
  const double *coef; /* constant: no shadow */
  double *out;
  int n;
} Scaled;

Scaled *new_scaled(int m) {
  Scaled *s = malloc(m * sizeof *s);
  for (int k = 0; k < m; k++) {
    s[k].coef = NULL;
    s[k].out = NULL;
    s[k].n = 0;
  }
  return s;
}

void setup_scaled(Scaled *s, const double *c, int n) {
  s->coef = c;
  if (s->out)
    free(s->out);
  s->out = malloc(n * sizeof(double));
  s->n = n;
}

/* s = sum_k sum_i c_i sin(x_i) (k + 1): ds/dx_i = 6 c_i cos(x_i) */
double scaled(const double *x, const double *c, int n) {
  Scaled *sc = new_scaled(3);
  for (int k = 0; k < 3; k++) {
    setup_scaled(&sc[k], c, n);
    for (int i = 0; i < n; i++)
      sc[k].out[i] = sin(x[i]) * (k + 1);
  }
  double s = 0;
  for (int k = 0; k < 3; k++)
    for (int i = 0; i < sc[k].n; i++)
      s += sc[k].coef[i] * sc[k].out[i];
  for (int k = 0; k < 3; k++)
    free(sc[k].out);
  free(sc);
  return s;
}

static const double table[N] = {0.5, 1.5, -1.0, 2.0, 0.25};

/* one field, three kinds of pointer: layer 0 holds the constant c, layer 1
 * a global table, layers 2 and 3 x * k; s = sum_k sum_i w_i sin(x_i):
 * ds/dx_i = (c_i + t_i) cos(x_i) + 5 (sin(x_i) + x_i cos(x_i)) */
double mixed(const double *x, double *c, int n) {
  Layer *l = malloc(4 * sizeof *l);
  l[0].w = c;
  l[1].w = (double *)table;
  for (int k = 0; k < 4; k++)
    l[k].len = n;
  for (int k = 2; k < 4; k++) {
    l[k].w = malloc(n * sizeof(double));
    for (int i = 0; i < n; i++)
      l[k].w[i] = x[i] * k;
  }
  double s = 0;
  for (int k = 0; k < 4; k++)
    for (int i = 0; i < l[k].len; i++)
      s += l[k].w[i] * sin(x[i]);
  for (int k = 2; k < 4; k++)
    free(l[k].w);
  free(l);
  return s;
}

/* constant rows (double **) held by a heap struct, read through it:
 * s = sum_i sum_j rows[i][j] x_j^2 over 2 rows */
typedef struct {
  double **rows;
  double *sq;
} Holder;

double const_rows(const double *x, double **rows, int n) {
  Holder *h = malloc(sizeof *h);
  h->rows = rows;
  h->sq = malloc(n * sizeof(double));
  for (int j = 0; j < n; j++)
    h->sq[j] = x[j] * x[j];
  double s = 0;
  for (int i = 0; i < 2; i++)
    for (int j = 0; j < n; j++)
      s += h->rows[i][j] * h->sq[j];
  free(h->sq);
  free(h);
  return s;
}

/* ---- checks ---- */
/* dx = df/dx, then a second run adding into the same shadow */
#define CHECK_ARRAY_FN(f, x, want)                                                                      \
  do {                                                                                                  \
    double dx_[N] = {0};                                                                                \
    __enzyme_autodiff((void *)f, enzyme_dup, x, dx_, N);                                                \
    for (int i_ = 0; i_ < N; i_++)                                                                      \
      CHECK_AT_D(#f, x[i_], dx_[i_], want[i_]);                                                         \
    __enzyme_autodiff((void *)f, enzyme_dup, x, dx_, N);                                                \
    for (int i_ = 0; i_ < N; i_++)                                                                      \
      CHECK_AT_D(#f " (second run adds)", x[i_], dx_[i_], 2 * want[i_]);                                \
  } while (0)

int main(void) {
  const double x[N] = {0.7, -1.3, 0.4, 2.1, -0.6};
  double want[N];

  for (int i = 0; i < N; i++)
    want[i] = 12 * x[i];
  CHECK_ARRAY_FN(matrices, x, want);
  {
    double dx[N] = {0};
    ct_gradient(matrices, x, dx, N);
    for (int i = 0; i < N; i++)
      CHECK_AT_D("ct_gradient matrices", x[i], dx[i], want[i]);
  }

  for (int i = 0; i < N; i++) {
    double sum_t = 0;
    for (int t = i + 1; t <= N; t++)
      sum_t += t;
    want[i] = cos(x[i]) * sum_t;
  }
  CHECK_ARRAY_FN(resize_in_loop, x, want);

  for (int i = 0; i < N; i++)
    want[i] = 2 * 14 * sin(x[i]) * cos(x[i]);
  CHECK_ARRAY_FN(rows_of_helper, x, want);

  for (int i = 0; i < N; i++)
    want[i] = (2 * x[i] + x[i] * x[i]) * exp(x[i]);
  CHECK_ARRAY_FN(pair_by_pointer, x, want);
  CHECK_ARRAY_FN(pair_by_value, x, want);

  for (int i = 0; i < N; i++)
    want[i] = 60 * x[i] + (i == 0 ? 20 * x[0] : 0);
  CHECK_ARRAY_FN(layers, x, want);

  for (int i = 0; i < N; i++)
    want[i] = 2 * x[i] * cos(x[i]) - x[i] * x[i] * sin(x[i]);
  CHECK_ARRAY_FN(linked_list, x, want);

  for (int i = 0; i < N; i++)
    want[i] = 6 * sin(x[i]) * cos(x[i]);
  CHECK_ARRAY_FN(struct_copies, x, want);
  for (int i = 0; i < N; i++)
    want[i] = i == 0 ? 3 * x[1] * x[1] : i == 1 ? 6 * x[0] * x[1] : 0;
  CHECK_ARRAY_FN(mixed_copies, x, want);
  for (int i = 0; i < N; i++)
    want[i] = 28 * sin(x[i]) * cos(x[i]);
  CHECK_ARRAY_FN(copied_table, x, want);

  {
    const double c0[N] = {1.5, -2.0, 0.25, 3.0, -0.5};
    double c[N] = {1.5, -2.0, 0.25, 3.0, -0.5}, dx[N] = {0};
    __enzyme_autodiff((void *)scaled, enzyme_dup, x, dx, enzyme_const, c, N);
    for (int i = 0; i < N; i++) {
      CHECK_AT_D("scaled", x[i], dx[i], 6 * c0[i] * cos(x[i]));
      CHECK_AT_D("scaled: the constant array is unchanged", x[i], c[i], c0[i]);
    }
    double dy[N] = {0};
    __enzyme_autodiff((void *)mixed, enzyme_dup, x, dy, enzyme_const, c, N);
    for (int i = 0; i < N; i++) {
      CHECK_AT_D("mixed", x[i], dy[i], (c0[i] + table[i]) * cos(x[i]) + 5 * (sin(x[i]) + x[i] * cos(x[i])));
      CHECK_AT_D("mixed: the constant array is unchanged", x[i], c[i], c0[i]);
    }
  }
  {
    const double q0[N] = {1, 2, 3, 4, 5}, q1[N] = {-1, 0.5, 2, -3, 1};
    double r0[N] = {1, 2, 3, 4, 5}, r1[N] = {-1, 0.5, 2, -3, 1}, dx[N] = {0};
    double *rows[2] = {r0, r1};
    __enzyme_autodiff((void *)const_rows, enzyme_dup, x, dx, enzyme_const, rows, N);
    for (int j = 0; j < N; j++) {
      CHECK_AT_D("const_rows", x[j], dx[j], (q0[j] + q1[j]) * 2 * x[j]);
      CHECK(r0[j] == q0[j] && r1[j] == q1[j]);
    }
  }
  {
    double dx[N] = {0};
    Matrix m = {0, 0, NULL}, dm = {0, 0, NULL};
    __enzyme_autodiff((void *)fill_callers, enzyme_dup, &m, &dm, enzyme_dup, x, dx, N);
    for (int i = 0; i < N; i++) {
      CHECK_AT_D("fill_callers", x[i], dx[i], 2 * x[i] * sin(x[i]) + x[i] * x[i] * cos(x[i]));
      CHECK_AT_D("fill_callers: m", x[i], m.data[i], x[i] * x[i]);
      CHECK_AT_D("fill_callers: dm (the adjoint of m's data, which m's writes consumed)", x[i], dm.data[i], 0);
    }
    CHECK(dm.data != NULL && dm.data != m.data);
    free(m.data);
    free(dm.data); /* the caller's, like m.data */
  }
  /* pullbacks (split mode: the reverse runs later, any number of times) */
  {
    double dx[N] = {0}, want_v = 0;
    ct_pullback_t pb;
    double v = ct_value_with_pullback(matrices, &pb, x, dx, N);
    for (int i = 0; i < N; i++)
      want_v += 6 * x[i] * x[i];
    CHECK_D(v, want_v);
    ct_pullback_apply(pb, 1.0);
    ct_pullback_apply(pb, 0.5);
    ct_pullback_free(pb);
    for (int i = 0; i < N; i++)
      CHECK_AT_D("pullback matrices", x[i], dx[i], 1.5 * 12 * x[i]);
    const double c0[N] = {1.5, -2.0, 0.25, 3.0, -0.5};
    double c[N] = {1.5, -2.0, 0.25, 3.0, -0.5}, dy[N] = {0};
    pb = ct_pullback(scaled, x, dy, ct_const(c), N);
    ct_pullback_apply(pb, 2.0);
    ct_pullback_free(pb);
    for (int i = 0; i < N; i++) {
      CHECK_AT_D("pullback scaled", x[i], dy[i], 12 * c0[i] * cos(x[i]));
      CHECK(c[i] == c0[i]);
    }
    double dz[N] = {0};
    pb = ct_pullback(mixed_copies, x, dz, N);
    ct_pullback_apply(pb, 1.0);
    ct_pullback_apply(pb, 1.0);
    ct_pullback_free(pb);
    CHECK_D(dz[0], 6 * x[1] * x[1]);
    CHECK_D(dz[1], 12 * x[0] * x[1]);
  }
  return check_summary("heap_structs");
}
