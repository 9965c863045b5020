// Arguments in the shapes of modern C++ interfaces (C++20):
//   - std::array<double, N> by const reference and by value inside a
//     struct, with a shadow std::array;
//   - std::span<const double> / std::span<double> (a pointer and a size
//     passed by value: ct::gradient(f, xs, dxs) gives the span's data the
//     shadow span's data; ct_const(ws) holds one constant; the
//     differentiated function writes through an output span);
//   - a user class with private state, constructors, a member function
//     and a destructor, passed by reference with a shadow object of the
//     same type (copy-constructed and zeroed), alone and inside a
//     std::vector of them.
// Gradients against analytic values and central differences at -O0..-O3,
// ASan and valgrind.
/* run.sh flags: -std=c++20 */
#include "../check.h"

#include <cotangent.hpp>

#include <array>
#include <cmath>
#include <span>
#include <vector>

// ---- std::array ----
template <std::size_t N> double smooth_max(const std::array<double, N> &x, double temperature) {
  double m = x[0];
  for (double e : x)
    m = std::fmax(m, e);
  double s = 0;
  for (double e : x)
    s += std::exp((e - m) / temperature);
  return m + temperature * std::log(s);
}

struct Pose {
  std::array<double, 3> position;
  std::array<double, 4> quaternion; // w, x, y, z (not normalized)
};

// the rotated unit x axis, dotted with the position
static double pose_score(const Pose &p) {
  const auto &q = p.quaternion;
  double n2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  std::array<double, 3> axis = {(q[0] * q[0] + q[1] * q[1] - q[2] * q[2] - q[3] * q[3]) / n2,
                                2 * (q[1] * q[2] + q[0] * q[3]) / n2, 2 * (q[1] * q[3] - q[0] * q[2]) / n2};
  double s = 0;
  for (std::size_t i = 0; i < 3; ++i)
    s += axis[i] * p.position[i];
  return s;
}

// ---- std::span ----
// y = softplus(x) into the output span, returns the sum of squares of y
static double softplus_into(std::span<const double> x, std::span<double> y) {
  double s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    y[i] = std::log1p(std::exp(x[i]));
    s += y[i] * y[i];
  }
  return s;
}

static double weighted_dot(std::span<const double> a, std::span<const double> w) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    s += a[i] * a[i] * w[i];
  return s;
}

// ---- a user class by reference ----
class Spring {
public:
  Spring(double k, double rest) : k_(k), rest_(rest), scratch_(new double[2]) {}
  Spring(const Spring &o) : k_(o.k_), rest_(o.rest_), scratch_(new double[2]) {}
  Spring &operator=(const Spring &) = delete;
  ~Spring() { delete[] scratch_; }
  double energy(double length) const {
    scratch_[0] = length - rest_;
    scratch_[1] = 0.5 * k_ * scratch_[0] * scratch_[0];
    return scratch_[1];
  }
  double stiffness() const { return k_; }
  double rest() const { return rest_; }
  void zero() { // a shadow object: every double zeroed, the scratch too
    k_ = 0;
    rest_ = 0;
    scratch_[0] = scratch_[1] = 0;
  }

private:
  double k_, rest_;
  double *scratch_; // working memory owned by the object
};

static double chain_energy(const std::vector<Spring> &springs, const double *lengths) {
  double e = 0;
  for (std::size_t i = 0; i < springs.size(); ++i)
    e += springs[i].energy(lengths[i]) * (1 + 0.1 * (double)i);
  return e;
}

static double one_spring(const Spring &s, double length) { return s.energy(length) + s.stiffness() * s.rest(); }

static double flat_pose(double *v, void *) {
  Pose p{{v[0], v[1], v[2]}, {v[3], v[4], v[5], v[6]}};
  return pose_score(p);
}

int main() {
  std::array<double, 5> x = {0.3, -1.2, 0.8, 0.75, -0.1}, dx = {};
  double dt = 0;
  ct::gradient(smooth_max<5>, &x, &dx, 0.5, &dt);
  double m = 0.8, s = 0;
  for (double e : x)
    s += std::exp((e - m) / 0.5);
  for (std::size_t i = 0; i < 5; ++i)
    CHECK_D(dx[i], std::exp((x[i] - m) / 0.5) / s);
  double ds = 0; // d/dT: log s - sum (e - m) softmax / T
  for (double e : x)
    ds += (e - m) * std::exp((e - m) / 0.5) / s;
  CHECK_D(dt, std::log(s) - ds / 0.5);

  Pose p{{1.0, -0.5, 2.0}, {0.9, 0.1, -0.3, 0.2}}, dp{};
  ct::gradient(pose_score, &p, &dp);
  double v[7] = {1.0, -0.5, 2.0, 0.9, 0.1, -0.3, 0.2}, g[7];
  for (int i = 0; i < 3; ++i)
    g[i] = dp.position[i];
  for (int i = 0; i < 4; ++i)
    g[3 + i] = dp.quaternion[i];
  CHECK_FD_GRADIENT("pose_score", flat_pose, nullptr, v, 7, g, 1e-6, 1e-7);

  std::vector<double> xs = {0.5, -1.0, 2.0, 0.0}, dxs(4), ys(4), dys(4);
  std::span<const double> xspan(xs), dxspan(dxs);
  std::span<double> yspan(ys), dyspan(dys);
  ct::gradient(softplus_into, xspan, dxspan, yspan, dyspan);
  for (int i = 0; i < 4; ++i) {
    double y = std::log1p(std::exp(xs[i]));
    CHECK_D(ys[i], y);
    CHECK_D(dxs[i], 2 * y / (1 + std::exp(-xs[i])));
  }
  double ws[4] = {1, 2, 3, 4}, dws[4] = {0};
  std::fill(dxs.begin(), dxs.end(), 0.0);
  ct::gradient(weighted_dot, xspan, dxspan, std::span<const double>(ws), std::span<const double>(dws));
  for (int i = 0; i < 4; ++i) {
    CHECK_D(dxs[i], 2 * xs[i] * ws[i]);
    CHECK_D(dws[i], xs[i] * xs[i]);
  }
  std::fill(dxs.begin(), dxs.end(), 0.0); // the weights held constant
  double wd = ct::value_with_gradient(weighted_dot, xspan, dxspan, ct_const(std::span<const double>(ws)));
  CHECK_D(wd, weighted_dot(xs, ws));
  for (int i = 0; i < 4; ++i)
    CHECK_D(dxs[i], 2 * xs[i] * ws[i]);
  std::fill(dxs.begin(), dxs.end(), 0.0); // a pullback of spans, applied with seed 2
  {
    auto [pv, pb] = ct::value_with_pullback(weighted_dot, xspan, dxspan, ct_const(std::span<const double>(ws)));
    CHECK_D(pv, wd);
    pb(2.0);
  }
  for (int i = 0; i < 4; ++i)
    CHECK_D(dxs[i], 4 * xs[i] * ws[i]);

  Spring sp(3.0, 1.5), dsp(sp);
  dsp.zero();
  double dlen = 0;
  ct::gradient(one_spring, &sp, &dsp, 2.0, &dlen);
  CHECK_D(dlen, 3.0 * 0.5);
  CHECK_D(dsp.stiffness(), 0.5 * 0.25 + 1.5);
  CHECK_D(dsp.rest(), -3.0 * 0.5 + 3.0);

  std::vector<Spring> springs, dsprings;
  for (int i = 0; i < 3; ++i) {
    springs.emplace_back(1.0 + i, 0.5 * i);
    dsprings.emplace_back(springs.back());
  }
  for (Spring &d : dsprings) // after the growth, which copied them
    d.zero();
  double lengths[3] = {0.7, 1.1, 0.2}, dl[3] = {0};
  ct::gradient(chain_energy, &springs, &dsprings, lengths, dl);
  for (int i = 0; i < 3; ++i) {
    double c = 1 + 0.1 * i, k = 1.0 + i, d = lengths[i] - 0.5 * i;
    CHECK_D(dl[i], c * k * d);
    CHECK_D(dsprings[i].stiffness(), c * 0.5 * d * d);
    CHECK_D(dsprings[i].rest(), -c * k * d);
  }
  return check_summary("cxx/containers_by_reference");
}
