// A std::unordered_map<std::string, double> of parameters read with
// operator[] and a string literal longer than a std::string's own buffer:
// the temporary key is an rvalue, so the map's (untaken) insertion path
// moves it into a new node, copying its characters or its capacity next to
// the node's double. The values are active, the keys not; a correct tool
// differentiates it at every level (at -O1..-O3 it was "copies memory
// whose element type Cotangent cannot deduce": the moved key's capacity, an
// integer in a union with the characters, was retyped as the node's double).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <string>
#include <unordered_map>

using Params = std::unordered_map<std::string, double>;

static double loss(Params *p, double x) { return (*p)["a_rather_long_parameter_name"] * x * x + (*p)["b"] * x; }

int main() {
  Params p = {{"a_rather_long_parameter_name", 2.0}, {"b", 3.0}};
  Params dp = p;
  for (auto &kv : dp)
    kv.second = 0;
  double dx = 0;
  ct_gradient(loss, &p, &dp, 1.5, &dx);
  CHECK_D(dp["a_rather_long_parameter_name"], 1.5 * 1.5);
  CHECK_D(dp["b"], 1.5);
  CHECK_D(dx, 2 * 2.0 * 1.5 + 3.0);
  CHECK(p.size() == 2);
  return check_summary("cxx_param_map_literal_key");
}
