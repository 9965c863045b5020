; Adjoint slots local to a block: the slot of a value used only in its own
; block (%sq) gets its first contribution in that block's reverse as a
; plain store, and the slot of a value used only by phis of its block's
; successors (%s, %e, incoming from their own blocks) gets it on the edge
; into that block's reverse as a plain store: no load of a slot that holds
; zero there, so that SROA (mem2reg) finds each such slot dead outside its
; block's reverse and places no phis for it in the rest of the reverse
; (with a load, a 1,000-case switch's 5,000 slots each took a 1,000-entry
; phi in the reverse's join: SROA and CVP quadratic, 34 s of simplification).
; The argument's adjoint (%x: several blocks add) and the returned value's
; (seeded before any reverse block) are still added.
; RUN: env COTANGENT_DUMP_GRADIENT=1 %opt -passes=cotangent -disable-output %s 2>&1 | FileCheck %s
target datalayout = "e-m:e-p270:32:32-p271:32:32-p272:64:64-i64:64-i128:128-f80:128-n8:16:32:64-S128"
target triple = "x86_64-pc-linux-gnu"

declare double @__enzyme_autodiff(ptr, ...)
declare double @sin(double) #0

define double @pick(double %x, i32 %k) {
entry:
  switch i32 %k, label %other [
    i32 0, label %sine
    i32 1, label %scaled
  ]
sine:
  %sq = fmul double %x, %x
  %s = call double @sin(double %sq)
  br label %join
scaled:
  %e = fmul double %x, 3.0
  br label %join
other:
  br label %join
join:
  %r = phi double [ %s, %sine ], [ %e, %scaled ], [ %x, %other ]
  %t = fmul double %r, %r
  ret double %t
}

define double @grad(double %x, i32 %k) {
  %d = call double (ptr, ...) @__enzyme_autodiff(ptr @pick, double %x, i32 %k)
  ret double %d
}

attributes #0 = { nounwind willreturn memory(none) }

; CHECK-LABEL: define internal { double } @pick.ct_grad.ac.r(
; the reverse of %sine: d(sin(sq)) * cos(sq) stored into %sq's slot, then taken
; CHECK: [[COS:%[0-9]+]] = call double @llvm.cos.f64(double
; CHECK-NEXT: [[D:%[0-9]+]] = fmul double %{{[0-9]+}}, [[COS]]
; CHECK-NEXT: store double [[D]], ptr [[SQ:%adj[0-9]+]]
; CHECK-NEXT: load double, ptr [[SQ]]
; the seed of the returned value: added
; CHECK: rev.start:
; CHECK-NEXT: load double, ptr %adj
; CHECK-NEXT: fadd
; the edges from %join's reverse (rev8) into those of %other, %sine and
; %scaled: %x's slot added, %s's and %e's stored
; CHECK-LABEL: rev.edge11:
; CHECK-NEXT: load double, ptr %adj, align 8
; CHECK-NEXT: fadd
; CHECK-LABEL: rev.edge12:
; CHECK-NEXT: store double [[DR:%[0-9]+]], ptr %adj{{[0-9]+}}
; CHECK-NEXT: br label %rev6
; CHECK-LABEL: rev.edge13:
; CHECK-NEXT: store double [[DR]], ptr %adj{{[0-9]+}}
; CHECK-NEXT: br label %rev7
