/* Checkpointed loops whose trip count is not known when they start
 * (CT_CHECKPOINT_LOOP before a while loop: counted in the forward pass,
 * run again from one snapshot on the binomial schedule). An RK4 pendulum
 * integrated with an adaptive step (`while (t < t_end)`, the step shorter
 * where the pendulum is fast, the last one cut to end at t_end) against
 * central differences and the plain (taped) gradient of the same loop; its
 * peak tape (ct_tape_peak_bytes) must be bounded by the snapshots, not the
 * steps: ten times the steps may not grow it much, while the plain
 * gradient's grows about tenfold. A malloc'd buffer relaxed in place until
 * it converges (a do-while loop with a second buffer, a break when it
 * stalls) against the plain gradient. A pullback applied twice, forward
 * mode and a Hessian-vector product through the adaptive loop (the last
 * against the plain loop's, and roughly against differences of the
 * gradient: the step count moves with the state). Automatic
 * snapshots under CT_TAPE_BUDGET=1M: a long adaptive run stays under 1
 * MiB of tape, a short one fits and is taped whole (its tape over 64 bytes
 * a step); both against central differences. (Under valgrind,
 * e2e.checkpoint_while.vg0/vg1, a tenth of the steps.) */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

/* ---- RK4 pendulum, adaptive step: theta'' = -k sin(theta) - 0.1 omega ---- */
static void pend_rhs(const double *s, double k, double *d) {
  d[0] = s[1];
  d[1] = -k * sin(s[0]) - 0.1 * s[1];
}

static double pend_energy(const double *s, double k) { return 0.5 * s[1] * s[1] + k * (1.0 - cos(s[0])); }

#define ADAPTIVE_STEP(s, t, t_end, h0, k)                                                                \
  do {                                                                                                   \
    double dt = (h0) / (1.0 + 0.5 * fabs(s[1]));                                                         \
    if (t + dt > t_end)                                                                                  \
      dt = t_end - t;                                                                                    \
    double k1[2], k2[2], k3[2], k4[2], u[2];                                                             \
    pend_rhs(s, k, k1);                                                                                  \
    for (int j = 0; j < 2; j++) u[j] = s[j] + 0.5 * dt * k1[j];                                          \
    pend_rhs(u, k, k2);                                                                                  \
    for (int j = 0; j < 2; j++) u[j] = s[j] + 0.5 * dt * k2[j];                                          \
    pend_rhs(u, k, k3);                                                                                  \
    for (int j = 0; j < 2; j++) u[j] = s[j] + dt * k3[j];                                                \
    pend_rhs(u, k, k4);                                                                                  \
    for (int j = 0; j < 2; j++) s[j] += dt / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);         \
    t += dt;                                                                                             \
  } while (0)

static double adapt_ckpt(const double *s0, double k, int m) { /* base step 2 / m */
  double s[2] = {s0[0], s0[1]}, t = 0.0, t_end = 20.0, h0 = 2.0 / m;
  CT_CHECKPOINT_LOOP(12)
  while (t < t_end)
    ADAPTIVE_STEP(s, t, t_end, h0, k);
  return pend_energy(s, k);
}

static double adapt_plain(const double *s0, double k, int m) { /* base step 2 / m */
  double s[2] = {s0[0], s0[1]}, t = 0.0, t_end = 20.0, h0 = 2.0 / m;
  while (t < t_end)
    ADAPTIVE_STEP(s, t, t_end, h0, k);
  return pend_energy(s, k);
}

/* scalar state, automatic snapshots: the tape budget decides (a body
 * without loops of its own, whose tape per step the pass counts) */
static double adapt_auto(const double *s0, double k, int m) { /* base step 2 / m */
  double th = s0[0], om = s0[1], t = 0.0, t_end = 20.0, h0 = 2.0 / m;
#pragma ct checkpoint
  while (t < t_end) {
    double dt = h0 / (1.0 + 0.5 * fabs(om));
    if (t + dt > t_end)
      dt = t_end - t;
    double a1 = om, b1 = -k * sin(th) - 0.1 * om;
    double a2 = om + 0.5 * dt * b1, b2 = -k * sin(th + 0.5 * dt * a1) - 0.1 * a2;
    double a3 = om + 0.5 * dt * b2, b3 = -k * sin(th + 0.5 * dt * a2) - 0.1 * a3;
    double a4 = om + dt * b3, b4 = -k * sin(th + dt * a3) - 0.1 * a4;
    th += dt / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4);
    om += dt / 6.0 * (b1 + 2.0 * b2 + 2.0 * b3 + b4);
    t += dt;
  }
  double s[2] = {th, om};
  return pend_energy(s, k);
}

/* ---- a heap buffer relaxed until it converges ---- */
#define RELAX_LOOP                                                                                       \
  do {                                                                                                   \
    change = 0.0;                                                                                        \
    for (int j = 0; j < len; j++) {                                                                      \
      double left = j ? u[j - 1] : 0.0, right = j + 1 < len ? u[j + 1] : 0.0;                            \
      next[j] = u[j] + kappa * (left - 2.0 * u[j] + right) + 0.02 * (1.0 + 0.1 * j - u[j] * u[j] * u[j]); \
    }                                                                                                    \
    for (int j = 0; j < len; j++) {                                                                      \
      change += fabs(next[j] - u[j]);                                                                    \
      u[j] = next[j];                                                                                    \
    }                                                                                                    \
    if (++it >= 4000)                                                                                    \
      break; /* stalled */                                                                               \
  } while (change > 1e-7)

static double relax_ckpt(const double *u0, double kappa, int len) {
  double *u = malloc(len * sizeof *u), *next = malloc(len * sizeof *next), change;
  int it = 0;
  for (int j = 0; j < len; j++) u[j] = u0[j];
  CT_CHECKPOINT_LOOP(5)
  RELAX_LOOP;
  double e = 0;
  for (int j = 0; j < len; j++) e += u[j] * u[j] * (j + 1);
  free(u);
  free(next);
  return e + it * 1e-9;
}

static double relax_plain(const double *u0, double kappa, int len) {
  double *u = malloc(len * sizeof *u), *next = malloc(len * sizeof *next), change;
  int it = 0;
  for (int j = 0; j < len; j++) u[j] = u0[j];
  RELAX_LOOP;
  double e = 0;
  for (int j = 0; j < len; j++) e += u[j] * u[j] * (j + 1);
  free(u);
  free(next);
  return e + it * 1e-9;
}

typedef struct { double k; int m; double (*f)(const double *, double, int); } PendCtx;
static double pend_fd(double *x, void *c) {
  PendCtx *p = c;
  return p->f(x, p->k, p->m);
}

int main(void) {
  setenv("CT_TAPE_BUDGET", "1M", 1); /* read at the first automatic loop */
  /* base steps 2e-3 (about 17,000 steps) and 2e-4; under valgrind (its
     preload library names it, e2e.checkpoint_while.vg0/vg1) a tenth */
  const char *preload = getenv("LD_PRELOAD");
  const int H = preload && strstr(preload, "vgpreload") ? 100 : 1000, H10 = 10 * H;
  double s0[2] = {1.2, -0.3}, k = 9.81, d_ck[2] = {0}, d_plain[2] = {0}, dk_ck = 0, dk_plain = 0;
  ct_tape_reset_peak();
  ct_gradient(adapt_ckpt, s0, d_ck, k, &dk_ck, H10);
  size_t peak_long = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(adapt_plain, s0, d_plain, k, &dk_plain, H10);
  size_t plain_long = ct_tape_peak_bytes();
  PendCtx pc = {k, H10, adapt_ckpt};
  CHECK_FD_GRADIENT("adaptive pendulum checkpointed", pend_fd, &pc, s0, 2, d_ck, 1e-6, 1e-6);
  for (int i = 0; i < 2; i++)
    CHECK_TOL(d_ck[i], d_plain[i], 1e-9);
  CHECK_TOL(dk_ck, dk_plain, 1e-9);
  CHECK_TOL(dk_ck, (adapt_ckpt(s0, k + 1e-6, H10) - adapt_ckpt(s0, k - 1e-6, H10)) / 2e-6, 1e-6);

  /* memory: a tenth of the steps, about the same checkpointed tape; the plain one a tenth */
  double e_ck[2] = {0}, e_pl[2] = {0}, ek = 0, ekp = 0;
  ct_tape_reset_peak();
  ct_gradient(adapt_ckpt, s0, e_ck, k, &ek, H);
  size_t peak_short = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(adapt_plain, s0, e_pl, k, &ekp, H);
  size_t plain_short = ct_tape_peak_bytes();
  for (int i = 0; i < 2; i++)
    CHECK_TOL(e_ck[i], e_pl[i], 1e-9);
  CHECK_TOL(ek, ekp, 1e-9);
  if (!CHECK(peak_long < 2 * peak_short) || !CHECK(plain_long > 8 * plain_short) ||
      !CHECK(peak_long * 100 < plain_long) || !CHECK(peak_long < 64 * 1024))
    fprintf(stderr, "peak tape: checkpointed %zu (m %d) %zu (m %d); plain %zu, %zu\n", peak_long, H10,
            peak_short, H, plain_long, plain_short);

  /* a heap buffer relaxed until it converges (do-while, break), against the plain gradient */
  enum { LEN = 16 };
  double u0[LEN], du[LEN] = {0}, du_plain[LEN] = {0}, kappa = 0.2, dkappa = 0, dkappa_plain = 0;
  for (int j = 0; j < LEN; j++) u0[j] = sin(0.3 * j) + 0.5;
  ct_gradient(relax_ckpt, u0, du, kappa, &dkappa, LEN);
  ct_gradient(relax_plain, u0, du_plain, kappa, &dkappa_plain, LEN);
  CHECK_TOL(relax_ckpt(u0, kappa, LEN), relax_plain(u0, kappa, LEN), 1e-15);
  for (int j = 0; j < LEN; j++)
    CHECK_TOL(du[j], du_plain[j], 1e-9);
  CHECK_TOL(dkappa, dkappa_plain, 1e-9);
  CHECK(fabs(dkappa) > 1e-3); /* the gradient is not trivially zero */

  /* a pullback applied twice, forward mode and H v through the adaptive loop */
  const int QH = 100;
  ct_pullback_t pb;
  double d_pb[2] = {0}, d_once[2], d_q[2] = {0}, dk_pb = 0, dk_pb2 = 0, dk_q = 0;
  double v_pb = ct_value_with_pullback(adapt_ckpt, &pb, s0, d_pb, k, QH);
  ct_pullback_apply(pb, 1.0, &dk_pb);
  d_once[0] = d_pb[0];
  d_once[1] = d_pb[1];
  ct_pullback_apply(pb, 2.0, &dk_pb2); /* adds twice the gradient into the same shadow */
  ct_pullback_free(pb);
  ct_gradient(adapt_ckpt, s0, d_q, k, &dk_q, QH);
  CHECK_TOL(v_pb, adapt_plain(s0, k, QH), 1e-12);
  for (int i = 0; i < 2; i++) {
    CHECK_TOL(d_once[i], d_q[i], 1e-12);
    CHECK_TOL(d_pb[i], 3.0 * d_q[i], 1e-12);
  }
  CHECK_TOL(dk_pb2, 2.0 * dk_q, 1e-12);
  CHECK_TOL(dk_pb, dk_q, 1e-12);
  double ds0[2] = {1.0, 0.0};
  CHECK_TOL(ct_derivative(adapt_ckpt, s0, ds0, k, 0.0, QH), d_q[0], 1e-9);
  CHECK_TOL(ct_derivative(adapt_ckpt, s0, (double[2]){0.0, 0.0}, k, 1.0, QH), dk_q, 1e-9);
  double hv[2] = {0}, dir[2] = {1.0, 0.5}, hk = 0, sp[2], sm[2], gp[2] = {0}, gm[2] = {0}, gk;
  ct_hessian_vector_product(adapt_ckpt, s0, dir, hv, k, 0.0, &hk, QH);
  for (int i = 0; i < 2; i++) {
    sp[i] = s0[i] + 1e-5 * dir[i];
    sm[i] = s0[i] - 1e-5 * dir[i];
  }
  ct_gradient(adapt_ckpt, sp, gp, k, &gk, QH);
  ct_gradient(adapt_ckpt, sm, gm, k, &gk, QH);
  double hv_plain[2] = {0}, hk_plain = 0;
  ct_hessian_vector_product(adapt_plain, s0, dir, hv_plain, k, 0.0, &hk_plain, QH);
  for (int i = 0; i < 2; i++) { /* the step count moves with x: differences of the gradient are rough */
    CHECK_TOL(hv[i], hv_plain[i], 1e-9);
    CHECK_TOL(hv[i], (gp[i] - gm[i]) / 2e-5, 1e-2);
  }
  CHECK_TOL(hk, hk_plain, 1e-9);

  /* the tape budget (1 MiB): the long run checkpointed under it, a short one taped whole */
  size_t peak_budget[2];
  int budget_h[2] = {H10, 10};
  for (int t = 0; t < 2; t++) {
    double d_b[2] = {0}, dk_b = 0;
    ct_tape_reset_peak();
    ct_gradient(adapt_auto, s0, d_b, k, &dk_b, budget_h[t]);
    peak_budget[t] = ct_tape_peak_bytes();
    PendCtx pa = {k, budget_h[t], adapt_auto};
    CHECK_FD_GRADIENT("adaptive pendulum under a tape budget", pend_fd, &pa, s0, 2, d_b, 1e-6, 1e-6);
  }
  if (!CHECK(peak_budget[0] < 1024 * 1024) || !CHECK(peak_budget[1] > 100 * 64) ||
      !CHECK(peak_budget[1] < 1024 * 1024))
    fprintf(stderr, "peak tape under the budget: %zu (m %d), %zu (m 10, taped)\n", peak_budget[0], H10,
            peak_budget[1]);

  printf("peak tape: checkpointed %zu (m %d), %zu (m %d); plain %zu, %zu; under 1 MiB budget %zu, %zu\n",
         peak_long, H10, peak_short, H, plain_long, plain_short, peak_budget[0], peak_budget[1]);
  return check_summary("checkpoint_while");
}
