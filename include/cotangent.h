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
 * `f` is a function with a floating-point result (float or double), or
 * one returning nothing that writes its results through pointers, whose
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
 *                      seed from dp and dp is consumed; dp must not
 *                      overlap any memory f reads or writes
 *   constant           a parameter marked CT_NO_DERIVATIVE, or left out of
 *                      f's wrt list (CT_DIFFERENTIABLE_WRT), is passed
 *                      alone: no derivative pointer or shadow follows it
 *
 * ct_value_with_gradient also returns f's value (as a double; 0 for a
 * function returning nothing).
 *
 * Results through pointers: the shadow of memory f writes holds that
 * output's seed (consumed: zeroed), so
 *   void to_cartesian(double r, double th, double *xy);
 *   double dxy[2] = {1, 0};  // seed x = xy[0]
 *   ct_gradient(to_cartesian, r, &dr, th, &dth, xy, dxy);
 * writes dr = dx/dr, dth = dx/dth; for void step(const double *state,
 * double *next, int n), ct_gradient(step, state, dstate, next, dnext, n)
 * adds J^T dnext into dstate. A function returning a value too has its
 * result seeded with 1 and its outputs with their shadows.
 *
 * Example:
 *   double f(double x, double y) { return x * sin(y); }
 *   double dx, dy;
 *   double v = ct_value_with_gradient(f, 1.0, &dx, 2.0, &dy);
 *   // v = sin(2), dx = sin(2), dy = cos(2)
 *
 * Arguments are checked at compile time against f's parameters (count,
 * kind, and the type derivative pointers and shadows point to: a float *
 * for a double is an error; a void * shadow is taken as is); a mismatch is
 * a compile error at the call.
 *
 * Structs passed by value: a struct argument (with floating-point or
 * pointer fields) is followed by a pointer to its tangent struct, a struct
 * of the same type into which the derivative of each floating-point field
 * is ADDED (zero it first; integer fields are left alone; a pointer field
 * of the tangent struct is the shadow of the primal's array):
 *   typedef struct { double x, y, z, m; } Particle;
 *   double kinetic(Particle p);
 *   Particle dp = {0};
 *   ct_gradient(kinetic, p, &dp);     // dp.x = m x, ..., dp.m = |v|^2 / 2
 * In every reverse operator (ct_pullback: the tangent struct is bound like
 * a pointer's shadow); ct_gradient_of's gradient takes a pointer to the
 * struct, then the tangent's: double (*g)(Particle *, Particle *). Not yet
 * (compile errors): struct results (write the result through a pointer
 * instead), forward mode, and functions of other files taking structs.
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
 *
 * Functions returning nothing, whose results are written through pointers
 * (void step(const double *state, double *next, int n)): the pullback
 * takes f's arguments alone, pointers without shadows:
 *   ct_pullback_t pb = ct_pullback(step, state, next, n);
 * and each application gives, instead of a seed, one pointer per argument
 * not constant, in f's parameter order: for a pointer argument its shadow
 * (holding the seed of what f writes there, which is consumed: zeroed;
 * receiving, added, the adjoint of what f reads there), for a floating-point
 * argument where its derivative goes (written):
 *   ct_pullback_apply(pb, dstate, dnext);  // dstate += J^T dnext
 * a vector-Jacobian product, for any number of seeds dnext. Such a
 * pullback's forward pass must not need the shadows (a function storing
 * pointers into memory: a compile error; use ct_gradient there).
 * ct_value_with_pullback of such a function returns 0.
 *
 * Threads: several threads may apply one pullback at once; its
 * applications take turns (each is complete; all add into the same shadows
 * of pointer arguments), and different pullbacks run in parallel. Freeing
 * must not overlap an application of the same pullback.
 * Misuse stops the program with "cotangent: <operator>: ..." (abort): a
 * NULL derivative pointer, a NULL shadow of a non-NULL array, a pullback
 * that is NULL, already freed (applied or freed again) or not a pullback.
 * ct_pullback_free(NULL) does nothing.
 */
typedef struct ct_pullback_impl *ct_pullback_t;
ct_pullback_t __ct_pullback(const void *f, ...);
double __ct_value_with_pullback(const void *f, ct_pullback_t *pb, ...);
void ct_pullback_apply(ct_pullback_t pb, double seed, ...);
void ct_pullback_free(ct_pullback_t pb);
/* ct_pullback_apply(pb, seed, ...) or, for a function returning nothing,
 * ct_pullback_apply(pb, shadows...): the plugin rewrites each call. */
void __ct_pullback_apply(ct_pullback_t pb, ...);
#define ct_pullback_apply(...) __ct_pullback_apply(__VA_ARGS__)
#define ct_pullback(f, ...) __ct_pullback((const void *)(f), __VA_ARGS__)
#define ct_value_with_pullback(f, pb, ...) __ct_value_with_pullback((const void *)(f), (pb), __VA_ARGS__)

/* ct_gradient_of(f): a pointer to f's gradient function, of type
 *   T (*)(<f's parameters, each floating-point one followed by a pointer to
 *         its derivative, each pointer by its shadow, except constant ones
 *         (CT_NO_DERIVATIVE, or left out of f's wrt list): nothing follows
 *         those>)
 * returning f's value (T is f's result type, or void). Cast it to that type:
 *   double (*g)(double, double *, double, double *) = ct_gradient_of(f);
 *   double v = g(1.0, &dx, 2.0, &dy);
 *   // for double h(double x, CT_NO_DERIVATIVE double k, double y):
 *   double (*gh)(double, double *, double, double, double *) = ct_gradient_of(h);
 *
 * Function pointers known only at run time: ct_gradient,
 * ct_value_with_gradient, ct_pullback, ct_value_with_pullback and
 * ct_gradient_of also accept a pointer variable; it must point to a
 * function declared CT_DIFFERENTIABLE (in any file compiled by Cotangent),
 * else the program stops with a message naming the operator. The arguments
 * follow the same layout (no ct_const: the function's own activity, from
 * its wrt list, applies; the pullback of a function returning nothing
 * takes its shadows when applied, as above). */
void *__ct_gradient_of(const void *f);
#define ct_gradient_of(f) __ct_gradient_of((const void *)(f))

#define ct_gradient(f, ...) __ct_gradient((const void *)(f), __VA_ARGS__)
#define ct_value_with_gradient(f, ...) __ct_value_with_gradient((const void *)(f), __VA_ARGS__)
/* Holds a floating-point argument constant: ct_gradient(f, ct_const(a), x, &dx) */
#define ct_const(x) __ct_const_marker, (x)

/* ---------------------------------------------------------------------------
 * Forward mode (tangents): the directional derivative J v in one run of f.
 *
 *   double ct_derivative(f, args...);
 *   double ct_value_with_derivative(f, double *tangent_out, args...);
 *
 * After `f` come f's arguments, in order, each chosen by its type:
 *
 *   floating-point x   pass x, then its tangent (a value of x's type):
 *                      ct_derivative(f, x, 1.0) is df/dx; ct_const(x) holds
 *                      x constant (no tangent follows)
 *   integer n          passed as is
 *   pointer p          pass p, then its tangent array dp (same type and
 *                      size, not overlapping memory f touches): f reads the
 *                      tangents of its inputs from dp and writes those of
 *                      what it writes through p into dp; ct_const(p) holds
 *                      the array constant (no tangent array follows)
 *   constant           a parameter marked CT_NO_DERIVATIVE, or left out of
 *                      f's wrt list, is passed alone, as in ct_gradient
 *
 * ct_derivative returns the tangent of f's result (0 for a void f, whose
 * outputs' tangents are in the tangent arrays); ct_value_with_derivative
 * returns f's value and stores the tangent into *tangent_out. No tape is
 * kept: the cost is about one run of f plus its tangents.
 *
 * Example:
 *   double f(double x, double y) { return x * sin(y); }
 *   double d = ct_derivative(f, 1.0, 1.0, 2.0, 0.0);   // df/dx = sin(2)
 *   double t, v = ct_value_with_derivative(f, &t, 1.0, 0.5, 2.0, 1.0);
 *   // v = sin(2), t = 0.5 sin(2) + cos(2)
 *
 * Enzyme's forward mode, __enzyme_fwddiff(f, ...), is understood too
 * (floating-point arguments followed by their tangent, enzyme_dup or no
 * marker; enzyme_const; pointers followed by their shadow): it returns the
 * tangent, or { value, tangent } after the marker enzyme_primal_return.
 * Functions of scalars with a custom derivative (CT_DERIVATIVE) use it;
 * forward derivatives registered with __enzyme_register_derivative_f =
 * {f, f_fwd} are used for every call of f. Not yet in forward mode (compile
 * errors at the construct): GPU code, and custom derivatives of functions
 * taking arrays without a tangent (CT_TANGENT_IS; the runtime kernels have
 * one). ct_gradient of a function
 * that calls ct_derivative gives Hessian-vector products. */
CT_HOST_DEVICE double __ct_derivative(const void *f, ...);
CT_HOST_DEVICE double __ct_value_with_derivative(const void *f, double *tangent_out, ...);
#define ct_derivative(f, ...) __ct_derivative((const void *)(f), __VA_ARGS__)
#define ct_value_with_derivative(f, tangent_out, ...)                                               \
  __ct_value_with_derivative((const void *)(f), (tangent_out), __VA_ARGS__)

/* ---------------------------------------------------------------------------
 * Second derivatives (reverse over forward: the gradient of a directional
 * derivative, so loops, branches and heap memory in f are fine).
 *
 *   void ct_hessian_vector_product(f, args...);
 *       f returns float or double. Each floating-point argument x of f is
 *       followed by its direction v (a value) and a pointer where (H v)_x is
 *       stored; each pointer argument by its direction array and the array
 *       H v is ADDED to (zero it first), as ct_gradient does; integers,
 *       ct_const(c) and CT_NO_DERIVATIVE parameters as in a call.
 *   void ct_hessian(f, double *H, long n, args...);
 *       H (n x n, row-major, overwritten) = the Hessian of f with respect to
 *       its one pointer argument not in ct_const (n doubles); f's arguments
 *       as in a call. Costs n Hessian-vector products: for small n.
 *
 * Example:
 *   double rosen(const double *x, int n);
 *   double hv[4] = {0};
 *   ct_hessian_vector_product(rosen, x, v, hv, 4);     // hv += H(x) v
 *   double H[16];
 *   ct_hessian(rosen, H, 4, x, 4);                     // the 4 x 4 Hessian
 * With Enzyme's ABI the same product is written out by hand:
 *   static double dir(double *x, double *v, int n) {
 *     return __enzyme_fwddiff((void *)rosen, enzyme_dup, x, v, n); }
 *   __enzyme_autodiff((void *)dir, enzyme_dup, x, hv, enzyme_const, v, n);
 * Nesting in general: any operator may be called inside a function another
 * operator differentiates. Reverse over forward and forward over forward
 * work through loops; forward over reverse and reverse over reverse where
 * the inner gradient keeps no tape (straight-line code, or loops whose
 * values are recomputed), else a compile error names both operators. */
void __ct_hessian_vector_product(const void *f, ...);
void __ct_hessian(const void *f, double *H, long n, ...);
#define ct_hessian_vector_product(f, ...) __ct_hessian_vector_product((const void *)(f), __VA_ARGS__)
#define ct_hessian(f, H, n, ...) __ct_hessian((const void *)(f), (H), (long)(n), __VA_ARGS__)

/* ---------------------------------------------------------------------------
 * Differentials (Swift's valueWithDifferential): the linearisation of f at
 * a point, recorded in one run of f and applied to many tangents without
 * running f again.
 *
 *   double ct_value_with_differential(f, ct_differential_t *d, args...);
 *       runs f(args...) (as in a call; ct_const(c) holds c constant),
 *       returns its value (0 for a void f) and makes *d: a record of the
 *       primal values f's tangent code needs.
 *   double ct_differential_apply(ct_differential_t d, tangents...);
 *       the tangent of f's result for these tangents: one per argument not
 *       constant, in order: a value for each floating-point argument, a
 *       tangent array for each pointer (read for inputs, written for what f
 *       writes through it), as ct_derivative takes them. Equals
 *       ct_derivative(f, ...) at the recorded point; costs the tangent
 *       code only. A wrong number of tangents stops the program.
 *   void ct_differential_free(ct_differential_t d);    (NULL is a no-op)
 *
 * Example:
 *   ct_differential_t d;
 *   double v = ct_value_with_differential(rosen, &d, x, 4);
 *   double t1 = ct_differential_apply(d, v1), t2 = ct_differential_apply(d, v2);
 *   ct_differential_free(d);
 * A differential is used by one thread at a time. Not yet: functions whose
 * tangent code calls a tangent function (recursion, calls too large to
 * inline): a compile error says so; use ct_derivative there. */
typedef struct ct_differential *ct_differential_t;
double __ct_value_with_differential(const void *f, ct_differential_t *d, ...);
double ct_differential_apply(ct_differential_t d, ...);
void ct_differential_free(ct_differential_t d);
#define ct_value_with_differential(f, d, ...) __ct_value_with_differential((const void *)(f), (d), __VA_ARGS__)

/* Vector forward mode: N directional derivatives in one run of f, the N
 * tangents computed side by side as SIMD vectors.
 *
 *   double ct_derivative_n(N, f, double *dresult, args...);
 *
 * N is an integer constant from 1 to 64 (a compile error otherwise). f's
 * arguments follow, each chosen by its type:
 *
 *   floating-point x   pass x, then its N tangents (one value per direction)
 *   integer n          passed as is
 *   pointer p          pass p, then its tangent block dp and the block's
 *                      stride in bytes: direction j's tangent array (of p's
 *                      size) is at (char *)dp + j * stride, read for inputs,
 *                      written for outputs; ct_const(p) holds it constant
 *
 * It returns f's value (0 for a void f) and stores the N tangents of f's
 * result into dresult[0..N-1] (dresult may be NULL: for a void f, or when
 * only the tangent arrays are wanted).
 *
 * Example: the 2 x 3 Jacobian of void g(const double *x, double *y) as
 * three directions e_0, e_1, e_2 in one pass:
 *   double seed[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}, dy[3][2];
 *   ct_derivative_n(3, g, NULL, x, seed, sizeof seed[0], y, dy, sizeof dy[0]);
 *   // dy[j][i] = dy_i/dx_j
 *
 * Enzyme's form: __enzyme_fwddiff(f, enzyme_width, N, ...) with
 * enzyme_dup x, dx_1, ..., dx_N (N tangents of a floating-point argument or
 * N shadows of a pointer) or enzyme_dupv, byte_stride, x, dx; it returns
 * the N tangents of f's result (declare the result as a struct or array of
 * N doubles; with enzyme_primal_return the value comes first). Not yet in
 * vector mode (compile errors at the construct): realloc, memcpy of
 * memory holding pointers, SIMD code and complex numbers in f, registered
 * forward derivatives, functions returning pointers.
 *
 *   void ct_jacobian(f, double *J, x, n, y, m);
 *
 * The dense Jacobian of void f(const double *x, double *y) (x: n inputs, y:
 * m outputs; n and m integer constants) into J, row-major m x n: J[i * n +
 * k] = dy_i/dx_k; y receives f(x). With n <= m (and n <= 64) it takes one
 * vector forward pass of width n, otherwise m reverse passes (one per
 * output). C only (it uses __builtin_choose_expr). */
CT_HOST_DEVICE double __ct_derivative_n(const void *f, double *dresult, ...);
#define ct_derivative_n(N, f, dresult, ...) __ct_derivative_n((const void *)(f), (dresult), (N), __VA_ARGS__)
void __ct_jacobian_row__enzyme_autodiff(const void *f, ...);
#define __ct_jacobian_forward(f, J, x, n, y, m)                                                         \
  ({                                                                                                 \
    double *__ct_seed = (double *)__builtin_calloc((n) * (n) + 1, sizeof(double));                    \
    double *__ct_dy = (double *)__builtin_malloc(((n) * (m) + 1) * sizeof(double));                   \
    for (int __ct_k = 0; __ct_k < (n); ++__ct_k)                                                       \
      __ct_seed[__ct_k * (n) + __ct_k] = 1.0;                                                          \
    ct_derivative_n((n) > 64 ? 1 : (n), f, (double *)0, (x), __ct_seed, (n) * sizeof(double), (y), __ct_dy, \
                    (m) * sizeof(double));                                                           \
    for (int __ct_i = 0; __ct_i < (m); ++__ct_i)                                                       \
      for (int __ct_k = 0; __ct_k < (n); ++__ct_k)                                                     \
        (J)[__ct_i * (n) + __ct_k] = __ct_dy[__ct_k * (m) + __ct_i];                                   \
    __builtin_free(__ct_seed);                                                                       \
    __builtin_free(__ct_dy);                                                                         \
  })
#define __ct_jacobian_reverse(f, J, x, n, y, m)                                                         \
  ({                                                                                                 \
    double *__ct_dy = (double *)__builtin_calloc((m) + 1, sizeof(double));                            \
    for (int __ct_i = 0; __ct_i < (m); ++__ct_i) {                                                     \
      for (int __ct_k = 0; __ct_k < (n); ++__ct_k)                                                     \
        (J)[__ct_i * (n) + __ct_k] = 0.0;                                                              \
      for (int __ct_k = 0; __ct_k < (m); ++__ct_k)                                                     \
        __ct_dy[__ct_k] = __ct_k == __ct_i;                                                            \
      __ct_jacobian_row__enzyme_autodiff((const void *)(f), (x), (J) + __ct_i * (n), (y), __ct_dy);     \
    }                                                                                                \
    __builtin_free(__ct_dy);                                                                         \
  })
#define ct_jacobian(f, J, x, n, y, m)                                                                  \
  __builtin_choose_expr((n) <= (m) && (n) <= 64, __ct_jacobian_forward(f, J, x, n, y, m),               \
                        __ct_jacobian_reverse(f, J, x, n, y, m))

/* ct_without_derivative(x): the value of x, through which no derivative
 * flows (like Swift's withoutDerivative(at:)), for float or double x:
 *   double y = x * ct_without_derivative(scale(x));  // dy/dx = scale(x)
 * A result computed only through it has a zero derivative on purpose: no
 * "does not depend on its differentiable arguments" warning for it.
 */
CT_HOST_DEVICE double __ct_without_derivative(double x);
CT_HOST_DEVICE float __ct_without_derivativef(float x);
#ifdef __cplusplus
/* C++: overloads (the C11 _Generic below is an extension there) */
} /* extern "C" */
static inline float __ct_without_derivative_cxx(float x) { return __ct_without_derivativef(x); }
static inline double __ct_without_derivative_cxx(double x) { return __ct_without_derivative(x); }
extern "C" {
#define ct_without_derivative(x) __ct_without_derivative_cxx(x)
#else
#define ct_without_derivative(x)                                                                  \
  _Generic((x), float: __ct_without_derivativef, default: __ct_without_derivative)(x)
#endif

/* ---------------------------------------------------------------------------
 * Memory: what gradients keep (see also CT_CHECKPOINT and ct_recompute).
 *
 *   size_t ct_tape_peak_bytes(void);
 *       the largest tape (bytes of records the reverse pass reads back) any
 *       gradient, callee recomputation or pullback kept since start-up or the
 *       last reset, counted when it finished (a pullback: when freed);
 *       thread-safe.
 *   void ct_tape_reset_peak(void);
 *       starts counting again from 0 (measure: reset, run, read).
 * Memory the program itself allocates, and shadows, are not counted. */
__SIZE_TYPE__ ct_tape_peak_bytes(void);
void ct_tape_reset_peak(void);

/* CT_DIFFERENTIABLE on a function (definition and declarations, e.g. in a
 * header) is the differentiable contract: the file defining it exports its
 * gradient, so other files differentiate through calls to it with ordinary
 * separate compilation (no LTO), and function pointers to it can be
 * differentiated at run time. [[ct::differentiable(x, y)]] (C23), or
 * CT_DIFFERENTIABLE_WRT(x, y) after the
 * parameter list of a declaration (needs the frontend plugin, which
 * cotangent-cc loads) restricts the derivative to the named parameters
 * (any number of floating-point or pointer parameters; naming another kind
 * is a compile error): the others, pointers included, are constant (no
 * derivative pointer or shadow follows them in the operators and in
 * ct_gradient_of; no gradient is added to memory they point to). A
 * differentiable function returns float or double, a pointer into the
 * memory of its arguments (an accessor: callers in other files get the
 * pointer's shadow with it), or void when it writes its results through
 * pointers; another result type is a compile error. Several wrt lists on one
 * function (CT_DIFFERENTIABLE_WRT(x) CT_DIFFERENTIABLE_WRT(y)) are several
 * configurations: each operator call picks the one its arguments fit (say
 * which with ct_const where two fit), the defining file exports each, and
 * calls from other files use the first holding their derivatives;
 * ct_gradient_of and run-time pointers use the first.
 * CT_DIFFERENTIABLE on a typedef of a function-pointer (or function) type
 * makes a differentiable function type (Swift's @differentiable function
 * types; needs the frontend plugin):
 *   typedef double (*ct_rhs)(double t, double y) CT_DIFFERENTIABLE;
 * a function converted to it (initialised, assigned, passed, returned, in
 * an initialiser list) must be one whose derivative Cotangent knows (a body
 * in the file, CT_DIFFERENTIABLE, a custom derivative, libm), and a pointer
 * value must have a differentiable type already, else a compile error; an
 * explicit cast (ct_rhs)p vouches for a pointer value. A function-pointer
 * argument of an operator call that is neither a function named directly
 * nor of a differentiable type gets a warning naming it.
 * CT_NO_DERIVATIVE on a parameter holds it constant.
 * CT_NO_DERIVATIVE on a function makes calls to it constants.
 * CT_NO_DERIVATIVE on a struct field (CT_NO_DERIVATIVE double lr;) makes
 * it a constant wherever the struct goes: no derivative flows through what
 * is loaded from it or stored into it, and the tangent struct's field is
 * left as it is.
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

/* Zero tangents and moving along a tangent (Swift's zeroTangentVector and
 * move(by:)), for structs of parameters trained by gradient descent:
 *   CT_TANGENT_ZERO(&dp);            every differentiable field of dp = 0
 *   CT_TANGENT_MOVE(&p, &dp, -lr);   p.f += -lr * dp.f for each such field
 * The differentiable fields are the float, double and long double ones, in
 * nested structs, fixed-size arrays and complex numbers too; integer and
 * pointer fields, unions and CT_NO_DERIVATIVE fields are left alone (the
 * arrays behind pointer fields have lengths C does not know: loop over
 * them). Both pointers point to one struct type (a scalar or an array of
 * fixed size works too). Needs the frontend plugin (cotangent-cc), which
 * supplies the type's layout; without it the program stops with a message.
 * Plain functions, outside differentiated code. */
void __ct_tangent_zero(void *tangent, const char *layout);
void __ct_tangent_move(void *value, const void *tangent, double scale, const char *layout);
#define CT_TANGENT_ZERO(tangent) __ct_tangent_zero((tangent), (const char *)0)
#define CT_TANGENT_MOVE(value, tangent, scale) __ct_tangent_move((value), (tangent), (scale), (const char *)0)

/* Recomputed calls (checkpointing a call): CT_CHECKPOINT on a function's
 * definition makes every call of it in differentiated code, and
 *   ct_recompute(f, args...)
 * one call (an expression with f's result), keep none of f's internals on
 * the tape: the gradient keeps f's arguments and a copy of the memory its
 * pointer arguments point to, and its reverse pass runs f again from them
 * before differentiating it (Swift's withRecomputationInPullbacks). The
 * tape then holds one call's internals at a time, for the cost of running
 * f twice. f's body must be in the same file, and f may read and write only
 * the memory its pointer arguments point to, whose size the pass must know:
 * declare such a parameter `T p[static N]`, or give lengths and type with
 * CT_ACCESS (below). f must not call functions of other files (libm and
 * malloc/free are fine), use global variables, or read pointers from
 * memory; a call that does is a compile error naming what f does.
 *
 *   CT_CHECKPOINT void rk4_step(double s[static 4], double dt) { ... }
 *   for (int i = 0; i < n; i++) rk4_step(s, dt);      // or:
 *   for (int i = 0; i < n; i++) ct_recompute(rk4_step, s, dt);  */
#define CT_CHECKPOINT __attribute__((annotate("ct.checkpoint"), noinline))

/* Checkpointed loops: CT_CHECKPOINT_LOOP(snapshots) right before a counted
 * loop (or `#pragma ct checkpoint(snapshots)` with cotangent-cc; 0 or no
 * number: automatic, the fewest snapshots with which each iteration runs
 * at most 4 times) keeps, in
 * a gradient, about `snapshots` copies of the loop's state instead of every
 * iteration's tape; the reverse pass runs iterations again from them
 * following Revolve's binomial schedule (each iteration runs about
 * log(n) times for n iterations). The loop's state, found by the pass, is
 * the locals and arrays the body reads and writes and the malloc'd buffers
 * it uses; the loop must be `for (i = a; i < b; i++)` (or <=, !=, i--)
 * with b fixed while it runs, leave only through its condition (no break,
 * return), and use memory of sizes the pass knows (local arrays, `T
 * p[static N]` parameters, blocks malloc'd in the function), no globals;
 * anything else is a compile error at the loop.
 *
 *   CT_CHECKPOINT_LOOP(16)
 *   for (int i = 0; i < 100000; i++) rk4_step(s, dt);  */
void __ct_checkpoint_loop(int snapshots);
/* The tape budget of checkpointed loops with automatic snapshots
 * (CT_CHECKPOINT_LOOP(0), #pragma ct checkpoint): such a loop whose
 * iterations' tape (trip count x bytes per iteration, as the pass counts
 * them) fits in `bytes` is taped as usual; otherwise it keeps as many
 * snapshots as half the budget holds. The environment variable
 * CT_TAPE_BUDGET (256M, 4K, bytes) sets it too; 0, none. CT_VERBOSE=1
 * prints each loop's choice. */
void ct_set_tape_budget(__SIZE_TYPE__ bytes);
#define CT_CHECKPOINT_LOOP(snapshots) __ct_checkpoint_loop(snapshots);
CT_HOST_DEVICE void __ct_recompute_mark(const void *f);
#define ct_recompute(f, ...) (__ct_recompute_mark((const void *)(f)), (f)(__VA_ARGS__))

/* CT_DERIVATIVE(f) on a function P registers P as the custom derivative
 * (pullback) of f; calls of f in differentiated code then use P instead of
 * differentiating f (whose body may be elsewhere, e.g. in a library).
 * P is used for every call of f, however simple f's body (`return x;`
 * included), at every optimization level.
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

/* CT_DERIVATIVE on a mere declaration of P (P's body in a library) works
 * too with the frontend plugin (cotangent-cc loads it): it records P on f,
 * which must be declared before P (a compile error otherwise); P may come
 * after f's definition and calls.
 * Library headers can say the same on f's own declaration, which needs no
 * frontend plugin:
 *
 *   double norm2(const double *x, long n) CT_DERIVATIVE_IS(norm2_pullback);
 *
 * P is then declared by Cotangent with the signature above.
 *
 * Memory: in the reverse pass P reads the arrays it is given as they are
 * then. By default Cotangent assumes P reads every pointer argument and f
 * writes every one, except pointers to const (`const Self *self` of a
 * method, with the frontend plugin that cotangent-cc loads) and those f's
 * body provably only reads (LLVM's readonly, at -O1 and above); a call whose arrays are written again after it (on any
 * path, loops included) is a compile error, since P would see the new
 * values (unless CT_ACCESS gives its length and type, see below).
 * CT_ACCESS("...") on f's declaration states it precisely, one character
 * per parameter:
 *   '.' not a pointer
 *   'r' f reads it, P reads it          'i' f reads it, P does not
 *   'w' f writes it, P does not read it 'u' f writes it, P reads it after
 * each optionally followed by the indices (digits) of the integer
 * parameters whose product is the array's length, and the whole optionally
 * followed by ":d" or ":f" when f's arrays hold double or float. With
 * length and type, an array P reads that is written again after the call
 * is copied onto the tape instead (P gets the copy); e.g. for
 *   void gemv(long m, long n, const double *A, const double *x, double *y)
 *     CT_ACCESS("..r01r1w:d");   // A: m*n, x: n, y written
 * For an array f writes, P gets the adjoint of the new contents in the
 * shadow and must leave there the adjoint of the old ones (zero it where f
 * overwrote, leave it where f added to the old values). */
#define CT_DERIVATIVE_IS(p) __attribute__((annotate("ct.derivative_is:" #p)))
#define CT_ACCESS(s) __attribute__((annotate("ct.access:" s)))

/* CT_TANGENT_IS(T) on f's declaration: T is f's tangent (JVP) for forward
 * mode (ct_derivative, ct_derivative_n, __enzyme_fwddiff), used for every
 * call of f in differentiated code instead of differentiating f. T runs
 * right after f (arrays f wrote hold their new values) and takes f's
 * parameters, then f's result when f returns float or double, then one
 * tangent per floating-point or pointer parameter of f, in order (a
 * scalar's tangent value; an array's tangent array, NULL when it carries
 * none, i.e. zero); it returns the tangent of f's result (when f returns
 * float or double) and writes the tangents of the arrays f wrote. In vector
 * mode T is called once per direction.
 *
 *   double norm2(const double *x, long n) CT_DERIVATIVE_IS(norm2_pullback) CT_TANGENT_IS(norm2_jvp);
 *   double norm2_jvp(const double *x, long n, double r, const double *dx);   // <x, dx> / r
 *
 * T is declared by Cotangent with that signature when the file does not
 * declare it; a declaration that differs is a compile error at the call. */
#define CT_TANGENT_IS(t) __attribute__((annotate("ct.tangent_is:" #t)))
/* CT_TANGENT_DERIVATIVE_IS(P, "access") on f's declaration, next to
 * CT_TANGENT_IS(T): P is T's pullback and "access" T's CT_ACCESS (as if T's
 * declaration said CT_DERIVATIVE_IS(P) CT_ACCESS("access"), which a
 * declaration the file never uses cannot carry), so a gradient of forward-
 * mode code calling f (ct_hessian_vector_product) differentiates T's call. */
#define CT_TANGENT_DERIVATIVE_IS(p, access) __attribute__((annotate("ct.tangent_derivative_is:" #p ";" access)))

/* CT_ALLOCATOR(size_param, element_bytes, deallocator) on the declaration
 * of a function that returns a new block of memory (a pool, an aligned or
 * counting allocator, a wrapper in another file or library): differentiated
 * code that calls it gets a zeroed shadow block for the result, as for
 * malloc, without looking into the function (which is never inlined into
 * differentiated code). The block holds (parameter size_param) *
 * element_bytes bytes; size_param counts parameters from 0 and must be an
 * integer, or -1 for a block of element_bytes bytes. `deallocator` frees
 * such a block: its first parameter is the pointer (calls of it free the
 * block, the shadow is released by the gradient).
 *
 *   double *vec_new(long n) CT_ALLOCATOR(0, sizeof(double), vec_delete);
 *   void vec_delete(double *p);
 *   Node *node_new(void) CT_ALLOCATOR(-1, sizeof(Node), node_delete);
 *
 * The C library's allocators need nothing (malloc, calloc, realloc,
 * reallocarray, aligned_alloc, memalign, posix_memalign, free), nor do
 * functions with a body in the same file that call them; a declaration with
 * __attribute__((malloc, alloc_size(N))) is an allocator of N bytes (its
 * blocks freed with free() or a deallocator named as above). Enzyme's
 *   void *__enzyme_allocation_like[4] = {(void *)f, (void *)size_param,
 *                                        (void *)"-1", (void *)dealloc};
 * is understood too (size_param counts bytes). */
#define CT_ALLOCATOR(size_param, element_bytes, deallocator)                                       \
  __attribute__((annotate("ct.allocator", size_param, element_bytes, deallocator)))

/* ---------------------------------------------------------------------------
 * Runtime kernels (libcotangent_kernels.a, linked by cotangent-cc when used).
 *
 * Vectorized (AVX-512, AVX2 or scalar code, chosen at run time from the CPU;
 * the environment variable CT_KERNELS_ISA=scalar|avx2|avx512 forces one),
 * multithreaded with OpenMP from CT_KERNELS_PARALLEL_MIN elements (or
 * multiply-adds) of work on (the environment variable of that name, or
 * ct_kernels_set_parallel_min, changes it).
 * Each has a registered derivative, so differentiated code calling them runs
 * the matching fast adjoint kernel in its reverse pass instead of
 * differentiating a loop, and a tangent (ct_dot_jvp, ...) that forward mode
 * runs after the kernel. Matrices are row-major, dense, and outputs must not
 * overlap inputs (except ct_softmax, which may work in place).
 *
 *   double ct_dot(x, y, n)            sum_i x[i] * y[i]
 *   double ct_sum(x, n)               sum_i x[i]
 *   double ct_logsumexp(x, n)         log sum_i exp(x[i]), computed stably
 *   void   ct_axpy(n, a, x, y)        y[i] += a * x[i]
 *   void   ct_gemv(m, n, A, x, y)     y = A x,   A m x n, x n, y m
 *   void   ct_gemm(m, n, k, A, B, C)  C = A B,   A m x k, B k x n, C m x n
 *   void   ct_softmax(x, out, n)      out[i] = exp(x[i]) / sum_j exp(x[j])
 *
 * The `f` variants (ct_dotf, ...) take and return float. Example:
 *
 *   double loss(const double *W, const double *x, double *h, long m, long n) {
 *     ct_gemv(m, n, W, x, h);            // h = W x
 *     return ct_logsumexp(h, m);
 *   }
 *   ct_gradient(loss, W, dW, x, dx, h, dh, m, n);   // dW, dx += gradients
 * ------------------------------------------------------------------------ */
/* The default work (elements, or multiply-adds) from which a kernel splits
 * into OpenMP threads: below it a call takes under about a millisecond on
 * one core, and waking threads (or waiting for a thread that shares a busy
 * core) costs as much as it saves. */
#define CT_KERNELS_PARALLEL_MIN 4194304L

#define CT__KERNEL(p, access, jvp_access)                                                         \
  CT_DERIVATIVE_IS(p##_pullback) CT_TANGENT_IS(p##_jvp) CT_ACCESS(access)                        \
  CT_TANGENT_DERIVATIVE_IS(p##_jvp_pullback, jvp_access)
/* ct_softmax's tangent has no pullback yet (in place, it overwrites the
   tangent its pullback would need) */
#define CT__KERNEL_FORWARD_ONLY(p, access) CT_DERIVATIVE_IS(p##_pullback) CT_TANGENT_IS(p##_jvp) CT_ACCESS(access)
double ct_dot(const double *x, const double *y, long n) CT__KERNEL(ct_dot, "r2r2.:d", "r2r2..r2r2:d");
float ct_dotf(const float *x, const float *y, long n) CT__KERNEL(ct_dotf, "r2r2.:f", "r2r2..r2r2:f");
double ct_sum(const double *x, long n) CT__KERNEL(ct_sum, "i.:d", "i..i:d");
float ct_sumf(const float *x, long n) CT__KERNEL(ct_sumf, "i.:f", "i..i:f");
double ct_logsumexp(const double *x, long n) CT__KERNEL(ct_logsumexp, "r1.:d", "r1..r1:d");
float ct_logsumexpf(const float *x, long n) CT__KERNEL(ct_logsumexpf, "r1.:f", "r1..r1:f");
void ct_axpy(long n, double a, const double *x, double *y) CT__KERNEL(ct_axpy, "..r0w:d", "..r0i.r0w:d");
void ct_axpyf(long n, float a, const float *x, float *y) CT__KERNEL(ct_axpyf, "..r0w:f", "..r0i.r0w:f");
void ct_gemv(long m, long n, const double *A, const double *x, double *y) CT__KERNEL(ct_gemv, "..r01r1w:d", "..r01r1ir01r1w:d");
void ct_gemvf(long m, long n, const float *A, const float *x, float *y) CT__KERNEL(ct_gemvf, "..r01r1w:f", "..r01r1ir01r1w:f");
void ct_gemm(long m, long n, long k, const double *A, const double *B, double *C)
    CT__KERNEL(ct_gemm, "...r02r21w:d", "...r02r21ir02r21w:d");
void ct_gemmf(long m, long n, long k, const float *A, const float *B, float *C)
    CT__KERNEL(ct_gemmf, "...r02r21w:f", "...r02r21ir02r21w:f");
void ct_softmax(const double *x, double *out, long n) CT__KERNEL_FORWARD_ONLY(ct_softmax, "iu2.:d");
void ct_softmaxf(const float *x, float *out, long n) CT__KERNEL_FORWARD_ONLY(ct_softmaxf, "iu2.:f");

/* The pullbacks (used by the generated code; callable directly). Each ADDS
 * seed-scaled adjoints into its non-NULL adjoint arguments; for an output
 * array it reads the adjoint of the result from the shadow and leaves the
 * adjoint of the previous contents there (zero for gemv, gemm, softmax). */
void ct_dot_pullback(const double *x, const double *y, long n, double seed, double *dx, double *dy);
void ct_dotf_pullback(const float *x, const float *y, long n, float seed, float *dx, float *dy);
void ct_sum_pullback(const double *x, long n, double seed, double *dx);
void ct_sumf_pullback(const float *x, long n, float seed, float *dx);
void ct_logsumexp_pullback(const double *x, long n, double seed, double *dx);
void ct_logsumexpf_pullback(const float *x, long n, float seed, float *dx);
void ct_axpy_pullback(long n, double a, const double *x, double *y, double *da, double *dx, double *dy);
void ct_axpyf_pullback(long n, float a, const float *x, float *y, float *da, float *dx, float *dy);
void ct_gemv_pullback(long m, long n, const double *A, const double *x, double *y, double *dA, double *dx,
                      double *dy);
void ct_gemvf_pullback(long m, long n, const float *A, const float *x, float *y, float *dA, float *dx,
                       float *dy);
void ct_gemm_pullback(long m, long n, long k, const double *A, const double *B, double *C, double *dA,
                      double *dB, double *dC);
void ct_gemmf_pullback(long m, long n, long k, const float *A, const float *B, float *C, float *dA,
                       float *dB, float *dC);
void ct_softmax_pullback(const double *x, double *out, long n, double *dx, double *dout);
void ct_softmaxf_pullback(const float *x, float *out, long n, float *dx, float *dout);

/* The tangents (forward mode, CT_TANGENT_IS; callable directly): each
 * takes the kernel's arguments, its result if any, then the tangents of its
 * scalar and array arguments (NULL: zero); returns the result's tangent or
 * writes the tangent of the array the kernel wrote (dy = dA x + A dx, ...).
 * Each but ct_softmax's has a pullback (the ..._jvp_pullback below), so a
 * gradient of forward-mode code calling the kernels works too
 * (ct_hessian_vector_product). */
double ct_dot_jvp(const double *x, const double *y, long n, double r, const double *dx, const double *dy);
float ct_dotf_jvp(const float *x, const float *y, long n, float r, const float *dx, const float *dy);
double ct_sum_jvp(const double *x, long n, double r, const double *dx);
float ct_sumf_jvp(const float *x, long n, float r, const float *dx);
double ct_logsumexp_jvp(const double *x, long n, double r, const double *dx);
float ct_logsumexpf_jvp(const float *x, long n, float r, const float *dx);
void ct_axpy_jvp(long n, double a, const double *x, double *y, double da, const double *dx, double *dy);
void ct_axpyf_jvp(long n, float a, const float *x, float *y, float da, const float *dx, float *dy);
void ct_gemv_jvp(long m, long n, const double *A, const double *x, double *y, const double *dA,
                 const double *dx, double *dy);
void ct_gemvf_jvp(long m, long n, const float *A, const float *x, float *y, const float *dA, const float *dx,
                  float *dy);
void ct_gemm_jvp(long m, long n, long k, const double *A, const double *B, double *C, const double *dA,
                 const double *dB, double *dC);
void ct_gemmf_jvp(long m, long n, long k, const float *A, const float *B, float *C, const float *dA,
                  const float *dB, float *dC);
void ct_softmax_jvp(const double *x, double *out, long n, const double *dx, double *dout);
void ct_softmaxf_jvp(const float *x, float *out, long n, const float *dx, float *dout);

void ct_dot_jvp_pullback(const double *x, const double *y, long n, double r, const double *dx, const double *dy,
                         double seed, double *ax, double *ay, double *ar, double *adx, double *ady);
void ct_dotf_jvp_pullback(const float *x, const float *y, long n, float r, const float *dx, const float *dy,
                          float seed, float *ax, float *ay, float *ar, float *adx, float *ady);
void ct_sum_jvp_pullback(const double *x, long n, double r, const double *dx, double seed, double *ax, double *ar,
                         double *adx);
void ct_sumf_jvp_pullback(const float *x, long n, float r, const float *dx, float seed, float *ax, float *ar,
                          float *adx);
void ct_logsumexp_jvp_pullback(const double *x, long n, double r, const double *dx, double seed, double *ax,
                               double *ar, double *adx);
void ct_logsumexpf_jvp_pullback(const float *x, long n, float r, const float *dx, float seed, float *ax, float *ar,
                                float *adx);
void ct_axpy_jvp_pullback(long n, double a, const double *x, double *y, double da, const double *dx, double *dy,
                          double *aa, double *ax, double *ay, double *ada, double *adx, double *ady);
void ct_axpyf_jvp_pullback(long n, float a, const float *x, float *y, float da, const float *dx, float *dy,
                           float *aa, float *ax, float *ay, float *ada, float *adx, float *ady);
void ct_gemv_jvp_pullback(long m, long n, const double *A, const double *x, double *y, const double *dA,
                          const double *dx, double *dy, double *aA, double *ax, double *ay, double *adA,
                          double *adx, double *ady);
void ct_gemvf_jvp_pullback(long m, long n, const float *A, const float *x, float *y, const float *dA,
                           const float *dx, float *dy, float *aA, float *ax, float *ay, float *adA, float *adx,
                           float *ady);
void ct_gemm_jvp_pullback(long m, long n, long k, const double *A, const double *B, double *C, const double *dA,
                          const double *dB, double *dC, double *aA, double *aB, double *aC, double *adA,
                          double *adB, double *adC);
void ct_gemmf_jvp_pullback(long m, long n, long k, const float *A, const float *B, float *C, const float *dA,
                           const float *dB, float *dC, float *aA, float *aB, float *aC, float *adA, float *adB,
                           float *adC);

/* The instruction set the kernels use ("avx512", "avx2" or "scalar"), and
 * a way to choose one (returns 0, changing nothing, when the CPU lacks it or
 * the name is unknown). */
const char *ct_kernels_isa(void);
int ct_kernels_use_isa(const char *name);
/* The work from which kernels use OpenMP threads (CT_KERNELS_PARALLEL_MIN,
 * or the environment variable CT_KERNELS_PARALLEL_MIN read at the first
 * call), and a way to change it (work < 1: from 1). */
long ct_kernels_parallel_min(void);
void ct_kernels_set_parallel_min(long work);

#ifdef __cplusplus
}
#endif
#endif
