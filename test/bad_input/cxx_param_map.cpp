// Parameters held by name in a std::unordered_map<std::string, double>,
// passed by pointer with a shadow map (a copy with zeroed values: the same
// keys, buckets and node layout): the values are active, the string keys
// (hashing, bcmp, std::string's members) carry no derivative. A correct
// tool differentiates it at every level (at -O0 it was rejected: past 64
// inlined calls, the library's small calls stayed calls).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <string>
#include <unordered_map>

using Params = std::unordered_map<std::string, double>;

static double loss(const Params *p, double x) { return p->at("a") * x * x + p->at("b") * x; }

int main() {
  Params p = {{"a", 2.0}, {"b", 3.0}};
  Params dp = p;
  for (auto &kv : dp)
    kv.second = 0;
  double dx = 0;
  ct_gradient(loss, &p, &dp, 1.5, &dx);
  CHECK_D(dp["a"], 1.5 * 1.5);
  CHECK_D(dp["b"], 1.5);
  CHECK_D(dx, 2 * 2.0 * 1.5 + 3.0);
  return check_summary("cxx_param_map");
}
