// Issue 12 item 10: more than 256 CT_DIFFERENTIABLE functions in a program
// (the registry had 256 fixed entries: the 257th was silently missing and a
// run-time gradient through a pointer to it stopped the program).
// FLAGS: -rdynamic
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

#define F(k) CT_DIFFERENTIABLE double f##k(double x) { return (k + 1) * x * x; }
#define F10(k) F(k##0) F(k##1) F(k##2) F(k##3) F(k##4) F(k##5) F(k##6) F(k##7) F(k##8) F(k##9)
#define R(k) f##k,
#define R10(k) R(k##0) R(k##1) R(k##2) R(k##3) R(k##4) R(k##5) R(k##6) R(k##7) R(k##8) R(k##9)
F10(1) F10(2) F10(3) F10(4) F10(5) F10(6) F10(7) F10(8) F10(9) F10(10)
F10(11) F10(12) F10(13) F10(14) F10(15) F10(16) F10(17) F10(18) F10(19) F10(20)
F10(21) F10(22) F10(23) F10(24) F10(25) F10(26) F10(27) F10(28) F10(29) F10(30)

static double (*const table[])(double) = {
    R10(1) R10(2) R10(3) R10(4) R10(5) R10(6) R10(7) R10(8) R10(9) R10(10)
    R10(11) R10(12) R10(13) R10(14) R10(15) R10(16) R10(17) R10(18) R10(19) R10(20)
    R10(21) R10(22) R10(23) R10(24) R10(25) R10(26) R10(27) R10(28) R10(29) R10(30)};

int main(void) {
  for (int i = 0; i < 300; ++i) {
    double (*volatile fp)(double) = table[i];
    double dx = 0;
    ct_gradient(fp, 1.5, &dx);
    CHECK_AT_D("d/dx (k+1) x^2, table entry", i, dx, 2 * (i + 11) * 1.5);
  }
  return check_summary("issue12_many_differentiable");
}
