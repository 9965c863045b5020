// cotangent.hpp, the C++ operators: ct::gradient / value_with_gradient on a
// function template's instance, a free function, lambdas (capturing and
// not, with ct_const), a member function with `this` and its shadow
// object, a functor; ct::Pullback (RAII, move-only) from ct::pullback and
// ct::value_with_pullback; an ODE integrator (a function template) taking a
// lambda right-hand side, differentiated w.r.t. the initial value and the
// rate, checked against central differences. Analytic checks otherwise,
// at -O0..-O3 (the wrappers are inlined first: at -O0 their parameters
// live in allocas), ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <utility>
#include <vector>

#include "api_models.h"

int main() {
  std::vector<double> x = {0.3, 0.7, -1.1}, dx(3, 0.0);
  ct::gradient(model::energy<double>, x.data(), dx.data(), 3);
  for (int i = 0; i < 3; ++i)
    CHECK_D(dx[i], 2 * x[i] * std::sin(x[i]) + x[i] * x[i] * std::cos(x[i]));

  double a = 0, b = 0;
  double v = ct::value_with_gradient(product, 3.0, &a, 2.0, &b);
  CHECK_D(v, 18);
  CHECK_D(a, 12);
  CHECK_D(b, 9);

  double k = 1.5, dl = 0;
  auto cubic = [k](double t) { return k * t * t * t; };
  ct::gradient(cubic, 2.0, &dl);
  CHECK_D(dl, 1.5 * 12);
  double de = 0;
  ct::gradient([](double t, double u) { return std::exp(t) * u; }, 0.5, &de, ct_const(3.0));
  CHECK_D(de, 3 * std::exp(0.5));

  Gaussian g = {0.25};
  double dgx = 0, dgs = 0;
  double gv = ct::value_with_gradient(g, 1.0, &dgx, 0.5, &dgs);
  CHECK_D(gv, std::exp(-0.75 * 0.75 / 0.5));
  CHECK_D(dgx, -gv * 0.75 / 0.25);
  CHECK_D(dgs, gv * 0.75 * 0.75 / 0.125);

  Model m = {{2.0, 3.0}}, dm = {{0, 0}};
  double dmx = 0;
  ct::gradient<&Model::loss>(&m, &dm, 1.5, &dmx);
  CHECK_D(dm.w[0], 1.5);
  CHECK_D(dm.w[1], 2.25);
  CHECK_D(dmx, 2 + 2 * 3 * 1.5);

  {
    ct::Pullback pb = ct::pullback(product, 3.0, 2.0);
    double p = 0, q = 0;
    pb(1.0, &p, &q);
    CHECK_D(p, 12);
    CHECK_D(q, 9);
    ct::Pullback moved = std::move(pb);
    CHECK(pb.get() == nullptr);
    moved(0.5, &p, &q);
    CHECK_D(p, 6);
    CHECK_D(q, 4.5);
  }
  auto [val, pb2] = ct::value_with_pullback(product, 1.0, 4.0);
  double p2 = 0, q2 = 0;
  pb2(2.0, &p2, &q2);
  CHECK_D(val, 4);
  CHECK_D(p2, 16);
  CHECK_D(q2, 2);

  double dy0 = 0, dk = 0, y0 = 0.8, rate = 0.6, h = 1e-6;
  ct::gradient(decay, y0, &dy0, rate, &dk);
  CHECK_TOL(dy0, (decay(y0 + h, rate) - decay(y0 - h, rate)) / (2 * h), 1e-7);
  CHECK_TOL(dk, (decay(y0, rate + h) - decay(y0, rate - h)) / (2 * h), 1e-7);
  return check_summary("cxx/api");
}
