// Keys inserted into a shadowed std::unordered_map<std::string, double>
// inside the differentiated function: operator[] of a key the map does not
// hold (short keys, keys longer than a string's own buffer, enough of them
// to rehash), `+=` into a new entry, and a missing key read back as 0. The
// shadow map must mirror the primal's insertions: after the call it holds
// the same keys (the new nodes' key strings, lengths, cached hashes, the
// element and bucket counts), so that the adjoints of the parameters that
// existed before the call are found by key and the shadow map can be
// searched, iterated and destroyed (ASan, valgrind). Before the fix, the
// shadow nodes had no keys (their strings empty or null) and the shadow map
// kept its old size. Gradients of the old entries against central
// differences and analytic values at -O0..-O3; new entries have a zero
// adjoint (their values are made inside the function).
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <string>
#include <unordered_map>
#include <vector>

using Params = std::unordered_map<std::string, double>;

// a running statistic per feature name, kept in the parameter map (a
// configuration-driven model that records what it saw)
static double tally_loss(Params &p, const double *x, int n) {
  double loss = 0;
  for (int i = 0; i < n; ++i) {
    std::string key = "seen_feature_number_" + std::to_string(i); // longer than 15 characters
    p[key] += x[i] * x[i];
    p["s" + std::to_string(i)] = p.at("scale") * x[i]; // a short new key
    loss += p.at("weight") * p[key] + p["s" + std::to_string(i)];
  }
  loss += p["missing"] * p.at("weight"); // inserted as 0
  return loss * p.at("scale");
}

struct Fd {
  Params p;
  const double *x;
  int n;
};
static double flat(double *v, void *ctx) {
  Fd &c = *(Fd *)ctx;
  Params q = c.p;
  q["weight"] = v[0];
  q["scale"] = v[1];
  return tally_loss(q, c.x, c.n);
}

// 2 * 14 + 1 new keys: the map rehashes twice (13, 29, 59 buckets), the
// second time freeing a bucket array made inside the function; each
// rehash frees the shadow map's old bucket array too (leaked before the
// fix: ASan's leak check failed)
enum { N_KEYS = 14 };

int main() {
  const int n = N_KEYS;
  double x[n], dx[n] = {0};
  for (int i = 0; i < n; ++i)
    x[i] = 0.3 + 0.1 * i;
  Params p = {{"weight", 1.5}, {"scale", 0.7}, {"unused", 4.0}};
  Params dp = p;
  for (auto &kv : dp)
    kv.second = 0;
  Fd fd{p, x, n};
  ct::gradient(tally_loss, &p, &dp, x, dx, n);

  // the shadow map holds exactly the primal's keys
  CHECK(p.size() == (size_t)(3 + 2 * n + 1));
  CHECK(dp.size() == p.size());
  int found = 0;
  for (const auto &kv : p)
    found += dp.count(kv.first) == 1;
  CHECK(found == (int)p.size());
  CHECK(dp.count("seen_feature_number_" + std::to_string(n - 1)) == 1 && dp.count("s0") == 1 &&
        dp.count("missing") == 1);
  if (dp.size() != p.size() || found != (int)p.size())
    return check_summary("cxx/param_map_insert");

  // new entries: made inside the function, zero adjoint
  CHECK(dp.at("missing") == 0 && dp.at("s" + std::to_string(n - 1)) == 0 &&
        dp.at("seen_feature_number_" + std::to_string(n - 1)) == 0);
  // loss = scale * (sum_i (weight x_i^2 + scale x_i))
  double sx = 0, sxx = 0;
  for (int i = 0; i < n; ++i) {
    sx += x[i];
    sxx += x[i] * x[i];
  }
  const double w = 1.5, s = 0.7;
  CHECK_D(dp.at("weight"), s * sxx);
  CHECK_D(dp.at("scale"), w * sxx + 2 * s * sx);
  CHECK(dp.at("unused") == 0);
  for (int i = 0; i < n; ++i)
    CHECK_D(dx[i], s * (2 * w * x[i] + s));
  double v[2] = {1.5, 0.7}, g[2] = {dp.at("weight"), dp.at("scale")};
  CHECK_FD_GRADIENT("tally_loss", flat, &fd, v, 2, g, 1e-6, 1e-6);
  // the shadow map stays usable: a lookup, an insertion, an erase
  dp["after"] = 1;
  dp.erase("s1");
  CHECK(dp.size() == p.size());
  return check_summary("cxx/param_map_insert");
}
