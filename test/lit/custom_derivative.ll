; Custom derivatives in IR: a pullback registered with
; annotate("ct.derivative:softplus") (what CT_DERIVATIVE gives without the
; frontend plugin), and a function whose declaration names its pullback
; with annotate("ct.derivative_is:norm2_pullback") (CT_DERIVATIVE_IS), the
; pullback only declared. Calls of the function stay calls in the forward
; part (its body, if any, is not differentiated); the reverse calls the
; pullback with the arguments, the seed and a zeroed cell (or the shadow
; array) into which it adds the adjoint.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32
@.str = private unnamed_addr constant [23 x i8] c"ct.derivative:softplus\00", section "llvm.metadata"
@.str.1 = private unnamed_addr constant [32 x i8] c"ct.derivative_is:norm2_pullback\00", section "llvm.metadata"
@.file = private unnamed_addr constant [8 x i8] c"model.c\00", section "llvm.metadata"
@llvm.global.annotations = appending global [2 x { ptr, ptr, ptr, i32, ptr }] [
  { ptr, ptr, ptr, i32, ptr } { ptr @softplus_pullback, ptr @.str, ptr @.file, i32 5, ptr null },
  { ptr, ptr, ptr, i32, ptr } { ptr @norm2, ptr @.str.1, ptr @.file, i32 9, ptr null }], section "llvm.metadata"
@llvm.compiler.used = appending global [1 x ptr] [ptr @softplus_pullback], section "llvm.metadata"

declare double @__enzyme_autodiff(ptr, ...)
declare double @exp(double)
declare double @log1p(double)

; the body is log(1 + e^x); the pullback is what counts
define double @softplus(double %x) {
  %e = call double @exp(double %x)
  %r = call double @log1p(double %e)
  ret double %r
}

define void @softplus_pullback(double %x, double %seed, ptr %dx) {
  %n = fneg double %x
  %e = call double @exp(double %n)
  %d = fadd double 1.0, %e
  %q = fdiv double %seed, %d
  %old = load double, ptr %dx
  %new = fadd double %old, %q
  store double %new, ptr %dx
  ret void
}

declare double @norm2(ptr, i64)

define double @g(double %x) {
  %s = call double @softplus(double %x)
  %r = fmul double %s, %x
  ret double %r
}

define double @h(ptr %v, i64 %n) {
  %r = call double @norm2(ptr %v, i64 %n)
  %r2 = fmul double %r, %r
  ret double %r2
}

define double @use(double %x, ptr %v, ptr %dv, i64 %n) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @g, double %x)
  %r2 = call double (ptr, ...) @__enzyme_autodiff(ptr @h, i32 %d, ptr %v, ptr %dv, i32 %k, i64 %n)
  %s = fadd double %r, %r2
  ret double %s
}

; the pullback of norm2 declared with the signature the pullback convention
; gives it
; CHECK: declare void @norm2_pullback(ptr, i64, double, ptr)

; g = softplus(x) * x: the pullback gets (x, seed * x, cell); its result
; plus seed * softplus(x) is d/dx
; CHECK-LABEL: define internal { double } @g.ct_grad.a.r(double %0, double %1)
; CHECK-NOT: @log1p
; CHECK: %[[CELL:[a-z.0-9]+]] = alloca double
; CHECK: %s = tail call double @softplus(double %0)
; CHECK: %[[SX:[0-9]+]] = fmul double %0, %1
; CHECK: %[[SS:[0-9]+]] = fmul double %s, %1
; CHECK: store double 0.000000e+00, ptr %[[CELL]]
; CHECK: call void @softplus_pullback(double %0, double %[[SX]], ptr {{.*}}%[[CELL]])
; CHECK: %[[D:[0-9]+]] = load double, ptr %[[CELL]]
; CHECK: fadd reassoc nsz double %[[D]], %[[SS]]
; CHECK-NOT: @log1p

; h = norm2(v, n)^2: the declared pullback gets (v, n, 2 r seed, dv): a
; shadow for the array, nothing for the integer
; CHECK-LABEL: define internal {} @h.ct_grad.dc.r(ptr %0, ptr %1, i64 %2, double %3)
; CHECK: %r = tail call double @norm2(ptr %0, i64 %2)
; CHECK: %[[T:[0-9]+]] = fmul double %r, %3
; CHECK: %[[F:[a-z0-9]+]] = fmul reassoc nsz double %[[T]], 2.000000e+00
; CHECK: call void @norm2_pullback(ptr %0, i64 %2, double %[[F]], ptr %1)
