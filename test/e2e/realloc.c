/* realloc inside differentiated code (issue 15): the shadow follows the
 * block. Each realloc gets a new zeroed shadow; the reverse pass adds the
 * adjoints of the moved elements back into the old shadow, which lives
 * until the reverse of the old block's own allocation.
 *   - a growable vector struct {double *data; int n, cap;} on the stack,
 *     pushed in a loop by a helper doubling the capacity from
 *     realloc(NULL, ...), then shrunk to fit;
 *   - the same vector allocated on the heap by a constructor (its data
 *     pointer goes through a struct field: loads and stores);
 *   - a buffer that shrinks and grows again (a sliding window), elements
 *     beyond the smaller size dropped;
 *   - a table of row pointers grown by realloc (the rows' shadow pointers
 *     are copied into the new shadow table), rows malloc'd;
 *   - reallocarray, and float data;
 *   - a realloc'd vector next to records mixing float and double fields
 *     copied with memcpy (their layout says nothing of the vector);
 *   - a vector of the caller's (argument with shadow) that the function
 *     pushes into: the derivatives of its old contents land in the old
 *     shadow block, which stays the caller's;
 *   - through __enzyme_autodiff and a pullback applied twice (the reverse
 *     pass runs again on the same shadows).
 * Checked against analytic derivatives and central differences at -O0..-O3
 * (ASan and valgrind runs see reads of freed or uninitialized shadows). */
#define _GNU_SOURCE /* reallocarray */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

#define N 9

typedef struct {
  double *data;
  int n, cap;
} Vec;

static void vec_push(Vec *v, double x) {
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 1;
    v->data = realloc(v->data, (size_t)v->cap * sizeof *v->data);
  }
  v->data[v->n++] = x;
}

static void vec_shrink(Vec *v) {
  v->cap = v->n;
  v->data = realloc(v->data, (size_t)v->cap * sizeof *v->data);
}

/* sum_i (i + 1) * sin(x_i) * x_i, through a stack vector */
static double stack_vector(const double *x, int n) {
  Vec v = {NULL, 0, 0};
  for (int i = 0; i < n; ++i)
    vec_push(&v, sin(x[i]) * x[i]);
  vec_shrink(&v);
  double s = 0;
  for (int i = 0; i < v.n; ++i)
    s += (i + 1) * v.data[i];
  free(v.data);
  return s;
}

static double d_stack_vector(const double *x, int i) { return (i + 1) * (cos(x[i]) * x[i] + sin(x[i])); }

/* the vector on the heap: products of neighbours pushed, then summed */
static Vec *vec_new(void) {
  Vec *v = malloc(sizeof *v);
  v->data = NULL;
  v->n = v->cap = 0;
  return v;
}

static void vec_free(Vec *v) {
  free(v->data);
  free(v);
}

static double heap_vector(const double *x, int n) {
  Vec *v = vec_new();
  for (int i = 0; i < n; ++i)
    vec_push(v, x[i] * x[(i + 1) % n]);
  double s = 0;
  for (int i = 0; i < v->n; ++i)
    s += v->data[i] * v->data[i];
  vec_free(v);
  return s;
}

/* d/dx_k sum_i (x_i x_{i+1})^2 */
static double d_heap_vector(const double *x, int n, int k) {
  int prev = (k + n - 1) % n, next = (k + 1) % n;
  return 2 * x[k] * x[next] * x[next] + 2 * x[prev] * x[prev] * x[k];
}

/* a window of w values that shrinks to 2 and grows again each round */
static double sliding_window(const double *x, int n) {
  int w = 4;
  double *buf = malloc((size_t)w * sizeof *buf);
  for (int i = 0; i < w; ++i)
    buf[i] = x[i];
  double s = 0;
  for (int round = 0; round < 3; ++round) {
    buf = realloc(buf, 2 * sizeof *buf); /* keeps buf[0], buf[1] */
    buf = realloc(buf, (size_t)w * sizeof *buf);
    buf[2] = buf[0] * x[(round + 4) % n];
    buf[3] = buf[1] + x[(round + 5) % n];
    for (int i = 0; i < w; ++i)
      s += buf[i] * buf[i];
    buf[0] = buf[3] * 0.5;
    buf[1] = sin(buf[2]);
  }
  free(buf);
  return s;
}

/* rows of m doubles, the table of row pointers grown by realloc */
static double row_table(const double *x, int n) {
  double **rows = NULL;
  int nrows = 0, cap = 0;
  for (int r = 0; r < n; ++r) {
    if (nrows == cap) {
      cap = cap ? 2 * cap : 2;
      rows = realloc(rows, (size_t)cap * sizeof *rows);
    }
    rows[nrows] = malloc(3 * sizeof **rows);
    for (int j = 0; j < 3; ++j)
      rows[nrows][j] = x[r] * (j + 1) + x[(r + j) % n];
    ++nrows;
  }
  double s = 0;
  for (int r = 0; r < nrows; ++r) {
    s += rows[r][0] * rows[r][2] - rows[r][1];
    free(rows[r]);
  }
  free(rows);
  return s;
}

/* reallocarray, and a float buffer grown one element at a time */
static double array_growth(const double *x, int n) {
  double *a = NULL;
  float *f = NULL;
  for (int i = 0; i < n; ++i) {
    a = reallocarray(a, (size_t)i + 1, sizeof *a);
    f = realloc(f, ((size_t)i + 1) * sizeof *f);
    a[i] = exp(0.1 * x[i]);
    f[i] = (float)(x[i] * 0.5);
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += a[i] * f[i];
  free(a);
  free(f);
  return s;
}

/* records mixing float and double copied with memcpy, and a vector */
typedef struct {
  float tag;
  double w;
} Rec;

static double records_and_vector(const double *x, int n) {
  Rec a[N], b[N];
  Vec v = {NULL, 0, 0};
  for (int i = 0; i < n; ++i) {
    a[i].tag = (float)i;
    a[i].w = x[i] * a[i].tag;
    vec_push(&v, x[i] * x[i]);
  }
  memcpy(b, a, sizeof(Rec) * (size_t)n);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += b[i].w + v.data[i];
  free(v.data);
  return s;
}

/* the caller's vector: pushes k more values; the result reads all */
static double push_into(Vec *v, double a, int k) {
  for (int i = 0; i < k; ++i)
    vec_push(v, a * (i + 1));
  double s = 0;
  for (int i = 0; i < v->n; ++i)
    s += v->data[i] * v->data[i];
  return s;
}

/* central differences of f at x, in direction k */
static double central(double (*f)(const double *, int), double *x, int n, int k) {
  double h = 1e-6, keep = x[k];
  x[k] = keep + h;
  double up = f(x, n);
  x[k] = keep - h;
  double down = f(x, n);
  x[k] = keep;
  return (up - down) / (2 * h);
}

int main(void) {
  double x[N], dx[N];
  for (int i = 0; i < N; ++i)
    x[i] = 0.3 + 0.17 * i - 0.05 * (i % 3);

  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(stack_vector, x, dx, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("d stack_vector", i, dx[i], d_stack_vector(x, i));

  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  __enzyme_autodiff((void *)heap_vector, enzyme_dup, x, dx, enzyme_const, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("d heap_vector", i, dx[i], d_heap_vector(x, N, i));

  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(sliding_window, x, dx, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_TOL("d sliding_window", i, dx[i], central(sliding_window, x, N, i), 1e-7);

  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(row_table, x, dx, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_TOL("d row_table", i, dx[i], central(row_table, x, N, i), 1e-7);

  /* d/dx_i a_i f_i = 0.1 a_i f_i + 0.5 a_i (f_i and its adjoint a_i are floats) */
  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(array_growth, x, dx, N);
  for (int i = 0; i < N; ++i) {
    double a = exp(0.1 * x[i]), f = (float)(x[i] * 0.5);
    CHECK_AT_D("d array_growth", i, dx[i], 0.1 * a * f + 0.5 * (double)(float)a);
  }

  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  ct_gradient(records_and_vector, x, dx, N);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("d records_and_vector", i, dx[i], (double)(float)i + 2 * x[i]);

  /* a pullback of the heap vector, applied twice with seeds 1 and 0.5 */
  ct_pullback_t pb;
  for (int i = 0; i < N; ++i)
    dx[i] = 0;
  double v = ct_value_with_pullback(heap_vector, &pb, x, dx, N);
  CHECK_D(v, heap_vector(x, N));
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 0.5);
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("pullback of heap_vector", i, dx[i], 1.5 * d_heap_vector(x, N, i));
  ct_pullback_free(pb);

  /* the caller's vector: 3 values in a block of capacity 3, 5 pushed */
  Vec mine = {malloc(3 * sizeof(double)), 3, 3};
  Vec dmine = {calloc(3, sizeof(double)), 3, 3};
  double *old_shadow = dmine.data;
  for (int i = 0; i < 3; ++i)
    mine.data[i] = 1.0 + i;
  double da = 0;
  double s = ct_value_with_gradient(push_into, &mine, &dmine, 0.7, &da, 5);
  double want = 1 + 4 + 9, dwant = 0;
  for (int i = 0; i < 5; ++i) {
    want += 0.49 * (i + 1) * (i + 1);
    dwant += 2 * 0.7 * (i + 1) * (i + 1);
  }
  CHECK_D(s, want);
  CHECK_D(da, dwant);
  CHECK(mine.n == 8 && dmine.data != old_shadow);
  for (int i = 0; i < 3; ++i) /* d/d(old data[i]) = 2 data[i], in the old shadow */
    CHECK_AT_D("caller's old shadow", i, old_shadow[i], 2 * (1.0 + i));
  free(mine.data);
  free(dmine.data);
  free(old_shadow);
  return check_summary("realloc");
}
