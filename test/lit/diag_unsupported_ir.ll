; Diagnostics for IR the reverse pass cannot differentiate, each at the
; debug location of the instruction (model.c:LINE:COL from its !dbg), with
; a non-zero exit: a call of a function without a body or derivative, a
; constrained floating-point intrinsic (strictfp code), a store of a
; differentiable value into a global (no shadow), an atomic max on
; differentiable memory, an indirect call, inline assembly, a memcpy whose
; element type cannot be deduced, a function that never returns; and the
; warning for a result that does not depend on the differentiable
; arguments (opt goes on). opt stops at the first error, so each case is a
; module of its own (split-file), after a common header.
; RUN: rm -rf %t && split-file %s %t
; RUN: cat %t/head.ll %t/call.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=CALL
; RUN: cat %t/head.ll %t/strict.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=STRICT
; RUN: cat %t/head.ll %t/global.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=GLOBAL
; RUN: cat %t/head.ll %t/atomic.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=ATOMIC
; RUN: cat %t/head.ll %t/indirect.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=INDIRECT
; RUN: cat %t/head.ll %t/asm.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=ASM
; RUN: cat %t/head.ll %t/memcpy.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=MEMCPY
; RUN: cat %t/head.ll %t/noreturn.ll | not %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=NORETURN
; RUN: cat %t/head.ll %t/constant.ll | %opt -passes=cotangent -S -o /dev/null 2>&1 | FileCheck %s --check-prefix=CONSTANT

; CALL: error: model.c:12:14: in function f double (double): cannot differentiate 'f': call to 'mystery' has no derivative; Cotangent differentiates libm functions, LLVM intrinsics and functions whose body is in this file
; STRICT: error: model.c:12:14: in function f double (double): cannot differentiate 'f': call to 'llvm.experimental.constrained.fmul.f64' has no derivative
; GLOBAL: error: model.c:13:5: in function f double (double): cannot differentiate 'f': 'store' instruction stores a differentiable value into memory that has no shadow (a global variable or a pointer argument passed as constant); pass that pointer with a shadow (enzyme_dup), or use a local variable
; ATOMIC: error: model.c:12:14: in function f double (ptr): cannot differentiate 'f': 'atomicrmw' instruction is an atomic operation on differentiable data that has no derivative; only atomic adds and subtracts
; INDIRECT: error: model.c:12:14: in function f double (ptr, double): cannot differentiate 'f': indirect call through a function pointer cannot be differentiated; no function of its type whose derivative Cotangent knows may be what the pointer holds
; ASM: error: model.c:12:14: in function f double (double): cannot differentiate 'f': inline assembly ('asm' statement) has no derivative; write the computation in C, or give the function containing it a custom derivative (CT_DERIVATIVE)
; MEMCPY: error: model.c:12:14: in function f void (ptr, ptr, i64): cannot differentiate 'f': call to 'llvm.memcpy.p0.p0.i64' copies memory whose element type Cotangent cannot deduce
; NORETURN: error: model.c:12:14: in function f double (double): cannot differentiate 'f': {{.*}}never returns
; CONSTANT: warning: model.c:13:5: the result of 'f' does not depend on its differentiable arguments; its derivative is always zero
; CONSTANT-NOT: error

;--- head.ll
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32
declare double @__enzyme_autodiff(ptr, ...)

!llvm.dbg.cu = !{!0}
!llvm.module.flags = !{!2, !3}
!0 = distinct !DICompileUnit(language: DW_LANG_C11, file: !1, producer: "hand-written", isOptimized: false, runtimeVersion: 0, emissionKind: FullDebug)
!1 = !DIFile(filename: "model.c", directory: "/src")
!2 = !{i32 2, !"Debug Info Version", i32 3}
!3 = !{i32 7, !"Dwarf Version", i32 5}
!4 = !DISubroutineType(types: !{})
!5 = distinct !DISubprogram(name: "f", scope: !1, file: !1, line: 11, type: !4, scopeLine: 11, spFlags: DISPFlagDefinition, unit: !0)
!6 = !DILocation(line: 12, column: 14, scope: !5)
!7 = !DILocation(line: 13, column: 5, scope: !5)

;--- call.ll
declare double @mystery(double)
define double @f(double %x) !dbg !5 {
  %y = call double @mystery(double %x), !dbg !6
  ret double %y, !dbg !7
}
define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %r
}

;--- strict.ll
declare double @llvm.experimental.constrained.fmul.f64(double, double, metadata, metadata)
define double @f(double %x) strictfp !dbg !5 {
  %y = call double @llvm.experimental.constrained.fmul.f64(double %x, double %x, metadata !"round.dynamic", metadata !"fpexcept.strict") strictfp, !dbg !6
  ret double %y, !dbg !7
}
define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %r
}

;--- global.ll
@g = global double 0.0
define double @f(double %x) !dbg !5 {
  %y = fmul double %x, %x, !dbg !6
  store double %y, ptr @g, !dbg !7
  ret double %y, !dbg !7
}
define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %r
}

;--- atomic.ll
define double @f(ptr %x) !dbg !5 {
  %old = atomicrmw fmax ptr %x, double 1.0 seq_cst, !dbg !6
  %v = load double, ptr %x, !dbg !7
  ret double %v, !dbg !7
}
define double @use(ptr %x, ptr %dx) {
  %d = load i32, ptr @enzyme_dup
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, i32 %d, ptr %x, ptr %dx)
  ret double %r
}

;--- indirect.ll
define double @f(ptr %fn, double %x) !dbg !5 {
  %y = call double %fn(double %x), !dbg !6
  ret double %y, !dbg !7
}
define double @use(ptr %fn, double %x) {
  %k = load i32, ptr @enzyme_const
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, i32 %k, ptr %fn, double %x)
  ret double %r
}

;--- asm.ll
define double @f(double %x) !dbg !5 {
  %y = call double asm "fsqrt", "=t,0"(double %x), !dbg !6
  ret double %y, !dbg !7
}
define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %r
}

;--- memcpy.ll
declare void @llvm.memcpy.p0.p0.i64(ptr, ptr, i64, i1)
declare void @__enzyme_autodiff_v(ptr, ...)
define void @f(ptr %x, ptr %y, i64 %n) !dbg !5 {
  call void @llvm.memcpy.p0.p0.i64(ptr %y, ptr %x, i64 %n, i1 false), !dbg !6
  ret void, !dbg !7
}
define void @use(ptr %x, ptr %dx, ptr %y, ptr %dy, i64 %n) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  call void (ptr, ...) @__enzyme_autodiff_v(ptr @f, i32 %d, ptr %x, ptr %dx, i32 %d, ptr %y, ptr %dy, i32 %k, i64 %n)
  ret void
}

;--- noreturn.ll
define double @f(double %x) !dbg !5 {
entry:
  br label %spin, !dbg !6
spin:
  %v = phi double [ %x, %entry ], [ %w, %spin ]
  %w = fmul double %v, %v, !dbg !7
  br label %spin, !dbg !7
}
define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x)
  ret double %r
}

;--- constant.ll
declare double @cos(double) #0
define double @f(double %x, double %c) !dbg !5 {
  %y = call double @cos(double %c), !dbg !6
  ret double %y, !dbg !7
}
define double @use(double %x, double %c) {
  %k = load i32, ptr @enzyme_const
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @f, double %x, i32 %k, double %c)
  ret double %r
}
attributes #0 = { nounwind willreturn memory(none) }
