/* Recomputed calls (CT_CHECKPOINT on a function, ct_recompute at a call):
 * an RK4 pendulum and a 4-body gravitational system integrated in blocks
 * of substeps by a helper that updates the state in place. The gradients of
 * the final energy / positions are checked against central differences of
 * the same program, and the peak tape (ct_tape_peak_bytes) of the
 * checkpointed gradients must stay a small fraction of the plain gradient's
 * (which keeps every substep's internals). A heap buffer of run-time length
 * (CT_ACCESS gives it) relaxed in place by a checkpointed call, each call
 * reading what the previous one wrote, is checked the same way, also
 * through a pullback applied twice (the snapshots must survive the first
 * application). Forward mode and Hessian-vector products through a
 * CT_CHECKPOINT function (not recomputed there) equal the plain ones. Two
 * levels (a checkpointed function calling one) give the plain gradient, and
 * no larger a tape. */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

#define SUB 40    /* substeps per call */
#define CALLS 100 /* calls per gradient */

/* ---- pendulum: s = {theta, omega}, theta'' = -k sin(theta) - c omega ---- */
static void pend_rhs(const double *s, double k, double c, double *d) {
  d[0] = s[1];
  d[1] = -k * sin(s[0]) - c * s[1];
}

static void pend_rk4(double s[static 2], double dt, double k) {
  for (int j = 0; j < SUB; j++) {
    double k1[2], k2[2], k3[2], k4[2], t[2];
    pend_rhs(s, k, 0.1, k1);
    for (int i = 0; i < 2; i++) t[i] = s[i] + 0.5 * dt * k1[i];
    pend_rhs(t, k, 0.1, k2);
    for (int i = 0; i < 2; i++) t[i] = s[i] + 0.5 * dt * k2[i];
    pend_rhs(t, k, 0.1, k3);
    for (int i = 0; i < 2; i++) t[i] = s[i] + dt * k3[i];
    pend_rhs(t, k, 0.1, k4);
    for (int i = 0; i < 2; i++) s[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
  }
}

CT_CHECKPOINT static void pend_rk4_ckpt(double s[static 2], double dt, double k) { pend_rk4(s, dt, k); }

CT_CHECKPOINT static void pend_rk4_two(double s[static 2], double dt, double k) {
  for (int i = 0; i < 10; i++)
    pend_rk4_ckpt(s, dt, k);
}

static double pend_energy(const double *s, double k) { return 0.5 * s[1] * s[1] + k * (1.0 - cos(s[0])); }

static double pend_plain(const double *s0, double k, int calls) {
  double s[2] = {s0[0], s0[1]};
  for (int i = 0; i < calls; i++)
    pend_rk4(s, 0.01, k);
  return pend_energy(s, k);
}
static double pend_attr(const double *s0, double k, int calls) {
  double s[2] = {s0[0], s0[1]};
  for (int i = 0; i < calls; i++)
    pend_rk4_ckpt(s, 0.01, k);
  return pend_energy(s, k);
}
static double pend_site(const double *s0, double k, int calls) {
  double s[2] = {s0[0], s0[1]};
  for (int i = 0; i < calls; i++)
    ct_recompute(pend_rk4, s, 0.01, k);
  return pend_energy(s, k);
}

/* ---- 4 bodies in the plane, softened gravity; state: x[8], v[8] ---- */
#define NB 4
typedef struct { double x[2 * NB], v[2 * NB]; } System;

static void nbody_steps(System sys[static 1], const double m[static NB], double dt) {
  for (int j = 0; j < SUB; j++) {
    double a[2 * NB] = {0};
    for (int p = 0; p < NB; p++)
      for (int q = 0; q < NB; q++) {
        if (p == q)
          continue;
        double dx = sys->x[2 * q] - sys->x[2 * p], dy = sys->x[2 * q + 1] - sys->x[2 * p + 1];
        double r2 = dx * dx + dy * dy + 0.25;
        double f = m[q] / (r2 * sqrt(r2));
        a[2 * p] += f * dx;
        a[2 * p + 1] += f * dy;
      }
    for (int i = 0; i < 2 * NB; i++) { /* symplectic Euler */
      sys->v[i] += dt * a[i];
      sys->x[i] += dt * sys->v[i];
    }
  }
}

/* sum of x-coordinates weighted, after `calls` blocks, checkpointed or not */
static double nbody_run(const double *x0, const double *m, int calls, int ckpt) {
  System *sys = malloc(sizeof *sys);
  memcpy(sys->x, x0, sizeof sys->x);
  memset(sys->v, 0, sizeof sys->v);
  for (int i = 0; i < calls; i++)
    if (ckpt)
      ct_recompute(nbody_steps, sys, m, 0.002);
    else
      nbody_steps(sys, m, 0.002);
  double r = 0.0;
  for (int i = 0; i < 2 * NB; i++)
    r += (i + 1) * sys->x[i];
  free(sys);
  return r;
}
static double nbody_final(const double *x0, const double *m, int calls) { return nbody_run(x0, m, calls, 1); }
static double nbody_plain(const double *x0, const double *m, int calls) { return nbody_run(x0, m, calls, 0); }

/* ---- a heap buffer of n values relaxed in place, n known at run time ---- */
static void relax(double *x, long n, double h) CT_ACCESS("u1..:d");
static void relax(double *x, long n, double h) {
  for (int j = 0; j < SUB; j++)
    for (long i = 0; i < n; i++)
      x[i] += h * sin(x[(i + 1) % n]) * x[i];
}

static double relax_run(const double *x0, long n, int calls, int ckpt) {
  double *x = malloc(n * sizeof *x);
  memcpy(x, x0, n * sizeof *x);
  for (int s = 0; s < calls; s++)
    if (ckpt)
      ct_recompute(relax, x, n, 0.002);
    else
      relax(x, n, 0.002);
  double r = 0.0;
  for (long i = 0; i < n; i++)
    r += x[i] * x[i];
  free(x);
  return r;
}
static double relax_ckpt(const double *x0, long n, int calls) { return relax_run(x0, n, calls, 1); }
static double relax_plain(const double *x0, long n, int calls) { return relax_run(x0, n, calls, 0); }
static double relax_fd(double *x, void *c) { return relax_plain(x, 5, *(int *)c); }

static double pend_two(const double *s0, double k, int calls) {
  double s[2] = {s0[0], s0[1]};
  for (int i = 0; i < calls / 10; i++)
    pend_rk4_two(s, 0.01, k);
  return pend_energy(s, k);
}

typedef struct { double k; int calls; double (*f)(const double *, double, int); } PendCtx;
static double pend_fd(double *x, void *c) {
  PendCtx *p = c;
  return p->f(x, p->k, p->calls);
}
typedef struct { const double *m; int calls; } BodyCtx;
static double body_fd(double *x, void *c) {
  BodyCtx *b = c;
  return nbody_final(x, b->m, b->calls);
}

int main(void) {
  double s0[2] = {1.2, -0.3}, k = 9.81;
  double d_plain[2] = {0}, d_attr[2] = {0}, d_site[2] = {0}, dk_plain, dk_attr, dk_site;

  ct_tape_reset_peak();
  ct_gradient(pend_plain, s0, d_plain, k, &dk_plain, CALLS);
  size_t peak_plain = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(pend_attr, s0, d_attr, k, &dk_attr, CALLS);
  size_t peak_attr = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(pend_site, s0, d_site, k, &dk_site, CALLS);
  size_t peak_site = ct_tape_peak_bytes();

  PendCtx pc = {k, CALLS, pend_plain};
  CHECK_FD_GRADIENT("pendulum plain", pend_fd, &pc, s0, 2, d_plain, 1e-6, 1e-6);
  for (int i = 0; i < 2; i++) {
    CHECK_TOL(d_attr[i], d_plain[i], 1e-12);
    CHECK_TOL(d_site[i], d_plain[i], 1e-12);
  }
  double h = 1e-6;
  double dk_fd = (pend_plain(s0, k + h, CALLS) - pend_plain(s0, k - h, CALLS)) / (2 * h);
  CHECK_TOL(dk_plain, dk_fd, 1e-6);
  CHECK_TOL(dk_attr, dk_plain, 1e-12);
  CHECK_TOL(dk_site, dk_plain, 1e-12);
  /* the plain tape keeps CALLS * SUB substeps; the checkpointed ones one
     call's SUB substeps plus CALLS small records */
  if (!CHECK(peak_attr * 8 < peak_plain) || !CHECK(peak_site * 8 < peak_plain))
    fprintf(stderr, "peak tape: plain %zu, CT_CHECKPOINT %zu, ct_recompute %zu\n", peak_plain, peak_attr,
            peak_site);
  CHECK(peak_attr > 0);
  double d_two[2] = {0}, dk_two;
  ct_tape_reset_peak();
  ct_gradient(pend_two, s0, d_two, k, &dk_two, CALLS);
  size_t peak_two = ct_tape_peak_bytes();
  for (int i = 0; i < 2; i++)
    CHECK_TOL(d_two[i], d_plain[i], 1e-12);
  CHECK_TOL(dk_two, dk_plain, 1e-12);
  /* the largest tape is the innermost call's (SUB substeps) in both */
  if (!CHECK(peak_two <= peak_attr))
    fprintf(stderr, "peak tape: one level %zu, two levels %zu\n", peak_attr, peak_two);
  double ts0[2] = {0.0, 0.0};
  CHECK_TOL(ct_derivative(pend_attr, s0, ts0, k, 1.0, CALLS), dk_plain, 1e-12);
  double v2[2] = {0.3, -0.7}, hv_attr[2] = {0}, hv_plain[2] = {0}, hk_attr, hk_plain;
  ct_hessian_vector_product(pend_attr, s0, v2, hv_attr, k, 0.5, &hk_attr, CALLS);
  ct_hessian_vector_product(pend_plain, s0, v2, hv_plain, k, 0.5, &hk_plain, CALLS);
  for (int i = 0; i < 2; i++)
    CHECK_TOL(hv_attr[i], hv_plain[i], 1e-12);
  CHECK_TOL(hk_attr, hk_plain, 1e-12);

  double x0[2 * NB] = {1.0, 0.0, -1.0, 0.1, 0.2, 1.1, -0.1, -0.9}, m[NB] = {1.0, 0.8, 1.2, 0.9};
  double dx[2 * NB] = {0}, dm[NB] = {0};
  ct_tape_reset_peak();
  ct_gradient(nbody_final, x0, dx, m, dm, CALLS);
  size_t peak_body = ct_tape_peak_bytes();
  double dx_plain[2 * NB] = {0}, dm_plain[NB] = {0};
  ct_tape_reset_peak();
  ct_gradient(nbody_plain, x0, dx_plain, m, dm_plain, CALLS);
  size_t peak_body_plain = ct_tape_peak_bytes();
  for (int i = 0; i < 2 * NB; i++)
    CHECK_TOL(dx[i], dx_plain[i], 1e-12);
  for (int q = 0; q < NB; q++)
    CHECK_TOL(dm[q], dm_plain[q], 1e-12);
  BodyCtx bc = {m, CALLS};
  CHECK_FD_GRADIENT("n-body positions", body_fd, &bc, x0, 2 * NB, dx, 1e-6, 1e-6);
  for (int q = 0; q < NB; q++) {
    double mp[NB], mm[NB];
    memcpy(mp, m, sizeof mp);
    memcpy(mm, m, sizeof mm);
    mp[q] += h;
    mm[q] -= h;
    CHECK_TOL(dm[q], (nbody_final(x0, mp, CALLS) - nbody_final(x0, mm, CALLS)) / (2 * h), 1e-6);
  }
  if (!CHECK(peak_body * 8 < peak_body_plain))
    fprintf(stderr, "n-body peak tape: plain %zu, ct_recompute %zu\n", peak_body_plain, peak_body);

  double r0[5] = {0.1, 0.5, -0.3, 0.9, 1.2}, dr[5] = {0}, dr_pb[5] = {0};
  int calls = CALLS;
  ct_tape_reset_peak();
  ct_gradient(relax_ckpt, r0, dr, 5L, CALLS);
  size_t peak_relax = ct_tape_peak_bytes();
  CHECK_FD_GRADIENT("relaxed heap buffer", relax_fd, &calls, r0, 5, dr, 1e-6, 1e-6);
  ct_pullback_t pb;
  double v = ct_value_with_pullback(relax_ckpt, &pb, r0, dr_pb, 5L, CALLS);
  CHECK_TOL(v, relax_plain(r0, 5, CALLS), 1e-12);
  ct_pullback_apply(pb, 1.0);
  ct_pullback_apply(pb, 0.5); /* adds half the gradient again */
  ct_pullback_free(pb);
  for (int i = 0; i < 5; i++)
    CHECK_TOL(dr_pb[i], 1.5 * dr[i], 1e-12);
  ct_tape_reset_peak();
  memset(dr, 0, sizeof dr);
  ct_gradient(relax_plain, r0, dr, 5L, CALLS);
  if (!CHECK(peak_relax * 8 < ct_tape_peak_bytes()))
    fprintf(stderr, "relax peak tape: plain %zu, ct_recompute %zu\n", ct_tape_peak_bytes(), peak_relax);
  return check_summary("checkpoint_calls");
}
