// Enzyme's C++ interface, #include <enzyme/enzyme>, as Enzyme's C++ users
// write it: enzyme::autodiff<enzyme::Reverse>(f, enzyme::Active<double>(y),
// enzyme::Duplicated<double*>(x, dx), enzyme::Const<T>(c)) returning a tuple
// holding the tuple of the Active arguments' adjoints (enzyme::get<0> twice),
// with class template argument deduction (enzyme::Active{x},
// enzyme::Const{n}), references with a shadow object
// (Duplicated<const std::vector<double>&>), a config struct held constant
// by reference, an explicit return activity, mixed float and double
// actives, a capturing lambda, and enzyme::autodiff<enzyme::Forward>
// returning the tangent of the result. Against analytic derivatives and
// central differences at -O0..-O3.
#include "../check.h"

#include <enzyme/enzyme>

#include <cmath>
#include <cstddef>
#include <vector>

struct Config {
  double decay;
  int order;
};

// a damped polynomial fit: sum_i w_i (c0 + c1 t_i + ... - y_i)^2 exp(-decay t_i)
static double fit_loss(const double *coef, const std::vector<double> &ts, const std::vector<double> &ys,
                       const Config &cfg, double scale) {
  double loss = 0;
  for (std::size_t i = 0; i < ts.size(); ++i) {
    double p = 0, tk = 1;
    for (int k = 0; k <= cfg.order; ++k) {
      p += coef[k] * tk;
      tk *= ts[i];
    }
    double r = scale * p - ys[i];
    loss += r * r * std::exp(-cfg.decay * ts[i]);
  }
  return loss;
}

static double norm2(const std::vector<double> &v) {
  double s = 0;
  for (double x : v)
    s += x * x;
  return std::sqrt(s);
}

static double rosen(double x, double y) { return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x); }
static float mixed(float a, double b) { return a * a * (float)std::sin(b); }

struct FitCtx {
  std::vector<double> ts, ys;
  Config cfg;
  double scale;
};
static double fit_flat(double *c, void *ctx) {
  FitCtx &f = *(FitCtx *)ctx;
  return fit_loss(c, f.ts, f.ys, f.cfg, f.scale);
}

int main() {
  FitCtx fc{{}, {}, {0.3, 3}, 1.2};
  for (int i = 0; i < 9; ++i) {
    fc.ts.push_back(0.25 * i);
    fc.ys.push_back(std::cos(0.25 * i));
  }
  double coef[4] = {0.5, -0.2, 0.1, 0.03}, dcoef[4] = {0};
  // the pointer duplicated, the data and the config constant, the scale active
  auto res = enzyme::autodiff<enzyme::Reverse>(fit_loss, enzyme::Duplicated<const double *>(coef, dcoef),
                                                enzyme::Const<const std::vector<double> &>(fc.ts),
                                                enzyme::Const<const std::vector<double> &>(fc.ys),
                                                enzyme::Const<const Config &>(fc.cfg), enzyme::Active{fc.scale});
  double dscale = enzyme::get<0>(enzyme::get<0>(res));
  CHECK_FD_GRADIENT("fit_loss", fit_flat, &fc, coef, 4, dcoef, 1e-6, 1e-6);
  double h = 1e-6;
  FitCtx up = fc, down = fc;
  up.scale += h;
  down.scale -= h;
  CHECK_TOL(dscale, (fit_flat(coef, &up) - fit_flat(coef, &down)) / (2 * h), 1e-6);

  // a reference with its shadow object
  std::vector<double> v = {3, 4, 12}, dv(3, 0.0);
  enzyme::autodiff<enzyme::Reverse>(norm2, enzyme::Duplicated<const std::vector<double> &>(v, dv));
  CHECK_D(dv[0], 3.0 / 13);
  CHECK_D(dv[1], 4.0 / 13);
  CHECK_D(dv[2], 12.0 / 13);

  // two actives, the return activity named
  auto r2 = enzyme::autodiff<enzyme::Reverse, enzyme::Active<double>>(rosen, enzyme::Active{0.5}, enzyme::Active{1.5});
  CHECK_D(enzyme::get<0>(enzyme::get<0>(r2)), -2 * (1 - 0.5) - 400 * 0.5 * (1.5 - 0.25));
  CHECK_D(enzyme::get<1>(enzyme::get<0>(r2)), 200 * (1.5 - 0.25));

  // float and double actives together
  auto r3 = enzyme::autodiff<enzyme::Reverse>(mixed, enzyme::Active{1.5f}, enzyme::Active{0.7});
  CHECK_F(enzyme::get<0>(enzyme::get<0>(r3)), 2 * 1.5f * (float)std::sin(0.7));
  CHECK_TOL(enzyme::get<1>(enzyme::get<0>(r3)), 2.25 * std::cos(0.7), 1e-6);

  // a capturing lambda: its closure is held constant
  double k = 2.5;
  auto spring = [k](double x) { return 0.5 * k * x * x; };
  auto r4 = enzyme::autodiff<enzyme::Reverse>(spring, enzyme::Active(0.8));
  CHECK_D(enzyme::get<0>(enzyme::get<0>(r4)), 2.5 * 0.8);

  // forward mode: the tangent of the result
  auto t1 = enzyme::autodiff<enzyme::Forward>(rosen, enzyme::Duplicated<double>(0.5, 1.0), enzyme::Const{1.5});
  CHECK_D(enzyme::get<0>(t1), -2 * (1 - 0.5) - 400 * 0.5 * (1.5 - 0.25));
  double tcoef[4] = {0, 1, 0, 0};
  auto t2 = enzyme::autodiff<enzyme::Forward>(fit_loss, enzyme::Duplicated<const double *>(coef, tcoef),
                                              enzyme::Const<const std::vector<double> &>(fc.ts),
                                              enzyme::Const<const std::vector<double> &>(fc.ys),
                                              enzyme::Const<const Config &>(fc.cfg), enzyme::Const{fc.scale});
  CHECK_TOL(enzyme::get<0>(t2), dcoef[1], 1e-10);
  return check_summary("cxx/enzyme_sugar");
}
