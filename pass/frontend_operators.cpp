// Operator calls checked where C's types are known: in the IR pointers are
// opaque and a struct passed by value is split into its fields, so the pass
// can check neither.
//
// - The pointer that receives a floating-point parameter's derivative must
//   point to the parameter's type (a `float *dx` for a double x would get
//   8-byte stores).
// - A shadow must point to what its parameter points to (arrays of it
//   taken by their element type); a `void *` shadow is taken as is (Enzyme
//   users cast their shadows so).
// - A struct passed by value that holds floating-point or pointer data, or
//   a complex number, is reported as not supported yet (the operators would
//   see its fields as separate parameters).
//
// The walk over the arguments follows the pass's (operators.c): activity
// from no_derivative parameters, the wrt list, then markers. Where it cannot
// follow them (too few arguments, a marker of the other API, a function
// pointer known only at run time) it stops and leaves the diagnostics to
// the pass.
#include "frontend.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/Diagnostic.h"

#include <string>

using namespace clang;

namespace {

enum class Op { None, Gradient, ValueWithGradient, Pullback, ValueWithPullback, Autodiff, Augment, Reverse };
enum class Act { Const, Active, Dup };

Op opOf(const FunctionDecl *Callee) {
  if (!Callee || !Callee->getIdentifier())
    return Op::None;
  StringRef N = Callee->getName();
  if (N.contains("__enzyme_autodiff"))
    return Op::Autodiff;
  if (N.contains("__enzyme_augmentfwd"))
    return Op::Augment;
  if (N.contains("__enzyme_reverse"))
    return Op::Reverse;
  return N == "__ct_gradient"              ? Op::Gradient
         : N == "__ct_value_with_gradient" ? Op::ValueWithGradient
         : N == "__ct_pullback"            ? Op::Pullback
         : N == "__ct_value_with_pullback" ? Op::ValueWithPullback
                                           : Op::None;
}

const char *opName(Op K) {
  switch (K) {
  case Op::Gradient: return "ct_gradient";
  case Op::ValueWithGradient: return "ct_value_with_gradient";
  case Op::Pullback: return "ct_pullback";
  case Op::ValueWithPullback: return "ct_value_with_pullback";
  case Op::Autodiff: return "__enzyme_autodiff";
  case Op::Augment: return "__enzyme_augmentfwd";
  case Op::Reverse: return "__enzyme_reverse";
  default: return "?";
  }
}

// The marker global an argument reads (__ct_const_marker, enzyme_dup, ...),
// or "".
StringRef markerOf(const Expr *E) {
  if (const auto *R = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
    if (const auto *V = dyn_cast<VarDecl>(R->getDecl()))
      if (V->getIdentifier() && (V->getName() == "__ct_const_marker" || V->getName().starts_with("enzyme_")))
        return V->getName();
  return {};
}

// Parameter P of F is marked no_derivative (on any declaration of F).
bool noDerivative(const FunctionDecl *F, unsigned P) {
  for (const FunctionDecl *R : F->redecls())
    if (P < R->getNumParams())
      for (const auto *A : R->getParamDecl(P)->specific_attrs<AnnotateAttr>())
        if (A->getAnnotation() == "ct.no_derivative")
          return true;
  return false;
}

// F has a wrt list ("ct.differentiable:0,2") that leaves parameter P out.
bool outsideWrt(const FunctionDecl *F, unsigned P) {
  for (const FunctionDecl *R : F->redecls())
    for (const auto *A : R->specific_attrs<AnnotateAttr>()) {
      StringRef List = A->getAnnotation();
      if (!List.consume_front("ct.differentiable:"))
        continue;
      while (!List.empty()) {
        auto [Item, Rest] = List.split(',');
        unsigned Index;
        if ((!Item.getAsInteger(10, Index) && Index == P) || Item == F->getParamDecl(P)->getName())
          return false;
        List = Rest;
      }
      return true;
    }
  return false;
}

// A struct or union holding floating-point or pointer data (which the ABI
// passes as separate scalars).
bool holdsDerivatives(QualType T) {
  T = T.getCanonicalType();
  if (const auto *A = dyn_cast<ArrayType>(T.getTypePtr()))
    return holdsDerivatives(A->getElementType());
  if (const auto *R = T->getAs<RecordType>()) {
    for (const FieldDecl *Fd : R->getDecl()->fields())
      if (holdsDerivatives(Fd->getType()))
        return true;
    return false;
  }
  return frontend_is_floating(T) || T->isAnyComplexType() || T->isPointerType();
}

struct Checker : RecursiveASTVisitor<Checker> {
  ASTContext &C;
  explicit Checker(ASTContext &C) : C(C) {}
  bool shouldVisitTemplateInstantiations() const { return true; }

  template <unsigned N> DiagnosticBuilder error(SourceLocation Loc, const char (&Fmt)[N]) {
    DiagnosticsEngine &D = C.getDiagnostics();
    return D.Report(Loc, D.getCustomDiagID(DiagnosticsEngine::Error, Fmt));
  }

  static std::string describe(const FunctionDecl *F, unsigned P) {
    std::string S = "parameter " + std::to_string(P + 1);
    StringRef Name = F->getParamDecl(P)->getName();
    if (!Name.empty())
      S += " ('" + Name.str() + "')";
    return S + " of '" + F->getNameAsString() + "'";
  }

  // The type Arg points to (an array argument decays), or null when Arg is
  // no pointer (the pass reports that) or a void pointer (taken as is).
  QualType pointee(const Expr *Arg) {
    QualType T = Arg->IgnoreParenImpCasts()->getType();
    QualType P = T->isPointerType() ? T->getPointeeType()
                 : T->isArrayType() ? C.getAsArrayType(T)->getElementType()
                                    : QualType();
    return P.isNull() || P->isVoidType() ? QualType() : P;
  }

  // Arg must point to Want (to arrays of the same element type, for a
  // shadow: a flat double[] for a double (*)[n] has the same layout);
  // false after an error.
  bool checkPointer(Op K, const FunctionDecl *F, unsigned P, const Expr *Arg, QualType Want, bool Shadow) {
    QualType Have = pointee(Arg);
    if (Have.isNull() || Want->isVoidType() || C.hasSameUnqualifiedType(Have, Want) ||
        (Shadow && C.hasSameUnqualifiedType(C.getBaseElementType(Have), C.getBaseElementType(Want))))
      return true;
    QualType Written = Arg->IgnoreParenImpCasts()->getType();
    if (Shadow)
      error(Arg->getExprLoc(), "%0: %1 points to '%2', so its shadow must point to '%2' too, not be '%3'")
          << opName(K) << describe(F, P) << Want.getUnqualifiedType().getAsString() << Written.getAsString();
    else
      error(Arg->getExprLoc(),
            "%0: %1 has type '%2', so the pointer receiving its derivative must be '%2 *', not '%3'")
          << opName(K) << describe(F, P) << Want.getUnqualifiedType().getAsString() << Written.getAsString();
    return false;
  }

  Act activity(const FunctionDecl *F, unsigned P, bool Fp, bool Ptr) {
    if (noDerivative(F, P) || ((Fp || Ptr) && outsideWrt(F, P)))
      return Act::Const;
    return Fp ? Act::Active : Ptr ? Act::Dup : Act::Const;
  }

  void checkCall(const CallExpr *Call, Op K) {
    unsigned N = Call->getNumArgs(), I = 0;
    if (N == 0)
      return;
    const Expr *Fn = Call->getArg(I++)->IgnoreParenCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(Fn); U && U->getOpcode() == UO_AddrOf)
      Fn = U->getSubExpr()->IgnoreParenCasts();
    const auto *Ref = dyn_cast<DeclRefExpr>(Fn);
    const auto *F = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    if (!F || F->getType()->isDependentType())
      return; /* a run-time function pointer: its own wrt list applies */
    if (K == Op::ValueWithPullback)
      ++I; /* &pb */
    bool Native = K == Op::Gradient || K == Op::ValueWithGradient || K == Op::Pullback || K == Op::ValueWithPullback;
    bool Outs = K == Op::Gradient || K == Op::ValueWithGradient;
    for (unsigned P = 0; P < F->getNumParams(); ++P) {
      QualType T = F->getParamDecl(P)->getType().getCanonicalType();
      if ((T->isRecordType() && holdsDerivatives(T)) || T->isAnyComplexType()) {
        error(I < N ? Call->getArg(I)->getExprLoc() : Call->getExprLoc(),
              "%0: %1 is a %select{struct|complex number}2 passed by value ('%3'): differentiating "
              "functions that take %select{structs|complex numbers}2 by value is not supported yet (pass "
              "a pointer to it)")
            << opName(K) << describe(F, P) << (int)T->isAnyComplexType() << T.getAsString();
        return;
      }
      bool Fp = frontend_is_floating(T), Ptr = T->isPointerType();
      Act A = activity(F, P, Fp, Ptr);
      StringRef M = I < N ? markerOf(Call->getArg(I)) : StringRef();
      if (!M.empty()) {
        if (Native != (M == "__ct_const_marker"))
          return;
        if (M == "enzyme_out")
          A = Act::Active;
        else if (M == "enzyme_dup" || M == "enzyme_dupnoneed")
          A = Act::Dup;
        else if (M == "enzyme_const" || M == "__ct_const_marker")
          A = Act::Const;
        else
          return; /* a marker the pass does not know: it reports it */
        ++I;
      }
      bool Out = Outs && A == Act::Active;
      if ((A == Act::Active && !Fp) || (A == Act::Dup && !Ptr) || I + 1 + (A == Act::Dup || Out) > N)
        return;
      ++I; /* the value */
      if ((A == Act::Dup && !checkPointer(K, F, P, Call->getArg(I), T->getPointeeType(), true)) ||
          (Out && !checkPointer(K, F, P, Call->getArg(I), T, false)))
        return;
      I += A == Act::Dup || Out;
    }
  }

  bool VisitCallExpr(CallExpr *Call) {
    Op K = opOf(Call->getDirectCallee());
    if (K != Op::None && !Call->isTypeDependent() && !Call->isValueDependent())
      checkCall(Call, K);
    return true;
  }
};

} // namespace

void frontend_check_operators(ASTContext &C) { Checker(C).TraverseDecl(C.getTranslationUnitDecl()); }
