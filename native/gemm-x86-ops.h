// The vector operations gemm-impl.h asks of a path that AVX2 and AVX-512 spell alike but for
// their intrinsics' prefix (_mm256 or _mm512): written once, pasted into each path's Vec by
// DK_X86_VEC_OPS(prefix). What differs between the two (the register type, the width, tail
// masks and the relu-gradient select) stays in gemm-avx2.cc and gemm-avx512.cc. Included only
// by those two files, each compiled with its own instruction set flags (binding.gyp).
#pragma once

#include <immintrin.h>

#define DK_X86_VEC_OPS(P)                                          \
  static T zero() { return P##_setzero_ps(); }                     \
  static T set1(float x) { return P##_set1_ps(x); }                \
  static T load(const float* p) { return P##_loadu_ps(p); }        \
  static T fma(T a, T b, T c) { return P##_fmadd_ps(a, b, c); }    \
  static T add(T a, T b) { return P##_add_ps(a, b); }              \
  static T sub(T a, T b) { return P##_sub_ps(a, b); }              \
  static T mul(T a, T b) { return P##_mul_ps(a, b); }              \
  static T div(T a, T b) { return P##_div_ps(a, b); }              \
  static T sqrt(T a) { return P##_sqrt_ps(a); }                    \
  static T relu(T x) { return P##_max_ps(x, zero()); }
