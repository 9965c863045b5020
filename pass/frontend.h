// Shared declarations of the Clang frontend plugin (frontend.cpp: the
// attributes; frontend_operators.cpp: operator calls checked with C's types).
#ifndef COTANGENT_PASS_FRONTEND_H
#define COTANGENT_PASS_FRONTEND_H

#include "clang/AST/ASTContext.h"

// float, double, half, long double, or a vector of those: the types the pass
// differentiates (type_is_fp in the pass).
bool frontend_is_floating(clang::QualType T);

// Checks each differential operator call of the translation unit against the
// C types of the function it differentiates (derivative and shadow pointers,
// structs passed by value); errors at the offending argument.
void frontend_check_operators(clang::ASTContext &C);

#endif
