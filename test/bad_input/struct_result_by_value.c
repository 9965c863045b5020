// A function returning a struct (in memory, and in registers) given to an
// operator: struct results are not differentiated yet; the error at the
// call says so and how to write it instead (the result through a pointer,
// whose shadow holds its seed).
// EXPECT: error @big:3 "ct_gradient: 'add3' returns a struct (or a vector): differentiating struct results is not supported yet; write the result through a pointer parameter"
// EXPECT: error @small:22 "ct_pullback: 'add2' returns a struct (or a vector)"
#include <cotangent.h>

typedef struct { double x, y, z; } Vec3;
typedef struct { double x, y; } Vec2;

static Vec3 add3(Vec3 a, Vec3 b) { return (Vec3){a.x + b.x, a.y + b.y, a.z + b.z}; }
static Vec2 add2(Vec2 a, Vec2 b) { return (Vec2){a.x + b.x, a.y + b.y}; }

void use(Vec3 a, Vec3 b, Vec3 *da, Vec3 *db, Vec2 c, Vec2 *dc) {
  ct_gradient(add3, a, da, b, db); /*@big*/
  ct_pullback_t pb = ct_pullback(add2, c, dc, c, dc); /*@small*/
  ct_pullback_free(pb);
}
