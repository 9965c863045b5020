/* realloc'd vectors in two branches whose free() calls the optimizer merges
 * (fuzz seed 91748): each branch pushes into its own heap vector struct
 * {double *v; int len, cap;} through a helper that grows it with realloc,
 * then resizes the data with realloc and frees data and struct. SimplifyCFG
 * sinks the frees of both branches into one block, so a phi merges one
 * branch's struct with the other's data array. That phi only feeds free():
 * it must not make the data blocks look like they hold pointers ("moves
 * memory holding pointers and floating-point values together" was a false
 * refusal at -O1). Checked against central differences at -O0..-O3. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>

#define N 5

typedef struct {
  double *v;
  int len, cap;
} Vec;

static __attribute__((noinline)) void vec_push(Vec *a, double x) {
  if (a->len == a->cap) {
    a->cap = a->cap ? 2 * a->cap : 1;
    a->v = realloc(a->v, sizeof(double) * a->cap);
  }
  a->v[a->len++] = x;
}

/* Fills a vector with g(x), grows it to 9 entries, sums a chain over it. */
static double branch_sum(const double *x, int n, double scale, double acc) {
  Vec *q = calloc(1, sizeof(Vec));
  for (int i = 0; i < n; i++)
    vec_push(q, scale * sin(x[n - 1 - i]) + x[i] * x[i]);
  for (int i = 0; i < q->len; i++)
    acc = 0.5 * acc + tanh(q->v[i] * x[0]);
  q->v = realloc(q->v, sizeof(double) * 9);
  for (int i = n; i < 9; i++)
    q->v[i] = 0.25 * x[1] * acc;
  q->len = 9;
  for (int i = 0; i < q->len; i++)
    acc = 0.3 * acc + tanh(q->v[i] * q->v[(i + 1) % q->len]);
  free(q->v);
  free(q);
  return acc;
}

double two_branches(double *x, int n, double p) CT_DIFFERENTIABLE_WRT(x, p);
double two_branches(double *x, int n, double p) {
  double s = 0.1;
  {
    Vec *q = calloc(1, sizeof(Vec));
    for (int i = 0; i < n; i++)
      vec_push(q, 0.47 * log(0.792 + x[i] * x[i]));
    for (int i = 0; i < q->len; i++)
      s = 0.381 * s - 2.4 * tanh(q->v[i] * x[0]);
    q->v = realloc(q->v, sizeof(double) * 9);
    for (int i = n; i < 9; i++)
      q->v[i] = 0.25 * x[1] * s;
    q->len = 9;
    for (int i = 0; i < q->len; i++)
      s = 0.337 * s - 2.6 * tanh(q->v[i] * q->v[(i + 1) % q->len] * x[0]);
    free(q->v);
    free(q);
  }
  if (x[0] * x[0] < 0.153 && x[0] < p) {
    Vec *q = calloc(1, sizeof(Vec));
    for (int i = 0; i < n; i++)
      vec_push(q, 0.74 * fmax(sqrt(0.619 + x[0] * x[0]), x[n - 1 - i] + 1.36));
    for (int i = 0; i < q->len; i++)
      s = 0.763 * s - 0.94 * tanh(q->v[i] * exp(-2.5 * x[0]));
    q->v = realloc(q->v, sizeof(double) * 9);
    for (int i = n; i < 9; i++)
      q->v[i] = 0.2 * fma(x[0], x[0], x[(i + 3) % n]);
    q->len = 9;
    for (int i = 0; i < q->len; i++)
      s = -0.573 * s + 1.7 * tanh(q->v[i] * q->v[(i + 1) % q->len] * 0.973);
    free(q->v);
    free(q);
  } else {
    Vec *q = calloc(1, sizeof(Vec));
    for (int i = 0; i < n; i++)
      vec_push(q, tan(-0.82 * atan(hypot(x[i], 0.244))));
    q->v = realloc(q->v, sizeof(double) * 1);
    q->len = q->len < 1 ? q->len : 1;
    if (q->len > 0)
      s = -0.411 * s - 2.3 * tanh(q->v[0] * q->v[0] * x[0]);
    free(q->v);
    free(q);
  }
  return s + branch_sum(x, n, p, s);
}

static double value(double *x, double p) { return two_branches(x, N, p); }

int main(void) {
  /* x[0] small and below p: the first branch; then large: the second. */
  double starts[2][N] = {{0.21, 0.4, -0.3, 0.55, 0.9}, {0.8, 0.4, -0.3, 0.55, 0.9}};
  for (int t = 0; t < 2; ++t) {
    double x[N], dx[N] = {0}, p = 0.5, dp = 0;
    for (int i = 0; i < N; ++i)
      x[i] = starts[t][i];
    ct_gradient(two_branches, x, dx, N, p, &dp);
    double h = 1e-6;
    for (int i = 0; i < N; ++i) {
      double keep = x[i];
      x[i] = keep + h;
      double up = value(x, p);
      x[i] = keep - h;
      double down = value(x, p);
      x[i] = keep;
      CHECK_AT_TOL("d two_branches/dx", i, dx[i], (up - down) / (2 * h), 1e-7);
    }
    CHECK_TOL(dp, (value(x, p + h) - value(x, p - h)) / (2 * h), 1e-7);
  }
  return check_summary("realloc_free_merged");
}
