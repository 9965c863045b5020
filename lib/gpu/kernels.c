/* The GPU primitives and their adjoints, as device C for clang's NVPTX
 * backend (built into PTX at build time, embedded in the runtime and
 * launched by launch.c). The same source compiles for the host under the
 * SIMT emulator of the tests (test/gpu/runtime_kernels.c checks it).
 *
 * Launch shape (launch.c): 1-D grids of CT_GPU_BLOCK threads. Element-wise
 * kernels use grid-stride loops; reductions reduce per block in shared
 * memory and add the block's sum atomically into a zeroed result; the row
 * kernels (softmax, logsumexp) run one block per row. Matrices are
 * row-major. Adjoint kernels add into their outputs (d* += ...). */
#include <cotangent_gpu.h>

#define CT_GPU_BLOCK 128

/* exp and log without libm (a device has none without libdevice):
 * argument reduction, then a polynomial / series accurate to ~1 ulp. */
static double gpu_exp(double x) {
  if (x > 709.0)
    return __builtin_inf();
  if (x < -745.0)
    return 0.0;
  double k = __builtin_floor(x * 1.4426950408889634 + 0.5); /* x = k ln2 + r */
  double r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10;
  double term = 1.0, sum = 1.0;
  for (int i = 1; i < 16; ++i) {
    term *= r / i;
    sum += term;
  }
  /* 2^k in two steps, so k near the limits does not overflow the exponent */
  long long k1 = (long long)k / 2, k2 = (long long)k - k1;
  union { double d; unsigned long long u; } a = {.u = (unsigned long long)(k1 + 1023) << 52},
                                            b = {.u = (unsigned long long)(k2 + 1023) << 52};
  return sum * a.d * b.d;
}

static double gpu_log(double x) {
  if (!(x > 0.0))
    return x == 0.0 ? -__builtin_inf() : __builtin_nan("");
  if (x == __builtin_inf())
    return x;
  union { double d; unsigned long long u; } v = {.d = x};
  int e = 0;
  if (x < 2.2250738585072014e-308) { /* subnormal: scale up first */
    v.d = x * 18014398509481984.0; /* 2^54 */
    e = -54;
  }
  e += (int)((v.u >> 52) & 0x7ff) - 1023;
  v.u = (v.u & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL; /* m in [1, 2) */
  double m = v.d;
  if (m > 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  double s = (m - 1.0) / (m + 1.0), s2 = s * s, term = s, sum = 0.0; /* log m = 2 atanh s */
  for (int i = 1; i < 40; i += 2) {
    sum += term / i;
    term *= s2;
  }
  return 2.0 * sum + e * 0.69314718055994530942;
}

static CT_SHARED double scratch[CT_GPU_BLOCK];

/* The block's sum of v (every thread of the block calls it), added
 * atomically into *out by thread 0. */
static void block_sum_into(double v, double *out) {
  int t = ct_thread_idx();
  scratch[t] = v;
  ct_sync_threads();
  for (int s = CT_GPU_BLOCK / 2; s > 0; s /= 2) {
    if (t < s)
      scratch[t] += scratch[t + s];
    ct_sync_threads();
  }
  if (t == 0)
    ct_atomic_add(out, scratch[0]);
  ct_sync_threads();
}

/* The block's maximum of v, returned to every thread. */
static double block_max(double v) {
  int t = ct_thread_idx();
  scratch[t] = v;
  ct_sync_threads();
  for (int s = CT_GPU_BLOCK / 2; s > 0; s /= 2) {
    if (t < s && scratch[t + s] > scratch[t])
      scratch[t] = scratch[t + s];
    ct_sync_threads();
  }
  double m = scratch[0];
  ct_sync_threads();
  return m;
}

/* The block's sum of v, returned to every thread. */
static double block_sum(double v) {
  int t = ct_thread_idx();
  scratch[t] = v;
  ct_sync_threads();
  for (int s = CT_GPU_BLOCK / 2; s > 0; s /= 2) {
    if (t < s)
      scratch[t] += scratch[t + s];
    ct_sync_threads();
  }
  double r = scratch[0];
  ct_sync_threads();
  return r;
}

#define GRID_STRIDE(i, n)                                                                         \
  for (int i = ct_block_idx() * ct_block_dim() + ct_thread_idx(); i < (n); i += ct_block_dim() * ct_grid_dim())

/* *out += sum x (out zeroed by the launcher) */
CT_KERNEL void ct_gpu_sum_kernel(int n, const double *x, double *out) {
  double acc = 0;
  GRID_STRIDE(i, n) acc += x[i];
  block_sum_into(acc, out);
}

/* dx[i] += seed */
CT_KERNEL void ct_gpu_sum_adjoint_kernel(int n, double seed, double *dx) {
  GRID_STRIDE(i, n) dx[i] += seed;
}

/* *out += x . y */
CT_KERNEL void ct_gpu_dot_kernel(int n, const double *x, const double *y, double *out) {
  double acc = 0;
  GRID_STRIDE(i, n) acc += x[i] * y[i];
  block_sum_into(acc, out);
}

/* dx += seed y, dy += seed x */
CT_KERNEL void ct_gpu_dot_adjoint_kernel(int n, const double *x, const double *y, double seed, double *dx,
                                         double *dy) {
  GRID_STRIDE(i, n) {
    dx[i] += seed * y[i];
    dy[i] += seed * x[i];
  }
}

/* y += a x */
CT_KERNEL void ct_gpu_axpy_kernel(int n, double a, const double *x, double *y) {
  GRID_STRIDE(i, n) y[i] += a * x[i];
}

/* from dy (the adjoint of y after the update): dx += a dy, *da += x . dy
 * (dy itself passes through unchanged) */
CT_KERNEL void ct_gpu_axpy_adjoint_kernel(int n, double a, const double *x, const double *dy, double *dx,
                                          double *da) {
  double acc = 0;
  GRID_STRIDE(i, n) {
    dx[i] += a * dy[i];
    acc += x[i] * dy[i];
  }
  block_sum_into(acc, da);
}

/* y = A x, A m x n: one thread per row */
CT_KERNEL void ct_gpu_gemv_kernel(int m, int n, const double *A, const double *x, double *y) {
  GRID_STRIDE(i, m) {
    double acc = 0;
    for (int j = 0; j < n; ++j)
      acc += A[(long)i * n + j] * x[j];
    y[i] = acc;
  }
}

/* dA += dy x^T, dx += A^T dy: one thread per column */
CT_KERNEL void ct_gpu_gemv_adjoint_kernel(int m, int n, const double *A, const double *x, const double *dy,
                                          double *dA, double *dx) {
  GRID_STRIDE(j, n) {
    double acc = 0;
    for (int i = 0; i < m; ++i) {
      dA[(long)i * n + j] += dy[i] * x[j];
      acc += A[(long)i * n + j] * dy[i];
    }
    dx[j] += acc;
  }
}

/* C = A B, A m x k, B k x n: one thread per element of C */
CT_KERNEL void ct_gpu_gemm_kernel(int m, int n, int k, const double *A, const double *B, double *C) {
  GRID_STRIDE(e, m * n) {
    int i = e / n, j = e % n;
    double acc = 0;
    for (int p = 0; p < k; ++p)
      acc += A[(long)i * k + p] * B[(long)p * n + j];
    C[e] = acc;
  }
}

/* dA += dC B^T (one thread per element of A), dB += A^T dC (one per
 * element of B) */
CT_KERNEL void ct_gpu_gemm_adjoint_kernel(int m, int n, int k, const double *A, const double *B, const double *dC,
                                          double *dA, double *dB) {
  GRID_STRIDE(e, m * k) {
    int i = e / k, p = e % k;
    double acc = 0;
    for (int j = 0; j < n; ++j)
      acc += dC[(long)i * n + j] * B[(long)p * n + j];
    dA[e] += acc;
  }
  GRID_STRIDE(e, k * n) {
    int p = e / n, j = e % n;
    double acc = 0;
    for (int i = 0; i < m; ++i)
      acc += A[(long)i * k + p] * dC[(long)i * n + j];
    dB[e] += acc;
  }
}

/* y[r,:] = softmax(x[r,:]), one block per row r (grid = rows) */
CT_KERNEL void ct_gpu_softmax_kernel(int rows, int n, const double *x, double *y) {
  for (int r = ct_block_idx(); r < rows; r += ct_grid_dim()) {
    const double *xr = x + (long)r * n;
    double *yr = y + (long)r * n;
    double m = -__builtin_inf();
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      m = xr[j] > m ? xr[j] : m;
    m = block_max(m);
    double s = 0;
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      s += gpu_exp(xr[j] - m);
    s = block_sum(s);
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      yr[j] = gpu_exp(xr[j] - m) / s;
  }
}

/* dx[r,:] += y (dy - y . dy), from the softmax output y */
CT_KERNEL void ct_gpu_softmax_adjoint_kernel(int rows, int n, const double *y, const double *dy, double *dx) {
  for (int r = ct_block_idx(); r < rows; r += ct_grid_dim()) {
    const double *yr = y + (long)r * n, *dyr = dy + (long)r * n;
    double s = 0;
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      s += yr[j] * dyr[j];
    s = block_sum(s);
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      dx[(long)r * n + j] += yr[j] * (dyr[j] - s);
  }
}

/* out[r] = log sum_j exp(x[r,j]), one block per row */
CT_KERNEL void ct_gpu_logsumexp_kernel(int rows, int n, const double *x, double *out) {
  for (int r = ct_block_idx(); r < rows; r += ct_grid_dim()) {
    const double *xr = x + (long)r * n;
    double m = -__builtin_inf();
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      m = xr[j] > m ? xr[j] : m;
    m = block_max(m);
    double s = 0;
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      s += gpu_exp(xr[j] - m);
    s = block_sum(s);
    if (ct_thread_idx() == 0)
      out[r] = m + gpu_log(s);
  }
}

/* dx[r,j] += seed[r] exp(x[r,j] - out[r]), from the result out */
CT_KERNEL void ct_gpu_logsumexp_adjoint_kernel(int rows, int n, const double *x, const double *out,
                                               const double *seed, double *dx) {
  for (int r = ct_block_idx(); r < rows; r += ct_grid_dim())
    for (int j = ct_thread_idx(); j < n; j += ct_block_dim())
      dx[(long)r * n + j] += seed[r] * gpu_exp(x[(long)r * n + j] - out[r]);
}
