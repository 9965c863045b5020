; Reverse-mode rules of libm functions and intrinsics, read off the
; generated gradients: sin -> llvm.cos, sinf -> llvm.cos.f32, cos -> -sin,
; exp and sqrt reuse the primal result, log divides by the argument, tanh
; uses 1 - r*r, pow differentiates both operands, powi converts its integer
; exponent. The primal calls are declared without side effects (as with
; -fno-math-errno), so only what the rules need remains.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s --implicit-check-not=__enzyme_autodiff

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { double, double }

declare double @__enzyme_autodiff(ptr, ...)
declare float @__enzyme_autodifff(ptr, ...)
declare %pair @__enzyme_autodiff_pair(ptr, ...)

declare double @sin(double) #0
declare float @sinf(float) #0
declare double @llvm.cos.f64(double)
declare double @exp(double) #0
declare double @llvm.sqrt.f64(double)
declare double @log(double) #0
declare double @pow(double, double) #0
declare double @llvm.powi.f64.i32(double, i32)
declare double @tanh(double) #0

; CHECK-LABEL: define double @d_sin(double %x)
; CHECK: call { double } @f_sin.ct_grad.a.r(double %x, double 1.000000e+00)
; the variadic call promoted the float argument; it is converted back
; CHECK-LABEL: define float @d_sinf(float %x)
; CHECK: %[[T:[0-9]+]] = fptrunc double %e to float
; CHECK: call { float } @f_sinf.ct_grad.a.r(float %[[T]], float 1.000000e+00)
; CHECK-LABEL: define double @d_powi(double %x, i32 %n)
; CHECK: call { double } @f_powi.ct_grad.ac.r(double %x, i32 %n, double 1.000000e+00)

; d sin(x) = seed * cos(x); sin itself is not called
; CHECK-LABEL: define internal { double } @f_sin.ct_grad.a.r(double %0, double %1)
; CHECK-NOT: @sin(
; CHECK: %[[C:[0-9]+]] = tail call double @llvm.cos.f64(double %0)
; CHECK-NOT: @sin(
; CHECK: %[[D:[0-9]+]] = fmul double %[[C]], %1
; CHECK-NOT: @sin(
; CHECK: insertvalue { double } undef, double %[[D]], 0

; CHECK-LABEL: define internal { float } @f_sinf.ct_grad.a.r(float %0, float %1)
; CHECK-NOT: @sinf(
; CHECK: %[[C:[0-9]+]] = tail call float @llvm.cos.f32(float %0)
; CHECK: %[[D:[0-9]+]] = fmul float %[[C]], %1
; CHECK: insertvalue { float } undef, float %[[D]], 0

; d cos(x) = -seed * sin(x)
; CHECK-LABEL: define internal { double } @f_cos.ct_grad.a.r(double %0, double %1)
; CHECK: %[[S:[0-9]+]] = tail call double @llvm.sin.f64(double %0)
; CHECK: %[[N:[0-9]+]] = fneg double %[[S]]
; CHECK: %[[D:[0-9]+]] = fmul double %[[N]], %1
; CHECK: insertvalue { double } undef, double %[[D]], 0

; d exp(x) = seed * exp(x), using the result of the forward call
; CHECK-LABEL: define internal { double } @f_exp.ct_grad.a.r(double %0, double %1)
; CHECK: %r = tail call double @exp(double %0)
; CHECK-NOT: @exp(
; CHECK: %[[D:[0-9]+]] = fmul double %r, %1
; CHECK: insertvalue { double } undef, double %[[D]], 0

; d sqrt(x) = seed / (2 sqrt(x)), using the result
; CHECK-LABEL: define internal { double } @f_sqrt.ct_grad.a.r(double %0, double %1)
; CHECK: %r = tail call double @llvm.sqrt.f64(double %0)
; CHECK: %[[T:[0-9]+]] = fmul double %r, 2.000000e+00
; CHECK: %[[Q:[0-9]+]] = fdiv double %1, %[[T]]
; CHECK: %[[D:[0-9]+]] = select i1 %{{[0-9]+}}, double 0.000000e+00, double %[[Q]]
; CHECK: insertvalue { double } undef, double %[[D]], 0

; d log(x) = seed / x; the log itself is dead
; CHECK-LABEL: define internal { double } @f_log.ct_grad.a.r(double %0, double %1)
; CHECK-NOT: @log(
; CHECK: %[[Q:[0-9]+]] = fdiv double %1, %0
; CHECK-NOT: @log(
; CHECK: %[[D:[0-9]+]] = select i1 %{{[0-9]+}}, double 0.000000e+00, double %[[Q]]
; CHECK: insertvalue { double } undef, double %[[D]], 0

; d tanh(x) = seed (1 - tanh(x)^2)
; CHECK-LABEL: define internal { double } @f_tanh.ct_grad.a.r(double %0, double %1)
; CHECK: %r = tail call double @tanh(double %0)
; CHECK: %[[SQ:[0-9]+]] = fmul double %r, %r
; CHECK: %[[OM:[0-9]+]] = fsub double 1.000000e+00, %[[SQ]]
; CHECK: fmul double %[[OM]], %1

; d pow(x, y) = (seed y x^(y-1), r == 0 ? 0 : seed r log x); x^(y-1) is
; r / x while r is finite and nonzero (is.fpclass 408 = normal | subnormal),
; else a second pow call on a cold branch
; CHECK-LABEL: define internal { double, double } @f_pow.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %r = tail call double @pow(double %0, double %1)
; CHECK: %[[OK:[0-9]+]] = tail call i1 @llvm.is.fpclass.f64(double %r, i32 408)
; CHECK: %[[Q:[0-9]+]] = fdiv double %r, %0
; CHECK: br i1 %[[OK]], label %[[JOIN:.*]], label %pow.slow
; CHECK: [[JOIN]]:
; CHECK: %[[XM:[0-9]+]] = phi double [ %[[Q]], %rev ], [ %[[P:[0-9]+]], %pow.slow ]
; CHECK-DAG: %[[Z:[0-9]+]] = fcmp oeq double %r, 0.000000e+00
; CHECK-DAG: %[[L:[0-9]+]] = tail call double @llvm.log.f64(double %0)
; CHECK: %[[DY:[0-9]+]] = select i1 %{{[0-9]+}}, double 0.000000e+00, double %{{[0-9]+}}
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[DY]], 1
; CHECK: pow.slow:
; CHECK-NEXT: %[[YM1:[0-9]+]] = fadd {{(nsz )?}}double %1, -1.000000e+00
; CHECK-NEXT: %[[P]] = tail call double @pow(double %0, double %[[YM1]])

; d powi(x, n) = seed n x^(n-1), n converted to double; no derivative for n
; CHECK-LABEL: define internal { double } @f_powi.ct_grad.ac.r(double %0, i32 %1, double %2)
; CHECK: %[[N:[0-9]+]] = sitofp i32 %1 to double
; CHECK: %[[NM1:[0-9]+]] = fadd {{(nsz )?}}double %[[N]], -1.000000e+00
; CHECK: tail call double @llvm.pow.f64(double %0, double %[[NM1]])
; CHECK: ret { double }

define double @f_sin(double %x) {
  %r = call double @sin(double %x)
  ret double %r
}
define float @f_sinf(float %x) {
  %r = call float @sinf(float %x)
  ret float %r
}
define double @f_cos(double %x) {
  %r = call double @llvm.cos.f64(double %x)
  ret double %r
}
define double @f_exp(double %x) {
  %r = call double @exp(double %x)
  ret double %r
}
define double @f_sqrt(double %x) {
  %r = call double @llvm.sqrt.f64(double %x)
  ret double %r
}
define double @f_log(double %x) {
  %r = call double @log(double %x)
  ret double %r
}
define double @f_tanh(double %x) {
  %r = call double @tanh(double %x)
  ret double %r
}
define double @f_pow(double %x, double %y) {
  %r = call double @pow(double %x, double %y)
  ret double %r
}
define double @f_powi(double %x, i32 %n) {
  %r = call double @llvm.powi.f64.i32(double %x, i32 %n)
  ret double %r
}

define double @d_sin(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_sin, double %x)
  ret double %d
}
define float @d_sinf(float %x) {
  %e = fpext float %x to double
  %d = call float (ptr, ...) @__enzyme_autodifff(ptr @f_sinf, double %e)
  ret float %d
}
define double @d_cos(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_cos, double %x)
  ret double %d
}
define double @d_exp(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_exp, double %x)
  ret double %d
}
define double @d_sqrt(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_sqrt, double %x)
  ret double %d
}
define double @d_log(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_log, double %x)
  ret double %d
}
define double @d_tanh(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_tanh, double %x)
  ret double %d
}
define %pair @d_pow(double %x, double %y) {
  %d = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @f_pow, double %x, double %y)
  ret %pair %d
}
define double @d_powi(double %x, i32 %n) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @f_powi, double %x, i32 %n)
  ret double %d
}

attributes #0 = { nounwind willreturn memory(none) }
