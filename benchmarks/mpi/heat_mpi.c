/* The MPI benchmark (scripts/bench --mpi): a 1-D heat equation with a cubic
 * sink, CELLS cells per rank (weak scaling: the work per rank is fixed),
 * STEPS explicit steps with a halo exchange (two MPI_Sendrecv) each, and an
 * MPI_Allreduce loss returned on rank 0. Times (the fastest of REPS runs,
 * between barriers) the primal and the value + gradient with respect to the
 * initial state and the diffusivity, and prints on rank 0 one line
 *   MPI {"ranks": R, "cells_per_rank": C, "steps": S, "primal_s": P, "gradient_s": G, "ratio": G/P}
 * Arguments: cells=N steps=N reps=N. */
#include <cotangent.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int arg(int argc, char **argv, const char *key, int fallback) {
  size_t n = strlen(key);
  for (int i = 1; i < argc; ++i)
    if (!strncmp(argv[i], key, n) && argv[i][n] == '=')
      return atoi(argv[i] + n + 1);
  return fallback;
}

static double heat(const double *u0, double k, int n, int steps) {
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double *u = calloc(n + 2, sizeof *u), *v = calloc(n + 2, sizeof *v);
  memcpy(u + 1, u0, n * sizeof *u);
  for (int t = 0; t < steps; ++t) {
    MPI_Sendrecv(&u[n], 1, MPI_DOUBLE, right, 0, &u[0], 1, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 1, &u[n + 1], 1, MPI_DOUBLE, right, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    for (int i = 1; i <= n; ++i)
      v[i] = u[i] + k * (u[i - 1] - 2 * u[i] + u[i + 1]) - 0.05 * u[i] * u[i] * u[i];
    double *w = u;
    u = v;
    v = w;
  }
  double local = 0, loss = 0;
  for (int i = 1; i <= n; ++i)
    local += u[i] * u[i];
  MPI_Allreduce(&local, &loss, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  free(u);
  free(v);
  return rank == 0 ? loss : 0.0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int n = arg(argc, argv, "cells", 20000), steps = arg(argc, argv, "steps", 100), reps = arg(argc, argv, "reps", 5);
  double *u0 = malloc(n * sizeof *u0), *du0 = malloc(n * sizeof *du0), dk = 0, sink = 0;
  for (int i = 0; i < n; ++i)
    u0[i] = 0.5 + 0.4 * ((rank * n + i) % 17) / 17.0;
  double best[2] = {1e30, 1e30};
  for (int r = 0; r < reps; ++r)
    for (int which = 0; which < 2; ++which) {
      memset(du0, 0, n * sizeof *du0);
      MPI_Barrier(MPI_COMM_WORLD);
      double t0 = MPI_Wtime();
      sink += which ? ct_value_with_gradient(heat, u0, du0, 0.2, &dk, n, steps) : heat(u0, 0.2, n, steps);
      MPI_Barrier(MPI_COMM_WORLD);
      double t = MPI_Wtime() - t0;
      if (t < best[which])
        best[which] = t;
    }
  if (rank == 0)
    printf("MPI {\"ranks\": %d, \"cells_per_rank\": %d, \"steps\": %d, \"primal_s\": %.6g, \"gradient_s\": %.6g, "
           "\"ratio\": %.3f, \"check\": %.6g}\n",
           size, n, steps, best[0], best[1], best[1] / best[0], sink + du0[0] + dk);
  free(u0);
  free(du0);
  MPI_Finalize();
  return 0;
}
