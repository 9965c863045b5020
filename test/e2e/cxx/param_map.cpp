// Parameters held by name in a std::unordered_map<std::string, double>, as
// configuration-driven C++ models hold them: the values are active, the
// string keys (hashing, comparisons, std::string's members) carry no
// derivative. The map is passed by reference with a shadow map (a copy
// with zeroed values: the same keys, buckets and node layout), alone and
// as a member of a model struct with a shadow struct. Lookups by at(),
// find() and operator[] (a non-const map: its insertion path, not taken,
// builds a node with a copy of the key), a range-for over every entry (an
// L2 penalty), keys built with std::string concatenation in a loop ("w0",
// "w1", ...) and a key longer than a string's own buffer. Gradients against central differences (each value
// nudged in a copy of the map) at -O0..-O3, ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

using Params = std::unordered_map<std::string, double>;

// a polynomial model of named coefficients, least squares over the data,
// plus a penalty on every parameter
static double poly_loss(const Params &p, const std::vector<double> &xs, const std::vector<double> &ys) {
  const double a = p.at("a"), b = p.at("b");
  auto c = p.find("c");
  double loss = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    double pred = a * xs[i] * xs[i] + b * std::sin(xs[i]) + c->second;
    loss += (pred - ys[i]) * (pred - ys[i]);
  }
  for (const auto &kv : p)
    loss += 0.01 * kv.second * kv.second;
  return loss;
}

struct Model {
  Params weights;
  int n;
};

// a weighted sum whose weights are looked up by generated names; a
// non-const map read with operator[]
static double model_energy(Model &m, const double *x) {
  double e = 0;
  for (int i = 0; i < m.n; ++i) {
    std::string key = "w" + std::to_string(i);
    e += m.weights[key] * std::exp(-x[i] * m.weights.at("scale_of_the_exponent"));
  }
  return e;
}

static Params zeroed(const Params &p) {
  Params z = p;
  for (auto &kv : z)
    kv.second = 0;
  return z;
}

struct FdPoly {
  Params p;
  std::vector<std::string> keys;
  std::vector<double> xs, ys;
};
static double flat_poly(double *v, void *ctx) {
  FdPoly &c = *(FdPoly *)ctx;
  Params q = c.p;
  for (size_t k = 0; k < c.keys.size(); ++k)
    q[c.keys[k]] = v[k];
  return poly_loss(q, c.xs, c.ys);
}

struct FdModel {
  Model m;
  std::vector<std::string> keys;
  const double *x;
};
static double flat_model(double *v, void *ctx) {
  FdModel &c = *(FdModel *)ctx;
  Model q = c.m;
  for (size_t k = 0; k < c.keys.size(); ++k)
    q.weights[c.keys[k]] = v[k];
  return model_energy(q, c.x);
}

int main() {
  FdPoly fp{{{"a", 0.5}, {"b", -1.2}, {"c", 0.3}, {"unused", 2.0}}, {}, {}, {}};
  for (int i = 0; i < 8; ++i) {
    fp.xs.push_back(0.25 * i - 0.5);
    fp.ys.push_back(std::cos(0.25 * i));
  }
  Params dp = zeroed(fp.p);
  ct::gradient(poly_loss, &fp.p, &dp, ct_const(&fp.xs), ct_const(&fp.ys));
  std::vector<double> v, g;
  for (const auto &kv : fp.p) {
    fp.keys.push_back(kv.first);
    v.push_back(kv.second);
    g.push_back(dp.at(kv.first));
  }
  CHECK(dp.size() == fp.p.size());
  CHECK_D(dp.at("unused"), 0.02 * 2.0);
  CHECK_FD_GRADIENT("poly_loss", flat_poly, &fp, v.data(), (int)v.size(), g.data(), 1e-6, 1e-6);

  double x[4] = {0.1, 0.7, -0.4, 1.2};
  FdModel fm{{{}, 4}, {}, x};
  for (int i = 0; i < 4; ++i)
    fm.m.weights["w" + std::to_string(i)] = 1.0 + 0.5 * i;
  fm.m.weights["scale_of_the_exponent"] = 0.8; // longer than a string's own buffer
  Model dm{zeroed(fm.m.weights), 4};
  double dx[4] = {0};
  ct::gradient(model_energy, &fm.m, &dm, x, dx);
  CHECK(dm.weights.size() == fm.m.weights.size()); // operator[] found every key
  std::vector<double> w, gw;
  for (const auto &kv : fm.m.weights) {
    fm.keys.push_back(kv.first);
    w.push_back(kv.second);
    gw.push_back(dm.weights.at(kv.first));
  }
  CHECK_FD_GRADIENT("model_energy", flat_model, &fm, w.data(), (int)w.size(), gw.data(), 1e-6, 1e-6);
  for (int i = 0; i < 4; ++i) { // d/dx_i: -w_i scale exp(-x_i scale)
    double wi = fm.m.weights["w" + std::to_string(i)], s = fm.m.weights["scale_of_the_exponent"];
    CHECK_D(dx[i], -wi * s * std::exp(-x[i] * s));
  }
  return check_summary("cxx/param_map");
}
