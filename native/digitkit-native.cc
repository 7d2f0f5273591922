// DigitKit's optional native kernels for the native training engines (the Dense engine of
// src/train/engines/native-dense-engine.ts and the CNN engine of native-cnn-engine.ts): the
// Node-API entry points, their argument checks, and the kernels that need no vector
// instructions of their own (transpose, row and column sums, batch loading, im2col/col2im for
// 3×3 convolutions, 2×2 max-pooling, Adam and SGD). The GEMM and RMSprop exist once per
// instruction set (kernels.h: plain C++, AVX2 + FMA, AVX-512), and the path is chosen when
// called: the JS side passes the index of one of `isas`, the paths this CPU can run. No threads
// of its own: each training worker thread calls it on its share of the work. Every entry point
// checks its arguments' types and its operands' bounds (in overflow-free arithmetic) and throws
// a JS exception otherwise.
//
// Repeatability: see kernels.h. Results do not depend on how the batch or the units are split
// between workers, and a seed gives the same weights on every run of the same path.
#include <node_api.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

#include "kernels.h"

namespace {

using dk::Gemm;
using dk::Isa;

// The paths this CPU can run, in the order the JS side sees them (`isas`): the naive references
// first, then plain C++, then the vector paths, fastest last.
const std::vector<Isa>& isas() {
  static const std::vector<Isa> list = [] {
    std::vector<Isa> l = {dk::naiveIsa(false), dk::naiveIsa(true), dk::plainIsa()};
#if defined(__x86_64__) || defined(_M_X64)
#if defined(__GNUC__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) l.push_back(dk::avx2Isa());
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("fma"))
      l.push_back(dk::avx512Isa());
#endif
#endif
    return l;
  }();
  return list;
}

// ---- Node-API plumbing ----

struct View {
  float* data = nullptr;
  int64_t length = 0;
};

// Sizes and offsets out of bounds: RangeError.
bool fail(napi_env env, const char* message) {
  napi_throw_range_error(env, nullptr, message);
  return false;
}

// An argument of the wrong kind: TypeError.
bool wrongType(napi_env env, const char* message) {
  napi_throw_type_error(env, nullptr, message);
  return false;
}

// *out = the product of the factors, false when it overflows int64 or a factor is negative.
bool product(std::initializer_list<int64_t> factors, int64_t* out) {
  int64_t p = 1;
  for (int64_t f : factors)
    if (f < 0 || __builtin_mul_overflow(p, f, &p)) return false;
  *out = p;
  return true;
}

bool isNull(napi_env env, napi_value value) {
  napi_valuetype type;
  napi_typeof(env, value, &type);
  return type == napi_null || type == napi_undefined;
}

// The elements of a typed array of the given type, or false (and a TypeError) for anything else.
template <typename T>
bool typedArray(napi_env env, napi_value value, napi_typedarray_type want, const char* message,
                T** data, int64_t* length) {
  bool is = false;
  napi_typedarray_type type;
  size_t count;
  void* at;
  napi_value buffer;
  size_t offset;
  if (napi_is_typedarray(env, value, &is) != napi_ok || !is ||
      napi_get_typedarray_info(env, value, &type, &count, &at, &buffer, &offset) != napi_ok ||
      type != want)
    return wrongType(env, message);
  *data = static_cast<T*>(at);
  *length = static_cast<int64_t>(count);
  return true;
}

bool floats(napi_env env, napi_value value, View* out) {
  return typedArray(env, value, napi_float32_array, "digitkit native: expected a Float32Array",
                    &out->data, &out->length);
}

// A whole number of at most 2^53 in magnitude (JS's exact integers): napi_get_value_int64 alone
// would truncate 1.5 and saturate 1e300, which the bounds checks must never see.
bool integer(napi_env env, napi_value value, int64_t* out) {
  double x;
  if (napi_get_value_double(env, value, &x) != napi_ok || !std::isfinite(x) ||
      x != std::floor(x) || std::fabs(x) > 9007199254740992.0)
    return wrongType(env, "digitkit native: expected an integer");
  *out = static_cast<int64_t>(x);
  return true;
}

bool boolean(napi_env env, napi_value value, bool* out) {
  if (napi_get_value_bool(env, value, out) != napi_ok)
    return wrongType(env, "digitkit native: expected a boolean");
  return true;
}

bool number(napi_env env, napi_value value, double* out) {
  if (napi_get_value_double(env, value, out) != napi_ok)
    return wrongType(env, "digitkit native: expected a number");
  return true;
}

// True when every index off + i*rs + j*cs (i < rows, j < cols) lies inside the view.
bool inside(const View& v, int64_t off, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  if (rows <= 0 || cols <= 0) return true;
  if (off < 0 || rs < 0 || cs < 0) return false;
  int64_t down, across, last;
  if (__builtin_mul_overflow(rows - 1, rs, &down) ||
      __builtin_mul_overflow(cols - 1, cs, &across) ||
      __builtin_add_overflow(off, down, &last) || __builtin_add_overflow(last, across, &last))
    return false;
  return last < v.length;
}

template <size_t N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != N)
    return wrongType(env, "digitkit native: wrong number of arguments");
  return true;
}

// The path `value` names: an index into isas(), else a RangeError.
const Isa* isaArg(napi_env env, napi_value value) {
  int64_t index;
  if (!integer(env, value, &index)) return nullptr;
  if (index < 0 || index >= static_cast<int64_t>(isas().size()))
    return fail(env, "digitkit native: no such instruction set path"), nullptr;
  return &isas()[index];
}

// gemm(isa, C, cOff, ldc, A, aOff, aRowStride, aColStride, B, bOff, ldb, m, n, k,
//      bias | null, biasOff, relu, mask | null, maskOff, ldm, biasPerColumn)
// C[i, j] = post(bias[i] + Σ_k A[i, k]·B[k, j]); post = relu and/or the mask's relu gradient.
// With biasPerColumn, bias[j] instead of bias[i] (rows of samples, columns of units). Positional
// for speed; native-addon.ts wraps it in one typed description (GemmDescription).
napi_value Gemm_(napi_env env, napi_callback_info info) {
  napi_value all[21];
  if (!args(env, info, all)) return nullptr;
  const Isa* isa = isaArg(env, all[0]);
  if (!isa) return nullptr;
  napi_value* argv = all + 1;
  View c, a, b, bias, mask;
  int64_t cOff, ldc, aOff, ars, acs, bOff, ldb, m, n, k, biasOff, maskOff, ldm;
  bool relu = false, colBias = false;
  if (!floats(env, argv[0], &c) || !integer(env, argv[1], &cOff) || !integer(env, argv[2], &ldc) ||
      !floats(env, argv[3], &a) || !integer(env, argv[4], &aOff) || !integer(env, argv[5], &ars) ||
      !integer(env, argv[6], &acs) || !floats(env, argv[7], &b) || !integer(env, argv[8], &bOff) ||
      !integer(env, argv[9], &ldb) || !integer(env, argv[10], &m) || !integer(env, argv[11], &n) ||
      !integer(env, argv[12], &k) || !integer(env, argv[14], &biasOff) ||
      !integer(env, argv[17], &maskOff) || !integer(env, argv[18], &ldm) ||
      !boolean(env, argv[15], &relu) || !boolean(env, argv[19], &colBias))
    return nullptr;
  const bool hasBias = !isNull(env, argv[13]);
  const bool hasMask = !isNull(env, argv[16]);
  if ((hasBias && !floats(env, argv[13], &bias)) || (hasMask && !floats(env, argv[16], &mask)))
    return nullptr;
  if (m < 0 || n < 0 || k < 0) return fail(env, "digitkit native: negative size"), nullptr;
  if (!inside(c, cOff, m, n, ldc, 1) || !inside(a, aOff, m, k, ars, acs) ||
      !inside(b, bOff, k, n, ldb, 1) ||
      (hasBias && !inside(bias, biasOff, colBias ? n : m, 1, 1, 1)) ||
      (hasMask && !inside(mask, maskOff, m, n, ldm, 1)))
    return fail(env, "digitkit native: gemm operand out of bounds"), nullptr;
  if (m == 0 || n == 0) return nullptr;
  Gemm g{c.data + cOff, ldc,  a.data + aOff, ars, acs, b.data + bOff,
         ldb,          m,    n,              k,   hasBias ? bias.data + biasOff : nullptr,
         colBias,      relu, hasMask ? mask.data + maskOff : nullptr, ldm};
  isa->gemm(g);
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
  uint8_t* src;
  int64_t length;
  if (!typedArray(env, argv[2], napi_uint8_array, "digitkit native: expected a Uint8Array", &src,
                  &length))
    return nullptr;
  int32_t* order = nullptr;
  int64_t orderLength = 0;
  if (!isNull(env, argv[3]) &&
      !typedArray(env, argv[3], napi_int32_array, "digitkit native: expected an Int32Array",
                  &order, &orderLength))
    return nullptr;
  const int64_t items = pixels > 0 ? length / pixels : 0;
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

// ---- The CNN's layers (src/model/native-cnn-engine.ts). Images are NHWC (as TF.js), a 3×3
// valid convolution is im2col followed by the GEMM (the kernel, HWIO, is a 9·C × F matrix), and
// every sum below runs in a fixed order, so the results never depend on timing. ----

struct Ints {
  int32_t* data = nullptr;
  int64_t length = 0;
};

bool int32s(napi_env env, napi_value value, Ints* out) {
  return typedArray(env, value, napi_int32_array, "digitkit native: expected an Int32Array",
                    &out->data, &out->length);
}

// Image sizes (n, h, w, c) from four arguments starting at argv[first]: n ≥ 0, the others ≥ 1,
// and n·h·w·c·9 (im2col's size, the largest any caller forms) within int64.
bool imageSizes(napi_env env, napi_value* argv, int first, int64_t* s) {
  for (int i = 0; i < 4; i++)
    if (!integer(env, argv[first + i], &s[i])) return false;
  int64_t largest;
  if (s[0] < 0 || s[1] < 1 || s[2] < 1 || s[3] < 1 || !product({s[0], s[1], s[2], s[3], 9}, &largest))
    return fail(env, "digitkit native: bad image size");
  return true;
}

// The operands of im2col3x3 / col2im3x3 (`patchesFirst`: cols is argv[0], else images is):
// images of n·h·w·c floats, cols of one 9·c row per 3×3 patch position, n·(h−2)·(w−2) of them.
struct PatchOperands {
  float* images;
  float* cols;
  int64_t n, h, w, c, oh, ow;
};

bool patchOperands(napi_env env, napi_callback_info info, bool patchesFirst,
                   const char* outOfBounds, PatchOperands* p) {
  napi_value argv[6];
  if (!args(env, info, argv)) return false;
  View first, second;
  int64_t z[4];
  if (!floats(env, argv[0], &first) || !floats(env, argv[1], &second) || !imageSizes(env, argv, 2, z))
    return false;
  const View& cols = patchesFirst ? first : second;
  const View& images = patchesFirst ? second : first;
  *p = {images.data, cols.data, z[0], z[1], z[2], z[3], z[1] - 2, z[2] - 2};
  if (p->oh < 1 || p->ow < 1 || p->n * p->oh * p->ow * 9 * p->c > cols.length ||
      p->n * p->h * p->w * p->c > images.length)
    return fail(env, outOfBounds);
  return true;
}

// im2col3x3(cols, images, n, h, w, c): row (s, y, x) of cols (9·c floats) = the 3×3
// patch at (y, x) of image s, in the order (dy, dx, channel) of an HWIO kernel's rows.
napi_value Im2col(napi_env env, napi_callback_info info) {
  PatchOperands p;
  if (!patchOperands(env, info, true, "digitkit native: im2col3x3 operand out of bounds", &p))
    return nullptr;
  const int64_t n = p.n, h = p.h, w = p.w, c = p.c, oh = p.oh, ow = p.ow;
  float* dp = p.cols;
  for (int64_t i = 0; i < n; i++) {
    const float* image = p.images + i * h * w * c;
    for (int64_t y = 0; y < oh; y++)
      for (int64_t x = 0; x < ow; x++)
        for (int64_t dy = 0; dy < 3; dy++) {
          // The three pixels of a patch row lie next to each other: one copy of 3·c floats.
          std::memcpy(dp, image + ((y + dy) * w + x) * c, 3 * c * sizeof(float));
          dp += 3 * c;
        }
  }
  return nullptr;
}

// col2im3x3(images, cols, n, h, w, c): the adjoint of im2col3x3: images (n·h·w·c, overwritten)
// = the sum of every patch row of cols over the pixels it came from, patches in order.
napi_value Col2im(napi_env env, napi_callback_info info) {
  PatchOperands p;
  if (!patchOperands(env, info, false, "digitkit native: col2im3x3 operand out of bounds", &p))
    return nullptr;
  const int64_t n = p.n, h = p.h, w = p.w, c = p.c, oh = p.oh, ow = p.ow;
  if (n == 0) return nullptr;  // an empty array's data may be null: no memset on it
  std::memset(p.images, 0, n * h * w * c * sizeof(float));
  const float* sp = p.cols;
  for (int64_t i = 0; i < n; i++) {
    float* image = p.images + i * h * w * c;
    for (int64_t y = 0; y < oh; y++)
      for (int64_t x = 0; x < ow; x++)
        for (int64_t dy = 0; dy < 3; dy++) {
          float* row = image + ((y + dy) * w + x) * c;
          for (int64_t j = 0; j < 3 * c; j++) row[j] += sp[j];
          sp += 3 * c;
        }
  }
  return nullptr;
}

// One 2×2 window of maxPool2 over c channels: out[ch] = the first largest of the four pixels at
// a0…a3 (+ ch) of `image`, arg[ch] its index. Selects rather than branches, and restrict
// pointers, so the compiler vectorizes it across channels (same result as comparing in turn).
inline void maxOfWindow(float* __restrict out, int32_t* __restrict arg,
                        const float* __restrict image, int64_t a0, int64_t a1, int64_t a2,
                        int64_t a3, int64_t c) {
  const float *p0 = image + a0, *p1 = image + a1, *p2 = image + a2, *p3 = image + a3;
  const int32_t i0 = static_cast<int32_t>(a0), i1 = static_cast<int32_t>(a1);
  const int32_t i2 = static_cast<int32_t>(a2), i3 = static_cast<int32_t>(a3);
  for (int64_t ch = 0; ch < c; ch++) {
    const int32_t k = static_cast<int32_t>(ch);
    float m = p0[ch];
    int32_t at = i0 + k;
    const float v1 = p1[ch], v2 = p2[ch], v3 = p3[ch];
    at = v1 > m ? i1 + k : at;
    m = v1 > m ? v1 : m;
    at = v2 > m ? i2 + k : at;
    m = v2 > m ? v2 : m;
    at = v3 > m ? i3 + k : at;
    m = v3 > m ? v3 : m;
    out[ch] = m;
    arg[ch] = at;
  }
}

// One pixel's c channels of maxPool2Backward: d[ch] = g[ch] where that pixel (index `here` + ch)
// was its window's maximum (and, with relu, positive), else 0.
inline void routeToMaximum(float* __restrict d, const float* __restrict g,
                           const int32_t* __restrict best, const float* __restrict image,
                           int32_t here, int64_t c, bool relu) {
  // Both tests always evaluated (& rather than &&) and every load unconditional: no branches.
  for (int64_t ch = 0; ch < c; ch++) {
    const float gv = g[ch], x = image[ch];
    const bool hit = (best[ch] == here + static_cast<int32_t>(ch)) & (!relu | (x > 0.0f));
    d[ch] = hit ? gv : 0.0f;
  }
}

// maxPool2(out, argmax, images, n, h, w, c): 2×2 max-pooling with stride 2 (floor, as Keras's
// "valid"); argmax holds, per output, the index into images of the first largest of its four.
napi_value MaxPool(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  if (!args(env, info, argv)) return nullptr;
  View d, s;
  Ints am;
  int64_t z[4];
  if (!floats(env, argv[0], &d) || !int32s(env, argv[1], &am) || !floats(env, argv[2], &s) ||
      !imageSizes(env, argv, 3, z))
    return nullptr;
  const int64_t n = z[0], h = z[1], w = z[2], c = z[3], ph = h / 2, pw = w / 2;
  const int64_t outs = n * ph * pw * c;
  if (ph < 1 || pw < 1 || outs > d.length || outs > am.length || n * h * w * c > s.length ||
      n * h * w * c > INT32_MAX)
    return fail(env, "digitkit native: maxPool2 operand out of bounds"), nullptr;
  for (int64_t i = 0; i < n; i++)
    for (int64_t y = 0; y < ph; y++)
      for (int64_t x = 0; x < pw; x++) {
        const int64_t corner = ((i * h + 2 * y) * w + 2 * x) * c;
        const int64_t o = ((i * ph + y) * pw + x) * c;
        maxOfWindow(d.data + o, am.data + o, s.data, corner, corner + c, corner + w * c,
                    corner + (w + 1) * c, c);
      }
  return nullptr;
}

// maxPool2Backward(dImages, dOut, argmax, images, n, h, w, c, relu): the gradient of maxPool2:
// dImages (n·h·w·c, overwritten) = each dOut at its argmax, zero elsewhere, and zero where relu
// and the image is ≤ 0 (the gradient of the relu before the pool, fused). Written window by
// window, rows in order, rather than cleared and then scattered into.
napi_value MaxPoolBackward(napi_env env, napi_callback_info info) {
  napi_value argv[9];
  if (!args(env, info, argv)) return nullptr;
  View di, dout, img;
  Ints am;
  int64_t z[4];
  bool relu = false;
  if (!floats(env, argv[0], &di) || !floats(env, argv[1], &dout) || !int32s(env, argv[2], &am) ||
      !floats(env, argv[3], &img) || !imageSizes(env, argv, 4, z) || !boolean(env, argv[8], &relu))
    return nullptr;
  const int64_t n = z[0], h = z[1], w = z[2], c = z[3], ph = h / 2, pw = w / 2;
  const int64_t count = n * h * w * c, outs = n * ph * pw * c;
  if (ph < 1 || pw < 1 || count > di.length || count > img.length || outs > dout.length ||
      outs > am.length || count > INT32_MAX)
    return fail(env, "digitkit native: maxPool2Backward operand out of bounds"), nullptr;
  // An odd last row or column belongs to no window: its gradient is zero.
  if (n == 0) return nullptr;  // an empty array's data may be null: no memset on it
  if (h % 2 || w % 2) std::memset(di.data, 0, count * sizeof(float));
  int64_t o = 0;
  for (int64_t i = 0; i < n; i++)
    for (int64_t y = 0; y < ph; y++)
      for (int64_t x = 0; x < pw; x++) {
        const int64_t corner = ((i * h + 2 * y) * w + 2 * x) * c;
        const int64_t at[4] = {corner, corner + c, corner + w * c, corner + (w + 1) * c};
        const int32_t* best = am.data + o;
        const float* g = dout.data + o;
        for (int q = 0; q < 4; q++)
          routeToMaximum(di.data + at[q], g, best, img.data + at[q], static_cast<int32_t>(at[q]),
                         c, relu);
        o += c;
      }
  return nullptr;
}

// colSums(dst, dOff, src, sOff, rows, cols): dst[dOff + j] = Σ_i src[sOff + i·cols + j], i in order.
napi_value ColSums(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  if (!args(env, info, argv)) return nullptr;
  View d, s;
  int64_t dOff, sOff, rows, cols;
  if (!floats(env, argv[0], &d) || !integer(env, argv[1], &dOff) || !floats(env, argv[2], &s) ||
      !integer(env, argv[3], &sOff) || !integer(env, argv[4], &rows) || !integer(env, argv[5], &cols))
    return nullptr;
  if (!inside(d, dOff, 1, cols, 0, 1) || !inside(s, sOff, rows, cols, cols, 1))
    return fail(env, "digitkit native: colSums operand out of bounds"), nullptr;
  float* dp = d.data + dOff;
  for (int64_t j = 0; j < cols; j++) dp[j] = 0.0f;
  for (int64_t i = 0; i < rows; i++) {
    const float* sp = s.data + sOff + i * cols;
    for (int64_t j = 0; j < cols; j++) dp[j] += sp[j];
  }
  return nullptr;
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

// update(isa, kind, params, state, grads, lo, hi, learningRate, step): one optimizer step on
// params[lo, hi) as optimizers.ts defines it (kind 0 RMSprop, 1 Adam, 2 SGD), in float.
napi_value Update(napi_env env, napi_callback_info info) {
  napi_value all[9];
  if (!args(env, info, all)) return nullptr;
  const Isa* isa = isaArg(env, all[0]);
  if (!isa) return nullptr;
  napi_value* argv = all + 1;
  View p, s, g;
  int64_t kind, lo, hi, step;
  double lr;
  if (!integer(env, argv[0], &kind) || !floats(env, argv[1], &p) || !floats(env, argv[2], &s) ||
      !floats(env, argv[3], &g) || !integer(env, argv[4], &lo) || !integer(env, argv[5], &hi) ||
      !number(env, argv[6], &lr) || !integer(env, argv[7], &step))
    return nullptr;
  const int64_t n = p.length;
  const int64_t slots = kind == 1 ? 2 : kind == 0 ? 1 : 0;
  if (kind < 0 || kind > 2) return fail(env, "digitkit native: unknown optimizer kind"), nullptr;
  if (lo < 0 || hi > n || lo > hi || g.length < n || s.length < n * slots)
    return fail(env, "digitkit native: update range out of bounds"), nullptr;
  if (kind == 1 && step < 1)
    return fail(env, "digitkit native: Adam's step counts from 1"), nullptr;
  if (kind == 0) {
    isa->rmsprop(p.data, s.data, g.data, lo, hi, static_cast<float>(lr));
  } else if (kind == 1) {
    const double alpha = lr * std::sqrt(1 - std::pow(0.999, step)) / (1 - std::pow(0.9, step));
    adam(p.data, s.data, s.data + n, g.data, lo, hi, static_cast<float>(alpha));
  } else {
    sgd(p.data, g.data, lo, hi, static_cast<float>(lr));
  }
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"gemm", Gemm_}, {"transpose", Transpose}, {"rowSums", RowSums},
                {"update", Update},     {"scaleBytes", ScaleBytes}, {"im2col3x3", Im2col},
                {"col2im3x3", Col2im}, {"maxPool2", MaxPool}, {"maxPool2Backward", MaxPoolBackward},
                {"colSums", ColSums}};
  for (const auto& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  // The paths this CPU runs, by name, in the order gemm's and update's `isa` index them.
  napi_value names;
  napi_create_array_with_length(env, isas().size(), &names);
  for (size_t i = 0; i < isas().size(); i++) {
    napi_value name;
    napi_create_string_utf8(env, isas()[i].name, NAPI_AUTO_LENGTH, &name);
    napi_set_element(env, names, static_cast<uint32_t>(i), name);
  }
  napi_set_named_property(env, exports, "isas", names);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
