# lit configuration for Cotangent's pass tests.
import os
import lit.formats

config.name = "cotangent"
config.test_format = lit.formats.ShTest(True)
config.suffixes = [".ll", ".c", ".cpp"]
config.test_source_root = os.path.dirname(__file__)
config.excludes = ["lit.cfg.py", "lit.site.cfg.py.in", "Inputs"]

bin = config.ct_llvm_bin
# another plugin (the rules mutation run, test/mutation): for %opt and %cc
if os.environ.get("COTANGENT_PLUGIN"):
    config.ct_plugin = os.environ["COTANGENT_PLUGIN"]
    config.environment["COTANGENT_PLUGIN"] = config.ct_plugin
# IR tests look at the generated gradient functions and the calls to them:
# keep those calls (cotangent-cc builds inline small gradients).
config.substitutions.append(("%opt", "env COTANGENT_INLINE_GRADIENTS=0 %s/opt -load-pass-plugin=%s" % (bin, config.ct_plugin)))
config.substitutions.append(("%cc", config.ct_cc))
# C++ through the same driver, with clang++ (links libstdc++)
config.substitutions.append(("%cxx", "env COTANGENT_CLANG=%s/clang++ %s" % (bin, config.ct_cc)))
config.substitutions.append(("%clang", "%s/clang" % bin))
config.substitutions.append(("%plugin", config.ct_plugin))
config.substitutions.append(("%include", config.ct_include))
# Cotangent built with CBLAS/LAPACKE (lib/CMakeLists.txt): tests of BLAS calls
if getattr(config, "ct_have_blas", "") in ("ON", "1", "TRUE"):
    config.available_features.add("blas")
# Cotangent built with MPI (lib/CMakeLists.txt): tests of MPI calls
if getattr(config, "ct_have_mpi", "") in ("ON", "1", "TRUE"):
    config.available_features.add("mpi")
config.environment["PATH"] = os.pathsep.join([bin, config.environment.get("PATH", "")])
