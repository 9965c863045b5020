// Capturing lambdas holding differentiable state, differentiated through
// ct::gradient / value_with_gradient / pullback with a shadow closure (a
// pointer to a closure of the same type, made by the same lambda from the
// shadow data, follows the lambda): derivatives w.r.t. what the lambda
// captures are added into what the shadow closure captures. Shapes: a
// factory lambda capturing a weight array by pointer; a lambda capturing a
// std::vector<double> of parameters by reference (a least-squares fit);
// a function object (a class with operator()) holding a pointer member;
// a std::function held constant. Before, every closure was held constant
// (the captured weights got no derivative; there was no way to pass a
// shadow closure). Gradients against central differences at -O0..-O3,
// ASan, valgrind and -fno-exceptions.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <functional>
#include <vector>

struct Poly { // a function object: sum_k c[k] x^k
  const double *c;
  int n;
  double operator()(double x) const {
    double s = 0;
    for (int k = n - 1; k >= 0; --k)
      s = s * x + c[k];
    return s;
  }
};

static const double ts[5] = {0.0, 0.5, 1.0, 1.5, 2.0}, ys[5] = {1.0, 1.4, 2.1, 2.9, 4.2};

int main() {
  // a factory: the same lambda made from the weights and from their shadow
  auto make_soft = [](const double *w, int n) {
    return [w, n](double x) {
      double s = 0;
      for (int i = 0; i < n; ++i)
        s += std::log1p(std::exp(w[i] * x - i));
      return s;
    };
  };
  double w[3] = {0.5, -1.2, 2.0}, dw[3] = {0};
  auto soft = make_soft(w, 3), dsoft = make_soft(dw, 3);
  double dx = 0;
  ct::gradient(soft, &dsoft, 0.7, &dx);
  double xw[4] = {w[0], w[1], w[2], 0.7}, gw[4] = {dw[0], dw[1], dw[2], dx};
  auto flat_soft = [](double *v, void *) {
    double s = 0;
    for (int i = 0; i < 3; ++i)
      s += std::log1p(std::exp(v[i] * v[3] - i));
    return s;
  };
  CHECK_FD_GRADIENT("soft", +flat_soft, nullptr, xw, 4, gw, 1e-6, 1e-7);

  // parameters captured by reference: a least-squares fit of a*exp(b t)
  auto make_fit = [](std::vector<double> &theta) {
    return [&theta](const double *t, const double *y, int m) {
      double s = 0;
      for (int i = 0; i < m; ++i) {
        double r = theta[0] * std::exp(theta[1] * t[i]) - y[i];
        s += r * r;
      }
      return s;
    };
  };
  std::vector<double> theta = {0.9, 0.7}, dtheta(2);
  auto fit = make_fit(theta), dfit = make_fit(dtheta);
  double v = ct::value_with_gradient(fit, &dfit, ct_const(ts), ct_const(ys), 5);
  CHECK_D(v, fit(ts, ys, 5));
  auto flat_fit = [](double *p, void *) {
    double s = 0;
    for (int i = 0; i < 5; ++i) {
      double r = p[0] * std::exp(p[1] * ts[i]) - ys[i];
      s += r * r;
    }
    return s;
  };
  CHECK_FD_GRADIENT("fit", +flat_fit, nullptr, theta.data(), 2, dtheta.data(), 1e-6, 1e-7);

  // the fit's pullback, applied twice: the gradient doubles
  std::fill(dtheta.begin(), dtheta.end(), 0.0);
  {
    ct::Pullback pb = ct::pullback(fit, &dfit, ct_const(ts), ct_const(ys), 5);
    pb(1.0);
    pb(1.0);
  }
  for (double &d : dtheta)
    d /= 2;
  CHECK_FD_GRADIENT("fit pullback", +flat_fit, nullptr, theta.data(), 2, dtheta.data(), 1e-6, 1e-7);

  // a function object holding a pointer: its shadow object points to dc
  double c[4] = {1.0, -0.5, 0.25, 0.1}, dc[4] = {0};
  Poly p{c, 4}, dp{dc, 4};
  double dxp = 0;
  ct::gradient(p, &dp, 1.3, &dxp);
  for (int k = 0; k < 4; ++k)
    CHECK_D(dc[k], std::pow(1.3, k));
  CHECK_D(dxp, -0.5 + 2 * 0.25 * 1.3 + 3 * 0.1 * 1.3 * 1.3);

  // a std::function, held constant
  double k = 1.5;
  std::function<double(double)> sq = [k](double t) { return k * t * t; };
  double dt = 0;
  ct::gradient(sq, 2.0, &dt);
  CHECK_D(dt, 2 * 1.5 * 2.0);
  return check_summary("cxx/closure_state");
}
