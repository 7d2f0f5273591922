// The GEMM and RMSprop of gemm-impl.h in plain C++: a "register" of 4 floats whose operations
// the compiler turns into SSE2 on any x86-64 and NEON on arm64 (6 × 8 blocks: 12 accumulators
// fit the 16 xmm registers). No
// fused multiply-add (baseline x86-64 has none): a product, then a sum, which every compiler
// rounds the same way. Also the naive references of kernels.h.
#include <cmath>
#include <cstring>

#include "gemm-impl.h"

namespace dk {
namespace {

#if defined(__GNUC__) || defined(__clang__)
// GCC's and Clang's portable vector types (no instruction set named): the compiler lowers each
// operation to SSE2 or NEON, and keeps the accumulators in registers, which it does not reliably
// do for arrays of floats.
struct Plain {
  static constexpr int W = 4, NV = 2;
  typedef float T __attribute__((vector_size(16)));
  typedef int32_t I __attribute__((vector_size(16)));
  using Mask = int;  // how many leading lanes are real
  static Mask mask(int64_t count) { return count >= W ? W : static_cast<int>(count); }
  static T zero() { return T{0.0f, 0.0f, 0.0f, 0.0f}; }
  static T set1(float x) { return T{x, x, x, x}; }
  static T load(const float* p) {
    T r;
    std::memcpy(&r, p, sizeof r);
    return r;
  }
  static T load(const float* p, Mask m) {
    if (m == W) return load(p);
    T r = zero();
    std::memcpy(&r, p, m * sizeof(float));
    return r;
  }
  static void store(float* p, T x, Mask m) { std::memcpy(p, &x, m * sizeof(float)); }
  static T add(T a, T b) { return a + b; }
  static T sub(T a, T b) { return a - b; }
  static T mul(T a, T b) { return a * b; }
  static T div(T a, T b) { return a / b; }
  static T fma(T a, T b, T c) { return c + a * b; }  // two roundings: -ffp-contract=off
  static T sqrt(T a) {
    for (int i = 0; i < W; i++) a[i] = std::sqrt(a[i]);
    return a;
  }
  static T keepWherePositive(T x, T m) {
    const I keep = m > zero();  // all ones where m > 0 (false for NaN)
    return reinterpret_cast<T>(reinterpret_cast<I>(x) & keep);
  }
  static T relu(T x) { return keepWherePositive(x, x); }
};
#else
// Other compilers: the same in arrays of floats.
struct Plain {
  static constexpr int W = 4, NV = 2;
  struct T {
    float v[W];
  };
  using Mask = int;  // how many leading lanes are real
  static Mask mask(int64_t count) { return count >= W ? W : static_cast<int>(count); }
  static T zero() { return set1(0.0f); }
  static T set1(float x) {
    T r;
    for (int i = 0; i < W; i++) r.v[i] = x;
    return r;
  }
  static T load(const float* p) {
    T r;
    for (int i = 0; i < W; i++) r.v[i] = p[i];
    return r;
  }
  static T load(const float* p, Mask m) {
    T r = zero();
    for (int i = 0; i < m; i++) r.v[i] = p[i];
    return r;
  }
  static void store(float* p, T x, Mask m) {
    for (int i = 0; i < m; i++) p[i] = x.v[i];
  }
#define DK_LANES(name, expr)                   \
  static T name(T a, T b) {                    \
    T r;                                       \
    for (int i = 0; i < W; i++) r.v[i] = expr; \
    return r;                                  \
  }
  DK_LANES(add, a.v[i] + b.v[i])
  DK_LANES(sub, a.v[i] - b.v[i])
  DK_LANES(mul, a.v[i] * b.v[i])
  DK_LANES(div, a.v[i] / b.v[i])
  DK_LANES(keepWherePositive, b.v[i] > 0.0f ? a.v[i] : 0.0f)
#undef DK_LANES
  static T fma(T a, T b, T c) {
    T r;
    for (int i = 0; i < W; i++) r.v[i] = c.v[i] + a.v[i] * b.v[i];
    return r;
  }
  static T sqrt(T a) {
    for (int i = 0; i < W; i++) a.v[i] = std::sqrt(a.v[i]);
    return a;
  }
  static T relu(T x) { return keepWherePositive(x, x); }
};
#endif

// The naive references (llm.c's matmul_forward_naive beside matmul_forward): one element at a
// time, k in order, as plainly as the definition in kernels.h reads. Fused: std::fma, which the
// vector paths' fma rounds identically; unfused: the plain path's product then sum.
template <bool Fused>
void gemmNaive(const Gemm& g) {
  for (int64_t i = 0; i < g.m; i++)
    for (int64_t j = 0; j < g.n; j++) {
      float sum = g.accumulate ? g.c[i * g.ldc + j]
                  : g.bias     ? g.bias[g.colBias ? j : i]
                               : 0.0f;
      for (int64_t q = 0; q < g.k; q++) {
        const float a = g.a[i * g.ars + q * g.acs], b = g.b[q * g.ldb + j];
        sum = Fused ? std::fma(a, b, sum) : sum + a * b;
      }
      if (g.relu && !(sum > 0.0f)) sum = 0.0f;
      if (g.mask && !(g.mask[i * g.ldm + j] > 0.0f)) sum = 0.0f;
      g.c[i * g.ldc + j] = sum;
    }
}

void rmspropNaive(float* params, float* ms, const float* grad, int64_t lo, int64_t hi,
                  float rate) {
  const float rho = 0.9f, eps = 1e-7f;
  for (int64_t i = lo; i < hi; i++) {
    const float g = grad[i];
    const float m = rho * ms[i] + (1.0f - rho) * g * g;
    ms[i] = m;
    params[i] -= rate * g / (std::sqrt(m) + eps);
  }
}

}  // namespace

Isa plainIsa() { return impl::isa<Plain>("plain"); }

Isa naiveIsa(bool fused) {
  return {fused ? "naive-fused" : "naive", fused ? gemmNaive<true> : gemmNaive<false>,
          rmspropNaive};
}

}  // namespace dk
