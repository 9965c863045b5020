// [[ct::checkpoint]] (the frontend plugin's attribute) in C++: calls of the
// function are recomputed in the reverse pass like CT_CHECKPOINT's, so the
// gradient of 200 calls keeps one call's internals at a time: the gradient
// matches the plain one (and central differences) and the peak tape stays
// far below the plain gradient's (a reference to an array has a known
// size, as T p[static N] in C). A [[ct::checkpoint]] with arguments is an
// error (see checkpoint_attribute_args.cpp).
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>
#include <cmath>

static void drift(double (&s)[2], double dt) {
  for (int j = 0; j < 50; j++) {
    double a = s[0];
    s[0] += dt * s[1];
    s[1] -= dt * std::sin(a);
  }
}
[[ct::checkpoint]] static void drift_ckpt(double (&s)[2], double dt) { drift(s, dt); }

static double plain(double x, double y) {
  double s[2] = {x, y};
  for (int i = 0; i < 200; i++)
    drift(s, 0.001);
  return s[0] * s[1];
}
static double ckpt(double x, double y) {
  double s[2] = {x, y};
  for (int i = 0; i < 200; i++)
    drift_ckpt(s, 0.001);
  return s[0] * s[1];
}

int main() {
  double dx, dy, px, py, h = 1e-6;
  ct_tape_reset_peak();
  ct_gradient(plain, 0.3, &px, 0.7, &py);
  size_t peak_plain = ct_tape_peak_bytes();
  ct_tape_reset_peak();
  ct_gradient(ckpt, 0.3, &dx, 0.7, &dy);
  size_t peak_ckpt = ct_tape_peak_bytes();
  CHECK_TOL(dx, (plain(0.3 + h, 0.7) - plain(0.3 - h, 0.7)) / (2 * h), 1e-6);
  CHECK_TOL(dx, px, 1e-12);
  CHECK_TOL(dy, py, 1e-12);
  if (!CHECK(peak_ckpt * 8 < peak_plain))
    fprintf(stderr, "peak tape: plain %zu, checkpointed %zu\n", peak_plain, peak_ckpt);
  return check_summary("checkpoint_attribute_cxx");
}
