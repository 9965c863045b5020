// C++ compiled with exceptions on (the default): differentiated code that
// calls functions which may throw, with locals whose destructors run on
// the unwind path (invokes with cleanup landing pads), is differentiated
// along its normal path; an operator call that the caller invokes (a
// try block, locals with destructors) keeps its handlers: an exception
// thrown inside the gradient reaches the caller's catch. Analytic checks
// at -O0..-O3 (valgrind too); under ASan the throwing case is left out
// (the gradient's tape is not freed when an exception leaves it, as the
// README says).
/* run.sh: needs exceptions */
#include "../check.h"

#include <cotangent.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

struct Counter {
  int *hits;
  explicit Counter(int *h) : hits(h) {}
  ~Counter() { ++*hits; }
};

static int destructions = 0;

__attribute__((noinline)) static double checked_sqrt(double x) {
  if (x < 0)
    throw std::domain_error("checked_sqrt of a negative number");
  return std::sqrt(x);
}

// a local with a destructor around calls that may throw
static double norms(const double *x, int n) {
  Counter c(&destructions);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += checked_sqrt(x[i] * x[i] + 1.0) * x[i];
  return s;
}

static double sqrt_sum(const double *x, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += checked_sqrt(x[i]);
  return s;
}

// the operator call inside a try, with a std::vector and a std::string
// alive around it (the call is an invoke)
static bool gradient_or_report(std::vector<double> &x, std::vector<double> &dx, std::string &why) {
  std::string label = "sqrt_sum";
  try {
    ct_gradient(sqrt_sum, x.data(), dx.data(), (int)x.size());
    return true;
  } catch (const std::domain_error &e) {
    why = label + ": " + e.what();
    return false;
  }
}

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

int main() {
  double x[3] = {0.5, -1.25, 2.0}, dx[3] = {0, 0, 0};
  ct_gradient(norms, x, dx, 3);
  for (int i = 0; i < 3; ++i) {
    double r = std::sqrt(x[i] * x[i] + 1.0);
    CHECK_D(dx[i], r + x[i] * x[i] / r);
  }
  CHECK(destructions >= 1);

  std::vector<double> y = {0.25, 4.0, 9.0}, dy(3, 0.0);
  std::string why;
  CHECK(gradient_or_report(y, dy, why));
  for (int i = 0; i < 3; ++i)
    CHECK_D(dy[i], 0.5 / std::sqrt(y[i]));
  if (!UNDER_ASAN) {
    std::vector<double> bad = {1.0, -4.0}, dbad(2, 0.0);
    CHECK(!gradient_or_report(bad, dbad, why));
    CHECK(why == "sqrt_sum: checked_sqrt of a negative number");
  }
  return check_summary("cxx/exceptions");
}
