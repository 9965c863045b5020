// Differentiable function values, checked where C's types still exist (the
// IR has no typedefs): Swift's @differentiable function types, spelled
//   typedef double (*ct_fn)(double, double) CT_DIFFERENTIABLE;
// A value converted to such a type (initialised, assigned, passed, returned,
// stored by an initialiser list) must be a function whose derivative
// Cotangent knows -- a body in this file, CT_DIFFERENTIABLE (its file exports
// the gradient), a custom derivative or registration, no_derivative, a libm
// function -- or a value of a differentiable type already; anything else is
// an error at the conversion. An explicit cast, (ct_fn)p, is the
// programmer's word for a pointer value (a function named in the cast is
// still checked); calls through it in differentiated code keep their
// run-time check (indirect_calls.c).
//
// At each operator call, a function-pointer argument (an integrator's
// right-hand side, a map's function) that cannot be proven differentiable
// gets a warning naming the expression: calls through it in the
// differentiated code stop the program at run time when it holds a function
// the call's dispatch does not know. A function named directly, or a value
// of a differentiable type, is proven. (The operator's own first argument,
// the function differentiated, is checked at run time as documented.)
//
// Everything runs at the end of the translation unit, so that a body, an
// attribute or a custom derivative may come after the conversion.
#include "frontend.h"
#include "operator_names.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/Builtins.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/StringSet.h"

using namespace clang;

namespace {

bool isDifferentiableTypedef(const TypedefNameDecl *D) {
  for (const auto *A : D->specific_attrs<AnnotateAttr>())
    if (A->getAnnotation() == "ct.differentiable_type" || A->getAnnotation() == "ct.differentiable")
      return true;
  return false;
}

// The differentiable typedef T is (or points to), through its sugar.
const TypedefNameDecl *differentiableTypeOf(QualType T) {
  for (int Pointee = 0; Pointee < 2 && !T.isNull(); ++Pointee) {
    for (QualType U = T; !U.isNull();) {
      const auto *TT = U->getAs<TypedefType>();
      if (!TT)
        break;
      if (isDifferentiableTypedef(TT->getDecl()))
        return TT->getDecl();
      U = TT->getDecl()->getUnderlyingType();
    }
    T = T->isPointerType() ? T->getPointeeType() : QualType();
  }
  return nullptr;
}

// A function type whose calls may carry derivatives (a floating-point or
// pointer parameter or result).
bool carriesDerivatives(QualType T) {
  if (T->isPointerType())
    T = T->getPointeeType();
  const auto *F = T->getAs<FunctionProtoType>();
  if (!F)
    return T->isFunctionType();
  auto Carries = [](QualType Q) { return frontend_is_floating(Q) || Q->isPointerType() || Q->isReferenceType(); };
  if (Carries(F->getReturnType()))
    return true;
  for (QualType P : F->getParamTypes())
    if (Carries(P))
      return true;
  return false;
}

// The function an expression names (f or &f), if it names one.
const FunctionDecl *namedFunction(const Expr *E) {
  E = E->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_AddrOf)
    E = U->getSubExpr()->IgnoreParenImpCasts();
  const auto *R = dyn_cast<DeclRefExpr>(E);
  return R ? dyn_cast<FunctionDecl>(R->getDecl()) : nullptr;
}

struct Checker : RecursiveASTVisitor<Checker> {
  ASTContext &C;
  DiagnosticsEngine &D;
  llvm::StringSet<> WithDerivative; // functions a custom derivative or registration names
  const FunctionDecl *Current = nullptr;
  explicit Checker(ASTContext &C) : C(C), D(C.getDiagnostics()) {}

  // ---- what Cotangent knows a derivative of ----
  void collect(const Decl *Dl) {
    if (const auto *F = dyn_cast<FunctionDecl>(Dl))
      for (const auto *A : F->specific_attrs<AnnotateAttr>()) {
        StringRef T = A->getAnnotation();
        if (T.consume_front("ct.derivative:"))
          WithDerivative.insert(T.take_while([](char Ch) { return isAsciiIdentifierContinue(Ch) || Ch == ':'; }));
      }
    if (const auto *V = dyn_cast<VarDecl>(Dl); V && V->getIdentifier() && V->getInit()) {
      for (const auto *A : V->specific_attrs<AnnotateAttr>()) {
        StringRef T = A->getAnnotation();
        if (T.consume_front("ct.derivative_link:"))
          WithDerivative.insert(T.take_while([](char Ch) { return isAsciiIdentifierContinue(Ch); }));
      }
      if (V->getName().contains("__enzyme_register"))
        registered(V->getInit());
    }
  }
  void registered(const Stmt *S) { // the first function an Enzyme registration names
    if (!S)
      return;
    if (const FunctionDecl *F = dyn_cast<Expr>(S) ? namedFunction(cast<Expr>(S)) : nullptr) {
      WithDerivative.insert(F->getName());
      return;
    }
    for (const Stmt *Child : S->children())
      if (Child) {
        registered(Child);
        return;
      }
  }
  bool knowsDerivative(const FunctionDecl *F) {
    if (F->isDefined() || (F->getIdentifier() && WithDerivative.count(F->getName())))
      return true;
    for (const FunctionDecl *R : F->redecls())
      for (const auto *A : R->specific_attrs<AnnotateAttr>()) {
        StringRef T = A->getAnnotation();
        if (T == "ct.differentiable" || T.starts_with("ct.differentiable:") || T == "ct.no_derivative" ||
            T.starts_with("ct.derivative_is:") || T == "enzyme_inactive")
          return true;
      }
    if (unsigned Id = F->getBuiltinID(); Id && C.BuiltinInfo.isPredefinedLibFunction(Id))
      return true; // libm (the pass's rule table)
    const SourceManager &SM = C.getSourceManager();
    SourceLocation L = SM.getSpellingLoc(F->getLocation());
    return SM.isInSystemHeader(L) && SM.getFilename(L).ends_with("math.h"); // libm under -fno-builtin
  }

  std::string text(const Expr *E) {
    CharSourceRange R = CharSourceRange::getTokenRange(E->getSourceRange());
    std::string S = Lexer::getSourceText(R, C.getSourceManager(), C.getLangOpts()).str();
    return S.empty() ? std::string("the function pointer") : S;
  }

  // ---- conversions to a differentiable function type ----
  void into(QualType Dest, const Expr *Src) {
    if (Src && !Dest.isNull())
      if (const TypedefNameDecl *T = differentiableTypeOf(Dest))
        value(T, Src, Src);
  }
  void value(const TypedefNameDecl *T, const Expr *Whole, const Expr *E) {
    E = E->IgnoreParens();
    while (const auto *I = dyn_cast<ImplicitCastExpr>(E)) {
      if (differentiableTypeOf(E->getType()) && I->getCastKind() != CK_FunctionToPointerDecay)
        break;
      E = I->getSubExpr()->IgnoreParens();
    }
    if (const auto *K = dyn_cast<AbstractConditionalOperator>(E)) {
      value(T, Whole, K->getTrueExpr());
      value(T, Whole, K->getFalseExpr());
      return;
    }
    if (const FunctionDecl *F = namedFunction(E)) {
      if (!knowsDerivative(F))
        D.Report(E->getExprLoc(), D.getCustomDiagID(DiagnosticsEngine::Error,
                                                    "'%0' is converted to the differentiable function type '%1', "
                                                    "but Cotangent knows no derivative of it (it has no body in "
                                                    "this file, no CT_DIFFERENTIABLE and no custom derivative); "
                                                    "define it here, declare it CT_DIFFERENTIABLE (the file "
                                                    "defining it then exports its gradient), or give it one with "
                                                    "CT_DERIVATIVE"))
            << F->getNameAsString() << T->getName();
      return;
    }
    if (differentiableTypeOf(E->getType()) || E->isNullPointerConstant(C, Expr::NPC_ValueDependentIsNotNull))
      return;
    D.Report(E->getExprLoc(), D.getCustomDiagID(DiagnosticsEngine::Error,
                                                "'%0', of type '%1', is converted to the differentiable function "
                                                "type '%2', but nothing says it points to a function whose "
                                                "derivative Cotangent knows; give it the type '%2', or cast it, "
                                                "(%2)(%0), to assert that it does (calls through it in "
                                                "differentiated code still check at run time)"))
        << text(E) << E->getType().getAsString() << T->getName();
  }

  // ---- where values are converted ----
  bool TraverseDecl(Decl *Dl) {
    auto *DC = dyn_cast_or_null<DeclContext>(Dl);
    if (DC && DC->isDependentContext())
      return true; // template patterns: their instantiations come one by one
    if (Dl && !isa<TranslationUnitDecl>(Dl) && C.getSourceManager().isInSystemHeader(Dl->getLocation()))
      return true; // libc, the STL: no operator calls, no differentiable types of the user's
    const FunctionDecl *Saved = Current;
    if (auto *F = dyn_cast_or_null<FunctionDecl>(Dl))
      Current = F;
    bool R = RecursiveASTVisitor::TraverseDecl(Dl);
    Current = Saved;
    return R;
  }
  bool VisitVarDecl(VarDecl *V) {
    if (V->getInit() && !isa<InitListExpr>(V->getInit()->IgnoreParens()))
      into(V->getType(), V->getInit());
    return true;
  }
  bool VisitBinaryOperator(BinaryOperator *B) {
    if (B->getOpcode() == BO_Assign)
      into(B->getLHS()->getType(), B->getRHS());
    return true;
  }
  bool VisitReturnStmt(ReturnStmt *R) {
    if (Current && R->getRetValue())
      into(Current->getReturnType(), R->getRetValue());
    return true;
  }
  bool VisitExplicitCastExpr(ExplicitCastExpr *E) {
    const TypedefNameDecl *T = differentiableTypeOf(E->getTypeAsWritten());
    const FunctionDecl *F = T ? namedFunction(E->getSubExpr()) : nullptr;
    if (F)
      value(T, E, E->getSubExpr()); // a cast vouches for pointer values, not for a function it names
    return true;
  }
  bool VisitInitListExpr(InitListExpr *Written) {
    // the traversal visits the form as written; its semantic form has one
    // initialiser per field, in order
    InitListExpr *L = Written->isSemanticForm() ? Written : Written->getSemanticForm();
    if (!L || (!Written->isSyntacticForm() && Written->getSyntacticForm()))
      return true;
    QualType T = L->getType();
    if (const ArrayType *A = C.getAsArrayType(T)) {
      for (const Expr *E : L->inits())
        if (!isa<InitListExpr>(E->IgnoreParens()))
          into(A->getElementType(), E);
      return true;
    }
    const auto *R = T->getAs<RecordType>();
    if (!R)
      return true;
    if (R->getDecl()->isUnion()) {
      if (const FieldDecl *Fd = L->getInitializedFieldInUnion(); Fd && L->getNumInits() == 1)
        into(Fd->getType(), L->getInit(0));
      return true;
    }
    unsigned I = 0;
    for (const FieldDecl *Fd : R->getDecl()->fields()) {
      if (I >= L->getNumInits())
        break;
      const Expr *E = L->getInit(I++);
      if (!isa<InitListExpr>(E->IgnoreParens()))
        into(Fd->getType(), E);
    }
    return true;
  }
  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Op = Call->getDirectCallee();
    if (Op && Op->getIdentifier() &&
        operator_kind_of_name(Op->getName().data(), Op->getName().size()) != OP_NONE) {
      operatorArguments(Call, Op);
      return true;
    }
    QualType CT = Call->getCallee()->getType();
    if (CT->isPointerType())
      CT = CT->getPointeeType();
    const auto *P = CT->getAs<FunctionProtoType>();
    if (!P)
      return true;
    for (unsigned I = 0; I < Call->getNumArgs() && I < P->getNumParams(); ++I)
      into(P->getParamType(I), Call->getArg(I));
    return true;
  }

  // ---- function-pointer arguments of operator calls ----
  void operatorArguments(const CallExpr *Call, const FunctionDecl *Op) {
    for (unsigned I = 1; I < Call->getNumArgs(); ++I) {
      const Expr *A = Call->getArg(I)->IgnoreParenImpCasts();
      QualType T = A->getType();
      if (!(T->isFunctionPointerType() || T->isFunctionType()) || !carriesDerivatives(T) ||
          differentiableTypeOf(T))
        continue;
      const FunctionDecl *F = namedFunction(A);
      if (F && knowsDerivative(F))
        continue;
      if (F) {
        D.Report(A->getExprLoc(), D.getCustomDiagID(DiagnosticsEngine::Warning,
                                                    "%0: the function '%1' passed here has no derivative "
                                                    "Cotangent knows (no body in this file, no CT_DIFFERENTIABLE, "
                                                    "no custom derivative): a call through it in the "
                                                    "differentiated code stops the program, or fails to compile; "
                                                    "declare it CT_DIFFERENTIABLE"))
            << operatorLabel(Op) << F->getNameAsString();
        continue;
      }
      D.Report(A->getExprLoc(), D.getCustomDiagID(DiagnosticsEngine::Warning,
                                                  "%0: the function pointer '%1' cannot be proven differentiable "
                                                  "at compile time: if it holds a function whose derivative the "
                                                  "differentiated code's calls through it do not know, the "
                                                  "program stops there; give it a differentiable function type "
                                                  "(typedef ... CT_DIFFERENTIABLE), or pass a function by name"))
          << operatorLabel(Op) << text(A);
    }
  }
  static std::string operatorLabel(const FunctionDecl *Op) {
    return operator_name(operator_kind_of_name(Op->getName().data(), Op->getName().size()));
  }
};

} // namespace

void frontend_check_function_values(ASTContext &C) {
  if (C.getDiagnostics().hasErrorOccurred())
    return;
  Checker K(C);
  for (const Decl *D : C.getTranslationUnitDecl()->decls())
    K.collect(D);
  K.TraverseDecl(C.getTranslationUnitDecl());
}
