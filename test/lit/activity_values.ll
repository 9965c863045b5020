; Activity of values, read off the generated gradient: a parameter held
; constant (enzyme_const) gets no derivative and nothing computed from it
; alone is differentiated (exp(c) is only a factor, no exp/derivative of it
; in the reverse); a value that depends on x but only reaches printf (varied,
; not useful) gets no adjoint (no cos for its sin); integer values (the
; counter of a loop) carry no derivative. The gradients' names spell the
; activity: a active, c constant.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_const = external global i32
@fmt = private constant [4 x i8] c"%g\0A\00"

declare double @__enzyme_autodiff(ptr, ...)
declare i32 @printf(ptr, ...)
declare double @sin(double) #0
declare double @exp(double) #0

; x * exp(c), and sin(x) printed
define double @scaled(double %x, double %c) {
  %e = call double @exp(double %c)
  %w = call double @sin(double %x)
  %p = call i32 (ptr, ...) @printf(ptr @fmt, double %w)
  %m = fmul double %x, %e
  ret double %m
}

; x * x repeated n times: the integer counter is inactive
define double @repeat(double %x, i32 %n) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]
  %sq = fmul double %x, %x
  %s.next = fadd double %s, %sq
  %i.next = add nuw nsw i32 %i, 1
  %more = icmp slt i32 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  %fi = sitofp i32 %i.next to double
  %r = fmul double %s.next, %fi
  ret double %r
}

; CHECK-LABEL: define double @use(
; CHECK: call { double } @scaled.ct_grad.ac.r(double %x, double %c, double 1.000000e+00)
; CHECK: call { double } @repeat.ct_grad.ac.r(double %x, i32 %n, double 1.000000e+00)
define double @use(double %x, double %c, i32 %n) {
  %k = load i32, ptr @enzyme_const
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @scaled, double %x, i32 %k, double %c)
  %r2 = call double (ptr, ...) @__enzyme_autodiff(ptr @repeat, double %x, i32 %k, i32 %n)
  %s = fadd double %r, %r2
  ret double %s
}

; One result (c is constant): d/dx = seed * exp(c). The primal's sin and
; printf stay (the forward part runs the primal), its derivative does not.
; CHECK-LABEL: define internal { double } @scaled.ct_grad.ac.r(double %0, double %1, double %2)
; CHECK-NOT: @llvm.cos
; CHECK: %[[E:[a-z0-9]+]] = tail call double @exp(double %1)
; CHECK-NOT: @llvm.cos
; CHECK: call i32 (ptr, ...) @printf(
; CHECK-NOT: @llvm.cos
; CHECK: %[[D:[0-9]+]] = fmul double %[[E]], %2
; CHECK-NOT: @llvm.cos
; CHECK: insertvalue { double } undef, double %[[D]], 0
; CHECK-NEXT: ret { double }

; d/dx of (sum of n x*x) * n: the integer n converted to double is a
; constant factor of the seed; the reverse loop runs on a counter counted
; down from the trip count: nothing goes on the tape
; CHECK-LABEL: define internal { double } @repeat.ct_grad.ac.r(double %0, i32 %1, double %2)
; CHECK-NOT: __ct_tape
; CHECK: %[[N:[a-z0-9]+]] = uitofp nneg i32 %{{[a-z0-9]+}} to double
; CHECK: %[[S:[0-9]+]] = fmul double %[[N]], %2
; CHECK-NOT: __ct_tape
; CHECK: phi i64
; CHECK-NOT: __ct_tape
; CHECK: fadd reassoc nsz double %{{[a-z0-9.]+}}, %[[S]]
; CHECK-NOT: __ct_tape
; CHECK: {{^}$}}

attributes #0 = { nounwind willreturn memory(none) }
