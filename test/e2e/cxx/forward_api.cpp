// cotangent.hpp's forward-mode operators: ct::derivative and
// ct::value_with_derivative on a function template's instance over an
// array (tangent array after the pointer), a free function of scalars
// (tangent values), a capturing lambda (closure held constant) and a
// functor, a member function with `this` and its tangent object, and an
// ODE integrator taking a lambda, differentiated along the initial value
// and the rate. Analytic directional derivatives (J v), and central
// differences for the integrator, at -O0..-O3, ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <vector>

#include "api_models.h"

int main() {
  std::vector<double> x = {0.3, 0.7, -1.1}, v = {1.0, -2.0, 0.5};
  double want = 0;
  for (int i = 0; i < 3; ++i)
    want += v[i] * (2 * x[i] * std::sin(x[i]) + x[i] * x[i] * std::cos(x[i]));
  CHECK_D(ct::derivative(model::energy<double>, x.data(), v.data(), 3), want);
  double t = 0;
  double e = ct::value_with_derivative(model::energy<double>, &t, x.data(), v.data(), 3);
  CHECK_D(e, model::energy(x.data(), 3));
  CHECK_D(t, want);

  /* d(x^2 y) along (1.5, -0.5) at (3, 2): 2xy 1.5 + x^2 (-0.5) */
  CHECK_D(ct::derivative(product, 3.0, 1.5, 2.0, -0.5), 12 * 1.5 - 9 * 0.5);
  double tp = 0;
  CHECK_D(ct::value_with_derivative(product, &tp, 3.0, 0.0, 2.0, 1.0), 18);
  CHECK_D(tp, 9);

  double k = 1.5;
  auto cubic = [k](double s) { return k * s * s * s; };
  CHECK_D(ct::derivative(cubic, 2.0, 1.0), 1.5 * 12);
  CHECK_D(ct::derivative([](double s, double u) { return std::exp(s) * u; }, 0.5, 2.0, ct_const(3.0)),
          2 * 3 * std::exp(0.5));

  Gaussian g = {0.25};
  double tg = 0;
  double gv = ct::value_with_derivative(g, &tg, 1.0, 1.0, 0.5, 0.0);
  CHECK_D(gv, std::exp(-0.75 * 0.75 / 0.5));
  CHECK_D(tg, -gv * 0.75 / 0.25);

  /* along w = (1, 0) (the tangent object) and x: 1 */
  Model m = {{2.0, 3.0}}, dm = {{1.0, 0.0}};
  CHECK_D(ct::derivative<&Model::loss>(&m, &dm, 0.5, 1.0), 0.5 + (2.0 + 2 * 3.0 * 0.5));
  double tm = 0;
  CHECK_D(ct::value_with_derivative<&Model::loss>(&tm, &m, &dm, 0.5, 0.0), 2.0 * 0.5 + 3.0 * 0.25);
  CHECK_D(tm, 0.5);

  /* the integrator along (y0, k) = (1, 0) and (0, 1), against central
     differences */
  double h = 1e-6, y0 = 0.8, rate = 1.2;
  CHECK_TOL(ct::derivative(decay, y0, 1.0, rate, 0.0), (decay(y0 + h, rate) - decay(y0 - h, rate)) / (2 * h), 1e-7);
  CHECK_TOL(ct::derivative(decay, y0, 0.0, rate, 1.0), (decay(y0, rate + h) - decay(y0, rate - h)) / (2 * h), 1e-7);
  return check_summary("forward_api");
}
