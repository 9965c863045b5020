/* Pointers to differentiable data stored in memory whose outer pointer has
 * no shadow: a pose/skinning objective whose model struct is passed as
 * constant and gets workspace matrices (Matrix structs with malloc'd data,
 * arrays of them) that the function allocates, stores into the model's
 * fields, computes relatives and absolutes into, and reads back for the
 * loss; the same with the workspace left in the model for the caller to
 * free; the caller's Matrix headers whose data blocks the function
 * allocates; an array of such models; a global workspace pointer; the model
 * passed with a zeroed shadow instead (the workspace's shadows then go into
 * the shadow struct, the caller's to free); and a function-local model.
 * The shadows of pointers stored into memory without a shadow are kept by
 * address for the forward pass (shadow_slots.c); a pointer read from there
 * that the function did not store (a workspace left from an earlier call)
 * stops the program with a message rather than taking a wrong shadow.
 * Every gradient is checked against central differences, at -O0..-O3 (and
 * under ASan and valgrind). */
#include "check.h"
#include "child.h"

#include <cotangent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

typedef struct {
  int rows, cols;
  double *data;
} Matrix;

typedef struct {
  int nbones, nverts;
  const int *parents;
  const Matrix *base;      /* per bone, 2x2: the caller's, read only */
  const double *rest;      /* nverts x 2 rest positions */
  const double *weights;   /* nverts x nbones */
  Matrix *relatives;       /* workspace the objective allocates */
  Matrix *absolutes;
  double *skinned;         /* nverts x 2 */
} Model;

static void matrix_alloc(Matrix *m, int rows, int cols) {
  m->rows = rows;
  m->cols = cols;
  m->data = malloc(rows * cols * sizeof(double));
}

static Matrix *matrix_array(int n, int rows, int cols) {
  Matrix *a = malloc(n * sizeof(Matrix));
  for (int i = 0; i < n; i++)
    matrix_alloc(&a[i], rows, cols);
  return a;
}

static void matrix_array_free(Matrix *a, int n) {
  for (int i = 0; i < n; i++)
    free(a[i].data);
  free(a);
}

static double *at(const Matrix *m, int i, int j) { return &m->data[i * m->cols + j]; }

static void matrix_mul(Matrix *out, const Matrix *a, const Matrix *b) {
  for (int i = 0; i < a->rows; i++)
    for (int j = 0; j < b->cols; j++) {
      double s = 0;
      for (int k = 0; k < a->cols; k++)
        s += *at(a, i, k) * *at(b, k, j);
      *at(out, i, j) = s;
    }
}

/* relatives = base * rotation(theta), absolutes along the parents, vertices
 * skinned by the weighted absolutes, loss = sum of squared positions plus
 * a term over the absolutes */
static double pose_terms(Model *model, const double *theta) {
  int n = model->nbones;
  for (int b = 0; b < n; b++) {
    double c = cos(theta[b]), s = sin(theta[b]);
    double r[4] = {c, -s, s, c};
    Matrix rot = {2, 2, r};
    matrix_mul(&model->relatives[b], &model->base[b], &rot);
  }
  for (int b = 0; b < n; b++) {
    if (model->parents[b] < 0)
      for (int k = 0; k < 4; k++)
        model->absolutes[b].data[k] = model->relatives[b].data[k];
    else
      matrix_mul(&model->absolutes[b], &model->absolutes[model->parents[b]], &model->relatives[b]);
  }
  double loss = 0;
  for (int v = 0; v < model->nverts; v++) {
    double *p = &model->skinned[2 * v];
    p[0] = p[1] = 0;
    for (int b = 0; b < n; b++) {
      double w = model->weights[v * n + b];
      const Matrix *a = &model->absolutes[b];
      p[0] += w * (*at(a, 0, 0) * model->rest[2 * v] + *at(a, 0, 1) * model->rest[2 * v + 1]);
      p[1] += w * (*at(a, 1, 0) * model->rest[2 * v] + *at(a, 1, 1) * model->rest[2 * v + 1]);
    }
    loss += p[0] * p[0] + 0.5 * p[1] * p[1];
  }
  for (int b = 0; b < n; b++)
    loss += *at(&model->absolutes[b], 0, 1) * (b + 1);
  return loss;
}

/* the workspace allocated into the constant model, and freed */
double pose_objective(Model *model, const double *theta) {
  model->relatives = matrix_array(model->nbones, 2, 2);
  model->absolutes = matrix_array(model->nbones, 2, 2);
  model->skinned = malloc(2 * model->nverts * sizeof(double));
  double loss = pose_terms(model, theta);
  matrix_array_free(model->relatives, model->nbones);
  matrix_array_free(model->absolutes, model->nbones);
  free(model->skinned);
  model->relatives = model->absolutes = NULL;
  model->skinned = NULL;
  return loss;
}

/* the workspace left in the model: the caller frees it */
double pose_keep_workspace(Model *model, const double *theta) {
  model->relatives = matrix_array(model->nbones, 2, 2);
  model->absolutes = matrix_array(model->nbones, 2, 2);
  model->skinned = calloc(2 * model->nverts, sizeof(double));
  return pose_terms(model, theta);
}

/* the workspace allocated on first use and cached in the model: a later
   call reads pointers it did not store, which have no shadow */
double pose_cached(Model *model, const double *theta) {
  if (!model->relatives) {
    model->relatives = matrix_array(model->nbones, 2, 2);
    model->absolutes = matrix_array(model->nbones, 2, 2);
    model->skinned = calloc(2 * model->nverts, sizeof(double));
  }
  return pose_terms(model, theta);
}

static void release_workspace(Model *m) {
  matrix_array_free(m->relatives, m->nbones);
  matrix_array_free(m->absolutes, m->nbones);
  free(m->skinned);
  m->relatives = m->absolutes = NULL;
  m->skinned = NULL;
}

/* the Matrix headers are the caller's (their data NULL): the function
   allocates the data blocks into them, as a resize() does */
double pose_caller_headers(Model *model, const double *theta) {
  for (int b = 0; b < model->nbones; b++) {
    matrix_alloc(&model->relatives[b], 2, 2);
    matrix_alloc(&model->absolutes[b], 2, 2);
  }
  model->skinned = malloc(2 * model->nverts * sizeof(double));
  double loss = pose_terms(model, theta);
  for (int b = 0; b < model->nbones; b++) {
    free(model->relatives[b].data);
    free(model->absolutes[b].data);
    model->relatives[b].data = model->absolutes[b].data = NULL;
  }
  free(model->skinned);
  model->skinned = NULL;
  return loss;
}

/* an array of constant models sharing the angles */
double pose_models(Model *models, int count, const double *theta) {
  double loss = 0;
  for (int k = 0; k < count; k++)
    loss += (k + 1) * pose_objective(&models[k], theta);
  return loss;
}

/* ---- a global workspace pointer ---- */
static double *g_scratch;
static int g_scratch_len;

double global_scratch(const double *x, int n) {
  g_scratch = malloc(n * sizeof(double));
  g_scratch_len = n;
  for (int i = 0; i < g_scratch_len; i++)
    g_scratch[i] = exp(0.5 * x[i]);
  double s = 0;
  for (int i = 1; i < g_scratch_len; i++)
    s += g_scratch[i] * g_scratch[i - 1];
  free(g_scratch);
  g_scratch = NULL;
  return s;
}

/* ---- a function-local model ---- */
double pose_local(const Model *shape, const double *theta) {
  Model m = *shape;
  return pose_objective(&m, theta);
}

/* ---- checks ---- */
#define NB 3
#define NV 4
static const int PARENTS[NB] = {-1, 0, 1};
static double BASE_DATA[NB][4] = {{1, 0.2, 0, 1}, {0.9, 0, 0.1, 1.1}, {1, 0.3, -0.2, 0.8}};
static double REST[2 * NV] = {1, 0, 0.5, 0.5, -0.3, 1.2, 0.8, -0.6};
static double WEIGHTS[NV * NB];

static Model make_model(const Matrix *base) {
  Model m = {NB, NV, PARENTS, base, REST, WEIGHTS, NULL, NULL, NULL};
  return m;
}

#define FD_H 1e-6
#define FD_TOL 1e-6

typedef double (*vec_fn)(double *x, void *ctx);

#define check_fd(what, f, ctx, x, n, grad) CHECK_FD_GRADIENT(what, f, ctx, x, n, grad, FD_H, FD_TOL)

static double f_pose(double *th, void *ctx) { return pose_objective(ctx, th); }
static double f_models(double *th, void *ctx) { return pose_models(ctx, 2, th); }
static double f_global(double *x, void *ctx) { return global_scratch(x, *(int *)ctx); }
static double f_local(double *th, void *ctx) { return pose_local(ctx, th); }
static double THETA[NB] = {0.3, -0.5, 0.9};
static double f_rest(double *rest, void *ctx) {
  (void)rest; /* REST itself, changed in place */
  return pose_objective(ctx, THETA);
}

/* a workspace left in the model by an earlier call: the objective reads
   pointers it did not store, which have no shadow */
static Model stale;
static void stale_workspace(void *arg) {
  double *th = arg, dth[NB] = {0};
  __enzyme_autodiff((void *)pose_cached, enzyme_const, &stale, enzyme_dup, th, dth);
}

int main(void) {
  Matrix base[NB];
  for (int b = 0; b < NB; b++)
    base[b] = (Matrix){2, 2, BASE_DATA[b]};
  for (int v = 0; v < NV; v++)
    for (int b = 0; b < NB; b++)
      WEIGHTS[v * NB + b] = (v + b + 1) / (double)(3 * NB);
  double *th = THETA, dth[NB];

  Model model = make_model(base);
  memset(dth, 0, sizeof dth);
  __enzyme_autodiff((void *)pose_objective, enzyme_const, &model, enzyme_dup, th, dth);
  check_fd("pose_objective", f_pose, &model, th, NB, dth);
  CHECK(model.relatives == NULL && model.skinned == NULL);

  double dth2[NB] = {0};
  ct_gradient(pose_keep_workspace, ct_const(&model), th, dth2);
  CHECK(model.relatives != NULL && model.absolutes != NULL && model.skinned != NULL);
  release_workspace(&model);
  for (int b = 0; b < NB; b++)
    CHECK_AT_TOL("pose_keep_workspace", b, dth2[b], dth[b], 1e-12);

  Matrix rel_headers[NB] = {{0}}, abs_headers[NB] = {{0}};
  Model with_headers = make_model(base);
  with_headers.relatives = rel_headers;
  with_headers.absolutes = abs_headers;
  double dth5[NB] = {0};
  __enzyme_autodiff((void *)pose_caller_headers, enzyme_const, &with_headers, enzyme_dup, th, dth5);
  for (int b = 0; b < NB; b++)
    CHECK_AT_TOL("pose_caller_headers", b, dth5[b], dth2[b], 1e-12);
  CHECK(rel_headers[0].data == NULL && with_headers.skinned == NULL);

  Model models[2] = {make_model(base), make_model(base)};
  models[1].nverts = NV - 1;
  memset(dth, 0, sizeof dth);
  __enzyme_autodiff((void *)pose_models, enzyme_const, models, 2, enzyme_dup, th, dth);
  check_fd("pose_models", f_models, models, th, NB, dth);

  /* the model with a shadow (Enzyme's way): shadows of its inputs (they
     receive the derivatives with respect to the rest positions), and no
     workspace: the shadows of the workspace the function allocates go into
     the shadow model, the caller's to free like the primal blocks */
  double drest[2 * NV] = {0}, dweights[NV * NB] = {0}, dbase_data[NB][4] = {{0}};
  Matrix dbase[NB];
  for (int b = 0; b < NB; b++)
    dbase[b] = (Matrix){2, 2, dbase_data[b]};
  Model shadow = {NB, NV, NULL, dbase, drest, dweights, NULL, NULL, NULL};
  double dth3[NB] = {0};
  __enzyme_autodiff((void *)pose_keep_workspace, enzyme_dup, &model, &shadow, enzyme_dup, th, dth3);
  for (int b = 0; b < NB; b++)
    CHECK_AT_TOL("pose_keep_workspace, shadow model", b, dth3[b], dth2[b], 1e-12);
  CHECK(shadow.relatives != NULL && shadow.absolutes != NULL && shadow.skinned != NULL);
  release_workspace(&model);
  release_workspace(&shadow);
  check_fd("pose_keep_workspace, rest positions", f_rest, &model, (double *)REST, 2 * NV, drest);

  int n = 6;
  double x[6] = {0.1, -0.4, 0.7, 0.2, -0.9, 0.5}, dx[6] = {0};
  ct_gradient(global_scratch, x, dx, n);
  check_fd("global_scratch", f_global, &n, x, n, dx);

  memset(dth, 0, sizeof dth);
  ct_gradient(pose_local, ct_const(&model), th, dth);
  check_fd("pose_local", f_local, &model, th, NB, dth);

  /* pullbacks: the reverse runs later, twice */
  double g1[NB] = {0};
  ct_pullback_t pb = ct_pullback(pose_objective, ct_const(&model), th, g1);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_free(pb);
  memset(dth, 0, sizeof dth);
  ct_gradient(pose_objective, ct_const(&model), th, dth);
  for (int b = 0; b < NB; b++)
    CHECK_AT_TOL("pullback pose_objective", b, g1[b], 2 * dth[b], 1e-12);

  stale = make_model(base);
  double dth4[NB] = {0};
  __enzyme_autodiff((void *)pose_cached, enzyme_const, &stale, enzyme_dup, th, dth4);
  for (int b = 0; b < NB; b++)
    CHECK_AT_TOL("pose_cached, first call", b, dth4[b], dth2[b], 1e-12);
  CHECK(stale.relatives != NULL);
  check_child_stops("stale workspace", stale_workspace, th, "was not stored there by the differentiated function",
                    1);
  release_workspace(&stale);
  return check_summary("unshadowed_workspace");
}
