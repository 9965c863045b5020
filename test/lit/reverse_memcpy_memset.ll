; The reverse of memcpy and memset on differentiable memory. memcpy(z, x):
; the adjoints in z's shadow move to x's shadow (added, then z's zeroed) by
; the runtime's __ct_copy_adjoint_f64 over the same byte count, the element
; type (double) deduced from the function's loads and stores of z.
; memset(z, 0): the values it wrote carry no derivative, so z's shadow is
; zeroed over the same bytes, and an adjoint stored into z before it does
; not reach x (only the store after it counts: dx[0] += 3 dz[1]).
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32

declare void @__enzyme_autodiff(ptr, ...)
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @llvm.memset.p0.i64(ptr, i8, i64, i1)

; z[0..n) = x[0..n); z[0] = z[0] * z[0]
define void @copy(ptr %x, ptr %z, i64 %n) {
  %bytes = shl i64 %n, 3
  call void @llvm.memcpy.p0.p0.i64(ptr %z, ptr %x, i64 %bytes, i1 false)
  %v = load double, ptr %z
  %w = fmul double %v, %v
  store double %w, ptr %z
  ret void
}

; z[0] = 3 x[0]; z[0..n) = 0; z[1] = 3 x[0]
define void @clear(ptr %x, ptr %z, i64 %n) {
  %v = load double, ptr %x
  %w = fmul double %v, 3.0
  store double %w, ptr %z
  %bytes = shl i64 %n, 3
  call void @llvm.memset.p0.i64(ptr %z, i8 0, i64 %bytes, i1 false)
  %z1 = getelementptr inbounds double, ptr %z, i64 1
  store double %w, ptr %z1
  ret void
}

define void @use(ptr %x, ptr %dx, ptr %z, ptr %dz, i64 %n) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  call void (ptr, ...) @__enzyme_autodiff(ptr @copy, i32 %d, ptr %x, ptr %dx, i32 %d, ptr %z, ptr %dz, i32 %k, i64 %n)
  call void (ptr, ...) @__enzyme_autodiff(ptr @clear, i32 %d, ptr %x, ptr %dx, i32 %d, ptr %z, ptr %dz, i32 %k, i64 %n)
  ret void
}

; (x, dx, z, dz, n)
; CHECK-LABEL: define internal {} @copy.ct_grad.ddc(ptr %0, ptr %1, ptr %2, ptr %3, i64 %4)
; CHECK: %bytes = shl i64 %4, 3
; CHECK: call void @llvm.memcpy.p0.p0.i64(ptr align 1 %2, ptr align 1 %0, i64 %bytes, i1 false)
; the store's and the load's reverses first: dz[0] = 2 v dz[0]
; CHECK: %[[D:[0-9]+]] = load double, ptr %3
; CHECK: fmul double %v, %[[D]]
; CHECK: store double %{{[a-z0-9]+}}, ptr %3
; then the copy's: dx += dz, dz = 0, over the bytes copied
; CHECK: call void @__ct_copy_adjoint_f64(ptr %1, ptr {{.*}}%3, i64 %bytes)
; CHECK-NEXT: ret {}

; CHECK-LABEL: define internal {} @clear.ct_grad.ddc(ptr %0, ptr %1, ptr %2, ptr %3, i64 %4)
; CHECK: call void @llvm.memset.p0.i64(ptr {{.*}}%2, i8 0, i64 %bytes, i1 false)
; the last store's reverse: take dz[1], zero it
; CHECK: %[[DZ1P:[0-9]+]] = getelementptr inbounds i8, ptr %3, i64 8
; CHECK: %[[DZ1:[0-9]+]] = load double, ptr %[[DZ1P]]
; CHECK-NEXT: store double 0.000000e+00, ptr %[[DZ1P]]
; the memset's reverse: zero dz over the bytes set
; CHECK-NEXT: call void @llvm.memset.p0.i64(ptr align 1 %3, i8 0, i64 %bytes, i1 false)
; CHECK: fmul double %{{[0-9]+}}, 3.000000e+00
; CHECK: store double %{{[0-9]+}}, ptr %1
