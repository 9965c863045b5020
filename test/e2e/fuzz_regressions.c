/* Regressions found by the random differential tester (test/fuzz):
 * hypot at (0, 0) and cbrt at 0 where no derivative flows (a zero seed
 * through an infinite partial must give 0, not NaN), a switch whose cases
 * share a block, and two functions that call each other recursively with
 * different activity; a malloc'd copy that is never read; a malloc'd array
 * that LLVM duplicates on two paths merged by a phi; records {int; double;
 * int; float; double[3]} built in a local array, copied to the heap and
 * moved one slot up, the shape of seed 110959 (whose refusal, a move on a
 * peeled n <= 0 path of a buffer freed after a phi, is pinned in
 * lit/reverse_copy_freed_after_phi.ll). Analytic checks. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern double __enzyme_autodiff(void *, ...);

static int failures;
static void check(const char *what, double got, double want) {
  if (!(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)))) {
    printf("FAILED %s: got %.17g, want %.17g\n", what, got, want);
    failures++;
  }
}

/* hypot(0 * p, 0) is 0 for every p: its derivative is 0 */
static double kink(double p, double x) { return x * x + hypot(0.0 * p, 0.0); }

/* cbrt(y) at y = 0 multiplied by zero */
static double cusp(double p, double y) { return p * p + 0.0 * atan(cbrt(y)); }

static double cases(double x, int k) {
  double r;
  switch (k) {
  case 0:
  case 2: r = x * x; break;
  case 1: r = sin(x); break;
  default: r = x;
  }
  return r * 3.0;
}

static double ping(double x, int d);
static double pong(double x, double y, int d) { return d <= 0 ? x * y : ping(x * y, d - 1) + y; }
static double ping(double x, int d) { return d <= 0 ? sin(x) : pong(x, 0.5 * x, d - 1) * x; }

static double unused_copy(double *x, int n) {
  double *a = malloc(sizeof(double) * (size_t)n);
  memcpy(a, x, sizeof(double) * (size_t)n);
  free(a);
  return x[0] * x[0];
}

static double filled(double *x, int n) {
  double a = 0;
  for (int i = 0; i < n; i++)
    a = 0.5 * a + x[i];
  double *t = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++)
    t[i] = a;
  double r = t[n - 1];
  free(t);
  return r;
}

typedef struct {
  int id;
  double w;
  int flags;
  float tag;
  double v[3];
} rec;

/* sum_j (j + 1) w_j' v_j'[j % 3] * (flags_j' + 1) over the moved records */
static double moved_records(const double *x, int n) {
  double *sq = malloc(sizeof(double) * (size_t)n);
  for (int i = 0; i < n; i++)
    sq[i] = x[i] * x[i];
  rec loc[8];
  rec *h = malloc(sizeof(rec) * (size_t)n);
  for (int i = 0; i < n; i++) {
    loc[i].id = i + 1;
    loc[i].flags = i % 3;
    loc[i].tag = (float)(0.5 * i);
    loc[i].w = sq[i];
    for (int k = 0; k < 3; k++)
      loc[i].v[k] = x[i] + k;
  }
  memcpy(h, loc, sizeof(rec) * (size_t)n);
  memmove(h + 1, h, sizeof(rec) * (size_t)(n - 1));
  double s = 0;
  for (int j = 0; j < n; j++)
    s += (j + 1) * h[j].w * h[j].v[j % 3] * (h[j].flags + 1);
  free(h);
  free(sq);
  return s;
}

int main(void) {
  double x[3] = {3, 4, 5}, dx[3] = {0, 0, 0};
  __enzyme_autodiff((void *)unused_copy, x, dx, 2);
  check("unused_copy", dx[0], 6.0);
  dx[0] = dx[1] = dx[2] = 0;
  __enzyme_autodiff((void *)filled, x, dx, 3);
  check("filled 0", dx[0], 0.25);
  check("filled 1", dx[1], 0.5);
  check("filled 2", dx[2], 1.0);
  {
    double xr[4] = {0.5, -1.25, 2, 0.75}, dxr[4] = {0};
    __enzyme_autodiff((void *)moved_records, xr, dxr, 4);
    /* after the move slot j holds record max(j - 1, 0): x_i^2 (x_i + k) */
    double want[4] = {0};
    for (int j = 0; j < 4; j++) {
      int i = j ? j - 1 : 0, k = j % 3;
      want[i] += (j + 1) * (i % 3 + 1) * (2 * xr[i] * (xr[i] + k) + xr[i] * xr[i]);
    }
    for (int i = 0; i < 4; i++)
      check("moved_records", dxr[i], want[i]);
  }
  check("kink", __enzyme_autodiff((void *)kink, 1.5, 2.0), 0.0);
  check("cusp", __enzyme_autodiff((void *)cusp, 1.5, 0.0), 3.0);
  for (int k = 0; k < 4; ++k) {
    double x = 0.7, want = k == 0 || k == 2 ? 6 * x : k == 1 ? 3 * cos(x) : 3.0;
    check("cases", __enzyme_autodiff((void *)cases, x, k), want);
  }
  /* finite differences for the mutual recursion */
  for (int d = 0; d < 5; ++d) {
    double x = 0.6, h = 1e-6;
    double fd = (ping(x + h, d) - ping(x - h, d)) / (2 * h);
    double ad = __enzyme_autodiff((void *)ping, x, d);
    if (!(fabs(ad - fd) <= 1e-6 * fmax(1.0, fabs(fd)))) {
      printf("FAILED ping depth %d: got %.17g, finite differences %.17g\n", d, ad, fd);
      failures++;
    }
  }
  printf("fuzz_regressions: %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}
