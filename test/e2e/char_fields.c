/* Structs with char fields beside doubles (flags, tags, char arrays),
 * allocated on the heap, written, copied field by field and tested in the
 * differentiated function. Single-byte accesses of such structs are not
 * byte copies of doubles: they must neither be rejected (they were at
 * -O1..-O3, where TBAA types them "char", and a copied flag at -O0) nor
 * change the gradient. Checked against the analytic gradient. */
#include "check.h"
#include <cotangent.h>
#include <stdlib.h>

typedef struct {
  double v;
  char flag;
  unsigned char tag[3];
  double w;
} item;

static item *make_items(const double *x, int n) {
  item *s = malloc((size_t)n * sizeof *s);
  for (int i = 0; i < n; i++) {
    s[i].v = x[i] * x[i];
    s[i].flag = (char)(i % 3 == 1);
    s[i].tag[i % 3] = (unsigned char)i;
    s[i].w = x[i];
  }
  return s;
}

/* flags shifted by one (a char copied between structs), then summed:
 * r = sum over i of (flag'[i] ? x_i^2 : 3 x_i) */
static double f(const double *x, int n) {
  item *s = make_items(x, n);
  for (int i = n - 1; i > 0; i--)
    s[i].flag = s[i - 1].flag;
  s[0].flag = 1;
  double r = 0;
  for (int i = 0; i < n; i++)
    r += s[i].flag ? s[i].v : s[i].w * 3;
  free(s);
  return r;
}

int main(void) {
  enum { N = 7 };
  double x[N], dx[N] = {0};
  for (int i = 0; i < N; i++)
    x[i] = 0.5 + 0.25 * i;
  ct_gradient(f, x, dx, N);
  for (int i = 0; i < N; i++) {
    int flag = i == 0 || (i - 1) % 3 == 1;
    CHECK_D(dx[i], flag ? 2 * x[i] : 3.0);
  }
  return check_summary("char_fields");
}
