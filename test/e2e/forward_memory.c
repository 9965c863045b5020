/* Forward mode through memory: arrays updated in place through duplicated
 * pointers (the tangent array read and written), local arrays, malloc/free
 * and calloc inside the function (shadows freed with the blocks: ASan's
 * leak check), a growable array (realloc moves the tangents), memcpy and
 * memset, heap structs with pointer fields (a matrix type, a linked list),
 * struct fields read through a struct pointer; each directional derivative
 * against central differences along the direction or analytic values. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* in place: x[i] = x[i]^2 + sin(x[i-1]), then the sum */
static double smooth(double *x, int n) {
  for (int i = 1; i < n; ++i)
    x[i] = x[i] * x[i] + sin(x[i - 1]);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i];
  return s;
}

/* a local array and a heap scratch buffer */
static double scratch(const double *x, int n) {
  double local[4] = {0};
  double *tmp = malloc(n * sizeof *tmp);
  double *acc = calloc(n, sizeof *acc);
  for (int i = 0; i < n; ++i) {
    tmp[i] = exp(0.1 * x[i]);
    local[i % 4] += tmp[i];
    acc[i] = local[i % 4] * x[i];
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += acc[i] * tmp[n - 1 - i];
  free(tmp);
  free(acc);
  return s;
}

/* a growable array filled with the running products */
typedef struct {
  double *data;
  int n, cap;
} Vec;
static void push(Vec *v, double x) {
  if (v->n == v->cap) {
    v->cap = v->cap ? 2 * v->cap : 2;
    v->data = realloc(v->data, v->cap * sizeof *v->data);
  }
  v->data[v->n++] = x;
}
static double grow(const double *x, int n) {
  Vec v = {0};
  double p = 1;
  for (int i = 0; i < n; ++i) {
    p *= x[i];
    push(&v, p);
  }
  double s = 0;
  for (int i = 0; i < v.n; ++i)
    s += v.data[i] * v.data[v.n - 1 - i];
  free(v.data);
  return s;
}

/* memcpy into a work copy, memset of part of an output */
static void copy_and_clear(const double *x, double *y, int n) {
  double work[16];
  memcpy(work, x, n * sizeof *x);
  for (int i = 0; i < n; ++i)
    work[i] = work[i] * work[(i + 1) % n];
  memcpy(y, work, n * sizeof *y);
  memset(y, 0, 2 * sizeof *y);
}

/* a matrix type with a heap data field, made and freed in the function */
typedef struct {
  int rows, cols;
  double *data;
} Mat;
static Mat *mat_new(int r, int c) {
  Mat *m = malloc(sizeof *m);
  m->rows = r;
  m->cols = c;
  m->data = calloc((size_t)r * c, sizeof *m->data);
  return m;
}
static void mat_free(Mat *m) {
  free(m->data);
  free(m);
}
static double gram_trace(const double *x, int r, int c) {
  Mat *a = mat_new(r, c);
  for (int i = 0; i < r * c; ++i)
    a->data[i] = tanh(x[i]);
  double t = 0;
  for (int i = 0; i < a->rows; ++i)
    for (int j = 0; j < a->rows; ++j) {
      double d = 0;
      for (int k = 0; k < a->cols; ++k)
        d += a->data[i * a->cols + k] * a->data[j * a->cols + k];
      t += d * d;
    }
  mat_free(a);
  return t;
}

/* a linked list built and walked in the function */
typedef struct Node {
  double v;
  struct Node *next;
} Node;
static double list_poly(const double *x, int n) {
  Node *head = NULL;
  for (int i = 0; i < n; ++i) {
    Node *nd = malloc(sizeof *nd);
    nd->v = x[i] * x[i];
    nd->next = head;
    head = nd;
  }
  double s = 0, w = 1;
  while (head) {
    Node *nx = head->next;
    s += w * head->v;
    w *= 1.5;
    free(head);
    head = nx;
  }
  return s;
}

/* fields of a struct argument (its shadow struct holds their tangents) */
typedef struct {
  double mass, k;
  int steps;
  double damping;
} Params;
static double energy(const Params *p, double x0) {
  double x = x0, v = 0, dt = 0.01;
  for (int i = 0; i < p->steps; ++i) {
    double a = -(p->k * x + p->damping * v) / p->mass;
    v += dt * a;
    x += dt * v;
  }
  return 0.5 * p->mass * v * v + 0.5 * p->k * x * x;
}

typedef double (*vec_fn)(double *, int);
/* central difference of f along v at x (f may overwrite its copy) */
static double fd_dir(double (*f)(double *, int), const double *x, const double *v, int n) {
  double a[32], b[32], h = 1e-6;
  for (int i = 0; i < n; ++i) {
    a[i] = x[i] + h * v[i];
    b[i] = x[i] - h * v[i];
  }
  return (f(a, n) - f(b, n)) / (2 * h);
}
static double scratch_w(double *x, int n) { return scratch(x, n); }
static double grow_w(double *x, int n) { return grow(x, n); }
static double list_w(double *x, int n) { return list_poly(x, n); }
static double gram_w(double *x, int n) { return gram_trace(x, 3, n / 3); }

int main(void) {
  enum { N = 12 };
  double x[N], v[N];
  for (int i = 0; i < N; ++i) {
    x[i] = 0.3 + 0.07 * i;
    v[i] = cos(1.0 + i);
  }
  {
    double a[N], da[N];
    memcpy(a, x, sizeof a);
    memcpy(da, v, sizeof da);
    double d = ct_derivative(smooth, a, da, N);
    CHECK_TOL(d, fd_dir(smooth, x, v, N), 1e-7);
    /* the tangent array holds the tangents of the updated values */
    double h = 1e-6, p[N], m[N];
    for (int i = 0; i < N; ++i) {
      p[i] = x[i] + h * v[i];
      m[i] = x[i] - h * v[i];
    }
    smooth(p, N);
    smooth(m, N);
    for (int i = 0; i < N; ++i)
      CHECK_AT_TOL("smooth: updated x", i, da[i], (p[i] - m[i]) / (2 * h), 1e-7);
    CHECK_D(a[N - 1], p[N - 1] - (p[N - 1] - m[N - 1]) / 2); /* the value was updated too */
  }
  double dv[N];
  memcpy(dv, v, sizeof dv);
  CHECK_TOL(ct_derivative(scratch, x, dv, N), fd_dir(scratch_w, x, v, N), 1e-7);
  for (int n = 1; n <= N; n += 5)
    CHECK_AT_TOL("grow", n, ct_derivative(grow, x, dv, n), fd_dir(grow_w, x, v, n), 1e-7);
  CHECK_TOL(ct_derivative(gram_trace, x, dv, 3, 4), fd_dir(gram_w, x, v, N), 1e-7);
  CHECK_TOL(ct_derivative(list_poly, x, dv, N), fd_dir(list_w, x, v, N), 1e-7);
  {
    double y[6], dy[6];
    for (int i = 0; i < 6; ++i)
      dy[i] = 99; /* written, not read */
    ct_derivative(copy_and_clear, x, dv, y, dy, 6);
    CHECK(dy[0] == 0 && dy[1] == 0 && y[0] == 0);
    double h = 1e-6, p[6], m[6], yp[6], ym[6];
    for (int i = 0; i < 6; ++i) {
      p[i] = x[i] + h * v[i];
      m[i] = x[i] - h * v[i];
    }
    copy_and_clear(p, yp, 6);
    copy_and_clear(m, ym, 6);
    for (int i = 2; i < 6; ++i)
      CHECK_AT_TOL("copy_and_clear", i, dy[i], (yp[i] - ym[i]) / (2 * h), 1e-7);
    /* the first element's update (before work[5] reads it) */
    CHECK_D(dy[2], v[2] * x[3] + x[2] * v[3]);
  }
  {
    Params p = {1.5, 4.0, 200, 0.3}, dp = {0.1, -0.2, 0, 0.05}, pp = p, pm = p;
    double h = 1e-6;
    pp.mass += h * dp.mass, pp.k += h * dp.k, pp.damping += h * dp.damping;
    pm.mass -= h * dp.mass, pm.k -= h * dp.k, pm.damping -= h * dp.damping;
    double fd = (energy(&pp, 1.0 + h * 0.5) - energy(&pm, 1.0 - h * 0.5)) / (2 * h);
    CHECK_TOL(ct_derivative(energy, &p, &dp, 1.0, 0.5), fd, 1e-7);
  }
  return check_summary("forward_memory");
}
