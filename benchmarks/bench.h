/* bench.h: the harness shared by the benchmark programs (header only).
 *
 * A benchmark program defines
 *
 *   static void bench_setup(int check);   fill `bench` (below) for the small
 *                                         check instance (check = 1) or the
 *                                         timing instance (check = 0)
 *   static void bench_teardown(void);     free what bench_setup allocated
 *
 * and ends with BENCH_MAIN("name"). The harness then
 *
 *   1. sets up the check instance and compares, for every output, the
 *      gradient from Cotangent with central finite differences on a few
 *      parameters (and with the hand-written gradient, all components, when
 *      the benchmark has one); then, on the timing instance, output 0 on 4
 *      parameters (so that a gradient wrong only at the timed size cannot
 *      pass); a wrong gradient is a FAIL and nothing is timed;
 *   2. on the timing instance, measures the peak tape bytes of one
 *      gradient call, and times the primal, the value + gradient (Cotangent)
 *      and the hand-written gradient: a warm-up call, then batches of calls
 *      until the minimum total time has passed; it reports the minimum and
 *      the median time of one call;
 *   3. prints one line "BENCH {json}" on stdout (read by scripts/bench).
 *
 * A benchmark may also set bench.tangent and bench.run_tangent (forward
 * mode, ct_derivative): the directional derivative J v of an output is
 * checked against the checked gradient (J v = grad . v, along a fixed
 * direction v from bench_direction), and one directional derivative is
 * timed with the others ("tangent_min", "tangent_median").
 *
 * Compiled with -DNO_GRADIENT (plain clang, no plugin) the operator calls are
 * compiled out: only the primal can be timed (--primal-only), which gives
 * the compile time without differentiation and the primal speed without the
 * plugin.
 *
 * Options (argv): --mode smoke|quick|full  --min-time SECONDS
 *   --min-samples N (at least N samples, default 5)  --reps N
 *   (one warm-up call, then a fixed number of timed calls per measurement:
 *   --reps 1 is the smoke test's single repetition)  --primal-only  --no-hand
 *   --verbose  and KEY=VALUE pairs read by bench_arg_int/bench_arg_str
 *   (sizes, data files).
 */
#ifndef COTANGENT_BENCH_H
#define COTANGENT_BENCH_H

#define _POSIX_C_SOURCE 200809L
#include <cotangent.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef NO_GRADIENT
/* exported by libcotangent_rt (linked by cotangent-cc) */
size_t ct_runtime_peak_tape_bytes(void);
void ct_runtime_reset_peak_tape_bytes(void);
/* Enzyme's C ABI, which Cotangent also implements (benchmarks with an
 * abi=enzyme variant call their gradient through it) */
int enzyme_dup, enzyme_const;
void __enzyme_autodiff(void *, ...);
#endif

#define BENCH_NOINLINE __attribute__((noinline))
#define BENCH_API static __attribute__((unused))

typedef struct {
  /* ---- check instance ---- */
  int n;     /* number of parameters */
  double *x; /* the parameters (finite differences perturb x[i]) */
  int nout;  /* number of scalar outputs checked (1 for a scalar loss) */
  /* output `out` at the current x */
  double (*value)(int out);
  /* ADD Cotangent's gradient of output `out` into g[0..n) (zeroed by the
     harness); returns the value */
  double (*gradient)(int out, double *g);
  /* the same, hand-written; NULL when there is none */
  double (*hand)(int out, double *g);
  /* ---- timed calls (timing instance) ---- */
  void (*run_primal)(void);
  void (*run_gradient)(void); /* includes zeroing the shadows */
  void (*run_hand)(void);     /* NULL when there is none */
  /* forward mode (NULL when not measured): J v of output `out` along v
     (n entries), and one timed directional derivative */
  double (*tangent)(int out, const double *v);
  void (*run_tangent)(void);
  /* a short description of the timing instance, e.g. "n=100000" */
  char size[96];
} bench_t;

static bench_t bench;
static volatile double bench_sink;

static void bench_setup(int check);
static void bench_teardown(void);

/* ------------------------------------------------------------------ args */

static int bench_argc;
static char **bench_argv;
static const char *bench_mode = "quick";
static double bench_min_time = 0.2;
static int bench_min_samples = 5;
static int bench_reps;        /* > 0: fixed number of timed calls */
static int bench_primal_only; /* -DNO_GRADIENT binaries: primal only */
static int bench_no_hand;
static int bench_verbose;

/* KEY=VALUE from argv, or NULL */
BENCH_API const char *bench_arg_str(const char *key, const char *dflt) {
  size_t k = strlen(key);
  for (int i = 1; i < bench_argc; i++)
    if (strncmp(bench_argv[i], key, k) == 0 && bench_argv[i][k] == '=')
      return bench_argv[i] + k + 1;
  return dflt;
}

BENCH_API int bench_smoke(void) { return strcmp(bench_mode, "smoke") == 0; }
BENCH_API int bench_full(void) { return strcmp(bench_mode, "full") == 0; }

/* KEY=VALUE as an int; the default depends on the mode */
BENCH_API int bench_arg_int(const char *key, int smoke, int quick, int full) {
  const char *s = bench_arg_str(key, NULL);
  if (s)
    return atoi(s);
  return bench_smoke() ? smoke : bench_full() ? full : quick;
}

/* ----------------------------------------------------- deterministic data */

static uint64_t bench_rng_state = 0x9E3779B97F4A7C15ull;
BENCH_API void bench_seed(uint64_t s) { bench_rng_state = s * 0x9E3779B97F4A7C15ull + 1; }
/* uniform in [0, 1) (splitmix64) */
BENCH_API double bench_uniform(void) {
  uint64_t z = (bench_rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (double)(z >> 11) * 0x1.0p-53;
}
BENCH_API double bench_range(double lo, double hi) { return lo + (hi - lo) * bench_uniform(); }
BENCH_API double bench_normal(void) {
  double u = bench_uniform(), v = bench_uniform();
  return sqrt(-2.0 * log(1.0 - u)) * cos(6.283185307179586 * v);
}

/* stops with a message when a size given on the command line makes no sense */
BENCH_API void bench_require(int ok, const char *what) {
  if (!ok) {
    fprintf(stderr, "bench: %s\n", what);
    exit(2);
  }
}

/* abi=enzyme: the benchmark calls its gradient through Enzyme's C ABI
 * (__enzyme_autodiff) instead of ct_value_with_gradient */
BENCH_API int bench_enzyme_abi(void) {
  const char *abi = bench_arg_str("abi", "ct");
  bench_require(!strcmp(abi, "ct") || !strcmp(abi, "enzyme"), "abi= must be ct or enzyme");
  return !strcmp(abi, "enzyme");
}

/* A fixed direction for directional derivatives: v[i] in [-1, 1],
 * independent of the data's random stream. */
BENCH_API void bench_direction(double *v, int n) {
  for (int i = 0; i < n; i++)
    v[i] = sin(1.7 * i + 0.3);
}

BENCH_API void *bench_alloc(size_t bytes) {
  void *p = calloc(1, bytes ? bytes : 1);
  if (!p) {
    fprintf(stderr, "bench: out of memory (%zu bytes)\n", bytes);
    exit(2);
  }
  return p;
}

/* ------------------------------------------------------------------ check */

static char bench_fail[512];
static double bench_max_err; /* worst |ad - fd| / tolerance over checked components */
static int bench_checked_components;

static void bench_failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
BENCH_API void bench_failf(const char *fmt, ...) {
  if (bench_fail[0])
    return; /* keep the first */
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(bench_fail, sizeof bench_fail, fmt, ap);
  va_end(ap);
}

/* Checks outputs [0, nout) on the current instance with central
 * differences on up to ncomp components (all when there are at most
 * ncomp, else the ends and spread over the middle), and against the
 * hand-written gradient when hand is set. `where` prefixes messages. */
static int bench_check_some(int nout, int ncomp, int hand, const char *where) {
#ifdef NO_GRADIENT
  (void)nout, (void)ncomp, (void)hand, (void)where;
  return 1;
#else
  int n = bench.n;
  double *g = bench_alloc(n * sizeof *g), *gh = bench_alloc(n * sizeof *gh);
  for (int out = 0; out < nout; out++) {
    double f0 = bench.value(out);
    memset(g, 0, n * sizeof *g);
    double v = bench.gradient(out, g);
    if (!(fabs(v - f0) <= 1e-10 * fmax(1.0, fabs(f0))))
      bench_failf("%soutput %d: value %.17g from the gradient call, %.17g from the primal", where,
                  out, v, f0);
    double gmax = 0;
    for (int i = 0; i < n; i++) {
      if (!isfinite(g[i]))
        bench_failf("%soutput %d: d/dx[%d] = %g (not finite)", where, out, i, g[i]);
      gmax = fmax(gmax, fabs(g[i]));
    }
    /* central differences on a few components */
    int idx[16], m = 0;
    if (ncomp > 16)
      ncomp = 16;
    if (n <= ncomp)
      for (int i = 0; i < n; i++)
        idx[m++] = i;
    else
      for (int j = 0; j < ncomp; j++)
        idx[m++] = (int)((long long)j * (n - 1) / (ncomp - 1));
    for (int j = 0; j < m; j++) {
      int i = idx[j];
      double xi = bench.x[i];
      double h = 1e-5 * fmax(1.0, fabs(xi));
      double fd[2];
      for (int r = 0; r < 2; r++) {
        double hr = r ? h / 2 : h;
        bench.x[i] = xi + hr;
        double fp = bench.value(out);
        bench.x[i] = xi - hr;
        double fm = bench.value(out);
        bench.x[i] = xi;
        fd[r] = (fp - fm) / (2 * hr);
      }
      /* tolerance: relative, plus the finite differences' own error
         (estimated from two steps), plus their rounding error */
      double tol = 1e-5 * fmax(fabs(g[i]), fabs(fd[1])) + 4 * fabs(fd[0] - fd[1]) +
                   1e3 * DBL_EPSILON * fmax(1.0, fabs(f0)) / h + 1e-7 * gmax;
      double err = fabs(g[i] - fd[1]);
      if (!(err <= tol))
        bench_failf("%soutput %d: d/dx[%d]: Cotangent %.17g, finite differences %.17g", where, out, i,
                    g[i], fd[1]);
      double e = err / tol;
      if (e > bench_max_err || e != e)
        bench_max_err = e;
      bench_checked_components++;
    }
    /* forward mode: J v = grad . v */
    if (bench.tangent) {
      double *dir = bench_alloc(n * sizeof *dir), dot = 0, scale = 0;
      bench_direction(dir, n);
      for (int i = 0; i < n; i++) {
        dot += g[i] * dir[i];
        scale += fabs(g[i] * dir[i]);
      }
      double jv = bench.tangent(out, dir);
      if (!(fabs(jv - dot) <= 1e-9 * scale + 1e-300))
        bench_failf("%soutput %d: J v (forward mode) %.17g, gradient . v %.17g", where, out, jv, dot);
      free(dir);
    }
    /* the hand-written gradient, every component */
    if (hand && bench.hand) {
      memset(gh, 0, n * sizeof *gh);
      bench.hand(out, gh);
      double hmax = 0;
      for (int i = 0; i < n; i++)
        hmax = fmax(hmax, fabs(gh[i]));
      for (int i = 0; i < n; i++)
        if (!(fabs(g[i] - gh[i]) <= 1e-9 * fmax(hmax, 1e-300) + 1e-12 * fabs(gh[i])))
          bench_failf("%soutput %d: d/dx[%d]: Cotangent %.17g, hand-written %.17g", where, out, i,
                      g[i], gh[i]);
    }
  }
  free(g);
  free(gh);
  return bench_fail[0] == 0;
#endif
}

/* the check instance: every output, 16 components, the hand-written gradient */
static int bench_check(void) { return bench_check_some(bench.nout, 16, 1, ""); }

/* the timing instance, so that a gradient wrong only at the timed size
 * cannot pass: output 0, 4 components */
static int bench_check_timing(void) { return bench_check_some(1, 4, 0, "timing instance: "); }

/* ----------------------------------------------------------------- timing */

static double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static int bench_cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct {
  double min, median;
  long calls;
} bench_timing;

/* One timed function's samples (a sample = the mean time per call of a
   batch of calls long enough to be measured well). */
typedef struct {
  void (*fn)(void);
  long batch;
  double *s, total;
  int ns, cap;
  long calls;
} bench_series;

/* warm-up and calibration: a sample should last about min_time / 40 */
static long bench_calibrate(void (*fn)(void)) {
  double target = bench_min_time / 40, t0 = bench_now();
  fn();
  double one = bench_now() - t0;
  long batch = 1;
  while (one * batch < target && batch < (1L << 30)) {
    batch *= 2;
    t0 = bench_now();
    for (long b = 0; b < batch; b++)
      fn();
    one = (bench_now() - t0) / batch;
  }
  return batch;
}

static void bench_sample(bench_series *x) {
  double t0 = bench_now();
  for (long b = 0; b < x->batch; b++)
    x->fn();
  double dt = bench_now() - t0;
  x->total += dt;
  if (x->ns == x->cap) {
    x->cap = x->cap ? 2 * x->cap : 64;
    double *more = realloc(x->s, x->cap * sizeof *more);
    bench_require(more != NULL, "out of memory for the samples");
    x->s = more;
  }
  x->s[x->ns++] = dt / x->batch;
  x->calls += x->batch;
}

static bench_timing bench_summary(double *s, int ns, long calls) {
  qsort(s, ns, sizeof *s, bench_cmp);
  bench_timing t = {s[0], ns % 2 ? s[ns / 2] : 0.5 * (s[ns / 2 - 1] + s[ns / 2]), calls};
  free(s);
  return t;
}

/* Times the functions together: their samples alternate, so a machine
   whose speed drifts (other jobs, clock changes) slows all of them alike
   and their ratios stay meaningful. Per-call min and median of each. */
static void bench_time_all(void (*const *fns)(void), int n, bench_timing *out) {
  if (bench_reps > 0) { /* fixed repetitions of single calls (smoke runs) */
    for (int i = 0; i < n; i++) {
      fns[i](); /* warm-up */
      double *s = bench_alloc(bench_reps * sizeof *s);
      for (int r = 0; r < bench_reps; r++) {
        double t0 = bench_now();
        fns[i]();
        s[r] = bench_now() - t0;
      }
      out[i] = bench_summary(s, bench_reps, bench_reps);
    }
    return;
  }
  bench_series x[4] = {{0}};
  bench_require(n <= 4, "too many timed functions");
  for (int i = 0; i < n; i++) {
    x[i].fn = fns[i];
    x[i].batch = bench_calibrate(fns[i]);
  }
  for (int more = 1; more;) {
    more = 0;
    for (int i = 0; i < n; i++) {
      bench_sample(&x[i]);
      more |= x[i].total < bench_min_time || x[i].ns < bench_min_samples;
    }
  }
  for (int i = 0; i < n; i++)
    out[i] = bench_summary(x[i].s, x[i].ns, x[i].calls);
}

/* ------------------------------------------------------------------- main */

static void bench_json_str(const char *k, const char *v) {
  printf("\"%s\": \"", k);
  for (; *v; v++) {
    if (*v == '"' || *v == '\\')
      printf("\\%c", *v);
    else if ((unsigned char)*v < 0x20)
      printf(" ");
    else
      putchar(*v);
  }
  printf("\"");
}

static int bench_main(int argc, char **argv, const char *name) {
  bench_argc = argc;
  bench_argv = argv;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--mode") && i + 1 < argc)
      bench_mode = argv[++i];
    else if (!strcmp(argv[i], "--min-time") && i + 1 < argc)
      bench_min_time = atof(argv[++i]);
    else if (!strcmp(argv[i], "--min-samples") && i + 1 < argc)
      bench_min_samples = atoi(argv[++i]) > 0 ? atoi(argv[i]) : 1;
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc)
      bench_reps = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--primal-only"))
      bench_primal_only = 1;
    else if (!strcmp(argv[i], "--no-hand"))
      bench_no_hand = 1;
    else if (!strcmp(argv[i], "--verbose"))
      bench_verbose = 1;
    else if (!strchr(argv[i], '=')) {
      fprintf(stderr, "%s: unknown argument %s\n", argv[0], argv[i]);
      return 2;
    }
  }
#ifdef NO_GRADIENT
  bench_primal_only = 1;
#endif
  const char *label = bench_arg_str("name", name);
  int ok = 1;
  if (!bench_primal_only) {
    bench_setup(1);
    ok = bench_check();
    bench_teardown();
  }
  bench_setup(0);
  if (ok && !bench_primal_only)
    ok = bench_check_timing();
  if (bench_verbose && !bench_primal_only)
    fprintf(stderr, "%s: checked %d components, worst error/tolerance %.3g\n", label,
            bench_checked_components, bench_max_err);
  printf("BENCH {");
  bench_json_str("name", label);
  printf(", \"checked\": %s, \"mode\": \"%s\"", ok ? "true" : "false", bench_mode);
  if (!ok) {
    printf(", ");
    bench_json_str("fail", bench_fail);
    printf("}\n");
    fprintf(stderr, "%s: FAIL: %s\n", label, bench_fail);
    bench_teardown();
    return 1;
  }
  printf(", \"check_components\": %d, \"check_worst\": %.3g", bench_checked_components,
         bench_max_err);
  fflush(stdout);
  printf(", ");
  bench_json_str("size", bench.size);
  bench.run_primal();
  printf(", \"value\": %.17g", (double)bench_sink); /* what run_primal left */
  void (*fns[4])(void) = {bench.run_primal, NULL, NULL, NULL};
  int nfns = 1, hand_at = 0, tangent_at = 0;
  size_t tape = 0;
#ifndef NO_GRADIENT
  if (!bench_primal_only) {
    ct_runtime_reset_peak_tape_bytes();
    bench.run_gradient();
    tape = ct_runtime_peak_tape_bytes();
    fns[nfns++] = bench.run_gradient;
    if (bench.run_hand && !bench_no_hand)
      fns[hand_at = nfns++] = bench.run_hand;
    if (bench.run_tangent)
      fns[tangent_at = nfns++] = bench.run_tangent;
  }
#endif
  bench_timing t[4];
  bench_time_all(fns, nfns, t);
  printf(", \"primal_min\": %.6e, \"primal_median\": %.6e", t[0].min, t[0].median);
  if (nfns > 1)
    printf(", \"gradient_min\": %.6e, \"gradient_median\": %.6e, \"tape_bytes\": %zu", t[1].min,
           t[1].median, tape);
  if (hand_at)
    printf(", \"hand_min\": %.6e, \"hand_median\": %.6e", t[hand_at].min, t[hand_at].median);
  if (tangent_at)
    printf(", \"tangent_min\": %.6e, \"tangent_median\": %.6e", t[tangent_at].min, t[tangent_at].median);
  printf("}\n");
  bench_teardown();
  return 0;
}

#define BENCH_MAIN(name)                                                                           \
  int main(int argc, char **argv) { return bench_main(argc, argv, name); }

#endif
