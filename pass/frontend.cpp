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
// (frontend_operators.cpp).
#include "frontend.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
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
    AttrHandling H = CotangentAttrInfo::handleDeclAttribute(S, D, Attr);
    if (H == AttributeApplied && !D->hasAttr<UsedAttr>())
      D->addAttr(UsedAttr::CreateImplicit(S.Context));
    return H;
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
  bool HandleTopLevelDecl(DeclGroupRef G) override {
    for (Decl *D : G) {
      Facts->record(D);
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
      FunctionDecl *F = nullptr;
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
  static std::string irName(const FunctionDecl *D) {
    if (const auto *L = D->getAttr<AsmLabelAttr>())
      return L->getLabel().str();
    return D->getName().str();
  }
  void link(FunctionDecl *F, FunctionDecl *P) {
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
    V->addAttr(AnnotateAttr::CreateImplicit(*Ctx, "ct.derivative_link:" + irName(F) + "," + irName(P), nullptr, 0));
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

} // namespace

static ParsedAttrInfoRegistry::Add<DifferentiableAttr> RegisterDifferentiable("ct-differentiable", "");
static ParsedAttrInfoRegistry::Add<NoDerivativeAttr> RegisterNoDerivative("ct-no-derivative", "");
static ParsedAttrInfoRegistry::Add<DerivativeAttr> RegisterDerivative("ct-derivative", "");
static ParsedAttrInfoRegistry::Add<EnzymeInactiveAttr> RegisterEnzymeInactive("enzyme-inactive", "");
static ParsedAttrInfoRegistry::Add<EnzymeNoFreeAttr> RegisterEnzymeNoFree("enzyme-nofree", "");
static FrontendPluginRegistry::Add<ParamAction> RegisterParams("cotangent-params",
                                                               "no_derivative parameters");
