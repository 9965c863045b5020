/* The methods of phys::Oscillator (lib/oscillator.h), compiled on their own:
 * their gradients are made here, from the attributes, for the callers in
 * other files. */
#include "oscillator.h"

#include <cmath>

namespace phys {

double Oscillator::energy(double x, double v) const { return 0.5 * k * x * x + 0.5 * v * v * x; }

double Oscillator::dissipated(const double *v, int n, double dt) const {
  double e = 0;
  for (int i = 0; i < n; ++i)
    e += c * v[i] * v[i] * dt;
  return e;
}

double Oscillator::observed(double x, double noise) const { return k * std::sin(x) + noise * x; }

} // namespace phys
