// MPI calls on the differentiated path: the calls without derivative (rank,
// size, timer, barrier, communicator and datatype management, an integer
// broadcast) compile, and an MPI routine Cotangent does not differentiate
// (non-blocking collectives such as MPI_Iallreduce, MPI_Scan) on differentiable data
// is a compile error that names the call and lists the routines it does
// differentiate (with and without -g).
// REQUIRES: mpi
// RUN: not %cc --mpi -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc --mpi -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc --mpi -O0 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc --mpi -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>
#include <mpi.h>

// CHECK-NOT: error: cannot differentiate 'inactive_calls'
double inactive_calls(const double *x, int n) {
  int rank, size, steps = 3;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Bcast(&steps, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Comm half;
  MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
  MPI_Datatype pair;
  MPI_Type_contiguous(2, MPI_INT, &pair);
  MPI_Type_commit(&pair);
  MPI_Type_free(&pair);
  MPI_Comm_free(&half);
  double t = MPI_Wtime(), s = 0;
  MPI_Barrier(MPI_COMM_WORLD);
  for (int k = 0; k < steps; ++k)
    for (int i = 0; i < n; ++i)
      s += x[i] * x[i] * (rank + 1) / size;
  return s + 0 * t;
}

double nonblocking(double *x, double *y) {
  MPI_Request req;
  // CHECK-DAG: diag_mpi.c:[[@LINE+1]]:3: error: cannot differentiate 'nonblocking': call to 'MPI_Iallreduce' has no derivative; an MPI routine Cotangent has no derivative for: it differentiates MPI_Send, MPI_Ssend, MPI_Recv, MPI_Sendrecv, MPI_Isend and MPI_Irecv with MPI_Wait/MPI_Waitall/MPI_Waitany/MPI_Test/MPI_Testall, MPI_Allreduce and MPI_Reduce (MPI_SUM, MPI_MAX, MPI_MIN), MPI_Bcast, MPI_Gather, MPI_Scatter, MPI_Allgather, their `v` forms, MPI_Alltoall and MPI_Alltoallv (README, section 'MPI')
  MPI_Iallreduce(x, y, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &req);
  MPI_Wait(&req, MPI_STATUS_IGNORE);
  return y[0];
}

double scan(const double *x, double *y) {
  // CHECK-DAG: diag_mpi.c:[[@LINE+1]]:3: error: cannot differentiate 'scan': call to 'MPI_Scan' has no derivative; an MPI routine Cotangent has no derivative for
  MPI_Scan(x, y, 2, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return y[0] * y[1];
}

void grads(double *x, double *dx, double *y, double *dy) {
  ct_gradient(inactive_calls, x, dx, 4);
  ct_gradient(nonblocking, x, dx, y, dy);
  ct_gradient(scan, x, dx, y, dy);
}
