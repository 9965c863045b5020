// Virtual calls on the differentiated path: an abstract base class Model
// with a virtual energy(const double *x) and derived classes (a spring, a
// gravity term, and a composite that holds other models and calls them
// virtually in turn, itself held by a composite), summed over a
// std::vector<Model *> and over an array of base pointers; a virtual method
// writing its result through a pointer (into a local std::vector, so the
// calls are invokes); a call devirtualized by the optimizer (a final
// class); an integrator's right-hand side held by a std::function (called
// through its invoker pointer). Calls that stay
// calls through the vtable dispatch at run time to the gradient of the
// method the object's vtable holds. Checked against central differences at
// -O0..-O3 (ASan, valgrind). Before run-time dispatch: "indirect call
// through a function pointer cannot be differentiated".
#include "../check.h"

#include <cotangent.h>

#include <cmath>
#include <functional>
#include <vector>

namespace {

struct Model {
  virtual ~Model() = default;
  virtual double energy(const double *x) const = 0;
  virtual void force(const double *x, double *f) const = 0; // writes f[0]
};

struct Spring : Model {
  double k, rest;
  Spring(double k, double rest) : k(k), rest(rest) {}
  double energy(const double *x) const override {
    double d = x[1] - x[0] - rest;
    return 0.5 * k * d * d;
  }
  void force(const double *x, double *f) const override { f[0] = -k * (x[1] - x[0] - rest); }
};

struct Gravity : Model {
  double g;
  explicit Gravity(double g) : g(g) {}
  double energy(const double *x) const override { return g * (std::sin(x[0]) + x[1] * x[1]); }
  void force(const double *x, double *f) const override { f[0] = -g * std::cos(x[0]) * x[1]; }
};

// holds other models: its energy calls theirs through the vtable again
struct Composite : Model {
  std::vector<const Model *> parts;
  double scale;
  explicit Composite(double scale) : scale(scale) {}
  double energy(const double *x) const override {
    double e = 0;
    for (const Model *p : parts)
      e += p->energy(x);
    return scale * e;
  }
  void force(const double *x, double *f) const override {
    double s = 0;
    for (const Model *p : parts) {
      double fi;
      p->force(x, &fi);
      s += fi;
    }
    f[0] = scale * s;
  }
};

struct Pinned final : Model {
  double w;
  explicit Pinned(double w) : w(w) {}
  double energy(const double *x) const override { return w * std::exp(-x[0] * x[1]); }
  void force(const double *x, double *f) const override { f[0] = w * x[1] * std::exp(-x[0] * x[1]); }
};

} // namespace

static double total(const std::vector<Model *> &models, const double *x) {
  double e = 0;
  for (const Model *m : models)
    e += m->energy(x);
  return e;
}

// an array of base pointers, the results written through a pointer into a
// local std::vector (whose destructor makes the virtual calls invokes)
static double total_force(Model *const *models, int n, const double *x) {
  std::vector<double> forces(n);
  for (int i = 0; i < n; ++i)
    models[i]->force(x, &forces[i]);
  double s = 0;
  for (double f : forces)
    s += f * f;
  return s;
}

// a right-hand side held by a std::function (a lambda; called through the
// invoker pointer the object holds), given to an integrator as constant
using Rhs = std::function<double(double, double, const double *)>;
static double integrate(const Rhs &rhs, const double *p) {
  double y = 1.0;
  for (int i = 0; i < 12; ++i)
    y += 0.1 * rhs(0.1 * i, y, p);
  return y;
}

// a final class: the call is direct (devirtualized) at -O1 and above
static double pinned_energy(const Pinned *p, const double *x) { return p->energy(x) * x[1]; }

struct Ctx {
  const std::vector<Model *> *models;
  const Pinned *pinned;
};
static double fd_total(double *x, void *c) { return total(*static_cast<Ctx *>(c)->models, x); }
static double fd_force(double *x, void *c) {
  const std::vector<Model *> &m = *static_cast<Ctx *>(c)->models;
  return total_force(m.data(), (int)m.size(), x);
}
static double fd_pinned(double *x, void *c) { return pinned_energy(static_cast<Ctx *>(c)->pinned, x); }
static double fd_integrate(double *p, void *rhs) { return integrate(*static_cast<Rhs *>(rhs), p); }

int main() {
  Spring spring(3.0, 0.25), soft(0.5, -0.1);
  Gravity gravity(9.81);
  Composite pair(0.7);
  pair.parts = {&soft, &gravity};
  Composite outer(1.2); // a composite of a composite: the virtual call recurses
  outer.parts = {&pair, &spring};
  Pinned pinned(1.3);
  std::vector<Model *> models = {&spring, &gravity, &pair, &pinned, &outer};
  Ctx ctx = {&models, &pinned};
  const double h = 1e-6, tol = 1e-7;

  double x[2] = {0.4, 1.1}, dx[2] = {0, 0};
  ct_gradient(total, ct_const(&models), x, dx);
  CHECK_FD_GRADIENT("total (std::vector<Model *>)", fd_total, &ctx, x, 2, dx, h, tol);

  double fx[2] = {0, 0};
  ct_gradient(total_force, ct_const(models.data()), (int)models.size(), x, fx);
  CHECK_FD_GRADIENT("total_force (Model *const *)", fd_force, &ctx, x, 2, fx, h, tol);

  double px[2] = {0, 0};
  ct_gradient(pinned_energy, ct_const(&pinned), x, px);
  CHECK_FD_GRADIENT("pinned_energy (final)", fd_pinned, &ctx, x, 2, px, h, tol);

  double damping = 0.3;
  Rhs rhs = [damping](double t, double y, const double *q) { return -damping * y + q[0] * std::sin(q[1] * t); };
  double p[2] = {0.6, -0.4}, dp[2] = {0, 0};
  ct_gradient(integrate, ct_const(&rhs), p, dp);
  CHECK_FD_GRADIENT("integrate (std::function)", fd_integrate, &rhs, p, 2, dp, h, tol);

  // heap objects through the base class
  std::vector<Model *> heap = {new Spring(2.0, 0.0), new Gravity(1.5), new Pinned(0.4)};
  Ctx hctx = {&heap, &pinned};
  double y[2] = {-0.3, 0.8}, dy[2] = {0, 0};
  double v = ct_value_with_gradient(total, ct_const(&heap), y, dy);
  CHECK_D(v, total(heap, y));
  CHECK_FD_GRADIENT("total (heap objects)", fd_total, &hctx, y, 2, dy, h, tol);
  for (Model *m : heap)
    delete m;
  return check_summary("virtual_calls");
}
