// A gradient with no cycle and a block over 4,096 instructions (the
// reverse of 1,000 generated straight-line statements, the shape of
// `scripts/bench --compile`'s straight_* files) is kept from LLVM's SLP
// vectorizer with noimplicitfloat (pass/bridge.cpp, ct_bridge_limit_slp:
// SLP's time grew with the block's length times the trees it vectorized);
// a short one (40 statements) keeps its attributes.
// RUN: python3 -c "import sys; sys.path.insert(0, '%S/../../scripts'); import bench_compile; print(bench_compile.gen_straight(1000))" > %t.long.c
// RUN: env COTANGENT_INLINE_GRADIENTS=0 %cc -O2 -g0 -S -emit-llvm %t.long.c -o - | FileCheck %s --check-prefix=LONG
// RUN: python3 -c "import sys; sys.path.insert(0, '%S/../../scripts'); import bench_compile; print(bench_compile.gen_straight(40))" > %t.short.c
// RUN: env COTANGENT_INLINE_GRADIENTS=0 %cc -O2 -g0 -S -emit-llvm %t.short.c -o - | FileCheck %s --check-prefix=SHORT --implicit-check-not=noimplicitfloat

// LONG: define {{.*}}@f_straight.ct_grad{{[^(]*}}({{.*}}) {{.*}}#[[ATTR:[0-9]+]]
// LONG: attributes #[[ATTR]] = { {{.*}}noimplicitfloat
// SHORT: define {{.*}}@f_straight.ct_grad{{[^(]*}}(
