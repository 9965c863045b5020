/* A distributed dot product: each rank holds its slice of x and y, the
 * local products are summed with MPI_Allreduce(MPI_SUM), and the loss
 * s^2/2 + sin(s) of the global s = x . y is returned on rank 0 (0 elsewhere,
 * so the gradient is the loss's, not the sum of every rank's copy). A second
 * loss reduces a vector of two partial sums in place (MPI_IN_PLACE) and
 * returns it from every rank, applied as a pullback seeded on rank 0 only;
 * a third does the same in float (MPI_FLOAT); a fourth takes the largest
 * product (MPI_MAX) and the smallest elements (MPI_MIN) over the ranks.
 * Each rank's gradient slice is checked against the analytic one, against
 * the serial version (all elements, no MPI) differentiated on each rank, and
 * against central differences of the distributed program (every rank
 * evaluates it, the owner of the element perturbs it). Run with 1, 2 and 4
 * ranks (test/e2e/mpi/run.sh): the gradient must not depend on the number
 * of ranks beyond rounding. */
#include "../check.h"

#include <cotangent.h>
#include <mpi.h>
#include <stdlib.h>

enum { N = 12 }; /* global elements, divisible by 1, 2, 3, 4 */

static double local_dot(const double *x, const double *y, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += x[i] * y[i];
  return s;
}

/* the distributed loss: n local elements */
static double dist_loss(const double *x, const double *y, int n, int rank) {
  double local = local_dot(x, y, n), s = 0;
  MPI_Allreduce(&local, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  double loss = 0.5 * s * s + sin(s);
  return rank == 0 ? loss : 0.0;
}

/* the same, serially on all N elements */
static double serial_loss(const double *x, const double *y, int n) {
  double s = local_dot(x, y, n);
  return 0.5 * s * s + sin(s);
}

/* two partial sums (even and odd global indices), reduced in place; the
 * loss is a product of both, returned from every rank */
static double pair_loss(const double *x, const double *y, int n, int first) {
  double part[2] = {0, 0};
  for (int i = 0; i < n; ++i)
    part[(first + i) % 2] += x[i] * x[i] * y[i];
  MPI_Allreduce(MPI_IN_PLACE, part, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return part[0] * part[1] + cos(part[1]);
}

/* the same in float, with a float vector of two sums reduced into another
 * buffer: loss = s0 * s1 of s_j = sum over the ranks of x . y (j = 0) and of
 * x . x (j = 1) */
static float float_loss(const float *x, const float *y, int n) {
  float local[2] = {0, 0}, s[2];
  for (int i = 0; i < n; ++i) {
    local[0] += x[i] * y[i];
    local[1] += x[i] * x[i];
  }
  MPI_Allreduce(local, s, 2, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
  return s[0] * s[1];
}

/* the largest product x_i y_i over the ranks (MPI_MAX) times the global dot
 * product, plus the product of the smallest x and the smallest y (MPI_MIN of
 * a vector of two, whose input is overwritten after the call: the pass keeps
 * a copy for the reverse pass); on rank 0 only */
static double extremum_loss(const double *x, const double *y, int n, int rank) {
  double lmax = -1e300, gmax = 0, lmin[2] = {1e300, 1e300}, gmin[2], local = local_dot(x, y, n), s = 0;
  for (int i = 0; i < n; ++i) {
    lmax = fmax(lmax, x[i] * y[i]);
    lmin[0] = fmin(lmin[0], x[i]);
    lmin[1] = fmin(lmin[1], y[i]);
  }
  MPI_Allreduce(&lmax, &gmax, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  MPI_Allreduce(lmin, gmin, 2, MPI_DOUBLE, MPI_MIN, MPI_COMM_WORLD);
  lmin[0] = lmin[1] = 0;
  MPI_Allreduce(&local, &s, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  double loss = gmax * s + gmin[0] * gmin[1] + lmin[0];
  return rank == 0 ? loss : 0.0;
}

static double serial_extremum_loss(const double *x, const double *y, int n) {
  double m = -1e300, a = 1e300, b = 1e300, s = local_dot(x, y, n);
  for (int i = 0; i < n; ++i) {
    m = fmax(m, x[i] * y[i]);
    a = fmin(a, x[i]);
    b = fmin(b, y[i]);
  }
  return m * s + a * b;
}

static double value_at(int g, int which) { return which ? 0.3 - 0.05 * g : 0.1 + 0.07 * g; }

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = N / size, first = rank * n;
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  double *dx = calloc(n, sizeof *dx), *dy = calloc(n, sizeof *dy);
  double X[N], Y[N], dX[N] = {0}, dY[N] = {0};
  for (int g = 0; g < N; ++g)
    X[g] = value_at(g, 0), Y[g] = value_at(g, 1);
  for (int i = 0; i < n; ++i)
    x[i] = X[first + i], y[i] = Y[first + i];

  /* loss 1: the gradient against the analytic and the serial one */
  ct_gradient(dist_loss, x, dx, y, dy, n, rank);
  ct_gradient(serial_loss, X, dX, Y, dY, N);
  double s = 0;
  for (int g = 0; g < N; ++g)
    s += X[g] * Y[g];
  double ds = s + cos(s);
  for (int i = 0; i < n; ++i) {
    CHECK_TOL(dx[i], ds * y[i], 1e-12);
    CHECK_TOL(dy[i], ds * x[i], 1e-12);
    CHECK_TOL(dx[i], dX[first + i], 1e-12);
    CHECK_TOL(dy[i], dY[first + i], 1e-12);
  }
  /* central differences: every rank evaluates, the owner of g perturbs */
  const double h = 1e-6;
  for (int g = 0; g < N; ++g) {
    int owner = g / n, i = g - owner * n;
    double fd[2];
    for (int k = 0; k < 2; ++k) {
      double *v = k ? y : x, keep = rank == owner ? v[i] : 0;
      if (rank == owner)
        v[i] = keep + h;
      double fp = dist_loss(x, y, n, rank);
      if (rank == owner)
        v[i] = keep - h;
      double fm = dist_loss(x, y, n, rank);
      if (rank == owner)
        v[i] = keep;
      fd[k] = (fp - fm) / (2 * h);
    }
    MPI_Bcast(fd, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD); /* the loss lives on rank 0 */
    if (rank == owner) {
      CHECK_SCALED(dx[i], fd[0], 1 + fabs(fd[0]), 1e-6);
      CHECK_SCALED(dy[i], fd[1], 1 + fabs(fd[1]), 1e-6);
    }
  }

  /* loss 2: in-place vector reduction, a pullback seeded on rank 0 */
  for (int i = 0; i < n; ++i)
    dx[i] = dy[i] = 0;
  ct_pullback_t pb;
  double v = ct_value_with_pullback(pair_loss, &pb, x, dx, y, dy, n, first);
  ct_pullback_apply(pb, rank == 0 ? 1.0 : 0.0);
  ct_pullback_free(pb);
  double p0 = 0, p1 = 0;
  for (int g = 0; g < N; ++g)
    *(g % 2 ? &p1 : &p0) += X[g] * X[g] * Y[g];
  CHECK_TOL(v, p0 * p1 + cos(p1), 1e-12);
  for (int i = 0; i < n; ++i) {
    int g = first + i;
    double dp = g % 2 ? p0 - sin(p1) : p1; /* d loss / d part[g % 2] */
    CHECK_TOL(dx[i], dp * 2 * x[i] * y[i], 1e-12);
    CHECK_TOL(dy[i], dp * x[i] * x[i], 1e-12);
  }

  /* loss 4: MPI_MAX and MPI_MIN, against the serial program and central
     differences (the extrema are distinct elements: no ties) */
  for (int i = 0; i < n; ++i)
    dx[i] = dy[i] = 0;
  for (int g = 0; g < N; ++g)
    dX[g] = dY[g] = 0;
  ct_gradient(extremum_loss, x, dx, y, dy, n, rank);
  ct_gradient(serial_extremum_loss, X, dX, Y, dY, N);
  for (int i = 0; i < n; ++i) {
    CHECK_SCALED(dx[i], dX[first + i], 1 + fabs(dX[first + i]), 1e-12);
    CHECK_SCALED(dy[i], dY[first + i], 1 + fabs(dY[first + i]), 1e-12);
  }
  for (int g = 0; g < N; ++g) {
    int owner = g / n, i = g - owner * n;
    double fd[2];
    for (int k = 0; k < 2; ++k) {
      double *v = k ? y : x, keep = rank == owner ? v[i] : 0;
      if (rank == owner)
        v[i] = keep + h;
      double fp = extremum_loss(x, y, n, rank);
      if (rank == owner)
        v[i] = keep - h;
      double fm = extremum_loss(x, y, n, rank);
      if (rank == owner)
        v[i] = keep;
      fd[k] = (fp - fm) / (2 * h);
    }
    MPI_Bcast(fd, 2, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank == owner) {
      CHECK_SCALED(dx[i], fd[0], 1 + fabs(fd[0]), 1e-6);
      CHECK_SCALED(dy[i], fd[1], 1 + fabs(fd[1]), 1e-6);
    }
  }

  /* loss 3: MPI_FLOAT; the result is every rank's: seed 1 on rank 0 */
  float xf[N], yf[N], dxf[N] = {0}, dyf[N] = {0};
  for (int i = 0; i < n; ++i)
    xf[i] = (float)x[i], yf[i] = (float)y[i];
  ct_value_with_pullback(float_loss, &pb, xf, dxf, yf, dyf, n);
  ct_pullback_apply(pb, rank == 0 ? 1.0f : 0.0f);
  ct_pullback_free(pb);
  double s0 = 0, s1 = 0;
  for (int g = 0; g < N; ++g)
    s0 += (float)X[g] * (float)Y[g], s1 += (float)X[g] * (float)X[g];
  for (int i = 0; i < n; ++i) {
    CHECK_SCALED(dxf[i], s1 * yf[i] + s0 * 2 * xf[i], s1 + fabs(s0), 1e-5);
    CHECK_SCALED(dyf[i], s1 * xf[i], s1, 1e-5);
  }

  free(x), free(y), free(dx), free(dy);
  int failures = check_failures, total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("dot (%d ranks): %d checks on rank 0, %d failures on all ranks\n", size, check_count, total);
  MPI_Finalize();
  return total != 0;
}
