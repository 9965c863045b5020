/* A small LSTM: 2 stacked layers, hidden size 4, input size 3, sequence
 * length 6, with sigmoid and tanh written with exp. Loss: squared error of
 * a linear readout of the top layer's hidden state against targets at every
 * step. Gradient w.r.t. all weights (one packed array), the readout, and
 * the input sequence vs fourth-order central finite differences. The cell
 * and hidden states live in local arrays overwritten in place each step.
 * Also a 2-step sequence with constant weights (input gradient vs finite
 * differences, none for the later inputs). */
#include "check.h"

int enzyme_dup, enzyme_const, enzyme_out, enzyme_dupnoneed;
extern double __enzyme_autodiff(void *, ...);

#define IN 3
#define H 4
#define LAYERS 2
#define SEQ 6
#define G4 (4 * H)
/* layer l: W (4H x (in_l + H)) then b (4H); in_0 = IN, in_1 = H */
#define L0_SIZE (G4 * (IN + H) + G4)
#define L1_SIZE (G4 * (H + H) + G4)
#define NW (L0_SIZE + L1_SIZE)
#define NR (H + 1)
#define NX (SEQ * IN)

static double sigmoid(double z) { return 1.0 / (1.0 + exp(-z)); }
static double tanh_exp(double z) {
  double e = exp(-2.0 * z);
  return (1.0 - e) / (1.0 + e);
}

/* one cell update in place: h, c of size H, input u of size nin */
static void lstm_cell(const double *Wl, int nin, const double *u, double *h, double *c) {
  const double *b = Wl + G4 * (nin + H);
  double gates[G4];
  for (int g = 0; g < G4; ++g) {
    double acc = b[g];
    const double *row = Wl + g * (nin + H);
    for (int j = 0; j < nin; ++j)
      acc += row[j] * u[j];
    for (int j = 0; j < H; ++j)
      acc += row[nin + j] * h[j];
    gates[g] = acc;
  }
  for (int j = 0; j < H; ++j) {
    double ig = sigmoid(gates[j]);
    double fg = sigmoid(gates[H + j]);
    double og = sigmoid(gates[2 * H + j]);
    double cand = tanh_exp(gates[3 * H + j]);
    c[j] = fg * c[j] + ig * cand;
    h[j] = og * tanh_exp(c[j]);
  }
}

static double lstm_loss(const double *W, const double *R, const double *xs, const double *ys, int seq) {
  double h[LAYERS][H], c[LAYERS][H];
  for (int l = 0; l < LAYERS; ++l)
    for (int j = 0; j < H; ++j) {
      h[l][j] = 0.0;
      c[l][j] = 0.0;
    }
  double loss = 0.0;
  for (int t = 0; t < seq; ++t) {
    lstm_cell(W, IN, xs + t * IN, h[0], c[0]);
    lstm_cell(W + L0_SIZE, H, h[0], h[1], c[1]);
    double out = R[H];
    for (int j = 0; j < H; ++j)
      out += R[j] * h[1][j];
    double e = out - ys[t];
    loss += e * e;
  }
  return loss;
}

static double W[NW], dW[NW], R[NR], dR[NR], xs[NX], dxs[NX], ys[SEQ];
static int fails_shown;

static void fd_check(const char *what, double *p, const double *dp, int n, int seq) {
  for (int i = 0; i < n; ++i) {
    double save = p[i];
    double h = 1e-3 * fmax(1.0, fabs(save));
    const double off[4] = {-2.0, -1.0, 1.0, 2.0};
    double f[4];
    for (int k = 0; k < 4; ++k) {
      p[i] = save + off[k] * h;
      f[k] = lstm_loss(W, R, xs, ys, seq);
    }
    p[i] = save;
    double fd = (f[0] - 8.0 * f[1] + 8.0 * f[2] - f[3]) / (12.0 * h);
    double err = fabs(dp[i] - fd) / fmax(fabs(fd), 1e-3);
    ++check_count;
    if (!(err <= 1e-6)) {
      ++check_failures;
      if (++fails_shown <= 10)
        fprintf(stderr, "%s:%d: FAILED %s [%d]: got %.17g, want (FD) %.17g (rel. err %.3g)\n", __FILE__, __LINE__,
                what, i, dp[i], fd, err);
    }
  }
}

int main(void) {
  for (int i = 0; i < NW; ++i)
    W[i] = 0.6 * sin(0.73 * i + 0.3);
  for (int i = 0; i < NR; ++i)
    R[i] = 0.8 * cos(1.9 * i) + 0.1;
  for (int i = 0; i < NX; ++i)
    xs[i] = sin(0.5 * i) + 0.2;
  for (int t = 0; t < SEQ; ++t)
    ys[t] = 0.3 * t - 0.5;

  for (int i = 0; i < NW; ++i)
    dW[i] = 0.0;
  for (int i = 0; i < NR; ++i)
    dR[i] = 0.0;
  for (int i = 0; i < NX; ++i)
    dxs[i] = 0.0;
  __enzyme_autodiff((void *)lstm_loss, W, dW, R, dR, xs, dxs, enzyme_const, ys, SEQ);
  fd_check("dW", W, dW, NW, SEQ);
  fd_check("dR", R, dR, NR, SEQ);
  fd_check("dx", xs, dxs, NX, SEQ);

  /* a shorter sequence (2 steps), weights constant: the first inputs'
   * gradient against finite differences, the later inputs get none */
  for (int i = 0; i < NX; ++i)
    dxs[i] = 0.0;
  for (int i = 0; i < NW; ++i)
    dW[i] = 0.0;
  __enzyme_autodiff((void *)lstm_loss, enzyme_const, W, enzyme_const, R, xs, dxs, enzyme_const, ys, 2);
  fd_check("dx (2 steps)", xs, dxs, 2 * IN, 2);
  for (int i = 2 * IN; i < NX; ++i)
    CHECK(dxs[i] == 0.0);
  for (int i = 0; i < NW; ++i)
    if (!CHECK(dW[i] == 0.0)) /* constant: its shadow is not touched */
      break;
  return check_summary("lstm");
}
