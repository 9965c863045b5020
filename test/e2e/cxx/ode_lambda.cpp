// An ODE integrator as C++ users write it: a classical RK4 function
// template taking the right-hand side as a callable (a lambda), over
// std::vector<double> states, with the stage vectors as temporaries. The
// objectives:
//   - predator-prey (Lotka-Volterra) whose lambda captures the four rate
//     parameters by reference (the differentiated arguments) and the
//     initial state; the loss is the squared distance of the final state
//     to observations at several times;
//   - a damped pendulum whose lambda captures a struct of parameters by
//     value (a copy inside the differentiated function), held in a class
//     template's member (System<F>) and called through it;
//   - the gradient of a capturing lambda itself through ct::gradient (the
//     closure held constant, the state and parameters as arguments).
// Gradients against central differences at -O0..-O3, ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <vector>

template <class F> void rk4_step(const F &f, double t, double h, std::vector<double> &y) {
  const size_t n = y.size();
  std::vector<double> k1 = f(t, y), tmp(n);
  for (size_t i = 0; i < n; ++i)
    tmp[i] = y[i] + 0.5 * h * k1[i];
  std::vector<double> k2 = f(t + 0.5 * h, tmp);
  for (size_t i = 0; i < n; ++i)
    tmp[i] = y[i] + 0.5 * h * k2[i];
  std::vector<double> k3 = f(t + 0.5 * h, tmp);
  for (size_t i = 0; i < n; ++i)
    tmp[i] = y[i] + h * k3[i];
  std::vector<double> k4 = f(t + h, tmp);
  for (size_t i = 0; i < n; ++i)
    y[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

template <class F> void integrate(const F &f, std::vector<double> &y, double t0, double t1, int steps) {
  double h = (t1 - t0) / steps;
  for (int s = 0; s < steps; ++s)
    rk4_step(f, t0 + s * h, h, y);
}

// predator-prey: theta = (alpha, beta, delta, gamma), observations at t = 1, 2, 3
static const double observed[3][2] = {{1.6, 0.9}, {1.1, 1.4}, {0.7, 1.0}};

static double lotka_volterra_loss(const double *theta, const double *y0) {
  const double &alpha = theta[0], &beta = theta[1], &delta = theta[2], &gamma = theta[3];
  auto rhs = [&](double, const std::vector<double> &y) {
    return std::vector<double>{alpha * y[0] - beta * y[0] * y[1], delta * y[0] * y[1] - gamma * y[1]};
  };
  std::vector<double> y(y0, y0 + 2);
  double loss = 0;
  for (int k = 0; k < 3; ++k) {
    integrate(rhs, y, k, k + 1, 20);
    for (int i = 0; i < 2; ++i)
      loss += (y[i] - observed[k][i]) * (y[i] - observed[k][i]);
  }
  return loss;
}

// a pendulum: the parameters captured by value, the right-hand side a
// member of a class template
struct PendulumParams {
  double length, damping, gravity;
};
template <class F> struct System {
  F rhs;
};
template <class F> System<F> make_system(F f) { return System<F>{f}; }

static double pendulum_energy(const double *p, double angle) {
  PendulumParams pp{p[0], p[1], 9.81};
  auto sys = make_system([pp](double, const std::vector<double> &y) {
    return std::vector<double>{y[1], -pp.gravity / pp.length * std::sin(y[0]) - pp.damping * y[1]};
  });
  std::vector<double> y{angle, 0.0};
  integrate(sys.rhs, y, 0.0, 2.0, 40);
  return 0.5 * y[1] * y[1] + pp.gravity / pp.length * (1 - std::cos(y[0]));
}

static double flat_lv(double *x, void *) { return lotka_volterra_loss(x, x + 4); }
static double flat_pendulum(double *x, void *) { return pendulum_energy(x, x[2]); }

int main() {
  double x[6] = {1.1, 0.4, 0.3, 0.9, 1.0, 1.0}, g[6] = {0};
  double v = ct::value_with_gradient(lotka_volterra_loss, x, g, x + 4, g + 4);
  CHECK_D(v, flat_lv(x, nullptr));
  CHECK_FD_GRADIENT("lotka_volterra_loss", flat_lv, nullptr, x, 6, g, 1e-6, 1e-6);

  double p[3] = {1.5, 0.2, 0.8}, dp[3] = {0};
  ct::gradient(pendulum_energy, p, dp, p[2], &dp[2]);
  CHECK_FD_GRADIENT("pendulum_energy", flat_pendulum, nullptr, p, 3, dp, 1e-6, 1e-6);

  // a capturing lambda differentiated directly: its closure (the step
  // count and the step's scale) is constant
  int steps = 10;
  double scale = 0.5;
  auto decay = [steps, scale](double k, double y0) {
    auto rhs = [k](double, const std::vector<double> &y) { return std::vector<double>{-k * y[0]}; };
    std::vector<double> y{y0};
    integrate(rhs, y, 0.0, scale, steps);
    return y[0];
  };
  double dk = 0, dy0 = 0;
  ct::gradient(decay, 0.7, &dk, 2.0, &dy0);
  // RK4 on y' = -k y: y1 = y0 (1 - z + z^2/2 - z^3/6 + z^4/24)^steps, z = k h
  double h = scale / steps, z = 0.7 * h, q = 1 - z + z * z / 2 - z * z * z / 6 + z * z * z * z / 24;
  double dq = (-1 + z - z * z / 2 + z * z * z / 6) * h;
  CHECK_D(dy0, std::pow(q, steps));
  CHECK_D(dk, 2.0 * steps * std::pow(q, steps - 1) * dq);
  return check_summary("cxx/ode_lambda");
}
