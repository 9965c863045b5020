// A struct passed by value followed by a pointer to a struct of another
// type as its tangent: an error at that argument naming the struct and the
// type the tangent must have.
// EXPECT: error @call:27 "ct_gradient: parameter 1 ('p') of 'kinetic' is a struct 'Particle' passed by value, so the pointer to its tangent struct that follows it must be 'Particle *', not 'Vec2 *'"
// EXPECT: error @missing:3 "ct_gradient: too few arguments: struct parameter 1 ('p') of 'kinetic' must be followed by a pointer to its tangent struct ('Particle *')"
#include <cotangent.h>

typedef struct { double x, y, z, m; } Particle;
typedef struct { double x, y; } Vec2;

static double kinetic(Particle p) { return 0.5 * p.m * (p.x * p.x + p.y * p.y + p.z * p.z); }

void use(Particle p, Vec2 *wrong) {
  ct_gradient(kinetic, p, wrong); /*@call*/
}

void use_missing(Particle p) {
  ct_gradient(kinetic, p); /*@missing*/
}
