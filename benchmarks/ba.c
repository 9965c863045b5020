/* Bundle adjustment: the Jacobian of the residuals, one residual block at
 * a time, in ADBench's formulation (Srajer et al. 2018), implemented here
 * from its definition.
 *
 *   camera (11): Rodrigues rotation r (3), centre C (3), focal f,
 *                principal point x0 (2), radial distortion kappa (2)
 *   point X (3), weight w, feature (2, constant)
 *
 *   Xc = R(r) (X - C)        (Rodrigues' formula; r = 0 handled apart)
 *   p  = Xc[0:2] / Xc[2];  p *= 1 + kappa_1 |p|^2 + kappa_2 |p|^4
 *   reprojection error  e = w (f p + x0 - feature)    (2 components)
 *   weight error        1 - w^2
 *
 * The timed primal evaluates all residuals (2 reprojection components and
 * one weight error per observation); the timed gradient evaluates every
 * Jacobian row: one reverse pass per reprojection component (15 partials:
 * camera, point, weight) and one for the weight error. With impl=vector the
 * whole 3 x 15 block (both reprojection components and the weight error)
 * comes from one vector forward pass of width 15 (ct_derivative_n: the 15
 * inputs' unit directions at once).
 * Sizes (cameras, points, observations): 1 block (check); 50, 2000, 10000
 * (quick); 50, 10000, 100000 (full). */
#include "bench.h"

static void rodrigues_rotate(const double *r, const double *x, double *out) {
  double sqtheta = r[0] * r[0] + r[1] * r[1] + r[2] * r[2];
  if (sqtheta != 0.0) {
    double theta = sqrt(sqtheta), ct = cos(theta), st = sin(theta), inv = 1.0 / theta;
    double w0 = r[0] * inv, w1 = r[1] * inv, w2 = r[2] * inv;
    double c0 = w1 * x[2] - w2 * x[1], c1 = w2 * x[0] - w0 * x[2], c2 = w0 * x[1] - w1 * x[0];
    double tmp = (w0 * x[0] + w1 * x[1] + w2 * x[2]) * (1.0 - ct);
    out[0] = x[0] * ct + c0 * st + w0 * tmp;
    out[1] = x[1] * ct + c1 * st + w1 * tmp;
    out[2] = x[2] * ct + c2 * st + w2 * tmp;
  } else { /* first order */
    out[0] = x[0] + r[1] * x[2] - r[2] * x[1];
    out[1] = x[1] + r[2] * x[0] - r[0] * x[2];
    out[2] = x[2] + r[0] * x[1] - r[1] * x[0];
  }
}

static void project(const double *cam, const double *X, double *proj) {
  double d[3], xc[3];
  d[0] = X[0] - cam[3];
  d[1] = X[1] - cam[4];
  d[2] = X[2] - cam[5];
  rodrigues_rotate(cam, d, xc);
  double p0 = xc[0] / xc[2], p1 = xc[1] / xc[2];
  double rsq = p0 * p0 + p1 * p1;
  double L = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
  proj[0] = cam[6] * p0 * L + cam[7];
  proj[1] = cam[6] * p1 * L + cam[8];
}

/* one component of the reprojection error */
static double reproj_error(const double *cam, const double *X, double w, double fx, double fy,
                           int comp) {
  double proj[2];
  project(cam, X, proj);
  return comp == 0 ? w * (proj[0] - fx) : w * (proj[1] - fy);
}

static double weight_error(double w) { return 1.0 - w * w; }

/* the 3 residuals of one observation, for the vector forward form */
static void residuals(const double *cam, const double *X, double w, double fx, double fy, double *out) {
  double proj[2];
  project(cam, X, proj);
  out[0] = w * (proj[0] - fx);
  out[1] = w * (proj[1] - fy);
  out[2] = weight_error(w);
}

/* impl=vector: the unit directions of the 15 inputs (camera, point, weight)
   as tangent blocks, direction j in row j */
static int vector_impl;
static const double seed_cam[15][11] = {{1}, {0, 1}, {0, 0, 1}, {0, 0, 0, 1}, {0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 1},
                                        {0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 1},
                                        {0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}};
static const double seed_X[15][3] = {[11] = {1}, [12] = {0, 1}, [13] = {0, 0, 1}};

/* the 3 x 15 Jacobian block of one observation into J (row-major), the
   residuals into r: one vector forward pass */
static void jacobian_block(const double *cam, const double *X, double w, double fx, double fy, double *r,
                           double *J) {
#ifdef NO_GRADIENT
  (void)cam, (void)X, (void)w, (void)fx, (void)fy, (void)r, (void)J;
#else
  double dr[15][3];
  ct_derivative_n(15, residuals, NULL, cam, seed_cam, sizeof seed_cam[0], X, seed_X, sizeof seed_X[0], w, 0.0, 0.0,
                  0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, ct_const(fx), ct_const(fy), r, dr,
                  sizeof dr[0]);
  for (int k = 0; k < 3; k++)
    for (int j = 0; j < 15; j++)
      J[15 * k + j] = dr[j][k];
#endif
}

static double *cams, *pts, *ws, *feats, *res, *jac;
static int *obs; /* per observation: camera, point */
static int ncam, npt, nobs;
static double block[15]; /* the check instance: camera, point, weight */
static double block_feat[2];

static double value(int out) {
  if (out < 2)
    return reproj_error(block, block + 11, block[14], block_feat[0], block_feat[1], out);
  return weight_error(block[14]);
}
static double gradient(int out, double *g) {
#ifdef NO_GRADIENT
  (void)out;
  (void)g;
  return 0;
#else
  double dw = 0;
  double v;
  if (vector_impl) { /* the row of one vector forward pass */
    double r[3], J[45];
    jacobian_block(block, block + 11, block[14], block_feat[0], block_feat[1], r, J);
    for (int j = 0; j < 15; j++)
      g[j] += J[15 * out + j];
    return r[out];
  }
  if (out < 2)
    v = ct_value_with_gradient(reproj_error, block, g, block + 11, g + 11, block[14], &dw,
                               ct_const(block_feat[0]), ct_const(block_feat[1]), out);
  else
    v = ct_value_with_gradient(weight_error, block[14], &dw);
  g[14] += dw;
  return v;
#endif
}

static BENCH_NOINLINE void run_primal(void) {
  for (int i = 0; i < nobs; i++) {
    const double *cam = cams + 11 * (size_t)obs[2 * i], *X = pts + 3 * (size_t)obs[2 * i + 1];
    double proj[2];
    project(cam, X, proj);
    res[2 * (size_t)i] = ws[i] * (proj[0] - feats[2 * (size_t)i]);
    res[2 * (size_t)i + 1] = ws[i] * (proj[1] - feats[2 * (size_t)i + 1]);
    res[2 * (size_t)nobs + i] = weight_error(ws[i]);
  }
  bench_sink = res[0];
}

/* rows of the Jacobian, densely per block: 2 x 15 for the reprojection
   error, 1 for the weight error */
static BENCH_NOINLINE void run_gradient(void) {
#ifndef NO_GRADIENT
  for (int i = 0; vector_impl && i < nobs; i++) {
    const double *cam = cams + 11 * (size_t)obs[2 * i], *X = pts + 3 * (size_t)obs[2 * i + 1];
    double r[3], J[45];
    jacobian_block(cam, X, ws[i], feats[2 * (size_t)i], feats[2 * (size_t)i + 1], r, J);
    memcpy(jac + 31 * (size_t)i, J, 30 * sizeof *J); /* the 2 x 15 block */
    jac[31 * (size_t)i + 30] = J[44];                /* d(weight error)/dw */
    res[2 * (size_t)i] = r[0];
    res[2 * (size_t)i + 1] = r[1];
    res[2 * (size_t)nobs + i] = r[2];
  }
  for (int i = 0; !vector_impl && i < nobs; i++) {
    const double *cam = cams + 11 * (size_t)obs[2 * i], *X = pts + 3 * (size_t)obs[2 * i + 1];
    double *J = jac + 31 * (size_t)i;
    memset(J, 0, 31 * sizeof *J);
    for (int comp = 0; comp < 2; comp++)
      res[2 * (size_t)i + comp] = ct_value_with_gradient(
          reproj_error, cam, J + 15 * comp, X, J + 15 * comp + 11, ws[i], J + 15 * comp + 14,
          ct_const(feats[2 * (size_t)i]), ct_const(feats[2 * (size_t)i + 1]), comp);
    res[2 * (size_t)nobs + i] = ct_value_with_gradient(weight_error, ws[i], J + 30);
  }
  bench_sink = jac[0];
#endif
}

static void random_camera(double *cam) {
  for (int j = 0; j < 3; j++)
    cam[j] = bench_range(-0.2, 0.2); /* rotation */
  for (int j = 3; j < 6; j++)
    cam[j] = bench_range(-0.5, 0.5); /* centre */
  cam[6] = bench_range(0.8, 1.2);    /* focal */
  cam[7] = bench_range(-0.05, 0.05);
  cam[8] = bench_range(-0.05, 0.05);
  cam[9] = bench_range(-0.05, 0.05);
  cam[10] = bench_range(-0.01, 0.01);
}
static void random_point(double *X) {
  X[0] = bench_range(-1, 1);
  X[1] = bench_range(-1, 1);
  X[2] = bench_range(3, 6); /* in front of every camera */
}

static void bench_setup(int check) {
  bench_seed(7);
  vector_impl = !strcmp(bench_arg_str("impl", "reverse"), "vector");
  bench.nout = 3;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = NULL;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = NULL;
  if (check) {
    random_camera(block);
    random_point(block + 11);
    block[14] = bench_range(0.5, 1.5);
    block_feat[0] = bench_range(-0.5, 0.5);
    block_feat[1] = bench_range(-0.5, 0.5);
    bench.n = 15;
    bench.x = block;
    return;
  }
  ncam = bench_arg_int("cams", 2, 50, 50);
  npt = bench_arg_int("points", 5, 2000, 10000);
  nobs = bench_arg_int("obs", 10, 10000, 100000);
  bench_require(ncam >= 1 && npt >= 1 && nobs >= 1, "invalid size: need cams, points, obs >= 1");
  cams = bench_alloc(11 * (size_t)ncam * sizeof *cams);
  pts = bench_alloc(3 * (size_t)npt * sizeof *pts);
  ws = bench_alloc((size_t)nobs * sizeof *ws);
  feats = bench_alloc(2 * (size_t)nobs * sizeof *feats);
  res = bench_alloc(3 * (size_t)nobs * sizeof *res);
  jac = bench_alloc(31 * (size_t)nobs * sizeof *jac);
  obs = bench_alloc(2 * (size_t)nobs * sizeof *obs);
  for (int i = 0; i < ncam; i++)
    random_camera(cams + 11 * (size_t)i);
  for (int i = 0; i < npt; i++)
    random_point(pts + 3 * (size_t)i);
  for (int i = 0; i < nobs; i++) {
    obs[2 * i] = i % ncam;
    obs[2 * i + 1] = i % npt;
    ws[i] = bench_range(0.5, 1.5);
    feats[2 * (size_t)i] = bench_range(-0.5, 0.5);
    feats[2 * (size_t)i + 1] = bench_range(-0.5, 0.5);
  }
  snprintf(bench.size, sizeof bench.size, "cams=%d points=%d obs=%d", ncam, npt, nobs);
}
static void bench_teardown(void) {
  free(cams);
  free(pts);
  free(ws);
  free(feats);
  free(res);
  free(jac);
  free(obs);
  cams = pts = ws = feats = res = jac = NULL;
  obs = NULL;
}

BENCH_MAIN("ba")
