#!/bin/sh
# GPU kernel tests (registered in test/CMakeLists.txt):
#   run.sh host CC SOURCE LEVEL OUTDIR [asan]
#     compiles SOURCE for the host with the SIMT emulator (simt.c) at LEVEL
#     and runs it: the program checks its gradients against finite
#     differences and exits non-zero on a mismatch. With asan, built with
#     AddressSanitizer (tapes and shadows freed, no invalid access).
#   run.sh ptx CC SOURCE LEVEL OUTDIR PTXAS
#     compiles SOURCE (gradient kernels included) to PTX for sm_80 and
#     sm_90 at LEVEL and assembles it with ptxas; exits 77 (ctest: skipped)
#     when the CUDA toolkit's ptxas is absent.
#   run.sh cuda CC SOURCE.cu LEVEL OUTDIR PTXAS
#     the same for CUDA device code (clang -x cuda --cuda-device-only).
set -e
mode="$1" cc="$2" src="$3" level="$4" out="$5" ptxas="${6:-}" asan="${6:-}"
dir=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$src" .c)
name=$(basename "$name" .cu)
mkdir -p "$out"
case "$mode" in
host)
  exe="$out/$name$level$asan"
  flags=""
  if [ "$asan" = asan ]; then
    flags="-fsanitize=address -fno-omit-frame-pointer"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
  fi
  # shellcheck disable=SC2086
  "$cc" "$level" $flags -std=c17 -Wall -Werror -I"$dir" -o "$exe" "$src" "$dir/simt.c" -lpthread -lm
  "$exe"
  ;;
ptx|cuda)
  if [ -z "$ptxas" ] || [ ! -x "$ptxas" ]; then
    echo "SKIPPED: ptxas not found (install the CUDA toolkit at /usr/local/cuda, or set CT_PTXAS)"
    exit 77
  fi
  for arch in sm_80 sm_90; do
    ptx="$out/$name$level.$arch.ptx"
    if [ "$mode" = cuda ]; then
      "$cc" -x cuda --cuda-device-only --cuda-gpu-arch=$arch -nocudainc -nocudalib -Wno-unknown-cuda-version \
        "$level" -Wall -Werror -S -o "$ptx" "$src"
    else
      "$cc" -target nvptx64-nvidia-cuda -march=$arch "$level" -std=c17 -Wall -Werror -S -o "$ptx" "$src"
    fi
    # the gradient kernel is there, with atomics on the shadows
    grep -q "^\.visible \.entry ${name}_gradient" "$ptx" || { echo "no ${name}_gradient kernel in $ptx"; exit 1; }
    grep -q "atom\." "$ptx" || { echo "no atomic in $ptx"; exit 1; }
    "$ptxas" -arch=$arch -o "$out/$name$level.$arch.cubin" "$ptx"
    echo "$ptx: ptxas -arch=$arch ok"
  done
  ;;
*)
  echo "usage: run.sh host|ptx|cuda CC SOURCE LEVEL OUTDIR [PTXAS]" >&2
  exit 2
  ;;
esac
