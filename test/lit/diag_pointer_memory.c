// What stays unsupported around pointers into differentiable memory is a
// compile error at the construct, never a silently wrong derivative: a model
// struct passed as constant whose workspace the caller allocated (the
// function fills memory that has no shadow, and never stored the pointer it
// reads there, so it has no shadow to take), and a function kept as a call
// (recursive) that returns a pointer into a global array which its caller
// writes differentiable values through.
// RUN: not %cc -O0 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O1 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O2 -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
// RUN: not %cc -O3 -g -std=c17 -c %s -o /dev/null 2>&1 | FileCheck %s --implicit-check-not="internal error" --implicit-check-not="Stack dump"
int enzyme_dup, enzyme_const;
extern double __enzyme_autodiff(void *, ...);

typedef struct {
  int n;
  double *out; // the caller's workspace
} Work;

double fill_caller_workspace(Work *w, const double *x) {
  // CHECK: diag_pointer_memory.c:[[@LINE+1]]:6: error: cannot differentiate 'fill_caller_workspace': 'load' instruction loads a pointer to differentiable data from memory without a shadow (a constant argument's or a global's), where the function does not store it; pass the outer pointer with a shadow too (enzyme_dup), or let the function allocate the memory it writes and store it there
  w->out[0] = x[0] * x[0];
  return w->out[0] * x[1];
}

static double history[8];

// recursive, so a call at every level: its augmented forward would have to
// return the shadow of a global
static double *slot(int i) {
  if (i < 8)
    // CHECK: diag_pointer_memory.c:[[@LINE+1]]:13: error: cannot differentiate 'slot': it writes differentiable values into the global variable 'history', which has no shadow
    return &history[i];
  double *p = slot(i / 2);
  return p + (i & 1);
}

double remember(const double *x, int i) {
  double *p = slot(i);
  *p = x[0] * x[1];
  return *p * x[0];
}

void use(Work *w, double *x, double *dx) {
  __enzyme_autodiff((void *)fill_caller_workspace, enzyme_const, w, enzyme_dup, x, dx);
  __enzyme_autodiff((void *)remember, enzyme_dup, x, dx, 3);
}
