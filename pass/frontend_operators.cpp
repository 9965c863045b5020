// Facts for the pass at each differential operator call: in the IR pointers
// are opaque and a struct passed by value is split into its fields, so the
// pass, which walks the operator's argument layout, cannot tell a `float *`
// receiving the derivative of a double, or a struct, by itself. Here only
// C's types are recorded; the pass checks them and reports the errors
// (pass/operators_facts.c describes the facts).
//
// The function argument f of each operator call whose function is known
// becomes __ct_operator_facts(f, "facts") (a pure function that the pass
// removes again), before code generation sees the call: a call of an
// external function keeps its place and its arguments at every -O level.
#include "frontend.h"
#include "operator_names.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "llvm/ADT/DenseMap.h"

#include <string>
#include <unistd.h>

using namespace clang;

namespace {

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

struct FactsWriter : RecursiveASTVisitor<FactsWriter>, OperatorFacts {
  ASTContext &C;
  FunctionDecl *Wrapper = nullptr;
  llvm::DenseMap<const Type *, unsigned> Ids;
  explicit FactsWriter(ASTContext &C) : C(C) {}
  void record(Decl *D) override { TraverseDecl(D); }

  // Template patterns are left alone: their instantiations come one by one.
  bool TraverseDecl(Decl *D) {
    auto *DC = dyn_cast_or_null<DeclContext>(D);
    return (DC && DC->isDependentContext()) || RecursiveASTVisitor::TraverseDecl(D);
  }

  // "<id of T>\t<id of its array element>" (0 for void or none)
  std::string ids(QualType T) {
    auto Id = [&](QualType U) {
      if (U.isNull() || U->isVoidType())
        return 0u;
      return Ids.try_emplace(C.getCanonicalType(U).getTypePtr(), Ids.size() + 1).first->second;
    };
    return std::to_string(Id(T)) + "\t" + std::to_string(T.isNull() ? 0u : Id(C.getBaseElementType(T)));
  }

  std::string param(const ParmVarDecl *P) {
    QualType T = P->getType().getCanonicalType();
    char Kind = T->isAnyComplexType() ? 'c'
                : T->isRecordType()   ? (holdsDerivatives(T) ? 's' : 'r')
                : T->isPointerType()  ? 'p'
                : frontend_is_floating(T) ? 'f'
                                          : 'o';
    QualType Want = Kind == 'p' ? T->getPointeeType() : T;
    std::string Shown = Kind == 's' || Kind == 'c' ? T.getAsString() : Want.getUnqualifiedType().getAsString();
    return std::string("p\t") + Kind + "\t" + ids(Want) + "\t" + P->getName().str() + "\t" + Shown + "\n";
  }

  std::string arg(const Expr *E) {
    QualType T = E->IgnoreParenImpCasts()->getType();
    QualType P = T->isPointerType() ? T->getPointeeType()
                 : T->isArrayType() ? C.getAsArrayType(T)->getElementType()
                                    : QualType();
    std::string Kind = T->isRecordType() || T->isAnyComplexType() ? "s" : "-";
    return "a\t" + Kind + "\t" + std::to_string(E->getExprLoc().getRawEncoding()) + "\t" + ids(P) + "\t" +
           T.getAsString() + "\n";
  }

  Expr *cast(Expr *E, QualType T, CastKind K) {
    return ImplicitCastExpr::Create(C, T, K, E, nullptr, VK_PRValue, FPOptionsOverride());
  }

  // const void *__ct_operator_facts(const void *f, const char *facts),
  // pure and not throwing.
  FunctionDecl *wrapper() {
    if (Wrapper)
      return Wrapper;
    QualType Params[] = {C.getPointerType(C.VoidTy.withConst()),
                         C.getArrayDecayedType(C.getStringLiteralArrayType(C.CharTy, 0))};
    QualType T = C.getFunctionType(Params[0], Params, FunctionProtoType::ExtProtoInfo());
    Wrapper = FunctionDecl::Create(C, C.getTranslationUnitDecl(), {}, {}, &C.Idents.get(OPERATOR_FACTS_FUNCTION),
                                   T, C.getTrivialTypeSourceInfo(T), SC_Extern);
    ParmVarDecl *P[2];
    for (int I = 0; I < 2; ++I)
      P[I] = ParmVarDecl::Create(C, Wrapper, {}, {}, nullptr, Params[I], nullptr, SC_None, nullptr);
    Wrapper->setParams(P);
    Wrapper->setImplicit();
    Wrapper->addAttr(AsmLabelAttr::CreateImplicit(C, OPERATOR_FACTS_FUNCTION, /*IsLiteralLabel=*/false));
    Wrapper->addAttr(ConstAttr::CreateImplicit(C));
    Wrapper->addAttr(NoThrowAttr::CreateImplicit(C));
    if (C.getLangOpts().CUDA) {
      Wrapper->addAttr(CUDAHostAttr::CreateImplicit(C));
      Wrapper->addAttr(CUDADeviceAttr::CreateImplicit(C));
    }
    return Wrapper;
  }

  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *Op = Call->getDirectCallee();
    if (!Op || !Op->getIdentifier() || Call->getNumArgs() == 0 || Call->isTypeDependent() ||
        Call->isValueDependent() || !Call->getArg(0)->getType()->isPointerType() ||
        operator_kind_of_name(Op->getName().data(), Op->getName().size()) == OP_NONE)
      return true;
    const Expr *Fn = Call->getArg(0)->IgnoreParenCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(Fn); U && U->getOpcode() == UO_AddrOf)
      Fn = U->getSubExpr()->IgnoreParenCasts();
    const auto *Ref = dyn_cast<DeclRefExpr>(Fn);
    const auto *F = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    if (!F || F->getType()->isDependentType())
      return true; // a function pointer known at run time (or a call wrapped already)
    std::string Facts = std::to_string(getpid()) + "\n" + F->getNameAsString() + "\n";
    for (const ParmVarDecl *P : F->parameters())
      Facts += param(P);
    for (const Expr *A : Call->arguments())
      Facts += arg(A);
    Expr *Str = StringLiteral::Create(C, Facts, StringLiteralKind::Ordinary, false,
                                      C.getStringLiteralArrayType(C.CharTy, Facts.size()), Call->getBeginLoc());
    FunctionDecl *W = wrapper();
    Expr *Ref2 = new (C) DeclRefExpr(C, W, false, W->getType(), VK_LValue, Call->getBeginLoc());
    Expr *Args[] = {cast(Call->getArg(0), W->getParamDecl(0)->getType(), CK_BitCast),
                    cast(Str, W->getParamDecl(1)->getType(), CK_ArrayToPointerDecay)};
    Expr *Wrapped = CallExpr::Create(C, cast(Ref2, C.getPointerType(W->getType()), CK_FunctionToPointerDecay),
                                     Args, W->getReturnType(), VK_PRValue, Call->getBeginLoc(), FPOptionsOverride());
    Call->setArg(0, cast(Wrapped, Call->getArg(0)->getType(), CK_BitCast));
    return true;
  }
};

} // namespace

std::unique_ptr<OperatorFacts> frontend_operator_facts(ASTContext &C) { return std::make_unique<FactsWriter>(C); }
