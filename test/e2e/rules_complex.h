/* The complex rows of the derivative rule table (pass/rules.c): cexp,
 * clog, csqrt, cabs, carg (double, float) and the multiply/divide helpers
 * __muldc3, __divdc3 (double, float, long double), called directly so
 * that their rules run at finite points. Each rf_ function returns a real
 * loss P Re(w) + Q Im(w) of w = f(z) (cabs, carg: P |z|, P arg z); its gradient with
 * respect to the real and imaginary parts of z is conj(f'(z)) (P + iQ),
 * checked against that (errors relative to |f'| |P + iQ|, the size of the
 * terms) and, in double, against central differences. Included by
 * rules_special.h. */
#ifndef COTANGENT_TEST_E2E_RULES_COMPLEX_H
#define COTANGENT_TEST_E2E_RULES_COMPLEX_H

#include <complex.h>

/* glibc defines CMPLX for GCC only */
#define RT_CMPLX(a, b) __builtin_complex((double)(a), (double)(b))
#define RT_CMPLXF(a, b) __builtin_complex((float)(a), (float)(b))
#define RT_P 0.75
#define RT_Q (-1.25)

/* compiler-rt's (libgcc's) helpers, which clang calls for z * w and z / w */
double _Complex __muldc3(double, double, double, double);
float _Complex __mulsc3(float, float, float, float);
long double _Complex __mulxc3(long double, long double, long double, long double);
double _Complex __divdc3(double, double, double, double);
float _Complex __divsc3(float, float, float, float);
long double _Complex __divxc3(long double, long double, long double, long double);

#define RT_LOSS(w) (RT_P * creal(w) + RT_Q * cimag(w))
#define RT_LOSSF(w) ((float)RT_P * crealf(w) + (float)RT_Q * cimagf(w))
/* long double: creall and cimagl take their argument in memory (and are
   not in the rule table): the GNU operators */
#define RT_LOSSL(w) (RT_P * __real__(w) + RT_Q * __imag__(w))

static double rf_cexp_d(double a, double b) { return RT_LOSS(cexp(RT_CMPLX(a, b))); }
static float rf_cexp_f(float a, float b) { return RT_LOSSF(cexpf(RT_CMPLXF(a, b))); }
static double rf_clog_d(double a, double b) { return RT_LOSS(clog(RT_CMPLX(a, b))); }
static float rf_clog_f(float a, float b) { return RT_LOSSF(clogf(RT_CMPLXF(a, b))); }
static double rf_csqrt_d(double a, double b) { return RT_LOSS(csqrt(RT_CMPLX(a, b))); }
static float rf_csqrt_f(float a, float b) { return RT_LOSSF(csqrtf(RT_CMPLXF(a, b))); }
static double rf_cabs_d(double a, double b) { return RT_P * cabs(RT_CMPLX(a, b)); }
/* conj: w = conj(z), the loss P Re(w) + Q Im(w) = P a - Q b */
static double rf_conj_d(double a, double b) { return RT_LOSS(conj(RT_CMPLX(a, b))); }
static float rf_conj_f(float a, float b) { return RT_LOSSF(conjf(RT_CMPLXF(a, b))); }
static float rf_cabs_f(float a, float b) { return (float)RT_P * cabsf(RT_CMPLXF(a, b)); }
static double rf_carg_d(double a, double b) { return RT_P * carg(RT_CMPLX(a, b)); }
static float rf_carg_f(float a, float b) { return (float)RT_P * cargf(RT_CMPLXF(a, b)); }

static double rf_muldc3_d(double a, double b, double c, double d) { return RT_LOSS(__muldc3(a, b, c, d)); }
static float rf_muldc3_f(float a, float b, float c, float d) { return RT_LOSSF(__mulsc3(a, b, c, d)); }
static long double rf_muldc3_l(long double a, long double b, long double c, long double d) {
  return RT_LOSSL(__mulxc3(a, b, c, d));
}
static double rf_divdc3_d(double a, double b, double c, double d) { return RT_LOSS(__divdc3(a, b, c, d)); }
static float rf_divdc3_f(float a, float b, float c, float d) { return RT_LOSSF(__divsc3(a, b, c, d)); }
static long double rf_divdc3_l(long double a, long double b, long double c, long double d) {
  return RT_LOSSL(__divxc3(a, b, c, d));
}

/* got against want (a complex adjoint) with errors relative to `scale` */
static void rt_check_c(int line, const char *what, const char *name, double complex z, double got_re,
                       double got_im, double complex want, double scale, double tol) {
  char expr[200];
  snprintf(expr, sizeof expr, "%s (real part) of %s at z = %.17g%+.17gi", what, name, creal(z), cimag(z));
  check_scaled("rules_complex.h", line, expr, got_re, creal(want), scale, tol);
  snprintf(expr, sizeof expr, "%s (imaginary part) of %s at z = %.17g%+.17gi", what, name, creal(z), cimag(z));
  check_scaled("rules_complex.h", line, expr, got_im, cimag(want), scale, tol);
}

/* the unary functions' derivatives f'(z) (cabs: conj(z) / |z|, so that the
 * real gradient is P z / |z|; carg: -i / z, the gradient P i z / |z|^2) */
static double complex rt_dexp(double complex z) { return cexp(z); }
static double complex rt_dlog(double complex z) { return 1.0 / z; }
static double complex rt_dsqrt(double complex z) { return 0.5 / csqrt(z); }
static double complex rt_dabs(double complex z) { return cabs(z) == 0 ? 0.0 : conj(z) / cabs(z); }
static double complex rt_darg(double complex z) { return cabs(z) == 0 ? 0.0 : -I / z; }

#define RT_CUNARY(name)                                                                                 \
  static void rt_cunary_##name(double a, double b, double *da, double *db, float *daf, float *dbf) {    \
    ct_gradient(rf_##name##_d, a, da, b, db);                                                           \
    ct_gradient(rf_##name##_f, (float)a, daf, (float)b, dbf);                                           \
  }
RT_CUNARY(cexp)
RT_CUNARY(clog)
RT_CUNARY(csqrt)
RT_CUNARY(cabs)
RT_CUNARY(carg)

static void test_complex_unary(void) {
  static const struct {
    const char *name;
    double (*fd)(double, double);
    double complex (*deriv)(double complex);
    void (*grad)(double, double, double *, double *, float *, float *);
  } fns[] = {{"cexp", rf_cexp_d, rt_dexp, rt_cunary_cexp},
             {"clog", rf_clog_d, rt_dlog, rt_cunary_clog},
             {"csqrt", rf_csqrt_d, rt_dsqrt, rt_cunary_csqrt},
             {"cabs", rf_cabs_d, rt_dabs, rt_cunary_cabs},
             {"carg", rf_carg_d, rt_darg, rt_cunary_carg}};
  /* off the branch cut of clog and csqrt (the negative real axis) */
  static const rt_pair p[] = {{0.3, 0.7}, {-1.2, 0.5}, {2.0, -1.5}, {0.5, 0.0}, {-0.75, -2.25}, {1.5, 3.0}};
  const double complex s = RT_CMPLX(RT_P, RT_Q);
  for (unsigned f = 0; f < sizeof fns / sizeof fns[0]; ++f)
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
      double a = p[i].a, b = p[i].b, da = NAN, db = NAN;
      float daf = NAN, dbf = NAN;
      double complex z = RT_CMPLX(a, b), d = fns[f].deriv(z);
      int real = fns[f].grad == rt_cunary_cabs || fns[f].grad == rt_cunary_carg;
      double complex want = real ? RT_P * conj(d) : conj(d) * s;
      double scale = cabs(d) * (real ? RT_P : cabs(s));
      rt_fd c = {0, fns[f].fd, 0, {a, b, 0}, 0};
      rt_check_fd(__LINE__, "d/da", fns[f].name, &c, creal(want));
      c.k = 1;
      rt_check_fd(__LINE__, "d/db", fns[f].name, &c, cimag(want));
      fns[f].grad(a, b, &da, &db, &daf, &dbf);
      rt_check_c(__LINE__, "gradient", fns[f].name, z, da, db, want, scale, RT_TOL_D);
      /* float: at the float point, with float's rounding */
      double complex zf = RT_CMPLX((float)a, (float)b), df = fns[f].deriv(zf);
      double complex wantf = real ? RT_P * conj(df) : conj(df) * s;
      rt_check_c(__LINE__, "gradient (float)", fns[f].name, zf, daf, dbf, wantf, scale, 2e-6);
    }
  /* cabs at 0 (a kink): the zero subgradient, not 0/0 */
  double da = NAN, db = NAN;
  ct_gradient(rf_cabs_d, 0.0, &da, 0.0, &db);
  CHECK(da == 0 && db == 0);
  float daf = NAN, dbf = NAN;
  ct_gradient(rf_cabs_f, 0.0f, &daf, 0.0f, &dbf);
  CHECK(daf == 0 && dbf == 0);
  /* carg at 0: likewise */
  da = db = NAN;
  ct_gradient(rf_carg_d, 0.0, &da, 0.0, &db);
  CHECK(da == 0 && db == 0);
  daf = dbf = NAN;
  ct_gradient(rf_carg_f, 0.0f, &daf, 0.0f, &dbf);
  CHECK(daf == 0 && dbf == 0);
}

/* central differences of the 4-argument helpers, one argument at a time */
static double rt_c4[4];
static int rt_c4_mul;
static double rt_c4_eval(int k, double t) {
  double p[4] = {rt_c4[0], rt_c4[1], rt_c4[2], rt_c4[3]};
  p[k] = t;
  return rt_c4_mul ? rf_muldc3_d(p[0], p[1], p[2], p[3]) : rf_divdc3_d(p[0], p[1], p[2], p[3]);
}
static double rt_c4_0(double t) { return rt_c4_eval(0, t); }
static double rt_c4_1(double t) { return rt_c4_eval(1, t); }
static double rt_c4_2(double t) { return rt_c4_eval(2, t); }
static double rt_c4_3(double t) { return rt_c4_eval(3, t); }

static void test_complex_binary(void) {
  static const double p[][4] = {{0.3, 0.7, -1.2, 0.5}, {2.0, -1.5, 0.25, 3.0}, {-0.5, 0.0, 1.5, -2.0},
                                {1.0, 1.0, 1.0, -1.0}, {0.0, 0.0, 2.0, 0.5}};
  double (*const fd[4])(double) = {rt_c4_0, rt_c4_1, rt_c4_2, rt_c4_3};
  const double complex s = RT_CMPLX(RT_P, RT_Q);
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i)
    for (int mul = 0; mul < 2; ++mul) {
      const char *name = mul ? "__muldc3" : "__divdc3";
      double complex z1 = RT_CMPLX(p[i][0], p[i][1]), z2 = RT_CMPLX(p[i][2], p[i][3]);
      /* w = z1 z2: dw/dz1 = z2, dw/dz2 = z1; w = z1 / z2: 1 / z2, -z1 / z2^2 */
      double complex d1 = mul ? z2 : 1.0 / z2, d2 = mul ? z1 : -z1 / (z2 * z2);
      double complex w1 = conj(d1) * s, w2 = conj(d2) * s;
      double scale = (cabs(d1) + cabs(d2)) * cabs(s);
      double g[4] = {NAN, NAN, NAN, NAN}, want[4] = {creal(w1), cimag(w1), creal(w2), cimag(w2)};
      rt_c4_mul = mul;
      for (int k = 0; k < 4; ++k)
        rt_c4[k] = p[i][k];
      for (int k = 0; k < 4; ++k) {
        rt_fd c = {fd[k], 0, 0, {p[i][k], 0, 0}, 0};
        rt_check_fd(__LINE__, k < 2 ? "d/d(z1 parts)" : "d/d(z2 parts)", name, &c, want[k]);
      }
      if (mul)
        ct_gradient(rf_muldc3_d, p[i][0], &g[0], p[i][1], &g[1], p[i][2], &g[2], p[i][3], &g[3]);
      else
        ct_gradient(rf_divdc3_d, p[i][0], &g[0], p[i][1], &g[1], p[i][2], &g[2], p[i][3], &g[3]);
      rt_check_c(__LINE__, "gradient for z1", name, z1, g[0], g[1], w1, scale, RT_TOL_D);
      rt_check_c(__LINE__, "gradient for z2", name, z2, g[2], g[3], w2, scale, RT_TOL_D);
      float h[4] = {NAN, NAN, NAN, NAN}, q[4];
      for (int k = 0; k < 4; ++k)
        q[k] = (float)p[i][k];
      if (mul)
        ct_gradient(rf_muldc3_f, q[0], &h[0], q[1], &h[1], q[2], &h[2], q[3], &h[3]);
      else
        ct_gradient(rf_divdc3_f, q[0], &h[0], q[1], &h[1], q[2], &h[2], q[3], &h[3]);
      rt_check_c(__LINE__, "gradient for z1 (float)", name, z1, h[0], h[1], w1, scale, 2e-6);
      rt_check_c(__LINE__, "gradient for z2 (float)", name, z2, h[2], h[3], w2, scale, 2e-6);
      long double l[4] = {NAN, NAN, NAN, NAN};
      if (mul)
        ct_gradient(rf_muldc3_l, (long double)p[i][0], &l[0], (long double)p[i][1], &l[1], (long double)p[i][2],
                    &l[2], (long double)p[i][3], &l[3]);
      else
        ct_gradient(rf_divdc3_l, (long double)p[i][0], &l[0], (long double)p[i][1], &l[1], (long double)p[i][2],
                    &l[2], (long double)p[i][3], &l[3]);
      if (!rt_long_double_exact())
        continue;
      rt_check_c(__LINE__, "gradient for z1 (long double)", name, z1, (double)l[0], (double)l[1], w1, scale,
                 RT_TOL_L);
      rt_check_c(__LINE__, "gradient for z2 (long double)", name, z2, (double)l[2], (double)l[3], w2, scale,
                 RT_TOL_L);
    }
}

/* creal and cimag (calls with -fno-builtin) and conj */
static void test_complex_parts(void) {
  static const rt_pair p[] = {{0.3, 0.7}, {-1.2, 0.0}, {0.0, -2.5}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double da = NAN, db = NAN;
    float daf = NAN, dbf = NAN;
    ct_gradient(rf_conj_d, p[i].a, &da, p[i].b, &db);
    CHECK(da == RT_P && db == -RT_Q);
    ct_gradient(rf_conj_f, (float)p[i].a, &daf, (float)p[i].b, &dbf);
    CHECK(daf == (float)RT_P && dbf == (float)-RT_Q);
  }
}

static void rules_complex_run(void) {
  test_complex_parts();
  test_complex_unary();
  test_complex_binary();
}

#endif
