// std::vector growing and being copied inside differentiated functions, as
// C++ users write it:
//   - push_back of doubles computed from the input (reallocations from an
//     empty vector, the old elements moved into the new block);
//   - emplace_back of structs of doubles and an int (a vector of
//     {x, y, id, w} points), then reserve and push_back again;
//   - copies: the range constructor from a pointer range and from another
//     vector's iterators, copy assignment over a larger and a smaller
//     vector, a vector returned by value and assigned, insert of a range;
//   - a vector of vectors built row by row (each row pushed back, moved);
//   - the caller's vector (by reference, with a shadow vector) grown by
//     push_back: the shadow vector ends up with shadow blocks of its own,
//     which it frees with operator delete (ASan checks the match).
// Gradients against analytic values and central differences at -O0..-O3,
// ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <vector>

// prefix sums by push_back; the loss weights them
static double prefix_loss(const double *x, int n) {
  std::vector<double> sums;
  double run = 0;
  for (int i = 0; i < n; ++i) {
    run += x[i] * x[i];
    sums.push_back(run);
  }
  double s = 0;
  for (size_t i = 0; i < sums.size(); ++i)
    s += std::sqrt(sums[i]) * (double)(i + 1);
  return s;
}

struct Point {
  double x, y;
  int id; // an integer between the doubles: the copies' layout has a hole
  double w;
};

// weighted centroid distance of points built with emplace_back
static double centroid_spread(const double *coords, int n) {
  std::vector<Point> pts;
  for (int i = 0; i < n; ++i)
    pts.emplace_back(Point{coords[2 * i], coords[2 * i + 1], i, 1.0 + 0.5 * i});
  pts.reserve(2 * pts.size());
  for (int i = 0; i < n; ++i) // mirrored copies
    pts.push_back(Point{-pts[i].y, pts[i].x, -pts[i].id, 0.25 * pts[i].w});
  double cx = 0, cy = 0, tw = 0;
  for (const Point &p : pts) {
    cx += p.w * p.x;
    cy += p.w * p.y;
    tw += p.w;
  }
  cx /= tw;
  cy /= tw;
  double s = 0;
  for (const Point &p : pts)
    s += p.w * ((p.x - cx) * (p.x - cx) + (p.y - cy) * (p.y - cy)) * (p.id >= 0 ? 1.0 : 0.5);
  return s;
}

static std::vector<double> squares_of(const std::vector<double> &v) {
  std::vector<double> r(v.begin(), v.end());
  for (double &e : r)
    e *= e;
  return r;
}

// copies: range constructors, copy assignment (growing and shrinking),
// a returned vector assigned, insert of a range
static double copies_loss(const double *x, int n) {
  std::vector<double> a(x, x + n);            // range constructor from pointers
  std::vector<double> b(a.begin() + 1, a.end()); // from iterators
  std::vector<double> c(2, 1.0);
  c = a; // copy assignment into a smaller vector: reallocates
  std::vector<double> d(3 * n, 0.5);
  d = b; // into a larger one: copies over
  std::vector<double> e;
  e = squares_of(c); // a returned vector, moved
  e.insert(e.end(), b.begin(), b.end());
  double s = 0;
  for (size_t i = 0; i < e.size(); ++i)
    s += e[i] * std::sin(0.3 * (double)i + d[i % d.size()]);
  return s;
}

// a vector of vectors built row by row
static double rows_loss(const double *x, int n) {
  std::vector<std::vector<double>> rows;
  for (int i = 0; i < n; ++i) {
    std::vector<double> row;
    for (int j = 0; j <= i; ++j)
      row.push_back(x[i] * x[j]);
    rows.push_back(std::move(row));
  }
  double s = 0;
  for (const auto &row : rows)
    for (double v : row)
      s += std::exp(-v);
  return s;
}

// records every term into the caller's vector
static double traced_loss(const double *x, int n, std::vector<double> &trace) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    double t = std::sin(x[i]) * x[i];
    trace.push_back(t);
    s += t * t;
  }
  return s;
}

static double fd_prefix(double *x, void *ctx) { return prefix_loss(x, *(int *)ctx); }
static double fd_centroid(double *x, void *ctx) { return centroid_spread(x, *(int *)ctx); }
static double fd_copies(double *x, void *ctx) { return copies_loss(x, *(int *)ctx); }
static double fd_rows(double *x, void *ctx) { return rows_loss(x, *(int *)ctx); }

int main() {
  int n = 9; // several reallocations of an empty vector (1, 2, 4, 8, 16)
  std::vector<double> x(2 * n), dx(2 * n);
  for (int i = 0; i < 2 * n; ++i)
    x[i] = 0.4 + 0.3 * std::sin(1.7 * i);

  ct::gradient(prefix_loss, x.data(), dx.data(), n);
  CHECK_FD_GRADIENT("prefix_loss", fd_prefix, &n, x.data(), n, dx.data(), 1e-6, 1e-7);
  // analytic: d/dx_i sum_k (k+1) sqrt(S_k) = sum_{k>=i} (k+1) x_i / sqrt(S_k)
  for (int i = 0; i < n; ++i) {
    double want = 0, run = 0;
    for (int k = 0; k < n; ++k) {
      run += x[k] * x[k];
      if (k >= i)
        want += (k + 1) * x[i] / std::sqrt(run);
    }
    CHECK_D(dx[i], want);
  }

  std::fill(dx.begin(), dx.end(), 0.0);
  ct::gradient(centroid_spread, x.data(), dx.data(), n);
  CHECK_FD_GRADIENT("centroid_spread", fd_centroid, &n, x.data(), 2 * n, dx.data(), 1e-6, 1e-7);

  std::fill(dx.begin(), dx.end(), 0.0);
  double v = ct::value_with_gradient(copies_loss, x.data(), dx.data(), n);
  CHECK_D(v, copies_loss(x.data(), n));
  CHECK_FD_GRADIENT("copies_loss", fd_copies, &n, x.data(), n, dx.data(), 1e-6, 1e-7);

  std::fill(dx.begin(), dx.end(), 0.0);
  ct::gradient(rows_loss, x.data(), dx.data(), n);
  CHECK_FD_GRADIENT("rows_loss", fd_rows, &n, x.data(), n, dx.data(), 1e-6, 1e-7);
  std::fill(dx.begin(), dx.end(), 0.0);
  std::vector<double> trace = {-1.0}, dtrace = {0.0}; // grown from one element
  ct::gradient(traced_loss, x.data(), dx.data(), n, &trace, &dtrace);
  CHECK(trace.size() == (size_t)n + 1 && dtrace.size() == trace.size());
  for (int i = 0; i < n; ++i) {
    double t = std::sin(x[i]) * x[i];
    CHECK_D(trace[i + 1], t);
    CHECK_D(dx[i], 2 * t * (std::cos(x[i]) * x[i] + std::sin(x[i])));
    CHECK(dtrace[i + 1] == 0.0);
  }
  return check_summary("cxx/vector_growth");
}
