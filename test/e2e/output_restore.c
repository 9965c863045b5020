/* Functions that write their result through a pointer at the end (the
 * Enzyme ABI's calling convention: `*out = f`). The reverse pass puts the
 * old value back before it recomputes the loads of the inputs, and stores
 * the result again at its end (pass/memory.c, undone stores). Checked,
 * against derivatives written out and central differences, at -O0..-O3:
 *   - a sum of squares written to *out (inputs recomputed, not taped);
 *   - the same with *out one of the inputs (out = a + n - 1): the loads
 *     of a must read the old a[n-1], and a[n-1] holds the result after
 *     the gradient;
 *   - the output written twice, the second write through another pointer
 *     that may be the same (no put-back for the first);
 *   - the output read back after it is written;
 *   - a global counter written last (it holds its value afterwards). */
#include "check.h"

#include <math.h>
#include <string.h>

int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);

enum { N = 7 };

static void sum_squares(const double *a, int n, double *out) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[i] * (1.0 + 0.1 * i);
  *out = s;
}

/* out may be another output pointer or the same */
static void written_twice(const double *a, int n, double *out, double *out2) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += sin(a[i]) * a[i];
  *out = s;
  *out2 = 2.0 * s;
}

static void read_back(const double *a, int n, double *out) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += a[i] * a[i] * a[i];
  *out = s;
  *out = *out * *out + a[0];
}

int calls;
static double counted(const double *a, int n) {
  double s = 0.0;
  for (int i = 0; i < n; i++)
    s += exp(0.3 * a[i]) * a[i];
  calls = calls + n;
  return s;
}

static double a0[N];
static double f_sum_squares(double *a, void *ctx) {
  (void)ctx;
  double out;
  sum_squares(a, N, &out);
  return out;
}
static double f_read_back(double *a, void *ctx) {
  (void)ctx;
  double out;
  read_back(a, N, &out);
  return out;
}
static double f_counted(double *a, void *ctx) {
  (void)ctx;
  return counted(a, N);
}

int main(void) {
  double a[N], da[N];
  for (int i = 0; i < N; i++)
    a0[i] = 0.5 + 0.25 * sin(1.3 * i);

  /* *out separate from a */
  memcpy(a, a0, sizeof a);
  memset(da, 0, sizeof da);
  double out = 0.0, dout = 1.0;
  __enzyme_autodiff((void *)sum_squares, enzyme_dup, a, da, enzyme_const, N, enzyme_dup, &out, &dout);
  double want_out;
  sum_squares(a0, N, &want_out);
  CHECK_D(out, want_out);
  for (int i = 0; i < N; i++)
    CHECK_AT_D("sum_squares", i, da[i], 2.0 * a0[i] * (1.0 + 0.1 * i));
  CHECK_FD_GRADIENT("sum_squares", f_sum_squares, NULL, a, N, da, 1e-6, 1e-7);

  /* *out is a[N - 1]: the result overwrites an input, its shadow da[N - 1]
     holds the seed */
  memcpy(a, a0, sizeof a);
  memset(da, 0, sizeof da);
  da[N - 1] = 1.0;
  __enzyme_autodiff((void *)sum_squares, enzyme_dup, a, da, enzyme_const, N, enzyme_dup, a + N - 1, da + N - 1);
  CHECK_D(a[N - 1], want_out);
  for (int i = 0; i < N; i++)
    CHECK_AT_D("sum_squares aliased", i, da[i], 2.0 * a0[i] * (1.0 + 0.1 * i));
  for (int i = 0; i < N - 1; i++)
    CHECK_D(a[i], a0[i]);

  /* two outputs, then the same output twice: out2 = out */
  memcpy(a, a0, sizeof a);
  memset(da, 0, sizeof da);
  double out2 = 0.0, dout2 = 1.0;
  out = 0.0;
  dout = 1.0;
  __enzyme_autodiff((void *)written_twice, enzyme_dup, a, da, enzyme_const, N, enzyme_dup, &out, &dout, enzyme_dup,
                    &out2, &dout2);
  for (int i = 0; i < N; i++) /* d(s + 2 s) */
    CHECK_AT_D("written_twice", i, da[i], 3.0 * (cos(a0[i]) * a0[i] + sin(a0[i])));
  CHECK_D(out2, 2.0 * out);
  memset(da, 0, sizeof da);
  out = 0.0;
  dout = 1.0;
  __enzyme_autodiff((void *)written_twice, enzyme_dup, a, da, enzyme_const, N, enzyme_dup, &out, &dout, enzyme_dup,
                    &out, &dout);
  for (int i = 0; i < N; i++) /* only 2 s survives */
    CHECK_AT_D("written_twice same", i, da[i], 2.0 * (cos(a0[i]) * a0[i] + sin(a0[i])));

  /* read back after the write */
  memcpy(a, a0, sizeof a);
  memset(da, 0, sizeof da);
  out = 0.0;
  dout = 1.0;
  __enzyme_autodiff((void *)read_back, enzyme_dup, a, da, enzyme_const, N, enzyme_dup, &out, &dout);
  CHECK_D(out, f_read_back(a, NULL));
  CHECK_FD_GRADIENT("read_back", f_read_back, NULL, a, N, da, 1e-6, 1e-7);

  /* a global written last */
  memcpy(a, a0, sizeof a);
  memset(da, 0, sizeof da);
  calls = 0;
  __enzyme_autodiff((void *)counted, enzyme_dup, a, da, enzyme_const, N);
  CHECK(calls == N);
  CHECK_FD_GRADIENT("counted", f_counted, NULL, a, N, da, 1e-6, 1e-7);
  return check_summary("output_restore");
}
