/* Loops whose iterations overwrite scratch memory, the shapes the planner's
 * iteration-level recomputation (pass/remat.c) changes: the reverse of an
 * iteration recomputes what it wrote into the scratch buffers instead of
 * taping what it read there. Every gradient is checked against central
 * differences (at -O0..-O3, run.sh):
 *   - GMM's shape: helpers write x - mu into one malloc'd buffer and a
 *     triangular matrix times it into another, for every (point,
 *     component), then a norm and a log-sum-exp (recomputed);
 *   - the same with scratch arrays on the stack (recomputed);
 *   - the iteration reads a function-owned buffer (its live-in) that the
 *     function overwrites after the loop (must not be recomputed from the
 *     overwritten values);
 *   - a buffer that carries values from one iteration to the next (not
 *     written before it is read in the iteration);
 *   - a buffer written only in part before it is read (the last element
 *     comes from before the loop);
 *   - a scratch element written under a condition;
 *   - scratch values read again after the loop (recomputed);
 *   - a stack buffer written twice in the iteration (recomputed). */
#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { N = 6, K = 3, D = 4, TRI = D * (D - 1) / 2 };

static void vec_sub(int n, const double *a, const double *b, double *out) {
  for (int i = 0; i < n; i++)
    out[i] = a[i] - b[i];
}

static void tri_times(int d, const double *diag, const double *lower, const double *v, double *out) {
  for (int i = 0; i < d; i++)
    out[i] = diag[i] * v[i];
  int idx = 0;
  for (int j = 0; j < d; j++)
    for (int i = j + 1; i < d; i++)
      out[i] += lower[idx++] * v[j];
}

static double sq_norm(int n, const double *v) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += v[i] * v[i];
  return s;
}

static double lse(int n, const double *v) {
  double m = v[0];
  for (int i = 1; i < n; i++)
    if (v[i] > m)
      m = v[i];
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(v[i] - m);
  return log(s) + m;
}

/* p = [mu (K*D) | diag logs (K*D) | lower (K*TRI)]; x: N*D points */
static double gmm_heap(const double *p, const double *x CT_NO_DERIVATIVE, int n, int k, int d) {
  int tri = d * (d - 1) / 2;
  double *diag = malloc((size_t)k * d * sizeof *diag);
  double *centered = malloc((size_t)d * sizeof *centered);
  double *qx = malloc((size_t)d * sizeof *qx);
  double *term = malloc((size_t)k * sizeof *term);
  for (int c = 0; c < k * d; c++)
    diag[c] = exp(p[k * d + c]);
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int c = 0; c < k; c++) {
      vec_sub(d, x + i * d, p + c * d, centered);
      tri_times(d, diag + c * d, p + 2 * k * d + c * tri, centered, qx);
      term[c] = -0.5 * sq_norm(d, qx);
    }
    f += lse(k, term);
  }
  free(diag);
  free(centered);
  free(qx);
  free(term);
  return f;
}

/* the same with fixed-size scratch arrays on the stack (d <= D) */
static double gmm_stack(const double *p, const double *x CT_NO_DERIVATIVE, int n, int k, int d) {
  int tri = d * (d - 1) / 2;
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    double term[K];
    for (int c = 0; c < k; c++) {
      double centered[D], qx[D];
      for (int j = 0; j < d; j++)
        centered[j] = x[i * d + j] - p[c * d + j];
      for (int j = 0; j < d; j++)
        qx[j] = exp(p[k * d + c * d + j]) * centered[j];
      int idx = 0;
      for (int j = 0; j < d; j++)
        for (int r = j + 1; r < d; r++)
          qx[r] += p[2 * k * d + c * tri + idx++] * centered[j];
      term[c] = -0.5 * sq_norm(d, qx);
    }
    f += lse(k, term);
  }
  return f;
}

/* f += sum_j b[j]^2 p[d+j] + b[j] p[j]^2 + sin(b[j]): three loops reading
 * the scratch buffer b, each needing its values (the shape the planner
 * recomputes when b is rewritten before them in every iteration) */
static double reads(const double *b, const double *p, int d) {
  double f = 0.0;
  for (int j = 0; j < d; j++)
    f += b[j] * b[j] * p[d + j];
  for (int j = 0; j < d; j++)
    f += b[j] * p[j] * p[j];
  for (int j = 0; j < d; j++)
    f += sin(b[j]);
  return f;
}

/* mu is the function's own copy of p's means (the iteration's live-in);
   after the loop it is overwritten and used again */
static double live_in_overwritten(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *mu = malloc((size_t)d * sizeof *mu);
  double *c = malloc((size_t)d * sizeof *c);
  for (int j = 0; j < d; j++)
    mu[j] = p[j] * p[d + j];
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d; j++)
      c[j] = x[i * d + j] - mu[j];
    f += reads(c, p, d);
  }
  for (int j = 0; j < d; j++)
    mu[j] = 3.0 * mu[j] * p[j];
  for (int j = 0; j < d; j++)
    f += mu[j] * mu[j];
  free(mu);
  free(c);
  return f;
}

/* acc keeps its values from one iteration to the next */
static double carried(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *acc = malloc((size_t)d * sizeof *acc);
  for (int j = 0; j < d; j++)
    acc[j] = p[j];
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d; j++)
      acc[j] = 0.5 * acc[j] + x[i * d + j] * p[d + j];
    f += reads(acc, p, d);
  }
  free(acc);
  return f;
}

/* buf[d - 1] is set before the loop and never in it */
static double partial(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *buf = malloc((size_t)d * sizeof *buf);
  buf[d - 1] = p[0] * p[1];
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d - 1; j++)
      buf[j] = x[i * d + j] * p[j];
    f += reads(buf, p, d);
  }
  free(buf);
  return f;
}

/* buf[j] is rewritten only where x is positive */
static double conditional(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *buf = malloc((size_t)d * sizeof *buf);
  for (int j = 0; j < d; j++)
    buf[j] = p[j];
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d; j++)
      if (x[i * d + j] > 0.0)
        buf[j] = x[i * d + j] - p[d + j];
    f += reads(buf, p, d);
  }
  free(buf);
  return f;
}

/* recomputed; the last iteration's scratch values are read again after
   the loop */
static double read_after(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double *c = malloc((size_t)d * sizeof *c);
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < d; j++)
      c[j] = x[i * d + j] - p[j];
    f += reads(c, p, d);
  }
  for (int j = 0; j < d; j++)
    f += cos(c[j]) * p[j];
  free(c);
  return f;
}

/* recomputed, the scratch buffer on the stack; an element written twice in
   the iteration, the second time from the first */
static double stack_twice(const double *p, const double *x CT_NO_DERIVATIVE, int n, int d) {
  double f = 0.0;
  for (int i = 0; i < n; i++) {
    double c[D];
    for (int j = 0; j < d; j++)
      c[j] = x[i * d + j] - p[j];
    for (int j = 0; j < d; j++)
      c[j] = c[j] * p[d + j];
    f += reads(c, p, d);
  }
  return f;
}

static double x_data[N * D];

typedef double (*objective)(const double *, const double *, int, int);
static double call_gmm_heap(double *p, void *ctx) {
  (void)ctx;
  return gmm_heap(p, x_data, N, K, D);
}
static double call_gmm_stack(double *p, void *ctx) {
  (void)ctx;
  return gmm_stack(p, x_data, N, K, D);
}
static double call_objective(double *p, void *ctx) { return (*(objective *)ctx)(p, x_data, N, D); }

int main(void) {
  enum { NP = 2 * K * D + K * TRI };
  double p[NP], g[NP];
  for (int i = 0; i < NP; i++)
    p[i] = 0.3 * sin(1.7 * i + 0.2) + (i % 3 == 0 ? 0.4 : -0.1);
  for (int i = 0; i < N * D; i++)
    x_data[i] = cos(0.9 * i + 0.5);

  memset(g, 0, sizeof g);
  double v = ct_value_with_gradient(gmm_heap, p, g, x_data, N, K, D);
  CHECK_D(v, gmm_heap(p, x_data, N, K, D));
  CHECK_FD_GRADIENT("gmm_heap", call_gmm_heap, NULL, p, NP, g, 1e-6, 1e-6);

  memset(g, 0, sizeof g);
  v = ct_value_with_gradient(gmm_stack, p, g, x_data, N, K, D);
  CHECK_D(v, gmm_stack(p, x_data, N, K, D));
  CHECK_FD_GRADIENT("gmm_stack", call_gmm_stack, NULL, p, NP, g, 1e-6, 1e-6);

  const struct {
    const char *name;
    objective f;
  } cases[] = {{"live_in_overwritten", live_in_overwritten},
               {"carried", carried},
               {"partial", partial},
               {"conditional", conditional},
               {"read_after", read_after},
               {"stack_twice", stack_twice}};
  for (unsigned c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    objective f = cases[c].f;
    memset(g, 0, sizeof g);
    if (c == 0)
      v = ct_value_with_gradient(live_in_overwritten, p, g, x_data, N, D);
    else if (c == 1)
      v = ct_value_with_gradient(carried, p, g, x_data, N, D);
    else if (c == 2)
      v = ct_value_with_gradient(partial, p, g, x_data, N, D);
    else if (c == 3)
      v = ct_value_with_gradient(conditional, p, g, x_data, N, D);
    else if (c == 4)
      v = ct_value_with_gradient(read_after, p, g, x_data, N, D);
    else
      v = ct_value_with_gradient(stack_twice, p, g, x_data, N, D);
    CHECK_D(v, f(p, x_data, N, D));
    CHECK_FD_GRADIENT(cases[c].name, call_objective, &f, p, 2 * D, g, 1e-6, 1e-6);
  }
  return check_summary("iteration_recompute");
}
