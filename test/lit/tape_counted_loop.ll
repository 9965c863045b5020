; Tape planning for loops whose trip count is known when they start: each
; iteration's record goes into one array per loop run (pushed once, before
; the loop), indexed by an iteration counter that the reverse counts down.
; Only what the reverse cannot recompute is recorded: in the single loop,
; the running sum s and sin(x[i]) (the derivative of sin(v) * s needs
; both); x[i] is loaded again (nothing writes x), the counter is not
; recorded. In the nested loops, exp(x[i]) is invariant in the inner loop:
; it is recorded once per run of the inner loop, at its exit, and the inner
; loop records nothing; sin(a * y[j]) is recomputed from a and y[j].
; The runtime's fast paths are not linked (COTANGENT_RUNTIME_BC names no
; file), so the tape shows as calls of __ct_tape_push/__ct_tape_pop.
; RUN: env COTANGENT_RUNTIME_BC=%t.none %opt -passes=cotangent -S %s | FileCheck %s

target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

@enzyme_dup = external global i32
@enzyme_const = external global i32

declare double @__enzyme_autodiff(ptr, ...)
declare double @sin(double) #0
declare double @exp(double) #0

; s = s * sin(x[i]) + x[i], i < n
define double @recurrence(ptr %x, i64 %n) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %i.next, %loop ]
  %s = phi double [ 0.0, %entry ], [ %s.next, %loop ]
  %p = getelementptr inbounds double, ptr %x, i64 %i
  %v = load double, ptr %p
  %sv = call double @sin(double %v)
  %t = fmul double %sv, %s
  %s.next = fadd double %t, %v
  %i.next = add nuw nsw i64 %i, 1
  %more = icmp ult i64 %i.next, %n
  br i1 %more, label %loop, label %exit
exit:
  ret double %s.next
}

; sum_i sum_j sin(exp(x[i]) * y[j])
define double @nested(ptr %x, ptr %y, i64 %n, i64 %m) {
entry:
  br label %outer
outer:
  %i = phi i64 [ 0, %entry ], [ %i.next, %outer.latch ]
  %s = phi double [ 0.0, %entry ], [ %s.inner, %outer.latch ]
  %xp = getelementptr inbounds double, ptr %x, i64 %i
  %xv = load double, ptr %xp
  %a = call double @exp(double %xv)
  br label %inner
inner:
  %j = phi i64 [ 0, %outer ], [ %j.next, %inner ]
  %t = phi double [ %s, %outer ], [ %t.next, %inner ]
  %yp = getelementptr inbounds double, ptr %y, i64 %j
  %yv = load double, ptr %yp
  %ay = fmul double %a, %yv
  %sy = call double @sin(double %ay)
  %t.next = fadd double %t, %sy
  %j.next = add nuw nsw i64 %j, 1
  %more.j = icmp ult i64 %j.next, %m
  br i1 %more.j, label %inner, label %outer.latch
outer.latch:
  %s.inner = phi double [ %t.next, %inner ]
  %i.next = add nuw nsw i64 %i, 1
  %more.i = icmp ult i64 %i.next, %n
  br i1 %more.i, label %outer, label %exit
exit:
  ret double %s.inner
}

define double @use(ptr %x, ptr %dx, ptr %y, i64 %n, i64 %m) {
  %d = load i32, ptr @enzyme_dup
  %k = load i32, ptr @enzyme_const
  %r = call double (ptr, ...) @__enzyme_autodiff(ptr @recurrence, i32 %d, ptr %x, ptr %dx, i32 %k, i64 %n)
  %r2 = call double (ptr, ...) @__enzyme_autodiff(ptr @nested, i32 %d, ptr %x, ptr %dx, i32 %k, ptr %y, i32 %k, i64 %n, i32 %k, i64 %m)
  %s = fadd double %r, %r2
  ret double %s
}

; one push of n records { s, sin(x[i]) } (16 bytes each) before the loop
; CHECK-LABEL: define internal {} @recurrence.ct_grad.dc.r(
; CHECK: %[[TAPE:[a-z.0-9]+]] = tail call ptr @__ct_tape_create(i64 0)
; CHECK: %[[BYTES:[a-z.0-9]+]] = select i1 %{{[0-9]+}}, i64 -1, i64 %{{[0-9]+}}
; CHECK: %[[REC:[0-9]+]] = tail call ptr @__ct_tape_push(ptr %[[TAPE]], i64 %[[BYTES]], i64 16)
; CHECK-NOT: __ct_tape_push
; CHECK: loop:
; CHECK: %[[IT:[a-z.0-9]+]] = phi i64 [ 0, %entry ]
; CHECK: %s = phi double
; CHECK: %v = load double
; CHECK: %sv = tail call double @sin(double %v)
; CHECK: %[[SLOT:[0-9]+]] = getelementptr inbounds { double, double }, ptr %[[REC]], i64 %[[IT]]
; CHECK-NEXT: store double %s, ptr %[[SLOT]]
; CHECK: store double %sv,
; the reverse loop: the counter counted down indexes the records; x[i] is
; loaded again, for cos(x[i])
; CHECK: [[REV:rev[0-9]+]]:
; CHECK: %[[K:[a-z.0-9]+]] = add i64 %{{[a-z.0-9]+}}, -1
; CHECK: getelementptr inbounds { double, double }, ptr %[[REC]], i64 %[[K]]
; CHECK: %[[XP:[0-9]+]] = getelementptr inbounds double, ptr %0, i64 %[[K]]
; CHECK: %[[XV:[0-9]+]] = load double, ptr %[[XP]]
; CHECK: call double @llvm.cos.f64(double %[[XV]])
; CHECK: br i1 %{{[0-9]+}}, label %ct.done, label %[[REV]]
; CHECK: {{^}$}}

; two arrays of n records of one double: exp(x[i]) for the reverse of exp
; (outer block), and again at the inner loop's exit for the inner reverse
; CHECK-LABEL: define internal {} @nested.ct_grad.dccc.r(
; CHECK: %[[A1:[0-9]+]] = tail call ptr @__ct_tape_push(
; CHECK: %[[A2:[0-9]+]] = tail call ptr @__ct_tape_push(
; CHECK-NOT: __ct_tape_push
; CHECK: outer:
; CHECK: %a = tail call double @exp(
; CHECK: getelementptr inbounds { double }, ptr %[[A1]]
; CHECK-NEXT: store double %a
; the inner loop records nothing
; CHECK: inner:
; CHECK-NOT: store
; CHECK: outer.latch:
; CHECK: getelementptr inbounds { double }, ptr %[[A2]]
; CHECK-NEXT: store double %a
; the inner reverse recomputes a * y[j] from the hoisted a and y[j]
; CHECK: [[INNER:rev[0-9]+]]:
; CHECK: %[[Y:[0-9]+]] = load double, ptr %{{[0-9]+}}
; CHECK: %[[AY:[0-9]+]] = fmul double %[[HA:[.a-z0-9]+]], %[[Y]]
; CHECK: call double @llvm.cos.f64(double %[[AY]])
; CHECK: br i1 %{{[0-9]+}}, label %{{[.a-z0-9]+}}, label %[[INNER]]
; CHECK: %[[HA]] = load double, ptr

attributes #0 = { nounwind willreturn memory(none) }
