// Enzyme's derivative registrations that do not fit their function are
// errors at the user's function, naming the registration global and
// spelling out what Enzyme's convention expects (they used to be ignored
// silently, and the body differentiated). A forward-mode derivative of a
// function with pointer parameters cannot serve reverse mode: differentiating
// through it is an error at the operator naming the global.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
extern double __enzyme_autodiff(void *, ...);

double f(double x) { return x * x; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_f: the augmented forward 'f_aug' of 'f' must take its parameters, each pointer followed by its shadow: (double)
double f_aug(double x, double y) { return x * y; }
double f_grad(double x, double d) { return 2 * x * d; }
void *__enzyme_register_gradient_f[] = {(void *)f, (void *)f_aug, (void *)f_grad};

double g(double x) { return x * x; }
double g_aug(double x) { return x * x; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_g: the gradient 'g_grad' of 'g' must take the augmented forward's parameters (double), then the derivative of the result (double), then the tape if the augmented forward returns one
double g_grad(double x) { return 2 * x; }
void *__enzyme_register_gradient_g[] = {(void *)g, (void *)g_aug, (void *)g_grad};

double h(double x, double y) { return x * y; }
double h_aug(double x, double y) { return x * y; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_h: the gradient 'h_grad' of 'h' must return the derivatives of its floating-point parameters, in a struct of (double, double)
double h_grad(double x, double y, double d) { return d * y + 0 * x; }
void *__enzyme_register_gradient_h[] = {(void *)h, (void *)h_aug, (void *)h_grad};

// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_two: a registration holds {function, augmented forward, gradient}; this one has 2 element(s)
double two(double x) { return x; }
void *__enzyme_register_gradient_two[] = {(void *)two, (void *)h_aug};

// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_data: element 3 is not a function (a registration holds {function, augmented forward, gradient})
double with_data(double x) { return x; }
int not_a_function;
void *__enzyme_register_gradient_data[] = {(void *)with_data, (void *)h_aug, &not_a_function};

double t(double x) { return x; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_t: the augmented forward 't_aug' of 't' returns a value, but the gradient 't_grad' takes no tape after the derivative of the result: it must return nothing or the result (double)
void *t_aug(double x) { return (void *)0; }
double t_grad(double x, double d) { return d; }
void *__enzyme_register_gradient_t[] = {(void *)t, (void *)t_aug, (void *)t_grad};

double u(double x) { return x; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_u: the augmented forward 'u_aug' of 'u' must return the tape the gradient 'u_grad' takes (a pointer), or a struct { tape; result } with the result (double)
void u_aug(double x) {}
double u_grad(double x, double d, void *tape) { return d; }
void *__enzyme_register_gradient_u[] = {(void *)u, (void *)u_aug, (void *)u_grad};

double p(double *a, double *b) { return *a * *b; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_p: the augmented forward 'p_aug' of 'p' must take its parameters, each pointer followed by its shadow (which pointers have one is ambiguous here: give each pointer a shadow): (a pointer, a pointer (its shadow), a pointer, a pointer (its shadow))
double p_aug(double *a, double *b, double *db) { return *a * *b; }
void p_grad(double *a, double *b, double *db, double d) {}
void *__enzyme_register_gradient_p[] = {(void *)p, (void *)p_aug, (void *)p_grad};

double w(double x) { return x; }
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_derivative_w: the forward derivative 'w_fwd' of 'w' must take (double, double (tangent)) (each floating-point parameter followed by its tangent) and return the struct { double result; double tangent; } or the tangent
double w_fwd(double x) { return 1; }
void *__enzyme_register_derivative_w[] = {(void *)w, (void *)w_fwd};

// A forward derivative of a function of pointers: an error where it is
// differentiated, not where it is registered.
double q(const double *a, const double *b) { return *a * *b; }
double q_fwd(const double *a, const double *da, const double *b, const double *db) { return *da * *b + *a * *db; }
void *__enzyme_register_derivative_q[] = {(void *)q, (void *)q_fwd};
static double use_q(const double *a, const double *b) { return q(a, b) + 1; }
double d_use_q(double *a, double *da, double *b, double *db) {
  // CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:10: error: __enzyme_autodiff: cannot differentiate 'use_q': it calls 'q', whose registered derivative (__enzyme_register_derivative_q) is forward mode; Cotangent differentiates in reverse mode, where a forward derivative serves only functions of scalars (floating-point and integer parameters, a floating-point result): register a gradient (__enzyme_register_gradient_q = {q, augmented forward, gradient})
  return __enzyme_autodiff((void *)use_q, a, da, b, db);
}

// Two derivatives for one function.
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: __enzyme_register_gradient_k2: cannot register a derivative of 'k': it has a registered gradient already
double k(double x) { return x; }
double k_aug(double x) { return x; }
double k_grad(double x, double d) { return d; }
void *__enzyme_register_gradient_k1[] = {(void *)k, (void *)k_aug, (void *)k_grad};
void *__enzyme_register_gradient_k2[] = {(void *)k, (void *)k_aug, (void *)k_grad};

// A constant array passed where the registered gradient takes a shadow.
double dot2(const double *a, const double *b) { return a[0] * b[0] + a[1] * b[1]; }
double dot2_aug(const double *a, double *da, const double *b, double *db) { return dot2(a, b); }
void dot2_grad(const double *a, double *da, const double *b, double *db, double d) {}
void *__enzyme_register_gradient_dot2[] = {(void *)dot2, (void *)dot2_aug, (void *)dot2_grad};
static const double weights[2] = {1, 2};
// CHECK-DAG: diag_enzyme_registration.c:[[@LINE+1]]:{{[0-9]+}}: error: cannot differentiate 'weighted': call to 'dot2' passes a pointer without a shadow where the gradient registered for it (__enzyme_register_gradient_...) takes one
static double weighted(double x) { double v[2] = {x, x * x}; return dot2(v, weights); }
double d_weighted(double x) { return __enzyme_autodiff((void *)weighted, x); }
