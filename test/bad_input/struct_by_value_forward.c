// A struct passed by value in forward mode (ct_derivative): not supported
// yet (the reverse operators take it); an error at the struct argument with
// the way around it.
// EXPECT: error @call:33 "ct_derivative: parameter 1 ('p') of 'kinetic' is a struct passed by value ('Particle'): differentiating functions that take structs by value is not supported yet (pass a pointer to it)"
#include <cotangent.h>

typedef struct { double x, y, z, m; } Particle;

static double kinetic(Particle p) { return 0.5 * p.m * (p.x * p.x + p.y * p.y + p.z * p.z); }

double use(Particle p, Particle t) {
  return ct_derivative(kinetic, p, t); /*@call*/
}
