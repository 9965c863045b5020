/* A damped oscillator whose member functions are differentiable in another
 * file (lib/oscillator_lib.cpp, compiled separately): [[ct::differentiable]]
 * on methods, with a wrt list naming a parameter after `this`, with
 * `this` differentiated, and a parameter without derivative. Used by
 * method_attributes.cpp. */
#ifndef COTANGENT_TEST_OSCILLATOR_H
#define COTANGENT_TEST_OSCILLATOR_H

#include <cotangent.h>

namespace phys {

struct Oscillator {
  double k, c; // stiffness, damping
  // only x: `this` (k, c) and v are constant in its gradient
  [[ct::differentiable(x)]] double energy(double x, double v) const;
  // this, v (its shadow) and dt differentiated
  [[ct::differentiable]] double dissipated(const double *v, int n, double dt) const;
  // every parameter but the noise level
  [[ct::differentiable]] double observed(double x, [[ct::no_derivative]] double noise) const;
};

} // namespace phys

#endif
