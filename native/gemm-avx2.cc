// The GEMM and RMSprop of gemm-impl.h on AVX2 + FMA (8 floats a register, 16 registers),
// compiled with -mavx2 -mfma (binding.gyp) and run only where the CPU reports both.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>

#include "gemm-impl.h"

namespace dk {
namespace {

struct Avx2 {
  using T = __m256;
  using Mask = __m256i;
  static constexpr int W = 8, NV = 2;  // 6 × 16 blocks: 12 accumulators of 16 registers
  static Mask mask(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static T zero() { return _mm256_setzero_ps(); }
  static T set1(float x) { return _mm256_set1_ps(x); }
  static T load(const float* p) { return _mm256_loadu_ps(p); }
  static T load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, T x, Mask m) { _mm256_maskstore_ps(p, m, x); }
  static T fma(T a, T b, T c) { return _mm256_fmadd_ps(a, b, c); }
  static T add(T a, T b) { return _mm256_add_ps(a, b); }
  static T sub(T a, T b) { return _mm256_sub_ps(a, b); }
  static T mul(T a, T b) { return _mm256_mul_ps(a, b); }
  static T div(T a, T b) { return _mm256_div_ps(a, b); }
  static T sqrt(T a) { return _mm256_sqrt_ps(a); }
  static T relu(T x) { return _mm256_max_ps(x, zero()); }
  static T keepWherePositive(T x, T m) {
    return _mm256_and_ps(x, _mm256_cmp_ps(m, zero(), _CMP_GT_OQ));
  }
};

}  // namespace

Isa avx2Isa() { return {"avx2", impl::gemm<Avx2>, impl::rmsprop<Avx2>}; }

}  // namespace dk
#endif
