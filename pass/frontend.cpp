// The Clang attribute frontend (libcotangent_frontend.so, loaded by
// libcotangent.so inside clang when it is given as -fplugin).
//
// Attributes, in the ct:: namespace (C23/C++11 spelling) and as GNU
// attributes, lowered to `annotate` attributes that the pass turns into
// metadata at PipelineStart (lower.c) -- one lowering path for both
// spellings and for the header's fallback macros:
//   differentiable[(x, y)]  on functions: "ct.differentiable[:x,y]"
//   no_derivative           on functions: "ct.no_derivative"
//                           on parameters: collected per function into
//                           "ct.no_derivative_params:<indices>"
//   derivative(f)           on functions: "ct.derivative:f" (and `used`);
//                           on a mere declaration placed after f's
//                           definition: "ct.derivative_link:f,P" on a
//                           variable made for it
// Misplaced attributes are errors. (The unscoped C23 spellings are listed
// too: clang's parser looks plugin attributes up by their unscoped name
// before it parses their arguments.)
#include "clang/AST/ASTConsumer.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

using namespace clang;

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
    if (isa<FunctionDecl>(D) || (Applies == Target::FunctionsAndParameters && isa<ParmVarDecl>(D)))
      return true;
    unsigned ID = S.getDiagnostics().getCustomDiagID(
        DiagnosticsEngine::Error, "'%0' applies to %1 only");
    S.Diag(Attr.getLoc(), ID) << Attr.getAttrName()->getName()
                              << (Applies == Target::Functions ? "functions" : "functions and parameters");
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D, const ParsedAttr &Attr) const override {
    // Arguments (a wrt list, the function a derivative is for) are kept
    // verbatim in the annotation string.
    std::string Text = Annotation;
    auto *F = dyn_cast<FunctionDecl>(D);
    for (unsigned I = 0; I < Attr.getNumArgs(); ++I) {
      Text += I == 0 ? ":" : ",";
      if (Attr.isArgIdent(I) && F && std::string(Annotation) == "ct.differentiable") {
        // wrt names become parameter indices (IR keeps no parameter names)
        StringRef Name = Attr.getArgAsIdent(I)->Ident->getName();
        unsigned Index = F->getNumParams();
        for (unsigned P = 0; P < F->getNumParams(); ++P)
          if (F->getParamDecl(P)->getName() == Name)
            Index = P;
        if (Index == F->getNumParams()) {
          unsigned ID = S.getDiagnostics().getCustomDiagID(DiagnosticsEngine::Error,
                                                           "'%0' is not a parameter of '%1'");
          S.Diag(Attr.getArgAsIdent(I)->Loc, ID) << Name << F->getName();
          return AttributeNotApplied;
        }
        Text += std::to_string(Index);
      } else if (Attr.isArgIdent(I)) {
        Text += Attr.getArgAsIdent(I)->Ident->getName().str();
      } else if (auto *E = dyn_cast_or_null<DeclRefExpr>(Attr.getArgAsExpr(I)->IgnoreParenImpCasts())) {
        if (auto *P = dyn_cast<ParmVarDecl>(E->getDecl()))
          Text += std::to_string(P->getFunctionScopeIndex());
        else
          Text += E->getDecl()->getName().str();
      } else {
        unsigned ID = S.getDiagnostics().getCustomDiagID(
            DiagnosticsEngine::Error, "'%0' expects names (of parameters or functions) as arguments");
        S.Diag(Attr.getLoc(), ID) << Attr.getAttrName()->getName();
        return AttributeNotApplied;
      }
    }
    D->addAttr(AnnotateAttr::Create(S.Context, Text, nullptr, 0, Attr.getRange()));
    return AttributeApplied;
  }
};

struct DifferentiableAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "differentiable"},
                                   {ParsedAttr::AS_C23, "ct::differentiable"},
                                   {ParsedAttr::AS_C23, "differentiable"},
                                   {ParsedAttr::AS_CXX11, "ct::differentiable"}};
  DifferentiableAttr() : CotangentAttrInfo("ct.differentiable", Target::Functions, S) {}
};

struct NoDerivativeAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "no_derivative"},
                                   {ParsedAttr::AS_C23, "ct::no_derivative"},
                                   {ParsedAttr::AS_C23, "no_derivative"},
                                   {ParsedAttr::AS_CXX11, "ct::no_derivative"}};
  NoDerivativeAttr() : CotangentAttrInfo("ct.no_derivative", Target::FunctionsAndParameters, S) {}
};

struct DerivativeAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "derivative"},
                                   {ParsedAttr::AS_C23, "ct::derivative"},
                                   {ParsedAttr::AS_C23, "derivative"},
                                   {ParsedAttr::AS_CXX11, "ct::derivative"}};
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

// Parameters marked no_derivative: the function gets one annotation listing
// their indices, which codegen emits (parameter annotations would be lost).
// Runs before code generation sees each top-level declaration.
struct ParamConsumer : ASTConsumer {
  CompilerInstance &CI;
  ASTContext *Ctx = nullptr;
  unsigned LateLinks = 0;
  explicit ParamConsumer(CompilerInstance &CI) : CI(CI) {}
  void Initialize(ASTContext &C) override { Ctx = &C; }
  bool HandleTopLevelDecl(DeclGroupRef G) override {
    for (Decl *D : G)
      if (auto *F = dyn_cast<FunctionDecl>(D)) {
        annotate(F);
        linkDerivative(F);
      }
    return true;
  }
  // derivative(f) on P: codegen emits P's annotation only when P is
  // defined here, so the link is also recorded on f ("ct.derivative_is:P"),
  // whose annotation is emitted wherever f is called (P may then be a mere
  // declaration, its body in a library). When f's definition came first,
  // codegen has already emitted it with its annotations; the link then
  // goes into a variable made for it (lateLink).
  // P's type against f's (as custom.c checks it on the IR of a definition).
  bool fitsSignature(const FunctionDecl *F, const FunctionDecl *P) {
    auto Same = [&](QualType A, QualType B) {
      return Ctx->hasSameUnqualifiedType(A.getCanonicalType(), B.getCanonicalType()) ||
             (A->isPointerType() && B->isPointerType());
    };
    std::vector<QualType> Want;
    for (const ParmVarDecl *Q : F->parameters())
      Want.push_back(Q->getType());
    if (F->getReturnType()->isRealFloatingType())
      Want.push_back(F->getReturnType());
    for (const ParmVarDecl *Q : F->parameters())
      if (Q->getType()->isRealFloatingType() || Q->getType()->isPointerType())
        Want.push_back(Ctx->getPointerType(Q->getType()));
    if (!P->getReturnType()->isVoidType() || P->getNumParams() != Want.size() || P->isVariadic())
      return false;
    for (unsigned I = 0; I < Want.size(); ++I)
      if (!Same(P->getParamDecl(I)->getType(), Want[I]))
        return false;
    return true;
  }
  void linkDerivative(FunctionDecl *P) {
    for (const auto *A : P->specific_attrs<AnnotateAttr>()) {
      StringRef Text = A->getAnnotation();
      if (!Text.consume_front("ct.derivative:") || Text.empty())
        continue;
      std::string Link = "ct.derivative_is:" + irName(P);
      bool Found = false;
      for (NamedDecl *N : Ctx->getTranslationUnitDecl()->lookup(&Ctx->Idents.get(Text))) {
        auto *F = dyn_cast<FunctionDecl>(N);
        if (!F)
          continue;
        Found = true;
        if (!P->hasBody() && !fitsSignature(F, P)) {
          // a declaration only: the pass never sees P, so check here
          DiagnosticsEngine &D = Ctx->getDiagnostics();
          D.Report(P->getLocation(), D.getCustomDiagID(DiagnosticsEngine::Error,
                                                       "'%0' cannot be the derivative of '%1': a derivative "
                                                       "takes f's parameters, the seed of its result, then a "
                                                       "pointer to the adjoint of each floating-point or "
                                                       "pointer parameter, and returns void"))
              << P->getName() << F->getName();
          return;
        }
        if (!P->hasBody() && F->isDefined())
          lateLink(F, P);
        for (FunctionDecl *R : F->redecls()) {
          bool Has = false;
          for (const auto *B : R->specific_attrs<AnnotateAttr>())
            Has |= B->getAnnotation() == Link;
          if (!Has)
            R->addAttr(AnnotateAttr::CreateImplicit(*Ctx, Link, nullptr, 0));
        }
      }
      if (!Found && !P->hasBody()) {
        // nothing to record the link on: it would be lost
        DiagnosticsEngine &D = Ctx->getDiagnostics();
        D.Report(P->getLocation(), D.getCustomDiagID(DiagnosticsEngine::Error,
                                                     "'%0' is declared as the derivative of '%1', which is not "
                                                     "a function declared before it; declare '%1' first"))
            << P->getName() << Text;
      }
    }
  }
  // The symbol name of a function (its asm label, if any).
  static std::string irName(const FunctionDecl *D) {
    if (const auto *L = D->getAttr<AsmLabelAttr>())
      return L->getLabel().str();
    return D->getName().str();
  }
  // A static `used` int annotated "ct.derivative_link:f,P", handed to
  // codegen now (after f's definition was emitted); the pass registers P on
  // f from it (lower.c).
  void lateLink(FunctionDecl *F, FunctionDecl *P) {
    TranslationUnitDecl *TU = Ctx->getTranslationUnitDecl();
    std::string Name = "__ct_derivative_link." + std::to_string(LateLinks++);
    auto *V = VarDecl::Create(*Ctx, TU, P->getLocation(), P->getLocation(), &Ctx->Idents.get(Name), Ctx->IntTy,
                              Ctx->getTrivialTypeSourceInfo(Ctx->IntTy), SC_Static);
    V->setImplicit();
    V->setInit(IntegerLiteral::Create(*Ctx, llvm::APInt(Ctx->getIntWidth(Ctx->IntTy), 0), Ctx->IntTy,
                                      P->getLocation()));
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
          List += (List.empty() ? "" : ",") + std::to_string(I);
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
    return std::make_unique<ParamConsumer>(CI);
  }
  bool ParseArgs(const CompilerInstance &, const std::vector<std::string> &) override { return true; }
  ActionType getActionType() override { return AddBeforeMainAction; }
};

} // namespace

static ParsedAttrInfoRegistry::Add<DifferentiableAttr> RegisterDifferentiable("ct-differentiable", "");
static ParsedAttrInfoRegistry::Add<NoDerivativeAttr> RegisterNoDerivative("ct-no-derivative", "");
static ParsedAttrInfoRegistry::Add<DerivativeAttr> RegisterDerivative("ct-derivative", "");
static FrontendPluginRegistry::Add<ParamAction> RegisterParams("cotangent-params",
                                                               "no_derivative parameters");
