/* MPI calls (mpi.c): the point-to-point and collective routines whose
 * calls get a derivative from a table, through the custom-derivative
 * machinery (custom.c), with the adjoint communication in lib/mpi.c
 * (libcotangent_mpi.a); and the MPI calls that carry no derivative. */
#ifndef CT_PASS_MPI_H
#define CT_PASS_MPI_H
#include "gen.h"

/* Registers each declared MPI routine of the table used in the module: its
 * pullback (__ct_mpi_<routine>) and access letters, as for CT_DERIVATIVE_IS
 * and CT_ACCESS. Returns whether anything changed. */
int mpi_register(ct_module *m);
/* Is call an MPI call that carries no derivative (MPI_Comm_rank, MPI_Wtime,
 * communicator and datatype management, MPI_Barrier, ...)? */
int mpi_is_inactive(LLVMValueRef call);
/* Is call a table routine whose datatype may be MPI_DOUBLE or MPI_FLOAT (a
 * constant naming one, or a value known only at run time)? Its received
 * buffers are differentiable whatever its operands, and its reverse runs on
 * every rank, active or not, so that the adjoint messages match. */
int mpi_moves_fp(LLVMValueRef call);
/* Is fn a table routine (registered by mpi_register)? */
int mpi_is(LLVMValueRef fn);
/* Bytes of buffer argument k of a table call that its pullback reads (the
 * inputs of an MPI_MAX/MPI_MIN reduction; 0 otherwise), from the runtime's
 * extent function __ct_mpi_<routine>_extent and the arguments as `value`
 * gives them: the pass copies them to the tape when written after the call. */
LLVMValueRef mpi_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef),
                            int forward);
/* Are the requests in argument k of fn (MPI_Wait, MPI_Waitall) copied to
 * the tape right before the call (which frees them)? */
int mpi_reads_old(LLVMValueRef fn, unsigned k);
/* Is argument k of fn copied to the tape right after every call (the input
 * of a reduction, the request of a non-blocking call)? */
int mpi_keeps_after(LLVMValueRef fn, unsigned k);
/* Is argument k of fn the request of a non-blocking call (MPI_Isend,
 * MPI_Irecv), copied to the tape right after the call, where the forward
 * pass records it with the buffer's shadow (__ct_mpi_<routine>_record)? */
int mpi_records(LLVMValueRef fn, unsigned k);
/* For a call of fn with no derivative: a hint when fn is an MPI routine
 * Cotangent does not differentiate (NULL otherwise). */
const char *mpi_unsupported_hint(LLVMValueRef fn);
#endif
