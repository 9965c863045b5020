// The Clang attribute frontend (libcotangent_frontend.so, loaded by
// libcotangent.so inside clang when it is given as -fplugin).
//
// Attributes, in the ct:: namespace (C23/C++11 spelling) and as GNU
// attributes, lowered to `annotate` attributes that the pass turns into
// metadata at PipelineStart (lower.c) -- one lowering path for both
// spellings and for the header's fallback macros:
//   differentiable[(x, y)]  on functions: "ct.differentiable[:i,j]" (the
//                           parameters' indices)
//   no_derivative           on functions: "ct.no_derivative"
//   checkpoint              on functions: "ct.checkpoint"
//                           on parameters: collected per function into
//                           "ct.no_derivative_params:<indices>"
//   derivative(f)           on functions: "ct.derivative:f" (and `used`);
//                           on a mere declaration P:
//                           "ct.derivative_link:f,P" on a variable made
//                           for it
// Misplaced attributes are errors, and so are wrt lists naming something
// that cannot have a derivative, and differentiable functions whose result
// cannot. (The unscoped C23 and C++11 spellings are listed too: clang's
// parser looks plugin attributes up by their unscoped name before it
// parses their arguments, and drops the arguments of those it misses.)
//
// wrt lists name parameters that are not in scope where clang parses the
// attribute (before the declaration, or after its parameter list), and
// clang parses every argument after the first as an expression: the
// preprocessor's token watcher notes the identifiers written directly in
// the parentheses of a `differentiable` attribute, and a Sema lookup hook
// answers a failed lookup of exactly those tokens with a placeholder
// declaration, which the attribute handler resolves by name.
//
// Enzyme's enzyme_inactive and enzyme_nofree attributes become annotations
// of the same name, and its registration globals are kept (`used`).
//
// At operator calls, the C types the pass checks them with are recorded
// (frontend_operators.cpp). Differentiable function-pointer types
// (`differentiable` on a typedef) and function-pointer arguments of operator
// calls are checked at the end of the file (frontend_function_values.cpp).
#include "frontend.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/ExprCXX.h"
#include "clang/AST/Mangle.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Pragma.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Sema/ExternalSemaSource.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"
#include "clang/Sema/SemaConsumer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace clang;

namespace {

// ---- wrt names: the identifiers in `differentiable(...)` ----

struct WrtNames {
  llvm::DenseSet<SourceLocation::UIntTy> Tokens;            // where each name was written
  llvm::DenseMap<const IdentifierInfo *, VarDecl *> ByName; // placeholders found for them
  // token watcher state: bracket depth, the depth an attribute specifier
  // (`__attribute__((` or `[[`) was opened at, and that of a wrt list
  int Depth = 0, AttrAt = -1, WrtAt = -1;
  bool AfterAttributeKeyword = false, AfterLSquare = false, AfterName = false;

  static WrtNames &get() {
    static WrtNames W;
    return W;
  }
  bool inAttribute() const { return AttrAt >= 0 && Depth > AttrAt; }
  void watch(const Token &T) {
    if (T.isAnnotation())
      return;
    if (T.isOneOf(tok::l_paren, tok::l_square, tok::l_brace)) {
      if (T.is(tok::l_paren) && AfterAttributeKeyword && AttrAt < 0)
        AttrAt = Depth;
      if (T.is(tok::l_square) && AfterLSquare && AttrAt < 0)
        AttrAt = Depth - 1;
      if (T.is(tok::l_paren) && AfterName)
        WrtAt = Depth + 1;
      ++Depth;
    } else if (T.isOneOf(tok::r_paren, tok::r_square, tok::r_brace)) {
      Depth -= Depth > 0;
      if (Depth < WrtAt)
        WrtAt = -1;
      if (Depth <= AttrAt)
        AttrAt = -1;
    } else if (T.is(tok::identifier) && Depth == WrtAt) {
      Tokens.insert(T.getLocation().getRawEncoding());
    }
    AfterAttributeKeyword = T.is(tok::kw___attribute);
    AfterLSquare = T.is(tok::l_square);
    AfterName = inAttribute() && T.is(tok::identifier) &&
                (T.getIdentifierInfo()->getName() == "differentiable" ||
                 T.getIdentifierInfo()->getName() == "__differentiable__");
  }
};

// Answers the lookup of a name in a wrt list (and nothing else).
struct WrtLookup : ExternalSemaSource {
  bool LookupUnqualified(LookupResult &R, Scope *) override {
    WrtNames &W = WrtNames::get();
    if (R.getLookupKind() != Sema::LookupOrdinaryName || R.isForRedeclaration() ||
        !W.Tokens.count(R.getNameLoc().getRawEncoding()))
      return false;
    const IdentifierInfo *Id = R.getLookupName().getAsIdentifierInfo();
    if (!Id)
      return false;
    VarDecl *&P = W.ByName[Id];
    if (!P) {
      ASTContext &C = R.getSema().getASTContext();
      P = VarDecl::Create(C, C.getTranslationUnitDecl(), R.getNameLoc(), R.getNameLoc(),
                          const_cast<IdentifierInfo *>(Id), C.IntTy, nullptr, SC_Extern);
      P->setImplicit();
    }
    R.addDecl(P);
    return true;
  }
};

} // namespace

bool frontend_is_floating(QualType T) {
  T = T.getCanonicalType();
  if (const auto *V = T->getAs<VectorType>())
    T = V->getElementType();
  return T->isRealFloatingType();
}

// Can a value of type T carry a derivative: floating point, complex or
// vectors of it, pointers (to anything but integers), arrays and records
// holding such? A pointer to a record is followed once (`Seen`).
static bool carriesDerivative(QualType T, llvm::SmallPtrSetImpl<const RecordDecl *> &Seen) {
  T = T.getCanonicalType();
  if (frontend_is_floating(T) || T->isAnyComplexType())
    return true;
  if (T->isPointerType() || T->isReferenceType()) {
    QualType P = T->getPointeeType().getCanonicalType();
    return !(P->isIntegralOrEnumerationType() || P->isBooleanType()) || T->isFunctionPointerType();
  }
  if (const auto *A = T->getAsArrayTypeUnsafe())
    return carriesDerivative(A->getElementType(), Seen);
  if (const auto *R = T->getAsRecordDecl()) {
    if (!Seen.insert(R).second || !R->getDefinition())
      return !R->getDefinition(); /* incomplete: may */
    for (const FieldDecl *F : R->getDefinition()->fields())
      if (carriesDerivative(F->getType(), Seen))
        return true;
  }
  return false;
}

// ---- derivative(f) in C++: f's symbol ----
// The pass finds f by its symbol, which in C++ is mangled: the annotation
// names f's symbol ("ct.derivative:_ZNK6Spring6energyEd"), resolved here
// from the declarations the argument names (an overload set: the one whose
// pullback has P's number of parameters, `this` counted first as the IR
// does).

namespace {

unsigned implicitObjectOf(const FunctionDecl *F) {
  auto *M = dyn_cast<CXXMethodDecl>(F);
  return M && M->isInstance() ? 1 : 0;
}

// Could P be a pullback of T: as many parameters (T's, the seed, one
// adjoint pointer per floating-point, pointer or reference parameter),
// starting with T's parameter types?
bool fitsPullback(ASTContext &C, const FunctionDecl *T, const FunctionDecl *P) {
  unsigned Want = 2 * implicitObjectOf(T) + T->getNumParams() + (frontend_is_floating(T->getReturnType()) ? 1 : 0);
  for (const ParmVarDecl *Q : T->parameters())
    Want += frontend_is_floating(Q->getType()) || Q->getType()->isPointerType() || Q->getType()->isReferenceType();
  unsigned Skip = implicitObjectOf(T) - implicitObjectOf(P); /* P free, T a method: P's first is the object */
  if (implicitObjectOf(P) + P->getNumParams() != Want || implicitObjectOf(P) > implicitObjectOf(T))
    return false;
  for (unsigned I = 0; I < T->getNumParams(); ++I)
    if (!C.hasSameUnqualifiedType(T->getParamDecl(I)->getType(), P->getParamDecl(I + Skip)->getType()))
      return false;
  return true;
}

std::string symbolOf(ASTContext &C, const FunctionDecl *F) {
  if (const auto *L = F->getAttr<AsmLabelAttr>())
    return L->getLabel().str();
  std::unique_ptr<MangleContext> MC(C.createMangleContext());
  if (!MC->shouldMangleDeclName(F))
    return F->getName().str();
  std::string Name;
  llvm::raw_string_ostream OS(Name);
  MC->mangleName(GlobalDecl(F), OS);
  return OS.str();
}

// ";" and the access T's parameter types imply (custom.c): 'r' for `this`
// of a const member function and pointers or references to const (T reads
// them, its pullback may too), 'u' for other pointers and references, '.'
// for the rest; "" when none is const.
std::string accessOf(const FunctionDecl *T) {
  std::string A;
  bool Read = false;
  if (const auto *M = dyn_cast<CXXMethodDecl>(T); M && M->isInstance()) {
    Read |= M->isConst();
    A += M->isConst() ? 'r' : 'u';
  }
  for (const ParmVarDecl *Q : T->parameters()) {
    QualType Ty = Q->getType();
    if (!Ty->isPointerType() && !Ty->isReferenceType()) {
      A += '.';
      continue;
    }
    bool Const = Ty->getPointeeType().isConstQualified();
    Read |= Const;
    A += Const ? 'r' : 'u';
  }
  return Read ? ";" + A : "";
}

// The target each C++ pullback declaration names (for linkDerivative).
llvm::DenseMap<const Decl *, const FunctionDecl *> &derivativeTargets() {
  static llvm::DenseMap<const Decl *, const FunctionDecl *> M;
  return M;
}

// The function among Candidates that P is a pullback of: the only one, or
// the only one P's parameter count fits. NULL after an error at Loc.
const FunctionDecl *pickTarget(ASTContext &C, SourceLocation Loc, const FunctionDecl *P, StringRef Name,
                               ArrayRef<const FunctionDecl *> Candidates) {
  DiagnosticsEngine &D = C.getDiagnostics();
  const FunctionDecl *Fit = nullptr;
  unsigned Fits = 0;
  for (const FunctionDecl *T : Candidates)
    if (fitsPullback(C, T, P))
      Fit = T, ++Fits;
  if (Candidates.size() == 1 && !Fits) /* the pass reports the signature it expects */
    Fit = Candidates[0], Fits = 1;
  if (Fits == 1 && (isa<CXXConstructorDecl>(Fit) || isa<CXXDestructorDecl>(Fit))) {
    D.Report(Loc, D.getCustomDiagID(DiagnosticsEngine::Error,
                                    "'%0' cannot be the derivative of '%1': constructors and destructors cannot "
                                    "have custom derivatives"))
        << P->getName() << Name;
    return nullptr;
  }
  if (Fits == 1)
    return Fit;
  D.Report(Loc, D.getCustomDiagID(DiagnosticsEngine::Error,
                                  "'%0' cannot be the derivative of '%1': %select{no|more than one}2 overload of "
                                  "'%1' has a pullback with the parameters of '%0' (%3, 'this' counted first)"))
      << P->getName() << Name << (Fits ? 1 : 0) << (implicitObjectOf(P) + P->getNumParams());
  return nullptr;
}

// The functions an argument of derivative(...) names: f, &C::f, C::f, an
// overload set, a member named inside its class.
bool namedFunctions(const Expr *E, SmallVectorImpl<const FunctionDecl *> &Out, std::string &Name) {
  E = E->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(E); U && U->getOpcode() == UO_AddrOf)
    E = U->getSubExpr()->IgnoreParenImpCasts();
  const NamedDecl *One = nullptr;
  if (const auto *R = dyn_cast<DeclRefExpr>(E))
    One = R->getDecl();
  else if (const auto *M = dyn_cast<MemberExpr>(E))
    One = M->getMemberDecl();
  else if (const auto *O = dyn_cast<OverloadExpr>(E)) {
    Name = O->getName().getAsString();
    for (const NamedDecl *N : O->decls())
      if (const auto *F = dyn_cast<FunctionDecl>(N->getUnderlyingDecl()))
        Out.push_back(F);
    return !Out.empty();
  }
  if (const auto *F = dyn_cast_or_null<FunctionDecl>(One)) {
    Name = F->getNameAsString();
    Out.push_back(F);
    return true;
  }
  return false;
}

} // namespace

// ---- the attributes ----

namespace {

enum class Target { Functions, FunctionsAndParameters };

struct CotangentAttrInfo : ParsedAttrInfo {
  const char *Annotation;
  Target Applies;

  CotangentAttrInfo(const char *Annotation, Target Applies, ArrayRef<Spelling> S)
      : Annotation(Annotation), Applies(Applies) {
    OptArgs = 15;
    Spellings = S;
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr, const Decl *D) const override {
    if (isa<FunctionDecl>(D) || (Applies == Target::FunctionsAndParameters && isa<ParmVarDecl, FieldDecl>(D)))
      return true;
    if (std::string(Annotation) == "ct.differentiable" && isa<TypedefNameDecl>(D))
      return true; // a differentiable function-pointer type (frontend_function_values.cpp)
    unsigned ID = S.getDiagnostics().getCustomDiagID(
        DiagnosticsEngine::Error, "'%0' applies to %1 only");
    S.Diag(Attr.getLoc(), ID) << Attr.getAttrName()->getName()
                              << (Applies == Target::Functions ? "functions" : "functions, parameters and struct fields");
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D, const ParsedAttr &Attr) const override {
    // Arguments (a wrt list, the function a derivative is for) are kept
    // verbatim in the annotation string; wrt names become parameter indices
    // (IR keeps no parameter names).
    std::string Text = Annotation;
    if (auto *T = dyn_cast<TypedefNameDecl>(D))
      return differentiableType(S, T, Attr);
    if (auto *Field = dyn_cast<FieldDecl>(D)) {
      llvm::SmallPtrSet<const RecordDecl *, 4> Seen;
      if (!carriesDerivative(Field->getType(), Seen))
        S.Diag(Attr.getLoc(), S.getDiagnostics().getCustomDiagID(
                                  DiagnosticsEngine::Warning, "'%0' has no effect on field '%1': its type '%2' "
                                                              "carries no derivative (remove it)"))
            << Attr.getAttrName()->getName() << Field->getName() << Field->getType().getAsString();
    }
    auto *F = dyn_cast<FunctionDecl>(D);
    bool Wrt = F && std::string(Annotation) == "ct.differentiable";
    if (Wrt && !checkResult(S, Attr, F))
      return AttributeNotApplied;
    for (unsigned I = 0; I < Attr.getNumArgs(); ++I) {
      Text += I == 0 ? ":" : ",";
      std::string Name;
      SourceLocation Loc;
      if (Attr.isArgIdent(I)) {
        Name = Attr.getArgAsIdent(I)->Ident->getName().str();
        Loc = Attr.getArgAsIdent(I)->Loc;
      } else if (auto *E = dyn_cast_or_null<DeclRefExpr>(Attr.getArgAsExpr(I)->IgnoreParenImpCasts())) {
        Name = E->getDecl()->getNameAsString();
        Loc = E->getLocation();
      } else {
        unsigned ID = S.getDiagnostics().getCustomDiagID(
            DiagnosticsEngine::Error, "'%0' expects names (of parameters or functions) as arguments");
        S.Diag(Attr.getLoc(), ID) << Attr.getAttrName()->getName();
        return AttributeNotApplied;
      }
      if (!Wrt) {
        Text += Name;
        continue;
      }
      int Index = wrtIndex(S, F, Name, Loc);
      if (Index < 0)
        return AttributeNotApplied;
      Text += std::to_string(Index);
    }
    D->addAttr(AnnotateAttr::Create(S.Context, Text, nullptr, 0, Attr.getRange()));
    return AttributeApplied;
  }

  template <unsigned N> static Sema::SemaDiagnosticBuilder error(Sema &S, SourceLocation Loc, const char (&Fmt)[N]) {
    return S.Diag(Loc, S.getDiagnostics().getCustomDiagID(DiagnosticsEngine::Error, Fmt));
  }

  // `typedef double (*fn)(double) CT_DIFFERENTIABLE;`: values of this type
  // must be differentiable functions (checked at the end of the file,
  // frontend_function_values.cpp).
  static AttrHandling differentiableType(Sema &S, TypedefNameDecl *T, const ParsedAttr &Attr) {
    QualType U = T->getUnderlyingType();
    if (!U->isFunctionPointerType() && !U->isFunctionType()) {
      error(S, Attr.getLoc(), "'%0' cannot be a differentiable function type: it names '%1', not a function or a "
                              "pointer to a function")
          << T->getName() << U.getAsString();
      return AttributeNotApplied;
    }
    if (Attr.getNumArgs()) {
      error(S, Attr.getLoc(), "a differentiable function type takes no wrt list: the functions it holds are "
                              "differentiated with respect to their floating-point and pointer parameters (hold "
                              "one constant with CT_NO_DERIVATIVE on the function's parameter)");
      return AttributeNotApplied;
    }
    T->addAttr(AnnotateAttr::Create(S.Context, "ct.differentiable_type", nullptr, 0, Attr.getRange()));
    return AttributeApplied;
  }

  // A differentiable function returns floating point, a pointer into the
  // memory of its arguments (an accessor), or nothing (writing its results
  // through pointers).
  static bool checkResult(Sema &S, const ParsedAttr &Attr, const FunctionDecl *F) {
    QualType R = F->getReturnType();
    if (R->isVoidType() || frontend_is_floating(R) || R->isPointerType())
      return true;
    error(S, Attr.getLoc(),
          "'%0' cannot be differentiable: its result has type '%1', which has no derivative (a "
          "differentiable function returns float or double, a pointer, or void when it writes its "
          "results through pointers)")
        << F->getNameAsString() << R.getAsString();
    return false;
  }

  // 1 for a member function with `this`, whose IR parameters start with
  // the object pointer (the indices in annotations are the IR's).
  static unsigned implicitObject(const FunctionDecl *F) {
    auto *M = dyn_cast<CXXMethodDecl>(F);
    return M && M->isInstance() ? 1 : 0;
  }

  // The index of the parameter of F a wrt list names, or -1 after an error.
  static int wrtIndex(Sema &S, const FunctionDecl *F, StringRef Name, SourceLocation Loc) {
    for (unsigned P = 0; P < F->getNumParams(); ++P) {
      const ParmVarDecl *Q = F->getParamDecl(P);
      if (Q->getName() != Name)
        continue;
      QualType T = Q->getType();
      if (frontend_is_floating(T) || T->isPointerType())
        return (int)(P + implicitObject(F));
      if (T->isRecordType())
        error(S, Loc, "'%0' is a struct passed by value: derivatives with respect to struct arguments are "
                      "not supported yet (pass a pointer to it)")
            << Name;
      else
        error(S, Loc, "'%0' has type '%1', which has no derivative: a wrt list names floating-point or "
                      "pointer parameters")
            << Name << T.getAsString();
      return -1;
    }
    error(S, Loc, "'%0' is not a parameter of '%1'") << Name << F->getNameAsString();
    return -1;
  }
};

// GNU, C23 and C++11, scoped and unscoped
#define SPELLINGS(Name)                                                                                           \
  {{ParsedAttr::AS_GNU, Name}, {ParsedAttr::AS_C23, "ct::" Name}, {ParsedAttr::AS_C23, Name},                     \
   {ParsedAttr::AS_CXX11, "ct::" Name}, {ParsedAttr::AS_CXX11, Name}}

struct DifferentiableAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = SPELLINGS("differentiable");
  DifferentiableAttr() : CotangentAttrInfo("ct.differentiable", Target::Functions, S) {}
};

struct CheckpointAttr : CotangentAttrInfo { // calls recomputed in the reverse pass (checkpoint.c)
  static constexpr Spelling S[] = SPELLINGS("checkpoint");
  CheckpointAttr() : CotangentAttrInfo("ct.checkpoint", Target::Functions, S) { OptArgs = 0; }
};

struct NoDerivativeAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = SPELLINGS("no_derivative");
  NoDerivativeAttr() : CotangentAttrInfo("ct.no_derivative", Target::FunctionsAndParameters, S) {}
};

struct DerivativeAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = SPELLINGS("derivative");
  DerivativeAttr() : CotangentAttrInfo("ct.derivative", Target::Functions, S) {
    NumArgs = 1;
    OptArgs = 0;
  }
  // `used`, as CT_DERIVATIVE says it: a static pullback nobody calls yet
  // must still be emitted, or its annotation (and body) would be lost.
  AttrHandling handleDeclAttribute(Sema &S, Decl *D, const ParsedAttr &Attr) const override {
    AttrHandling H = S.getLangOpts().CPlusPlus && Attr.isArgExpr(0) ? handleCxx(S, D, Attr)
                                                                     : CotangentAttrInfo::handleDeclAttribute(S, D, Attr);
    if (H == AttributeApplied && !D->hasAttr<UsedAttr>())
      D->addAttr(UsedAttr::CreateImplicit(S.Context));
    return H;
  }
  // C++: the annotation names f's symbol.
  static AttrHandling handleCxx(Sema &S, Decl *D, const ParsedAttr &Attr) {
    SmallVector<const FunctionDecl *, 4> Candidates;
    std::string Name;
    if (!namedFunctions(Attr.getArgAsExpr(0), Candidates, Name)) {
      error(S, Attr.getArgAsExpr(0)->getExprLoc(), "'derivative' expects the name of a function (f, or &C::f for a "
                                                   "member function named outside its class)");
      return AttributeNotApplied;
    }
    const FunctionDecl *T =
        pickTarget(S.Context, Attr.getArgAsExpr(0)->getExprLoc(), cast<FunctionDecl>(D), Name, Candidates);
    if (!T)
      return AttributeNotApplied;
    D->addAttr(AnnotateAttr::Create(S.Context, "ct.derivative:" + symbolOf(S.Context, T) + accessOf(T), nullptr, 0,
                                    Attr.getRange()));
    derivativeTargets()[D] = T;
    return AttributeApplied;
  }
};

// Enzyme's attributes, spelled as Enzyme's clang plugin spells them:
// enzyme_inactive on functions and global variables (no derivative flows
// through them), enzyme_nofree on functions; lowered to annotations of the
// same name, which the pass reads (enzyme_register.c).
struct EnzymeAttrInfo : ParsedAttrInfo {
  const char *Annotation;
  bool Variables;
  EnzymeAttrInfo(const char *Annotation, bool Variables, ArrayRef<Spelling> S)
      : Annotation(Annotation), Variables(Variables) {
    Spellings = S;
  }
  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr, const Decl *D) const override {
    const auto *V = dyn_cast<VarDecl>(D);
    if (isa<FunctionDecl>(D) || (Variables && V && V->hasGlobalStorage() && !isa<ParmVarDecl>(D)))
      return true;
    unsigned ID = S.getDiagnostics().getCustomDiagID(DiagnosticsEngine::Error, "'%0' applies to %1 only");
    S.Diag(Attr.getLoc(), ID) << Attr.getAttrName()->getName()
                              << (Variables ? "functions and global variables" : "functions");
    return false;
  }
  AttrHandling handleDeclAttribute(Sema &S, Decl *D, const ParsedAttr &Attr) const override {
    D->addAttr(AnnotateAttr::Create(S.Context, Annotation, nullptr, 0, Attr.getRange()));
    return AttributeApplied;
  }
};

struct EnzymeInactiveAttr : EnzymeAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "enzyme_inactive"},
                                   {ParsedAttr::AS_C23, "enzyme::inactive"},
                                   {ParsedAttr::AS_CXX11, "enzyme::inactive"}};
  EnzymeInactiveAttr() : EnzymeAttrInfo("enzyme_inactive", true, S) {}
};

struct EnzymeNoFreeAttr : EnzymeAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "enzyme_nofree"},
                                   {ParsedAttr::AS_C23, "enzyme::nofree"},
                                   {ParsedAttr::AS_CXX11, "enzyme::nofree"}};
  EnzymeNoFreeAttr() : EnzymeAttrInfo("enzyme_nofree", false, S) {}
};

// Runs before code generation sees each top-level declaration: collects
// the parameters marked no_derivative (the function gets one annotation
// listing their indices, which codegen emits: parameter annotations would
// be lost), links declared pullbacks, and records facts at operator calls;
// installs the wrt-name lookup in Sema.
struct ParamConsumer : SemaConsumer {
  CompilerInstance &CI;
  ASTContext *Ctx = nullptr;
  std::unique_ptr<OperatorFacts> Facts;
  llvm::DenseSet<const Decl *> Linked;
  unsigned Links = 0;
  explicit ParamConsumer(CompilerInstance &CI) : CI(CI) {}
  void Initialize(ASTContext &C) override {
    Ctx = &C;
    Facts = frontend_operator_facts(C);
  }
  void InitializeSema(Sema &S) override { S.addExternalSource(new WrtLookup); }
  void HandleTranslationUnit(ASTContext &C) override { frontend_check_function_values(C); }
  bool HandleTopLevelDecl(DeclGroupRef G) override {
    for (Decl *D : G) {
      Facts->record(D);
      frontend_tangent_layouts(*Ctx, D);
      keepRegistration(D);
      functions(D);
    }
    return true;
  }
  // Functions and member functions, in namespaces and classes too (a
  // method defined in its class is not a top-level declaration).
  void functions(Decl *D) {
    if (auto *T = dyn_cast<FunctionTemplateDecl>(D))
      D = T->getTemplatedDecl();
    if (auto *F = dyn_cast<FunctionDecl>(D)) {
      annotate(F);
      resolveMacroDerivative(F);
      linkDerivative(F);
      return;
    }
    if (isa<NamespaceDecl>(D) || isa<CXXRecordDecl>(D) || isa<LinkageSpecDecl>(D))
      for (Decl *Inner : cast<DeclContext>(D)->decls())
        functions(Inner);
  }
  // Enzyme's registration globals (__enzyme_register_gradient_f, ...) are
  // `used`, as Enzyme's plugin makes them: a static one nobody refers to
  // must still reach the pass.
  static void keepRegistration(Decl *D) {
    auto *V = dyn_cast<VarDecl>(D);
    if (!V || !V->getIdentifier() || !V->hasGlobalStorage() || V->hasAttr<UsedAttr>())
      return;
    StringRef N = V->getName();
    if (N.contains("__enzyme_register_gradient") || N.contains("__enzyme_register_derivative") ||
        N.contains("__enzyme_register_splitderivative") || N.contains("__enzyme_inactivefn") ||
        N.contains("__enzyme_inactive_global"))
      V->addAttr(UsedAttr::CreateImplicit(V->getASTContext()));
  }
  // derivative(f) on a mere declaration P (its body in a library): codegen
  // emits no annotation for P, so the link goes into a static variable made
  // for it, annotated "ct.derivative_link:f,P" and holding &P, so that P's
  // declared type reaches the pass, which checks it as for a definition
  // (custom.c) and deletes the variable. f must be declared before P.
  void linkDerivative(FunctionDecl *P) {
    if (P->hasBody())
      return;
    for (const auto *A : P->specific_attrs<AnnotateAttr>()) {
      StringRef Text = A->getAnnotation();
      if (!Text.consume_front("ct.derivative:") || Text.empty() || !Linked.insert(P->getCanonicalDecl()).second)
        continue;
      Text = Text.split(';').first; /* C: the access accessOfCTarget added */
      const FunctionDecl *F = derivativeTargets().lookup(P);
      for (NamedDecl *N : Ctx->getTranslationUnitDecl()->lookup(&Ctx->Idents.get(Text)))
        F = F ? F : dyn_cast<FunctionDecl>(N);
      if (F) {
        link(F, P);
        continue;
      }
      DiagnosticsEngine &D = Ctx->getDiagnostics(); // nothing to link: it would be lost
      D.Report(P->getLocation(), D.getCustomDiagID(DiagnosticsEngine::Error,
                                                   "'%0' is declared as the derivative of '%1', which is not a "
                                                   "function declared before it; declare '%1' first"))
          << P->getName() << Text;
    }
  }
  // The symbol name of a function (its asm label, if any).
  std::string irName(const FunctionDecl *D) const { return symbolOf(*Ctx, D); }
  // derivative(f) and CT_DERIVATIVE(f) in C++ (an annotation naming f as
  // written, `f` or `C::f`): f looked up from P's scope outwards, the
  // annotation then names f's symbol; a name found nowhere is an error
  // (a symbol, from DerivativeAttr::handleCxx, stays).
  void resolveMacroDerivative(FunctionDecl *P) {
    if (!Ctx->getLangOpts().CPlusPlus) {
      accessOfCTarget(P);
      return;
    }
    if (!P->hasAttrs() || derivativeTargets().count(P))
      return;
    for (Attr *&A : P->getAttrs()) {
      auto *Ann = dyn_cast<AnnotateAttr>(A);
      StringRef Name = Ann ? Ann->getAnnotation() : StringRef();
      if (!Name.consume_front("ct.derivative:") || Name.empty())
        continue;
      SmallVector<const FunctionDecl *, 4> Candidates;
      lookupQualified(P, Name, Candidates);
      if (Candidates.empty() && !(Name.starts_with("_Z") && !Name.contains("::"))) { /* a symbol already */
        DiagnosticsEngine &D = Ctx->getDiagnostics();
        D.Report(P->getLocation(), D.getCustomDiagID(DiagnosticsEngine::Error,
                                                     "'%0' is declared as the derivative of '%1', which is not a "
                                                     "function declared before it; declare '%1' first"))
            << P->getName() << Name;
        continue;
      }
      if (Candidates.empty())
        continue;
      const FunctionDecl *T = pickTarget(*Ctx, P->getLocation(), P, Name, Candidates);
      if (!T)
        continue;
      derivativeTargets()[P] = T;
      A = AnnotateAttr::CreateImplicit(*Ctx, "ct.derivative:" + symbolOf(*Ctx, T) + accessOf(T), nullptr, 0);
    }
  }
  // CT_DERIVATIVE(f) in C: the annotation gains the access f's parameter
  // types imply (accessOf: `const Self *` is read, not written), when f is
  // declared before P.
  void accessOfCTarget(FunctionDecl *P) {
    if (!P->hasAttrs())
      return;
    for (Attr *&A : P->getAttrs()) {
      auto *Ann = dyn_cast<AnnotateAttr>(A);
      StringRef Name = Ann ? Ann->getAnnotation() : StringRef();
      if (!Name.consume_front("ct.derivative:") || Name.empty() || Name.contains(';'))
        continue;
      const FunctionDecl *T = nullptr;
      for (NamedDecl *N : Ctx->getTranslationUnitDecl()->lookup(&Ctx->Idents.get(Name)))
        T = T ? T : dyn_cast<FunctionDecl>(N);
      std::string Access = T ? accessOf(T) : "";
      if (!Access.empty())
        A = AnnotateAttr::CreateImplicit(*Ctx, ("ct.derivative:" + Name + Access).str(), nullptr, 0);
    }
  }
  // The functions `a::b::f` names, seen from P's scope.
  void lookupQualified(const FunctionDecl *P, StringRef Name, SmallVectorImpl<const FunctionDecl *> &Out) {
    SmallVector<StringRef, 4> Parts;
    Name.split(Parts, "::");
    for (const DeclContext *Scope = P->getDeclContext(); Scope && Out.empty(); Scope = Scope->getParent()) {
      const DeclContext *DC = Scope;
      for (size_t I = 0; DC && I < Parts.size(); ++I) {
        const DeclContext *Next = nullptr;
        for (NamedDecl *N : DC->lookup(&Ctx->Idents.get(Parts[I]))) {
          if (I + 1 == Parts.size()) {
            if (const auto *F = dyn_cast<FunctionDecl>(N->getUnderlyingDecl()))
              Out.push_back(F);
          } else if (isa<NamespaceDecl>(N) || isa<CXXRecordDecl>(N)) {
            Next = cast<DeclContext>(N);
          }
        }
        DC = Next;
      }
    }
  }
  void link(const FunctionDecl *F, FunctionDecl *P) {
    TranslationUnitDecl *TU = Ctx->getTranslationUnitDecl();
    SourceLocation Loc = P->getLocation();
    std::string Name = "__ct_derivative_link." + std::to_string(Links++);
    QualType T = Ctx->getPointerType(P->getType());
    auto *V = VarDecl::Create(*Ctx, TU, Loc, Loc, &Ctx->Idents.get(Name), T, Ctx->getTrivialTypeSourceInfo(T),
                              SC_Static);
    V->setImplicit();
    auto *Ref = new (*Ctx) DeclRefExpr(*Ctx, P, false, P->getType(), VK_LValue, Loc);
    V->setInit(ImplicitCastExpr::Create(*Ctx, T, CK_FunctionToPointerDecay, Ref, nullptr, VK_PRValue,
                                        FPOptionsOverride()));
    V->addAttr(UsedAttr::CreateImplicit(*Ctx));
    V->addAttr(AnnotateAttr::CreateImplicit(*Ctx, "ct.derivative_link:" + irName(F) + accessOf(F) + "," + irName(P), nullptr, 0));
    TU->addDecl(V);
    CI.getASTConsumer().HandleTopLevelDecl(DeclGroupRef(V));
  }
  void annotate(FunctionDecl *F) {
    std::string List;
    for (unsigned I = 0; I < F->getNumParams(); ++I)
      for (const auto *A : F->getParamDecl(I)->specific_attrs<AnnotateAttr>())
        if (A->getAnnotation() == "ct.no_derivative")
          List += (List.empty() ? "" : ",") + std::to_string(I + CotangentAttrInfo::implicitObject(F));
    if (List.empty())
      return;
    std::string Text = "ct.no_derivative_params:" + List;
    for (const auto *A : F->specific_attrs<AnnotateAttr>())
      if (A->getAnnotation() == Text)
        return;
    F->addAttr(AnnotateAttr::CreateImplicit(*Ctx, Text, nullptr, 0));
  }
};

struct ParamAction : PluginASTAction {
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI, StringRef) override {
    CI.getPreprocessor().setTokenWatcher([](const Token &T) { WrtNames::get().watch(T); });
    return std::make_unique<ParamConsumer>(CI);
  }
  bool ParseArgs(const CompilerInstance &, const std::vector<std::string> &) override { return true; }
  ActionType getActionType() override { return AddBeforeMainAction; }
};

// `#pragma ct checkpoint` / `#pragma ct checkpoint(N)` before a loop
// becomes the statement `__ct_checkpoint_loop(N);` (CT_CHECKPOINT_LOOP's
// marker, declared by cotangent.h; N = 0, automatic, when absent), which
// the pass turns into the loop's binomial checkpointing
// (checkpoint_loop.c). Another `#pragma ct ...` is an error naming it.
struct CtPragma : PragmaHandler {
  CtPragma() : PragmaHandler("ct") {}
  static void error(Preprocessor &PP, SourceLocation Loc, const char *Msg, StringRef What) {
    unsigned ID = PP.getDiagnostics().getCustomDiagID(DiagnosticsEngine::Error, "%0");
    PP.Diag(Loc, ID) << (std::string(Msg) + What.str());
  }
  void HandlePragma(Preprocessor &PP, PragmaIntroducer, Token &Tok) override {
    SourceLocation Loc = Tok.getLocation();
    Token T;
    PP.Lex(T);
    std::string What = T.is(tok::identifier) ? T.getIdentifierInfo()->getName().str() : "";
    if (What != "checkpoint") {
      while (T.isNot(tok::eod))
        PP.Lex(T);
      error(PP, Loc, "unknown '#pragma ct ", What + "': the one Cotangent pragma is '#pragma ct checkpoint' or "
                                                    "'#pragma ct checkpoint(snapshots)' before a loop");
      return;
    }
    Token Count;
    Count.startToken();
    PP.Lex(T);
    bool Ok = true;
    if (T.is(tok::l_paren)) {
      PP.Lex(Count);
      PP.Lex(T);
      Ok = Count.is(tok::numeric_constant) && T.is(tok::r_paren);
      if (Ok)
        PP.Lex(T);
    }
    Ok = Ok && T.is(tok::eod);
    while (T.isNot(tok::eod))
      PP.Lex(T);
    if (!Ok) {
      error(PP, Loc, "'#pragma ct checkpoint' takes no argument or a number of snapshots: ",
            "'#pragma ct checkpoint' or '#pragma ct checkpoint(16)'");
      return;
    }
    if (Count.isNot(tok::numeric_constant)) { // automatic: 0
      PP.CreateString("0", Count, Loc, Loc);
      Count.setKind(tok::numeric_constant);
    }
    auto Toks = std::make_unique<Token[]>(5);
    for (unsigned i = 0; i < 5; ++i) {
      Toks[i].startToken();
      Toks[i].setLocation(Loc);
    }
    Toks[0].setKind(tok::identifier);
    Toks[0].setIdentifierInfo(PP.getIdentifierInfo("__ct_checkpoint_loop"));
    Toks[1].setKind(tok::l_paren);
    Toks[2] = Count;
    Toks[3].setKind(tok::r_paren);
    Toks[4].setKind(tok::semi);
    PP.EnterTokenStream(std::move(Toks), 5, /*DisableMacroExpansion=*/true, /*IsReinject=*/false);
  }
};

} // namespace

static PragmaHandlerRegistry::Add<CtPragma> RegisterCtPragma("ct", "Cotangent's pragmas");
static ParsedAttrInfoRegistry::Add<DifferentiableAttr> RegisterDifferentiable("ct-differentiable", "");
static ParsedAttrInfoRegistry::Add<NoDerivativeAttr> RegisterNoDerivative("ct-no-derivative", "");
static ParsedAttrInfoRegistry::Add<CheckpointAttr> RegisterCheckpoint("ct-checkpoint", "");
static ParsedAttrInfoRegistry::Add<DerivativeAttr> RegisterDerivative("ct-derivative", "");
static ParsedAttrInfoRegistry::Add<EnzymeInactiveAttr> RegisterEnzymeInactive("enzyme-inactive", "");
static ParsedAttrInfoRegistry::Add<EnzymeNoFreeAttr> RegisterEnzymeNoFree("enzyme-nofree", "");
static FrontendPluginRegistry::Add<ParamAction> RegisterParams("cotangent-params",
                                                               "no_derivative parameters");
