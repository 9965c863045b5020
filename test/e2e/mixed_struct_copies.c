/* Copies of structs that mix int, float, double and pointer fields (the
 * reverse of each copy moves the adjoints of the float and double fields
 * only, field by field):
 *   - records {int n; double w; int flags; double v[3];}: memcpy of an
 *     array into a local array, struct assignment into an output in
 *     reverse order, a heap copy updated in place, memmove one slot up
 *   - particles {float mass; int id; double x, v;}: floats beside doubles
 *   - a tile {int rows, cols; float w[4]; double bias;} written into a char
 *     buffer with memcpy and read back
 *   - layers {int n; double *data; float scale; double shift;} on the heap,
 *     copied by struct assignment (the data pointers' shadows go along)
 *   - the integer fields of the caller's shadows are left as they were
 * Analytic derivatives. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  int n;
  double w;
  int flags;
  double v[3];
} rec;

typedef struct {
  float mass;
  int id;
  double x, v;
} particle;

typedef struct {
  int rows, cols;
  float w[4];
  double bias;
} tile;

typedef struct {
  int n;
  double *data;
  float scale;
  double shift;
} layer;

static double rec_value(const rec *r) { return r->w * (r->v[0] + 2 * r->v[1] + 3 * r->v[2]) * r->n; }

static double records_local(const rec *r, int m) {
  rec loc[4];
  memcpy(loc, r, sizeof(rec) * (size_t)m);
  double s = 0;
  for (int i = 0; i < m; ++i)
    s += rec_value(&loc[i]);
  return s;
}

static double records_assigned(rec *out, const rec *in, int m) {
  for (int i = 0; i < m; ++i)
    out[i] = in[m - 1 - i];
  double s = 0;
  for (int i = 0; i < m; ++i)
    s += out[i].w * out[i].v[i % 3] * (i + 1);
  return s;
}

static double records_heap(const rec *in, int m) {
  rec *h = malloc(sizeof *h * (size_t)m);
  memcpy(h, in, sizeof *h * (size_t)m);
  for (int i = 0; i < m; ++i)
    h[i].w *= h[i].v[0];
  double s = 0;
  for (int i = 0; i < m; ++i)
    s += h[i].w * h[i].w;
  free(h);
  return s;
}

/* a[k+1] = a[k] for every k < m - 1, all at once */
static double records_shifted(rec *a, int m) {
  memmove(&a[1], &a[0], sizeof(rec) * (size_t)(m - 1));
  double s = 0;
  for (int i = 0; i < m; ++i)
    s += a[i].w * (i + 1) + a[i].v[2] * a[i].v[2];
  return s;
}

static double particles(const particle *p, int m) {
  particle loc[4];
  memcpy(loc, p, sizeof(particle) * (size_t)m);
  double s = 0;
  for (int i = 0; i < m; ++i)
    s += loc[i].mass * loc[i].v * loc[i].v + loc[i].x * loc[i].id;
  return s;
}

static double tile_roundtrip(const tile *t) {
  unsigned char buf[sizeof(tile)];
  memcpy(buf, t, sizeof *t);
  tile u;
  memcpy(&u, buf, sizeof u);
  double s = u.bias;
  for (int k = 0; k < 4; ++k)
    s += u.w[k] * u.w[k] * (k + 1);
  return s * u.rows;
}

static double layers(const double *x, int n) {
  layer *a = malloc(2 * sizeof *a);
  a[0].n = n;
  a[0].data = malloc(sizeof(double) * (size_t)n);
  a[0].scale = (float)x[0];
  a[0].shift = x[1];
  for (int i = 0; i < n; ++i)
    a[0].data[i] = x[i] * x[i];
  a[1] = a[0];
  double s = 0;
  for (int i = 0; i < a[1].n; ++i)
    s += a[1].data[i] * a[1].scale + a[1].shift;
  free(a[0].data);
  free(a);
  return s;
}

static void fill_records(rec *r, int m) {
  for (int i = 0; i < m; ++i) {
    r[i].n = i + 1;
    r[i].w = 0.5 + i;
    r[i].flags = 7;
    for (int k = 0; k < 3; ++k)
      r[i].v[k] = 1.0 + i + 0.25 * k;
  }
}

/* a shadow whose integer fields hold the primal's (as after dr = r) */
static void shadow_records(rec *d, const rec *r, int m) {
  memset(d, 0, sizeof(rec) * (size_t)m);
  for (int i = 0; i < m; ++i) {
    d[i].n = r[i].n;
    d[i].flags = r[i].flags;
  }
}

static void check_ints(const rec *d, const rec *r, int m) {
  for (int i = 0; i < m; ++i) {
    CHECK(d[i].n == r[i].n);
    CHECK(d[i].flags == r[i].flags);
  }
}

int main(void) {
  enum { M = 3 };
  rec r[M], dr[M];
  fill_records(r, M);

  shadow_records(dr, r, M);
  ct_gradient(records_local, r, dr, M);
  for (int i = 0; i < M; ++i) {
    double a = r[i].v[0] + 2 * r[i].v[1] + 3 * r[i].v[2];
    CHECK_D(dr[i].w, a * r[i].n);
    for (int k = 0; k < 3; ++k)
      CHECK_D(dr[i].v[k], (k + 1) * r[i].w * r[i].n);
  }
  check_ints(dr, r, M);

  rec out[M], dout[M];
  shadow_records(dr, r, M);
  shadow_records(dout, r, M);
  ct_gradient(records_assigned, out, dout, r, dr, M);
  for (int i = 0; i < M; ++i) {
    int j = M - 1 - i;
    CHECK_D(dr[j].w, r[j].v[i % 3] * (i + 1));
    for (int k = 0; k < 3; ++k)
      CHECK_D(dr[j].v[k], k == i % 3 ? r[j].w * (i + 1) : 0.0);
  }
  check_ints(dr, r, M);
  check_ints(dout, r, M);

  shadow_records(dr, r, M);
  ct_gradient(records_heap, r, dr, M);
  for (int i = 0; i < M; ++i) {
    double w = r[i].w * r[i].v[0];
    CHECK_D(dr[i].w, 2 * w * r[i].v[0]);
    CHECK_D(dr[i].v[0], 2 * w * r[i].w);
  }
  check_ints(dr, r, M);

  rec a[M], da[M];
  fill_records(a, M);
  shadow_records(da, a, M);
  rec a0[M];
  memcpy(a0, a, sizeof a);
  ct_gradient(records_shifted, a, da, M);
  /* after the move a[i] = a0[i-1] (i >= 1), a[0] unchanged */
  CHECK_D(da[0].w, 1 + 2);
  CHECK_D(da[0].v[2], 2 * a0[0].v[2] * 2);
  CHECK_D(da[1].w, 3);
  CHECK_D(da[1].v[2], 2 * a0[1].v[2]);
  CHECK_D(da[2].w, 0);
  CHECK_D(da[2].v[2], 0);
  check_ints(da, a0, M);

  particle p[M], dp[M];
  for (int i = 0; i < M; ++i) {
    p[i] = (particle){1.5f + (float)i, i + 2, 0.5 * i, 2.0 + i};
    dp[i] = (particle){0, -1, 0, 0};
  }
  ct_gradient(particles, p, dp, M);
  for (int i = 0; i < M; ++i) {
    CHECK_F(dp[i].mass, p[i].v * p[i].v);
    CHECK_D(dp[i].v, 2 * p[i].mass * p[i].v);
    CHECK_D(dp[i].x, p[i].id);
    CHECK(dp[i].id == -1);
  }

  tile t = {3, 5, {0.5f, -1.0f, 1.5f, 2.0f}, 0.25}, dt = {-4, -6, {0}, 0};
  ct_gradient(tile_roundtrip, &t, &dt);
  CHECK_D(dt.bias, t.rows);
  for (int k = 0; k < 4; ++k)
    CHECK_F(dt.w[k], 2 * t.w[k] * (k + 1) * t.rows);
  CHECK(dt.rows == -4 && dt.cols == -6);

  double x[4] = {1.5, 2, 3, 4}, dx[4] = {0};
  ct_gradient(layers, x, dx, 4);
  double ss = 0;
  for (int i = 0; i < 4; ++i)
    ss += x[i] * x[i];
  float scale = (float)x[0];
  for (int i = 0; i < 4; ++i)
    CHECK_D(dx[i], 2 * x[i] * scale + (i == 0 ? ss : 0) + (i == 1 ? 4 : 0));
  return check_summary("mixed_struct_copies");
}
