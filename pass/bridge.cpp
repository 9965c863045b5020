// C wrappers over the parts of LLVM that have no C interface: diagnostics
// carrying source locations, running LLVM pass pipelines on one function,
// and LLVM's own analyses (dominance, loops, memory effects of calls).
#include "bridge.h"

#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Function.h"
#include "llvm/IR/Instruction.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/Analysis/ScalarEvolution.h"
#include "llvm/IR/Module.h"
#include "llvm/Transforms/Utils/ScalarEvolutionExpander.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/MDBuilder.h"
#include "llvm/Transforms/Utils/BasicBlockUtils.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/CodeExtractor.h"
#include "llvm/Transforms/Utils/Local.h"
#include "llvm/Transforms/Utils/LoopSimplify.h"
#include "llvm/Transforms/Scalar/SROA.h"
#include "llvm/IR/ValueHandle.h"
#include "llvm/IR/PassTimingInfo.h"
#include "llvm/IR/PassInstrumentation.h"
#include "llvm/ADT/DepthFirstIterator.h"
#include "llvm/ADT/SCCIterator.h"
#include "llvm/IR/CFG.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/SSAUpdater.h"

#include <cstdio>
#include <cstring>
#include <string>

using namespace llvm;

extern "C" void ct_bridge_diagnose(LLVMValueRef fn, LLVMValueRef at, ct_severity sev, const char *msg) {
  Function *F = unwrap<Function>(fn);
  DiagnosticLocation Loc;
  if (at) {
    if (auto *I = dyn_cast<Instruction>(unwrap(at)); I && I->getDebugLoc())
      Loc = DiagnosticLocation(I->getDebugLoc());
  }
  if (!Loc.isValid() && F->getSubprogram())
    Loc = DiagnosticLocation(F->getSubprogram());
  DiagnosticSeverity S = DS_Error;
  switch (sev) {
  case CT_SEV_ERROR: S = DS_Error; break;
  case CT_SEV_WARNING: {
    // Through the optimization-failure channel, clang reports it as a
    // warning in the -Wpass-failed group: users can silence it there or with
    // #pragma clang diagnostic, and -Werror applies as usual.
    F->getContext().diagnose(DiagnosticInfoOptimizationFailure(*F, Loc, msg));
    return;
  }
  case CT_SEV_REMARK:
  case CT_SEV_NOTE: {
    // Remarks go through the optimization-remark channel (-Rpass=cotangent).
    Instruction *I = at ? dyn_cast<Instruction>(unwrap(at)) : nullptr;
    if (I) {
      OptimizationRemark R("cotangent", "Gradient", I);
      R << msg;
      F->getContext().diagnose(R);
    } else {
      OptimizationRemark R("cotangent", "Gradient", F);
      R << msg;
      F->getContext().diagnose(R);
    }
    return;
  }
  }
  F->getContext().diagnose(DiagnosticInfoUnsupported(*F, msg, Loc, S));
}

extern "C" void ct_bridge_diagnose_at_source(LLVMContextRef ctx, unsigned long long loc, const char *msg) {
  unwrap(ctx)->diagnose(DiagnosticInfoInlineAsm(loc, msg, DS_Error));
}

// LLVM's PromoteMemToReg (in SROA) scans a block from its start, for each
// alloca that the block both loads and stores, to see which comes first:
// quadratic in a long block that updates many slots (the reverse of
// straight-line code: thousands of adjoint slots updated in one block of
// tens of thousands of instructions took 12 s at 4,000 statements). So a
// function with blocks over LongBlock instructions gets its first SROA (the
// pipeline's own first pass) with those cut into Piece-instruction pieces,
// joined again right after: the scans are bounded by a piece, and the
// pipeline that follows sees the function as SROA leaves it (its own SROA
// finds nothing more to do), so the result is the same. The entry block,
// whose allocas are the ones SROA promotes, is never cut.
static bool longerThan(const BasicBlock &BB, unsigned N) {
  for (auto I = BB.begin(); I != BB.end(); ++I)
    if (N-- == 0)
      return true;
  return false;
}

// Slots: a generated function keeps adjoints and tape cursors in allocas
// that a few blocks, often deep in the function, update; the entry block
// initialises many (zero, or a value of the entry block). PromoteMemToReg
// (in SROA) places a slot's phis with an IDF computation that walks the
// dominator subtree of every block storing to it: the whole function for the
// entry block, and all that follows for a block of straight-line code, for
// every slot (quadratic: 500 sequential loops spent 2.6 s in SROA, 250 loops
// 0.35 s). So before SROA, a slot whose accesses are all simple loads and
// stores of its allocated type, none in the entry block but its initial
// store, gets that store moved down to the nearest block that dominates all
// its other accesses and lies on no cycle (that block runs once per call,
// before any access: every load sees the same values); and the slot is
// promoted with SSAUpdater, whose work is bounded by the blocks between its
// stores and its loads. Other allocas are left to SROA.
namespace {
struct SlotPromoter : LoadAndStorePromoter {
  const SmallPtrSetImpl<Instruction *> &Accesses;
  SlotPromoter(ArrayRef<const Instruction *> Insts, SSAUpdater &S, const SmallPtrSetImpl<Instruction *> &A)
      : LoadAndStorePromoter(Insts, S), Accesses(A) {}
  bool isInstInList(Instruction *I, const SmallVectorImpl<Instruction *> &) const override {
    return Accesses.count(I);
  }
};
} // namespace

// whether AI is a slot to promote here: every access a simple load or store
// of its allocated type, none in the entry block but one store (*Init, else
// null), and at least two stores (PromoteMemToReg's fast path promotes a
// slot of one store dominating its loads in the time of its accesses)
static bool isSlot(AllocaInst *AI, BasicBlock &Entry, StoreInst **Init) {
  Type *T = AI->getAllocatedType();
  *Init = nullptr;
  if (!AI->isStaticAlloca() || !T->isSingleValueType() || AI->isUsedByMetadata())
    return false;
  unsigned Stores = 0;
  for (User *U : AI->users()) {
    if (auto *L = dyn_cast<LoadInst>(U)) {
      if (!L->isSimple() || L->getType() != T || L->getParent() == &Entry)
        return false;
    } else if (auto *S = dyn_cast<StoreInst>(U)) {
      if (!S->isSimple() || S->getPointerOperand() != AI || S->getValueOperand() == AI ||
          S->getValueOperand()->getType() != T)
        return false;
      ++Stores;
      if (S->getParent() == &Entry) {
        if (*Init) // the value it stores dominates it, so also any block below it
          return false;
        *Init = S;
      }
    } else {
      return false;
    }
  }
  return Stores > 1;
}

static void promoteSlots(Function &F) {
  BasicBlock &Entry = F.getEntryBlock();
  SmallVector<std::pair<AllocaInst *, StoreInst *>, 64> Slots;
  for (Instruction &I : Entry)
    if (auto *AI = dyn_cast<AllocaInst>(&I))
      if (StoreInst *Init; isSlot(AI, Entry, &Init))
        Slots.push_back({AI, Init});
  if (Slots.empty())
    return;
  SmallPtrSet<const BasicBlock *, 32> OnCycle;
  for (auto SCC = scc_begin(&F); !SCC.isAtEnd(); ++SCC)
    if (SCC.hasCycle())
      for (BasicBlock *BB : *SCC)
        OnCycle.insert(BB);
  DominatorTree DT(F);
  DenseMap<const BasicBlock *, BasicBlock *> Once; // the nearest dominator (or itself) on no cycle
  for (DomTreeNode *N : depth_first(DT.getRootNode()))
    Once[N->getBlock()] = OnCycle.count(N->getBlock()) ? Once[N->getIDom()->getBlock()] : N->getBlock();
  for (auto [AI, Init] : Slots) {
    BasicBlock *At = nullptr;
    SmallVector<Instruction *, 16> Insts;
    SmallVector<const Instruction *, 16> ConstInsts;
    SmallPtrSet<Instruction *, 16> Accesses;
    bool Reachable = true;
    for (User *U : AI->users()) {
      auto *I = cast<Instruction>(U);
      Insts.push_back(I);
      ConstInsts.push_back(I);
      Accesses.insert(I);
      if (I == Init)
        continue;
      if (!DT.isReachableFromEntry(I->getParent())) {
        Reachable = false;
        break;
      }
      At = At ? DT.findNearestCommonDominator(At, I->getParent()) : I->getParent();
    }
    if (!Reachable)
      continue;
    if (Init) {
      At = Once.lookup(At);
      if (!At || (At != &Entry && At->getFirstInsertionPt() == At->end()))
        continue;
      if (At != &Entry)
        Init->moveBefore(*At, At->getFirstInsertionPt());
    }
    SSAUpdater SSA;
    SlotPromoter(ConstInsts, SSA, Accesses).run(Insts);
    if (AI->use_empty())
      AI->eraseFromParent();
  }
}

static void sroaInPieces(Function &F) {
  constexpr unsigned LongBlock = 1024, Piece = 256;
  SmallVector<WeakVH, 16> Pieces;
  for (auto BB = std::next(F.begin()); BB != F.end(); ++BB) {
    if (!longerThan(*BB, LongBlock))
      continue;
    unsigned N = 0; // cut before the Piece-th instruction after the phis (and a landing pad)
    for (auto I = BB->getFirstNonPHIIt(); I != BB->end() && !I->isTerminator(); ++I)
      if (++N == Piece) {
        Pieces.push_back(BB->splitBasicBlock(I)); // the next iteration cuts the piece
        break;
      }
  }
  promoteSlots(F); // in pieces too: SSAUpdater scans a block that both loads and stores a slot
  if (Pieces.empty())
    return;
  FunctionAnalysisManager FAM;
  PassBuilder PB;
  PB.registerFunctionAnalyses(FAM);
  SROAPass(SROAOptions::ModifyCFG).run(F, FAM);
  for (WeakVH &V : Pieces)
    if (auto *BB = cast_or_null<BasicBlock>(V))
      MergeBlockIntoPredecessor(BB);
}

extern "C" void ct_bridge_simplify_function(LLVMValueRef fn) {
  Function *F = unwrap<Function>(fn);
  if (F->isDeclaration())
    return;
  sroaInPieces(*F);
  LoopAnalysisManager LAM;
  FunctionAnalysisManager FAM;
  CGSCCAnalysisManager CGAM;
  ModuleAnalysisManager MAM;
  // COTANGENT_TIME=passes: LLVM's time table of each pass, per function
  const char *Time = ct_switch(CT_SWITCH_TIME);
  bool PassTimes = Time && !strcmp(Time, "passes");
  PassInstrumentationCallbacks PIC;
  TimePassesHandler Timer(PassTimes);
  if (PassTimes) {
    fprintf(stderr, "cotangent: time of each pass simplifying %s:\n", F->getName().str().c_str());
    Timer.registerCallbacks(PIC);
  }
  PassBuilder PB(nullptr, PipelineTuningOptions(), std::nullopt, PassTimes ? &PIC : nullptr);
  PB.registerModuleAnalyses(MAM);
  PB.registerCGSCCAnalyses(CGAM);
  PB.registerFunctionAnalyses(FAM);
  PB.registerLoopAnalyses(LAM);
  PB.crossRegisterProxies(LAM, FAM, CGAM, MAM);
  FunctionPassManager FPM =
      PB.buildFunctionSimplificationPipeline(OptimizationLevel::O2, ThinOrFullLTOPhase::None);
  // Late CFG simplification may merge loop exits; the reverse pass wants
  // every loop with a preheader and dedicated exits (taping loop-invariant
  // values and induction variables once per loop run, at the exit).
  FPM.addPass(LoopSimplifyPass());
  FPM.run(*F, FAM);
}

// SLP renumbers a block's instructions each time it inserts into it and
// then asks which of two comes first: a block of tens of thousands of
// instructions (the reverse of straight-line code) with thousands of trees
// to vectorize spent most of its compile time there. LLVM has no per-function
// switch for SLP alone; noimplicitfloat stops SLP and the loop vectorizer
// (there are no loops here: no cycle at all) and only keeps the backend from
// using vector registers for memcpy and memset expansions. Such a gradient is
// over the budget of the gradients inlined into their callers (operators.c),
// so the attribute stays on it.
extern "C" void ct_bridge_limit_slp(LLVMValueRef fn) {
  Function &F = *unwrap<Function>(fn);
  constexpr unsigned LongBlock = 4096;
  Triple T(F.getParent()->getTargetTriple()); // GPU gradients are inlined whatever their size
  if (F.isDeclaration() || F.hasFnAttribute(Attribute::NoImplicitFloat) || T.isNVPTX() || T.isAMDGPU())
    return;
  bool Long = false;
  for (BasicBlock &BB : F)
    Long |= longerThan(BB, LongBlock);
  if (!Long)
    return;
  for (auto SCC = scc_begin(&F); !SCC.isAtEnd(); ++SCC)
    if (SCC.hasCycle())
      return;
  F.addFnAttr(Attribute::NoImplicitFloat);
}

extern "C" int ct_bridge_inline_call(LLVMValueRef call) {
  auto *CB = dyn_cast<CallBase>(unwrap(call));
  if (!CB || !CB->getCalledFunction() || CB->getCalledFunction()->isDeclaration())
    return 0;
  // the fused loops come along (OrderedSumsPass, plugin.cpp)
  if (CB->getCalledFunction()->hasFnAttribute("ct-ordered-sums"))
    CB->getCaller()->addFnAttr("ct-ordered-sums");
  InlineFunctionInfo IFI;
  return InlineFunction(*CB, IFI).isSuccess();
}

extern "C" LLVMValueRef ct_bridge_invoke_to_call(LLVMValueRef invoke) {
  return wrap(changeToCall(unwrap<InvokeInst>(invoke)));
}

extern "C" LLVMValueRef ct_bridge_call_to_invoke(LLVMValueRef call, LLVMBasicBlockRef unwind) {
  auto *CI = unwrap<CallInst>(call);
  BasicBlock *BB = CI->getParent();
  changeToInvokeAndSplitBasicBlock(CI, unwrap(unwind));
  return wrap(BB->getTerminator());
}

extern "C" void ct_bridge_demangle(const char *name, size_t len, char *buf, size_t n) {
  std::string D = demangle(std::string_view(name, len));
  snprintf(buf, n, "%s", D.c_str());
}

extern "C" int ct_bridge_call_may_write(LLVMValueRef call, unsigned locations) {
  MemoryEffects ME = cast<CallBase>(unwrap(call))->getMemoryEffects();
  ModRefInfo MR = ModRefInfo::NoModRef;
  if (locations & CT_MEM_ARGUMENT)
    MR |= ME.getModRef(IRMemLocation::ArgMem);
  if (locations & CT_MEM_INACCESSIBLE)
    MR |= ME.getModRef(IRMemLocation::InaccessibleMem);
  if (locations & CT_MEM_OTHER)
    MR |= ME.getModRef(IRMemLocation::Other);
  return isModSet(MR);
}

extern "C" void ct_bridge_clear_no_signed_zeros(LLVMValueRef inst) {
  cast<Instruction>(unwrap(inst))->setHasNoSignedZeros(false);
}

extern "C" int ct_bridge_dominates(LLVMValueRef a, LLVMValueRef b) {
  auto *A = unwrap<Instruction>(a), *B = unwrap<Instruction>(b);
  if (A->getFunction() != B->getFunction())
    return 0;
  DominatorTree DT(*A->getFunction());
  return DT.dominates(A, B);
}

extern "C" LLVMValueRef ct_bridge_split_if_then_unreachable(LLVMValueRef cond, LLVMValueRef before) {
  Instruction *At = unwrap<Instruction>(before);
  MDNode *Unlikely = MDBuilder(At->getContext()).createUnlikelyBranchWeights();
  return wrap(SplitBlockAndInsertIfThen(unwrap(cond), At->getIterator(), /*Unreachable=*/true, Unlikely));
}

extern "C" void ct_bridge_split_if_then_else(LLVMValueRef cond, LLVMValueRef before, LLVMValueRef *then_term,
                                             LLVMValueRef *else_term) {
  Instruction *Then = nullptr, *Else = nullptr;
  SplitBlockAndInsertIfThenElse(unwrap(cond), unwrap<Instruction>(before)->getIterator(), &Then, &Else);
  *then_term = wrap(Then);
  *else_term = wrap(Else);
}

extern "C" LLVMBasicBlockRef ct_bridge_split_edge(LLVMBasicBlockRef from, LLVMBasicBlockRef to) {
  return wrap(SplitEdge(unwrap(from), unwrap(to)));
}

extern "C" unsigned ct_bridge_loop_trip_counts(LLVMValueRef fn, ct_bridge_loop **loops_out,
                                               LLVMBasicBlockRef **blocks_out) {
  Function *F = unwrap<Function>(fn);
  FunctionAnalysisManager FAM;
  PassBuilder PB;
  PB.registerFunctionAnalyses(FAM);
  LoopInfo &LI = FAM.getResult<LoopAnalysis>(*F);
  ScalarEvolution &SE = FAM.getResult<ScalarEvolutionAnalysis>(*F);
  const DataLayout &DL = F->getParent()->getDataLayout();
  Type *I64 = Type::getInt64Ty(F->getContext());
  SmallVector<Loop *, 16> All = LI.getLoopsInPreorder();
  size_t NumBlocks = 0;
  for (Loop *L : All)
    NumBlocks += L->getNumBlocks();
  // malloc'd for the C side, which frees them
  auto *loops = static_cast<ct_bridge_loop *>(malloc((All.size() + 1) * sizeof(ct_bridge_loop)));
  auto *blocks = static_cast<LLVMBasicBlockRef *>(malloc((NumBlocks + 1) * sizeof(LLVMBasicBlockRef)));
  if (!loops || !blocks)
    report_fatal_error("cotangent: out of memory listing loops");
  *loops_out = loops;
  *blocks_out = blocks;
  unsigned N = 0, NB = 0;
  for (Loop *L : All) {
    BasicBlock *Pre = L->getLoopPreheader();
    Value *Count = nullptr;
    const SCEV *BTC = SE.getBackedgeTakenCount(L);
    // counted in i64 (an __int128 counter gets none: the loop pushes its
    // records one by one)
    if (Pre && !isa<SCEVCouldNotCompute>(BTC) && BTC->getType()->isIntegerTy() &&
        BTC->getType()->getIntegerBitWidth() <= 64) {
      const SCEV *Trips = SE.getAddExpr(SE.getZeroExtendExpr(BTC, I64), SE.getOne(I64));
      SCEVExpander Expander(SE, DL, "ct.trips");
      if (Expander.isSafeToExpand(Trips))
        Count = Expander.expandCodeFor(Trips, I64, Pre->getTerminator());
    }
    // a unique exit reached only from inside the loop
    BasicBlock *Exit = L->getUniqueExitBlock();
    if (Exit)
      for (BasicBlock *P : predecessors(Exit))
        if (!L->contains(P))
          Exit = nullptr;
    loops[N].header = wrap(L->getHeader());
    loops[N].preheader = Pre ? wrap(Pre) : nullptr;
    loops[N].exit = Exit ? wrap(Exit) : nullptr;
    loops[N].trip_count = Count ? wrap(Count) : nullptr;
    loops[N].first_block = NB;
    loops[N].nblocks = L->getNumBlocks();
    for (BasicBlock *B : L->blocks())
      blocks[NB++] = wrap(B);
    ++N;
  }
  return N;
}

extern "C" LLVMValueRef ct_bridge_extract_region(LLVMBasicBlockRef *blocks, unsigned n, const char *name) {
  SmallVector<BasicBlock *, 16> BBs;
  for (unsigned i = 0; i < n; ++i)
    BBs.push_back(unwrap(blocks[i]));
  Function &F = *BBs[0]->getParent();
  CodeExtractor CE(BBs, nullptr, false, nullptr, nullptr, nullptr, false, /*AllowAlloca=*/true, nullptr, name);
  if (!CE.isEligible())
    return nullptr;
  CodeExtractorAnalysisCache CEAC(F);
  Function *NF = CE.extractCodeRegion(CEAC);
  if (!NF)
    return nullptr;
  for (User *U : NF->users())
    if (auto *CI = dyn_cast<CallInst>(U))
      return wrap(CI);
  return nullptr;
}

// The loop vectorizer reads its option at each loop; a compile is one
// thread. The option is looked up once: when the command line set it (any
// value), it is left alone.
extern "C" void ct_bridge_ordered_sums(int on) {
  static cl::Option *Opt = nullptr;
  static bool Looked = false, IsOn = false;
  if (!Looked) {
    Looked = true;
    StringMap<cl::Option *> &Opts = cl::getRegisteredOptions();
    auto It = Opts.find("force-ordered-reductions");
    if (It != Opts.end() && It->second->getNumOccurrences() == 0)
      Opt = It->second;
  }
  if (!Opt || IsOn == (on != 0))
    return;
  if (on)
    Opt->addOccurrence(0, "force-ordered-reductions", "true");
  else
    Opt->reset();
  IsOn = on != 0;
}

extern "C" void ct_bridge_pointer_delays(LLVMBasicBlockRef bb, const LLVMValueRef *ptrs, unsigned n, int *group,
                                         long long *delay, long long *step) {
  BasicBlock *BB = unwrap(bb);
  Function *F = BB->getParent();
  FunctionAnalysisManager FAM;
  PassBuilder PB;
  PB.registerFunctionAnalyses(FAM);
  LoopInfo &LI = FAM.getResult<LoopAnalysis>(*F);
  ScalarEvolution &SE = FAM.getResult<ScalarEvolutionAnalysis>(*F);
  Loop *L = LI.getLoopFor(BB);
  SmallVector<const SCEVAddRecExpr *, 16> AR(n, nullptr);
  for (unsigned K = 0; K < n; ++K) {
    group[K] = -1;
    delay[K] = step[K] = 0;
    Value *P = unwrap(ptrs[K]);
    if (!L || !SE.isSCEVable(P->getType()))
      continue;
    auto *A = dyn_cast<SCEVAddRecExpr>(SE.getSCEV(P));
    auto *S = A && A->getLoop() == L && A->isAffine() ? dyn_cast<SCEVConstant>(A->getStepRecurrence(SE)) : nullptr;
    if (S && !S->getValue()->isZero() && S->getAPInt().getSignificantBits() <= 32)
      AR[K] = A, step[K] = S->getAPInt().getSExtValue();
  }
  int Groups = 0;
  for (unsigned K = 0; K < n; ++K) {
    if (!AR[K] || group[K] >= 0)
      continue;
    // offsets in steps from K's start; delay = the largest offset minus one's own
    long long Max = 0;
    group[K] = Groups;
    for (unsigned J = K + 1; J < n; ++J) {
      if (!AR[J] || group[J] >= 0 || step[J] != step[K])
        continue;
      auto *D = dyn_cast<SCEVConstant>(SE.getMinusSCEV(AR[J]->getStart(), AR[K]->getStart()));
      if (!D || D->getAPInt().getSignificantBits() > 40 || D->getAPInt().getSExtValue() % step[K])
        continue;
      long long Off = D->getAPInt().getSExtValue() / step[K];
      if (Off > 64 || Off < -64) // a chain longer than that waits in too many registers
        continue;
      group[J] = Groups;
      delay[J] = Off;
      Max = Off > Max ? Off : Max;
    }
    for (unsigned J = K; J < n; ++J)
      if (group[J] == Groups)
        delay[J] = Max - delay[J];
    ++Groups;
  }
}
