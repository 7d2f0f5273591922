// The GEMM and RMSprop written once over a vector type `Vec` (one per instruction set: see
// gemm-plain.cc, gemm-avx2.cc, gemm-avx512.cc, each of which defines Vec and includes this
// file). Vec gives W floats per register, NV registers per row of a block of C (NR = NV·W
// columns) and the few operations used below.
//
// Per element of C: its init, then one Vec::fma per k in increasing k (see kernels.h), so the
// blocking and packing below change where values sit in memory, never the arithmetic.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "kernels.h"

namespace dk {
namespace impl {

constexpr int MR = 6;

// One MR × (NV·W) block of C from kc rows of a packed B panel (rows `ldp` floats apart, zero
// beyond the real columns, so the k loop needs no masks); `rows` (≤ MR) and `cols` (≤ NR) of the
// block are real. `first`: start from the bias (or zero), else from C (a later block of k);
// `last`: apply relu and the mask on the way out.
template <class Vec, int R, int NV>
inline void block(const Gemm& g, int64_t i0, int64_t j0, int64_t cols, const float* ap,
                  const float* bp, int64_t ldp, int64_t kc, bool first, bool last) {
  constexpr int W = Vec::W;
  const typename Vec::Mask full = Vec::mask(W), tail = Vec::mask(cols - (NV - 1) * W);
  typename Vec::T acc[R][NV];
  if (!first) {
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++)
        acc[r][v] = Vec::load(g.c + (i0 + r) * g.ldc + j0 + v * W, v == NV - 1 ? tail : full);
    }
  } else if (g.bias && g.colBias) {
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const typename Vec::T init = Vec::load(g.bias + j0 + v * W, v == NV - 1 ? tail : full);
#pragma GCC unroll 8
      for (int r = 0; r < R; r++) acc[r][v] = init;
    }
  } else {
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      const typename Vec::T init = g.bias ? Vec::set1(g.bias[i0 + r]) : Vec::zero();
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = init;
    }
  }
  // Locals, so the compiler keeps the accumulators in registers through the loop (the unroll
  // pragmas matter as much: without them GCC stores every accumulator on each k).
  const int64_t ars = g.ars, acs = g.acs;
  for (int64_t k = 0; k < kc; k++) {
    typename Vec::T bv[NV];
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) bv[v] = Vec::load(bp + v * W);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      const typename Vec::T av = Vec::set1(ap[r * ars]);
#pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = Vec::fma(av, bv[v], acc[r][v]);
    }
    ap += acs;
    bp += ldp;
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++) {
    float* cp = g.c + (i0 + r) * g.ldc + j0;
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const typename Vec::Mask store = v == NV - 1 ? tail : full;
      typename Vec::T x = acc[r][v];
      if (last && g.relu) x = Vec::relu(x);
      if (last && g.mask)
        x = Vec::keepWherePositive(x, Vec::load(g.mask + (i0 + r) * g.ldm + j0 + v * W, store));
      Vec::store(cp + v * W, x, store);
    }
  }
}

template <class Vec, int NV>
inline void rows(int64_t mr, const Gemm& g, int64_t i0, int64_t j0, int64_t cols,
                 const float* ap, const float* bp, int64_t ldp, int64_t kc, bool first,
                 bool last) {
  switch (mr) {
    case 6: return block<Vec, 6, NV>(g, i0, j0, cols, ap, bp, ldp, kc, first, last);
    case 5: return block<Vec, 5, NV>(g, i0, j0, cols, ap, bp, ldp, kc, first, last);
    case 4: return block<Vec, 4, NV>(g, i0, j0, cols, ap, bp, ldp, kc, first, last);
    case 3: return block<Vec, 3, NV>(g, i0, j0, cols, ap, bp, ldp, kc, first, last);
    case 2: return block<Vec, 2, NV>(g, i0, j0, cols, ap, bp, ldp, kc, first, last);
    default: return block<Vec, 1, NV>(g, i0, j0, cols, ap, bp, ldp, kc, first, last);
  }
}

// The narrowest block of NV' ≤ NV vectors that covers nv vectors (the last column panel).
template <class Vec, int NV>
inline void panel(int64_t nv, int64_t mr, const Gemm& g, int64_t i0, int64_t j0, int64_t cols,
                  const float* ap, const float* bp, int64_t ldp, int64_t kc, bool first,
                  bool last) {
  if constexpr (NV > 1) {
    if (nv < NV) return panel<Vec, NV - 1>(nv, mr, g, i0, j0, cols, ap, bp, ldp, kc, first, last);
  }
  rows<Vec, NV>(mr, g, i0, j0, cols, ap, bp, ldp, kc, first, last);
}

// Copies rows [k0, k0 + kc) of columns [j0, j0 + nc) of B into panels of NR columns, each kc
// rows of NR floats, zero beyond column nc. Copying changes no arithmetic.
inline void packB(const Gemm& g, int64_t k0, int64_t kc, int64_t j0, int64_t nc, int64_t NR,
                  float* out) {
  for (int64_t p = 0; p < nc; p += NR) {
    const int64_t cols = nc - p < NR ? nc - p : NR;
    const float* src = g.b + k0 * g.ldb + j0 + p;
    for (int64_t k = 0; k < kc; k++, out += NR, src += g.ldb) {
      std::memcpy(out, src, cols * sizeof(float));
      if (cols < NR) std::memset(out + cols, 0, (NR - cols) * sizeof(float));
    }
  }
}

template <class Vec>
void gemm(const Gemm& g) {
  constexpr int64_t W = Vec::W, NV = Vec::NV, NR = NV * W;
  // Blocks of k up to 512 (one block for the Dense engine's products), so a block of packed B
  // stays in L2 while every row block of A passes it, and blocks of NC columns likewise. C
  // holds the partial sums between blocks of k, which continue in the same order: the same bits
  // as one pass.
  const int64_t kBlocks = g.k > 512 ? (g.k + 511) / 512 : 1;
  const int64_t KC = ((g.k + kBlocks - 1) / kBlocks + 7) / 8 * 8;
  const int64_t NC = std::max<int64_t>(NR, 65536 / std::max<int64_t>(KC, 1) / NR * NR);
  thread_local std::vector<float> packed;
  const int64_t ncMax = g.n < NC ? (g.n + NR - 1) / NR * NR : NC;
  if (packed.size() < static_cast<size_t>(KC * ncMax)) packed.resize(KC * ncMax);
  for (int64_t jc = 0; jc < g.n; jc += NC) {
    const int64_t nc = g.n - jc < NC ? g.n - jc : NC;
    for (int64_t k0 = 0; k0 < g.k || k0 == 0; k0 += KC) {
      const int64_t kc = g.k - k0 < KC ? g.k - k0 : KC;
      const bool first = k0 == 0, last = k0 + KC >= g.k;
      // A few rows of A use each element of B once or twice: then packing costs more than it
      // saves, and the full panels are read where they are (only a narrower last one, which
      // the k loop would read past, is packed).
      const bool direct = g.m <= 2 * MR;
      const int64_t fullCols = direct ? nc / NR * NR : 0;
      packB(g, k0, kc, jc + fullCols, nc - fullCols, NR, packed.data());
      // Row blocks outside: a block of A (MR rows × kc) stays in L1 across the column panels.
      for (int64_t i0 = 0; i0 < g.m; i0 += MR) {
        const int64_t mr = g.m - i0 < MR ? g.m - i0 : MR;
        const float* ap = g.a + i0 * g.ars + k0 * g.acs;
        for (int64_t p = 0; p < nc; p += NR) {
          const int64_t cols = nc - p < NR ? nc - p : NR;
          const bool here = p < fullCols;
          const float* bp = here ? g.b + k0 * g.ldb + jc + p : packed.data() + (p - fullCols) * kc;
          const int64_t ldp = here ? g.ldb : NR;
          panel<Vec, NV>((cols + W - 1) / W, mr, g, i0, jc + p, cols, ap, bp, ldp, kc, first, last);
        }
      }
    }
  }
}

// RMSprop as optimizers.ts defines it, W at a time, then the same steps one by one for the tail
// (IEEE sqrt and division are exact in either form, so every element gets the same bits).
template <class Vec>
void rmsprop(float* __restrict params, float* __restrict ms, const float* __restrict grad,
             int64_t lo, int64_t hi, float rate) {
  const float rho = 0.9f, eps = 1e-7f;
  constexpr int W = Vec::W;
  const typename Vec::T vrho = Vec::set1(rho), vone = Vec::set1(1.0f - rho);
  const typename Vec::T veps = Vec::set1(eps), vrate = Vec::set1(rate);
  const typename Vec::Mask full = Vec::mask(W);
  int64_t i = lo;
  for (; i + W <= hi; i += W) {
    const typename Vec::T g = Vec::load(grad + i);
    const typename Vec::T m =
        Vec::add(Vec::mul(vrho, Vec::load(ms + i)), Vec::mul(Vec::mul(vone, g), g));
    Vec::store(ms + i, m, full);
    const typename Vec::T step = Vec::div(Vec::mul(vrate, g), Vec::add(Vec::sqrt(m), veps));
    Vec::store(params + i, Vec::sub(Vec::load(params + i), step), full);
  }
  for (; i < hi; i++) {
    const float g = grad[i];
    const float m = rho * ms[i] + (1.0f - rho) * g * g;
    ms[i] = m;
    params[i] -= rate * g / (std::sqrt(m) + eps);
  }
}

// A path's entry in the table of kernels.h: its GEMM and RMSprop over Vec.
template <class Vec>
Isa isa(const char* name) {
  return {name, gemm<Vec>, rmsprop<Vec>};
}

}  // namespace impl
}  // namespace dk
