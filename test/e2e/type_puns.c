/* Data moved in ways that hide its floating-point type: small structs
 * copied whole (LLVM moves them as i64), a float pair whose fields are read
 * back from the copied bits, a swap through memcpy and an untyped byte
 * buffer, a pointer rounded through an integer, and a pointer that picks
 * either the duplicated argument or a global table. Analytic checks. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

extern double __enzyme_autodiff(void *, ...);
extern float __enzyme_autodifff(void *, ...);

static int failures;
static void check(const char *what, double got, double want) {
  if (fabs(got - want) > 1e-12 * fmax(1.0, fabs(want))) {
    printf("FAILED %s: got %.17g, want %.17g\n", what, got, want);
    failures++;
  }
}

typedef struct { double v; } boxed;
static double swap_boxed(boxed *b) {
  boxed t = b[0];
  b[0] = b[1];
  b[1] = t;
  return b[0].v + 2.0 * b[1].v;
}

typedef struct { float x, y; } vec2;
static float copy_vec2(const vec2 *s, vec2 *d) {
  *d = *s;
  return d->x * d->y;
}

static void swap_memcpy(void *a, void *b, size_t sz) {
  unsigned char tmp[16];
  memcpy(tmp, a, sz);
  memcpy(a, b, sz);
  memcpy(b, tmp, sz);
}
static double swapped(double *x) {
  swap_memcpy(&x[0], &x[1], sizeof(double));
  return x[0] + 2.0 * x[1];
}

static double rounded_pointer(const double *x) {
  const double *p = (const double *)((uintptr_t)x & ~(uintptr_t)15);
  return p[0] * p[0];
}

static const double table[3] = {1.0, 2.0, 3.0};
static double scratch[3] = {4.0, 5.0, 6.0};
static double pick(const double *x, int use_table) {
  const double *p = use_table ? table : x;
  double s = 0.0;
  for (int i = 0; i < 3; ++i)
    s += p[i] * x[i];
  return s;
}
static double pick_mutable(const double *x, int use_scratch) {
  const double *p = use_scratch ? scratch : x;
  double s = 0.0;
  for (int i = 0; i < 3; ++i)
    s += p[i] * x[i];
  return s;
}

int main(void) {
  boxed b[2] = {{3.0}, {4.0}}, db[2] = {{0.0}, {0.0}};
  __enzyme_autodiff((void *)swap_boxed, b, db);
  check("swap_boxed d0", db[0].v, 2.0);
  check("swap_boxed d1", db[1].v, 1.0);

  vec2 s = {3.0f, 4.0f}, ds = {0.0f, 0.0f}, d, dd = {0.0f, 0.0f};
  __enzyme_autodifff((void *)copy_vec2, &s, &ds, &d, &dd);
  check("copy_vec2 dx", ds.x, 4.0);
  check("copy_vec2 dy", ds.y, 3.0);

  double y[2] = {3.0, 4.0}, dy[2] = {0.0, 0.0};
  __enzyme_autodiff((void *)swapped, y, dy);
  check("swap_memcpy d0", dy[0], 2.0);
  check("swap_memcpy d1", dy[1], 1.0);

  _Alignas(16) double x1[1] = {3.0};
  double dx1[1] = {0.0};
  __enzyme_autodiff((void *)rounded_pointer, x1, dx1);
  check("rounded_pointer", dx1[0], 6.0);

  double x[3] = {0.5, 1.5, 2.5}, dx[3] = {0, 0, 0};
  __enzyme_autodiff((void *)pick, x, dx, 1);
  for (int i = 0; i < 3; ++i)
    check("pick table", dx[i], table[i]);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)pick, x, dx, 0);
  for (int i = 0; i < 3; ++i)
    check("pick self", dx[i], 2.0 * x[i]);
  memset(dx, 0, sizeof dx);
  __enzyme_autodiff((void *)pick_mutable, x, dx, 1);
  for (int i = 0; i < 3; ++i)
    check("pick scratch", dx[i], scratch[i]);
  check("scratch untouched", scratch[0] + scratch[1] + scratch[2], 15.0);

  printf("type_puns: %s\n", failures ? "FAILED" : "ok");
  return failures != 0;
}
