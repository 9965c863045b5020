/* Forward mode through a recursive helper that is not inlined (fuzz seed
 * 101179, float): the tangent function of f, exported for other files
 * (tangent_export.c) as well as asked for here, calls the recursive
 * helper's tangent, where an integer instruction of the prepared helper
 * had no copy: clang crashed (at_copy) at -O0, in every file defining such
 * a function, once the tangents were exported. The directional
 * derivatives along each unit vector (ct_derivative) are checked against
 * the reverse gradient (ct_gradient, which the fuzz run checked against
 * central differences), to float rounding, at -O0..-O3. */
#include "check.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cotangent.h>

static float h1(const float *y, int m, float a) {
  float s1 = (-0.265f);
  for (int i2 = 0; i2 < m; i2++) {
    s1 += (-0.94f);
    for (int i3 = 0; i3 < i2; i3++) {
      a = (0.69f * (1.43f * y[i2]));
    }
  }
  return (4.0f * erff(0.11f * s1));
}

static float h2(float *y, int m, float a, int d) {
  if (d <= 0) return tanhf(y[2]);
  y[d % m] = 0.508f * y[d % m] + (0.49f * y[(d + 1) % m]);
  float r4 = h2(y, m, (4.0f * erff(0.11f * fmaf(a, (y[d % m] / coshf((-1.5f) * atanf(y[d % m]))), coshf(1.5f * atanf(y[(d + 1) % m]))))), d - 1);
  return 0.734f * r4 + (0.26f * h1(y, m, ((y[m - 1] * y[m - 1] < 1.97f) && (r4 > y[(d + 1) % m]) ? a : y[1])));
}

CT_DIFFERENTIABLE float f(float *x, int n, float p);
float f(float *x, int n, float p) {
  float s5 = (-0.33f);
  s5 += tanhf(0.75f * h1(x, n, logf((0.279f + fabsf(x[2])))));
  float w6 = (0.25f * x[n - 1]);
  int it7 = 0;
  do {
    it7++;
    w6 += 0.56f + 0.225f * tanhf(logf(expf((-2.5f) * erff(s5))));
  } while (it7 < 4 && w6 < 0.745f);
  for (int i8 = 0; i8 < n; i8 += 2) {
    x[(i8 + 1) % n] = x[(i8 + 1) % n] * erff(x[(i8 + 1) % n]);
    for (int i9 = 0; i9 < n; i9 += 2) {
      x[n - 1 - i9] = x[n - 1 - i9] * sinf(cosf(x[n - 1 - i9]));
    }
    x[0] = 0.445f * x[0] + (0.18f * expf(2.5f * tanhf((tanf(1.3f * sinf(x[2])) - logf(coshf((-2.5f) * tanhf(w6)))))));
  }
  w6 = (0.11f * (sqrtf(expf(2.5f * erff((w6 + x[1])))) - ((w6 + x[2]) * x[n - 1])));
  for (int i10 = n - 1; i10 >= 0; i10--) {
    s5 -= sinf(p);
    s5 -= (0.24f * w6);
    x[(i10 + 3) % n] = (4.0f * sinf(0.53f * (-(w6 - p))));
  }
  float t11 = h2(x, n, (-0.369f), 3);
  (void)t11;
  for (int i12 = 0; i12 < n; i12++) {
    s5 += (-0.364f) * x[i12] * sinf((1.2f * atanf(0.043f * (x[n - 1 - i12] + s5))));
  }
  return s5 + w6 + (tanhf(0.025f * ((-1.82f) * s5)) * log1pf((1.5f + 1.07f * erff(w6))));
}



#define N 7

int main(void) {
  const float x0[N] = {0.61f, 1.2f, -0.97f, 1.33f, -0.51f, -1.25f, -0.19f};
  float x[N], dx[N] = {0}, dp = 0, p = -0.52f;
  for (int i = 0; i < N; i++)
    x[i] = x0[i];
  ct_gradient(f, x, dx, N, p, &dp);
  for (int k = 0; k <= N; k++) {
    float xs[N], dir[N] = {0};
    for (int i = 0; i < N; i++)
      xs[i] = x0[i];
    if (k < N)
      dir[k] = 1;
    float t = ct_derivative(f, xs, dir, N, p, k == N ? 1.0f : 0.0f);
    double want = k < N ? dx[k] : dp;
    CHECK_AT_TOL("J e_k against the gradient", k, t, want, 1e-4);
  }
  return check_summary("forward_recursive_float");
}
