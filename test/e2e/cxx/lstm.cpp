// An LSTM language-model objective as C++ users write it (after ADBench's
// LSTM): the network is a std::vector of layer structs, each holding its
// weights and biases in std::vector<double> members; the state (hidden and
// cell vectors per layer) is a std::vector of structs copied into the
// objective by value; gates are computed into std::vector<double>
// temporaries; the loss is the log-softmax cross-entropy of the prediction
// against the next character of a fixed sequence. The layers are passed by
// reference with a shadow vector of layers of the same shape (zeroed), the
// input/output weights by reference with shadow vectors; every component of
// the gradient is checked against central differences at -O0..-O3, ASan and
// valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <vector>

struct Layer {
  // gates forget, input, output, cell: 4 * h weights and 4 * h biases
  std::vector<double> weight, bias;
  explicit Layer(int h) : weight(4 * h), bias(4 * h) {}
};

struct State {
  std::vector<double> hidden, cell;
  explicit State(int h) : hidden(h), cell(h) {}
};

static double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

// one cell: updates the layer's state from its input
static void lstm_cell(const Layer &l, State &st, const std::vector<double> &input) {
  const int h = (int)st.hidden.size();
  std::vector<double> gates(4 * h);
  for (int i = 0; i < h; ++i) {
    gates[i] = sigmoid(input[i] * l.weight[i] + l.bias[i]);
    gates[h + i] = sigmoid(st.hidden[i] * l.weight[h + i] + l.bias[h + i]);
    gates[2 * h + i] = sigmoid(input[i] * l.weight[2 * h + i] + l.bias[2 * h + i]);
    gates[3 * h + i] = std::tanh(st.hidden[i] * l.weight[3 * h + i] + l.bias[3 * h + i]);
  }
  for (int i = 0; i < h; ++i) {
    st.cell[i] = st.cell[i] * gates[i] + gates[h + i] * gates[3 * h + i];
    st.hidden[i] = gates[2 * h + i] * std::tanh(st.cell[i]);
  }
}

// the prediction for one character: through every layer, then scaled
static std::vector<double> predict(const std::vector<Layer> &layers, std::vector<State> &state,
                                   const std::vector<double> &in_out, const std::vector<double> &input) {
  const int h = (int)input.size();
  std::vector<double> x(h);
  for (int i = 0; i < h; ++i)
    x[i] = input[i] * in_out[i];
  for (size_t l = 0; l < layers.size(); ++l) {
    lstm_cell(layers[l], state[l], x);
    x = state[l].hidden;
  }
  std::vector<double> y(h);
  for (int i = 0; i < h; ++i)
    y[i] = x[i] * in_out[h + i] + in_out[2 * h + i];
  return y;
}

// the mean cross-entropy over the sequence (one-hot characters)
static double lstm_objective(const std::vector<Layer> &layers, const std::vector<double> &in_out,
                             const std::vector<State> &initial, const std::vector<std::vector<double>> &sequence) {
  std::vector<State> state = initial;
  double total = 0;
  int count = 0;
  for (size_t t = 0; t + 1 < sequence.size(); ++t) {
    std::vector<double> y = predict(layers, state, in_out, sequence[t]);
    double sum = 0;
    for (double e : y)
      sum += std::exp(e);
    double lse = std::log(sum);
    const std::vector<double> &target = sequence[t + 1];
    for (size_t i = 0; i < y.size(); ++i)
      total += target[i] * (y[i] - lse);
    ++count;
  }
  return -total / count;
}

struct Problem {
  int layers, h;
  std::vector<State> state;
  std::vector<std::vector<double>> sequence;
};

// unpacks a flat parameter vector (layer 0 weights, biases, layer 1 ...,
// then in_out) for the central differences
static void unpack(const Problem &p, const double *theta, std::vector<Layer> &layers, std::vector<double> &in_out) {
  for (auto &l : layers) {
    for (auto &w : l.weight)
      w = *theta++;
    for (auto &b : l.bias)
      b = *theta++;
  }
  for (auto &w : in_out)
    w = *theta++;
  (void)p;
}

static double flat_objective(double *theta, void *ctx) {
  const Problem &p = *(const Problem *)ctx;
  std::vector<Layer> layers(p.layers, Layer(p.h));
  std::vector<double> in_out(3 * p.h);
  unpack(p, theta, layers, in_out);
  return lstm_objective(layers, in_out, p.state, p.sequence);
}

int main() {
  Problem p{2, 4, {}, {}};
  for (int l = 0; l < p.layers; ++l) {
    State s(p.h);
    for (int i = 0; i < p.h; ++i) {
      s.hidden[i] = 0.1 * (i + l) - 0.2;
      s.cell[i] = 0.05 * i;
    }
    p.state.push_back(s);
  }
  const int chars[] = {0, 2, 1, 3, 3, 0, 1};
  for (int c : chars) {
    std::vector<double> onehot(p.h, 0.0);
    onehot[c] = 1.0;
    p.sequence.push_back(onehot);
  }

  const int n = p.layers * 8 * p.h + 3 * p.h;
  std::vector<double> theta(n);
  for (int i = 0; i < n; ++i)
    theta[i] = 0.6 * std::sin(0.9 * i + 0.3);
  std::vector<Layer> layers(p.layers, Layer(p.h)), dlayers(p.layers, Layer(p.h));
  std::vector<double> in_out(3 * p.h), din_out(3 * p.h);
  unpack(p, theta.data(), layers, in_out);

  double v = ct::value_with_gradient(lstm_objective, &layers, &dlayers, &in_out, &din_out, ct_const(&p.state),
                                     ct_const(&p.sequence));
  CHECK_D(v, flat_objective(theta.data(), &p));

  std::vector<double> grad;
  for (const Layer &l : dlayers) {
    grad.insert(grad.end(), l.weight.begin(), l.weight.end());
    grad.insert(grad.end(), l.bias.begin(), l.bias.end());
  }
  grad.insert(grad.end(), din_out.begin(), din_out.end());
  CHECK(grad.size() == theta.size());
  // many components are small (1e-8 .. 1e-4): each is checked against the
  // central difference to 1e-6 of the largest
  double scale = 0;
  for (double g : grad)
    scale = std::fmax(scale, std::fabs(g));
  CHECK(scale > 1e-3);
  for (int i = 0; i < n; ++i) {
    double keep = theta[i], h = 1e-5;
    theta[i] = keep + h;
    double fp = flat_objective(theta.data(), &p);
    theta[i] = keep - h;
    double fm = flat_objective(theta.data(), &p);
    theta[i] = keep;
    CHECK_SCALED(grad[i], (fp - fm) / (2 * h), scale, 1e-6);
  }
  return check_summary("cxx/lstm");
}
