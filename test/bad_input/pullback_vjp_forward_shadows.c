// The pullback of a function returning nothing whose forward pass needs the
// shadows of its pointer arguments (it stores a pointer into memory, whose
// shadow gets the pointer's shadow): such a pullback cannot wait for the
// shadows until it is applied. A compile error at the ct_pullback naming
// the function, with the fix (ct_gradient with the shadows).
// EXPECT: error @make:22 "ct_pullback: the pullback of 'attach' (which returns nothing) gets the shadows of its pointer arguments when applied, but its forward pass needs them already"
#include <cotangent.h>
#include <stdlib.h>

typedef struct {
  double *data;
  double scale;
} View;

static void attach(View *v, double *data, double s) {
  v->data = data;
  v->scale = s;
  v->data[0] *= s;
}

int main(void) {
  View v;
  double data[2] = {1, 2};
  ct_pullback_t pb = ct_pullback(attach, &v, data, 2.0); /*@make*/
  ct_pullback_free(pb);
  return 0;
}
