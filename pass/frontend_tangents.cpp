// CT_TANGENT_ZERO(&dp) and CT_TANGENT_MOVE(&p, &dp, scale) (cotangent.h)
// work field by field on any struct, which C cannot enumerate: here, before
// code generation sees the call, the macro's last argument (a null layout)
// becomes a string literal describing the pointed-to type's floating-point
// fields, which the runtime walks (lib/tangent_struct.c: entries
// "<k><offset>*<count>;", k = f, d or l). A pointer to a type without a
// layout (void, an incomplete struct) or two different types are errors at
// the call.
#include "frontend.h"

#include "clang/AST/Attr.h"
#include "clang/AST/Expr.h"
#include "clang/AST/RecordLayout.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/Basic/SourceManager.h"

#include <string>

using namespace clang;

namespace {

bool noDerivative(const FieldDecl *F) {
  for (const auto *A : F->specific_attrs<AnnotateAttr>())
    if (A->getAnnotation() == "ct.no_derivative")
      return true;
  return false;
}

// 'f', 'd' or 'l' for float, double and long double; 0 for anything else.
char scalarKind(QualType T) {
  const auto *B = T->getAs<BuiltinType>();
  if (!B)
    return 0;
  switch (B->getKind()) {
  case BuiltinType::Float:
    return 'f';
  case BuiltinType::Double:
    return 'd';
  case BuiltinType::LongDouble:
    return 'l';
  default:
    return 0;
  }
}

void entry(std::string &Out, char K, uint64_t Offset, uint64_t Count) {
  Out += K + std::to_string(Offset) + (Count == 1 ? "" : "*" + std::to_string(Count)) + ";";
}

// The entries of the floating-point values of T at byte Base.
void layout(ASTContext &C, QualType T, uint64_t Base, std::string &Out) {
  T = T.getCanonicalType();
  if (char K = scalarKind(T)) {
    entry(Out, K, Base, 1);
    return;
  }
  if (const auto *X = T->getAs<ComplexType>()) {
    if (char K = scalarKind(X->getElementType()))
      entry(Out, K, Base, 2);
    return;
  }
  if (const auto *V = T->getAs<VectorType>()) {
    if (char K = scalarKind(V->getElementType()))
      entry(Out, K, Base, V->getNumElements());
    return;
  }
  if (const ConstantArrayType *A = C.getAsConstantArrayType(T)) {
    QualType E = A->getElementType().getCanonicalType();
    uint64_t N = A->getSize().getZExtValue();
    if (char K = scalarKind(E)) {
      entry(Out, K, Base, N);
      return;
    }
    uint64_t Size = C.getTypeSizeInChars(E).getQuantity();
    for (uint64_t I = 0; I < N; ++I)
      layout(C, E, Base + I * Size, Out);
    return;
  }
  const auto *R = T->getAs<RecordType>();
  if (!R || R->getDecl()->isUnion() || !R->getDecl()->getDefinition())
    return;
  const RecordDecl *D = R->getDecl()->getDefinition();
  const ASTRecordLayout &L = C.getASTRecordLayout(D);
  if (const auto *CXX = dyn_cast<CXXRecordDecl>(D))
    for (const CXXBaseSpecifier &B : CXX->bases())
      if (const CXXRecordDecl *BD = B.getType()->getAsCXXRecordDecl(); BD && !B.isVirtual())
        layout(C, B.getType(), Base + L.getBaseClassOffset(BD).getQuantity(), Out);
  for (const FieldDecl *F : D->fields())
    if (!F->isBitField() && !noDerivative(F))
      layout(C, F->getType(), Base + C.toCharUnitsFromBits(L.getFieldOffset(F->getFieldIndex())).getQuantity(), Out);
}

struct LayoutWriter : RecursiveASTVisitor<LayoutWriter> {
  ASTContext &C;
  explicit LayoutWriter(ASTContext &C) : C(C) {}
  bool TraverseDecl(Decl *D) {
    auto *DC = dyn_cast_or_null<DeclContext>(D);
    return (DC && DC->isDependentContext()) || RecursiveASTVisitor::TraverseDecl(D);
  }
  template <unsigned N> void error(SourceLocation Loc, const char (&Fmt)[N], StringRef A, StringRef B = "") {
    DiagnosticsEngine &D = C.getDiagnostics();
    // at the argument as written in the macro's call
    D.Report(C.getSourceManager().getFileLoc(Loc), D.getCustomDiagID(DiagnosticsEngine::Error, Fmt)) << A << B;
  }
  // The type an argument points to, as written (before the conversion to void *).
  static QualType pointee(const Expr *E) {
    QualType T = E->IgnoreParenImpCasts()->getType();
    return T->isPointerType() ? T->getPointeeType() : QualType();
  }
  bool VisitCallExpr(CallExpr *Call) {
    const FunctionDecl *F = Call->getDirectCallee();
    if (!F || !F->getIdentifier())
      return true;
    bool Zero = F->getName() == "__ct_tangent_zero", Move = F->getName() == "__ct_tangent_move";
    if ((!Zero && !Move) || Call->getNumArgs() != (Zero ? 2u : 4u))
      return true;
    const char *Macro = Zero ? "CT_TANGENT_ZERO" : "CT_TANGENT_MOVE";
    const Expr *First = Call->getArg(0);
    QualType T = pointee(First);
    if (T.isNull() || T->isVoidType() || T->isIncompleteType() || T->isFunctionType()) {
      error(First->IgnoreParenImpCasts()->getExprLoc(),
            "%0 takes a pointer to a struct (or to a floating-point value or a fixed-size array) of a complete "
            "type, not '%1'",
            Macro, First->IgnoreParenImpCasts()->getType().getAsString());
      return true;
    }
    if (Move) {
      QualType U = pointee(Call->getArg(1));
      if (U.isNull() || !C.hasSameUnqualifiedType(T, U)) {
        error(Call->getArg(1)->IgnoreParenImpCasts()->getExprLoc(),
              "CT_TANGENT_MOVE moves a value along a tangent of its own type: the tangent points to '%0', the value "
              "to '%1'",
              U.isNull() ? Call->getArg(1)->IgnoreParenImpCasts()->getType().getAsString() : U.getAsString(),
              T.getAsString());
        return true;
      }
    }
    std::string Text;
    layout(C, T, 0, Text);
    unsigned Last = Call->getNumArgs() - 1;
    SourceLocation Loc = Call->getArg(Last)->getBeginLoc();
    QualType ArrayTy = C.getStringLiteralArrayType(C.CharTy, Text.size());
    Expr *Lit = StringLiteral::Create(C, Text, StringLiteralKind::Ordinary, false, ArrayTy, Loc);
    Call->setArg(Last, ImplicitCastExpr::Create(C, C.getPointerType(C.CharTy.withConst()), CK_ArrayToPointerDecay,
                                                Lit, nullptr, VK_PRValue, FPOptionsOverride()));
    return true;
  }
};

} // namespace

void frontend_tangent_layouts(ASTContext &C, Decl *D) { LayoutWriter(C).TraverseDecl(D); }
