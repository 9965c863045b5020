// std::function inside the differentiated function: the call goes through
// the std::function's stored invoker, a function pointer loaded back from
// the object (met in a phi with the invoker's address itself, which has
// no shadow: "'phi' instruction merges pointers with and without a
// shadow" before). The objectives:
//   - an RK4 decay whose right-hand side is a std::function built inside
//     from a lambda capturing the rate by value;
//   - an integrator taking `const std::function<...> &` (not a template),
//     called with a lambda capturing the parameters by reference;
//   - a vector of std::function penalty terms built inside, each capturing
//     part of the parameters, summed by a helper.
// Gradients against analytic values and central differences at -O0..-O3,
// ASan, valgrind and -fno-exceptions.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <functional>
#include <vector>

static double decay(double k, double y0) {
  std::function<double(double)> rhs = [k](double y) { return -k * y; };
  double y = y0, h = 0.1;
  for (int s = 0; s < 5; ++s) {
    double k1 = rhs(y), k2 = rhs(y + 0.5 * h * k1), k3 = rhs(y + 0.5 * h * k2), k4 = rhs(y + h * k3);
    y += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return y;
}

using Rhs = std::function<void(double t, const double *y, double *dydt)>;

__attribute__((noinline)) static void euler(const Rhs &f, double *y, int n, double h, int steps) {
  std::vector<double> dydt(n);
  for (int s = 0; s < steps; ++s) {
    f(s * h, y, dydt.data());
    for (int i = 0; i < n; ++i)
      y[i] += h * dydt[i];
  }
}

// a damped oscillator: theta = (stiffness, damping)
static double oscillator_loss(const double *theta, const double *y0) {
  Rhs rhs = [&](double, const double *y, double *dydt) {
    dydt[0] = y[1];
    dydt[1] = -theta[0] * y[0] - theta[1] * y[1];
  };
  double y[2] = {y0[0], y0[1]};
  euler(rhs, y, 2, 0.05, 30);
  return y[0] * y[0] + 0.5 * y[1] * y[1];
}

static double sum_terms(const std::vector<std::function<double()>> &terms) {
  double s = 0;
  for (const auto &t : terms)
    s += t();
  return s;
}

static double penalized(const double *x, int n, double weight) {
  std::vector<std::function<double()>> terms;
  terms.push_back([=] {
    double s = 0;
    for (int i = 0; i < n; ++i)
      s += x[i] * x[i];
    return s;
  });
  terms.push_back([x, n, weight] {
    double s = 0;
    for (int i = 1; i < n; ++i)
      s += weight * std::sin(x[i] - x[i - 1]);
    return s;
  });
  return sum_terms(terms);
}

static double flat_osc(double *x, void *) { return oscillator_loss(x, x + 2); }
static double flat_pen(double *x, void *) { return penalized(x, 4, x[4]); }

int main() {
  double dk = 0, dy0 = 0;
  ct::gradient(decay, 0.7, &dk, 2.0, &dy0);
  /* RK4 on y' = -k y: y5 = y0 q^5, q = 1 - z + z^2/2 - z^3/6 + z^4/24, z = k h */
  double h = 0.1, z = 0.7 * h, q = 1 - z + z * z / 2 - z * z * z / 6 + z * z * z * z / 24;
  double dq = (-1 + z - z * z / 2 + z * z * z / 6) * h;
  CHECK_D(dy0, std::pow(q, 5));
  CHECK_D(dk, 2.0 * 5 * std::pow(q, 4) * dq);

  double x[4] = {2.0, 0.3, 1.0, -0.5}, g[4] = {0};
  double v = ct::value_with_gradient(oscillator_loss, x, g, x + 2, g + 2);
  CHECK_D(v, flat_osc(x, nullptr));
  CHECK_FD_GRADIENT("oscillator_loss", flat_osc, nullptr, x, 4, g, 1e-6, 1e-6);

  double p[5] = {0.4, -1.2, 0.7, 0.1, 0.8}, dp[5] = {0};
  ct::gradient(penalized, p, dp, 4, p[4], &dp[4]);
  CHECK_FD_GRADIENT("penalized", flat_pen, nullptr, p, 5, dp, 1e-6, 1e-6);
  return check_summary("cxx/std_function");
}
