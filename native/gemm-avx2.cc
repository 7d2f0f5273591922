// The GEMM and RMSprop of gemm-impl.h on AVX2 + FMA (8 floats a register, 16 registers),
// compiled with -mavx2 -mfma (binding.gyp) and run only where the CPU reports both.
#if defined(__x86_64__) || defined(_M_X64)
#include "gemm-impl.h"
#include "gemm-x86-ops.h"

namespace dk {
namespace {

struct Avx2 {
  using T = __m256;
  using Mask = __m256i;
  static constexpr int W = 8, NV = 2;  // 6 × 16 blocks: 12 accumulators of 16 registers
  DK_X86_VEC_OPS(_mm256)
  static Mask mask(int64_t count) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(count)),
                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static T load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static void store(float* p, T x, Mask m) { _mm256_maskstore_ps(p, m, x); }
  static T keepWherePositive(T x, T m) {
    return _mm256_and_ps(x, _mm256_cmp_ps(m, zero(), _CMP_GT_OQ));
  }
};

}  // namespace

Isa avx2Isa() { return impl::isa<Avx2>("avx2"); }

}  // namespace dk
#endif
