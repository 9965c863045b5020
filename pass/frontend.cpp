// The Clang attribute frontend (loaded with -fplugin=libcotangent.so).
// `differentiable` and `no_derivative` are accepted in the ct:: namespace and
// as GNU attributes and lowered to `annotate` attributes, which the pass
// turns into metadata at PipelineStart (lower.c). This keeps one lowering
// path for both spellings and for the header's fallback macros.
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/Basic/DiagnosticSema.h"
#include "clang/Sema/ParsedAttr.h"
#include "clang/Sema/Sema.h"

using namespace clang;

namespace {

struct CotangentAttrInfo : ParsedAttrInfo {
  const char *Annotation;

  CotangentAttrInfo(const char *Name, const char *Annotation, ArrayRef<Spelling> S)
      : Annotation(Annotation) {
    OptArgs = 15;
    Spellings = S;
    (void)Name;
  }

  bool diagAppertainsToDecl(Sema &S, const ParsedAttr &Attr, const Decl *D) const override {
    if (isa<FunctionDecl>(D) || isa<ParmVarDecl>(D))
      return true;
    S.Diag(Attr.getLoc(), diag::warn_attribute_wrong_decl_type_str)
        << Attr << Attr.isRegularKeywordAttribute() << "functions and parameters";
    return false;
  }

  AttrHandling handleDeclAttribute(Sema &S, Decl *D, const ParsedAttr &Attr) const override {
    // Arguments (the wrt list) are kept verbatim in the annotation string.
    std::string Text = Annotation;
    for (unsigned I = 0; I < Attr.getNumArgs(); ++I) {
      Text += I == 0 ? ":" : ",";
      if (Attr.isArgIdent(I))
        Text += Attr.getArgAsIdent(I)->Ident->getName().str();
    }
    D->addAttr(AnnotateAttr::Create(S.Context, Text, nullptr, 0, Attr.getRange()));
    return AttributeApplied;
  }
};

struct DifferentiableAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "differentiable"},
                                   {ParsedAttr::AS_C23, "ct::differentiable"},
                                   {ParsedAttr::AS_CXX11, "ct::differentiable"}};
  DifferentiableAttr() : CotangentAttrInfo("differentiable", "ct.differentiable", S) {}
};

struct NoDerivativeAttr : CotangentAttrInfo {
  static constexpr Spelling S[] = {{ParsedAttr::AS_GNU, "no_derivative"},
                                   {ParsedAttr::AS_C23, "ct::no_derivative"},
                                   {ParsedAttr::AS_CXX11, "ct::no_derivative"}};
  NoDerivativeAttr() : CotangentAttrInfo("no_derivative", "ct.no_derivative", S) {}
};

} // namespace

static ParsedAttrInfoRegistry::Add<DifferentiableAttr> RegisterDifferentiable("ct-differentiable", "");
static ParsedAttrInfoRegistry::Add<NoDerivativeAttr> RegisterNoDerivative("ct-no-derivative", "");
