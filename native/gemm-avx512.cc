// The GEMM and RMSprop of gemm-impl.h on AVX-512 (16 floats a register, 32 registers), compiled
// with -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma (binding.gyp) and run only where the
// CPU reports all of them.
#if defined(__x86_64__) || defined(_M_X64)
#include "gemm-impl.h"
#include "gemm-x86-ops.h"

namespace dk {
namespace {

struct Avx512 {
  using T = __m512;
  using Mask = __mmask16;
  static constexpr int W = 16, NV = 4;  // 6 × 64 blocks: 24 accumulators of 32 registers
  DK_X86_VEC_OPS(_mm512)
  static Mask mask(int64_t count) {
    return static_cast<Mask>(count >= 16 ? 0xFFFF : (1u << count) - 1);
  }
  static T load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static void store(float* p, T x, Mask m) { _mm512_mask_storeu_ps(p, m, x); }
  static T keepWherePositive(T x, T m) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(m, zero(), _CMP_GT_OQ), x);
  }
};

}  // namespace

Isa avx512Isa() { return impl::isa<Avx512>("avx512"); }

}  // namespace dk
#endif
