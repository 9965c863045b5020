/* A long simulation: 3 gravitating bodies (softened, G = 1) integrated by
 * RK4 for many steps (100,000 at full size), loss = squared distance of
 * the final positions to targets; gradient in the initial positions,
 * velocities and masses. impl=plain tapes every step; impl=ckpt puts
 * CT_CHECKPOINT_LOOP(snaps) on the time loop (binomial checkpointing:
 * snaps snapshots of the state, steps run again in the reverse pass), so
 * the tape column shows the memory bound and the ratio its time;
 * impl=ckpt snaps=0 budget_kib=B: automatic snapshots under a tape budget
 * of B KiB (ct_set_tape_budget). impl=while: the same steps written as
 * `while (t < t_end) { step; t += dt; }` under CT_CHECKPOINT_LOOP(snaps)
 * (a trip count known only when the loop ends: counted in the forward
 * pass, run again from one snapshot on the binomial schedule).
 * Sizes (steps): 20 (check); 20,000 (quick); 100,000 (full). */
#include "bench.h"

#ifdef NO_GRADIENT /* plain clang, no runtime */
#undef CT_CHECKPOINT_LOOP
#define CT_CHECKPOINT_LOOP(snapshots)
#endif

#define NB 3
#define NS (6 * NB)

static void deriv(const double *s, const double *m, double *ds) {
  for (int i = 0; i < 3 * NB; i++) {
    ds[i] = s[3 * NB + i];
    ds[3 * NB + i] = 0.0;
  }
  for (int i = 0; i < NB; i++)
    for (int j = 0; j < NB; j++) {
      if (j == i)
        continue;
      double d[3], r2 = 0.01;
      for (int c = 0; c < 3; c++) {
        d[c] = s[3 * j + c] - s[3 * i + c];
        r2 += d[c] * d[c];
      }
      double inv3 = m[j] / (r2 * sqrt(r2));
      for (int c = 0; c < 3; c++)
        ds[3 * NB + 3 * i + c] += d[c] * inv3;
    }
}

#define RK4_STEP()                                                                                     \
  do {                                                                                                 \
    double k1[NS], k2[NS], k3[NS], k4[NS], tmp[NS];                                                    \
    deriv(s, m, k1);                                                                                   \
    for (int i = 0; i < NS; i++) tmp[i] = s[i] + 0.5 * dt * k1[i];                                     \
    deriv(tmp, m, k2);                                                                                 \
    for (int i = 0; i < NS; i++) tmp[i] = s[i] + 0.5 * dt * k2[i];                                     \
    deriv(tmp, m, k3);                                                                                 \
    for (int i = 0; i < NS; i++) tmp[i] = s[i] + dt * k3[i];                                           \
    deriv(tmp, m, k4);                                                                                 \
    for (int i = 0; i < NS; i++) s[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);       \
  } while (0)

static double loss_of(const double *s, const double *target) {
  double f = 0.0;
  for (int i = 0; i < 3 * NB; i++)
    f += (s[i] - target[i]) * (s[i] - target[i]);
  return f;
}

static double nbody_plain(const double p[static NS + NB], const double target[static 3 * NB], int steps, double dt) {
  double s[NS], m[NB];
  for (int i = 0; i < NS; i++) s[i] = p[i];
  for (int i = 0; i < NB; i++) m[i] = p[NS + i];
  for (int t = 0; t < steps; t++)
    RK4_STEP();
  return loss_of(s, target);
}

static double nbody_ckpt(const double p[static NS + NB], const double target[static 3 * NB], int steps, double dt,
                         int snaps) {
  double s[NS], m[NB];
  for (int i = 0; i < NS; i++) s[i] = p[i];
  for (int i = 0; i < NB; i++) m[i] = p[NS + i];
  CT_CHECKPOINT_LOOP(snaps)
  for (int t = 0; t < steps; t++)
    RK4_STEP();
  return loss_of(s, target);
}

static double nbody_while(const double p[static NS + NB], const double target[static 3 * NB], int steps, double dt,
                          int snaps) {
  double s[NS], m[NB];
  for (int i = 0; i < NS; i++) s[i] = p[i];
  for (int i = 0; i < NB; i++) m[i] = p[NS + i];
  double t = 0.0, t_end = (steps - 0.5) * dt;
  CT_CHECKPOINT_LOOP(snaps)
  while (t < t_end) {
    RK4_STEP();
    t += dt;
  }
  return loss_of(s, target);
}

static double *p, *dp, *target;
static int steps, snaps, ckpt; /* ckpt: 1 a checkpointed for loop, 2 the while loop */
static double dt;

static double loss(void) {
  return ckpt == 2 ? nbody_while(p, target, steps, dt, snaps)
         : ckpt    ? nbody_ckpt(p, target, steps, dt, snaps)
                   : nbody_plain(p, target, steps, dt);
}
static double value(int out) {
  (void)out;
  return loss();
}
static double grad_into(double *g) {
#ifdef NO_GRADIENT
  (void)g;
  return 0;
#else
  memset(g, 0, (NS + NB) * sizeof *g);
  if (ckpt == 2)
    return ct_value_with_gradient(nbody_while, p, g, ct_const(target), steps, ct_const(dt), snaps);
  if (ckpt)
    return ct_value_with_gradient(nbody_ckpt, p, g, ct_const(target), steps, ct_const(dt), snaps);
  return ct_value_with_gradient(nbody_plain, p, g, ct_const(target), steps, ct_const(dt));
#endif
}
static double gradient(int out, double *g) {
  (void)out;
  return grad_into(g);
}
static BENCH_NOINLINE void run_primal(void) { bench_sink = loss(); }
static BENCH_NOINLINE void run_gradient(void) { bench_sink = grad_into(dp); }

static void bench_setup(int check) {
  steps = check ? 20 : bench_arg_int("steps", 100, 20000, 100000);
  const char *impl = bench_arg_str("impl", "plain");
  ckpt = !strcmp(impl, "ckpt") ? 1 : !strcmp(impl, "while") ? 2 : 0;
  snaps = bench_arg_int("snaps", 16, 16, 16);
  int budget_kib = bench_arg_int("budget_kib", 0, 0, 0);
#ifndef NO_GRADIENT
  ct_set_tape_budget((size_t)budget_kib * 1024);
#endif
  dt = 1e-4;
  p = bench_alloc((NS + NB) * sizeof *p);
  dp = bench_alloc((NS + NB) * sizeof *dp);
  target = bench_alloc(3 * NB * sizeof *target);
  bench_seed(11);
  for (int i = 0; i < 3 * NB; i++) {
    p[i] = bench_range(-1, 1);
    p[3 * NB + i] = bench_range(-0.3, 0.3);
    target[i] = bench_range(-1, 1);
  }
  for (int i = 0; i < NB; i++)
    p[NS + i] = bench_range(0.5, 1.5);
  bench.n = NS + NB;
  bench.x = p;
  bench.nout = 1;
  bench.value = value;
  bench.gradient = gradient;
  bench.hand = NULL;
  bench.run_primal = run_primal;
  bench.run_gradient = run_gradient;
  bench.run_hand = NULL;
  snprintf(bench.size, sizeof bench.size, "steps=%d%s", steps, ckpt == 2 ? " while" : ckpt ? " ckpt" : "");
  if (ckpt && budget_kib)
    snprintf(bench.size + strlen(bench.size), sizeof bench.size - strlen(bench.size), " budget=%dK", budget_kib);
  else if (ckpt)
    snprintf(bench.size + strlen(bench.size), sizeof bench.size - strlen(bench.size), " snaps=%d", snaps);
}
static void bench_teardown(void) {
  free(p);
  free(dp);
  free(target);
}

BENCH_MAIN("nbody_long")
