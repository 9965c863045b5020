// Eight nested loops with run-time trip counts (one of them zero at the
// innermost level for some outer indices): the reverse pass replays them
// all. f = sum over the index box of x[i0] * x[i7] * (1 + [i1 == i6]).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(const double *x, int n) {
  double s = 0;
  for (int a = 0; a < n; ++a)
    for (int b = 0; b < 2; ++b)
      for (int c = 0; c < 2; ++c)
        for (int d = 0; d < 1; ++d)
          for (int e = 0; e < 2; ++e)
            for (int g = 0; g < a; ++g) /* zero trips when a = 0 */
              for (int h = 0; h < 2; ++h)
                for (int k = 0; k < n; ++k)
                  s += x[a] * x[k] * (1 + (b == h)) * (c + e + 1) * (g + 1);
  return s;
}

int main(void) {
  enum { N = 3 };
  double x[N] = {0.5, -1.5, 2}, dx[N] = {0};
  ct_gradient(f, x, dx, N);
  /* s = sum_a w(a) x_a * S with S = sum_k x_k, w(a) = W * sum_{g<a}(g+1),
     W = sum_{b,c,e,h} (1 + [b == h]) (c + e + 1) = 6 * 8 = 48 */
  double S = 0, wsum = 0, w[N];
  for (int k = 0; k < N; ++k)
    S += x[k];
  for (int a = 0; a < N; ++a) {
    w[a] = 48.0 * a * (a + 1) / 2;
    wsum += w[a] * x[a];
  }
  for (int i = 0; i < N; ++i)
    CHECK_AT_D("d/dx_i, i", i, dx[i], w[i] * S + wsum);
  return check_summary("nested_loops_deep");
}
