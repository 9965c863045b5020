#!/bin/sh
# run.sh CC SOURCE OPTLEVEL OUTDIR [mpicc|asan]: compile an MPI program
# SOURCE with `CC --mpi` (with "mpicc": with `OMPI_CC=CC mpicc`, as users of
# Open MPI's wrapper build; with "asan": with AddressSanitizer, without
# LeakSanitizer, as Open MPI keeps memory to the end) at the given level, and run it under mpirun with 1, 2
# and 4 ranks (--oversubscribe: more ranks than cores), each run under a
# timeout so that a mismatched adjoint message fails instead of hanging. The
# program checks its own gradients and exits non-zero on any mismatch.
# A line "/* run.sh flags: FLAGS */" in the source adds compiler flags (with
# -fopenmp the ranks run 2 OpenMP threads each, KMP_BLOCKTIME=0 so that
# oversubscribed threads do not spin).
# A source may also list runs that must stop with a message (after those):
#   /* run.sh expect: RANKS ARG TEXT */
# runs it with RANKS ranks and argument ARG; it must fail and print TEXT.
# Exits 77 (skipped) with a message where mpirun or mpicc is missing.
set -e
cc="$1" src="$2" level="$3" out="$4" mode="${5:-}"
for tool in mpirun mpicc; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "run.sh: $tool not found: MPI test skipped (scripts/setup installs libopenmpi-dev and openmpi-bin)"
    exit 77
  fi
done
mkdir -p "$out"
name=$(basename "$src" .c)
exe="$out/$name$level$mode"
flags=$(sed -n 's|^/\* run\.sh flags: \(.*\) \*/$|\1|p' "$src")
export OMP_NUM_THREADS=2 KMP_BLOCKTIME=0
# shellcheck disable=SC2086
case "$mode" in
mpicc) OMPI_CC="$cc" mpicc "$level" -std=c17 -Wall -Werror $flags -o "$exe" "$src" ;;
asan)
  "$cc" --mpi "$level" -std=c17 -Wall -Werror $flags -fsanitize=address -fno-omit-frame-pointer -o "$exe" "$src"
  export ASAN_OPTIONS=detect_leaks=0 ;;
*) "$cc" --mpi "$level" -std=c17 -Wall -Werror $flags -o "$exe" "$src" ;;
esac
# mpirun refuses root unless told (containers, CI)
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
run() { # ranks, then the program's arguments
  np="$1"
  shift
  status=0
  timeout 60 mpirun --oversubscribe -x OMP_NUM_THREADS -x KMP_BLOCKTIME ${ASAN_OPTIONS:+-x ASAN_OPTIONS} -np "$np" "$exe" "$@" </dev/null >"$out/$name$level$mode.log" 2>&1 || status=$?
  cat "$out/$name$level$mode.log"
  if [ "$status" -eq 124 ]; then
    echo "run.sh: $name with $np ranks did not finish in 60 s (a hang)"
  fi
  return "$status"
}
for np in 1 2 4; do
  echo "mpirun -np $np"
  run "$np"
done
expects=$(sed -n 's|^/\* run\.sh expect: \(.*\) \*/$|\1|p' "$src")
[ -n "$expects" ] || exit 0
echo "$expects" | while read -r np arg text; do
  echo "mpirun -np $np $exe $arg: must stop with '$text'"
  status=0
  run "$np" "$arg" || status=$?
  if [ "$status" -eq 0 ] || [ "$status" -eq 124 ] || ! grep -qF "$text" "$out/$name$level$mode.log"; then
    echo "run.sh: FAILED: expected a stop with '$text' (status $status)"
    exit 1
  fi
done
