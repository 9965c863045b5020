// A recursive helper with 71 parameters (70 doubles), called by the
// differentiated function: recursion keeps it a real call, which would be
// differentiated through its own gradient, limited to 64 parameters: an
// error at the call at -O0 (before: "call to 'h' has no derivative"); at -O2
// the recursion is unrolled and the gradient is right.
// f(x) = 2 x^2 sum (i+1)^3.
// EXPECT-O0: error @call:36 "has 71 parameters, more than the 64 Cotangent differentiates"
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double h(int depth, double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13, double a14, double a15, double a16, double a17, double a18, double a19, double a20, double a21, double a22, double a23, double a24, double a25, double a26, double a27, double a28, double a29, double a30, double a31, double a32, double a33, double a34, double a35, double a36, double a37, double a38, double a39, double a40, double a41, double a42, double a43, double a44, double a45, double a46, double a47, double a48, double a49, double a50, double a51, double a52, double a53, double a54, double a55, double a56, double a57, double a58, double a59, double a60, double a61, double a62, double a63, double a64, double a65, double a66, double a67, double a68, double a69) {
  if (depth > 0)
    return 2 * h(depth - 1, a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24, a25, a26, a27, a28, a29, a30, a31, a32, a33, a34, a35, a36, a37, a38, a39, a40, a41, a42, a43, a44, a45, a46, a47, a48, a49, a50, a51, a52, a53, a54, a55, a56, a57, a58, a59, a60, a61, a62, a63, a64, a65, a66, a67, a68, a69);
  return 1 * a0 * a0 + 2 * a1 * a1 + 3 * a2 * a2 + 4 * a3 * a3 + 5 * a4 * a4 + 6 * a5 * a5 + 7 * a6 * a6 + 8 * a7 * a7 + 9 * a8 * a8 + 10 * a9 * a9 + 11 * a10 * a10 + 12 * a11 * a11 + 13 * a12 * a12 + 14 * a13 * a13 + 15 * a14 * a14 + 16 * a15 * a15 + 17 * a16 * a16 + 18 * a17 * a17 + 19 * a18 * a18 + 20 * a19 * a19 + 21 * a20 * a20 + 22 * a21 * a21 + 23 * a22 * a22 + 24 * a23 * a23 + 25 * a24 * a24 + 26 * a25 * a25 + 27 * a26 * a26 + 28 * a27 * a27 + 29 * a28 * a28 + 30 * a29 * a29 + 31 * a30 * a30 + 32 * a31 * a31 + 33 * a32 * a32 + 34 * a33 * a33 + 35 * a34 * a34 + 36 * a35 * a35 + 37 * a36 * a36 + 38 * a37 * a37 + 39 * a38 * a38 + 40 * a39 * a39 + 41 * a40 * a40 + 42 * a41 * a41 + 43 * a42 * a42 + 44 * a43 * a43 + 45 * a44 * a44 + 46 * a45 * a45 + 47 * a46 * a46 + 48 * a47 * a47 + 49 * a48 * a48 + 50 * a49 * a49 + 51 * a50 * a50 + 52 * a51 * a51 + 53 * a52 * a52 + 54 * a53 * a53 + 55 * a54 * a54 + 56 * a55 * a55 + 57 * a56 * a56 + 58 * a57 * a57 + 59 * a58 * a58 + 60 * a59 * a59 + 61 * a60 * a60 + 62 * a61 * a61 + 63 * a62 * a62 + 64 * a63 * a63 + 65 * a64 * a64 + 66 * a65 * a65 + 67 * a66 * a66 + 68 * a67 * a67 + 69 * a68 * a68 + 70 * a69 * a69;
}

static double f(double x) { return h(1, x * 1, x * 2, x * 3, x * 4, x * 5, x * 6, x * 7, x * 8, x * 9, x * 10, x * 11, x * 12, x * 13, x * 14, x * 15, x * 16, x * 17, x * 18, x * 19, x * 20, x * 21, x * 22, x * 23, x * 24, x * 25, x * 26, x * 27, x * 28, x * 29, x * 30, x * 31, x * 32, x * 33, x * 34, x * 35, x * 36, x * 37, x * 38, x * 39, x * 40, x * 41, x * 42, x * 43, x * 44, x * 45, x * 46, x * 47, x * 48, x * 49, x * 50, x * 51, x * 52, x * 53, x * 54, x * 55, x * 56, x * 57, x * 58, x * 59, x * 60, x * 61, x * 62, x * 63, x * 64, x * 65, x * 66, x * 67, x * 68, x * 69, x * 70); } /*@call*/

int main(void) {
  double dx = 0, x = 0.3, s = 0;
  for (int i = 1; i <= 70; ++i)
    s += (double)i * i * i;
  ct_gradient(f, x, &dx);
  CHECK_D(dx, 4 * s * x);
  return check_summary("params_70_recursive");
}
