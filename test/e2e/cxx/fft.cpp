// std::complex<double> in differentiated C++: a recursive radix-2 FFT as
// textbooks write it (split the input into even and odd
// std::vector<std::complex<double>>, recurse on each, combine with
// twiddle factors std::polar(1, -2 pi k / n)); the loss is a weighted sum
// of the power spectrum |X_k|^2 (std::norm) of a real signal built from
// the parameters. A second function uses std::exp and std::abs of complex
// values whose real and imaginary parts are both active, complex
// multiplication and division, and std::arg (carg). Gradients against
// central differences (the power spectrum also against its analytic
// gradient, sum_k w_k 2 Re(conj(X_k) e^{-2 pi i jk/n})) at -O0..-O3, ASan
// and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <complex>
#include <vector>

using cplx = std::complex<double>;

static std::vector<cplx> fft(const std::vector<cplx> &a) {
  const size_t n = a.size();
  if (n == 1)
    return a;
  std::vector<cplx> even(n / 2), odd(n / 2);
  for (size_t i = 0; i < n / 2; ++i) {
    even[i] = a[2 * i];
    odd[i] = a[2 * i + 1];
  }
  std::vector<cplx> fe = fft(even), fo = fft(odd);
  std::vector<cplx> out(n);
  for (size_t k = 0; k < n / 2; ++k) {
    cplx t = std::polar(1.0, -2 * M_PI * (double)k / (double)n) * fo[k];
    out[k] = fe[k] + t;
    out[k + n / 2] = fe[k] - t;
  }
  return out;
}

// sum_k w_k |X_k|^2 of the signal x (real)
static double spectrum_loss(const double *x, const double *w, int n) {
  std::vector<cplx> a(n);
  for (int i = 0; i < n; ++i)
    a[i] = cplx(x[i], 0.0);
  std::vector<cplx> X = fft(a);
  double s = 0;
  for (int k = 0; k < n; ++k)
    s += w[k] * std::norm(X[k]);
  return s;
}

// exp, abs, multiplication and division of complex values with both parts
// active
static double complex_mix(const double *p) {
  cplx z(p[0], p[1]), u(p[2], p[3]);
  cplx e = std::exp(z * u);
  cplx q = (z + 1.0) / (u - cplx(0.0, 2.0));
  return std::abs(e) + std::abs(q) + std::real(std::conj(q) * z) + std::arg(u);
}

enum { N = 16 };
static double weights[N];

static double flat_spectrum(double *x, void *) { return spectrum_loss(x, weights, N); }
static double flat_mix(double *p, void *) { return complex_mix(p); }

int main() {
  double x[N], dx[N] = {0};
  for (int i = 0; i < N; ++i) {
    x[i] = std::sin(0.7 * i) + 0.3 * std::cos(2.3 * i + 0.1);
    weights[i] = 1.0 + 0.25 * i;
  }
  double v = ct::value_with_gradient(spectrum_loss, x, dx, ct_const(weights), (int)N);
  CHECK_D(v, flat_spectrum(x, nullptr));
  CHECK_FD_GRADIENT("spectrum_loss", flat_spectrum, nullptr, x, N, dx, 1e-6, 1e-7);
  // analytic: X_k = sum_j x_j e^{-2 pi i jk/n}, d|X_k|^2/dx_j = 2 Re(conj(X_k) e^{-2 pi i jk/n})
  for (int j = 0; j < N; ++j) {
    double want = 0;
    for (int k = 0; k < N; ++k) {
      cplx X = 0;
      for (int m = 0; m < N; ++m)
        X += x[m] * std::polar(1.0, -2 * M_PI * m * k / N);
      want += weights[k] * 2 * std::real(std::conj(X) * std::polar(1.0, -2 * M_PI * j * k / N));
    }
    CHECK_TOL(dx[j], want, 1e-10);
  }

  double p[4] = {0.3, -0.4, 0.8, 0.5}, dp[4] = {0};
  ct::gradient(complex_mix, p, dp);
  CHECK_FD_GRADIENT("complex_mix", flat_mix, nullptr, p, 4, dp, 1e-6, 1e-7);
  return check_summary("cxx/fft");
}
