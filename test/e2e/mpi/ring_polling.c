/* The ring of ring.c, its requests completed by polling and by waiting for
 * any: for ROUNDS rounds every rank posts an MPI_Irecv from its left
 * neighbour and an MPI_Isend of its state to its right neighbour, and
 * completes them in a helper, by round: MPI_Test in a loop until each is
 * done (the tests that find it pending are reversed as nothing), MPI_Waitany
 * twice (the request it completed is found from the index it returned), or
 * MPI_Testall in a loop; then mixes what it received into its state. The
 * loss, a sum of squares over the ranks (MPI_Allreduce), is returned on rank
 * 0. The gradient with respect to each rank's initial state and parameters
 * is checked against the serial program (every rank's state in one array)
 * and central differences. Run with 1, 2 and 4 ranks (with one rank the
 * ring sends to itself). */
#include "../check.h"

#include <cotangent.h>
#include <mpi.h>
#include <string.h>

enum { M = 3, ROUNDS = 3, MAXRANKS = 4 };

static int pending_tests; /* MPI_Test calls that found a request pending */

/* completes both requests: by testing each until done, by MPI_Waitany, or
 * by testing both until done */
static void complete(MPI_Request *req, int how) {
  if (how == 0) {
    for (int k = 1; k >= 0; --k) {
      int done = 0;
      MPI_Test(&req[k], &done, MPI_STATUS_IGNORE);
      while (!done) {
        ++pending_tests;
        MPI_Test(&req[k], &done, MPI_STATUS_IGNORE);
      }
    }
  } else if (how == 1) {
    int first = -1, second = -1;
    MPI_Waitany(2, req, &first, MPI_STATUS_IGNORE);
    MPI_Waitany(2, req, &second, MPI_STATUS_IGNORE);
    if (first == second || first < 0 || second < 0)
      MPI_Abort(MPI_COMM_WORLD, 2);
  } else {
    int done = 0;
    while (!done)
      MPI_Testall(2, req, &done, MPI_STATUSES_IGNORE);
  }
}

static void mix(double *s, const double *in, const double *p) {
  for (int i = 0; i < M; ++i)
    s[i] = sin(in[i]) + p[i] * s[i] * s[(i + 1) % M];
}

static double ring(const double *s0, const double *p, int rank, int size) {
  int left = (rank + size - 1) % size, right = (rank + 1) % size;
  double s[M], in[M], local = 0, loss = 0;
  memcpy(s, s0, sizeof s);
  for (int r = 0; r < ROUNDS; ++r) {
    MPI_Request req[2];
    MPI_Irecv(in, M, MPI_DOUBLE, left, r, MPI_COMM_WORLD, &req[0]);
    MPI_Isend(s, M, MPI_DOUBLE, right, r, MPI_COMM_WORLD, &req[1]);
    complete(req, r % 3);
    mix(s, in, p);
  }
  for (int i = 0; i < M; ++i)
    local += s[i] * s[i];
  MPI_Allreduce(&local, &loss, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return rank == 0 ? loss : 0.0;
}

/* every rank's state in one array: S[rank * M + i] */
static double serial(const double *S0, const double *P, int size) {
  double S[MAXRANKS * M], IN[MAXRANKS * M], loss = 0;
  memcpy(S, S0, sizeof(double) * size * M);
  for (int r = 0; r < ROUNDS; ++r) {
    for (int k = 0; k < size; ++k)
      memcpy(IN + k * M, S + ((k + size - 1) % size) * M, sizeof(double) * M);
    for (int k = 0; k < size; ++k)
      mix(S + k * M, IN + k * M, P + k * M);
  }
  for (int i = 0; i < size * M; ++i)
    loss += S[i] * S[i];
  return loss;
}

static double value(int g, int which) { return which ? 0.3 + 0.05 * g : 0.2 + 0.1 * g - 0.01 * g * g; }

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  double S0[MAXRANKS * M], P[MAXRANKS * M], dS0[MAXRANKS * M] = {0}, dP[MAXRANKS * M] = {0};
  for (int g = 0; g < size * M; ++g)
    S0[g] = value(g, 0), P[g] = value(g, 1);
  double s0[M], p[M], ds0[M] = {0}, dp[M] = {0};
  memcpy(s0, S0 + rank * M, sizeof s0);
  memcpy(p, P + rank * M, sizeof p);
  double v = ct_value_with_gradient(ring, s0, ds0, p, dp, rank, size);
  double vs = ct_value_with_gradient(serial, S0, dS0, P, dP, size);
  if (rank == 0)
    CHECK_TOL(v, vs, 1e-12);
  for (int i = 0; i < M; ++i) {
    CHECK_SCALED(ds0[i], dS0[rank * M + i], 1 + fabs(dS0[rank * M + i]), 1e-12);
    CHECK_SCALED(dp[i], dP[rank * M + i], 1 + fabs(dP[rank * M + i]), 1e-12);
  }
  const double h = 1e-6;
  for (int g = 0; g < size * M; ++g) {
    int owner = g / M, i = g % M;
    for (int k = 0; k < 2; ++k) {
      double *x = k ? p : s0, keep = x[i], f[2];
      for (int sgn = 0; sgn < 2; ++sgn) {
        if (rank == owner)
          x[i] = keep + (sgn ? -h : h);
        f[sgn] = ring(s0, p, rank, size);
        x[i] = keep;
      }
      double fd = (f[0] - f[1]) / (2 * h);
      MPI_Bcast(&fd, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
      if (rank == owner)
        CHECK_SCALED(k ? dp[i] : ds0[i], fd, 1 + fabs(fd), 1e-6);
    }
  }
  int failures = check_failures, all = 0;
  MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("ring_polling (%d ranks): %d checks on rank 0, %d failures on all ranks (%d tests found a request "
           "pending on rank 0)\n",
           size, check_count, all, pending_tests);
  MPI_Finalize();
  return all != 0;
}
