/* A 1-D heat equation with a cubic sink, split over the ranks: each rank
 * steps its cells u[1..n] and exchanges one ghost cell with each neighbour
 * per step (two MPI_Sendrecv, MPI_PROC_NULL at the ends: u = 0 beyond the
 * domain); the loss, a weighted sum of squares of the final state, is summed
 * with MPI_Allreduce and returned from every rank. The gradient, with
 * respect to each rank's slice of the initial state and to the diffusivity k
 * (a scalar every rank holds: its gradient is the sum of the ranks'), comes
 * from a pullback seeded on rank 0 only. It is checked against the serial
 * program (the whole domain, no MPI) differentiated on each rank, and against
 * central differences of the distributed program; the value against the
 * serial one. The loss also asks MPI for its rank and size, broadcasts the
 * number of steps (an integer message), reads the clock and waits at a
 * barrier: calls that need no derivative. Each step's loop is an OpenMP
 * parallel loop (2 threads per rank, run.sh). Run with 1, 2 and 4 ranks
 * (test/e2e/mpi/run.sh): the gradient must not depend on the number of
 * ranks beyond rounding. */
/* run.sh flags: -fopenmp */
#include "../check.h"

#include <cotangent.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

enum { N = 16, STEPS = 25 }; /* global cells; N divisible by 1, 2, 4 */

static int rank_zero_steps; /* STEPS on rank 0, 0 elsewhere: broadcast */
static double elapsed;       /* seconds in heat_loss */

static double weight(int g) { return 1.0 + 0.1 * g; }

/* one explicit step of cells 1..n from u (ghosts 0 and n + 1 filled),
 * shared among the rank's OpenMP threads */
static void step(const double *u, double *next, int n, double k) {
#pragma omp parallel for
  for (int i = 1; i <= n; ++i)
    next[i] = u[i] + k * (u[i - 1] - 2 * u[i] + u[i + 1]) - 0.05 * u[i] * u[i] * u[i];
}

/* the halo exchange: u[n] to the right neighbour's u[0], u[1] to the left
 * neighbour's u[n + 1] */
static void exchange(double *u, int n, int rank, int size) {
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  MPI_Sendrecv(&u[n], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 2, &u[n + 1], 1, MPI_DOUBLE, right, 2, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
}

/* the rank, the size, the number of steps (an integer message from rank 0),
 * a timer and a barrier: MPI calls without derivative in differentiated code */
static double heat_loss(const double *u0, double k, int n) {
  int rank, size, steps = rank_zero_steps;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Bcast(&steps, 1, MPI_INT, 0, MPI_COMM_WORLD);
  double start = MPI_Wtime();
  double *u = calloc(n + 2, sizeof *u), *next = calloc(n + 2, sizeof *next);
  memcpy(u + 1, u0, n * sizeof *u);
  for (int t = 0; t < steps; ++t) {
    exchange(u, n, rank, size);
    step(u, next, n, k);
    double *swap = u;
    u = next;
    next = swap;
  }
  double local = 0, loss = 0;
  for (int i = 1; i <= n; ++i)
    local += weight(rank * n + i - 1) * u[i] * u[i];
  MPI_Allreduce(&local, &loss, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  MPI_Barrier(MPI_COMM_WORLD);
  elapsed += MPI_Wtime() - start;
  free(u);
  free(next);
  return loss;
}

static double serial_loss(const double *u0, double k) {
  double u[N + 2] = {0}, next[N + 2] = {0};
  for (int i = 0; i < N; ++i)
    u[i + 1] = u0[i];
  for (int t = 0; t < STEPS; ++t) {
    step(u, next, N, k);
    for (int i = 1; i <= N; ++i)
      u[i] = next[i];
  }
  double loss = 0;
  for (int i = 1; i <= N; ++i)
    loss += weight(i - 1) * u[i] * u[i];
  return loss;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = N / size, first = rank * n;
  rank_zero_steps = rank == 0 ? STEPS : 0;
  double U[N], dU[N] = {0}, dK = 0, k = 0.21;
  for (int g = 0; g < N; ++g)
    U[g] = sin(0.4 * g) + 0.5;
  double *u0 = malloc(n * sizeof *u0), *du0 = calloc(n, sizeof *du0), dk = 0;
  memcpy(u0, U + first, n * sizeof *u0);

  ct_pullback_t pb;
  double v = ct_value_with_pullback(heat_loss, &pb, u0, du0, k, n);
  ct_pullback_apply(pb, rank == 0 ? 1.0 : 0.0, &dk);
  ct_pullback_free(pb);
  double dk_all = 0;
  MPI_Allreduce(&dk, &dk_all, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);

  double vs = ct_value_with_gradient(serial_loss, U, dU, k, &dK);
  CHECK_TOL(v, vs, 1e-12);
  CHECK_TOL(dk_all, dK, 1e-11);
  for (int i = 0; i < n; ++i)
    CHECK_SCALED(du0[i], dU[first + i], 1 + fabs(dU[first + i]), 1e-12);

  /* central differences of the distributed program */
  const double h = 1e-6;
  for (int g = 0; g < N; g += 3) {
    int owner = g / n, i = g - first;
    double keep = rank == owner ? u0[i] : 0;
    if (rank == owner)
      u0[i] = keep + h;
    double fp = heat_loss(u0, k, n);
    if (rank == owner)
      u0[i] = keep - h;
    double fm = heat_loss(u0, k, n);
    if (rank == owner) {
      u0[i] = keep;
      double fd = (fp - fm) / (2 * h);
      CHECK_SCALED(du0[i], fd, 1 + fabs(fd), 1e-6);
    }
  }
  double fd = (heat_loss(u0, k + h, n) - heat_loss(u0, k - h, n)) / (2 * h);
  CHECK_SCALED(dk_all, fd, 1 + fabs(fd), 1e-6);

  free(u0), free(du0);
  int failures = check_failures, total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("heat (%d ranks): %d checks on rank 0, %d failures on all ranks (%.3g s in the loss)\n", size,
           check_count, total, elapsed);
  MPI_Finalize();
  return total != 0;
}
