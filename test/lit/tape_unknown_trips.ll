; Tape planning for a loop whose trip count is not known before it runs
; (it repeats while v*v/2 > 1): each iteration pushes a record of its own
; with which predecessor came before (entry 0, the loop itself 1) and the
; phi's value v, the one value the reverse needs; v*v is recomputed from v.
; The reverse pops one record per iteration and goes back along the edge
; the record names. The runtime's fast paths are not linked, so the tape
; shows as calls.
; RUN: env COTANGENT_RUNTIME_BC=%t.none %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare double @__enzyme_autodiff(ptr, ...)

define double @halve(double %x) {
entry:
  br label %loop
loop:
  %v = phi double [ %x, %entry ], [ %h, %loop ]
  %sq = fmul double %v, %v
  %h = fmul double %sq, 0.5
  %big = fcmp ogt double %h, 1.0
  br i1 %big, label %loop, label %exit
exit:
  ret double %h
}

define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @halve, double %x)
  ret double %r
}

; (LLVM peels the first iteration: its record says "from entry")
; CHECK-LABEL: define internal { double } @halve.ct_grad.a.r(double %0, double %1)
; CHECK: %[[TAPE:[a-z.0-9]+]] = tail call ptr @__ct_tape_create(i64 0)
; CHECK: %[[R0:[0-9]+]] = insertvalue { i32, double } { i32 0, double undef }, double %0, 1
; CHECK: %[[P0:[0-9]+]] = tail call ptr @__ct_tape_push(ptr %[[TAPE]], i64 16, i64 16)
; CHECK: store { i32, double } %[[R0]], ptr %[[P0]]
; CHECK: loop:
; CHECK: %v = phi double
; CHECK: %[[R1:[0-9]+]] = insertvalue { i32, double } { i32 1, double undef }, double %v, 1
; CHECK: %[[P1:[0-9]+]] = tail call ptr @__ct_tape_push(ptr %[[TAPE]], i64 16, i64 16)
; CHECK-NEXT: store { i32, double } %[[R1]], ptr %[[P1]]
; CHECK: br i1 %big, label %loop
; the reverse: pop a record, d(v*v*0.5)/dv = v, back along its edge
; CHECK: [[REV:rev[0-9]+]]:
; CHECK: %[[Q:[0-9]+]] = tail call ptr @__ct_tape_pop(ptr %[[TAPE]], i64 16, i64 16)
; CHECK: %[[REC:[0-9]+]] = load { i32, double }, ptr %[[Q]]
; CHECK: %[[FROM:[a-z.0-9]+]] = extractvalue { i32, double } %[[REC]], 0
; CHECK: %[[V:[0-9]+]] = extractvalue { i32, double } %[[REC]], 1
; CHECK: fmul double %{{[0-9]+}}, %[[V]]
; CHECK: switch i32 %[[FROM]], label %{{[.a-z0-9]+}} [
; CHECK-NEXT: i32 0, label %{{[.a-z0-9]+}}
; CHECK-NEXT: i32 1, label %[[REV]]
