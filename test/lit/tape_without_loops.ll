; Without loops nothing goes on the tape: the values of blocks that run
; once and dominate the return are used directly by the reverse (a straight
; line: exp(y) is not computed again), and the blocks of an if/else, which
; run at most once, keep their records (which branch ran, the values their
; reverse needs) in stack slots, which LLVM turns back into SSA values: the
; reverse branches on the condition again.
; RUN: env COTANGENT_RUNTIME_BC=%t.none %opt -passes=cotangent -S %s | FileCheck %s --implicit-check-not=__ct_tape

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { double, double }

declare %pair @__enzyme_autodiff_pair(ptr, ...)
declare double @sin(double) #0
declare double @exp(double) #0

define double @line(double %x, double %y) {
  %s = call double @sin(double %x)
  %e = call double @exp(double %y)
  %p = fmul double %s, %e
  %r = fdiv double %p, %y
  ret double %r
}

define double @branch(double %x, double %y) {
entry:
  %c = fcmp olt double %x, %y
  br i1 %c, label %then, label %else
then:
  %a = call double @sin(double %x)
  br label %join
else:
  %b = call double @exp(double %y)
  br label %join
join:
  %p = phi double [ %a, %then ], [ %b, %else ]
  %r = fmul double %p, %x
  ret double %r
}

define double @use(double %x, double %y) {
  %1 = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @line, double %x, double %y)
  %2 = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @branch, double %x, double %y)
  ret double %x
}

; the primal's values are used as they are: exp(y) is not computed again
; CHECK-LABEL: define internal { double, double } @line.ct_grad.aa.r(
; CHECK: %s = tail call double @sin(double %0)
; CHECK: %e = tail call double @exp(double %1)
; CHECK-NOT: @exp(
; CHECK: {{^}$}}

; CHECK-LABEL: define internal { double, double } @branch.ct_grad.aa.r(
; CHECK: %c = fcmp olt double %0, %1
; CHECK: br i1 %c, label %[[THEN:[.a-z0-9]+]], label %[[ELSE:[.a-z0-9]+]]
; CHECK: [[THEN]]:
; CHECK: %a = tail call double @sin(double %0)
; CHECK: call double @llvm.cos.f64(double %0)
; CHECK: [[ELSE]]:
; CHECK: %b = tail call double @exp(double %1)
; CHECK-NOT: @llvm.cos
; CHECK: {{^}$}}

attributes #0 = { nounwind willreturn memory(none) }
