/* Forward mode through data structures: struct fields of an array of
 * structs, struct assignment of structs holding pointers (their shadows
 * copied with them), an array of row pointers (double **), a model struct
 * held constant (ct_const) whose workspace fields the function sets to
 * memory it allocates (shadows kept by address), a pointer choosing
 * between an argument and a constant table, integer address arithmetic,
 * user vector types (lane moves, reductions), C99 complex arithmetic, a
 * small struct returned by value from a recursive helper (its tangent
 * returned whole), ct_without_derivative. Each directional derivative
 * against central differences along the direction. */
#include "check.h"

#include <complex.h>
#include <cotangent.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  double pos[2];
  int id;
  double mass;
} Particle;

/* fields of an array of structs, a swap by struct assignment */
static double particles(Particle *p, int n) {
  for (int i = 0; i + 1 < n; i += 2)
    if (p[i].mass > p[i + 1].mass) {
      Particle t = p[i];
      p[i] = p[i + 1];
      p[i + 1] = t;
    }
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += p[i].mass * (p[i].pos[0] * p[i].pos[0] + p[i].pos[1]) * (i + 1 + p[i].id);
  return e;
}

/* rows of a matrix allocated as an array of row pointers, then struct
   assignment of a struct holding them */
typedef struct {
  int n;
  double **rows;
} Rows;
static double row_pointers(const double *x, int n) {
  Rows a, b;
  a.n = n;
  a.rows = malloc(n * sizeof *a.rows);
  for (int i = 0; i < n; ++i) {
    a.rows[i] = malloc(n * sizeof **a.rows);
    for (int j = 0; j < n; ++j)
      a.rows[i][j] = x[i] * x[j] + (i == j);
  }
  b = a; /* copies the pointers */
  double s = 0;
  for (int i = 0; i < b.n; ++i)
    for (int j = 0; j < b.n; ++j)
      s += b.rows[i][j] * b.rows[j][(i + 1) % n];
  for (int i = 0; i < n; ++i)
    free(a.rows[i]);
  free(a.rows);
  return s;
}

/* a model held constant, with workspace the function allocates */
typedef struct {
  int n;
  const double *weights;
  double *work; /* set by the objective */
} Model;
static double with_model(Model *m, const double *x) {
  m->work = malloc(m->n * sizeof(double));
  for (int i = 0; i < m->n; ++i)
    m->work[i] = m->weights[i] * sin(x[i]);
  double s = 0;
  for (int i = 0; i < m->n; ++i)
    s += m->work[i] * m->work[(i + 1) % m->n];
  free(m->work);
  m->work = NULL;
  return s;
}

/* a pointer to the argument or to a constant table */
static const double TABLE[4] = {0.5, 1.5, -2.0, 3.0};
static double choose(const double *x, int use_table, int n) {
  const double *p = use_table ? TABLE : x;
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += p[i] * x[i];
  return s;
}

/* the address computed as an integer */
static double by_address(const double *x, int k) {
  uintptr_t a = (uintptr_t)x + (uintptr_t)k * sizeof(double);
  const double *p = (const double *)a;
  return *p * *p * x[0];
}

/* user vector types */
typedef double v4 __attribute__((ext_vector_type(4)));
static double vectors(const double *x) {
  v4 a = {x[0], x[1], x[2], x[3]}, b = a.wzyx * a + 1.0;
  v4 c = b.xxyy * a.zwzw;
  return c.x + c.y * c.z - c.w + __builtin_reduce_max(a * b);
}

/* complex arithmetic */
static double complex_loss(double a, double b, double c) {
  double complex z = a + b * I, w = c - 0.5 * I;
  double complex r = z * w + cexp(z) / (w + 2.0);
  return creal(r) * 2.0 + cimag(r);
}

/* a struct returned by value from a recursive helper */
typedef struct {
  double re, im;
} Pair;
static Pair rotate(Pair p, double th, int n) {
  if (n == 0)
    return p;
  Pair q = {p.re * cos(th) - p.im * sin(th), p.re * sin(th) + p.im * cos(th)};
  return rotate(q, th * 0.9, n - 1);
}
static double rotated(double x, double y, double th) {
  Pair r = rotate((Pair){x, y}, th, 4);
  return r.re * r.re + 3.0 * r.im;
}

static double held(double x) { return x * ct_without_derivative(x * x); }

static double eval(int which, const double *x);
static double fd_dir(int which, const double *x, const double *v, int n) {
  double a[8], b[8], h = 1e-6;
  for (int i = 0; i < n; ++i) {
    a[i] = x[i] + h * v[i];
    b[i] = x[i] - h * v[i];
  }
  return (eval(which, a) - eval(which, b)) / (2 * h);
}
static double eval(int which, const double *x) {
  Model m = {4, x + 4, NULL};
  switch (which) {
  case 0: return row_pointers(x, 5);
  case 1: return with_model(&m, x);
  case 2: return choose(x, 0, 4);
  case 3: return by_address(x, 3);
  case 4: return vectors(x);
  case 5: return complex_loss(x[0], x[1], x[2]);
  default: return rotated(x[0], x[1], x[2]);
  }
}

int main(void) {
  double x[8], v[8];
  for (int i = 0; i < 8; ++i) {
    x[i] = 0.4 + 0.15 * i;
    v[i] = 1.0 - 0.2 * i * (i % 3 ? 1 : -1);
  }
  {
    Particle p[4], dp[4], pp[4], pm[4];
    double h = 1e-6;
    for (int i = 0; i < 4; ++i) {
      p[i] = (Particle){{0.3 * i, 1.0 - i}, i, 2.0 - 0.7 * i * (i % 2)};
      dp[i] = (Particle){{0.1, -0.2 * i}, 0, 0.5};
      pp[i] = pm[i] = p[i];
      pp[i].pos[0] += h * dp[i].pos[0], pp[i].pos[1] += h * dp[i].pos[1], pp[i].mass += h * dp[i].mass;
      pm[i].pos[0] -= h * dp[i].pos[0], pm[i].pos[1] -= h * dp[i].pos[1], pm[i].mass -= h * dp[i].mass;
    }
    double fd = (particles(pp, 4) - particles(pm, 4)) / (2 * h);
    CHECK_TOL(ct_derivative(particles, p, dp, 4), fd, 1e-7);
    CHECK(p[0].mass <= p[1].mass && dp[0].mass == 0.5); /* swapped, with their tangents */
  }
  double dv[8];
  memcpy(dv, v, sizeof dv);
  CHECK_TOL(ct_derivative(row_pointers, x, dv, 5), fd_dir(0, x, v, 5), 1e-7);
  {
    Model m = {4, x + 4, NULL};
    double w[4] = {0};
    (void)w;
    /* only x varies: the model (and its weights) held constant */
    double va[8];
    memcpy(va, v, sizeof va);
    for (int i = 4; i < 8; ++i)
      va[i] = 0;
    CHECK_TOL(ct_derivative(with_model, ct_const(&m), x, dv), fd_dir(1, x, va, 8), 1e-7);
    CHECK(m.work == NULL);
  }
  CHECK_TOL(ct_derivative(choose, x, dv, 0, 4), fd_dir(2, x, v, 4), 1e-7);
  {
    double want = 0;
    for (int i = 0; i < 4; ++i)
      want += TABLE[i] * v[i];
    CHECK_D(ct_derivative(choose, x, dv, 1, 4), want);
  }
  CHECK_TOL(ct_derivative(by_address, x, dv, 3), fd_dir(3, x, v, 4), 1e-7);
  CHECK_TOL(ct_derivative(vectors, x, dv), fd_dir(4, x, v, 4), 1e-7);
  CHECK_TOL(ct_derivative(complex_loss, x[0], v[0], x[1], v[1], x[2], v[2]), fd_dir(5, x, v, 3), 1e-7);
  CHECK_TOL(ct_derivative(rotated, x[0], v[0], x[1], v[1], x[2], v[2]), fd_dir(6, x, v, 3), 1e-7);
  CHECK_D(ct_derivative(held, 1.5, 1.0), 1.5 * 1.5);
  return check_summary("forward_structures");
}
