; IR that C does not produce, for enzyme_inactive.c: Enzyme's
; "enzyme_inactive" string attribute on a function (as Julia or Rust
; frontends write it) and on one call of a function, and "enzyme_nofree".
; Each ir_* entry point returns d/dx of x * g(x) by __enzyme_autodiff, g
; constant where it is marked inactive.
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare double @__enzyme_autodiff(ptr, ...)

define internal double @ir_square(double %x) #0 {
  %r = fmul double %x, %x
  ret double %r
}

define internal double @ir_cube(double %x) {
  %s = fmul double %x, %x
  %r = fmul double %s, %x
  ret double %r
}

; x * square(x), square inactive: d/dx = x^2
define internal double @ir_f1(double %x) {
  %s = call double @ir_square(double %x)
  %r = fmul double %x, %s
  ret double %r
}

; x * cube(x) + cube(x), the first call inactive: d/dx = x^3 + 3 x^2
define internal double @ir_f2(double %x) {
  %c1 = call double @ir_cube(double %x) #1
  %c2 = call double @ir_cube(double %x)
  %p = fmul double %x, %c1
  %r = fadd double %p, %c2
  ret double %r
}

define double @ir_d1(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @ir_f1, double %x)
  ret double %d
}

define double @ir_d2(double %x) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @ir_f2, double %x)
  ret double %d
}

attributes #0 = { "enzyme_inactive" "enzyme_nofree" }
attributes #1 = { "enzyme_inactive" }
