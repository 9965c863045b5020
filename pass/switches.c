/* The environment variables the pass reads: one table (name and meaning),
 * read once when the plugin loads (plugin.cpp calls ct_switches_load).
 * They are for developers: debugging output, comparisons, and where the
 * runtime bitcode is (the README's developer section lists them). */
#include "bridge.h"

#include <stdlib.h>

static const struct {
  const char *name, *meaning;
} SWITCHES[CT_NSWITCHES] = {
    [CT_SWITCH_DEBUG] = {"COTANGENT_DEBUG",
                         "set: prints each prepared primal and its loops, each value taped, and a generated "
                         "function that fails verification, to stderr"},
    [CT_SWITCH_DUMP_GRADIENT] = {"COTANGENT_DUMP_GRADIENT",
                                 "set: prints each generated gradient function, before LLVM simplifies it, to stderr"},
    [CT_SWITCH_NO_BATCH] = {"COTANGENT_NO_BATCH",
                            "set: no loop-indexed records (batch.c); every block execution pushes its own tape "
                            "record (for comparisons)"},
    [CT_SWITCH_NO_REMAT] = {"COTANGENT_NO_REMAT",
                            "set: no iteration-level recomputation (remat.c); the reverse of a loop that rewrites "
                            "scratch memory tapes what it read there (for comparisons)"},
    [CT_SWITCH_NO_FUSE] = {"COTANGENT_NO_FUSE",
                           "set: no fused reductions (fused.c); a reduction loop's reverse is a loop of its own "
                           "in the reverse pass (for comparisons)"},
    [CT_SWITCH_INLINE_GRADIENTS] = {"COTANGENT_INLINE_GRADIENTS",
                                    "\"0\": operator calls keep calling the gradient functions instead of inlining "
                                    "small ones (IR tests)"},
    [CT_SWITCH_DIFFERENTIATE_EARLY] = {"COTANGENT_DIFFERENTIATE_EARLY",
                                       "non-empty and not \"0\": differentiates at PipelineStart, before LLVM's "
                                       "simplification (the benchmarks' \"AD before optimization\" column)"},
    [CT_SWITCH_RUNTIME_BC] = {"COTANGENT_RUNTIME_BC",
                              "path of the runtime bitcode whose tape fast paths are linked into gradients "
                              "(default: libcotangent_rt.bc next to the plugin)"},
    [CT_SWITCH_DEVICE_RUNTIME_BC] = {"COTANGENT_DEVICE_RUNTIME_BC",
                                     "path of the NVPTX device runtime bitcode (default: libcotangent_rt_nvptx.bc "
                                     "next to the plugin)"},
    [CT_SWITCH_TIME] = {"COTANGENT_TIME",
                        "set: prints the CPU seconds each stage of each gradient took (preparation, analyses, "
                        "planning, forward, reverse, verification, simplification) to stderr; \"passes\": also LLVM's table of "
                        "the time of each pass of each function simplification"},
};

static const char *values[CT_NSWITCHES];
static int loaded;

void ct_switches_load(void) {
  for (int i = 0; i < CT_NSWITCHES; ++i)
    values[i] = getenv(SWITCHES[i].name);
  loaded = 1;
}

const char *ct_switch(ct_switch_id s) {
  if (!loaded)
    ct_switches_load();
  return values[s];
}

const char *ct_switch_name(ct_switch_id s) { return SWITCHES[s].name; }
const char *ct_switch_meaning(ct_switch_id s) { return SWITCHES[s].meaning; }
