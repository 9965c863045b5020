// 64 double parameters (the most an operator's function may have): every
// derivative right. f = sum (i+1) a_i^2.
// EXPECT: run
#include "../e2e/check.h"
#include <cotangent.h>

static double f(double a0, double a1, double a2, double a3, double a4, double a5, double a6, double a7, double a8, double a9, double a10, double a11, double a12, double a13, double a14, double a15, double a16, double a17, double a18, double a19, double a20, double a21, double a22, double a23, double a24, double a25, double a26, double a27, double a28, double a29, double a30, double a31, double a32, double a33, double a34, double a35, double a36, double a37, double a38, double a39, double a40, double a41, double a42, double a43, double a44, double a45, double a46, double a47, double a48, double a49, double a50, double a51, double a52, double a53, double a54, double a55, double a56, double a57, double a58, double a59, double a60, double a61, double a62, double a63) {
  return 1 * a0 * a0 + 2 * a1 * a1 + 3 * a2 * a2 + 4 * a3 * a3 + 5 * a4 * a4 + 6 * a5 * a5 + 7 * a6 * a6 + 8 * a7 * a7 + 9 * a8 * a8 + 10 * a9 * a9 + 11 * a10 * a10 + 12 * a11 * a11 + 13 * a12 * a12 + 14 * a13 * a13 + 15 * a14 * a14 + 16 * a15 * a15 + 17 * a16 * a16 + 18 * a17 * a17 + 19 * a18 * a18 + 20 * a19 * a19 + 21 * a20 * a20 + 22 * a21 * a21 + 23 * a22 * a22 + 24 * a23 * a23 + 25 * a24 * a24 + 26 * a25 * a25 + 27 * a26 * a26 + 28 * a27 * a27 + 29 * a28 * a28 + 30 * a29 * a29 + 31 * a30 * a30 + 32 * a31 * a31 + 33 * a32 * a32 + 34 * a33 * a33 + 35 * a34 * a34 + 36 * a35 * a35 + 37 * a36 * a36 + 38 * a37 * a37 + 39 * a38 * a38 + 40 * a39 * a39 + 41 * a40 * a40 + 42 * a41 * a41 + 43 * a42 * a42 + 44 * a43 * a43 + 45 * a44 * a44 + 46 * a45 * a45 + 47 * a46 * a46 + 48 * a47 * a47 + 49 * a48 * a48 + 50 * a49 * a49 + 51 * a50 * a50 + 52 * a51 * a51 + 53 * a52 * a52 + 54 * a53 * a53 + 55 * a54 * a54 + 56 * a55 * a55 + 57 * a56 * a56 + 58 * a57 * a57 + 59 * a58 * a58 + 60 * a59 * a59 + 61 * a60 * a60 + 62 * a61 * a61 + 63 * a62 * a62 + 64 * a63 * a63;
}

int main(void) {
  double x[64], dx[64] = {0};
  for (int i = 0; i < 64; ++i)
    x[i] = 0.125 * i - 3;
  ct_gradient(f, x[0], &dx[0], x[1], &dx[1], x[2], &dx[2], x[3], &dx[3], x[4], &dx[4], x[5], &dx[5], x[6], &dx[6], x[7], &dx[7], x[8], &dx[8], x[9], &dx[9], x[10], &dx[10], x[11], &dx[11], x[12], &dx[12], x[13], &dx[13], x[14], &dx[14], x[15], &dx[15], x[16], &dx[16], x[17], &dx[17], x[18], &dx[18], x[19], &dx[19], x[20], &dx[20], x[21], &dx[21], x[22], &dx[22], x[23], &dx[23], x[24], &dx[24], x[25], &dx[25], x[26], &dx[26], x[27], &dx[27], x[28], &dx[28], x[29], &dx[29], x[30], &dx[30], x[31], &dx[31], x[32], &dx[32], x[33], &dx[33], x[34], &dx[34], x[35], &dx[35], x[36], &dx[36], x[37], &dx[37], x[38], &dx[38], x[39], &dx[39], x[40], &dx[40], x[41], &dx[41], x[42], &dx[42], x[43], &dx[43], x[44], &dx[44], x[45], &dx[45], x[46], &dx[46], x[47], &dx[47], x[48], &dx[48], x[49], &dx[49], x[50], &dx[50], x[51], &dx[51], x[52], &dx[52], x[53], &dx[53], x[54], &dx[54], x[55], &dx[55], x[56], &dx[56], x[57], &dx[57], x[58], &dx[58], x[59], &dx[59], x[60], &dx[60], x[61], &dx[61], x[62], &dx[62], x[63], &dx[63]);
  for (int i = 0; i < 64; ++i)
    CHECK_AT_D("d/da_i, i", i, dx[i], 2 * (i + 1) * x[i]);
  return check_summary("params_64_doubles");
}
