// The arithmetic kernels that exist once per instruction set (the GEMM and RMSprop), the one
// description of a product they all take, and the table through which digitkit-native.cc picks
// the path at run time. Each path is compiled in its own file with its own flags
// (binding.gyp), so the addon builds on any x86-64 or arm64 compiler and a CPU runs only the
// instructions it has.
#pragma once

#include <cstdint>

namespace dk {

// C[i, j] = post(init + Σ_k A[i, k]·B[k, j]) for an m × n block of C.
struct Gemm {
  float* c;
  int64_t ldc;
  const float* a;
  int64_t ars, acs;  // A[i, k] = a[i * ars + k * acs]
  const float* b;
  int64_t ldb;
  int64_t m, n, k;
  const float* bias;  // per row of C (per column when colBias), or null
  bool colBias;
  bool relu;
  const float* mask;  // C[i, j] is kept only where mask[i * ldm + j] > 0, or null
  int64_t ldm;
  bool accumulate = false;  // start from C (a later block of k), not from the bias
};

using GemmFn = void (*)(const Gemm&);
// params[i] -= rate·g / (√ms + ε) after ms = ρ·ms + (1 − ρ)·g², for i in [lo, hi).
using RmspropFn = void (*)(float* params, float* ms, const float* grad, int64_t lo, int64_t hi,
                           float rate);

struct Isa {
  const char* name;
  GemmFn gemm;
  RmspropFn rmsprop;
};

// Repeatability: every path computes each element of C as its init (0, the bias or C itself)
// followed by one multiply-add per k in increasing k, whatever the block it falls in or how the
// work is split. The vector paths fuse it (one rounding: fma), the plain path does not (a
// product then a sum, so any compiler gives the same bits); the naive references do exactly
// either, element by element, and the tests hold each path to its reference bit for bit.
Isa plainIsa();
Isa naiveIsa(bool fused);
#if defined(__x86_64__) || defined(_M_X64)
Isa avx2Isa();
Isa avx512Isa();
#endif

}  // namespace dk
