; Reverse-mode rules of the arithmetic instructions, read off the generated
; gradient functions: fmul, fdiv, fadd, fsub, fneg and frem, each with both
; operands active (Enzyme ABI, two results) or one held constant.
; The operator calls are replaced by calls of the gradients; the marker
; global, its loads and the operator declarations are gone.
; RUN: %opt -passes=cotangent -S %s \
; RUN:   | FileCheck %s --implicit-check-not=enzyme_const --implicit-check-not=__enzyme_autodiff

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { double, double }

@enzyme_const = global i32 0

declare double @__enzyme_autodiff(ptr, ...)
declare %pair @__enzyme_autodiff_pair(ptr, ...)

define double @mul(double %a, double %b) {
  %r = fmul double %a, %b
  ret double %r
}

define double @div(double %a, double %b) {
  %r = fdiv double %a, %b
  ret double %r
}

define double @addsub(double %a, double %b) {
  %s = fadd double %a, %b
  %n = fneg double %b
  %r = fsub double %s, %n
  ret double %r
}

define double @rem(double %a, double %b) {
  %r = frem double %a, %b
  ret double %r
}

; CHECK-LABEL: define %pair @d_mul(
; CHECK: call { double, double } @mul.ct_grad.aa.r(double %x, double %y, double 1.000000e+00)
; CHECK: ret %pair
define %pair @d_mul(double %x, double %y) {
  %d = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @mul, double %x, double %y)
  ret %pair %d
}

; CHECK-LABEL: define double @d_mul_const(
; CHECK-NOT: load i32
; CHECK: call { double } @mul.ct_grad.ca.r(double %x, double %y, double 1.000000e+00)
define double @d_mul_const(double %x, double %y) {
  %c = load i32, ptr @enzyme_const
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @mul, i32 %c, double %x, double %y)
  ret double %d
}

; CHECK-LABEL: define %pair @d_div(
; CHECK: call { double, double } @div.ct_grad.aa.r(
define %pair @d_div(double %x, double %y) {
  %d = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @div, double %x, double %y)
  ret %pair %d
}

; CHECK-LABEL: define %pair @d_addsub(
; CHECK: call { double, double } @addsub.ct_grad.aa.r(
define %pair @d_addsub(double %x, double %y) {
  %d = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @addsub, double %x, double %y)
  ret %pair %d
}

; CHECK-LABEL: define %pair @d_rem(
; CHECK: call { double, double } @rem.ct_grad.aa.r(
define %pair @d_rem(double %x, double %y) {
  %d = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @rem, double %x, double %y)
  ret %pair %d
}

; Gradients: parameters (a, b, seed); results { d/da, d/db }.
; d(a*b) = (seed * b, seed * a)
; CHECK-LABEL: define internal { double, double } @mul.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK-DAG: %[[DA:[0-9]+]] = fmul double %1, %2
; CHECK-DAG: %[[DB:[0-9]+]] = fmul double %0, %2
; CHECK: %[[R0:[0-9]+]] = insertvalue { double, double } undef, double %[[DA]], 0
; CHECK: insertvalue { double, double } %[[R0]], double %[[DB]], 1
; CHECK: ret { double, double }

; only b active: (seed * a)
; CHECK-LABEL: define internal { double } @mul.ct_grad.ca.r(double %0, double %1, double %2)
; CHECK: %[[D:[0-9]+]] = fmul double %0, %2
; CHECK: insertvalue { double } undef, double %[[D]], 0

; d(a/b) = (seed / b, -(a/b) * seed / b); divisions are guarded so that a
; zero seed gives zero (not 0 * inf)
; CHECK-LABEL: define internal { double, double } @div.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %[[QA:[0-9]+]] = fdiv double %2, %1
; CHECK: %[[Z:[0-9]+]] = fcmp oeq double %2, 0.000000e+00
; CHECK: %[[DA:[0-9]+]] = select i1 %[[Z]], double 0.000000e+00, double %[[QA]]
; CHECK: %[[NA:[0-9]+]] = fneg double %0
; CHECK: %[[Q:[0-9]+]] = fdiv double %[[NA]], %1
; CHECK: %[[QS:[0-9]+]] = fmul double %[[Q]], %2
; CHECK: %[[QB:[0-9]+]] = fdiv double %[[QS]], %1
; CHECK: %[[DB:[0-9]+]] = select i1 %[[Z]], double 0.000000e+00, double %[[QB]]
; CHECK: insertvalue { double, double } undef, double %[[DA]], 0
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[DB]], 1

; (a + b) - (-b): d/da = seed, d/db = seed + seed (adjoint sums may be
; reassociated: seed * 2)
; CHECK-LABEL: define internal { double, double } @addsub.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %[[DB:[0-9a-z]+]] = {{fadd reassoc nsz double %2, %2|fmul reassoc nsz double %2, 2.000000e\+00}}
; CHECK: insertvalue { double, double } undef, double %2, 0
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[DB]], 1

; d(a rem b) = (seed, -seed * trunc(a / b))
; CHECK-LABEL: define internal { double, double } @rem.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %[[Q:[0-9]+]] = fdiv double %0, %1
; CHECK: %[[T:[0-9]+]] = {{.*}}call double @llvm.trunc.f64(double %[[Q]])
; CHECK: %[[N:[0-9]+]] = fneg double %[[T]]
; CHECK: %[[DB0:[0-9]+]] = fmul double %[[N]], %2
; CHECK: %[[DB:[0-9]+]] = select i1 %{{[0-9]+}}, double 0.000000e+00, double %[[DB0]]
; CHECK: insertvalue { double, double } undef, double %2, 0
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[DB]], 1
