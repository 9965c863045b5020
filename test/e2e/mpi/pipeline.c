/* A scatter-compute-gather pipeline: rank 0 holds the parameters p[N] and a
 * scale a; MPI_Bcast sends a to every rank, MPI_Scatter gives each rank its
 * chunk of p, each computes q = a sin(x) + x^2, MPI_Gather brings q back to
 * rank 0 (a weighted sum of squares there), MPI_Allgather gives every rank
 * all of q (a rank-dependent weighted sum), and MPI_Reduce(MPI_SUM) sums
 * those on the last rank. The result is the sum of what the ranks return
 * (rank 0's and the last rank's terms), so ct_gradient's seed 1 on every
 * rank is the gradient of that sum. Checked against the serial program
 * (arrays, no MPI) and central differences: rank 0 gets dp and da, the
 * other ranks none (their p is not sent, their a is overwritten by the
 * broadcast). A second loss does the same with MPI_IN_PLACE on the root
 * (Gather, Scatter, Reduce) and on every rank (Allgather). Run with 1, 2
 * and 4 ranks (test/e2e/mpi/run.sh). */
#include "../check.h"

#include <cotangent.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

enum { N = 8 }; /* divisible by 1, 2, 4 */

static double weight(int g) { return 1.0 + 0.25 * g; }
static double mix(int rank, int g) { return 1.0 + 0.1 * rank + 0.01 * g; }
static double compute(double a, double x) { return a * sin(x) + x * x; }

static double pipeline(const double *p, double a, int in_place) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = N / size, last = size - 1;
  double aa = a, loss = 0, r = 0, rsum = 0;
  double *x = malloc(N * sizeof *x), *q = malloc(N * sizeof *q), *Q = malloc(N * sizeof *Q),
         *R = malloc(N * sizeof *R);
  MPI_Bcast(&aa, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  if (in_place && rank == 0) { /* the root's chunk stays in place: x = p here */
    memcpy(x, p, N * sizeof *x);
    MPI_Scatter(x, n, MPI_DOUBLE, MPI_IN_PLACE, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  } else {
    MPI_Scatter(p, n, MPI_DOUBLE, x, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  }
  for (int i = 0; i < n; ++i)
    q[i] = compute(aa, x[i]);
  if (in_place && rank == 0) { /* the root's block of Q is already there */
    for (int i = 0; i < n; ++i)
      Q[i] = q[i];
    MPI_Gather(MPI_IN_PLACE, n, MPI_DOUBLE, Q, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  } else {
    MPI_Gather(q, n, MPI_DOUBLE, Q, n, MPI_DOUBLE, 0, MPI_COMM_WORLD);
  }
  if (rank == 0)
    for (int g = 0; g < N; ++g)
      loss += weight(g) * Q[g] * Q[g];
  if (in_place) {
    for (int i = 0; i < n; ++i)
      R[rank * n + i] = q[i];
    MPI_Allgather(MPI_IN_PLACE, n, MPI_DOUBLE, R, n, MPI_DOUBLE, MPI_COMM_WORLD);
  } else {
    MPI_Allgather(q, n, MPI_DOUBLE, R, n, MPI_DOUBLE, MPI_COMM_WORLD);
  }
  for (int g = 0; g < N; ++g)
    r += R[g] * mix(rank, g);
  if (in_place && rank == last) {
    rsum = r;
    MPI_Reduce(MPI_IN_PLACE, &rsum, 1, MPI_DOUBLE, MPI_SUM, last, MPI_COMM_WORLD);
  } else {
    MPI_Reduce(&r, &rsum, 1, MPI_DOUBLE, MPI_SUM, last, MPI_COMM_WORLD);
  }
  if (rank == last)
    loss += 0.5 * rsum * rsum;
  free(x), free(q), free(Q), free(R);
  return loss;
}

/* the same computation on one process, for `size` ranks */
static double serial(const double *p, double a, int size) {
  double q[N], loss = 0, rsum = 0;
  for (int g = 0; g < N; ++g) {
    q[g] = compute(a, p[g]);
    loss += weight(g) * q[g] * q[g];
  }
  for (int rank = 0; rank < size; ++rank)
    for (int g = 0; g < N; ++g)
      rsum += q[g] * mix(rank, g);
  return loss + 0.5 * rsum * rsum;
}

/* the sum of every rank's result */
static double total(const double *p, double a, int in_place) {
  double v = pipeline(p, a, in_place), t = 0;
  MPI_Allreduce(&v, &t, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return t;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  double p[N], P[N], dP[N] = {0}, dA = 0, a = 0.7;
  for (int g = 0; g < N; ++g)
    P[g] = 0.3 + 0.11 * g - 0.02 * g * g;
  double vs = ct_value_with_gradient(serial, P, dP, a, &dA, size);
  for (int in_place = 0; in_place < 2; ++in_place) {
    /* only rank 0's p and a are the program's: the others hold other values */
    for (int g = 0; g < N; ++g)
      p[g] = rank == 0 ? P[g] : -5.0 - g;
    double ap = rank == 0 ? a : 9.0, dp[N] = {0}, da = 0;
    double v = ct_value_with_gradient(pipeline, p, dp, ap, &da, in_place), vt = 0;
    MPI_Allreduce(&v, &vt, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    CHECK_TOL(vt, vs, 1e-12);
    for (int g = 0; g < N; ++g)
      CHECK_SCALED(dp[g], rank == 0 ? dP[g] : 0.0, 1 + fabs(dP[g]), 1e-12);
    CHECK_SCALED(da, rank == 0 ? dA : 0.0, 1 + fabs(dA), 1e-12);
    /* central differences of the distributed program, on rank 0's inputs */
    const double h = 1e-6;
    for (int g = 0; g < N; g += 3) {
      double keep = p[g];
      if (rank == 0)
        p[g] = keep + h;
      double fp = total(p, ap, in_place);
      if (rank == 0)
        p[g] = keep - h;
      double fm = total(p, ap, in_place);
      p[g] = keep;
      if (rank == 0)
        CHECK_SCALED(dp[g], (fp - fm) / (2 * h), 1 + fabs(dp[g]), 1e-6);
    }
    double fd = (total(p, rank == 0 ? ap + h : ap, in_place) - total(p, rank == 0 ? ap - h : ap, in_place)) / (2 * h);
    if (rank == 0)
      CHECK_SCALED(da, fd, 1 + fabs(da), 1e-6);
  }
  int failures = check_failures, all = 0;
  MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("pipeline (%d ranks): %d checks on rank 0, %d failures on all ranks\n", size, check_count, all);
  MPI_Finalize();
  return all != 0;
}
