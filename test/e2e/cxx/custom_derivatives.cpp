// Custom derivatives in C++: [[ct::derivative(f)]] and CT_DERIVATIVE(f)
// name f as written, and f's symbol is mangled (they were silently ignored
// before: the pass looked for a function named "cubic_root"). The targets
// here are solvers by bisection, through which no derivative flows (only
// comparisons decide x): without the pullback the gradient is zero. Each
// pullback uses the implicit function theorem. Shapes:
//   - a free function in a namespace, overloaded for float and double
//     (the pullback picks its overload by its parameters);
//   - a member function whose pullback is a member too (`this` and the
//     shadow object dself: the IR's parameter list, `this` first);
//   - a static member function;
//   - a member function whose pullback is a free function declared before
//     its definition ([[ct::derivative(&Tank::level)]], the object first);
//   - CT_DERIVATIVE(f) of cotangent.h on a free function.
// Gradients against central differences at -O0..-O3, ASan, valgrind and
// -fno-exceptions.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <vector>

namespace solver {
// the real root of x^3 + p x - q (p > 0) by bisection
template <class T> T bisect_cubic(T p, T q) {
  T lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) {
    T mid = (lo + hi) / 2;
    if (mid * mid * mid + p * mid - q > 0)
      hi = mid;
    else
      lo = mid;
  }
  return (lo + hi) / 2;
}
double cubic_root(double p, double q) { return bisect_cubic(p, q); }
float cubic_root(float p, float q) { return bisect_cubic(p, q); }

// x(p, q): 3x^2 dx + x dp + p dx = dq
[[ct::derivative(cubic_root)]] void cubic_root_pullback(double p, double q, double seed, double *dp, double *dq) {
  double x = cubic_root(p, q), fx = 3 * x * x + p;
  *dp += seed * -x / fx;
  *dq += seed / fx;
}
[[ct::derivative(cubic_root)]] void cubic_root_pullback(float p, float q, float seed, float *dp, float *dq) {
  float x = cubic_root(p, q), fx = 3 * x * x + p;
  *dp += seed * -x / fx;
  *dq += seed / fx;
}
} // namespace solver

// a cylinder-on-cone tank: the fluid level h for a volume v solves
// area * h + taper * h^2 = v
struct Tank {
  double area, taper;
  double level(double v) const {
    double lo = 0, hi = 100;
    for (int i = 0; i < 200; ++i) {
      double mid = (lo + hi) / 2;
      (area * mid + taper * mid * mid > v ? hi : lo) = mid;
    }
    return (lo + hi) / 2;
  }
  // F(h, area, taper, v) = area h + taper h^2 - v = 0
  [[ct::derivative(level)]] void level_pullback(double v, double seed, Tank *dself, double *dv) const {
    double h = level(v), fh = area + 2 * taper * h;
    if (dself) { // NULL where the tank is constant
      dself->area += seed * -h / fh;
      dself->taper += seed * -h * h / fh;
    }
    *dv += seed / fh;
  }
  // the positive root of s^2 = c by bisection, static
  static double side(double c) {
    double lo = 0, hi = c + 1;
    for (int i = 0; i < 200; ++i) {
      double mid = (lo + hi) / 2;
      (mid * mid > c ? hi : lo) = mid;
    }
    return (lo + hi) / 2;
  }
  [[ct::derivative(side)]] static void side_pullback(double c, double seed, double *dc) {
    *dc += seed / (2 * side(c));
  }
  double spill(double v) const; // level again, its pullback a free function
};

double Tank::spill(double v) const {
  double lo = 0, hi = 100;
  while (hi - lo > 1e-13) {
    double mid = (lo + hi) / 2;
    if (area * mid + taper * mid * mid > v)
      hi = mid;
    else
      lo = mid;
  }
  return (lo + hi) / 2;
}
void spill_pullback(const Tank *t, double v, double seed, Tank *dt, double *dv);
[[ct::derivative(&Tank::spill)]] void spill_pullback(const Tank *t, double v, double seed, Tank *dt, double *dv);
void spill_pullback_impl(const Tank *t, double v, double seed, Tank *dt, double *dv);

// CT_DERIVATIVE: the plain name of a free function
static double solve_exp(double a) { // x with x + e^x = a, by bisection
  double lo = -50, hi = 50;
  for (int i = 0; i < 200; ++i) {
    double mid = (lo + hi) / 2;
    (mid + std::exp(mid) > a ? hi : lo) = mid;
  }
  return (lo + hi) / 2;
}
CT_DERIVATIVE(solve_exp)
static void solve_exp_pullback(double a, double seed, double *da) { *da += seed / (1 + std::exp(solve_exp(a))); }

static double fit(const double *w, const std::vector<Tank> &tanks, const Tank *dummy) {
  (void)dummy;
  double loss = 0;
  for (size_t i = 0; i < tanks.size(); ++i) {
    double x = solver::cubic_root(w[0], w[1] * (double)(i + 1));
    double h = tanks[i].level(w[2] * x);
    loss += (h - 1.0) * (h - 1.0) + Tank::side(w[3] + h) + solve_exp(w[0] * h);
  }
  return loss;
}
static double flat_fit(double *w, void *ctx) { return fit(w, *(const std::vector<Tank> *)ctx, nullptr); }

static double tank_loss(const Tank *t, double v) { return t->level(v) * t->level(0.5 * v); }
static double flat_tank(double *x, void *) {
  Tank t{x[0], x[1]};
  return tank_loss(&t, x[2]);
}
static double spill_loss(const Tank *t, double v) { return std::sin(t->spill(v)); }
static double flat_spill(double *x, void *) {
  Tank t{x[0], x[1]};
  return spill_loss(&t, x[2]);
}

static float cubic_f(float p, float q) { return solver::cubic_root(p, q) * q; }

int main() {
  std::vector<Tank> tanks = {{2.0, 0.3}, {1.5, 0.5}, {3.0, 0.1}};
  double w[4] = {1.2, 0.8, 2.5, 0.4}, dw[4] = {0};
  ct::gradient(fit, w, dw, ct_const(&tanks), ct_const((const Tank *)nullptr));
  CHECK_FD_GRADIENT("fit", flat_fit, &tanks, w, 4, dw, 1e-6, 1e-6);

  Tank t{2.0, 0.3}, dt{0, 0};
  double x[3] = {2.0, 0.3, 5.0}, g[3] = {0};
  ct::gradient(tank_loss, &t, &dt, x[2], &g[2]);
  g[0] = dt.area, g[1] = dt.taper;
  CHECK_FD_GRADIENT("tank_loss", flat_tank, nullptr, x, 3, g, 1e-6, 1e-6);

  dt = Tank{0, 0};
  double gs[3] = {0};
  ct::gradient(spill_loss, &t, &dt, x[2], &gs[2]);
  gs[0] = dt.area, gs[1] = dt.taper;
  CHECK_FD_GRADIENT("spill_loss", flat_spill, nullptr, x, 3, gs, 1e-6, 1e-6);

  // float overload: x^3 + p x - q at p = 1, q = 2 (x = 1): dx/dq = 1/4
  float dp = 0, dq = 0;
  ct::gradient(cubic_f, 1.0f, &dp, 2.0f, &dq);
  CHECK_F(dp, 2.0f * -1.0f / 4.0f);
  CHECK_F(dq, 1.0f + 2.0f / 4.0f);
  return check_summary("cxx/custom_derivatives");
}

// the declared pullback's body, after its uses
void spill_pullback(const Tank *t, double v, double seed, Tank *dt, double *dv) {
  spill_pullback_impl(t, v, seed, dt, dv);
}
void spill_pullback_impl(const Tank *t, double v, double seed, Tank *dt, double *dv) {
  double h = t->spill(v), fh = t->area + 2 * t->taper * h;
  if (dt) {
    dt->area += seed * -h / fh;
    dt->taper += seed * -h * h / fh;
  }
  *dv += seed / fh;
}
