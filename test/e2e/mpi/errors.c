/* MPI uses whose derivative Cotangent cannot compute stop the whole job in
 * the reverse pass with a message naming the call (MPI_Abort), never a hang
 * or a wrong gradient; run.sh runs each case with 2 ranks under a timeout
 * and checks the message:
 *   derived   a derived datatype (two doubles) carrying differentiable data
 *   any       a receive from MPI_ANY_SOURCE (the adjoint has no destination)
 *   size      a receive whose count (4) differs from the message's (2): the
 *             adjoint message the sender gets back has the wrong size
 *   prod      an MPI_Allreduce with MPI_PROD
 * Without an argument (1, 2 or 4 ranks) the same shapes with MPI_DOUBLE, a
 * named source, matching counts and MPI_SUM differentiate correctly. */
/* run.sh expect: 2 derived a datatype other than MPI_DOUBLE and MPI_FLOAT */
/* run.sh expect: 2 any the derivative of MPI_Recv: a receive from MPI_ANY_SOURCE */
/* run.sh expect: 2 size the derivative of MPI_Send: the adjoint message from rank 1 has 4 elements where the send had 2 */
/* run.sh expect: 2 prod the derivative of MPI_Allreduce: a reduction other than MPI_SUM, MPI_MAX and MPI_MIN */
#include "../check.h"

#include <cotangent.h>
#include <mpi.h>
#include <string.h>

static int mode; /* 0: correct; 1 derived, 2 any, 3 size, 4 prod */
static MPI_Datatype pair; /* two doubles */

/* rank 0 sends 2 * x to rank 1, which returns the sum of squares of what it
 * received (the others return 0); then a reduction of the result */
static double pass_on(const double *x, int rank, int size) {
  double buf[4] = {2 * x[0], 2 * x[1], 0, 0}, r = 0;
  if (size > 1 && rank == 0) {
    if (mode == 1)
      MPI_Send(buf, 1, pair, 1, 7, MPI_COMM_WORLD);
    else
      MPI_Send(buf, 2, MPI_DOUBLE, 1, 7, MPI_COMM_WORLD);
  } else if (size > 1 && rank == 1) {
    if (mode == 1)
      MPI_Recv(buf, 1, pair, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    else
      MPI_Recv(buf, mode == 3 ? 4 : 2, MPI_DOUBLE, mode == 2 ? MPI_ANY_SOURCE : 0, 7, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
    r = buf[0] * buf[0] + buf[1] * buf[1];
  }
  double all = 0;
  MPI_Allreduce(&r, &all, 1, MPI_DOUBLE, mode == 4 ? MPI_PROD : MPI_SUM, MPI_COMM_WORLD);
  return rank == 0 ? all : 0.0;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *names[] = {"", "derived", "any", "size", "prod"};
  for (int m = 1; m < 5; ++m)
    if (argc > 1 && !strcmp(argv[1], names[m]))
      mode = m;
  MPI_Type_contiguous(2, MPI_DOUBLE, &pair);
  MPI_Type_commit(&pair);
  double x[2] = {0.5 + rank, -1.5 + rank}, dx[2] = {0, 0};
  ct_gradient(pass_on, x, dx, rank, size);
  /* only rank 0's x reaches the loss: 8 x (with 2 ranks or more) */
  for (int i = 0; i < 2; ++i)
    CHECK_TOL(dx[i], rank == 0 && size > 1 ? 8 * x[i] : 0.0, 1e-12);
  MPI_Type_free(&pair);
  int failures = check_failures, total = 0;
  MPI_Allreduce(&failures, &total, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    printf("errors (%d ranks, %s): %d failures on all ranks\n", size, mode ? names[mode] : "no error", total);
  MPI_Finalize();
  return total != 0;
}
