// Facts for the pass at each differential operator call: in the IR pointers
// are opaque and a struct passed by value is split into its fields, so the
// pass, which walks the operator's argument layout, cannot tell a `float *`
// receiving the derivative of a double, or a struct, by itself. Here only
// C's types are recorded; the pass checks them and reports the errors
// (pass/operators_facts.c describes the facts).
//
// Each operator call whose function is known calls, instead of the
// operator's declaration, one of its own, <operator>.ct_site.<n>, annotated
// with the facts (before code generation sees the call): the code around
// the call is the same as without them, and a call of an external
// function keeps its place and its arguments at every -O level.
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
  unsigned Sites = 0;
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
                : T->isFunctionPointerType() ? 'F'
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

  bool VisitCallExpr(CallExpr *Call) {
    FunctionDecl *Op = Call->getDirectCallee();
    if (!Op || !Op->getIdentifier() || Call->getNumArgs() == 0 || Call->isTypeDependent() ||
        Call->isValueDependent() || Op->getName().contains(OPERATOR_SITE_SUFFIX) ||
        operator_kind_of_name(Op->getName().data(), Op->getName().size()) == OP_NONE)
      return true;
    const Expr *Fn = Call->getArg(0)->IgnoreParenCasts();
    if (const auto *U = dyn_cast<UnaryOperator>(Fn); U && U->getOpcode() == UO_AddrOf)
      Fn = U->getSubExpr()->IgnoreParenCasts();
    const auto *Ref = dyn_cast<DeclRefExpr>(Fn);
    const auto *F = Ref ? dyn_cast<FunctionDecl>(Ref->getDecl()) : nullptr;
    if (!F || F->getType()->isDependentType())
      return true; // a function pointer known at run time
    std::string Facts = std::to_string(getpid()) + "\n" + F->getNameAsString() + "\n";
    for (const ParmVarDecl *P : F->parameters())
      Facts += param(P);
    for (const Expr *A : Call->arguments())
      Facts += arg(A);
    // The call's own declaration of the operator, <name>.ct_site.<n>,
    // annotated with the facts.
    SourceLocation Loc = Call->getBeginLoc();
    auto *Site = FunctionDecl::Create(C, C.getTranslationUnitDecl(), Loc, Loc, Op->getDeclName(), Op->getType(),
                                      Op->getTypeSourceInfo(), SC_Extern);
    llvm::SmallVector<ParmVarDecl *, 4> Params;
    for (const ParmVarDecl *P : Op->parameters())
      Params.push_back(ParmVarDecl::Create(C, Site, Loc, Loc, nullptr, P->getType(), nullptr, SC_None, nullptr));
    Site->setParams(Params);
    Site->setImplicit();
    for (const Attr *A : Op->attrs()) // CUDA's host and device, ...
      Site->addAttr(A->clone(C));
    std::string Name = Op->getName().str() + OPERATOR_SITE_SUFFIX + std::to_string(Sites++);
    Site->addAttr(AsmLabelAttr::CreateImplicit(C, Name, /*IsLiteralLabel=*/false));
    Site->addAttr(AnnotateAttr::CreateImplicit(C, Facts, nullptr, 0));
    Expr *Callee = new (C) DeclRefExpr(C, Site, false, Site->getType(), VK_LValue, Loc);
    Call->setCallee(ImplicitCastExpr::Create(C, C.getPointerType(Site->getType()), CK_FunctionToPointerDecay, Callee,
                                             nullptr, VK_PRValue, FPOptionsOverride()));
    return true;
  }
};

} // namespace

std::unique_ptr<OperatorFacts> frontend_operator_facts(ASTContext &C) { return std::make_unique<FactsWriter>(C); }
