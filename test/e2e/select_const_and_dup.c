/* `c ? x[i] : w[j]` with x differentiable (a shadow) and w a constant
 * array: LLVM folds it into one load through a select of the two addresses
 * (and `if (c) x[i] = v; else w[j] = v;` into one store), which mixed
 * memory with and without a shadow (a compile error found by the fuzzer,
 * seeds 40000 and 40350). The access is split back into a branch with one
 * access per arm, never loading an arm that is not chosen: in `pick_far`
 * the arm not taken indexes past the end of w (ASan run). In a loop, in a
 * helper, with a GEP on each arm, a store, and a memcpy from either array;
 * loads sunk through a phi of the two addresses (`sunk_pick`, `skip_pick`),
 * also with a GEP between (`records_pick`).
 * Analytic checks (central differences for skip_pick) at every level. */
#include "check.h"

#include <cotangent.h>
#include <math.h>
#include <string.h>

static double pick(double *x, const double *w, int n) {
  return cos(w[1] * w[1] < 1.03 ? x[0] : w[n - 1]);
}

static double pick_sum(double *x, const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (w[i] > 0.2 ? x[i] : w[n - 1 - i]) * x[i];
  return s;
}

/* the arm not chosen is out of bounds: j = i + 100 when i is even */
static double pick_far(double *x, const double *w, int n) {
  double s = 0;
  for (int i = 0; i < n; ++i) {
    int j = (i & 1) ? i : i + 100;
    s += sin((i & 1) ? w[j] : x[i]) * x[i];
  }
  return s;
}

/* writes a weight into a differentiable scratch array or a constant log */
static double store_either(double *x, double *scratch, double *log, int n) {
  for (int i = 0; i < n; ++i) {
    double v = 0.5 * i + 1;
    if (i % 3)
      scratch[i] = v;
    else
      log[i] = v;
  }
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += (i % 3 ? scratch[i] : 1.0) * x[i];
  return s;
}

/* copies its weights from x or from w */
static double copy_either(double *x, const double *w, int n) {
  double buf[4];
  memcpy(buf, x[0] < 0.7 ? x : w, sizeof buf);
  double s = 0;
  for (int i = 0; i < n; ++i)
    s += buf[i & 3] * x[i];
  return s;
}

/* the loads of both branches sunk into one load through a phi of the two
   addresses (fuzz seed 60110): a constant array or a local differentiable
   one, by a loop-invariant condition */
static double sunk_pick(double *x, const double *w, int n, double c) {
  double a[5];
  for (int i = 0; i < 5; i++)
    a[i] = 0.25 * x[i] * x[i];
  double s = 0;
  for (int i = 0; i < n; i++)
    s += sin(c > 0.5 ? w[n - 1 - i] : a[(i + 3) % 5]) * x[i];
  return s;
}

/* the same with one arm an address computed before the branch (x itself):
   `if (!c) a = &w[j];` leaves a phi whose x entry comes from the block
   that branches, so the load moves onto a block of its own on that edge
   (fuzz seed 81823; was 'getelementptr mixes memory with and without a
   shadow' at every level) */
static double skip_pick(double *x, const double *w, int n) {
  double s = 0, t = 0.3;
  for (int k = 0; k < 4; k++) {
    t = t * tanh(w[2] - t);
    for (int i = 0; i < n + 1; i++) {
      x[2] = 0.5 * x[2] + 0.25 * x[(k + 1) % n];
      s = fmax(s, 0.8 * ((w[0] < 1.0 ? x[0] : w[(i + 1) % n]) + log1p(0.5 * tanh(x[(i + 2) % n]))));
    }
  }
  return s + t;
}

static double skip_pick_copy(double *x, void *w) { /* skip_pick on a copy: it writes x[2] */
  double y[4];
  memcpy(y, x, sizeof y);
  return skip_pick(y, w, 4);
}

/* the loads of `c ? w[j] : x[j]` and their GEP sunk below the merge with
   the index computed there: `load (gep (phi [w], [x]), j)`, into the
   records of a local array (fuzz seed 130594; was 'getelementptr mixes
   memory with and without a shadow' at every level); with a third source,
   whose choice is a select in one arm of the branch */
typedef struct {
  int id;
  double w;
} Rec;

static double records_pick(const double *w, double *x, const double *v, int n, int three) {
  Rec ra[8];
  double s = 0;
  for (int i = 0; i < n; i++) {
    ra[i].id = i;
    const double *src;
    if (w[n - 1 - i] >= 0.1 && x[(i + 2) % n] < 0.5)
      src = w;
    else if (three && x[i] > 0.25)
      src = x;
    else
      src = three ? v : x;
    ra[i].w = src[(i + 1) % n];
  }
  for (int i = 0; i < n; i++)
    s += ra[i].w * ra[i].w * (ra[i].id + 1);
  return s;
}

/* records_pick's gradient, written out */
static void records_pick_grad(const double *w, const double *x, const double *v, int n, int three, double *g) {
  (void)v;
  for (int i = 0; i < n; i++)
    g[i] = 0;
  for (int i = 0; i < n; i++) {
    int j = (i + 1) % n;
    int from_x = !(w[n - 1 - i] >= 0.1 && x[(i + 2) % n] < 0.5) && (!three || x[i] > 0.25);
    if (from_x)
      g[j] += 2 * x[j] * (i + 1);
  }
}

int main(void) {
  double x[4] = {0.5, 1.25, -0.75, 2.0}, dx[4] = {0}, w[4] = {0.1, 0.3, 0.25, -0.4};
  ct_gradient(pick, x, dx, ct_const(w), 4);
  CHECK_D(dx[0], -sin(0.5));
  CHECK_D(dx[1], 0.0);
  double dy[4] = {0};
  ct_gradient(pick_sum, x, dy, ct_const(w), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dy[i], w[i] > 0.2 ? 2 * x[i] : w[3 - i]);
  double dz[4] = {0};
  ct_gradient(pick_far, x, dz, ct_const(w), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dz[i], (i & 1) ? sin(w[i]) : cos(x[i]) * x[i] + sin(x[i]));
  double scratch[4] = {0}, dscratch[4] = {0}, log[4] = {0}, ds[4] = {0};
  ct_gradient(store_either, x, ds, scratch, dscratch, ct_const(log), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(ds[i], i % 3 ? 0.5 * i + 1 : 1.0);
  double dc[4] = {0};
  ct_gradient(copy_either, x, dc, ct_const(w), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dc[i], 2 * x[i]); /* x[0] = 0.5 < 0.7: buf is x */
  double xw[4] = {0.9, 1.25, -0.75, 2.0}, dw[4] = {0};
  ct_gradient(copy_either, xw, dw, ct_const(w), 4);
  for (int i = 0; i < 4; ++i)
    CHECK_D(dw[i], w[i]);
  double x5[5] = {0.5, 1.25, -0.75, 2.0, 0.3}, w5[5] = {0.1, 0.3, 0.25, -0.4, 0.7}, dp[5] = {0}, dq[5] = {0};
  ct_gradient(sunk_pick, x5, dp, ct_const(w5), 5, ct_const(0.2));
  for (int k = 0; k < 5; k++) { /* term k reads a[(k + 3) % 5]; a_k feeds term (k + 2) % 5 */
    int j = (k + 3) % 5, t = (k + 2) % 5;
    CHECK_D(dp[k], sin(0.25 * x5[j] * x5[j]) + cos(0.25 * x5[k] * x5[k]) * 0.5 * x5[k] * x5[t]);
  }
  ct_gradient(sunk_pick, x5, dq, ct_const(w5), 5, ct_const(0.7));
  for (int i = 0; i < 5; i++)
    CHECK_D(dq[i], sin(w5[4 - i]));
  double xs[4] = {0.5, 1.25, -0.75, 2.0}, ws[4] = {0.1, 0.3, 0.25, -0.4}, wbig[4] = {1.5, 0.3, 0.25, -0.4};
  double x0[4], dk[4] = {0}, dbig[4] = {0};
  memcpy(x0, xs, sizeof x0);
  ct_gradient(skip_pick, xs, dk, ct_const(ws), 4);
  CHECK_FD_GRADIENT("skip_pick", skip_pick_copy, ws, x0, 4, dk, 1e-6, 1e-7);
  CHECK(dk[0] != 0);
  memcpy(xs, x0, sizeof xs);
  ct_gradient(skip_pick, xs, dbig, ct_const(wbig), 4);
  CHECK_FD_GRADIENT("skip_pick (w arm)", skip_pick_copy, wbig, x0, 4, dbig, 1e-6, 1e-7);
  double rw[6] = {0.3, -0.2, 0.4, 1.3, 0.05, 0.6}, rx[6] = {0.2, 0.7, -0.1, 0.3, 0.9, 0.4};
  double rv[6] = {1, 2, 3, 4, 5, 6};
  for (int three = 0; three < 2; three++) {
    double dr[6] = {0}, want[6];
    ct_gradient(records_pick, ct_const(rw), rx, dr, ct_const(rv), 6, ct_const(three));
    records_pick_grad(rw, rx, rv, 6, three, want);
    int nonzero = 0;
    for (int i = 0; i < 6; i++) {
      CHECK_D(dr[i], want[i]);
      nonzero += want[i] != 0;
    }
    CHECK(nonzero >= 2);
  }
  return check_summary("select_const_and_dup");
}
