// Shared declarations of the Clang frontend plugin (frontend.cpp: the
// attributes).
#ifndef COTANGENT_PASS_FRONTEND_H
#define COTANGENT_PASS_FRONTEND_H

#include "clang/AST/ASTContext.h"

// float, double, half, long double, or a vector of those: the types the pass
// differentiates (type_is_fp in the pass).
bool frontend_is_floating(clang::QualType T);

#endif
