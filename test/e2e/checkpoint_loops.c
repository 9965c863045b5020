/* Checkpointed loops (CT_CHECKPOINT_LOOP, binomial schedule): an RK4
 * pendulum of 100,000 steps (state in a local array, the stages in arrays
 * of the body, a helper for the right-hand side), a 3-body gravitational
 * system of 100,000 leapfrog steps (positions and velocities in local
 * arrays, i-j loops inside the step), and a heap buffer relaxed in place
 * each step (malloc'd in the function, every step reading what the
 * previous one wrote, a second buffer for the new values, a loop counting
 * down). Each gradient is checked against central differences of the same
 * program, and against the plain (taped) gradient of the same loop where
 * that one is cheap. The peak tape (ct_tape_peak_bytes) of the checkpointed
 * loop must be bounded by its snapshots, not its steps: ten times the
 * steps may not grow it much, while the plain gradient's grows tenfold.
 * (Under valgrind, e2e.checkpoint_loops.vg0/vg1, 10,000 steps instead.)
 * A pullback of the pendulum applied twice (the snapshots must survive the
 * first application) and forward mode (ct_derivative) through the
 * checkpointed loop give the same derivatives. Tape budget (automatic
 * snapshots, CT_CHECKPOINT_LOOP(0)): under CT_TAPE_BUDGET=1M a scalar RK4
 * pendulum of 100,000 steps is checkpointed and its peak tape stays under
 * 1 MiB, one of 2,000 steps fits and is taped as usual (its tape is the
 * plain one's size); ct_set_tape_budget(256 KiB) bounds it to 256 KiB; all
 * against central differences. Loop shapes: a size_t counter to <= n
 * with continue and the counter in the body; a counter declared before
 * the loop, counting down to != 0 and used after it; an inner loop over a
 * local array counting down to >= 0. Three checkpointed loops in one
 * function, one of them in a helper updating its caller's array. A
 * Hessian-vector product (forward over reverse) through a checkpointed
 * loop against central differences of its gradient. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include "check.h"

#include <cotangent.h>
#include <stdlib.h>
#include <string.h>

/* ---- RK4 pendulum: theta'' = -k sin(theta) - c omega ---- */
static void pend_rhs(const double *s, double k, double *d) {
  d[0] = s[1];
  d[1] = -k * sin(s[0]) - 0.1 * s[1];
}

#define PEND_STEP(s, dt, k)                                                                              \
  do {                                                                                                   \
    double k1[2], k2[2], k3[2], k4[2], t[2];                                                             \
    pend_rhs(s, k, k1);                                                                                  \
    for (int j = 0; j < 2; j++) t[j] = s[j] + 0.5 * dt * k1[j];                                          \
    pend_rhs(t, k, k2);                                                                                  \
    for (int j = 0; j < 2; j++) t[j] = s[j] + 0.5 * dt * k2[j];                                          \
    pend_rhs(t, k, k3);                                                                                  \
    for (int j = 0; j < 2; j++) t[j] = s[j] + dt * k3[j];                                                \
    pend_rhs(t, k, k4);                                                                                  \
    for (int j = 0; j < 2; j++) s[j] += dt / 6.0 * (k1[j] + 2.0 * k2[j] + 2.0 * k3[j] + k4[j]);         \
  } while (0)

static double pend_energy(const double *s, double k) { return 0.5 * s[1] * s[1] + k * (1.0 - cos(s[0])); }

static double pend_ckpt(const double *s0, double k, int n) {
  double s[2] = {s0[0], s0[1]};
  double dt = 20.0 / n;
  CT_CHECKPOINT_LOOP(12)
  for (int i = 0; i < n; i++)
    PEND_STEP(s, dt, k);
  return pend_energy(s, k);
}

static double pend_plain(const double *s0, double k, int n) {
  double s[2] = {s0[0], s0[1]};
  double dt = 20.0 / n;
  for (int i = 0; i < n; i++)
    PEND_STEP(s, dt, k);
  return pend_energy(s, k);
}

/* ---- 3 bodies, leapfrog (kick-drift-kick) ---- */
#define NB 3
static double nbody_ckpt(const double *x0, int n) {
  const double m[NB] = {1.0, 0.8, 0.5};
  double x[3 * NB], v[3 * NB] = {0.0, 0.3, 0.0, 0.0, -0.3, 0.0, 0.2, 0.0, 0.1};
  for (int i = 0; i < 3 * NB; i++) x[i] = x0[i];
  double dt = 2.0 / n;
  CT_CHECKPOINT_LOOP(16)
  for (long step = 0; step < n; ++step) {
    double a[3 * NB] = {0};
    for (int i = 0; i < NB; i++)
      for (int j = 0; j < NB; j++) {
        if (i == j) continue;
        double d[3], r2 = 0.05;
        for (int c = 0; c < 3; c++) {
          d[c] = x[3 * j + c] - x[3 * i + c];
          r2 += d[c] * d[c];
        }
        double f = m[j] / (r2 * sqrt(r2));
        for (int c = 0; c < 3; c++) a[3 * i + c] += f * d[c];
      }
    for (int i = 0; i < 3 * NB; i++) {
      v[i] += dt * a[i];
      x[i] += dt * v[i];
    }
  }
  double e = 0;
  for (int i = 0; i < 3 * NB; i++) e += x[i] * x[i] + 0.5 * v[i] * v[i];
  return e;
}

/* ---- a heap buffer relaxed in place; each step reads the last one's values ---- */
static double relax_ckpt(const double *u0, double kappa, int len, int steps) {
  double *u = malloc(len * sizeof *u), *next = malloc(len * sizeof *next);
  for (int j = 0; j < len; j++) u[j] = u0[j];
  CT_CHECKPOINT_LOOP(6)
  for (int s = steps; s > 0; s--) {
    for (int j = 0; j < len; j++) {
      double left = j ? u[j - 1] : 0.0, right = j + 1 < len ? u[j + 1] : 0.0;
      next[j] = u[j] + kappa * (left - 2.0 * u[j] + right) - 0.01 * u[j] * u[j] * u[j];
    }
    for (int j = 0; j < len; j++) u[j] = next[j];
  }
  double e = 0;
  for (int j = 0; j < len; j++) e += u[j] * u[j] * (j + 1);
  free(u);
  free(next);
  return e;
}

/* scalar state, automatic snapshots: the tape budget decides */
static double pend_auto(const double *s0, double k, int n) {
  double th = s0[0], om = s0[1], dt = 20.0 / n;
  CT_CHECKPOINT_LOOP(0)
  for (int i = 0; i < n; i++) {
    double a1 = om, b1 = -k * sin(th) - 0.1 * om;
    double a2 = om + 0.5 * dt * b1, b2 = -k * sin(th + 0.5 * dt * a1) - 0.1 * a2;
    double a3 = om + 0.5 * dt * b2, b3 = -k * sin(th + 0.5 * dt * a2) - 0.1 * a3;
    double a4 = om + dt * b3, b4 = -k * sin(th + dt * a3) - 0.1 * a4;
    th += dt / 6.0 * (a1 + 2.0 * a2 + 2.0 * a3 + a4);
    om += dt / 6.0 * (b1 + 2.0 * b2 + 2.0 * b3 + b4);
  }
  double s[2] = {th, om};
  return pend_energy(s, k);
}

/* ---- loop shapes ---- */
static double shape_up(double x, int n) { /* size_t counter, <=, continue, the counter in the body */
  double s = x;
  CT_CHECKPOINT_LOOP(3)
  for (size_t i = 1; i <= (size_t)n; ++i) {
    if (i % 7 == 0)
      continue;
    s = s + 0.001 * sin(s * (double)i);
  }
  return s * s;
}
static double shape_down(double x, int n) { /* counter declared before, != 0, i--, used after */
  double s = x;
  int i;
  CT_CHECKPOINT_LOOP(2)
  for (i = n; i != 0; i--)
    s = s - 0.0005 * s * s + 0.00001 * i;
  return s * (1.0 + i);
}
static double shape_inner(double x, int n) { /* an inner loop over a local array, >= 0 */
  double a[4] = {x, 2 * x, 3 * x, 4 * x};
  CT_CHECKPOINT_LOOP(5)
  for (int t = n - 1; t >= 0; --t)
    for (int j = 0; j < 4; j++)
      a[j] = a[j] + 0.01 * a[(j + 1) % 4] * cos(a[j]);
  return a[0] * a[3];
}

/* ---- several loops, one in a helper ---- */
static void evolve(double s[static 2], int n) {
  double dt = 0.01;
  CT_CHECKPOINT_LOOP(3)
  for (int i = 0; i < n; i++) {
    double a = s[0];
    s[0] += dt * s[1];
    s[1] -= dt * sin(a);
  }
}
static double several(double x, int n) {
  double s[2] = {x, 0.1};
  evolve(s, n);
  double t = s[0] * s[1];
  CT_CHECKPOINT_LOOP(0)
  for (int i = 0; i < n; i++)
    t = t + 0.001 * cos(t);
  CT_CHECKPOINT_LOOP(2)
  for (int i = 0; i < n / 2; i++)
    t = t * 0.999 + 0.001 * s[0];
  return t;
}

typedef struct { double k; int n; double (*f)(const double *, double, int); } PendCtx;
static double pend_fd(double *x, void *c) {
  PendCtx *p = c;
  return p->f(x, p->k, p->n);
}
typedef struct { int n; } BodyCtx;
static double body_fd(double *x, void *c) {
  BodyCtx *b = c;
  return nbody_ckpt(x, b->n);
}
typedef struct { double kappa; int len, steps; } RelaxCtx;
static double relax_fd(double *x, void *c) {
  RelaxCtx *r = c;
  return relax_ckpt(x, r->kappa, r->len, r->steps);
}

int main(void) {
  setenv("CT_TAPE_BUDGET", "1M", 1); /* read at the first automatic loop */
  /* pendulum: checkpointed against the plain gradient and central differences
     (100,000 steps; 10,000 under valgrind, whose preload library names it) */
  const char *preload = getenv("LD_PRELOAD");
  const int PN = preload && strstr(preload, "vgpreload") ? 10000 : 100000;
  double s0[2] = {1.2, -0.3}, k = 9.81, d_ck[2] = {0}, d_plain[2] = {0}, dk_ck = 0, dk_plain = 0;
  ct_tape_reset_peak();
  ct_gradient(pend_ckpt, s0, d_ck, k, &dk_ck, PN);
  size_t peak_pend = ct_tape_peak_bytes();
  ct_gradient(pend_plain, s0, d_plain, k, &dk_plain, PN);
  PendCtx pc = {k, PN, pend_ckpt};
  CHECK_FD_GRADIENT("pendulum checkpointed", pend_fd, &pc, s0, 2, d_ck, 1e-6, 1e-6);
  for (int i = 0; i < 2; i++)
    CHECK_TOL(d_ck[i], d_plain[i], 1e-9);
  CHECK_TOL(dk_ck, dk_plain, 1e-9);
  double kp = k + 1e-6, km = k - 1e-6;
  CHECK_TOL(dk_ck, (pend_ckpt(s0, kp, PN) - pend_ckpt(s0, km, PN)) / 2e-6, 1e-6);

  /* memory: ten times the steps, about the same checkpointed tape; the plain one grows tenfold */
  double e_ck[2] = {0}, e_pl[2] = {0}, ek = 0;
  ct_tape_reset_peak();
  ct_gradient(pend_ckpt, s0, e_ck, k, &ek, PN / 10);
  size_t peak_pend10 = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(pend_plain, s0, e_pl, k, &ek, PN / 10);
  size_t plain10 = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(pend_plain, s0, e_pl, k, &ek, PN);
  size_t plain = ct_tape_peak_bytes();
  if (!CHECK(peak_pend < 2 * peak_pend10) || !CHECK(plain > 8 * plain10) || !CHECK(peak_pend * 100 < plain) ||
      !CHECK(peak_pend < 64 * 1024))
    fprintf(stderr, "peak tape: checkpointed %zu (%d steps) %zu (%d steps); plain %zu, %zu\n", peak_pend, PN,
            peak_pend10, PN / 10, plain, plain10);

  /* n-body: 100,000 steps, gradient of the final state's measure in the initial positions */
  double x0[3 * NB] = {1.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.5, 0.2}, dx[3 * NB] = {0};
  ct_tape_reset_peak();
  ct_gradient(nbody_ckpt, x0, dx, PN);
  size_t peak_body = ct_tape_peak_bytes();
  BodyCtx bc = {PN};
  CHECK_FD_GRADIENT("n-body checkpointed", body_fd, &bc, x0, 3 * NB, dx, 1e-6, 1e-5);
  if (!CHECK(peak_body < 64 * 1024))
    fprintf(stderr, "n-body peak tape %zu\n", peak_body);

  /* heap buffer read by the next step */
  enum { LEN = 24, RS = 2000 };
  double u0[LEN], du[LEN] = {0};
  for (int j = 0; j < LEN; j++) u0[j] = sin(0.3 * j) + 0.5;
  double kappa = 0.2, dkappa = 0;
  ct_gradient(relax_ckpt, u0, du, kappa, &dkappa, LEN, RS);
  RelaxCtx rc = {kappa, LEN, RS};
  CHECK_FD_GRADIENT("heap relaxation checkpointed", relax_fd, &rc, u0, LEN, du, 1e-6, 1e-6);
  CHECK_TOL(dkappa, (relax_ckpt(u0, kappa + 1e-6, LEN, RS) - relax_ckpt(u0, kappa - 1e-6, LEN, RS)) / 2e-6, 1e-6);

  /* loops of 1 and 0 iterations */
  for (int steps = 1; steps >= 0; steps--) {
    double d1[LEN] = {0}, dk1 = 0;
    ct_gradient(relax_ckpt, u0, d1, kappa, &dk1, LEN, steps);
    RelaxCtx r1 = {kappa, LEN, steps};
    CHECK_FD_GRADIENT("heap relaxation, 1 and 0 steps", relax_fd, &r1, u0, LEN, d1, 1e-6, 1e-6);
  }
  /* a pullback applied twice, and forward mode, through the checkpointed loop */
  enum { QN = 3000 };
  ct_pullback_t pb;
  double d_pb[2] = {0}, d_once[2], d_q[2] = {0}, dk_pb = 0, dk_pb2 = 0, dk_q = 0;
  double v_pb = ct_value_with_pullback(pend_ckpt, &pb, s0, d_pb, k, QN);
  ct_pullback_apply(pb, 1.0, &dk_pb);
  d_once[0] = d_pb[0];
  d_once[1] = d_pb[1];
  ct_pullback_apply(pb, 2.0, &dk_pb2); /* adds twice the gradient into the same shadow */
  ct_pullback_free(pb);
  ct_gradient(pend_ckpt, s0, d_q, k, &dk_q, QN);
  CHECK_TOL(v_pb, pend_plain(s0, k, QN), 1e-12);
  for (int i = 0; i < 2; i++) {
    CHECK_TOL(d_once[i], d_q[i], 1e-12);
    CHECK_TOL(d_pb[i], 3.0 * d_q[i], 1e-12);
  }
  CHECK_TOL(dk_pb2, 2.0 * dk_q, 1e-12);
  CHECK_TOL(dk_pb, dk_q, 1e-12);
  double ds0[2] = {1.0, 0.0};
  CHECK_TOL(ct_derivative(pend_ckpt, s0, ds0, k, 0.0, QN), d_q[0], 1e-10);
  CHECK_TOL(ct_derivative(pend_ckpt, s0, (double[2]){0.0, 0.0}, k, 1.0, QN), dk_q, 1e-10);

  /* loop shapes */
  double d_up = 0, d_down = 0, d_inner = 0;
  ct_gradient(shape_up, 0.7, &d_up, 500);
  ct_gradient(shape_down, 0.5, &d_down, 400);
  ct_gradient(shape_inner, 0.7, &d_inner, 400);
  CHECK_TOL(d_up, (shape_up(0.7 + 1e-6, 500) - shape_up(0.7 - 1e-6, 500)) / 2e-6, 1e-6);
  CHECK_TOL(d_down, (shape_down(0.5 + 1e-6, 400) - shape_down(0.5 - 1e-6, 400)) / 2e-6, 1e-6);
  CHECK_TOL(d_inner, (shape_inner(0.7 + 1e-6, 400) - shape_inner(0.7 - 1e-6, 400)) / 2e-6, 1e-6);

  double d_sev = 0;
  ct_gradient(several, 0.5, &d_sev, 700);
  CHECK_TOL(d_sev, (several(0.5 + 1e-6, 700) - several(0.5 - 1e-6, 700)) / 2e-6, 1e-6);

  /* forward over reverse: H v against differences of the gradient */
  double hv[2] = {0}, dir[2] = {1.0, 0.5}, hk = 0, sp[2], sm[2], gp[2] = {0}, gm[2] = {0}, gk;
  ct_hessian_vector_product(pend_ckpt, s0, dir, hv, k, 0.0, &hk, QN);
  for (int i = 0; i < 2; i++) {
    sp[i] = s0[i] + 1e-5 * dir[i];
    sm[i] = s0[i] - 1e-5 * dir[i];
  }
  ct_gradient(pend_ckpt, sp, gp, k, &gk, QN);
  ct_gradient(pend_ckpt, sm, gm, k, &gk, QN);
  for (int i = 0; i < 2; i++)
    CHECK_TOL(hv[i], (gp[i] - gm[i]) / 2e-5, 1e-6);

  /* the tape budget: 1 MiB from the environment, then 256 KiB from the program */
  size_t peak_budget[3];
  int budget_steps[3] = {PN, 2000, PN};
  for (int t = 0; t < 3; t++) {
    if (t == 2)
      ct_set_tape_budget(256 * 1024);
    double d_b[2] = {0}, dk_b = 0;
    ct_tape_reset_peak();
    ct_gradient(pend_auto, s0, d_b, k, &dk_b, budget_steps[t]);
    peak_budget[t] = ct_tape_peak_bytes();
    PendCtx pa = {k, budget_steps[t], pend_auto};
    CHECK_FD_GRADIENT("pendulum under a tape budget", pend_fd, &pa, s0, 2, d_b, 1e-6, 1e-6);
    CHECK_TOL(dk_b, (pend_auto(s0, kp, budget_steps[t]) - pend_auto(s0, km, budget_steps[t])) / 2e-6, 1e-6);
  }
  if (!CHECK(peak_budget[0] < 1024 * 1024) || !CHECK(peak_budget[1] > 2000 * 64) ||
      !CHECK(peak_budget[1] < 1024 * 1024) || !CHECK(peak_budget[2] < 256 * 1024))
    fprintf(stderr, "peak tape under budgets: %zu (1 MiB, %d steps), %zu (1 MiB, 2000 steps), %zu (256 KiB)\n",
            peak_budget[0], PN, peak_budget[1], peak_budget[2]);
  ct_set_tape_budget(0);

  printf("peak tape under budgets: %zu (1 MiB, %d steps), %zu (1 MiB, 2000 steps, taped), %zu (256 KiB)\n",
         peak_budget[0], PN, peak_budget[1], peak_budget[2]);
  printf("peak tape: pendulum %zu bytes (%d steps, plain %zu), %zu (%d steps, plain %zu); n-body %zu\n", peak_pend, PN,
         plain, peak_pend10, PN / 10, plain10, peak_body);
  return check_summary("checkpoint_loops");
}
