// The functions api.cpp and forward_api.cpp differentiate with
// cotangent.hpp's operators (reverse and forward mode): a function
// template over an array, a class with a const method, a functor, a free
// function of scalars, and an ODE integrator (a function template) taking
// a lambda right-hand side.
#ifndef COTANGENT_TEST_E2E_CXX_API_MODELS_H
#define COTANGENT_TEST_E2E_CXX_API_MODELS_H

#include <cmath>

namespace model {
template <typename T> T energy(const T *x, int n) {
  T s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * x[i] * std::sin(x[i]);
  return s;
}
} // namespace model

struct Model {
  double w[2];
  double loss(double x) const { return w[0] * x + w[1] * x * x; }
};

struct Gaussian {
  double mu;
  double operator()(double x, double s) const { return std::exp(-(x - mu) * (x - mu) / (2 * s * s)); }
};

static double product(double x, double y) { return x * x * y; }

template <class F> static double integrate(F rhs, double y0, double k, int steps) {
  double y = y0, h = 1.0 / steps;
  for (int i = 0; i < steps; ++i) {
    double k1 = rhs(y, k), k2 = rhs(y + 0.5 * h * k1, k);
    y += h * k2;
  }
  return y;
}

static double decay(double y0, double k) {
  return integrate([](double y, double rate) { return -rate * y * y + 0.1 * std::sin(y); }, y0, k, 50);
}

#endif
