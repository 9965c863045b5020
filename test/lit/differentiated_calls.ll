; Calls of other differentiable functions. A recursive function (which
; the prepared primal cannot inline) is differentiated as a call of its
; own split gradient, generated here: an augmented forward (.ct_aug.)
; that runs it, pushing its records onto its caller's tape (its last
; parameter; .st in the names), and a reverse (.rev) that takes the call's
; arguments, the seed and that tape and pops them; the recursion calls the
; pair again with the same tape, which only the caller creates and
; destroys (.o in the names: the callee frees what it allocates and lets
; escape, in its reverse). The activity is the call's: p(s, 3) with s active
; and the count constant (ac). A differentiable function of another file
; (annotated ct.differentiable, only declared here) is called through the
; gradient that file exports under stable names, __ct_aug_model and
; __ct_rev_model.
; RUN: env COTANGENT_RUNTIME_BC=%t.none %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@.str = private unnamed_addr constant [18 x i8] c"ct.differentiable\00", section "llvm.metadata"
@.file = private unnamed_addr constant [7 x i8] c"call.c\00", section "llvm.metadata"
@llvm.global.annotations = appending global [1 x { ptr, ptr, ptr, i32, ptr }] [{ ptr, ptr, ptr, i32, ptr } { ptr @model, ptr @.str, ptr @.file, i32 3, ptr null }], section "llvm.metadata"

declare double @__enzyme_autodiff(ptr, ...)
declare double @sin(double) #0
declare double @model(double)

; p(x, n) = n == 0 ? 1 : x * p(x, n - 1)
define double @p(double %x, i32 %n) {
entry:
  %z = icmp eq i32 %n, 0
  br i1 %z, label %base, label %rec
base:
  ret double 1.0
rec:
  %m = sub i32 %n, 1
  %r = call double @p(double %x, i32 %m)
  %v = fmul double %x, %r
  ret double %v
}

define double @cube_of_sin(double %x) {
  %s = call double @sin(double %x)
  %r = call double @p(double %s, i32 3)
  ret double %r
}

define double @uses_model(double %x) {
  %m = call double @model(double %x)
  %r = fmul double %m, %x
  ret double %r
}

define double @use(double %x) {
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @cube_of_sin, double %x)
  %r2 = call double (ptr, ...) @__enzyme_autodiff(ptr @uses_model, double %x)
  %s = fadd double %r, %r2
  ret double %s
}

; the caller: a tape, p's augmented forward pushing onto it, then p's
; reverse with the seed and that tape; cos(x) times what p's reverse
; returns; the caller destroys the tape
; CHECK-LABEL: define internal { double } @cube_of_sin.ct_grad.a.r(double %0, double %1)
; CHECK: %[[TAPE:ct.tape]] = tail call ptr @__ct_tape_create(i64 0)
; CHECK: %s = tail call double @sin(double %0)
; CHECK: tail call { ptr, double } @p.ct_aug.ac.r.o.st(double %s, i32 3, ptr %[[TAPE]])
; CHECK: %[[REV:[0-9]+]] = tail call { double } @p.ct_aug.ac.r.o.st.rev(double %s, i32 3, double %1, ptr %[[TAPE]], i1 false)
; CHECK: %[[DS:[0-9]+]] = extractvalue { double } %[[REV]], 0
; CHECK: %[[COS:[0-9]+]] = tail call double @llvm.cos.f64(double %0)
; CHECK: fmul double %[[COS]], %[[DS]]
; CHECK: tail call void @__ct_tape_destroy(ptr %[[TAPE]])

; p's augmented forward creates no tape: it passes the one it is given to
; the recursive call, then records that call's result on it (for
; d(x * r)/dx = r), and returns { tape, p(x, n) }
; CHECK-LABEL: define internal { ptr, double } @p.ct_aug.ac.r.o.st(double %0, i32 %1, ptr %2)
; CHECK-NOT: __ct_tape_create
; CHECK: %[[INNER:[0-9]+]] = tail call { ptr, double } @p.ct_aug.ac.r.o.st(double %0, i32 %m, ptr %2)
; CHECK: tail call ptr @__ct_tape_push(ptr %2, i64 8, i64 16)
; CHECK: ret { ptr, double }

; p's reverse: pops the record of which return was taken, then the
; recursive call's result; calls itself with seed * x and the same tape;
; neither rewinds nor destroys the tape (its owner does)
; CHECK-LABEL: define internal { double } @p.ct_aug.ac.r.o.st.rev(double %0, i32 %1, double %2, ptr %3, i1 %4)
; CHECK-NOT: __ct_tape_mark
; CHECK: call ptr @__ct_tape_pop(ptr %3, i64 4, i64 16)
; CHECK: call ptr @__ct_tape_pop(ptr %3, i64 8, i64 16)
; CHECK: %[[SX:[0-9]+]] = fmul double %0, %2
; CHECK: call { double } @p.ct_aug.ac.r.o.st.rev(double %0, i32 %{{[0-9]+}}, double %[[SX]], ptr %3, i1 %4)
; CHECK-NOT: __ct_tape_{{(rewind|destroy)}}
; CHECK: {{^}}}

; the other file's gradient, by its stable names
; CHECK-LABEL: define internal { double } @uses_model.ct_grad.a.r(double %0, double %1)
; CHECK: %[[M:[0-9]+]] = tail call { ptr, double } @__ct_aug_model(double %0)
; CHECK: %[[MT:[a-z.0-9]+]] = extractvalue { ptr, double } %[[M]], 0
; CHECK: %[[SEED:[0-9]+]] = fmul double %0, %1
; CHECK: tail call { double } @__ct_rev_model(double %0, double %[[SEED]], ptr %[[MT]], i1 false)
; CHECK: declare { ptr, double } @__ct_aug_model(double)
; CHECK: declare { double } @__ct_rev_model(double, double, ptr, i1)

attributes #0 = { nounwind willreturn memory(none) }
