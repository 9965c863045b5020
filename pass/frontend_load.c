/* The attribute frontend needs libclang-cpp, which must not be loaded into
 * opt (both define the same command-line options). So it lives in a helper
 * library next to this one, libcotangent_frontend.so, loaded when this
 * library is loaded into clang (libclang-cpp is there already). */
/* dladdr: _GNU_SOURCE comes from LLVM_DEFINITIONS */
#include "core.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((constructor)) static void load_frontend_if_in_clang(void) {
  void *clang_cpp = dlopen("libclang-cpp.so.19.1", RTLD_LAZY | RTLD_NOLOAD);
  if (!clang_cpp)
    return;
  dlclose(clang_cpp);
  Dl_info info;
  if (!dladdr((void *)&load_frontend_if_in_clang, &info) || !info.dli_fname)
    return;
  const char *slash = strrchr(info.dli_fname, '/');
  int dir = slash ? (int)(slash - info.dli_fname) + 1 : 0;
  char *path = util_format("%.*slibcotangent_frontend.so", dir, info.dli_fname);
  /* RTLD_NODELETE: the attribute registrations must outlive any dlclose */
  if (!dlopen(path, RTLD_NOW | RTLD_GLOBAL | RTLD_NODELETE))
    fprintf(stderr, "cotangent: warning: attribute frontend not loaded: %s\n", dlerror());
  free(path);
}
