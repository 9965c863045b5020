// Shared declarations of the Clang frontend plugin (frontend.cpp: the
// attributes; frontend_operators.cpp: facts at operator calls;
// frontend_function_values.cpp: differentiable function values;
// frontend_tangents.cpp: struct layouts for the tangent helpers).
#ifndef COTANGENT_PASS_FRONTEND_H
#define COTANGENT_PASS_FRONTEND_H

#include "clang/AST/ASTContext.h"

#include <memory>

// float, double, half, long double, or a vector of those: the types the pass
// differentiates (type_is_fp in the pass).
bool frontend_is_floating(clang::QualType T);

// Records, at each differential operator call of a top-level declaration
// (before code generation sees it), the C types the pass checks the call
// with. One per translation unit.
struct OperatorFacts {
  virtual ~OperatorFacts() = default;
  virtual void record(clang::Decl *D) = 0;
};
std::unique_ptr<OperatorFacts> frontend_operator_facts(clang::ASTContext &C);

// At the end of a translation unit: every value converted to a
// differentiable function-pointer type is a function whose derivative
// Cotangent knows (else an error), and every function-pointer argument of an
// operator call that cannot be proven differentiable gets a warning
// (frontend_function_values.cpp).
void frontend_check_function_values(clang::ASTContext &C);

// Gives each CT_TANGENT_ZERO / CT_TANGENT_MOVE call in D the layout of the
// type it points to (frontend_tangents.cpp); errors for types without one.
void frontend_tangent_layouts(clang::ASTContext &C, clang::Decl *D);

#endif
