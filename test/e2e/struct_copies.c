/* Whole-struct copies of small structs holding floating-point fields, which
 * LLVM turns into integer loads and stores (an 8-byte struct of two floats
 * is copied as one i64, twelve bytes as i64 + i32) or into memcpy:
 *   - reversing an array of {float, float} into a caller buffer
 *   - insertion sort of {float key, float value} records by key, swapping
 *     whole structs (gradient = the weight of each record's sorted slot)
 *   - {float, float, float}, {int, float} and {double} records
 * Analytic checks. */
#include "check.h"

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern float __enzyme_autodiff(void *, ...);
extern double __enzyme_autodiff_d(void *, ...);

#define N 5

typedef struct {
  float x, y;
} vec2;
typedef struct {
  float x, y, z;
} vec3;
typedef struct {
  int tag;
  float v;
} tagged;
typedef struct {
  double v;
} boxed;

static float reverse_vec2(const vec2 *s, vec2 *d, int n) {
  for (int i = 0; i < n; ++i)
    d[i] = s[n - 1 - i];
  float f = 0.0f;
  for (int i = 0; i < n; ++i)
    f += d[i].x * (float)(i + 1) + d[i].y * d[i].y;
  return f;
}

static float sort_vec2(vec2 *v, int n) {
  for (int i = 1; i < n; ++i)
    for (int j = i; j > 0 && v[j - 1].x > v[j].x; --j) {
      vec2 t = v[j];
      v[j] = v[j - 1];
      v[j - 1] = t;
    }
  float f = 0.0f;
  for (int i = 0; i < n; ++i)
    f += v[i].y * (float)(i + 1);
  return f;
}

static float rotate_vec3(vec3 *v, int n) {
  vec3 first = v[0];
  for (int i = 0; i + 1 < n; ++i)
    v[i] = v[i + 1];
  v[n - 1] = first;
  float f = 0.0f;
  for (int i = 0; i < n; ++i)
    f += (v[i].x + 2.0f * v[i].y + 3.0f * v[i].z) * (float)(i + 1);
  return f;
}

static float pick_tagged(const tagged *t, tagged *out, int n) {
  int k = 0;
  for (int i = 0; i < n; ++i)
    if (t[i].tag > 0)
      out[k++] = t[i];
  float f = 0.0f;
  for (int i = 0; i < k; ++i)
    f += out[i].v * out[i].v * (float)(i + 1);
  return f;
}

static double swap_boxed(boxed *b, int n) {
  for (int i = 0; i + 1 < n; i += 2) {
    boxed t = b[i];
    b[i] = b[i + 1];
    b[i + 1] = t;
  }
  double f = 0.0;
  for (int i = 0; i < n; ++i)
    f += b[i].v * (i + 1);
  return f;
}

int main(void) {
  vec2 s[N], ds[N], d[N], dd[N];
  for (int i = 0; i < N; ++i) {
    s[i].x = 0.5f * (float)i - 1.0f;
    s[i].y = 1.0f + 0.25f * (float)i;
    ds[i].x = ds[i].y = dd[i].x = dd[i].y = 0.0f;
  }
  __enzyme_autodiff((void *)reverse_vec2, s, ds, d, dd, N);
  for (int i = 0; i < N; ++i) {
    CHECK_AT_F("reverse_vec2 dx", i, ds[i].x, (float)(N - i));
    CHECK_AT_F("reverse_vec2 dy", i, ds[i].y, 2.0f * s[i].y);
  }

  /* keys 3 1 4 2 0 -> sorted slots: rec0 -> 3, rec1 -> 1, rec2 -> 4, rec3 -> 2, rec4 -> 0 */
  vec2 v[N] = {{3, 1}, {1, 2}, {4, 3}, {2, 4}, {0, 5}}, dv[N];
  for (int i = 0; i < N; ++i)
    dv[i].x = dv[i].y = 0.0f;
  __enzyme_autodiff((void *)sort_vec2, v, dv, N);
  const int slot[N] = {3, 1, 4, 2, 0};
  for (int i = 0; i < N; ++i) {
    CHECK_AT_F("sort_vec2 dy", i, dv[i].y, (float)(slot[i] + 1));
    CHECK_AT_F("sort_vec2 dx", i, dv[i].x, 0.0f);
  }

  vec3 w[N], dw[N];
  for (int i = 0; i < N; ++i) {
    w[i].x = (float)i;
    w[i].y = 1.0f;
    w[i].z = -(float)i;
    dw[i].x = dw[i].y = dw[i].z = 0.0f;
  }
  __enzyme_autodiff((void *)rotate_vec3, w, dw, N);
  for (int i = 0; i < N; ++i) {
    float weight = (float)(i == 0 ? N : i); /* element i ends at slot i-1 (0 at N-1) */
    CHECK_AT_F("rotate_vec3 dx", i, dw[i].x, weight);
    CHECK_AT_F("rotate_vec3 dy", i, dw[i].y, 2.0f * weight);
    CHECK_AT_F("rotate_vec3 dz", i, dw[i].z, 3.0f * weight);
  }

  tagged t[N] = {{1, 0.5f}, {0, 7.0f}, {2, 1.5f}, {-1, 9.0f}, {3, 2.0f}}, dt[N], o[N], dout[N];
  for (int i = 0; i < N; ++i) {
    dt[i].tag = dout[i].tag = 0;
    dt[i].v = dout[i].v = 0.0f;
  }
  __enzyme_autodiff((void *)pick_tagged, t, dt, o, dout, N);
  const float want_t[N] = {2.0f * 0.5f * 1, 0.0f, 2.0f * 1.5f * 2, 0.0f, 2.0f * 2.0f * 3};
  for (int i = 0; i < N; ++i)
    CHECK_AT_F("pick_tagged", i, dt[i].v, want_t[i]);

  boxed b[4] = {{1.0}, {2.0}, {3.0}, {4.0}}, db[4] = {{0.0}, {0.0}, {0.0}, {0.0}};
  __enzyme_autodiff_d((void *)swap_boxed, b, db, 4);
  const double want_b[4] = {2.0, 1.0, 4.0, 3.0};
  for (int i = 0; i < 4; ++i)
    CHECK_AT_D("swap_boxed", i, db[i].v, want_b[i]);
  return check_summary("struct_copies");
}
