/* Vector forward mode wider than a vector register: every directional
 * derivative against central differences of the function along that
 * direction. A bundle-adjustment residual block (camera, point, weight: 15
 * unit directions from constant tables, most lanes zero until the
 * rotation; both branches of the rotation), a loop carrying tangents
 * through phis with branches and libm (9 dense run-time directions, an
 * output stored lane by lane in the loop), and float tangents (12 lanes). */
#include "check.h"

#include <cotangent.h>

#define TOL 1e-6

static void rotate(const double *r, const double *x, double *out) {
  double sq = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
  if (sq != 0.0) {
    double t = sqrt(sq), c = cos(t), s = sin(t), inv = 1.0 / t;
    double w0 = r[0] * inv, w1 = r[1] * inv, w2 = r[2] * inv;
    double k0 = w1 * x[2] - w2 * x[1], k1 = w2 * x[0] - w0 * x[2], k2 = w0 * x[1] - w1 * x[0];
    double d = (w0 * x[0] + w1 * x[1] + w2 * x[2]) * (1.0 - c);
    out[0] = x[0] * c + k0 * s + w0 * d;
    out[1] = x[1] * c + k1 * s + w1 * d;
    out[2] = x[2] * c + k2 * s + w2 * d;
  } else {
    out[0] = x[0] + r[1] * x[2] - r[2] * x[1];
    out[1] = x[1] + r[2] * x[0] - r[0] * x[2];
    out[2] = x[2] + r[0] * x[1] - r[1] * x[0];
  }
}

/* camera: rotation (3), centre (3), focal, principal point (2), distortion (2) */
static void residuals(const double *cam, const double *X, double w, double *out) {
  double d[3] = {X[0] - cam[3], X[1] - cam[4], X[2] - cam[5]}, xc[3];
  rotate(cam, d, xc);
  double p0 = xc[0] / xc[2], p1 = xc[1] / xc[2], rsq = p0 * p0 + p1 * p1;
  double L = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
  out[0] = w * (cam[6] * p0 * L + cam[7] - 0.1);
  out[1] = w * (cam[6] * p1 * L + cam[8] + 0.2);
  out[2] = 1.0 - w * w;
}

static const double seed_cam[15][11] = {{1}, {0, 1}, {0, 0, 1}, {0, 0, 0, 1}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1},
                                        {0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 1},
                                        {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
static const double seed_X[15][3] = {[11] = {1}, [12] = {0, 1}, [13] = {0, 0, 1}};

static void block(const double *cam, const double *X, double w, double *r, double dr[15][3]) {
  ct_derivative_n(15, residuals, NULL, cam, seed_cam, sizeof seed_cam[0], X, seed_X, sizeof seed_X[0], w, 0.0, 0.0,
                  0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, r, dr, sizeof dr[0]);
}

static void check_block(const char *what, const double *cam0, const double *X0, double w0) {
  double r[3], dr[15][3], want[3];
  block(cam0, X0, w0, r, dr);
  residuals(cam0, X0, w0, want);
  for (int i = 0; i < 3; ++i)
    CHECK_AT_D(what, i, r[i], want[i]);
  for (int j = 0; j < 15; ++j) {
    double cp[11], cm[11], Xp[3], Xm[3], wp = w0, wm = w0, yp[3], ym[3], h = 1e-6;
    for (int k = 0; k < 11; ++k)
      cp[k] = cm[k] = cam0[k];
    for (int k = 0; k < 3; ++k)
      Xp[k] = Xm[k] = X0[k];
    double *p = j < 11 ? cp + j : j < 14 ? Xp + j - 11 : &wp, *m = j < 11 ? cm + j : j < 14 ? Xm + j - 11 : &wm;
    if (cam0[0] == 0 && cam0[1] == 0 && cam0[2] == 0 && j < 3)
      continue; /* the first-order branch at r = 0: no central difference across it */
    *p += h;
    *m -= h;
    residuals(cp, Xp, wp, yp);
    residuals(cm, Xm, wm, ym);
    for (int i = 0; i < 3; ++i)
      CHECK_AT_TOL(what, 15 * i + j, dr[j][i], (yp[i] - ym[i]) / (2 * h), TOL);
  }
}

/* a loop: a running product and a sum of sines of it, with a branch; y[2 + i]
   written in the loop */
static void chain(const double *x, int n, double *y) {
  double prod = 1.0, s = 0.0;
  for (int i = 0; i < n; ++i) {
    prod *= 1.0 + 0.1 * x[i];
    if (prod > 1.05)
      s += sin(prod * x[i]);
    else
      s -= exp(-x[i]) * prod;
    y[2 + i] = s * x[i];
  }
  y[0] = prod;
  y[1] = s;
}

enum { NC = 9, NY = NC + 2 };

static void check_chain(void) {
  double x[NC], seed[NC][NC], y[NY], dy[NC][NY], want[NY];
  for (int i = 0; i < NC; ++i) {
    x[i] = 0.3 + 0.17 * i - 0.02 * i * i;
    for (int j = 0; j < NC; ++j) /* dense directions, known only at run time */
      seed[j][i] = cos(0.7 * i + 1.3 * j) + (i == j);
  }
  ct_derivative_n(NC, chain, NULL, x, seed, sizeof seed[0], NC, y, dy, sizeof dy[0]);
  chain(x, NC, want);
  for (int i = 0; i < NY; ++i)
    CHECK_AT_D("chain value", i, y[i], want[i]);
  for (int j = 0; j < NC; ++j) {
    double xp[NC], xm[NC], yp[NY], ym[NY], h = 1e-6;
    for (int i = 0; i < NC; ++i) {
      xp[i] = x[i] + h * seed[j][i];
      xm[i] = x[i] - h * seed[j][i];
    }
    chain(xp, NC, yp);
    chain(xm, NC, ym);
    for (int i = 0; i < NY; ++i)
      CHECK_AT_TOL("chain tangent", NY * j + i, dy[j][i], (yp[i] - ym[i]) / (2 * h), TOL);
  }
}

/* float tangents, 12 lanes */
static void fmap(const float *x, float *y) {
  float a = x[0] * x[1] + sinf(x[2]), b = x[3] / (1.0f + x[0] * x[0]);
  y[0] = a * b + x[4];
  y[1] = expf(0.5f * a) - b * x[5];
}

enum { NF = 12 };

static void check_float(void) {
  float x[6] = {0.4f, -0.7f, 1.1f, 0.3f, 0.9f, -0.2f}, seed[NF][6], y[2], dy[NF][2], want[2];
  for (int j = 0; j < NF; ++j)
    for (int i = 0; i < 6; ++i)
      seed[j][i] = (float)(i == j % 6) * (j < 6 ? 1.0f : 0.5f) + (j >= 6 ? 0.25f * (float)i : 0.0f);
  ct_derivative_n(NF, fmap, NULL, x, seed, sizeof seed[0], y, dy, sizeof dy[0]);
  fmap(x, want);
  for (int i = 0; i < 2; ++i)
    CHECK_AT_F("float value", i, y[i], want[i]);
  for (int j = 0; j < NF; ++j) {
    double xp[6], xm[6], h = 1e-4;
    float fp[6], fm[6], yp[2], ym[2];
    for (int i = 0; i < 6; ++i) {
      xp[i] = x[i] + h * seed[j][i];
      xm[i] = x[i] - h * seed[j][i];
      fp[i] = (float)xp[i];
      fm[i] = (float)xm[i];
    }
    fmap(fp, yp);
    fmap(fm, ym);
    for (int i = 0; i < 2; ++i)
      CHECK_AT_TOL("float tangent", 2 * j + i, dy[j][i], (yp[i] - ym[i]) / (2 * h), 2e-2);
  }
}

int main(void) {
  double cam[11] = {0.1, -0.15, 0.05, 0.2, -0.1, 0.3, 1.1, 0.02, -0.03, 0.04, -0.005};
  double X[3] = {0.5, -0.4, 4.0};
  check_block("ba rotation", cam, X, 0.8);
  double cam0[11] = {0, 0, 0, -0.2, 0.1, 0.05, 0.9, -0.01, 0.03, -0.02, 0.007};
  check_block("ba r = 0", cam0, X, 1.3);
  check_chain();
  check_float();
  return check_summary("forward_vector_wide");
}
