; Activity of pointers: x passed with a shadow (enzyme_dup) gets the
; gradient added into its shadow dx; the array a held constant (enzyme_const)
; gets no shadow: its values are read as factors, nothing is written through
; a pointer other than dx, and the forward loop, which computes nothing the
; reverse needs, is gone. A local array that holds differentiable values
; gets a shadow of its own (zeroed, then read back by the reverse of the
; load from it). Names spell the activity: d duplicated, c constant.
; RUN: env COTANGENT_RUNTIME_BC=%t.none %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32

declare double @__enzyme_autodiff(ptr, ...)
declare double @sin(double) #0

; sum_i a[i] * x[i]
define double @dot(ptr %x, ptr %a, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]
  %xp = getelementptr inbounds double, ptr %x, i64 %i
  %ap = getelementptr inbounds double, ptr %a, i64 %i
  %xv = load double, ptr %xp
  %av = load double, ptr %ap
  %t = fmul double %xv, %av
  %s.next = fadd double %s, %t
  %i.next = add nuw nsw i64 %i, 1
  %more = icmp ult i64 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret double %s.next
}

; tmp[k] = sin(x[k]) for k < 2 (a local array, indexed at run time), then
; tmp[j] * x[0]
define double @scratch(ptr %x, i64 %j) {
  %tmp = alloca [2 x double]
  %x1p = getelementptr inbounds double, ptr %x, i64 1
  %x0 = load double, ptr %x
  %x1 = load double, ptr %x1p
  %s0 = call double @sin(double %x0)
  %s1 = call double @sin(double %x1)
  %t1p = getelementptr inbounds double, ptr %tmp, i64 1
  store double %s0, ptr %tmp
  store double %s1, ptr %t1p
  %tjp = getelementptr inbounds double, ptr %tmp, i64 %j
  %tj = load double, ptr %tjp
  %r = fmul double %tj, %x0
  ret double %r
}

; CHECK-LABEL: define double @use(
; CHECK: call {} @dot.ct_grad.dcc.r(ptr %x, ptr %dx, ptr %a, i64 %n, double 1.000000e+00)
; CHECK: call {} @scratch.ct_grad.dc.r(ptr %x, ptr %dx, i64 %j, double 1.000000e+00)
define double @use(ptr %x, ptr %dx, ptr %a, i64 %n, i64 %j) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @dot, i32 %d, ptr %x, ptr %dx, i32 %k, ptr %a, i32 %k, i64 %n)
  %r2 = call double (ptr, ...) @__enzyme_autodiff(ptr @scratch, i32 %d, ptr %x, ptr %dx, i32 %k, i64 %j)
  %s = fadd double %r, %r2
  ret double %s
}

; (x, dx, a, n, seed): dx[i] += a[i] * seed, in one loop over i (the sum's
; adjoint is the seed: its reverse runs inside its forward iterations,
; pass/fused.c); the only store is into dx
; CHECK-LABEL: define internal {} @dot.ct_grad.dcc.r(ptr %0, ptr %1, ptr %2, i64 %3, double %4)
; CHECK-NOT: store
; CHECK-NOT: __ct_tape
; CHECK: %[[DXP:[a-z0-9.]+]] = getelementptr inbounds double, ptr %1, i64 %[[I:[a-z0-9.]+]]
; CHECK: %[[AP:[a-z0-9.]+]] = getelementptr inbounds double, ptr %2, i64 %[[I]]
; CHECK: %[[A:[a-z0-9.]+]] = load double, ptr %[[AP]]
; CHECK: %[[C:[0-9]+]] = fmul double %[[A]], %4
; CHECK: %[[OLD:[0-9]+]] = load double, ptr %[[DXP]]
; CHECK: %[[NEW:[0-9]+]] = fadd reassoc nsz double %[[OLD]], %[[C]]
; CHECK: store double %[[NEW]], ptr %[[DXP]]
; CHECK-NOT: store
; CHECK: {{^}$}}

; the local array's shadow: an alloca beside tmp, zeroed, added into by the
; reverse of the load of tmp[j] and read back by the reverse of the stores
; CHECK-LABEL: define internal {} @scratch.ct_grad.dc.r(ptr %0, ptr %1, i64 %2, double %3)
; CHECK: %[[SH:[a-z0-9.]+]] = alloca [2 x double]
; CHECK: call void @llvm.memset.p0.i64(ptr {{.*}}%[[SH]], i8 0, i64 16, i1 false)
; CHECK: %tmp = alloca [2 x double]
; CHECK: %[[SJ:[0-9]+]] = getelementptr inbounds double, ptr %[[SH]], i64 %2
; CHECK: %[[C:[0-9]+]] = fmul double %x0, %3
; CHECK: %[[OLD:[0-9]+]] = load double, ptr %[[SJ]]
; CHECK: %[[NEW:[0-9]+]] = fadd reassoc nsz double %[[OLD]], %[[C]]
; CHECK: store double %[[NEW]], ptr %[[SJ]]
; CHECK: %[[A0:[0-9]+]] = load double, ptr %[[SH]]
; CHECK: %[[COS:[0-9]+]] = tail call double @llvm.cos.f64(double %x0)
; CHECK: fmul double %[[COS]], %[[A0]]
; CHECK: store double %{{[0-9]+}}, ptr %1

attributes #0 = { nounwind willreturn memory(none) }
