; Differentiated functions of rules_intrinsics.c that C does not produce
; at -O0: a select instruction (the condition an integer, or a comparison),
; llvm.minimum and llvm.maximum, in double and float. Each rules_ir_* entry
; point takes the operands and pointers for their derivatives and returns
; the value from ct_value_with_gradient (the native operator).
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare double @__ct_value_with_gradient(ptr, ...)

define internal double @rf_select_d(i32 %k, double %a, double %b) {
  %c = icmp ne i32 %k, 0
  %r = select i1 %c, double %a, double %b
  ret double %r
}

define double @rules_ir_select_d(i32 %k, double %a, ptr %da, double %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_select_d, i32 %k, double %a, ptr %da, double %b, ptr %db)
  ret double %v
}

define internal double @rf_minimum_d(double %a, double %b) {
  %r = call double @llvm.minimum.f64(double %a, double %b)
  ret double %r
}

define internal double @rf_minimum_xx_d(double %x) {
  %r = call double @llvm.minimum.f64(double %x, double %x)
  ret double %r
}

define double @rules_ir_minimum_d(double %a, ptr %da, double %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_minimum_d, double %a, ptr %da, double %b, ptr %db)
  ret double %v
}

define double @rules_ir_minimum_xx_d(double %x, ptr %dx) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_minimum_xx_d, double %x, ptr %dx)
  ret double %v
}

declare double @llvm.minimum.f64(double, double)

define internal double @rf_maximum_d(double %a, double %b) {
  %r = call double @llvm.maximum.f64(double %a, double %b)
  ret double %r
}

define internal double @rf_maximum_xx_d(double %x) {
  %r = call double @llvm.maximum.f64(double %x, double %x)
  ret double %r
}

define double @rules_ir_maximum_d(double %a, ptr %da, double %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_maximum_d, double %a, ptr %da, double %b, ptr %db)
  ret double %v
}

define double @rules_ir_maximum_xx_d(double %x, ptr %dx) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_maximum_xx_d, double %x, ptr %dx)
  ret double %v
}

declare double @llvm.maximum.f64(double, double)

define internal float @rf_select_f(i32 %k, float %a, float %b) {
  %c = icmp ne i32 %k, 0
  %r = select i1 %c, float %a, float %b
  ret float %r
}

define float @rules_ir_select_f(i32 %k, float %a, ptr %da, float %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_select_f, i32 %k, float %a, ptr %da, float %b, ptr %db)
  %r = fptrunc double %v to float
  ret float %r
}

define internal float @rf_minimum_f(float %a, float %b) {
  %r = call float @llvm.minimum.f32(float %a, float %b)
  ret float %r
}

define internal float @rf_minimum_xx_f(float %x) {
  %r = call float @llvm.minimum.f32(float %x, float %x)
  ret float %r
}

define float @rules_ir_minimum_f(float %a, ptr %da, float %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_minimum_f, float %a, ptr %da, float %b, ptr %db)
  %r = fptrunc double %v to float
  ret float %r
}

define float @rules_ir_minimum_xx_f(float %x, ptr %dx) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_minimum_xx_f, float %x, ptr %dx)
  %r = fptrunc double %v to float
  ret float %r
}

declare float @llvm.minimum.f32(float, float)

define internal float @rf_maximum_f(float %a, float %b) {
  %r = call float @llvm.maximum.f32(float %a, float %b)
  ret float %r
}

define internal float @rf_maximum_xx_f(float %x) {
  %r = call float @llvm.maximum.f32(float %x, float %x)
  ret float %r
}

define float @rules_ir_maximum_f(float %a, ptr %da, float %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_maximum_f, float %a, ptr %da, float %b, ptr %db)
  %r = fptrunc double %v to float
  ret float %r
}

define float @rules_ir_maximum_xx_f(float %x, ptr %dx) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_maximum_xx_f, float %x, ptr %dx)
  %r = fptrunc double %v to float
  ret float %r
}

declare float @llvm.maximum.f32(float, float)

define internal double @rf_select_cmp_d(double %a, double %b) {
  %c = fcmp olt double %a, %b
  %r = select i1 %c, double %b, double %a
  ret double %r
}

define double @rules_ir_select_cmp_d(double %a, ptr %da, double %b, ptr %db) {
  %v = call double (ptr, ...) @__ct_value_with_gradient(ptr @rf_select_cmp_d, double %a, ptr %da, double %b, ptr %db)
  ret double %v
}
