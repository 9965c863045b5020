/* Sorting as a differentiable permutation: the input is copied and sorted
 * (insertion sort with data-dependent while loops and shifts through memory,
 * or bubble sort with swaps and an early exit), then f = sum_k w_k s_k over
 * the sorted values s. df/dx_i = w_{rank(i)}, rank = the element's position
 * after a stable sort.
 * Buffers: a local array, a caller-provided scratch buffer (duplicated, its
 * shadow starts at zero and must come back zero) and enzyme_dupnoneed. */
#include "check.h"

/* analytic references: 1e-10 relative leaves room for a different summation order */
#define CHECK_AT(what, x, got, want) \
  check_point(__FILE__, __LINE__, (what), (double)(x), (double)(got), (double)(want), 1e-10)

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_buf(void *, ...);
extern double __enzyme_autodiff_bubble(void *, ...);
extern double __enzyme_autodiff_nn(void *, ...);

#define N 24

static void insertion_sort(double *a, int n) {
  for (int i = 1; i < n; ++i) {
    double key = a[i];
    int j = i - 1;
    while (j >= 0 && a[j] > key) {
      a[j + 1] = a[j];
      --j;
    }
    a[j + 1] = key;
  }
}

static double weighted_sorted_local(const double *x, const double *w, int n) {
  double s[N];
  for (int i = 0; i < n; ++i)
    s[i] = x[i];
  insertion_sort(s, n);
  double f = 0.0;
  for (int k = 0; k < n; ++k)
    f += w[k] * s[k];
  return f;
}

static double weighted_sorted_buf(const double *x, double *buf, const double *w, int n) {
  for (int i = 0; i < n; ++i)
    buf[i] = x[i];
  insertion_sort(buf, n);
  double f = 0.0;
  for (int k = 0; k < n; ++k)
    f += w[k] * buf[k];
  return f;
}

static double weighted_bubble(const double *x, double *buf, const double *w, int n) {
  for (int i = 0; i < n; ++i)
    buf[i] = x[i];
  for (int pass = 0; pass < n - 1; ++pass) {
    int swapped = 0;
    for (int j = 0; j < n - 1 - pass; ++j) {
      if (buf[j] > buf[j + 1]) {
        double t = buf[j];
        buf[j] = buf[j + 1];
        buf[j + 1] = t;
        swapped = 1;
      }
    }
    if (!swapped)
      break;
  }
  double f = 0.0;
  for (int k = 0; k < n; ++k)
    f += w[k] * buf[k] * buf[k]; /* quadratic: df/dx_i = 2 w_r x_i */
  return f;
}

/* stable rank of x[i] among x[0..n) */
static int rank_of(const double *x, int n, int i) {
  int r = 0;
  for (int j = 0; j < n; ++j)
    if (x[j] < x[i] || (x[j] == x[i] && j < i))
      ++r;
  return r;
}

static void zero(double *a, int n) {
  for (int i = 0; i < n; ++i)
    a[i] = 0.0;
}

static void check_all(const char *what, const double *x, const double *w, int n, const double *dx, int quad) {
  for (int i = 0; i < n; ++i) {
    double want = w[rank_of(x, n, i)] * (quad ? 2.0 * x[i] : 1.0);
    CHECK_AT(what, i, dx[i], want);
  }
}

int main(void) {
  double x[N], dx[N], w[N], dw[N], buf[N], dbuf[N];
  for (int i = 0; i < N; ++i) {
    x[i] = sin(2.3 * i + 0.4) * (1.0 + 0.1 * i); /* distinct values */
    w[i] = 1.0 + 0.5 * i + 0.01 * i * i;
  }
  x[7] = x[3]; /* a tie: stable sort keeps 3 before 7 */

  zero(dx, N);
  __enzyme_autodiff((void *)weighted_sorted_local, enzyme_dup, x, dx, enzyme_const, w, N);
  check_all("local", x, w, N, dx, 0);

  /* weights active too: df/dw_k = k-th smallest value */
  zero(dx, N);
  zero(dw, N);
  __enzyme_autodiff((void *)weighted_sorted_local, x, dx, w, dw, N);
  check_all("local (w active)", x, w, N, dx, 0);
  for (int i = 0; i < N; ++i)
    CHECK_AT("dw", rank_of(x, N, i), dw[rank_of(x, N, i)], x[i]);

  zero(dx, N);
  zero(dbuf, N);
  __enzyme_autodiff_buf((void *)weighted_sorted_buf, x, dx, buf, dbuf, enzyme_const, w, N);
  check_all("buffer", x, w, N, dx, 0);
  for (int i = 0; i < N; ++i)
    CHECK(dbuf[i] == 0.0);
  for (int k = 1; k < N; ++k)
    CHECK(buf[k - 1] <= buf[k]); /* the primal ran: the buffer is sorted */

  zero(dx, N);
  zero(dbuf, N);
  __enzyme_autodiff_nn((void *)weighted_sorted_buf, enzyme_dup, x, dx, enzyme_dupnoneed, buf, dbuf,
                       enzyme_const, w, N);
  check_all("buffer dupnoneed", x, w, N, dx, 0);

  zero(dx, N);
  zero(dbuf, N);
  __enzyme_autodiff_bubble((void *)weighted_bubble, x, dx, buf, dbuf, enzyme_const, w, N);
  check_all("bubble", x, w, N, dx, 1);

  /* already sorted (bubble exits after one pass) and reversed inputs */
  double y[N], dy[N];
  for (int i = 0; i < N; ++i)
    y[i] = 0.1 * i - 1.0;
  zero(dy, N);
  __enzyme_autodiff_bubble((void *)weighted_bubble, y, dy, buf, dbuf, enzyme_const, w, N);
  check_all("bubble sorted", y, w, N, dy, 1);
  for (int i = 0; i < N; ++i)
    y[i] = 1.0 - 0.1 * i;
  zero(dy, N);
  __enzyme_autodiff((void *)weighted_sorted_local, enzyme_dup, y, dy, enzyme_const, w, N);
  check_all("local reversed", y, w, N, dy, 0);
  /* smaller n */
  zero(dy, N);
  __enzyme_autodiff((void *)weighted_sorted_local, enzyme_dup, y, dy, enzyme_const, w, 5);
  check_all("local n=5", y, w, 5, dy, 0);
  for (int i = 5; i < N; ++i)
    CHECK(dy[i] == 0.0);
  return check_summary("sort_weighted");
}
