; The reverse of loads and stores through shadows: y[0] = x[0] * x[1].
; The store's reverse takes the adjoint of y[0] from y's shadow and zeroes
; it (the old value of y[0] did not reach the result); each load's reverse
; adds its adjoint into x's shadow at the same offset. Then a store that
; overwrites a value the function read (z[0] = z[0] * z[0]): the adjoint of
; the new value, times the derivative, goes back into the same shadow slot.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32

declare void @__enzyme_autodiff(ptr, ...)

define void @product(ptr %x, ptr %y) {
  %x1p = getelementptr inbounds double, ptr %x, i64 1
  %a = load double, ptr %x
  %b = load double, ptr %x1p
  %m = fmul double %a, %b
  store double %m, ptr %y
  ret void
}

define void @square_in_place(ptr %z) {
  %v = load double, ptr %z
  %w = fmul double %v, %v
  store double %w, ptr %z
  ret void
}

; CHECK-LABEL: define void @use(
; CHECK: call {} @product.ct_grad.dd(ptr %x, ptr %dx, ptr %y, ptr %dy)
; CHECK: call {} @square_in_place.ct_grad.d(ptr %x, ptr %dx)
define void @use(ptr %x, ptr %dx, ptr %y, ptr %dy) {
  %d = load i32, ptr @enzyme_dup
  call void (ptr, ...) @__enzyme_autodiff(ptr @product, i32 %d, ptr %x, ptr %dx, i32 %d, ptr %y, ptr %dy)
  call void (ptr, ...) @__enzyme_autodiff(ptr @square_in_place, i32 %d, ptr %x, ptr %dx)
  ret void
}

; (x, dx, y, dy)
; CHECK-LABEL: define internal {} @product.ct_grad.dd(ptr %0, ptr %1, ptr %2, ptr %3)
; CHECK: %a = load double, ptr %0
; CHECK: %b = load double, ptr %x1p
; CHECK: store double %m, ptr %2
; the store's reverse: take dy[0], zero it
; CHECK: %[[DX1:[0-9]+]] = getelementptr inbounds i8, ptr %1, i64 8
; CHECK: %[[DY:[0-9]+]] = load double, ptr %3
; CHECK-NEXT: store double 0.000000e+00, ptr %3
; the loads' reverses: dx[1] += a * dy, dx[0] += b * dy
; CHECK-DAG: %[[DA:[0-9]+]] = fmul double %b, %[[DY]]
; CHECK-DAG: %[[DB:[0-9]+]] = fmul double %a, %[[DY]]
; CHECK: %[[O1:[0-9]+]] = load double, ptr %[[DX1]]
; CHECK: %[[N1:[0-9]+]] = fadd reassoc nsz double %[[O1]], %[[DB]]
; CHECK: store double %[[N1]], ptr %[[DX1]]
; CHECK: %[[O0:[0-9]+]] = load double, ptr %1
; CHECK: %[[N0:[0-9]+]] = fadd reassoc nsz double %[[O0]], %[[DA]]
; CHECK: store double %[[N0]], ptr %1
; CHECK: ret {}

; dz[0] = 2 v dz[0]
; CHECK-LABEL: define internal {} @square_in_place.ct_grad.d(ptr %0, ptr %1)
; CHECK: %v = load double, ptr %0
; CHECK: store double %w, ptr %0
; CHECK: %[[D:[0-9]+]] = load double, ptr %1
; CHECK: %[[T:[0-9]+]] = fmul double %v, %[[D]]
; CHECK: %[[F:[a-z0-9]+]] = fmul reassoc nsz double %[[T]], 2.000000e+00
; CHECK: store double %[[F]], ptr %1
; CHECK: ret {}
