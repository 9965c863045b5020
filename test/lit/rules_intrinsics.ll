; Rows of the rule table for LLVM intrinsics (what clang makes of fmin,
; fabs, fma, ldexp and of vector code), read off the gradients:
; llvm.minnum (the seed goes to the operand equal to the result, the first
; on a tie), llvm.fabs (the seed times copysign(1, x)), llvm.fmuladd (all
; three operands), llvm.ldexp (the seed scaled by the same power of two;
; the integer exponent gets nothing), and the same rows over float and
; over vectors (the derivative's intrinsics take the same type suffix).
; RUN: %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { double, double }
%tri = type { double, double, double }

@enzyme_dup = external global i32

declare double @__enzyme_autodiff(ptr, ...)
declare float @__enzyme_autodifff(ptr, ...)
declare %pair @__enzyme_autodiff_pair(ptr, ...)
declare %tri @__enzyme_autodiff_tri(ptr, ...)
declare double @llvm.minnum.f64(double, double)
declare double @llvm.fabs.f64(double)
declare double @llvm.fmuladd.f64(double, double, double)
declare double @llvm.ldexp.f64.i32(double, i32)
declare float @llvm.sin.f32(float)
declare <2 x double> @llvm.exp.v2f64(<2 x double>)

define double @f_minnum(double %x, double %y) {
  %r = call double @llvm.minnum.f64(double %x, double %y)
  ret double %r
}
define double @f_fabs(double %x) {
  %r = call double @llvm.fabs.f64(double %x)
  ret double %r
}
define double @f_fmuladd(double %a, double %b, double %c) {
  %r = call double @llvm.fmuladd.f64(double %a, double %b, double %c)
  ret double %r
}
define double @f_ldexp(double %x, i32 %e) {
  %r = call double @llvm.ldexp.f64.i32(double %x, i32 %e)
  ret double %r
}
define float @f_sinf(float %x) {
  %r = call float @llvm.sin.f32(float %x)
  ret float %r
}
; sum of exp over the two lanes of p[0..2)
define double @f_exp_v2(ptr %p) {
  %v = load <2 x double>, ptr %p
  %e = call <2 x double> @llvm.exp.v2f64(<2 x double> %v)
  %e0 = extractelement <2 x double> %e, i64 0
  %e1 = extractelement <2 x double> %e, i64 1
  %r = fadd double %e0, %e1
  ret double %r
}

define double @use(double %x, double %y, double %z, i32 %e, ptr %p, ptr %dp) {
  %d = load i32, ptr @enzyme_dup
  %1 = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @f_minnum, double %x, double %y)
  %2 = call double (ptr, ...) @__enzyme_autodiff(ptr @f_fabs, double %x)
  %3 = call %tri (ptr, ...) @__enzyme_autodiff_tri(ptr @f_fmuladd, double %x, double %y, double %z)
  %4 = call double (ptr, ...) @__enzyme_autodiff(ptr @f_ldexp, double %x, i32 %e)
  %5 = call float (ptr, ...) @__enzyme_autodifff(ptr @f_sinf, double %x)
  %6 = call double (ptr, ...) @__enzyme_autodiff(ptr @f_exp_v2, i32 %d, ptr %p, ptr %dp)
  ret double %x
}

; CHECK-LABEL: define internal { double, double } @f_minnum.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %r = tail call double @llvm.minnum.f64(double %0, double %1)
; CHECK: %[[FIRST:[0-9]+]] = fcmp oeq double %r, %0
; CHECK: %[[DX:[0-9]+]] = select i1 %[[FIRST]], double %2, double 0.000000e+00
; CHECK: %[[DY:[0-9]+]] = select i1 %[[FIRST]], double 0.000000e+00, double %2
; CHECK: insertvalue { double, double } undef, double %[[DX]], 0
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[DY]], 1

; CHECK-LABEL: define internal { double } @f_fabs.ct_grad.a.r(double %0, double %1)
; CHECK: %[[SIGN:[0-9]+]] = tail call double @llvm.copysign.f64(double 1.000000e+00, double %0)
; CHECK: fmul double %[[SIGN]], %1

; d fmuladd(a, b, c) = (d b, d a, d)
; CHECK-LABEL: define internal { double, double, double } @f_fmuladd.ct_grad.aaa.r(double %0, double %1, double %2, double %3)
; CHECK: %[[DA:[0-9]+]] = fmul double %1, %3
; CHECK: %[[DB:[0-9]+]] = fmul double %0, %3
; CHECK: insertvalue { double, double, double } undef, double %[[DA]], 0
; CHECK: insertvalue { double, double, double } %{{[0-9]+}}, double %[[DB]], 1
; CHECK: insertvalue { double, double, double } %{{[0-9]+}}, double %3, 2

; CHECK-LABEL: define internal { double } @f_ldexp.ct_grad.ac.r(double %0, i32 %1, double %2)
; CHECK: %[[D:[0-9]+]] = tail call double @llvm.ldexp.f64.i32(double %2, i32 %1)
; CHECK: insertvalue { double } undef, double %[[D]], 0

; CHECK-LABEL: define internal { float } @f_sinf.ct_grad.a.r(float %0, float %1)
; CHECK: %[[C:[0-9]+]] = tail call float @llvm.cos.f32(float %0)
; CHECK: fmul float %[[C]], %1

; the lanes' adjoints are the seed each; times exp of the lanes (the primal
; result, reused), added into the shadow of p as a vector
; CHECK-LABEL: define internal {} @f_exp_v2.ct_grad.d.r(ptr %0, ptr %1, double %2)
; CHECK: %e = tail call <2 x double> @llvm.exp.v2f64(<2 x double> %v)
; CHECK: insertelement <2 x double> {{.*}}, double %2, i64 1
; CHECK: insertelement <2 x double> {{.*}}, double %2, i64 0
; CHECK: %[[D:[0-9]+]] = fmul <2 x double> %{{[0-9]+}}, %e
; CHECK: %[[OLD:[0-9]+]] = load <2 x double>, ptr %1
; CHECK: %[[NEW:[0-9]+]] = fadd reassoc nsz <2 x double> %[[D]], %[[OLD]]
; CHECK: store <2 x double> %[[NEW]], ptr %1
