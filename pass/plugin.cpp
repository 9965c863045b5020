// Plugin registration: the same libcotangent.so is loaded by clang as
// -fplugin= (the attribute frontend) and -fpass-plugin= (this file), and by
// opt-19 -load-pass-plugin. All the work happens in the C core (in clang,
// the library loads the attribute frontend: frontend_load.c).
#include "bridge.h"

#include <cstdlib>

#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"

using namespace llvm;

namespace {

// PipelineStart: lower annotations to metadata and protect operator targets.
struct LowerPass : PassInfoMixin<LowerPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    return ct_lower_module(wrap(&M)) ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

// OptimizerEarly: generate gradients and replace operator calls.
struct DifferentiatePass : PassInfoMixin<DifferentiatePass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    return ct_differentiate_module(wrap(&M)) ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

// VectorizerStart, on each function just before the loop vectorizer: in a
// gradient with fused reductions (fused.c marks it ct-ordered-sums), the
// vectorizer may keep floating-point sums in order (each vector's lanes
// added one by one, as the function adds them), so the loop's other
// arithmetic runs in vector lanes and the value stays the function's to the
// bit. LLVM allows ordered reductions per target (not x86) or by a global
// option: set here for marked functions, cleared for the others and at
// OptimizerLast (ct_bridge_ordered_sums).
struct OrderedSumsPass : PassInfoMixin<OrderedSumsPass> {
  PreservedAnalyses run(Function &F, FunctionAnalysisManager &) {
    ct_bridge_ordered_sums(F.hasFnAttribute("ct-ordered-sums"));
    return PreservedAnalyses::all();
  }
  static bool isRequired() { return true; }
};

// OptimizerLast: vector forward mode's products of zero directions dropped;
// sin and cos of one operand side by side (one sincos call).
struct PairSinCosPass : PassInfoMixin<PairSinCosPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    ct_bridge_ordered_sums(0);
    bool Changed = ct_zero_lanes_module(wrap(&M)) != 0;
    Changed |= ct_pair_sin_cos_module(wrap(&M)) != 0;
    return Changed ? PreservedAnalyses::none() : PreservedAnalyses::all();
  }
};

// COTANGENT_DIFFERENTIATE_EARLY=1 differentiates at PipelineStart, before
// LLVM's simplification (for measuring what the normal placement, after
// it, is worth: the benchmark harness's "AD before optimization" mode).
bool differentiateEarly() {
  const char *V = ct_switch(CT_SWITCH_DIFFERENTIATE_EARLY);
  return V && *V && *V != '0';
}

void registerCallbacks(PassBuilder &PB) {
  bool Early = differentiateEarly();
  PB.registerPipelineStartEPCallback([Early](ModulePassManager &MPM, OptimizationLevel) {
    MPM.addPass(LowerPass());
    if (Early)
      MPM.addPass(DifferentiatePass());
  });
  if (!Early)
    PB.registerOptimizerEarlyEPCallback(
        [](ModulePassManager &MPM, OptimizationLevel) { MPM.addPass(DifferentiatePass()); });
  PB.registerVectorizerStartEPCallback(
      [](FunctionPassManager &FPM, OptimizationLevel) { FPM.addPass(OrderedSumsPass()); });
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) { MPM.addPass(PairSinCosPass()); });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM, ArrayRef<PassBuilder::PipelineElement>) {
        if (Name == "cotangent-lower") { MPM.addPass(LowerPass()); return true; }
        if (Name == "cotangent-differentiate") { MPM.addPass(DifferentiatePass()); return true; }
        if (Name == "cotangent") {
          MPM.addPass(LowerPass());
          MPM.addPass(DifferentiatePass());
          return true;
        }
        return false;
      });
}

// A malformed row of the derivative rule table (rules.c) stops every
// compilation at once, not only those that differentiate its operation.
void checkRules() {
  char Err[512];
  if (!ct_check_rules(Err, sizeof Err)) {
    fprintf(stderr, "cotangent: internal error: %s\n", Err);
    exit(1);
  }
}

__attribute__((constructor)) void onLoad() {
  ct_switches_load();
  checkRules();
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "cotangent", "0.1.0", registerCallbacks};
}
