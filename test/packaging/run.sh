#!/bin/sh
# run.sh CMAKE BUILD_DIR SOURCE_DIR CLANG GENERATOR MAKE CLANGXX
#
# Installs BUILD_DIR into a temporary prefix and uses it the ways a user's
# project would, from project/ (a C program that checks a gradient against
# its analytic value) and project_cxx/ (the same in C++):
#   1. CMake: find_package(Cotangent) + Cotangent::Cotangent, compiler CLANG
#      (C++: CLANGXX, a project of the CXX language only)
#   2. make CC=<prefix>/bin/cotangent-cc on the plain Makefile (C++:
#      CXX=<prefix>/bin/cotangent-c++)
#   3. the same Makefile with CC=CLANG and the flags from pkg-config
# and checks that
#   - the installed files name the prefix, never the build or source tree
#   - a C compiler other than clang 19 is refused by find_package clearly
#   - the plugin is relocatable: moved elsewhere, it loads its helper and the
#     runtime bitcode from its own directory (not from the build tree, which
#     still holds copies; removing the moved copies must show), and the CMake
#     package moves with it.
set -eu
cmake="$1" build="$2" source="$3" clang="$4" generator="$5" make="$6" clangxx="$7"
project="$source/test/packaging/project"
project_cxx="$source/test/packaging/project_cxx"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cotangent-packaging.XXXXXX")
# Kept on failure, for a look at what was installed and built.
trap 'st=$?; if [ $st -eq 0 ]; then rm -rf "$tmp"; else echo "packaging: FAILED, files left in $tmp" >&2; fi' EXIT
prefix="$tmp/prefix"
# The plugin and the driver honour these; they must not mask what is tested.
unset COTANGENT_RUNTIME_BC COTANGENT_CLANG COTANGENT_PLUGIN

fail() { echo "packaging: $*" >&2; exit 1; }
step() { echo "== $*"; }
# found_package BUILD PREFIX: the sample in BUILD used the package in PREFIX
# (not another Cotangent installed on the machine).
found_package() {
  grep -q -x -F "Cotangent_DIR:PATH=$2/lib/cmake/Cotangent" "$1/CMakeCache.txt" ||
    fail "find_package(Cotangent) in $1 did not use $2: $(grep '^Cotangent_DIR' "$1/CMakeCache.txt")"
}

step "install into $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; fail "cmake --install failed"; }
for f in lib/libcotangent.so lib/libcotangent_frontend.so lib/libcotangent_rt.a \
         lib/libcotangent_rt.so lib/libcotangent_rt.bc lib/libcotangent_kernels.a include/cotangent.h include/cotangent.hpp \
         include/enzyme/enzyme \
         lib/cmake/Cotangent/CotangentConfig.cmake \
         lib/cmake/Cotangent/CotangentConfigVersion.cmake lib/pkgconfig/cotangent.pc; do
  [ -f "$prefix/$f" ] || fail "not installed: $f"
done
[ -x "$prefix/bin/cotangent-cc" ] || fail "not installed (executable): bin/cotangent-cc"
[ -x "$prefix/bin/cotangent-c++" ] || fail "not installed (executable): bin/cotangent-c++"
for f in bin/cotangent-cc bin/cotangent-c++ lib/pkgconfig/cotangent.pc lib/cmake/Cotangent/CotangentConfig.cmake; do
  if grep -n -F -e "$build" -e "$source" "$prefix/$f"; then
    fail "$f refers to the build or source tree (lines above)"
  fi
done
grep -q -F "plugin=\"\${COTANGENT_PLUGIN:-$prefix/lib/libcotangent.so}\"" "$prefix/bin/cotangent-cc" ||
  fail "bin/cotangent-cc does not point at the install prefix"

step "CMake: find_package(Cotangent), CMAKE_C_COMPILER=$clang"
"$cmake" -S "$project" -B "$tmp/cmake" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$clang" >"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log"; fail "configuring the CMake sample failed"; }
found_package "$tmp/cmake" "$prefix"
"$cmake" --build "$tmp/cmake" || fail "building the CMake sample failed"
"$tmp/cmake/gradient_check" || fail "CMake sample: wrong gradient"

# The config must refuse a compiler that can't load the plugin, saying why.
# gcc is the likely mistake (CMake's default C compiler on Linux).
if command -v gcc >/dev/null 2>&1; then
  step "CMake: CMAKE_C_COMPILER=gcc is refused"
  if "$cmake" -S "$project" -B "$tmp/cmake-gcc" -G "$generator" \
       -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER=gcc >"$tmp/cmake-gcc.log" 2>&1; then
    fail "find_package(Cotangent) accepted gcc as the C compiler"
  fi
  grep -q "CMAKE_C_COMPILER=clang-19" "$tmp/cmake-gcc.log" ||
    { cat "$tmp/cmake-gcc.log"; fail "no clear message when the C compiler is gcc"; }
fi

step "CMake, C++ only: find_package(Cotangent), CMAKE_CXX_COMPILER=$clangxx"
"$cmake" -S "$project_cxx" -B "$tmp/cmake-cxx" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$clangxx" >"$tmp/cmake-cxx.log" 2>&1 ||
  { cat "$tmp/cmake-cxx.log"; fail "configuring the C++ CMake sample failed"; }
found_package "$tmp/cmake-cxx" "$prefix"
"$cmake" --build "$tmp/cmake-cxx" || fail "building the C++ CMake sample failed"
"$tmp/cmake-cxx/gradient_check" || fail "C++ CMake sample: wrong gradient"
if command -v g++ >/dev/null 2>&1; then
  step "CMake: CMAKE_CXX_COMPILER=g++ (C++ only) is refused"
  if "$cmake" -S "$project_cxx" -B "$tmp/cmake-gxx" -G "$generator" \
       -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER=g++ >"$tmp/cmake-gxx.log" 2>&1; then
    fail "find_package(Cotangent) accepted g++ as the only compiler"
  fi
  grep -q "CMAKE_CXX_COMPILER=clang++-19" "$tmp/cmake-gxx.log" ||
    { cat "$tmp/cmake-gxx.log"; fail "no clear message when the C++ compiler is g++"; }
fi

step "make CXX=$prefix/bin/cotangent-c++"
cp -R "$project_cxx" "$tmp/make-cxx"
"$make" -C "$tmp/make-cxx" CXX="$prefix/bin/cotangent-c++" || fail "make with cotangent-c++ failed"
"$tmp/make-cxx/gradient_check" || fail "make C++ sample: wrong gradient"
"$tmp/make-cxx/gradient_check" 1 || fail "make C++ sample (n = 1): wrong gradient"

step "make CC=$prefix/bin/cotangent-cc"
cp -R "$project" "$tmp/make"
"$make" -C "$tmp/make" CC="$prefix/bin/cotangent-cc" || fail "make with cotangent-cc failed"
"$tmp/make/gradient_check" || fail "make sample: wrong gradient"
"$tmp/make/gradient_check" 0 || fail "make sample (n = 0): wrong gradient"

if command -v pkg-config >/dev/null 2>&1; then
  step "make CC=$clang with pkg-config --cflags/--libs cotangent"
  PKG_CONFIG_PATH="$prefix/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export PKG_CONFIG_PATH
  cflags=$(pkg-config --cflags cotangent) || fail "pkg-config --cflags cotangent failed"
  libs=$(pkg-config --libs cotangent) || fail "pkg-config --libs cotangent failed"
  cp -R "$project" "$tmp/pkgconfig"
  "$make" -C "$tmp/pkgconfig" CC="$clang" CFLAGS="-O2 $cflags" LDLIBS="$libs" ||
    fail "make with pkg-config flags failed"
  "$tmp/pkgconfig/gradient_check" || fail "pkg-config sample: wrong gradient"
fi

# Relocation: move the whole prefix. The driver then points at the old place
# by design (its paths are baked in), so use the plugin directly.
step "plugin moved to another directory"
mv "$prefix" "$tmp/moved"
lib="$tmp/moved/lib"
plugin="$lib/libcotangent.so"
set -- -fplugin="$plugin" -fpass-plugin="$plugin" -I"$tmp/moved/include"
src="$project/gradient_check.c"
"$clang" "$@" -O2 -o "$tmp/moved.exe" "$src" "$lib/libcotangent_rt.a" \
  "$lib/libcotangent_kernels.a" -fopenmp -lm 2>"$tmp/moved.err" ||
  { cat "$tmp/moved.err"; fail "compiling with the moved plugin failed"; }
if [ -s "$tmp/moved.err" ]; then cat "$tmp/moved.err"; fail "the moved plugin printed diagnostics"; fi
"$tmp/moved.exe" || fail "moved plugin: wrong gradient"

# The CMake package locates everything relative to itself, so it moves too.
"$cmake" -S "$project" -B "$tmp/cmake-moved" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$tmp/moved" -DCMAKE_C_COMPILER="$clang" >"$tmp/cmake-moved.log" 2>&1 ||
  { cat "$tmp/cmake-moved.log"; fail "configuring the CMake sample against the moved prefix failed"; }
"$cmake" --build "$tmp/cmake-moved" >/dev/null || fail "building against the moved prefix failed"
found_package "$tmp/cmake-moved" "$tmp/moved"
"$tmp/cmake-moved/gradient_check" || fail "CMake sample against the moved prefix: wrong gradient"

# The helper: its attributes are visible exactly when it was loaded.
printf '#if !__has_attribute(differentiable)\n#error attribute frontend not loaded\n#endif\n' >"$tmp/attr.c"
"$clang" "$@" -fsyntax-only "$tmp/attr.c" || fail "moved plugin did not load libcotangent_frontend.so"
mv "$lib/libcotangent_frontend.so" "$tmp/frontend.so"
if "$clang" "$@" -fsyntax-only "$tmp/attr.c" 2>/dev/null; then
  fail "the plugin loaded libcotangent_frontend.so from somewhere other than its own directory"
fi
mv "$tmp/frontend.so" "$lib/libcotangent_frontend.so"

# The bitcode: when it is linked in, the tape push is defined in (or inlined
# into) the module; without it, the push is left as an external declaration.
"$clang" "$@" -O2 -S -emit-llvm -o "$tmp/with.ll" "$src" || fail "emitting IR failed"
if grep -q 'declare .*@__ct_tape_push(' "$tmp/with.ll"; then
  fail "the moved plugin did not link libcotangent_rt.bc from its own directory"
fi
rm "$lib/libcotangent_rt.bc"
"$clang" "$@" -O2 -S -emit-llvm -o "$tmp/without.ll" "$src" || fail "emitting IR failed"
grep -q 'declare .*@__ct_tape_push(' "$tmp/without.ll" ||
  fail "the plugin found libcotangent_rt.bc somewhere other than its own directory"

echo "packaging: ok"
