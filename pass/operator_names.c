/* The operators' and markers' names (operator_names.h). */
#include "operator_names.h"

#include <string.h>

static const struct {
  const char *symbol, *shown;
  ct_op_kind kind;
  int contained; /* matched anywhere in the name (Enzyme's variants) */
} OPERATORS[] = {
    {"__enzyme_autodiff", "__enzyme_autodiff", OP_ENZYME_AUTODIFF, 1},
    {"__enzyme_augmentfwd", "__enzyme_augmentfwd", OP_ENZYME_AUGMENT, 1},
    {"__enzyme_reverse", "__enzyme_reverse", OP_ENZYME_REVERSE, 1},
    {"__enzyme_augmentsize", "__enzyme_augmentsize", OP_ENZYME_AUGMENTSIZE, 1},
    {"__ct_gradient", "ct_gradient", OP_CT_GRADIENT, 0},
    {"__ct_value_with_gradient", "ct_value_with_gradient", OP_CT_VALUE_WITH_GRADIENT, 0},
    {"__ct_gradient_of", "ct_gradient_of", OP_CT_GRADIENT_OF, 0},
    {"__ct_pullback", "ct_pullback", OP_CT_PULLBACK, 0},
    {"__ct_value_with_pullback", "ct_value_with_pullback", OP_CT_VALUE_WITH_PULLBACK, 0},
    {"__enzyme_fwddiff", "__enzyme_fwddiff", OP_ENZYME_FWDDIFF, 1},
    {"__ct_derivative", "ct_derivative", OP_CT_DERIVATIVE, 0},
    {"__ct_value_with_derivative", "ct_value_with_derivative", OP_CT_VALUE_WITH_DERIVATIVE, 0},
    {"__ct_derivative_n", "ct_derivative_n", OP_CT_DERIVATIVE_N, 0},
};
enum { NOPERATORS = sizeof OPERATORS / sizeof OPERATORS[0] };

static const struct {
  const char *name;
  ct_marker mark;
} MARKERS[MARKER_COUNT] = {{"enzyme_out", MARK_OUT},
                           {"enzyme_const", MARK_CONST},
                           {"enzyme_dup", MARK_DUP},
                           {"enzyme_dupnoneed", MARK_DUPNONEED},
                           {"__ct_const_marker", MARK_CT_CONST},
                           {"enzyme_allocated", MARK_ALLOCATED},
                           {"enzyme_tape", MARK_TAPE},
                           {"enzyme_nofree", MARK_NOFREE},
                           {"enzyme_primal_return", MARK_PRIMAL_RETURN},
                           {"enzyme_dup_return", MARK_DUP_RETURN},
                           {"enzyme_const_return", MARK_CONST_RETURN},
                           {"enzyme_width", MARK_WIDTH},
                           {"enzyme_dupv", MARK_DUPV},
                           {"enzyme_dupnoneedv", MARK_DUPNONEEDV}};

/* Where `part` begins in s[0, len), or len. */
static size_t find(const char *s, size_t len, const char *part) {
  size_t n = strlen(part);
  for (size_t i = 0; i + n <= len; ++i)
    if (!memcmp(s + i, part, n))
      return i;
  return len;
}

ct_op_kind operator_kind_of_name(const char *name, size_t len) {
  len = find(name, len, OPERATOR_SITE_SUFFIX);
  for (unsigned i = 0; i < NOPERATORS; ++i)
    if (OPERATORS[i].contained ? find(name, len, OPERATORS[i].symbol) < len
                               : strlen(OPERATORS[i].symbol) == len && !memcmp(name, OPERATORS[i].symbol, len))
      return OPERATORS[i].kind;
  return OP_NONE;
}

const char *operator_name(ct_op_kind k) {
  for (unsigned i = 0; i < NOPERATORS; ++i)
    if (OPERATORS[i].kind == k)
      return OPERATORS[i].shown;
  return "?";
}

int operator_is_enzyme(ct_op_kind k) {
  return k == OP_ENZYME_AUTODIFF || k == OP_ENZYME_AUGMENT || k == OP_ENZYME_REVERSE || k == OP_ENZYME_AUGMENTSIZE ||
         k == OP_ENZYME_FWDDIFF;
}

int operator_is_forward(ct_op_kind k) {
  return k == OP_ENZYME_FWDDIFF || k == OP_CT_DERIVATIVE || k == OP_CT_VALUE_WITH_DERIVATIVE ||
         k == OP_CT_DERIVATIVE_N;
}

ct_marker marker_of_name(const char *name, size_t len) {
  for (unsigned i = 0; i < MARKER_COUNT; ++i)
    if (strlen(MARKERS[i].name) == len && !memcmp(MARKERS[i].name, name, len))
      return MARKERS[i].mark;
  return MARK_NONE;
}

const char *marker_name(unsigned i) { return i < MARKER_COUNT ? MARKERS[i].name : NULL; }
