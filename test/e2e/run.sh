#!/bin/sh
# run.sh CC SOURCE OPTLEVEL OUTDIR: compile SOURCE with cotangent-cc at the
# given level and run it; the program checks its own gradients and exits
# non-zero on any mismatch.
set -e
cc="$1" src="$2" level="$3" out="$4"
mkdir -p "$out"
name=$(basename "$src" .c)
exe="$out/$name$level"
"$cc" $level -std=c17 -Wall -Werror -o "$exe" "$src"
"$exe"
