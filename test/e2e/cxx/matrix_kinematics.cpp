// A small dense-matrix class as C++ users write it: storage from new[],
// freed with delete[] in the destructor, a copy constructor and copy
// assignment (deep copies), a move constructor and move assignment (the
// storage changes hands), operator* returning a new matrix by value and
// operator() for element access. Used in a forward-kinematics objective:
// a planar arm of revolute joints in 3-D, each joint a rotation about z
// (or x) times a translation along the link, composed by matrix products;
// the loss is the squared distance of the end effector to a target plus a
// term of the whole chain's rotation. Differentiated with respect to the
// joint angles and link lengths (double arrays with shadows); checked
// against central differences at -O0..-O3, ASan and valgrind.
#include "../check.h"

#include <cotangent.hpp>

#include <cmath>
#include <utility>

class Matrix {
public:
  Matrix(int rows, int cols) : rows_(rows), cols_(cols), data_(new double[rows * cols]) {
    for (int i = 0; i < rows * cols; ++i)
      data_[i] = 0;
  }
  static Matrix identity(int n) {
    Matrix m(n, n);
    for (int i = 0; i < n; ++i)
      m(i, i) = 1;
    return m;
  }
  Matrix(const Matrix &o) : rows_(o.rows_), cols_(o.cols_), data_(new double[o.rows_ * o.cols_]) {
    for (int i = 0; i < rows_ * cols_; ++i)
      data_[i] = o.data_[i];
  }
  Matrix(Matrix &&o) noexcept : rows_(o.rows_), cols_(o.cols_), data_(o.data_) {
    o.data_ = nullptr;
    o.rows_ = o.cols_ = 0;
  }
  Matrix &operator=(const Matrix &o) {
    if (this != &o) {
      Matrix copy(o);
      *this = std::move(copy);
    }
    return *this;
  }
  Matrix &operator=(Matrix &&o) noexcept {
    std::swap(rows_, o.rows_);
    std::swap(cols_, o.cols_);
    std::swap(data_, o.data_);
    return *this;
  }
  ~Matrix() { delete[] data_; }

  double &operator()(int i, int j) { return data_[i * cols_ + j]; }
  double operator()(int i, int j) const { return data_[i * cols_ + j]; }
  int rows() const { return rows_; }
  int cols() const { return cols_; }

  friend Matrix operator*(const Matrix &a, const Matrix &b) {
    Matrix c(a.rows_, b.cols_);
    for (int i = 0; i < a.rows_; ++i)
      for (int j = 0; j < b.cols_; ++j) {
        double s = 0;
        for (int k = 0; k < a.cols_; ++k)
          s += a(i, k) * b(k, j);
        c(i, j) = s;
      }
    return c;
  }

private:
  int rows_, cols_;
  double *data_;
};

// homogeneous 4x4 transforms
static Matrix rotation(double angle, int axis) {
  Matrix r = Matrix::identity(4);
  double c = std::cos(angle), s = std::sin(angle);
  int a = axis == 2 ? 0 : 1, b = axis == 2 ? 1 : 2; // the plane rotated
  r(a, a) = c;
  r(a, b) = -s;
  r(b, a) = s;
  r(b, b) = c;
  return r;
}

static Matrix translation(double x, double y, double z) {
  Matrix t = Matrix::identity(4);
  t(0, 3) = x;
  t(1, 3) = y;
  t(2, 3) = z;
  return t;
}

// the end effector of the chain: T = R0 L0 R1 L1 ...; loss against a target
static double reach_loss(const double *angles, const double *lengths, int joints, const double *target) {
  Matrix chain = Matrix::identity(4);
  for (int j = 0; j < joints; ++j) {
    Matrix link = rotation(angles[j], j % 3 == 2 ? 0 : 2) * translation(lengths[j], 0, 0);
    Matrix next = chain * link; // a move into a new object
    chain = next;               // copy assignment
  }
  Matrix tip(4, 1);
  tip(3, 0) = 1;
  Matrix p = chain * tip;
  double loss = 0;
  for (int i = 0; i < 3; ++i) {
    double d = p(i, 0) - target[i];
    loss += d * d;
  }
  // keep the chain's rotation close to the identity: a copy, moved from
  Matrix r(chain);
  Matrix moved(std::move(r));
  for (int i = 0; i < 3; ++i)
    loss += 0.1 * (1 - moved(i, i));
  return loss;
}

enum { JOINTS = 5 };
static const double target[3] = {1.2, 0.8, 0.3};

static double flat_loss(double *theta, void *) { return reach_loss(theta, theta + JOINTS, JOINTS, target); }

int main() {
  double theta[2 * JOINTS], grad[2 * JOINTS] = {0};
  for (int j = 0; j < JOINTS; ++j) {
    theta[j] = 0.4 * std::sin(1.7 * j + 0.2);
    theta[JOINTS + j] = 0.5 + 0.1 * j;
  }
  double v = ct::value_with_gradient(reach_loss, theta, grad, theta + JOINTS, grad + JOINTS, (int)JOINTS,
                                     ct_const(target));
  CHECK_D(v, flat_loss(theta, nullptr));
  CHECK_FD_GRADIENT("reach_loss", flat_loss, nullptr, theta, 2 * JOINTS, grad, 1e-6, 1e-7);

  // a pullback of the same loss, applied twice (seeds add up in the shadows)
  double g2[2 * JOINTS] = {0};
  {
    ct::Pullback pb = ct::pullback(reach_loss, theta, g2, theta + JOINTS, g2 + JOINTS, (int)JOINTS, ct_const(target));
    pb(1.0);
    pb(0.5);
  }
  for (int i = 0; i < 2 * JOINTS; ++i)
    CHECK_D(g2[i], 1.5 * grad[i]);
  return check_summary("cxx/matrix_kinematics");
}
