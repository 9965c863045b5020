; Masked vector loads and stores, and fadd/fmax reductions (what -O3 code and
; vector intrinsics produce): the gradient goes through the masked lanes only.
; RUN: %clang -O0 -S -emit-llvm -Xclang -disable-O0-optnone %S/Inputs/masked_main.c -o %t.main.ll
; RUN: llvm-link %t.main.ll %s -o %t.bc
; RUN: %cc -O0 %t.bc -o %t0 && %t0 | FileCheck %s --check-prefix=EXEC
; RUN: %cc -O2 %t.bc -o %t2 && %t2 | FileCheck %s --check-prefix=EXEC
; RUN: %opt -passes=cotangent -S %s | FileCheck %s
; EXEC-NOT: FAIL
; EXEC: ok
; CHECK-LABEL: define internal {{.*}} @f.ct_grad.dd.r(
; the shadow of y: its stored lanes' adjoints are taken, then cleared
; CHECK: call <4 x double> @llvm.masked.load.v4f64.p0(ptr nonnull %[[SY:[0-9]+]], i32 8, <4 x i1> <i1 true, i1 false, i1 true, i1 true>
; CHECK: call void @llvm.masked.store.v4f64.p0(<4 x double> <double 0.000000e+00, double poison, double 0.000000e+00, double 0.000000e+00>, ptr %[[SY]]
; the shadow of x: the loaded lanes' adjoints are added
; CHECK: call <4 x double> @llvm.masked.load.v4f64.p0(ptr %[[SX:[0-9]+]], i32 8, <4 x i1> <i1 true, i1 true, i1 false, i1 true>
; CHECK: call void @llvm.masked.store.v4f64.p0(<4 x double> %{{[0-9]+}}, ptr %[[SX]], i32 8, <4 x i1> <i1 true, i1 true, i1 false, i1 true>)
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"
@enzyme_dup = external global i32
declare double @__enzyme_autodiff(ptr, ...)
define double @use(ptr %x, ptr %dx, ptr %y, ptr %dy) {
  %m = load i32, ptr @enzyme_dup
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, i32 %m, ptr %x, ptr %dx, i32 %m, ptr %y, ptr %dy)
  ret double %r
}
declare <4 x double> @llvm.masked.load.v4f64.p0(ptr, i32, <4 x i1>, <4 x double>)
declare void @llvm.masked.store.v4f64.p0(<4 x double>, ptr, i32, <4 x i1>)
declare double @llvm.vector.reduce.fadd.v4f64(double, <4 x double>)
declare double @llvm.vector.reduce.fmax.v4f64(<4 x double>)
define double @f(ptr %x, ptr %y) {
  %v = call <4 x double> @llvm.masked.load.v4f64.p0(ptr %x, i32 8, <4 x i1> <i1 1, i1 1, i1 0, i1 1>, <4 x double> <double 5.0, double 5.0, double 5.0, double 5.0>)
  %w = fmul <4 x double> %v, %v
  call void @llvm.masked.store.v4f64.p0(<4 x double> %w, ptr %y, i32 8, <4 x i1> <i1 1, i1 0, i1 1, i1 1>)
  %z = call <4 x double> @llvm.masked.load.v4f64.p0(ptr %y, i32 8, <4 x i1> <i1 1, i1 1, i1 1, i1 1>, <4 x double> zeroinitializer)
  %s = call double @llvm.vector.reduce.fadd.v4f64(double 0.0, <4 x double> %z)
  %m = call double @llvm.vector.reduce.fmax.v4f64(<4 x double> %v)
  %r = fadd double %s, %m
  ret double %r
}
