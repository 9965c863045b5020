; Tape planning for loads: a load is recomputed by the reverse only when
; nothing can write its memory after it (tape_counted_loop.ll: x[i] read
; again). Here x[i] = sin(x[i]) overwrites the element it read, so the
; reverse, which runs after the loop, could not read the old value back:
; the loaded value goes into the loop's record array, and cos() of the
; recorded value is taken in the reverse. The runtime's fast paths are not
; linked, so the tape shows as calls.
; RUN: env COTANGENT_RUNTIME_BC=%t.none %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32

declare void @__enzyme_autodiff(ptr, ...)
declare double @sin(double) #0

define void @sin_in_place(ptr %x, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %p = getelementptr inbounds double, ptr %x, i64 %i
  %v = load double, ptr %p
  %s = call double @sin(double %v)
  store double %s, ptr %p
  %i.next = add nuw nsw i64 %i, 1
  %more = icmp ult i64 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret void
}

define void @use(ptr %x, ptr %dx, i64 %n) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  call void (ptr, ...) @__enzyme_autodiff(ptr @sin_in_place, i32 %d, ptr %x, ptr %dx, i32 %k, i64 %n)
  ret void
}

; CHECK-LABEL: define internal {} @sin_in_place.ct_grad.dc(ptr %0, ptr %1, i64 %2)
; CHECK: %[[REC:[0-9]+]] = tail call ptr @__ct_tape_push(
; CHECK: loop:
; CHECK: %v = load double, ptr %p
; CHECK: store double %s, ptr %p
; CHECK: %[[SLOT:[0-9]+]] = getelementptr inbounds { double }, ptr %[[REC]], i64 %[[IT:[.a-z0-9]+]]
; CHECK-NEXT: store double %v, ptr %[[SLOT]]
; the reverse takes the recorded v, does not load x
; CHECK: [[REV:rev[0-9]+]]:
; CHECK-NOT: ptr %0
; CHECK: %[[R:[0-9]+]] = getelementptr inbounds { double }, ptr %[[REC]], i64 %[[K:[.a-z0-9]+]]
; CHECK-NOT: ptr %0
; CHECK: %[[V:[.a-z0-9]+]] = load double, ptr %[[R]]
; CHECK-NOT: ptr %0
; CHECK: %[[DXP:[0-9]+]] = getelementptr inbounds double, ptr %1, i64 %[[K]]
; CHECK-NOT: ptr %0
; CHECK: %[[COS:[0-9]+]] = tail call double @llvm.cos.f64(double %[[V]])
; CHECK-NOT: ptr %0
; CHECK: store double %{{[0-9]+}}, ptr %[[DXP]]
; CHECK-NOT: ptr %0
; CHECK: br i1 %{{[0-9]+}}, label %ct.done, label %[[REV]]

attributes #0 = { nounwind willreturn memory(none) }
