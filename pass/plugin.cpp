// Plugin registration: the same libcotangent.so is loaded by clang as
// -fplugin= (the attribute frontend) and -fpass-plugin= (this file), and by
// opt-19 -load-pass-plugin. All the work happens in the C core.
//
// The attribute frontend needs libclang-cpp, which must not be loaded into
// opt (both define the same command-line options). So it lives in a helper
// library next to this one, libcotangent_frontend.so, loaded from here only
// when the hosting process is clang (libclang-cpp already loaded).
#include "bridge.h"

#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <string>

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

// OptimizerLast: sin and cos of one operand side by side (one sincos call).
struct PairSinCosPass : PassInfoMixin<PairSinCosPass> {
  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    return ct_pair_sin_cos_module(wrap(&M)) ? PreservedAnalyses::none() : PreservedAnalyses::all();
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

void loadFrontendIfInClang() {
  void *ClangCpp = dlopen("libclang-cpp.so.19.1", RTLD_LAZY | RTLD_NOLOAD);
  if (!ClangCpp)
    return;
  dlclose(ClangCpp);
  Dl_info Info;
  if (!dladdr(reinterpret_cast<void *>(&loadFrontendIfInClang), &Info) || !Info.dli_fname)
    return;
  std::string Path = Info.dli_fname;
  Path = Path.substr(0, Path.rfind('/') + 1) + "libcotangent_frontend.so";
  // RTLD_NODELETE: the attribute registrations must outlive any dlclose.
  if (!dlopen(Path.c_str(), RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE))
    fprintf(stderr, "cotangent: warning: attribute frontend not loaded: %s\n", dlerror());
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
  loadFrontendIfInClang();
}

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "cotangent", "0.1.0", registerCallbacks};
}
