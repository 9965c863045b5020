; A move of records {i32 id; double w; i32 flags; float tag} (24 bytes)
; whose buffer is freed after a phi: LLVM peels the n <= 0 path of a
; record loop (fuzz seed 110959), where the memmove copies a fresh malloc
; nothing loads or stores, and the one free takes a phi of both paths'
; buffers. That buffer is still private (its address goes only to the
; copy and, through the phi, to free): the copy holds no floating-point
; value and has no reverse, where it was refused as of unknown layout.
; The path that fills the records keeps its field-wise reverse.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32

declare double @__enzyme_autodiff(ptr, ...)
declare ptr @malloc(i64)
declare void @free(ptr)
declare void @llvm.memmove.p0.p0.i64(ptr, ptr, i64, i1)

; n > 0: rec r[n] = {1, x[0], 2, 0.5}; move one slot up; w of r[1] squared
; n <= 0: a move within a buffer of two records nothing wrote; 0
define double @moved(ptr %x, i32 %n) {
entry:
  %n64 = sext i32 %n to i64
  %bytes = mul nsw i64 %n64, 24
  %nm1 = add nsw i64 %n64, -1
  %moved = mul nsw i64 %nm1, 24
  %some = icmp sgt i32 %n, 0
  br i1 %some, label %full, label %empty

empty:
  %b = call ptr @malloc(i64 48)
  %b1 = getelementptr inbounds i8, ptr %b, i64 24
  call void @llvm.memmove.p0.p0.i64(ptr %b1, ptr %b, i64 %moved, i1 false)
  br label %exit

full:
  %a = call ptr @malloc(i64 %bytes)
  %xv = load double, ptr %x
  store i32 1, ptr %a
  %aw = getelementptr inbounds i8, ptr %a, i64 8
  store double %xv, ptr %aw
  %af = getelementptr inbounds i8, ptr %a, i64 16
  store i32 2, ptr %af
  %at = getelementptr inbounds i8, ptr %a, i64 20
  store float 5.000000e-01, ptr %at
  %a1 = getelementptr inbounds i8, ptr %a, i64 24
  call void @llvm.memmove.p0.p0.i64(ptr %a1, ptr %a, i64 %moved, i1 false)
  %a1w = getelementptr inbounds i8, ptr %a, i64 32
  %w = load double, ptr %a1w
  %sq = fmul double %w, %w
  br label %exit

exit:
  %buf = phi ptr [ %b, %empty ], [ %a, %full ]
  %r = phi double [ 0.000000e+00, %empty ], [ %sq, %full ]
  call void @free(ptr %buf)
  ret double %r
}

define double @use(ptr %x, ptr %dx, i32 %n) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  %g = call double (ptr, ...) @__enzyme_autodiff(ptr @moved, i32 %d, ptr %x, ptr %dx, i32 %k, i32 %n)
  ret double %g
}

; CHECK-LABEL: define internal {{.*}} @moved.ct_grad
; the path of nothing written: its move has no reverse (the shadow takes the
; same bytes, as of integer data)
; CHECK: %b = tail call ptr @malloc(i64 48)
; CHECK-NOT: __ct_copy_adjoint
; CHECK: call void @free(ptr %b)
; the filled path's move: the adjoints of the double at 8 and the float at
; 20 of each record go back
; CHECK: %a = tail call ptr @malloc(i64
; CHECK: call void @__ct_copy_adjoint_fields(ptr {{.*}}, ptr {{.*}}, i64 %moved, ptr {{.*}}@ct.copy_fields, i64 2, i64 24)
