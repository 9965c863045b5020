/* cotangent.hpp: Cotangent's operators in C++ style, over the same plugin
 * as cotangent.h (compile with cotangent-c++, C++17 or later).
 *
 *   ct::gradient(f, args...)                 like ct_gradient
 *   double v = ct::value_with_gradient(f, args...)
 *   ct::Pullback pb = ct::pullback(f, args...);   pb(seed, &dx, ...) applies
 *   auto [v, pb] = ct::value_with_pullback(f, args...);
 *
 * args are laid out as for the C operators: each floating-point argument is
 * followed by a pointer to its derivative, each pointer by its shadow
 * (pullbacks: floating-point arguments alone; their derivatives are the
 * pointers given to pb(seed, ...)); ct_const(x) holds an argument constant.
 *
 * f may be:
 *   - a function, a static member function or a function template's
 *     instance (model::energy<double>): a pointer to it;
 *   - a lambda or another function object, capturing or not: its closure
 *     is held constant (what it captures gets no derivative; pass
 *     differentiable data as arguments);
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

#define CT_ALWAYS_INLINE __attribute__((always_inline)) inline

namespace ct {

namespace detail {
/* A function object called through a plain function: the closure is its
 * first argument. */
template <class Sig> struct closure_call;
template <class F, class R, class... P> struct closure_call<R (F::*)(P...) const> {
  static R call(const F *self, P... p) { return (*self)(p...); }
};
template <class F, class R, class... P> struct closure_call<R (F::*)(P...)> {
  static R call(F *self, P... p) { return (*self)(p...); }
};
template <class F> using closure_of = closure_call<decltype(&std::decay_t<F>::operator())>;

/* A member function called through a plain function: `this` first. */
template <auto M> struct member_call;
template <class C, class R, class... P, R (C::*M)(P...) const> struct member_call<M> {
  static R call(const C *self, P... p) { return (self->*M)(p...); }
};
template <class C, class R, class... P, R (C::*M)(P...)> struct member_call<M> {
  static R call(C *self, P... p) { return (self->*M)(p...); }
};

template <class F> constexpr bool is_closure = std::is_class_v<std::decay_t<F>>;
} // namespace detail

/* ---- gradients ---- */

/* Writes f's derivatives as ct_gradient does. */
template <class R, class... P, class... A> CT_ALWAYS_INLINE void gradient(R (*f)(P...), A... args) {
  __ct_gradient((const void *)f, args...);
}
/* f a lambda or function object (held constant). */
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE void gradient(const F &f, A... args) {
  __ct_gradient((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...);
}
/* M a member function: the object and its shadow come first. */
template <auto M, class... A> CT_ALWAYS_INLINE void gradient(A... args) {
  __ct_gradient((const void *)&detail::member_call<M>::call, args...);
}

/* f's value, and its derivatives as ct_value_with_gradient writes them. */
template <class R, class... P, class... A> CT_ALWAYS_INLINE R value_with_gradient(R (*f)(P...), A... args) {
  return (R)__ct_value_with_gradient((const void *)f, args...);
}
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE double value_with_gradient(const F &f, A... args) {
  return __ct_value_with_gradient((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...);
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
  return Pullback(__ct_pullback((const void *)f, args...));
}
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE Pullback pullback(const F &f, A... args) {
  return Pullback(__ct_pullback((const void *)&detail::closure_of<F>::call, __ct_const_marker, &f, args...));
}
template <auto M, class... A> CT_ALWAYS_INLINE Pullback pullback(A... args) {
  return Pullback(__ct_pullback((const void *)&detail::member_call<M>::call, args...));
}

/* f's value and its pullback. */
template <class R, class... P, class... A>
CT_ALWAYS_INLINE std::pair<R, Pullback> value_with_pullback(R (*f)(P...), A... args) {
  ct_pullback_t pb = nullptr;
  R v = (R)__ct_value_with_pullback((const void *)f, &pb, args...);
  return {v, Pullback(pb)};
}
template <class F, class... A, std::enable_if_t<detail::is_closure<F>, int> = 0>
CT_ALWAYS_INLINE std::pair<double, Pullback> value_with_pullback(const F &f, A... args) {
  ct_pullback_t pb = nullptr;
  double v = __ct_value_with_pullback((const void *)&detail::closure_of<F>::call, &pb, __ct_const_marker, &f, args...);
  return {v, Pullback(pb)};
}

} // namespace ct

#undef CT_ALWAYS_INLINE

#endif
