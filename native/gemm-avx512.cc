// The GEMM and RMSprop of gemm-impl.h on AVX-512 (16 floats a register, 32 registers), compiled
// with -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma (binding.gyp) and run only where the
// CPU reports all of them.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "gemm-impl.h"

namespace dk {
namespace {

struct Avx512 {
  using T = __m512;
  using Mask = __mmask16;
  static constexpr int W = 16, NV = 4;  // 6 × 64 blocks: 24 accumulators of 32 registers
  static Mask mask(int64_t count) {
    return static_cast<Mask>(count >= 16 ? 0xFFFF : (1u << count) - 1);
  }
  static T zero() { return _mm512_setzero_ps(); }
  static T set1(float x) { return _mm512_set1_ps(x); }
  static T load(const float* p) { return _mm512_loadu_ps(p); }
  static T load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, T x, Mask m) { _mm512_mask_storeu_ps(p, m, x); }
  static T fma(T a, T b, T c) { return _mm512_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm512_add_ps(a, b); }
  static T sub(T a, T b) { return _mm512_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm512_mul_ps(a, b); }
  static T div(T a, T b) { return _mm512_div_ps(a, b); }
  static T sqrt(T a) { return _mm512_sqrt_ps(a); }
  static T relu(T x) { return _mm512_max_ps(x, zero()); }
  static T keepWherePositive(T x, T m) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(m, zero(), _CMP_GT_OQ), x);
  }
};

}  // namespace

Isa avx512Isa() { return {"avx512", impl::gemm<Avx512>, impl::rmsprop<Avx512>}; }

}  // namespace dk
#endif
