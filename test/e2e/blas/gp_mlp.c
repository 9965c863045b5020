/* Two programs written the way scientific C uses BLAS and LAPACK:
 *  - a Gaussian-process negative log marginal likelihood (squared
 *    exponential kernel built with loops, Cholesky with LAPACKE_dpotrf,
 *    solve with dpotrs, quadratic form with cblas_ddot, log-determinant
 *    from the factor's diagonal): its gradient with respect to the three
 *    log hyperparameters against central differences and against the
 *    analytic 0.5 tr((K^-1 - a a^T) dK/dtheta);
 *  - a two-layer perceptron (cblas_dgemm with a transposed weight, bias,
 *    ReLU in place, mean squared error): its gradient with respect to both
 *    weight matrices and the bias against central differences and against
 *    the same network written with loops. */
#include "fd.h"

#include <cblas.h>
#include <cotangent.h>
#include <lapacke.h>

enum { NP = 12, D = 2 };

static double gp_nll(const double *X, const double *y, double log_ell, double log_sf2, double log_sn2, int n) {
  double *K = malloc((size_t)n * n * sizeof *K), *a = malloc((size_t)n * sizeof *a);
  double ell2 = exp(2 * log_ell), sf2 = exp(log_sf2), sn2 = exp(log_sn2);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      double r2 = 0;
      for (int k = 0; k < D; ++k)
        r2 += (X[i * D + k] - X[j * D + k]) * (X[i * D + k] - X[j * D + k]);
      K[i * n + j] = sf2 * exp(-0.5 * r2 / ell2) + (i == j ? sn2 : 0);
    }
  LAPACKE_dpotrf(LAPACK_ROW_MAJOR, 'L', n, K, n);
  cblas_dcopy(n, y, 1, a, 1);
  LAPACKE_dpotrs(LAPACK_ROW_MAJOR, 'L', n, 1, K, n, a, 1);
  double logdet = 0;
  for (int i = 0; i < n; ++i)
    logdet += 2 * log(K[i * n + i]);
  double nll = 0.5 * cblas_ddot(n, y, 1, a, 1) + 0.5 * logdet + 0.5 * n * 1.8378770664093453 /* log(2 pi) */;
  free(K);
  free(a);
  return nll;
}

typedef struct {
  double *X, *y, th[3];
} gpcfg;
static double gp_eval(void *p) {
  gpcfg *c = p;
  return gp_nll(c->X, c->y, c->th[0], c->th[1], c->th[2], NP);
}

/* 0.5 tr((K^-1 - a a^T) dK/dtheta_t), with K^-1 from dense Gauss-Jordan */
static double gp_analytic(const gpcfg *c, int t) {
  double K[NP][NP], dK[NP][NP], Ki[NP][NP] = {{0}}, a[NP];
  double ell2 = exp(2 * c->th[0]), sf2 = exp(c->th[1]), sn2 = exp(c->th[2]);
  for (int i = 0; i < NP; ++i)
    for (int j = 0; j < NP; ++j) {
      double r2 = 0;
      for (int k = 0; k < D; ++k)
        r2 += pow(c->X[i * D + k] - c->X[j * D + k], 2);
      double e = sf2 * exp(-0.5 * r2 / ell2);
      K[i][j] = e + (i == j ? sn2 : 0);
      dK[i][j] = t == 0 ? e * r2 / ell2 : t == 1 ? e : (i == j ? sn2 : 0);
      Ki[i][j] = i == j;
    }
  for (int p = 0; p < NP; ++p) { /* no pivoting: K is positive definite */
    double d = K[p][p];
    for (int j = 0; j < NP; ++j)
      K[p][j] /= d, Ki[p][j] /= d;
    for (int i = 0; i < NP; ++i)
      if (i != p) {
        double f = K[i][p];
        for (int j = 0; j < NP; ++j)
          K[i][j] -= f * K[p][j], Ki[i][j] -= f * Ki[p][j];
      }
  }
  for (int i = 0; i < NP; ++i) {
    a[i] = 0;
    for (int j = 0; j < NP; ++j)
      a[i] += Ki[i][j] * c->y[j];
  }
  double s = 0;
  for (int i = 0; i < NP; ++i)
    for (int j = 0; j < NP; ++j)
      s += (Ki[i][j] - a[i] * a[j]) * dK[j][i];
  return 0.5 * s;
}

static void test_gp(void) {
  gpcfg c = {malloc(NP * D * sizeof(double)), malloc(NP * sizeof(double)), {log(0.7), log(1.3), log(0.2)}};
  fd_fill(c.X, NP * D, 71), fd_fill(c.y, NP, 72);
  double g[3] = {0};
  ct_gradient(gp_nll, ct_const(c.X), ct_const(c.y), c.th[0], &g[0], c.th[1], &g[1], c.th[2], &g[2], NP);
  for (int t = 0; t < 3; ++t) {
    double keep = c.th[t], h = 1e-6;
    c.th[t] = keep + h;
    double fp = gp_eval(&c);
    c.th[t] = keep - h;
    double fm = gp_eval(&c);
    c.th[t] = keep;
    CHECK_SCALED(g[t], (fp - fm) / (2 * h), 1 + fabs(g[t]), 1e-6);
    CHECK_SCALED(g[t], gp_analytic(&c, t), 1 + fabs(g[t]), 1e-9);
  }
  free(c.X);
  free(c.y);
}

enum { BATCH = 8, IN = 5, HID = 6, OUT = 3 };

static double mlp_blas(const double *X, const double *T, const double *W1, const double *b1, const double *W2) {
  double *H = malloc(BATCH * HID * sizeof *H), *Y = malloc(BATCH * OUT * sizeof *Y);
  for (int i = 0; i < BATCH; ++i) /* H = X W1^T + b1 */
    for (int j = 0; j < HID; ++j)
      H[i * HID + j] = b1[j];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, BATCH, HID, IN, 1.0, X, IN, W1, IN, 1.0, H, HID);
  for (int i = 0; i < BATCH * HID; ++i)
    H[i] = H[i] > 0 ? H[i] : 0.1 * H[i];
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, BATCH, OUT, HID, 1.0, H, HID, W2, HID, 0.0, Y, OUT);
  double loss = 0;
  for (int i = 0; i < BATCH * OUT; ++i)
    loss += (Y[i] - T[i]) * (Y[i] - T[i]);
  free(H);
  free(Y);
  return loss / BATCH;
}

static double mlp_loops(const double *X, const double *T, const double *W1, const double *b1, const double *W2) {
  double H[BATCH][HID], loss = 0;
  for (int i = 0; i < BATCH; ++i)
    for (int j = 0; j < HID; ++j) {
      double s = b1[j];
      for (int k = 0; k < IN; ++k)
        s += X[i * IN + k] * W1[j * IN + k];
      H[i][j] = s > 0 ? s : 0.1 * s;
    }
  for (int i = 0; i < BATCH; ++i)
    for (int o = 0; o < OUT; ++o) {
      double s = 0;
      for (int j = 0; j < HID; ++j)
        s += H[i][j] * W2[o * HID + j];
      loss += (s - T[i * OUT + o]) * (s - T[i * OUT + o]);
    }
  return loss / BATCH;
}

typedef struct {
  double *X, *T, *W1, *b1, *W2;
} mlpcfg;
static double mlp_eval(void *p) {
  mlpcfg *c = p;
  return mlp_blas(c->X, c->T, c->W1, c->b1, c->W2);
}

static void test_mlp(void) {
  static double X[BATCH * IN], T[BATCH * OUT], W1[HID * IN], b1[HID], W2[OUT * HID];
  static double g1[HID * IN], gb[HID], g2[OUT * HID], l1[HID * IN], lb[HID], l2[OUT * HID];
  fd_fill(X, BATCH * IN, 81), fd_fill(T, BATCH * OUT, 82), fd_fill(W1, HID * IN, 83), fd_fill(b1, HID, 84);
  fd_fill(W2, OUT * HID, 85);
  CHECK_TOL(mlp_blas(X, T, W1, b1, W2), mlp_loops(X, T, W1, b1, W2), 1e-12);
  ct_gradient(mlp_blas, ct_const(X), ct_const(T), W1, g1, b1, gb, W2, g2);
  ct_gradient(mlp_loops, ct_const(X), ct_const(T), W1, l1, b1, lb, W2, l2);
  mlpcfg c = {X, T, W1, b1, W2};
  fd_inputs in = {.narr = 3, .arr = {W1, b1, W2}, .grad = {g1, gb, g2}, .size = {HID * IN, HID, OUT * HID}};
  fd_check("mlp", mlp_eval, &c, &in, 1e-6);
  for (int i = 0; i < HID * IN; ++i)
    CHECK_TOL(g1[i], l1[i], 1e-10);
  for (int i = 0; i < HID; ++i)
    CHECK_TOL(gb[i], lb[i], 1e-10);
  for (int i = 0; i < OUT * HID; ++i)
    CHECK_TOL(g2[i], l2[i], 1e-10);
}

int main(void) {
  test_gp();
  test_mlp();
  return check_summary("gp and mlp");
}
