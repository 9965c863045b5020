// A Gaussian mixture model's negative log-likelihood as C++ users write it
// (after ADBench's GMM): a function template over the scalar type taking
// the parameters as const std::vector<T>& (weights, means, inverse
// covariance factors: log-diagonal and strict lower triangle), with
// std::vector<T> temporaries inside (the centred point, Q times it, the
// per-component terms), a templated logsumexp over a vector, and a
// Wishart prior. Differentiated through ct::gradient with shadow vectors;
// every component of the gradient is checked against central differences
// at -O0..-O3, ASan and valgrind; the float instance against the double
// gradient.
#include "../check.h"

#include <cotangent.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace gmm {

template <typename T> T logsumexp(const std::vector<T> &v) {
  T m = *std::max_element(v.begin(), v.end());
  T s = 0;
  for (const T &e : v)
    s += std::exp(e - m);
  return m + std::log(s);
}

template <typename T> T sqnorm(const std::vector<T> &v) {
  T s = 0;
  for (const T &e : v)
    s += e * e;
  return s;
}

// y = Q x with Q = diag(exp(icf[0..d))) + the strict lower triangle in
// icf[d..), column by column
template <typename T> std::vector<T> q_times(int d, const T *icf, const std::vector<T> &x) {
  std::vector<T> y(d);
  for (int i = 0; i < d; ++i)
    y[i] = std::exp(icf[i]) * x[i];
  int r = d;
  for (int i = 0; i < d; ++i)
    for (int j = i + 1; j < d; ++j)
      y[j] += icf[r++] * x[i];
  return y;
}

struct Shape {
  int d, k, n;
  int icf_size() const { return d * (d + 1) / 2; }
};

template <typename T>
T gmm_objective(const Shape &s, const std::vector<T> &alphas, const std::vector<T> &means,
                const std::vector<T> &icf, const std::vector<double> &x, T gamma, int m) {
  const int d = s.d, k = s.k, isz = s.icf_size();
  std::vector<T> sum_qs(k);
  for (int c = 0; c < k; ++c)
    for (int i = 0; i < d; ++i)
      sum_qs[c] += icf[c * isz + i];

  T slse = 0;
  std::vector<T> main_term(k);
  for (int p = 0; p < s.n; ++p) {
    for (int c = 0; c < k; ++c) {
      std::vector<T> centred(d);
      for (int i = 0; i < d; ++i)
        centred[i] = (T)x[p * d + i] - means[c * d + i];
      std::vector<T> qx = q_times(d, &icf[c * isz], centred);
      main_term[c] = alphas[c] + sum_qs[c] - T(0.5) * sqnorm(qx);
    }
    slse += logsumexp(main_term);
  }

  // Wishart prior on the inverse covariances
  T prior = 0;
  for (int c = 0; c < k; ++c) {
    T frob = 0;
    for (int i = 0; i < d; ++i)
      frob += std::exp(2 * icf[c * isz + i]);
    for (int i = d; i < isz; ++i)
      frob += icf[c * isz + i] * icf[c * isz + i];
    prior += T(0.5) * gamma * gamma * frob - T(m) * sum_qs[c];
  }
  return slse - T(s.n) * logsumexp(alphas) + prior;
}

} // namespace gmm

// the objective of the flat parameter vector (alphas, means, icf), for the
// central differences
struct Problem {
  gmm::Shape shape;
  std::vector<double> x;
};

static double flat_objective(double *theta, void *ctx) {
  const Problem &pb = *(const Problem *)ctx;
  const gmm::Shape &s = pb.shape;
  const int na = s.k, nm = s.k * s.d, ni = s.k * s.icf_size();
  std::vector<double> a(theta, theta + na), mu(theta + na, theta + na + nm), q(theta + na + nm, theta + na + nm + ni);
  return gmm::gmm_objective<double>(s, a, mu, q, pb.x, 1.5, 2);
}

int main() {
  Problem pb{{3, 4, 6}, {}};
  const gmm::Shape &s = pb.shape;
  for (int i = 0; i < s.n * s.d; ++i)
    pb.x.push_back(std::sin(1.3 * i + 0.2) * 2.0);
  std::vector<double> alphas(s.k), means(s.k * s.d), icf(s.k * s.icf_size());
  for (int c = 0; c < s.k; ++c)
    alphas[c] = 0.3 * c - 0.4;
  for (size_t i = 0; i < means.size(); ++i)
    means[i] = std::cos(0.7 * i) * 1.5;
  for (size_t i = 0; i < icf.size(); ++i)
    icf[i] = 0.2 * std::sin(2.1 * i + 0.5);

  std::vector<double> dalphas(alphas.size()), dmeans(means.size()), dicf(icf.size());
  double dgamma = 0;
  double v = ct::value_with_gradient(gmm::gmm_objective<double>, ct_const(&s), &alphas, &dalphas, &means, &dmeans, &icf,
                                     &dicf, ct_const(&pb.x), 1.5, &dgamma, 2);

  std::vector<double> theta(alphas);
  theta.insert(theta.end(), means.begin(), means.end());
  theta.insert(theta.end(), icf.begin(), icf.end());
  std::vector<double> grad(dalphas);
  grad.insert(grad.end(), dmeans.begin(), dmeans.end());
  grad.insert(grad.end(), dicf.begin(), dicf.end());
  CHECK_D(v, flat_objective(theta.data(), &pb));
  CHECK_FD_GRADIENT("gmm_objective<double>", flat_objective, &pb, theta.data(), (int)theta.size(), grad.data(), 1e-6,
                    1e-6);
  // d/dgamma: gamma * sum of the Frobenius norms
  double frob = 0;
  for (int c = 0; c < s.k; ++c)
    for (int i = 0; i < s.icf_size(); ++i) {
      double q = icf[c * s.icf_size() + i];
      frob += i < s.d ? std::exp(2 * q) : q * q;
    }
  CHECK_D(dgamma, 1.5 * frob);

  // the float instance of the same template
  std::vector<float> af(alphas.begin(), alphas.end()), mf(means.begin(), means.end()), qf(icf.begin(), icf.end());
  std::vector<float> daf(af.size()), dmf(mf.size()), dqf(qf.size());
  float dgf = 0;
  ct::gradient(gmm::gmm_objective<float>, ct_const(&s), &af, &daf, &mf, &dmf, &qf, &dqf, ct_const(&pb.x), 1.5f, &dgf,
               2);
  for (size_t i = 0; i < grad.size(); ++i) {
    float got = i < af.size() ? daf[i] : i < af.size() + mf.size() ? dmf[i - af.size()] : dqf[i - af.size() - mf.size()];
    CHECK_SCALED(got, grad[i], 1.0 + std::fabs(grad[i]), 1e-3);
  }
  return check_summary("cxx/gmm");
}
