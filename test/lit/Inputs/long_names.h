/* Two differentiable functions with 1,920-character names that differ only
 * at the end (long_names_separate.c). */
#include <cotangent.h>
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define TWICE(x) CAT(x, x)
#define LONG_PREFIX TWICE(TWICE(TWICE(TWICE(TWICE(TWICE(TWICE(a_long_prefix_)))))))
#define NAME(suffix) CAT(LONG_PREFIX, suffix)
CT_DIFFERENTIABLE double NAME(cube)(double x);
CT_DIFFERENTIABLE double NAME(sine)(double x);
