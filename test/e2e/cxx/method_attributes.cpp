// [[ct::differentiable]] and [[ct::no_derivative]] on C++ member functions
// defined in another file (lib/oscillator_lib.cpp): the caller's gradient
// calls the gradients made there. The annotations' parameter indices count
// `this` (the IR's first parameter): a wrt list energy(x) names x, not the
// object, and a no_derivative parameter is the one written (before, the
// indices were off by one: energy's gradient took `this` for x, so dE/dx
// was 0; and attributes on methods defined inside their class, in a
// namespace, were not seen). Also a method differentiated directly with
// ct::gradient<&T::m> (`this` and its shadow first). Analytic checks at
// -O0..-O3.
/* run.sh sources: lib/oscillator_lib.cpp */
#include "../check.h"
#include "lib/oscillator.h"

#include <cotangent.hpp>

#include <cmath>

// a free function calling the methods, the object with a shadow
static double total(const phys::Oscillator *o, double x, const double *v, double dt) {
  return o->energy(x, v[0]) + o->dissipated(v, 3, dt) + o->observed(x, 0.25);
}

// a method of a class defined here, differentiated through cotangent.hpp
struct Pendulum {
  double length, mass;
  double potential(double theta) const { return mass * 9.81 * length * (1 - std::cos(theta)); }
};

int main() {
  phys::Oscillator o{2.0, 0.3}, dob{0, 0};
  double x = 0.7, dx = 0, v[3] = {0.5, -1.0, 2.0}, dv[3] = {0}, dt = 0.1, ddt = 0;
  ct_gradient(total, &o, &dob, x, &dx, v, dv, dt, &ddt);
  // energy: d/dx (0.5 k x^2 + 0.5 v0^2 x) = k x + 0.5 v0^2; v0 is constant there
  // observed: d/dx (k sin x + noise x) = k cos x + noise
  CHECK_D(dx, 2.0 * 0.7 + 0.5 * 0.25 + 2.0 * std::cos(0.7) + 0.25);
  for (int i = 0; i < 3; ++i) // dissipated: 2 c v_i dt
    CHECK_D(dv[i], 2 * 0.3 * v[i] * 0.1);
  CHECK_D(ddt, 0.3 * (0.25 + 1.0 + 4.0));
  // the object: energy's wrt list leaves k out (its 0.5 x^2 is not counted);
  // observed gives sin x, dissipated sum v_i^2 dt
  CHECK_D(dob.k, std::sin(0.7));
  CHECK_D(dob.c, (0.25 + 1.0 + 4.0) * 0.1);

  // `this` with a shadow: the object's fields get their derivatives
  phys::Oscillator d{0, 0};
  double dvs[3] = {0}, ddt2 = 0;
  ct::gradient<&phys::Oscillator::dissipated>(&o, &d, v, dvs, 3, dt, &ddt2);
  CHECK_D(d.c, (0.25 + 1.0 + 4.0) * 0.1);
  CHECK_D(d.k, 0.0);
  CHECK_D(dvs[2], 2 * 0.3 * 2.0 * 0.1);
  CHECK_D(ddt2, 0.3 * 5.25);

  Pendulum p{1.5, 0.4}, dp{0, 0};
  double dth = 0;
  ct::gradient<&Pendulum::potential>(&p, &dp, 0.3, &dth);
  CHECK_D(dth, 0.4 * 9.81 * 1.5 * std::sin(0.3));
  CHECK_D(dp.length, 0.4 * 9.81 * (1 - std::cos(0.3)));
  CHECK_D(dp.mass, 9.81 * 1.5 * (1 - std::cos(0.3)));
  return check_summary("cxx/method_attributes");
}
