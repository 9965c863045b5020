#!/bin/sh
# run.sh CC SOURCE OPTLEVEL OUTDIR [asan|tsan|omp|omp-asan|valgrind|omp-valgrind|noexc]:
# compile SOURCE with cotangent-cc (a .cpp source: CC is cotangent-c++,
# -std=c++17 unless its flags name a standard) at the given level and run it; the
# program checks its own gradients and exits non-zero on any mismatch. With
# "asan" the program is built with AddressSanitizer (LeakSanitizer
# included): tapes and shadow allocations must be freed. With "tsan" it is
# built with ThreadSanitizer (a reported data race fails the run). With
# "omp" it is built with -fopenmp and run with 1, 2 and 4 threads. With
# "noexc" (C++) it is built with -fno-exceptions (no invokes, no landing
# pads: the code C++ projects without exceptions differentiate).
# "valgrind": see below.
# A source may ask for more: a line "/* run.sh flags: FLAGS */" adds
# compiler flags (e.g. -fno-builtin, to keep libm calls as calls), and a
# line "/* run.sh sources: FILES */" adds other inputs (paths relative to
# the source's directory, e.g. an LLVM IR file).
set -e
cc="$1" src="$2" level="$3" out="$4" mode="${5:-}"
mkdir -p "$out"
case "$src" in
*.cpp) name=$(basename "$src" .cpp) std=-std=c++17 ;;
*) name=$(basename "$src" .c) std=-std=c17 ;;
esac
exe="$out/$name$level$mode"
flags=$(sed -n 's|^/\* run\.sh flags: \(.*\) \*/$|\1|p' "$src")
dir=$(dirname "$src")
case " $flags" in
*" -std="*) std= ;; # the source's own standard (C++20 for std::span)
esac
for extra in $(sed -n 's|^/\* run\.sh sources: \(.*\) \*/$|\1|p' "$src"); do
  flags="$flags $dir/$extra"
done
case "$mode" in
*asan)
  flags="$flags -fsanitize=address -fno-omit-frame-pointer"
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 ;;
tsan)
  flags="$flags -fsanitize=thread"
  export TSAN_OPTIONS=halt_on_error=1:exitcode=66 ;;
esac
case "$mode" in
omp*) flags="$flags -fopenmp" ;;
noexc) flags="$flags -fno-exceptions" ;;
esac
# "valgrind" ("omp-valgrind": with 2 threads): built without sanitizers and
# run under valgrind's memcheck, which sees reads of uninitialized memory
# (ASan does not); any memcheck error makes the run exit 99. valgrind 3.19
# (Debian 12) cannot read the DWARF 5 of the runtime library: the program is
# linked without debug info (reports still name the functions).
vg="valgrind --error-exitcode=99 --track-origins=yes -q"
case "$mode" in
*valgrind) flags="$flags -Wl,--strip-debug" ;;
esac
# shellcheck disable=SC2086
"$cc" $level $flags $std -Wall -Werror -o "$exe" "$src"
case "$mode" in
omp-valgrind) OMP_NUM_THREADS=2 $vg "$exe" ;;
valgrind)
  # exit 77 (an instruction set not tested: valgrind emulates no AVX-512)
  # is a pass here: the native runs cover the instruction sets, this run
  # the memory accesses of those that ran
  status=0
  $vg "$exe" || status=$?
  [ "$status" -eq 77 ] && status=0
  exit "$status" ;;
omp*) for t in 1 2 4; do echo "OMP_NUM_THREADS=$t"; OMP_NUM_THREADS=$t "$exe"; done ;;
*) "$exe" ;;
esac
