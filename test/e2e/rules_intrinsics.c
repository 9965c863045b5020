/* Every row of the derivative rule table (pass/rules.c) on LLVM
 * intrinsics and instructions: the table of rules_table.h built with
 * -fno-math-errno, so that its libm calls become llvm.sin.f64,
 * llvm.exp10.f32, llvm.ldexp, frem, ... (the rows' intrinsic names), plus
 * rules_ir.ll for what C does not produce at -O0: select, llvm.minimum and
 * llvm.maximum (ties included), in double and float. */
/* run.sh flags: -fno-math-errno */
/* run.sh sources: rules_ir.ll */
#define _GNU_SOURCE /* exp10, roundeven */
#include "rules_table.h"

/* rules_ir.ll: each returns f's value and writes df/da, df/db (select:
 * k ? a : b, also with the condition from a comparison, a < b ? b : a) */
double rules_ir_select_d(int k, double a, double *da, double b, double *db);
float rules_ir_select_f(int k, float a, float *da, float b, float *db);
double rules_ir_select_cmp_d(double a, double *da, double b, double *db);
double rules_ir_minimum_d(double a, double *da, double b, double *db);
float rules_ir_minimum_f(float a, float *da, float b, float *db);
double rules_ir_maximum_d(double a, double *da, double b, double *db);
float rules_ir_maximum_f(float a, float *da, float b, float *db);
/* minimum(x, x), maximum(x, x): d/dx */
double rules_ir_minimum_xx_d(double x, double *dx);
float rules_ir_minimum_xx_f(float x, float *dx);
double rules_ir_maximum_xx_d(double x, double *dx);
float rules_ir_maximum_xx_f(float x, float *dx);

static void test_ir(void) {
  static const rt_pair p[] = {{1.5, -2.0}, {-0.25, 3.0}, {2.0, 2.0}, {0.0, -0.0}, {-0.0, 0.0}, {-1.0, -1.0}};
  for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {
    double a = p[i].a, b = p[i].b, da = NAN, db = NAN;
    float af = (float)a, bf = (float)b, daf = NAN, dbf = NAN;
    for (int k = 0; k < 2; ++k) {
      RT_CHECK2(k ? "value (k = 1)" : "value (k = 0)", "select", a, b, rules_ir_select_d(k, a, &da, b, &db),
                k ? a : b, RT_TOL_D);
      RT_CHECK2(k ? "d/da (k = 1)" : "d/da (k = 0)", "select", a, b, da, k ? 1.0 : 0.0, RT_TOL_D);
      RT_CHECK2(k ? "d/db (k = 1)" : "d/db (k = 0)", "select", a, b, db, k ? 0.0 : 1.0, RT_TOL_D);
      rules_ir_select_f(k, af, &daf, bf, &dbf);
      RT_CHECK2(k ? "d/da (float, k = 1)" : "d/da (float, k = 0)", "select", a, b, daf, k ? 1.0 : 0.0, RT_TOL_F);
      RT_CHECK2(k ? "d/db (float, k = 1)" : "d/db (float, k = 0)", "select", a, b, dbf, k ? 0.0 : 1.0, RT_TOL_F);
    }
    rules_ir_select_cmp_d(a, &da, b, &db);
    RT_CHECK2("d/da", "a < b ? b : a", a, b, da, a < b ? 0.0 : 1.0, RT_TOL_D);
    RT_CHECK2("d/db", "a < b ? b : a", a, b, db, a < b ? 1.0 : 0.0, RT_TOL_D);
    /* minimum/maximum order -0 below +0; at a tie (equal values, zeros of
     * either sign included) the first operand gets the adjoint */
    double lo = fmin(a, b), hi = fmax(a, b);
    int tie = a == b;
    RT_CHECK2("value", "llvm.minimum", a, b, rules_ir_minimum_d(a, &da, b, &db), lo, RT_TOL_D);
    RT_CHECK2("d/da", "llvm.minimum", a, b, da, tie || a < b ? 1.0 : 0.0, RT_TOL_D);
    RT_CHECK2("d/db", "llvm.minimum", a, b, db, tie || a < b ? 0.0 : 1.0, RT_TOL_D);
    RT_CHECK2("value", "llvm.maximum", a, b, rules_ir_maximum_d(a, &da, b, &db), hi, RT_TOL_D);
    RT_CHECK2("d/da", "llvm.maximum", a, b, da, tie || a > b ? 1.0 : 0.0, RT_TOL_D);
    RT_CHECK2("d/db", "llvm.maximum", a, b, db, tie || a > b ? 0.0 : 1.0, RT_TOL_D);
    rules_ir_minimum_f(af, &daf, bf, &dbf);
    RT_CHECK2("d/da (float)", "llvm.minimum", a, b, daf, tie || a < b ? 1.0 : 0.0, RT_TOL_F);
    RT_CHECK2("d/db (float)", "llvm.minimum", a, b, dbf, tie || a < b ? 0.0 : 1.0, RT_TOL_F);
    rules_ir_maximum_f(af, &daf, bf, &dbf);
    RT_CHECK2("d/da (float)", "llvm.maximum", a, b, daf, tie || a > b ? 1.0 : 0.0, RT_TOL_F);
    RT_CHECK2("d/db (float)", "llvm.maximum", a, b, dbf, tie || a > b ? 0.0 : 1.0, RT_TOL_F);
    /* one variable in both slots: d/dx = 1 */
    double dx = NAN;
    float dxf = NAN;
    rules_ir_minimum_xx_d(a, &dx);
    RT_CHECK1("d/dx minimum(x, x)", "llvm.minimum", a, dx, 1.0, RT_TOL_D);
    rules_ir_maximum_xx_d(a, &dx);
    RT_CHECK1("d/dx maximum(x, x)", "llvm.maximum", a, dx, 1.0, RT_TOL_D);
    rules_ir_minimum_xx_f(af, &dxf);
    RT_CHECK1("d/dx minimum(x, x) (float)", "llvm.minimum", a, dxf, 1.0, RT_TOL_F);
    rules_ir_maximum_xx_f(af, &dxf);
    RT_CHECK1("d/dx maximum(x, x) (float)", "llvm.maximum", a, dxf, 1.0, RT_TOL_F);
  }
}

int main(void) {
  rules_table_run();
  test_ir();
  return check_summary("rules_intrinsics");
}
