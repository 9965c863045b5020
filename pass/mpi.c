/* MPI calls. A simulation that outgrows one machine exchanges halos and
 * reduces losses with MPI; those calls' bodies are in the MPI library, so
 * the pass cannot differentiate them. Each routine of the table below gets,
 * at PipelineStart, what a user gets from CT_DERIVATIVE_IS and CT_ACCESS: a
 * pullback in libcotangent_mpi.a (lib/mpi.c) that runs the adjoint
 * communication (the reverse of a send is a receive of the adjoint, of an
 * allreduce-sum an allreduce-sum of the adjoint, of a broadcast a reduction
 * to the root, ...), and one access letter per parameter: 'w' for the
 * buffers the routine writes (their shadows get the adjoint of the old
 * contents back), 'r' for the input of a reduction (an MPI_MAX / MPI_MIN
 * pullback reads it: always copied to the tape after the call, as the
 * input may be a local that dies before the reverse pass; its size from the
 * runtime's extent function, 0 bytes for MPI_SUM), 'i' for
 * the other pointers (buffers sent, communicators, datatypes, operations,
 * statuses), which the pullbacks never read as data.
 *
 * Two rules keep the ranks' reverse passes matched:
 *  - a call whose datatype may be MPI_DOUBLE or MPI_FLOAT (a constant naming
 *    one, or a value known only at run time) makes its received buffers
 *    differentiable whatever its operands (the rank that receives has no
 *    differentiable operand, its partner's send does), and
 *  - such a call is reversed on every rank, active or not (classify.c): an
 *    inactive buffer sends zeros and drops what it receives, so the partner's
 *    adjoint message is always matched.
 * Integer, character and other datatypes carry no derivative (their
 * pullback does nothing); a derived or unknown datatype on differentiable
 * data stops the program with a message naming the call (lib/mpi.c).
 *
 * Non-blocking calls: the request of MPI_Isend / MPI_Irecv is copied to
 * the tape right after the call, where the forward pass also records it with
 * the buffer's shadow (__ct_mpi_<routine>_record); MPI_Wait / MPI_Waitall /
 * MPI_Waitany / MPI_Test / MPI_Testall's requests are copied right before
 * the call (which frees those it completes), the flag or index it sets
 * right after. The completion's pullback posts the adjoint communication,
 * the call's completes it.
 *
 * MPI calls with nothing to differentiate (ranks, sizes, timers,
 * communicator/group/datatype management, barriers) are inactive; other MPI
 * routines on the differentiated path are refused with a hint. Only Open
 * MPI's ABI (handles are pointers to predefined globals, ompi_mpi_double)
 * is known to the table; another MPI's calls are refused the same way. */
#include "mpi.h"

#include <stdlib.h>
#include <string.h>

#define MPI_ATTR "ct-mpi"

typedef struct {
  const char *name;
  const char *access;  /* one letter per parameter */
  signed char type[2]; /* the datatype parameters (-1: none) */
  unsigned after;      /* the parameters copied to the tape right after the call, always (bits
                          KEEP(k)): the input of a reduction (0 bytes for a sum), a request (then
                          recorded, below), the counts and displacements of a `v` collective */
  signed char before;  /* requests copied to the tape right before the call (-1: none) */
} mpi_routine;

#define KEEP(k) (1u << (k))

static const mpi_routine ROUTINES[] = {
    /* buf, count, type, dest, tag, comm */
    {"MPI_Send", "i.i..i", {2, -1}, 0, -1},
    {"MPI_Ssend", "i.i..i", {2, -1}, 0, -1},
    /* buf, count, type, source, tag, comm, status */
    {"MPI_Recv", "w.i..ii", {2, -1}, 0, -1},
    /* sendbuf, scount, stype, dest, stag, recvbuf, rcount, rtype, source, rtag, comm, status */
    {"MPI_Sendrecv", "i.i..w.i..ii", {2, 7}, 0, -1},
    /* sendbuf, recvbuf, count, type, op, comm */
    {"MPI_Allreduce", "rw.iii", {3, -1}, KEEP(0), -1},
    /* sendbuf, recvbuf, count, type, op, root, comm */
    {"MPI_Reduce", "rw.ii.i", {3, -1}, KEEP(0), -1},
    /* buf, count, type, root, comm */
    {"MPI_Bcast", "w.i.i", {2, -1}, 0, -1},
    /* sendbuf, scount, stype, recvbuf, rcount, rtype, root, comm */
    {"MPI_Gather", "i.iw.i.i", {2, 5}, 0, -1},
    {"MPI_Scatter", "i.iw.i.i", {2, 5}, 0, -1},
    /* sendbuf, scount, stype, recvbuf, rcount, rtype, comm */
    {"MPI_Allgather", "i.iw.ii", {2, 5}, 0, -1},
    {"MPI_Alltoall", "i.iw.ii", {2, 5}, 0, -1},
    /* the `v` forms: per-rank counts and displacements (int arrays the
       adjoint reads: always on the tape, n ints each where significant) */
    /* sendbuf, scount, stype, recvbuf, rcounts, displs, rtype, root, comm */
    {"MPI_Gatherv", "i.iwrri.i", {2, 6}, KEEP(4) | KEEP(5), -1},
    /* sendbuf, scounts, displs, stype, recvbuf, rcount, rtype, root, comm */
    {"MPI_Scatterv", "irriw.i.i", {3, 6}, KEEP(1) | KEEP(2), -1},
    /* sendbuf, scount, stype, recvbuf, rcounts, displs, rtype, comm */
    {"MPI_Allgatherv", "i.iwrrii", {2, 6}, KEEP(4) | KEEP(5), -1},
    /* sendbuf, scounts, sdispls, stype, recvbuf, rcounts, rdispls, rtype, comm */
    {"MPI_Alltoallv", "irriwrrii", {3, 7}, KEEP(1) | KEEP(2) | KEEP(5) | KEEP(6), -1},
    /* non-blocking: buf, count, type, peer, tag, comm, request; the request
       is recorded (lib/mpi.c) with the buffer's shadow right after the call */
    {"MPI_Isend", "i.i..ii", {2, -1}, KEEP(6), -1},
    {"MPI_Irecv", "w.i..ii", {2, -1}, KEEP(6), -1},
    /* request(s), copied before the call (which frees them), then status(es) */
    {"MPI_Wait", "ii", {-1, -1}, 0, 0},
    {"MPI_Waitall", ".ii", {-1, -1}, 0, 1},
    /* request(s) copied before, the flag (index) the call set copied after:
       a test that completed, or the request a wait-any completed, is
       reversed as a wait */
    {"MPI_Test", "iri", {-1, -1}, KEEP(1), 0},
    /* count, requests, flag / index, status(es) */
    {"MPI_Testall", ".iri", {-1, -1}, KEEP(2), 1},
    {"MPI_Waitany", ".iri", {-1, -1}, KEEP(2), 1},
};
enum { NROUTINES = sizeof ROUTINES / sizeof ROUTINES[0] };

/* Calls that move no differentiable values: exact names, then prefixes. */
static const char *const INACTIVE[] = {
    "MPI_Init", "MPI_Init_thread", "MPI_Finalize", "MPI_Initialized", "MPI_Finalized", "MPI_Query_thread",
    "MPI_Abort", "MPI_Wtime", "MPI_Wtick", "MPI_Barrier", "MPI_Get_count", "MPI_Get_processor_name",
    "MPI_Error_string", "MPI_Error_class", "MPI_Get_version", "MPI_Get_library_version", "MPI_Dims_create",
    "MPI_Op_free", "MPI_Request_free", NULL};
static const char *const INACTIVE_PREFIXES[] = {"MPI_Comm_", "MPI_Group_", "MPI_Cart_", "MPI_Graph_",
                                                "MPI_Dist_graph_", "MPI_Type_", "MPI_Info_", "MPI_Errhandler_",
                                                "MPI_Attr_", "MPI_Keyval_", NULL};

static const mpi_routine *lookup(const char *name, size_t len) {
  for (unsigned i = 0; i < NROUTINES; ++i)
    if (strlen(ROUTINES[i].name) == len && !memcmp(ROUTINES[i].name, name, len))
      return &ROUTINES[i];
  return NULL;
}

static const mpi_routine *routine_of(LLVMValueRef fn) {
  if (!fn || !LLVMIsAFunction(fn) || !LLVMGetStringAttributeAtIndex(fn, LLVMAttributeFunctionIndex, MPI_ATTR, 6))
    return NULL;
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  return lookup(name, len);
}

int mpi_register(ct_module *m) {
#ifndef CT_HAVE_MPI
  (void)m;
  return 0; /* built without MPI: no adjoints to call */
#else
  int changed = 0;
  for (LLVMValueRef f = LLVMGetFirstFunction(m->mod); f; f = LLVMGetNextFunction(f)) {
    size_t len = 0;
    const char *name = LLVMGetValueName2(f, &len);
    const mpi_routine *r = LLVMIsDeclaration(f) ? lookup(name, len) : NULL;
    if (!r || LLVMCountParams(f) != strlen(r->access) ||
        LLVMGetStringAttributeAtIndex(f, LLVMAttributeFunctionIndex, "ct-custom-derivative", 20))
      continue;
    /* Open MPI's handles are pointers: a datatype parameter of another
       type (MPICH's int handles) is not the ABI lib/mpi.c is built for */
    LLVMValueRef p = r->type[0] >= 0 ? LLVMGetParam(f, (unsigned)r->type[0]) : NULL;
    if (p && LLVMGetTypeKind(LLVMTypeOf(p)) != LLVMPointerTypeKind)
      continue;
    char *pb = util_format("__ct_mpi_%.*s", (int)len, name);
    custom_register_on_target(m, f, pb, strlen(pb));
    free(pb);
    custom_set_access(m, f, r->access, strlen(r->access));
    LLVMAddAttributeAtIndex(f, LLVMAttributeFunctionIndex, LLVMCreateStringAttribute(m->ctx, MPI_ATTR, 6, "", 0));
    changed = 1;
  }
  return changed;
#endif
}

int mpi_is(LLVMValueRef fn) { return routine_of(fn) != NULL; }

int mpi_reads_old(LLVMValueRef fn, unsigned k) {
  const mpi_routine *r = routine_of(fn);
  return r && r->before == (int)k;
}

int mpi_keeps_after(LLVMValueRef fn, unsigned k) {
  const mpi_routine *r = routine_of(fn);
  return r && k < 32 && (r->after >> k & 1);
}

int mpi_records(LLVMValueRef fn, unsigned k) {
  const mpi_routine *r = routine_of(fn);
  return r && k < 32 && (r->after >> k & 1) && r->type[0] >= 0 && r->access[k] == 'i'; /* a request */
}

LLVMValueRef mpi_kept_bytes(ct_gen *g, LLVMValueRef call, unsigned k, LLVMValueRef (*value)(ct_gen *, LLVMValueRef),
                            int forward) {
  LLVMValueRef fn = LLVMGetCalledValue(call);
  size_t len = 0;
  const char *name = LLVMGetValueName2(fn, &len);
  /* the forward pass records a request with its buffer's shadow */
  int record = forward && mpi_records(fn, k);
  char *ext = util_format("__ct_mpi_%.*s_%s", (int)len, name, record ? "record" : "extent");
  unsigned n = LLVMCountParams(fn);
  LLVMTypeRef *params = malloc((n + 2) * sizeof *params);
  LLVMValueRef *args = malloc((n + 2) * sizeof *args);
  LLVMGetParamTypes(LLVMGlobalGetValueType(fn), params);
  for (unsigned i = 0; i < n; ++i)
    args[i] = value(g, LLVMGetOperand(call, i));
  params[n] = LLVMInt32TypeInContext(g->m->ctx);
  args[n] = LLVMConstInt(params[n], k, 0);
  if (record) {
    LLVMValueRef sh = vmap_get(&g->shadow, LLVMGetOperand(call, 0));
    params[n + 1] = g->ptr_ty;
    args[n + 1] = sh ? sh : LLVMConstNull(g->ptr_ty);
  }
  LLVMTypeRef fty = LLVMFunctionType(g->i64_ty, params, n + 1 + (unsigned)record, 0);
  LLVMValueRef f = ir_declare_function(g->m->mod, ext, fty, NULL);
  LLVMValueRef bytes = LLVMBuildCall2(g->m->b, fty, f, args, n + 1 + (unsigned)record, "ct.mpi.bytes");
  free(ext);
  free(params);
  free(args);
  return bytes;
}

static int has_prefix(const char *name, size_t len, const char *prefix) {
  size_t n = strlen(prefix);
  return len > n && !strncmp(name, prefix, n);
}

int mpi_is_inactive(LLVMValueRef call) {
  size_t len = 0;
  const char *name = util_callee_name(call, &len);
  if (!name || !has_prefix(name, len, "MPI_"))
    return 0;
  for (const char *const *p = INACTIVE; *p; ++p)
    if (strlen(*p) == len && !memcmp(*p, name, len))
      return 1;
  for (const char *const *p = INACTIVE_PREFIXES; *p; ++p)
    if (has_prefix(name, len, *p))
      return 1;
  return 0;
}

/* Is datatype operand v possibly MPI_DOUBLE or MPI_FLOAT? Open MPI's
 * predefined datatypes are the globals ompi_mpi_<type>. */
static int may_be_fp_type(LLVMValueRef v) {
  if (!LLVMIsAGlobalVariable(v))
    return !LLVMIsAConstantPointerNull(v); /* a run-time value: lib/mpi.c decides */
  size_t len = 0;
  const char *name = LLVMGetValueName2(v, &len);
  if (!has_prefix(name, len, "ompi_mpi_"))
    return 1;
  return (len == 15 && !memcmp(name, "ompi_mpi_double", 15)) || (len == 14 && !memcmp(name, "ompi_mpi_float", 14));
}

int mpi_moves_fp(LLVMValueRef call) {
  if (!LLVMIsACallInst(call))
    return 0;
  const mpi_routine *r = routine_of(LLVMGetCalledValue(call));
  if (!r)
    return 0;
  if (r->type[0] < 0) /* a wait: reversed wherever its requests may be (it finds their records) */
    return 1;
  for (int i = 0; i < 2; ++i)
    if (r->type[i] >= 0 && may_be_fp_type(LLVMGetOperand(call, (unsigned)r->type[i])))
      return 1;
  return 0;
}

const char *mpi_unsupported_hint(LLVMValueRef fn) {
  size_t len = 0;
  const char *name = fn && LLVMIsAFunction(fn) ? LLVMGetValueName2(fn, &len) : NULL;
  if (!name || !(has_prefix(name, len, "MPI_") || has_prefix(name, len, "PMPI_")))
    return NULL;
#ifndef CT_HAVE_MPI
  return "Cotangent was built without MPI (run scripts/setup, which installs libopenmpi-dev and openmpi-bin, "
         "and rebuild): MPI calls are not differentiated";
#else
  if (lookup(name, len))
    return "an MPI routine declared with another interface than Open MPI's <mpi.h> (Cotangent differentiates "
           "Open MPI's calls)";
  return "an MPI routine Cotangent has no derivative for: it differentiates MPI_Send, MPI_Ssend, MPI_Recv, "
         "MPI_Sendrecv, MPI_Isend and MPI_Irecv with MPI_Wait/MPI_Waitall/MPI_Waitany/MPI_Test/MPI_Testall, "
         "MPI_Allreduce and MPI_Reduce (MPI_SUM, MPI_MAX, MPI_MIN), MPI_Bcast, MPI_Gather, MPI_Scatter, "
         "MPI_Allgather, their `v` forms, MPI_Alltoall and MPI_Alltoallv (README, section 'MPI')";
#endif
}
