; Lowering of the operator calls themselves:
;  - select: the seed goes to the chosen operand
;  - Enzyme ABI, three results returned through sret memory (x86-64)
;  - Enzyme ABI, {float, float} returned as <2 x float>
;  - Cotangent's __ct_gradient / __ct_value_with_gradient: derivatives are
;    stored through the pointers, __ct_const_marker holds an argument
;    constant, the value is returned
; Every marker global, marker load and operator declaration is removed.
; RUN: %opt -passes=cotangent -S %s | FileCheck %s \
; RUN:   --implicit-check-not=__enzyme_autodiff --implicit-check-not=enzyme_const \
; RUN:   --implicit-check-not=__ct_gradient --implicit-check-not=__ct_value_with_gradient \
; RUN:   --implicit-check-not=__ct_const_marker

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

%pair = type { double, double }
%D3 = type { double, double, double }

@enzyme_const = global i32 0
@__ct_const_marker = external global i32

declare %pair @__enzyme_autodiff_pair(ptr, ...)
declare void @__enzyme_autodiff_d3(ptr sret(%D3) align 8, ptr, ...)
declare <2 x float> @__enzyme_autodiff_f2(ptr, ...)
declare void @__ct_gradient(ptr, ...)
declare double @__ct_value_with_gradient(ptr, ...)

define double @sel(double %a, double %b) {
  %c = fcmp olt double %a, %b
  %r = select i1 %c, double %a, double %b
  ret double %r
}

define double @f3(double %x, double %y, double %z) {
  %p = fmul double %x, %y
  %r = fmul double %p, %z
  ret double %r
}

define float @g2(float %x, float %y) {
  %r = fmul float %x, %y
  ret float %r
}

; CHECK-LABEL: define %pair @d_sel(
; CHECK: %[[G:[0-9]+]] = call { double, double } @sel.ct_grad.aa.r(double %x, double %y, double 1.000000e+00)
define %pair @d_sel(double %x, double %y) {
  %d = call %pair (ptr, ...) @__enzyme_autodiff_pair(ptr @sel, double %x, double %y)
  ret %pair %d
}

; The three derivatives are written into the caller's sret buffer.
; CHECK-LABEL: define void @d_f3(ptr sret(%D3) align 8 %out,
; CHECK: %[[G:[0-9]+]] = call { double, double, double } @f3.ct_grad.aaa.r(double %x, double %y, double %z, double 1.000000e+00)
; CHECK-DAG: %[[A:[0-9]+]] = extractvalue { double, double, double } %[[G]], 0
; CHECK-DAG: %[[B:[0-9]+]] = extractvalue { double, double, double } %[[G]], 1
; CHECK-DAG: %[[C:[0-9]+]] = extractvalue { double, double, double } %[[G]], 2
; CHECK: store double %[[A]], ptr %{{[0-9]+|out}}
; CHECK: %[[P1:[0-9]+]] = getelementptr inbounds { double, double, double }, ptr %out, i32 0, i32 1
; CHECK: store double %[[B]], ptr %[[P1]]
; CHECK: %[[P2:[0-9]+]] = getelementptr inbounds { double, double, double }, ptr %out, i32 0, i32 2
; CHECK: store double %[[C]], ptr %[[P2]]
; CHECK-NOT: alloca
; CHECK: ret void
define void @d_f3(ptr sret(%D3) align 8 %out, double %x, double %y, double %z) {
  call void (ptr, ptr, ...) @__enzyme_autodiff_d3(ptr sret(%D3) align 8 %out, ptr @f3, double %x, double %y, double %z)
  ret void
}

; Two float results come back as <2 x float>; the promoted arguments are
; converted to the parameters' float type.
; CHECK-LABEL: define <2 x float> @d_g2(
; CHECK-DAG: %[[X:[0-9]+]] = fptrunc double %xd to float
; CHECK-DAG: %[[Y:[0-9]+]] = fptrunc double %yd to float
; CHECK: call { float, float } @g2.ct_grad.aa.r(float %[[X]], float %[[Y]], float 1.000000e+00)
; CHECK: %[[V:[0-9]+]] = load <2 x float>, ptr
; CHECK: ret <2 x float> %[[V]]
define <2 x float> @d_g2(double %xd, double %yd) {
  %d = call <2 x float> (ptr, ...) @__enzyme_autodiff_f2(ptr @g2, double %xd, double %yd)
  ret <2 x float> %d
}

; ct_gradient(f3, x, &dx, ct_const(y), z, &dz)
; CHECK-LABEL: define void @native(
; CHECK: %[[G:[0-9]+]] = call { double, double } @f3.ct_grad.aca.r(double %x, double %y, double %z, double 1.000000e+00)
; CHECK-DAG: %[[A:[0-9]+]] = extractvalue { double, double } %[[G]], 0
; CHECK-DAG: %[[C:[0-9]+]] = extractvalue { double, double } %[[G]], 1
; CHECK-DAG: store double %[[A]], ptr %dx
; CHECK-DAG: store double %[[C]], ptr %dz
; CHECK: ret void
define void @native(double %x, double %y, double %z, ptr %dx, ptr %dz) {
  %m = load i32, ptr @__ct_const_marker
  call void (ptr, ...) @__ct_gradient(ptr @f3, double %x, ptr %dx, i32 %m, double %y, double %z, ptr %dz)
  ret void
}

; ct_value_with_gradient(g2, x, &dx, y, &dy): float parameters, the value
; comes back first and is extended to double.
; CHECK-LABEL: define double @native_value(
; CHECK: %[[G:[0-9]+]] = call { float, float, float } @g2.ct_grad.aa.r.v(float %{{[0-9]+}}, float %{{[0-9]+}}, float 1.000000e+00)
; CHECK-DAG: %[[V:[0-9]+]] = extractvalue { float, float, float } %[[G]], 0
; CHECK-DAG: %[[A:[0-9]+]] = extractvalue { float, float, float } %[[G]], 1
; CHECK-DAG: %[[B:[0-9]+]] = extractvalue { float, float, float } %[[G]], 2
; CHECK-DAG: store float %[[A]], ptr %dx
; CHECK-DAG: store float %[[B]], ptr %dy
; CHECK-DAG: %[[E:[0-9]+]] = fpext float %[[V]] to double
; CHECK: ret double %[[E]]
define double @native_value(double %x, double %y, ptr %dx, ptr %dy) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @g2, double %x, ptr %dx, double %y, ptr %dy)
  ret double %v
}

; select a < b ? a : b: (c ? seed : 0, c ? 0 : seed)
; CHECK-LABEL: define internal { double, double } @sel.ct_grad.aa.r(double %0, double %1, double %2)
; CHECK: %c = fcmp olt double %0, %1
; CHECK-DAG: %[[DA:[0-9]+]] = select i1 %c, double %2, double 0.000000e+00
; CHECK-DAG: %[[DB:[0-9]+]] = select i1 %c, double 0.000000e+00, double %2
; CHECK: insertvalue { double, double } undef, double %[[DA]], 0
; CHECK: insertvalue { double, double } %{{[0-9]+}}, double %[[DB]], 1

; CHECK-LABEL: define internal { double, double, double } @f3.ct_grad.aaa.r(
; CHECK: ret { double, double, double }

; CHECK-LABEL: define internal { float, float } @g2.ct_grad.aa.r(float %0, float %1, float %2)
; CHECK-DAG: fmul float %1, %2
; CHECK-DAG: fmul float %0, %2

; only x and z active: d/dx = seed y z, d/dz = seed x y
; CHECK-LABEL: define internal { double, double } @f3.ct_grad.aca.r(double %0, double %1, double %2, double %3)
; CHECK: ret { double, double }

; the value-returning gradient computes the primal product
; CHECK-LABEL: define internal { float, float, float } @g2.ct_grad.aa.r.v(float %0, float %1, float %2)
; CHECK: %r = fmul float %0, %1
; CHECK: insertvalue { float, float, float } undef, float %r, 0
