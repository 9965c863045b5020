/* cotangent.hpp: Cotangent's operators in C++ style, over the same plugin
 * as cotangent.h (compile with cotangent-c++, C++17 or later).
 *
 *   ct::gradient(f, args...)                 like ct_gradient
 *   double v = ct::value_with_gradient(f, args...)
 *   ct::Pullback pb = ct::pullback(f, args...);   pb(seed, &dx, ...) applies
 *   auto [v, pb] = ct::value_with_pullback(f, args...);
 *   double t = ct::derivative(f, args...)    like ct_derivative (forward)
 *   double v = ct::value_with_derivative(f, &t, args...)
 *
 * args are laid out as for the C operators: each floating-point argument is
 * followed by a pointer to its derivative, each pointer by its shadow
 * (pullbacks: floating-point arguments alone; their derivatives are the
 * pointers given to pb(seed, ...); forward mode: each floating-point
 * argument followed by its tangent value, each pointer by its tangent
 * array); ct_const(x) holds an argument constant.
 *
 * A std::span parameter (C++20) takes the span and its shadow span
 * (ct::gradient(f, xs, dxs)), or ct_const(xs).
 *
 * f may be:
 *   - a function, a static member function or a function template's
 *     instance (model::energy<double>): a pointer to it;
 *   - a lambda or another function object, capturing or not: its closure
 *     is held constant (what it captures gets no derivative), or, when a
 *     pointer to a closure of the same type follows f, duplicated: that
 *     closure holds the shadows of what f captures (the same lambda made
 *     from the shadow data), and gets the derivatives:
 *       auto make = [](const double *w) { return [w](double x) { ... }; };
 *       auto f = make(w), df = make(dw);       // dw: zeroed
 *       ct::gradient(f, &df, x, &dx);          // adds into dw, writes dx
 *   - a member function, named as a template argument, with the object
 *     (this) and its shadow object first:
 *       ct::gradient<&Model::loss>(&m, &dm, x, &dx);   // dm: same type, zeroed
 *
 * ct::Pullback owns its tape: it is freed when the object is destroyed
 * (move-only). Errors are those of the C operators, at the call. */
#ifndef COTANGENT_HPP
#define COTANGENT_HPP

#include <cotangent.h>

#include <type_traits>
#include <utility>
#if __cplusplus >= 202002L && __has_include(<span>)
#include <span>
#define CT_HPP_SPAN 1
#endif

#define CT_ALWAYS_INLINE __attribute__((always_inline)) inline

namespace ct {

namespace detail {
/* A function object called through a plain function: the closure is its
 * first argument. */
template <class Sig> struct closure_call {
  /* a generic lambda (auto parameters) has no single operator() */
  static_assert(!std::is_void_v<Sig>, "ct::gradient of a lambda or function object: it needs exactly one operator() "
                                      "(a generic lambda, with auto parameters, has none to differentiate: give its "
                                      "parameters types)");
  static void call() {}
};
template <class F, class R, class... P> struct closure_call<R (F::*)(P...) const> {
  static R call(const F *self, P... p) { return (*self)(p...); }
};
template <class F, class R, class... P> struct closure_call<R (F::*)(P...)> {
  static R call(F *self, P... p) { return (*self)(p...); }
};
template <class F, class = void> struct call_sig {
  using type = void;
};
template <class F> struct call_sig<F, std::void_t<decltype(&F::operator())>> {
  using type = decltype(&F::operator());
};
template <class F> using closure_of = closure_call<typename call_sig<std::decay_t<F>>::type>;

/* A member function called through a plain function: `this` first. */
template <auto M> struct member_call;
template <class C, class R, class... P, R (C::*M)(P...) const> struct member_call<M> {
  static R call(const C *self, P... p) { return (self->*M)(p...); }
};
template <class C, class R, class... P, R (C::*M)(P...)> struct member_call<M> {
  static R call(C *self, P... p) { return (self->*M)(p...); }
};

template <class F> constexpr bool is_closure = std::is_class_v<std::decay_t<F>>;
/* Is the first argument after a closure f a pointer to a closure of f's
 * type (its shadow: f is duplicated)? */
template <class F, class... A> struct shadow_first : std::false_type {};
template <class F, class A0, class... A>
struct shadow_first<F, A0, A...> : std::is_same<std::decay_t<A0>, std::decay_t<F> *> {};
template <class F, class... A> constexpr bool constant_closure = is_closure<F> && !shadow_first<F, A...>::value;
template <class F, class... A> constexpr bool shadowed_closure = is_closure<F> && shadow_first<F, A...>::value;

/* std::span parameters (C++20). A span is passed in two registers (its
 * data and size), so the operators would see its data pointer followed by
 * the size where the shadow belongs. spread rewrites the arguments, walking
 * f's parameters: a span parameter takes `xs, dxs` (the span and its shadow
 * span: xs.data(), dxs.data(), xs.size()) or `ct_const(xs)` (the marker,
 * xs.data(), xs.size()); a floating-point parameter its value and, for the
 * gradient operators, its derivative pointer; a pointer or reference its
 * value and shadow; any parameter after ct_const's marker its value;
 * others their value. Used only for functions with span parameters. */
template <class T> struct is_span : std::false_type {
  static constexpr bool sized = false;
};
#ifdef CT_HPP_SPAN
template <class T, std::size_t E> struct is_span<std::span<T, E>> : std::true_type {
  static constexpr bool sized = E == std::dynamic_extent; /* its size is passed too */
};
#endif
template <class... P> constexpr bool any_span = (is_span<std::decay_t<P>>::value || ...);

/* Op::call(done...) once every parameter is consumed; the arguments not
 * yet looked at come first, each step appends what it made after them. */
template <class Op, class... P> struct spread {
  template <class... Done> CT_ALWAYS_INLINE static auto run(Done... done) { return Op::call(done...); }
};
template <class Op, class P0, class... Ps> struct spread<Op, P0, Ps...> {
  using next = spread<Op, Ps...>;
  using P = std::decay_t<P0>;
  template <class X, class... A> CT_ALWAYS_INLINE static auto run(X x, A... a) {
    if constexpr (is_span<P>::value || (std::is_integral_v<X> && !std::is_integral_v<P>) ||
                  (Op::derivatives && std::is_floating_point_v<P>) || std::is_pointer_v<P> ||
                  std::is_reference_v<P0>)
      return pair(x, a...);
    else
      return next::run(a..., x);
  }
  template <class X, class Y, class... A> CT_ALWAYS_INLINE static auto pair(X x, Y y, A... a) {
    if constexpr (!is_span<P>::value)
      return next::run(a..., x, y);
    else if constexpr (std::is_integral_v<X> && is_span<P>::sized) /* ct_const(xs) */
      return next::run(a..., x, y.data(), y.size());
    else if constexpr (std::is_integral_v<X>)
      return next::run(a..., x, y.data());
    else if constexpr (is_span<P>::sized)
      return next::run(a..., x.data(), y.data(), x.size());
    else
      return next::run(a..., x.data(), y.data());
  }
};
struct op_gradient {
  static constexpr bool derivatives = true;
  template <class F, class... A> CT_ALWAYS_INLINE static int call(F f, A... a) {
    __ct_gradient((const void *)f, a...);
    return 0;
  }
};
struct op_value_with_gradient {
  static constexpr bool derivatives = true;
  template <class F, class... A> CT_ALWAYS_INLINE static double call(F f, A... a) {
    return __ct_value_with_gradient((const void *)f, a...);
  }
};
struct op_pullback {
  static constexpr bool derivatives = false;
  template <class F, class... A> CT_ALWAYS_INLINE static ct_pullback_t call(F f, A... a) {
    return __ct_pullback((const void *)f, a...);
  }
};
struct op_value_with_pullback {
  static constexpr bool derivatives = false;
  template <class F, class... A> CT_ALWAYS_INLINE static double call(F f, ct_pullback_t *pb, A... a) {
    return __ct_value_with_pullback((const void *)f, pb, a...);
  }
};
struct op_derivative {
  static constexpr bool derivatives = true;
  template <class F, class... A> CT_ALWAYS_INLINE static double call(F f, A... a) {
    return __ct_derivative((const void *)f, a...);
  }
};
struct op_value_with_derivative {
  static constexpr bool derivatives = true;
  template <class F, class... A> CT_ALWAYS_INLINE static double call(F f, double *t, A... a) {
    return __ct_value_with_derivative((const void *)f, t, a...);
  }
};
} // namespace detail

/* ---- gradients ---- */

/* Writes f's derivatives as ct_gradient does. */
template <class R, class... P, class... A> CT_ALWAYS_INLINE void gradient(R (*f)(P...), A... args) {
  if constexpr (detail::any_span<P...>)
    detail::spread<detail::op_gradient, P...>::run(args..., f);
  else
    __ct_gradient((const void *)f, args...);
}
/* f a lambda or function object (held constant). */
template <class F, class... A, std::enable_if_t<detail::constant_closure<F, A...>, int> = 0>
CT_ALWAYS_INLINE void gradient(const F &f, A... args) {
  __ct_gradient((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...);
}
/* f a lambda or function object holding differentiable state, then df, a
 * closure of the same type holding the shadows (the same lambda made from
 * the shadow data): derivatives w.r.t. what f captures are added into
 * what df captures. */
template <class F, class... A, std::enable_if_t<detail::shadowed_closure<F, A...>, int> = 0>
CT_ALWAYS_INLINE void gradient(const F &f, A... args) {
  __ct_gradient((const void *)&detail::closure_of<F>::call, &f, args...);
}
/* M a member function: the object and its shadow come first. */
template <auto M, class... A> CT_ALWAYS_INLINE void gradient(A... args) {
  __ct_gradient((const void *)&detail::member_call<M>::call, args...);
}

/* f's value, and its derivatives as ct_value_with_gradient writes them. */
template <class R, class... P, class... A> CT_ALWAYS_INLINE R value_with_gradient(R (*f)(P...), A... args) {
  if constexpr (detail::any_span<P...>)
    return (R)detail::spread<detail::op_value_with_gradient, P...>::run(args..., f);
  else
    return (R)__ct_value_with_gradient((const void *)f, args...);
}
template <class F, class... A, std::enable_if_t<detail::constant_closure<F, A...>, int> = 0>
CT_ALWAYS_INLINE double value_with_gradient(const F &f, A... args) {
  return __ct_value_with_gradient((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...);
}
template <class F, class... A, std::enable_if_t<detail::shadowed_closure<F, A...>, int> = 0>
CT_ALWAYS_INLINE double value_with_gradient(const F &f, A... args) {
  return __ct_value_with_gradient((const void *)&detail::closure_of<F>::call, &f, args...);
}
template <auto M, class... A> CT_ALWAYS_INLINE double value_with_gradient(A... args) {
  return __ct_value_with_gradient((const void *)&detail::member_call<M>::call, args...);
}

/* ---- pullbacks ---- */

/* A function's reverse pass, to apply any number of times; owns the tape
 * (freed with the object). */
class Pullback {
public:
  Pullback() noexcept = default;
  explicit Pullback(ct_pullback_t pb) noexcept : pb_(pb) {}
  Pullback(const Pullback &) = delete;
  Pullback &operator=(const Pullback &) = delete;
  Pullback(Pullback &&o) noexcept : pb_(o.pb_) { o.pb_ = nullptr; }
  Pullback &operator=(Pullback &&o) noexcept {
    if (this != &o) {
      ct_pullback_free(pb_);
      pb_ = o.pb_;
      o.pb_ = nullptr;
    }
    return *this;
  }
  ~Pullback() { ct_pullback_free(pb_); }
  /* Writes seed * df/dx_k through d[k] for each floating-point argument,
   * and adds seed-scaled gradients into the shadows of pointer arguments
   * (ct_pullback_apply). */
  template <class... D> void operator()(double seed, D *...d) const { ct_pullback_apply(pb_, seed, d...); }
  ct_pullback_t get() const noexcept { return pb_; }
  /* Gives up ownership (the caller frees it with ct_pullback_free). */
  ct_pullback_t release() noexcept {
    ct_pullback_t p = pb_;
    pb_ = nullptr;
    return p;
  }

private:
  ct_pullback_t pb_ = nullptr;
};

template <class R, class... P, class... A> CT_ALWAYS_INLINE Pullback pullback(R (*f)(P...), A... args) {
  if constexpr (detail::any_span<P...>)
    return Pullback(detail::spread<detail::op_pullback, P...>::run(args..., f));
  else
    return Pullback(__ct_pullback((const void *)f, args...));
}
template <class F, class... A, std::enable_if_t<detail::constant_closure<F, A...>, int> = 0>
CT_ALWAYS_INLINE Pullback pullback(const F &f, A... args) {
  return Pullback(__ct_pullback((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...));
}
template <class F, class... A, std::enable_if_t<detail::shadowed_closure<F, A...>, int> = 0>
CT_ALWAYS_INLINE Pullback pullback(const F &f, A... args) {
  return Pullback(__ct_pullback((const void *)&detail::closure_of<F>::call, &f, args...));
}
template <auto M, class... A> CT_ALWAYS_INLINE Pullback pullback(A... args) {
  return Pullback(__ct_pullback((const void *)&detail::member_call<M>::call, args...));
}

/* f's value and its pullback. */
template <class R, class... P, class... A>
CT_ALWAYS_INLINE std::pair<R, Pullback> value_with_pullback(R (*f)(P...), A... args) {
  ct_pullback_t pb = nullptr;
  R v;
  if constexpr (detail::any_span<P...>)
    v = (R)detail::spread<detail::op_value_with_pullback, P...>::run(args..., f, &pb);
  else
    v = (R)__ct_value_with_pullback((const void *)f, &pb, args...);
  return {v, Pullback(pb)};
}
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE std::pair<double, Pullback> value_with_pullback(const F &f, A... args) {
  ct_pullback_t pb = nullptr;
  double v = __ct_value_with_pullback((const void *)&detail::closure_of<F>::call, &pb, __ct_const_marker, &f, args...);
  return {v, Pullback(pb)};
}

/* ---- forward mode ---- */

/* f's directional derivative, as ct_derivative: each floating-point
 * argument followed by its tangent value, each pointer by its tangent
 * array (a span by its tangent span). */
template <class R, class... P, class... A> CT_ALWAYS_INLINE R derivative(R (*f)(P...), A... args) {
  if constexpr (detail::any_span<P...>)
    return (R)detail::spread<detail::op_derivative, P...>::run(args..., f);
  else
    return (R)__ct_derivative((const void *)f, args...);
}
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE double derivative(const F &f, A... args) {
  return __ct_derivative((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...);
}
template <auto M, class... A> CT_ALWAYS_INLINE double derivative(A... args) {
  return __ct_derivative((const void *)&detail::member_call<M>::call, args...);
}

/* f's value and its directional derivative (through *tangent), as
 * ct_value_with_derivative. */
template <class R, class... P, class... A>
CT_ALWAYS_INLINE R value_with_derivative(R (*f)(P...), double *tangent, A... args) {
  if constexpr (detail::any_span<P...>)
    return (R)detail::spread<detail::op_value_with_derivative, P...>::run(args..., f, tangent);
  else
    return (R)__ct_value_with_derivative((const void *)f, tangent, args...);
}
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE double value_with_derivative(const F &f, double *tangent, A... args) {
  return __ct_value_with_derivative((const void *)&detail::closure_of<F>::call, tangent, __ct_const_marker, &f,
                                    args...);
}
template <auto M, class... A> CT_ALWAYS_INLINE double value_with_derivative(double *tangent, A... args) {
  return __ct_value_with_derivative((const void *)&detail::member_call<M>::call, tangent, args...);
}

} // namespace ct

#undef CT_ALWAYS_INLINE

#endif
