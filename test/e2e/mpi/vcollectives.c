/* The collectives with per-rank counts and the all-to-all exchanges: rank r
 * holds r + 1 parameters x and a scale a; an MPI_Allgatherv with gaps
 * between the blocks gives every rank all of y = a x + x^2, an MPI_Gatherv
 * brings y^2 to the last rank, which sends cos of it back with an
 * MPI_Scatterv in the reverse block order, an MPI_Alltoall exchanges two
 * values per pair of ranks, and an MPI_Alltoallv one or two values per pair
 * (into a receive buffer with gaps); each rank returns a nonlinear function
 * of what it received. The counts and displacements are malloc'd arrays a
 * helper fills, rewritten between the calls (the adjoint must use the
 * values each call saw). The gradient (of the sum of the ranks' results,
 * ct_gradient seeding 1 on every rank) with respect to x and a is checked
 * against central differences of the distributed program, without and
 * with MPI_IN_PLACE (Allgatherv on every rank, Gatherv and Scatterv at the
 * root, Alltoall and Alltoallv on every rank). Run with 1, 2 and 4 ranks
 * (test/e2e/mpi/run.sh). */
#include "../check.h"

#include <cotangent.h>
#include <mpi.h>
#include <stdlib.h>
#include <string.h>

static double mix(int rank, int j) { return 1.0 + 0.1 * rank + 0.03 * j; }

/* counts[r] = r + 1 elements for rank r, blocks `gap` elements apart, in
 * rank order or reversed; returns the elements the buffer spans */
static int layout(int size, int *counts, int *displs, int gap, int reversed) {
  int at = 0;
  for (int k = 0; k < size; ++k) {
    int r = reversed ? size - 1 - k : k;
    counts[r] = r + 1;
    displs[r] = at;
    at += r + 1 + gap;
  }
  return at;
}

/* one or two elements between each pair of ranks (the same both ways) */
static int pair_layout(int rank, int size, int *counts, int *displs, int gap) {
  int at = 0;
  for (int j = 0; j < size; ++j) {
    counts[j] = 1 + (rank + j) % 2;
    displs[j] = at;
    at += counts[j] + gap;
  }
  return at;
}

static double vloss(const double *x, double a, int in_place) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int m = rank + 1, root = size - 1, M = size * (size + 1) / 2;
  int *counts = malloc(size * sizeof *counts), *displs = malloc(size * sizeof *displs);
  int *rcounts = malloc(size * sizeof *rcounts), *rdispls = malloc(size * sizeof *rdispls);
  double *y = malloc(m * sizeof *y), *z = malloc(m * sizeof *z), *w = malloc(m * sizeof *w);
  double loss = 0;

  /* every rank gets all of y, with a gap after each block */
  for (int i = 0; i < m; ++i)
    y[i] = a * x[i] + x[i] * x[i];
  int span = layout(size, counts, displs, 1, 0);
  double *Y = calloc(span, sizeof *Y);
  if (in_place) {
    memcpy(Y + displs[rank], y, m * sizeof *y);
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DOUBLE, Y, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
  } else {
    MPI_Allgatherv(y, m, MPI_DOUBLE, Y, counts, displs, MPI_DOUBLE, MPI_COMM_WORLD);
  }
  for (int j = 0; j < span; ++j)
    loss += mix(rank, j) * sin(Y[j]);

  /* y^2 to the root, packed; cos of it back in the reverse block order */
  for (int i = 0; i < m; ++i)
    z[i] = y[i] * y[i];
  layout(size, counts, displs, 0, 0);
  double *G = malloc(M * sizeof *G);
  if (in_place && rank == root) {
    memcpy(G + displs[root], z, m * sizeof *z);
    MPI_Gatherv(MPI_IN_PLACE, m, MPI_DOUBLE, G, counts, displs, MPI_DOUBLE, root, MPI_COMM_WORLD);
  } else {
    MPI_Gatherv(z, m, MPI_DOUBLE, G, counts, displs, MPI_DOUBLE, root, MPI_COMM_WORLD);
  }
  if (rank == root)
    for (int g = 0; g < M; ++g)
      G[g] = cos(G[g]) * (1 + 0.2 * g);
  layout(size, counts, displs, 0, 1);
  if (in_place && rank == root) {
    MPI_Scatterv(G, counts, displs, MPI_DOUBLE, MPI_IN_PLACE, m, MPI_DOUBLE, root, MPI_COMM_WORLD);
    memcpy(w, G + displs[root], m * sizeof *w);
  } else {
    MPI_Scatterv(G, counts, displs, MPI_DOUBLE, w, m, MPI_DOUBLE, root, MPI_COMM_WORLD);
  }
  for (int i = 0; i < m; ++i)
    loss += w[i] * x[i];

  /* two values to every rank */
  double *S = malloc(2 * size * sizeof *S), *R = malloc(2 * size * sizeof *R);
  for (int j = 0; j < size; ++j)
    for (int c = 0; c < 2; ++c)
      S[2 * j + c] = w[c % m] * (j + 1 + c) + x[(j + c) % m];
  if (in_place) {
    memcpy(R, S, 2 * size * sizeof *R);
    MPI_Alltoall(MPI_IN_PLACE, 2, MPI_DOUBLE, R, 2, MPI_DOUBLE, MPI_COMM_WORLD);
  } else {
    MPI_Alltoall(S, 2, MPI_DOUBLE, R, 2, MPI_DOUBLE, MPI_COMM_WORLD);
  }
  for (int k = 0; k < 2 * size; ++k)
    loss += 0.1 * (k + 1) * R[k] * R[k];

  /* one or two values to every rank, into a buffer with gaps */
  int sspan = pair_layout(rank, size, counts, displs, 0);
  int rspan = pair_layout(rank, size, rcounts, rdispls, 1);
  double *T = malloc(sspan * sizeof *T), *V = calloc(rspan, sizeof *V);
  for (int k = 0; k < sspan; ++k)
    T[k] = R[k % (2 * size)] * x[k % m] + a;
  if (in_place) { /* the same counts both ways: T's blocks placed as V's */
    for (int j = 0; j < size; ++j)
      for (int c = 0; c < counts[j]; ++c)
        V[rdispls[j] + c] = T[displs[j] + c];
    MPI_Alltoallv(MPI_IN_PLACE, counts, displs, MPI_DOUBLE, V, rcounts, rdispls, MPI_DOUBLE, MPI_COMM_WORLD);
  } else {
    MPI_Alltoallv(T, counts, displs, MPI_DOUBLE, V, rcounts, rdispls, MPI_DOUBLE, MPI_COMM_WORLD);
  }
  for (int k = 0; k < rspan; ++k)
    loss += exp(-0.3 * V[k] * V[k]) * mix(rank, k);

  free(counts), free(displs), free(rcounts), free(rdispls);
  free(y), free(z), free(w), free(Y), free(G), free(S), free(R), free(T), free(V);
  return loss;
}

/* the sum of every rank's result */
static double total(const double *x, double a, int in_place) {
  double v = vloss(x, a, in_place), t = 0;
  MPI_Allreduce(&v, &t, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return t;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int m = rank + 1;
  double x[4], a = 0.6;
  for (int i = 0; i < m; ++i)
    x[i] = 0.2 + 0.15 * rank - 0.07 * i;
  double results[2];
  for (int in_place = 0; in_place < 2; ++in_place) {
    double dx[4] = {0}, da = 0, da_all = 0;
    double v = ct_value_with_gradient(vloss, x, dx, a, &da, in_place), vt = 0;
    MPI_Allreduce(&v, &vt, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    MPI_Allreduce(&da, &da_all, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    results[in_place] = vt;
    CHECK_TOL(vt, total(x, a, in_place), 1e-12);
    /* central differences, one parameter of one rank at a time */
    const double h = 1e-6;
    for (int owner = 0; owner < size; ++owner)
      for (int i = 0; i <= owner; ++i) {
        double keep = x[i];
        if (rank == owner)
          x[i] = keep + h;
        double fp = total(x, a, in_place);
        if (rank == owner)
          x[i] = keep - h;
        double fm = total(x, a, in_place);
        if (rank == owner) {
          x[i] = keep;
          double fd = (fp - fm) / (2 * h);
          CHECK_SCALED(dx[i], fd, 1 + fabs(fd), 1e-6);
        }
      }
    double fd = (total(x, a + h, in_place) - total(x, a - h, in_place)) / (2 * h);
    CHECK_SCALED(da_all, fd, 1 + fabs(fd), 1e-6);
  }
  CHECK_TOL(results[1], results[0], 1e-12); /* MPI_IN_PLACE computes the same */
  int failures = check_failures, all = 0;
  MPI_Allreduce(&failures, &all, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("vcollectives (%d ranks): %d checks on rank 0, %d failures on all ranks\n", size, check_count, all);
  MPI_Finalize();
  return all != 0;
}
