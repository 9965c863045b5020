// Custom tangents (CT_TANGENT_IS) that forward mode cannot use, each an
// error at the call: a tangent declared with the wrong signature (here it
// lacks the result parameter), and a kernel call inside a function whose
// differential (ct_value_with_differential) is recorded, since the
// kernel's tangent reads arrays that may have changed when it is applied;
// and a kernel's tangent writing into an array held constant in
// ct_hessian_vector_product.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s
#include <cotangent.h>

double norm2(const double *x, long n) CT_DERIVATIVE_IS(norm2_pullback) CT_TANGENT_IS(norm2_jvp);
double norm2_jvp(const double *x, long n, const double *dx);
void *keep_norm2_jvp = (void *)norm2_jvp; /* emitted: its declared type is checked */
// CHECK-DAG: diag_forward_tangent.c:[[@LINE+1]]:52: error: cannot differentiate 'use_norm2': call to 'norm2' has a tangent 'norm2_jvp' (CT_TANGENT_IS) that does not take norm2's parameters, its result (when floating point), then one tangent per floating-point or pointer parameter, and return the result's tangent; declare the tangent with that signature (see CT_TANGENT_IS in cotangent.h)
double use_norm2(const double *x, long n) { return norm2(x, n) * 2.0; }
double t_norm2(const double *x, double *dx) { return ct_derivative(use_norm2, x, dx, 3L); }

// CHECK-DAG: diag_forward_tangent.c:[[@LINE+1]]:50: error: {{.*}}call to 'ct_dot' has a tangent (CT_TANGENT_IS) that reads arrays, which a differential cannot record; use ct_derivative (one run per tangent)
double use_dot(const double *x, long n) { return ct_dot(x, x, n); }
double t_dot(const double *x) {
  ct_differential_t d;
  return ct_value_with_differential(use_dot, &d, x, 3L);
}

// ct_hessian_vector_product of a function adding into its input array: the
// tangent of z is the direction array, held constant, and ct_axpy's tangent
// writes into it (reverse over forward cannot follow that; a loop writing
// it is an error too)
// CHECK-DAG: diag_forward_tangent.c:[[@LINE+1]]:85: error: cannot differentiate '{{.*}}': call to 'ct_axpy_jvp' passes a pointer to differentiable data that has no shadow (memory it writes, or memory of an argument held constant); pass every array that holds differentiable values with a shadow
double add_into(const double *x, double *z, long n) { ct_axpy(n, 2.0, x, z); return ct_dot(z, z, n); }
void t_add_into(const double *x, const double *vx, double *hx, double *z, const double *vz, double *hz) {
  ct_hessian_vector_product(add_into, x, vx, hx, z, vz, hz, 3L);
}
