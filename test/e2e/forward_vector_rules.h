/* Every unary and binary real row of the derivative rule table (pass/rules.c)
 * in vector forward mode: ct_derivative_n with 3 directions per call
 * against rules_table.h's hand-written derivatives (checked against central
 * differences there), at the tables' points including their edge points
 * (kinks, ties, infinite derivatives): unary rows along 1, -2.5 and 0 (a
 * zero direction gives exactly zero, even at an infinite derivative; an
 * infinite tangent that a max or min does not select gives 0, not NaN),
 * binary rows along (1, 0), (0, 1) and (0.5, -2), and f(x, x) (both
 * operands sharing one tangent), in double and float.
 *
 * Included by forward_vector_rules_libm.c (-fno-builtin: libm calls) and
 * forward_vector_rules_intrinsics.c (-fno-math-errno: LLVM intrinsics). */
#ifndef COTANGENT_TEST_E2E_FORWARD_VECTOR_RULES_H
#define COTANGENT_TEST_E2E_FORWARD_VECTOR_RULES_H

#include <cotangent.h>

#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wunused-function"
#include "rules_table.h"
#pragma clang diagnostic pop

#define VEC_UNARY(name, body, deriv, pts)                                                               \
  static void vec_##name(void) {                                                                        \
    static const double p[] = pts;                                                                      \
    int edge = 0;                                                                                       \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i] == EDGE) {                                                                               \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double x = p[i], want = want_##name(x), d[3];                                                     \
      double v = ct_derivative_n(3, rf_##name##_d, d, x, 1.0, -2.5, 0.0);                              \
      RT_CHECK1("value", #name, x, v, rf_##name##_d(x), RT_TOL_D);                                      \
      RT_CHECK1("direction 1", #name, x, d[0], want, RT_TOL_D);                                         \
      if (!edge)                                                                                        \
        RT_CHECK1("direction -2.5", #name, x, d[1], -2.5 * want, RT_TOL_D);                             \
      CHECK(d[2] == 0.0); /* a zero direction gives zero */                                            \
      float xf = (float)x;                                                                              \
      ct_derivative_n(3, rf_##name##_f, d, xf, 1.0f, 0.0f, 1.0f);                                       \
      RT_CHECK1("direction 1 (float)", #name, xf, d[0], want_##name(xf), RT_TOL_F);                      \
      CHECK(d[1] == 0.0);                                                                               \
      RT_CHECK1("direction 1 again (float)", #name, xf, d[2], d[0], 0.0);                                \
    }                                                                                                   \
  }
UNARY_ROWS(VEC_UNARY)

#define VEC_BINARY(name, body, da_expr, db_expr, pairs, same)                                           \
  static void vec_##name(void) {                                                                        \
    static const rt_pair p[] = pairs;                                                                   \
    static const double s[] = same;                                                                     \
    int edge = 0;                                                                                       \
    for (unsigned i = 0; i < sizeof p / sizeof p[0]; ++i) {                                             \
      if (p[i].a == EDGE) {                                                                             \
        edge = 1;                                                                                       \
        continue;                                                                                       \
      }                                                                                                 \
      double a = p[i].a, b = p[i].b, wa = want_##name##_a(a, b), wb = want_##name##_b(a, b), d[3];      \
      double v = ct_derivative_n(3, rf_##name##_d, d, a, 1.0, 0.0, 0.5, b, 0.0, 1.0, -2.0);             \
      RT_CHECK2("value", #name, a, b, v, rf_##name##_d(a, b), RT_TOL_D);                                \
      RT_CHECK2("d/da", #name, a, b, d[0], wa, RT_TOL_D);                                               \
      RT_CHECK2("d/db", #name, a, b, d[1], wb, RT_TOL_D);                                               \
      if (!edge)                                                                                        \
        RT_CHECK2("J v", #name, a, b, d[2], 0.5 * wa - 2.0 * wb, RT_TOL_D);                             \
      float af = (float)a, bf = (float)b;                                                               \
      ct_derivative_n(3, rf_##name##_f, d, af, 1.0f, 0.0f, 0.0f, bf, 0.0f, 1.0f, 0.0f);                 \
      RT_CHECK2("d/da (float)", #name, af, bf, d[0], want_##name##_a(af, bf), RT_TOL_F);                \
      RT_CHECK2("d/db (float)", #name, af, bf, d[1], want_##name##_b(af, bf), RT_TOL_F);                \
      CHECK(d[2] == 0.0);                                                                               \
    }                                                                                                   \
    for (unsigned i = 0; i < sizeof s / sizeof s[0]; ++i) {                                             \
      if (s[i] == EDGE)                                                                                 \
        continue;                                                                                       \
      double x = s[i], want = want_##name##_a(x, x) + want_##name##_b(x, x), d[2];                      \
      ct_derivative_n(2, rf_##name##_xx_d, d, x, 1.0, 3.0);                                             \
      RT_CHECK1("d/dx f(x, x)", #name, x, d[0], want, RT_TOL_D);                                        \
      RT_CHECK1("d/dx f(x, x) along 3", #name, x, d[1], 3.0 * want, RT_TOL_D);                          \
    }                                                                                                   \
  }
BINARY_ROWS(VEC_BINARY)

#define RUN_VEC(name, ...) vec_##name();

static void forward_vector_rules_run(void) {
  UNARY_ROWS(RUN_VEC)
  BINARY_ROWS(RUN_VEC)
}

#endif
