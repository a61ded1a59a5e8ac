// QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32) at AVX2, 32
// values a step; bit-identical with qs8_quantize__scalar and
// qs8_dequantize__scalar (the argument is in kernels/README.md,
// "x86 pooling and the float boundary").
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// round(x / scale) as a float (half away from zero), NaN replaced by +0,
// clamped to [-256, 256], converted to int32 and offset by the zero point:
// every lane lies in [-384, 383].
inline __m256i Quantize8(__m256 x, __m256 scale, __m256i zero_point) {
  const __m256 sign_mask = _mm256_set1_ps(-0.0f);
  const __m256 d = _mm256_div_ps(x, scale);
  __m256 t = _mm256_round_ps(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 frac = _mm256_andnot_ps(sign_mask, _mm256_sub_ps(d, t));
  const __m256 away = _mm256_or_ps(_mm256_and_ps(d, sign_mask), _mm256_set1_ps(1.0f));
  t = _mm256_add_ps(t,
                    _mm256_and_ps(_mm256_cmp_ps(frac, _mm256_set1_ps(0.5f), _CMP_GE_OQ), away));
  t = _mm256_and_ps(t, _mm256_cmp_ps(t, t, _CMP_ORD_Q));
  t = _mm256_min_ps(_mm256_max_ps(t, _mm256_set1_ps(-256.0f)), _mm256_set1_ps(256.0f));
  return _mm256_add_epi32(_mm256_cvttps_epi32(t), zero_point);
}

// 32 floats -> 32 int8. The packs work within 128-bit lanes:
//   packs32(a, b) = [a0-3 b0-3 | a4-7 b4-7], packs16 of two such =
//   [a0-3 b0-3 c0-3 d0-3 | a4-7 b4-7 c4-7 d4-7] (groups of 4 bytes),
// so a dword permute (0 4 1 5 2 6 3 7) restores a0-7 b0-7 c0-7 d0-7.
inline __m256i Quantize32(const float* x, __m256 scale, __m256i zero_point) {
  const __m256i a = Quantize8(_mm256_loadu_ps(x), scale, zero_point);
  const __m256i b = Quantize8(_mm256_loadu_ps(x + 8), scale, zero_point);
  const __m256i c = Quantize8(_mm256_loadu_ps(x + 16), scale, zero_point);
  const __m256i d = Quantize8(_mm256_loadu_ps(x + 24), scale, zero_point);
  const __m256i packed =
      _mm256_packs_epi16(_mm256_packs_epi32(a, b), _mm256_packs_epi32(c, d));
  return _mm256_permutevar8x32_epi32(packed, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

void Quantize(size_t n, float scale, int32_t zero_point, const float* input, int8_t* output) {
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256i vzero = _mm256_set1_epi32(zero_point);
  for (; n >= 32; n -= 32, input += 32, output += 32) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(output), Quantize32(input, vscale, vzero));
  }
  if (n != 0) {  // the tail through a zero-filled buffer, same arithmetic
    float x[32] = {};
    std::memcpy(x, input, n * sizeof(float));
    int8_t y[32];
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(y), Quantize32(x, vscale, vzero));
    std::memcpy(output, y, n);
  }
}

// float(x - z) * scale: the int32 difference is exact in float, then one
// correctly rounded multiply (no add to contract into an FMA).
inline __m256 Dequantize8(__m128i x8, __m256i zero_point, __m256 scale) {
  return _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(_mm256_cvtepi8_epi32(x8), zero_point)),
                       scale);
}

void Dequantize(size_t n, float scale, int32_t zero_point, const int8_t* input, float* output) {
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256i vzero = _mm256_set1_epi32(zero_point);
  for (; n >= 32; n -= 32, input += 32, output += 32) {
    const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(input));
    const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(input + 16));
    _mm256_storeu_ps(output, Dequantize8(lo, vzero, vscale));
    _mm256_storeu_ps(output + 8, Dequantize8(_mm_srli_si128(lo, 8), vzero, vscale));
    _mm256_storeu_ps(output + 16, Dequantize8(hi, vzero, vscale));
    _mm256_storeu_ps(output + 24, Dequantize8(_mm_srli_si128(hi, 8), vzero, vscale));
  }
  for (; n >= 8; n -= 8, input += 8, output += 8) {
    _mm256_storeu_ps(output, Dequantize8(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(input)),
                                         vzero, vscale));
  }
  for (; n != 0; --n) {
    *output++ = static_cast<float>(static_cast<int32_t>(*input++) - zero_point) * scale;
  }
}

}  // namespace

const QuantizeKernel kQs8QuantizeAvx2 = {"qs8_quantize__avx2", Quantize};
const DequantizeKernel kQs8DequantizeAvx2 = {"qs8_dequantize__avx2", Dequantize};

}  // namespace octet
