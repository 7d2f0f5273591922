// DigitKit's optional native kernels for the Dense training engine (src/model/native-engine.ts):
// a register-blocked single-precision GEMM with fused bias, relu and relu-gradient mask, a
// transpose, row sums and the optimizers' updates. Plain Node-API, no threads of its own: each
// training worker thread calls it on its share of the work.
//
// Repeatability: every output element of the GEMM is its init (0 or the bias) followed by one
// fused multiply-add per k, in increasing k, whatever the block it falls in, the matrix size or
// the instruction set path. So results do not depend on how the batch or the units are split
// between workers, and a seed gives the same weights on every run.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <immintrin.h>

// The kernels need fused multiply-add in vector registers; without it the build stops here, the
// install prints its warning and training uses the wasm engine (plain loops would be slower).
#if !defined(__AVX512F__) && !(defined(__AVX2__) && defined(__FMA__))
#error "digitkit native kernels need AVX2 and FMA (or AVX-512)"
#endif

namespace {

struct Gemm {
  float* c;
  int64_t ldc;
  const float* a;
  int64_t ars, acs;  // A[i, k] = a[i * ars + k * acs]
  const float* b;
  int64_t ldb;
  int64_t m, n, k;
  const float* bias;  // per row of C, or null
  bool relu;
  const float* mask;  // C[i, j] is kept only where mask[i * ldm + j] > 0, or null
  int64_t ldm;
};

// One vector of floats and the few operations the GEMM needs, for each instruction set. `Mask`
// selects the first `count` lanes (loads read nothing beyond them, stores write nothing).
#if defined(__AVX512F__)
#define DK_ISA "avx512"
struct Vec {
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
  static T relu(T x) { return _mm512_max_ps(x, zero()); }
  static T keepWherePositive(T x, T m) {
    return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(m, zero(), _CMP_GT_OQ), x);
  }
};
#else
#define DK_ISA "avx2"
struct Vec {
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
  static T relu(T x) { return _mm256_max_ps(x, zero()); }
  static T keepWherePositive(T x, T m) {
    return _mm256_and_ps(x, _mm256_cmp_ps(m, zero(), _CMP_GT_OQ));
  }
};
#endif

constexpr int W = Vec::W;

// One MR × (NV·W) block of C; `cols` (≤ NV·W) of its columns are real.
template <int MR, int NV>
inline void block(const Gemm& g, int64_t i0, int64_t j0, int64_t cols) {
  const Vec::Mask full = Vec::mask(W), last = Vec::mask(cols - (NV - 1) * W);
  Vec::T acc[MR][NV];
  #pragma GCC unroll 8
  for (int r = 0; r < MR; r++) {
    const Vec::T init = g.bias ? Vec::set1(g.bias[i0 + r]) : Vec::zero();
    #pragma GCC unroll 8
    for (int v = 0; v < NV; v++) acc[r][v] = init;
  }
  // Locals, so the compiler keeps the accumulators in registers through the loop (the unroll
  // pragmas matter as much: without them GCC stores every accumulator on each k).
  const float* ap = g.a + i0 * g.ars;
  const float* bp = g.b + j0;
  const int64_t ars = g.ars, acs = g.acs, ldb = g.ldb, kn = g.k;
  for (int64_t k = 0; k < kn; k++) {
    Vec::T bv[NV];
    #pragma GCC unroll 8
    for (int v = 0; v < NV - 1; v++) bv[v] = Vec::load(bp + v * W);
    bv[NV - 1] = Vec::load(bp + (NV - 1) * W, last);
    #pragma GCC unroll 8
    for (int r = 0; r < MR; r++) {
      const Vec::T av = Vec::set1(ap[r * ars]);
      #pragma GCC unroll 8
      for (int v = 0; v < NV; v++) acc[r][v] = Vec::fma(av, bv[v], acc[r][v]);
    }
    ap += acs;
    bp += ldb;
  }
  #pragma GCC unroll 8
  for (int r = 0; r < MR; r++) {
    float* cp = g.c + (i0 + r) * g.ldc + j0;
    #pragma GCC unroll 8
    for (int v = 0; v < NV; v++) {
      const Vec::Mask store = v == NV - 1 ? last : full;
      Vec::T x = acc[r][v];
      if (g.relu) x = Vec::relu(x);
      if (g.mask) x = Vec::keepWherePositive(x, Vec::load(g.mask + (i0 + r) * g.ldm + j0 + v * W, store));
      Vec::store(cp + v * W, x, store);
    }
  }
}

template <int NV>
inline void rows(const Gemm& g, int64_t i0, int64_t mr, int64_t j0, int64_t cols) {
  switch (mr) {
    case 6: block<6, NV>(g, i0, j0, cols); break;
    case 5: block<5, NV>(g, i0, j0, cols); break;
    case 4: block<4, NV>(g, i0, j0, cols); break;
    case 3: block<3, NV>(g, i0, j0, cols); break;
    case 2: block<2, NV>(g, i0, j0, cols); break;
    default: block<1, NV>(g, i0, j0, cols); break;
  }
}

void gemm(const Gemm& g) {
  constexpr int64_t NR = Vec::NV * W, MR = 6;
  // Column panels outside, so a K × NR panel of B stays in cache while A streams past it. A
  // panel whose rows lie far apart (rows of 2 KiB fall into a few cache sets) is first copied
  // into a contiguous buffer; copying changes no arithmetic.
  thread_local std::vector<float> packed;
  const bool pack = g.m > MR && g.ldb != NR;
  if (pack && packed.size() < static_cast<size_t>(g.k * NR)) packed.resize(g.k * NR);
  for (int64_t j0 = 0; j0 < g.n; j0 += NR) {
    const int64_t cols = g.n - j0 < NR ? g.n - j0 : NR;
    const int64_t nv = (cols + W - 1) / W;
    Gemm panel = g;
    if (pack) {
      for (int64_t k = 0; k < g.k; k++)
        std::memcpy(packed.data() + k * NR, g.b + k * g.ldb + j0, cols * sizeof(float));
      panel.b = packed.data() - j0;  // block() adds j0 back
      panel.ldb = NR;
    }
    for (int64_t i0 = 0; i0 < g.m; i0 += MR) {
      const int64_t mr = g.m - i0 < MR ? g.m - i0 : MR;
      switch (nv) {
#if defined(__AVX512F__)
        case 4: rows<4>(panel, i0, mr, j0, cols); break;
        case 3: rows<3>(panel, i0, mr, j0, cols); break;
#endif
        case 2: rows<2>(panel, i0, mr, j0, cols); break;
        default: rows<1>(panel, i0, mr, j0, cols); break;
      }
    }
  }
}

// ---- Node-API plumbing ----

struct View {
  float* data = nullptr;
  int64_t length = 0;
};

bool fail(napi_env env, const char* message) {
  napi_throw_range_error(env, nullptr, message);
  return false;
}

bool isNull(napi_env env, napi_value value) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type == napi_null || type == napi_undefined;
}

bool floats(napi_env env, napi_value value, View* out) {
  bool is = false;
  napi_is_typedarray(env, value, &is);
  if (!is) return fail(env, "digitkit native: expected a Float32Array");
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  napi_get_typedarray_info(env, value, &type, &length, &data, &buffer, &offset);
  if (type != napi_float32_array) return fail(env, "digitkit native: expected a Float32Array");
  out->data = static_cast<float*>(data);
  out->length = static_cast<int64_t>(length);
  return true;
}

bool integer(napi_env env, napi_value value, int64_t* out) {
  if (napi_get_value_int64(env, value, out) != napi_ok)
    return fail(env, "digitkit native: expected an integer");
  return true;
}

bool number(napi_env env, napi_value value, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok)
    return fail(env, "digitkit native: expected a number");
  return true;
}

// True when every index off + i*rs + j*cs (i < rows, j < cols) lies inside the view.
bool inside(const View& v, int64_t off, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  if (rows <= 0 || cols <= 0) return true;
  if (off < 0 || rs < 0 || cs < 0) return false;
  return off + (rows - 1) * rs + (cols - 1) * cs < v.length;
}

template <size_t N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc != N) return fail(env, "digitkit native: wrong number of arguments");
  return true;
}

// gemm(C, cOff, ldc, A, aOff, aRowStride, aColStride, B, bOff, ldb, m, n, k,
//      bias | null, biasOff, relu, mask | null, maskOff, ldm)
// C[i, j] = post(bias[i] + Σ_k A[i, k]·B[k, j]); post = relu and/or the mask's relu gradient.
napi_value Gemm_(napi_env env, napi_callback_info info) {
  napi_value argv[19];
  if (!args(env, info, argv)) return nullptr;
  View c, a, b, bias, mask;
  int64_t cOff, ldc, aOff, ars, acs, bOff, ldb, m, n, k, biasOff, maskOff, ldm;
  bool relu = false;
  if (!floats(env, argv[0], &c) || !integer(env, argv[1], &cOff) || !integer(env, argv[2], &ldc) ||
      !floats(env, argv[3], &a) || !integer(env, argv[4], &aOff) || !integer(env, argv[5], &ars) ||
      !integer(env, argv[6], &acs) || !floats(env, argv[7], &b) || !integer(env, argv[8], &bOff) ||
      !integer(env, argv[9], &ldb) || !integer(env, argv[10], &m) || !integer(env, argv[11], &n) ||
      !integer(env, argv[12], &k) || !integer(env, argv[14], &biasOff) ||
      !integer(env, argv[17], &maskOff) || !integer(env, argv[18], &ldm))
    return nullptr;
  napi_get_value_bool(env, argv[15], &relu);
  const bool hasBias = !isNull(env, argv[13]);
  const bool hasMask = !isNull(env, argv[16]);
  if ((hasBias && !floats(env, argv[13], &bias)) || (hasMask && !floats(env, argv[16], &mask)))
    return nullptr;
  if (m < 0 || n < 0 || k < 0) return fail(env, "digitkit native: negative size"), nullptr;
  if (!inside(c, cOff, m, n, ldc, 1) || !inside(a, aOff, m, k, ars, acs) ||
      !inside(b, bOff, k, n, ldb, 1) || (hasBias && !inside(bias, biasOff, m, 1, 1, 1)) ||
      (hasMask && !inside(mask, maskOff, m, n, ldm, 1)))
    return fail(env, "digitkit native: gemm operand out of bounds"), nullptr;
  if (m == 0 || n == 0) return nullptr;
  Gemm g{c.data + cOff, ldc,  a.data + aOff, ars, acs, b.data + bOff,
         ldb,          m,    n,              k,   hasBias ? bias.data + biasOff : nullptr,
         relu,         hasMask ? mask.data + maskOff : nullptr, ldm};
  gemm(g);
  return nullptr;
}

// transpose(dst, dOff, ldd, src, sOff, lds, rows, cols): dst[j·ldd + i] = src[i·lds + j].
napi_value Transpose(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv)) return nullptr;
  View d, s;
  int64_t dOff, ldd, sOff, lds, rows, cols;
  if (!floats(env, argv[0], &d) || !integer(env, argv[1], &dOff) || !integer(env, argv[2], &ldd) ||
      !floats(env, argv[3], &s) || !integer(env, argv[4], &sOff) || !integer(env, argv[5], &lds) ||
      !integer(env, argv[6], &rows) || !integer(env, argv[7], &cols))
    return nullptr;
  if (!inside(d, dOff, cols, rows, ldd, 1) || !inside(s, sOff, rows, cols, lds, 1))
    return fail(env, "digitkit native: transpose operand out of bounds"), nullptr;
  float* dp = d.data + dOff;
  const float* sp = s.data + sOff;
  constexpr int64_t T = 16;  // tiles, so both sides move through cache lines
  for (int64_t i0 = 0; i0 < rows; i0 += T) {
    for (int64_t j0 = 0; j0 < cols; j0 += T) {
      const int64_t i1 = i0 + T < rows ? i0 + T : rows, j1 = j0 + T < cols ? j0 + T : cols;
      for (int64_t j = j0; j < j1; j++)
        for (int64_t i = i0; i < i1; i++) dp[j * ldd + i] = sp[i * lds + j];
    }
  }
  return nullptr;
}

// rowSums(dst, dOff, src, sOff, lds, rows, cols): dst[i] = Σ_j src[i·lds + j], j in order.
napi_value RowSums(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, argv)) return nullptr;
  View d, s;
  int64_t dOff, sOff, lds, rows, cols;
  if (!floats(env, argv[0], &d) || !integer(env, argv[1], &dOff) || !floats(env, argv[2], &s) ||
      !integer(env, argv[3], &sOff) || !integer(env, argv[4], &lds) ||
      !integer(env, argv[5], &rows) || !integer(env, argv[6], &cols))
    return nullptr;
  if (!inside(d, dOff, rows, 1, 1, 1) || !inside(s, sOff, rows, cols, lds, 1))
    return fail(env, "digitkit native: rowSums operand out of bounds"), nullptr;
  for (int64_t i = 0; i < rows; i++) {
    const float* sp = s.data + sOff + i * lds;
    float sum = 0.0f;
    for (int64_t j = 0; j < cols; j++) sum += sp[j];
    d.data[dOff + i] = sum;
  }
  return nullptr;
}

// scaleBytes(dst, dOff, src, order | null, from, n, pixels): dst row k (pixels floats from dOff)
// = src item order[from + k] (or from + k) with bytes scaled to [0, 1] exactly as JS's b / 255.
napi_value ScaleBytes(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, argv)) return nullptr;
  View d;
  int64_t dOff, from, n, pixels;
  if (!floats(env, argv[0], &d) || !integer(env, argv[1], &dOff) || !integer(env, argv[4], &from) ||
      !integer(env, argv[5], &n) || !integer(env, argv[6], &pixels))
    return nullptr;
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value buffer;
  size_t offset;
  bool is = false;
  napi_is_typedarray(env, argv[2], &is);
  if (!is || napi_get_typedarray_info(env, argv[2], &type, &length, &data, &buffer, &offset) != napi_ok ||
      type != napi_uint8_array)
    return fail(env, "digitkit native: expected a Uint8Array"), nullptr;
  const uint8_t* src = static_cast<const uint8_t*>(data);
  const int32_t* order = nullptr;
  int64_t orderLength = 0;
  if (!isNull(env, argv[3])) {
    napi_is_typedarray(env, argv[3], &is);
    void* od;
    size_t ol;
    if (!is || napi_get_typedarray_info(env, argv[3], &type, &ol, &od, &buffer, &offset) != napi_ok ||
        type != napi_int32_array)
      return fail(env, "digitkit native: expected an Int32Array"), nullptr;
    order = static_cast<const int32_t*>(od);
    orderLength = static_cast<int64_t>(ol);
  }
  const int64_t items = pixels > 0 ? static_cast<int64_t>(length) / pixels : 0;
  if (n < 0 || pixels < 0 || from < 0 || !inside(d, dOff, n, pixels, pixels, 1) ||
      (order ? from + n > orderLength : from + n > items))
    return fail(env, "digitkit native: scaleBytes operand out of bounds"), nullptr;
  float table[256];
  for (int i = 0; i < 256; i++) table[i] = static_cast<float>(i / 255.0);
  for (int64_t k = 0; k < n; k++) {
    const int64_t item = order ? order[from + k] : from + k;
    if (item < 0 || item >= items)
      return fail(env, "digitkit native: scaleBytes item out of bounds"), nullptr;
    const uint8_t* sp = src + item * pixels;
    float* dp = d.data + dOff + k * pixels;
    for (int64_t j = 0; j < pixels; j++) dp[j] = table[sp[j]];
  }
  return nullptr;
}

// The optimizers' updates. RMSprop (the tutorial's) is vectorized by hand: GCC leaves its loop
// scalar, five times slower.
void rmsprop(float* __restrict params, float* __restrict ms, const float* __restrict grad,
             int64_t lo, int64_t hi, float rate) {
  const float rho = 0.9f, eps = 1e-7f;
  int64_t i = lo;
#if defined(__AVX512F__)
  // The same operations in the same order as the loop below, 16 at a time (IEEE sqrt and
  // division are exact in either form, so the bits agree).
  const __m512 vrho = _mm512_set1_ps(rho), vone = _mm512_set1_ps(1.0f - rho);
  const __m512 veps = _mm512_set1_ps(eps), vrate = _mm512_set1_ps(rate);
  for (; i + 16 <= hi; i += 16) {
    const __m512 g = _mm512_loadu_ps(grad + i);
    const __m512 m = _mm512_add_ps(_mm512_mul_ps(vrho, _mm512_loadu_ps(ms + i)),
                                   _mm512_mul_ps(_mm512_mul_ps(vone, g), g));
    _mm512_storeu_ps(ms + i, m);
    const __m512 step =
        _mm512_div_ps(_mm512_mul_ps(vrate, g), _mm512_add_ps(_mm512_sqrt_ps(m), veps));
    _mm512_storeu_ps(params + i, _mm512_sub_ps(_mm512_loadu_ps(params + i), step));
  }
#else
  const __m256 vrho = _mm256_set1_ps(rho), vone = _mm256_set1_ps(1.0f - rho);
  const __m256 veps = _mm256_set1_ps(eps), vrate = _mm256_set1_ps(rate);
  for (; i + 8 <= hi; i += 8) {
    const __m256 g = _mm256_loadu_ps(grad + i);
    const __m256 m = _mm256_add_ps(_mm256_mul_ps(vrho, _mm256_loadu_ps(ms + i)),
                                   _mm256_mul_ps(_mm256_mul_ps(vone, g), g));
    _mm256_storeu_ps(ms + i, m);
    const __m256 step =
        _mm256_div_ps(_mm256_mul_ps(vrate, g), _mm256_add_ps(_mm256_sqrt_ps(m), veps));
    _mm256_storeu_ps(params + i, _mm256_sub_ps(_mm256_loadu_ps(params + i), step));
  }
#endif
  for (; i < hi; i++) {
    const float g = grad[i];
    const float m = rho * ms[i] + (1.0f - rho) * g * g;
    ms[i] = m;
    params[i] -= rate * g / (std::sqrt(m) + eps);
  }
}

void adam(float* __restrict params, float* __restrict m1, float* __restrict m2,
          const float* __restrict grad, int64_t lo, int64_t hi, float alpha) {
  const float b1 = 0.9f, b2 = 0.999f, eps = 1e-7f;
  for (int64_t i = lo; i < hi; i++) {
    const float g = grad[i];
    const float m = b1 * m1[i] + (1.0f - b1) * g;
    const float v = b2 * m2[i] + (1.0f - b2) * g * g;
    m1[i] = m;
    m2[i] = v;
    params[i] -= alpha * m / (std::sqrt(v) + eps);
  }
}

void sgd(float* __restrict params, const float* __restrict grad, int64_t lo, int64_t hi,
         float rate) {
  for (int64_t i = lo; i < hi; i++) params[i] -= rate * grad[i];
}

// update(kind, params, state, grads, lo, hi, learningRate, step): one optimizer step on
// params[lo, hi) as optimizers.ts defines it (kind 0 RMSprop, 1 Adam, 2 SGD), in float.
napi_value Update(napi_env env, napi_callback_info info) {
  napi_value argv[8];
  if (!args(env, info, argv)) return nullptr;
  View p, s, g;
  int64_t kind, lo, hi, step;
  double lr;
  if (!integer(env, argv[0], &kind) || !floats(env, argv[1], &p) || !floats(env, argv[2], &s) ||
      !floats(env, argv[3], &g) || !integer(env, argv[4], &lo) || !integer(env, argv[5], &hi) ||
      !number(env, argv[6], &lr) || !integer(env, argv[7], &step))
    return nullptr;
  const int64_t n = p.length;
  const int64_t slots = kind == 1 ? 2 : kind == 0 ? 1 : 0;
  if (lo < 0 || hi > n || lo > hi || g.length < n || s.length < n * slots || kind < 0 || kind > 2)
    return fail(env, "digitkit native: update range out of bounds"), nullptr;
  if (kind == 0) {
    rmsprop(p.data, s.data, g.data, lo, hi, static_cast<float>(lr));
  } else if (kind == 1) {
    const double alpha = lr * std::sqrt(1 - std::pow(0.999, step)) / (1 - std::pow(0.9, step));
    adam(p.data, s.data, s.data + n, g.data, lo, hi, static_cast<float>(alpha));
  } else {
    sgd(p.data, g.data, lo, hi, static_cast<float>(lr));
  }
  return nullptr;
}

// A build copied to another machine could meet a CPU without the instructions it was compiled
// for: refuse to load there (training then uses the wasm engine) rather than crash mid-step.
bool cpuCanRun() {
  __builtin_cpu_init();
#if defined(__AVX512F__)
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("fma");
#else
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
}

napi_value Init(napi_env env, napi_value exports) {
  if (!cpuCanRun()) {
    napi_throw_error(env, nullptr, "digitkit native kernels: built for another CPU");
    return nullptr;
  }
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"gemm", Gemm_}, {"transpose", Transpose}, {"rowSums", RowSums},
                {"update", Update},     {"scaleBytes", ScaleBytes}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  napi_value isa;
  napi_create_string_utf8(env, DK_ISA, NAPI_AUTO_LENGTH, &isa);
  napi_set_named_property(env, exports, "isa", isa);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
