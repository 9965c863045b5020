// Compile time on a long block: 2,000 generated straight-line statements
// (scripts/bench_compile.py, the shape of `scripts/bench --compile`'s
// straight_* files) compile at -O0 within 6 CPU seconds (about 0.8 s here;
// 12.5 s while LLVM's SROA scanned the reverse block once per adjoint slot:
// pass/bridge.cpp, sroaInPieces). A CPU-time limit, not a timing: a load
// on the machine does not make it fail.
// RUN: python3 -c "import sys; sys.path.insert(0, '%S/../../scripts'); import bench_compile; print(bench_compile.gen_straight(2000))" > %t.c
// RUN: sh -c 'ulimit -t 6 && exec %cc -O0 -c %t.c -o %t.o'
