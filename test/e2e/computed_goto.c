/* Computed goto (GNU labels as values, IR indirectbr) on the differentiated
 * path: a threaded bytecode interpreter (static dispatch table, a stack of
 * doubles) called from the differentiated function and differentiated
 * itself; a helper picking its step through a local label table, called in
 * a loop; a loop whose body jumps through a table. The reverse pass replays
 * the jump taken. Checked against derivatives written out by hand (before
 * the fix: wrong at -O0, broken control flow at -O1..-O3). */
#include "check.h"

#include <cotangent.h>
#include <math.h>

int enzyme_const;
extern double __enzyme_autodiff(void *, ...);

enum op { OP_X, OP_CONST, OP_ADD, OP_MUL, OP_SIN, OP_EXP, OP_END };

typedef struct {
  enum op op;
  double c;
} instr;

static double run(const instr *code, double x) {
  static void *const dispatch[] = {&&op_x, &&op_const, &&op_add, &&op_mul, &&op_sin, &&op_exp, &&op_end};
  double stack[16];
  int sp = 0;
  const instr *pc = code;
#define NEXT goto *dispatch[(pc++)->op]
  NEXT;
op_x:
  stack[sp++] = x;
  NEXT;
op_const:
  stack[sp++] = pc[-1].c;
  NEXT;
op_add:
  --sp;
  stack[sp - 1] += stack[sp];
  NEXT;
op_mul:
  --sp;
  stack[sp - 1] *= stack[sp];
  NEXT;
op_sin:
  stack[sp - 1] = sin(stack[sp - 1]);
  NEXT;
op_exp:
  stack[sp - 1] = exp(stack[sp - 1]);
  NEXT;
op_end:
  return stack[sp - 1];
#undef NEXT
}

/* 3 x^2 + sin(x) exp(x), in reverse Polish notation */
static const instr PROGRAM[] = {{OP_X, 0},   {OP_X, 0},   {OP_MUL, 0}, {OP_CONST, 3}, {OP_MUL, 0}, {OP_X, 0},
                                {OP_SIN, 0}, {OP_X, 0},   {OP_EXP, 0}, {OP_MUL, 0},   {OP_ADD, 0}, {OP_END, 0}};

static double program(double x) { return run(PROGRAM, x); }
static double program_d(double x) { return 6 * x + exp(x) * (sin(x) + cos(x)); }

/* one step of a chain, chosen through a table of local labels */
static double step(double y, double x, int op) {
  void *const table[] = {&&scale, &&square, &&shift};
  goto *table[op % 3];
scale:
  return 1.5 * y;
square:
  return y * y;
shift:
  return y + x;
}

/* scale, square, shift, scale: 3.375 x^2 + 1.5 x */
static double chain(double x, int n) {
  double y = x;
  for (int i = 0; i < n; ++i)
    y = step(y, x, i);
  return y;
}

/* the jumps inside the differentiated loop */
static double loop(double x, int k) {
  static void *const tab[] = {&&a, &&b, &&c};
  double y = x;
  for (int i = 0; i < 3; ++i) {
    goto *tab[(i + k) % 3];
  a:
    y = y * 1.2;
    continue;
  b:
    y = y + x;
    continue;
  c:
    y = y * y;
  }
  return y;
}

int main(void) {
  for (double x = -1.0; x <= 1.5; x += 0.625) {
    double dx = 0;
    ct_gradient(program, x, &dx);
    CHECK_AT_D("program", x, dx, program_d(x));
    CHECK_AT_D("run", x, __enzyme_autodiff((void *)run, enzyme_const, PROGRAM, x), program_d(x));
    CHECK_AT_D("program value", x, program(x), 3 * x * x + sin(x) * exp(x));

    ct_gradient(chain, x, &dx, 4);
    CHECK_AT_D("chain", x, dx, 6.75 * x + 1.5);
    CHECK_AT_D("chain value", x, chain(x, 4), 3.375 * x * x + 1.5 * x);

    /* k = 0: a b c -> 4.84 x^2; k = 1: b c a -> 4.8 x^2; k = 2: c a b -> 1.2 x^2 + x */
    const double want[3] = {9.68 * x, 9.6 * x, 2.4 * x + 1};
    for (int k = 0; k < 3; ++k) {
      ct_gradient(loop, x, &dx, k);
      CHECK_AT_D("loop", x + k, dx, want[k]);
    }
  }
  return check_summary("computed_goto");
}
