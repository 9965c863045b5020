/* Cotangent: reverse-mode automatic differentiation for C.
 *
 * Compile with `cotangent-cc` (a drop-in C compiler) or with
 *   clang-19 -fplugin=libcotangent.so -fpass-plugin=libcotangent.so
 * The plugin replaces every call of the operators below with generated
 * gradient code; without the plugin, calls to them fail to link.
 *
 * ---------------------------------------------------------------------------
 * Operators
 *
 *   void   ct_gradient(f, args...);
 *   double ct_value_with_gradient(f, args...);
 *
 * `f` is a function with a floating-point result (float or double) whose
 * body is in the same translation unit, or that is declared
 * CT_DIFFERENTIABLE (defined in another file compiled with Cotangent), or
 * that has a custom derivative (CT_DERIVATIVE), or a function pointer
 * (see ct_gradient_of below). After `f` come f's arguments, in
 * order, each one chosen by its type:
 *
 *   floating-point x   pass x, then a pointer of x's type that receives
 *                      df/dx:            ct_gradient(f, x, &dx)
 *                      wrap it as ct_const(x) to hold it constant (no
 *                      derivative, no pointer follows)
 *   integer n          passed as is; integers never carry derivatives
 *   pointer p          pass p, then its shadow dp (same type and size):
 *                      ct_gradient(f, p, dp, n) ADDS df/dp[i] into dp[i]
 *                      (zero it first); memory f writes through p gets its
 *                      seed from dp and dp is consumed
 *
 * ct_value_with_gradient also returns f's value (as a double).
 *
 * Example:
 *   double f(double x, double y) { return x * sin(y); }
 *   double dx, dy;
 *   double v = ct_value_with_gradient(f, 1.0, &dx, 2.0, &dy);
 *   // v = sin(2), dx = sin(2), dy = cos(2)
 *
 * Arguments are checked at compile time against f's parameters (count and
 * kind); a mismatch is a compile error at the call.
 *
 * ---------------------------------------------------------------------------
 * Enzyme's C ABI is also understood, so existing Enzyme code compiles
 * unchanged: any function whose name contains __enzyme_autodiff, and the
 * markers enzyme_out, enzyme_const, enzyme_dup, enzyme_dupnoneed (declare
 * them yourself as `int enzyme_dup;` etc., as with Enzyme).
 * ------------------------------------------------------------------------ */
#ifndef COTANGENT_H
#define COTANGENT_H

#ifdef __cplusplus
extern "C" {
#endif

/* CUDA (clang -x cuda): the operators may be called from device code. */
#if defined(__CUDA__)
#define CT_HOST_DEVICE __attribute__((host, device))
#else
#define CT_HOST_DEVICE
#endif

/* The operators' entry points. Use the macros below; the plugin rewrites
 * calls of these names and checks their arguments. */
CT_HOST_DEVICE void __ct_gradient(const void *f, ...);
CT_HOST_DEVICE double __ct_value_with_gradient(const void *f, ...);
extern int __ct_const_marker;

/* Pullbacks: a function's reverse pass, to apply later, any number of times.
 *
 *   ct_pullback_t ct_pullback(f, args...);
 *   double ct_value_with_pullback(f, ct_pullback_t *pb, args...);
 *   void ct_pullback_apply(ct_pullback_t pb, double seed, T *d_arg...);
 *   void ct_pullback_free(ct_pullback_t pb);
 *
 * args are f's arguments only (no derivative pointers; pointers are still
 * followed by their shadow, ct_const(x) still holds x constant). The
 * pullback runs f once and keeps what its reverse pass needs (its tape).
 * ct_pullback_apply(pb, seed, &dx, &dy) writes seed * df/dx, seed * df/dy,
 * one pointer per floating-point argument (of that argument's type), and
 * adds seed-scaled gradients into the shadows of pointer arguments.
 *
 *   ct_pullback_t pb;
 *   double v = ct_value_with_pullback(f, &pb, 1.0, 2.0);
 *   double dx, dy;
 *   ct_pullback_apply(pb, 1.0, &dx, &dy);   // the gradient
 *   ct_pullback_apply(pb, 0.5, &dx, &dy);   // half of it
 *   ct_pullback_free(pb);
 */
typedef struct ct_pullback_impl *ct_pullback_t;
ct_pullback_t __ct_pullback(const void *f, ...);
double __ct_value_with_pullback(const void *f, ct_pullback_t *pb, ...);
void ct_pullback_apply(ct_pullback_t pb, double seed, ...);
void ct_pullback_free(ct_pullback_t pb);
#define ct_pullback(f, ...) __ct_pullback((const void *)(f), __VA_ARGS__)
#define ct_value_with_pullback(f, pb, ...) __ct_value_with_pullback((const void *)(f), (pb), __VA_ARGS__)

/* ct_gradient_of(f): a pointer to f's gradient function, of type
 *   T (*)(<f's parameters, each floating-point one followed by a pointer to
 *         its derivative, each pointer by its shadow>)
 * returning f's value (T is f's result type). Cast it to that type:
 *   double (*g)(double, double *, double, double *) = ct_gradient_of(f);
 *   double v = g(1.0, &dx, 2.0, &dy);
 *
 * Function pointers known only at run time: ct_gradient and
 * ct_value_with_gradient also accept a pointer variable; it must point to a
 * function declared CT_DIFFERENTIABLE (in any file compiled by Cotangent),
 * else the program stops with a message naming the operator. The arguments
 * follow the same layout (no ct_const: the function's own activity, from
 * its wrt list, applies). */
void *__ct_gradient_of(const void *f);
#define ct_gradient_of(f) __ct_gradient_of((const void *)(f))

#define ct_gradient(f, ...) __ct_gradient((const void *)(f), __VA_ARGS__)
#define ct_value_with_gradient(f, ...) __ct_value_with_gradient((const void *)(f), __VA_ARGS__)
/* Holds a floating-point argument constant: ct_gradient(f, ct_const(a), x, &dx) */
#define ct_const(x) __ct_const_marker, (x)

/* ct_without_derivative(x): the value of x, through which no derivative
 * flows (like Swift's withoutDerivative(at:)), for float or double x:
 *   double y = x * ct_without_derivative(scale(x));  // dy/dx = scale(x)
 */
CT_HOST_DEVICE double __ct_without_derivative(double x);
CT_HOST_DEVICE float __ct_without_derivativef(float x);
#define ct_without_derivative(x)                                                                  \
  _Generic((x), float: __ct_without_derivativef, default: __ct_without_derivative)(x)

/* CT_DIFFERENTIABLE on a function (definition and declarations, e.g. in a
 * header) is the differentiable contract: the file defining it exports its
 * gradient, so other files differentiate through calls to it with ordinary
 * separate compilation (no LTO), and function pointers to it can be
 * differentiated at run time. [[ct::differentiable(x, y)]] (C23), or
 * CT_DIFFERENTIABLE_WRT(x, y) after the
 * parameter list of a declaration (needs the frontend plugin, which
 * cotangent-cc loads) restricts the derivative to the named parameters:
 * the others are constant (no derivative pointer follows them in the
 * operators). CT_NO_DERIVATIVE on a parameter holds it constant.
 * CT_NO_DERIVATIVE on a function makes calls to it constants.
 *
 * Attributes. With the frontend plugin loaded (cotangent-cc does this) they
 * are real attributes; with any other compiler they fall back to `annotate`,
 * which the pass understands too. */
#if defined(__has_attribute)
#if __has_attribute(differentiable)
#define CT_DIFFERENTIABLE __attribute__((differentiable))
#define CT_NO_DERIVATIVE __attribute__((no_derivative))
#endif
#endif
#if defined(__has_attribute)
#if __has_attribute(differentiable)
/* after the parameter list of a declaration:
 *   double f(double x, double y) CT_DIFFERENTIABLE_WRT(x); */
#define CT_DIFFERENTIABLE_WRT(...) __attribute__((differentiable(__VA_ARGS__)))
#endif
#endif
#ifndef CT_DIFFERENTIABLE
#define CT_DIFFERENTIABLE __attribute__((annotate("ct.differentiable")))
#define CT_NO_DERIVATIVE __attribute__((annotate("ct.no_derivative")))
#endif

/* CT_DERIVATIVE(f) on a function P registers P as the custom derivative
 * (pullback) of f; calls of f in differentiated code then use P instead of
 * differentiating f (whose body may be elsewhere, e.g. in a library).
 * P's signature: f's parameters, then the seed of f's result (when f
 * returns float or double), then one pointer per floating-point or pointer
 * parameter of f, in order, into which P ADDS that parameter's adjoint (for
 * a pointer parameter: the shadow array, NULL when it is constant).
 *
 *   double softplus(double x);                       // anywhere
 *   CT_DERIVATIVE(softplus)
 *   void softplus_pullback(double x, double seed, double *dx) {
 *     *dx += seed / (1.0 + exp(-x));
 *   }
 * A signature mismatch is a compile error at P. */
#define CT_DERIVATIVE(f) __attribute__((annotate("ct.derivative:" #f), used))

#ifdef __cplusplus
}
#endif
#endif
