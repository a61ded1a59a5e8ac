// QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32) at SSE4.1,
// 16 values a step; bit-identical with qs8_quantize__scalar and
// qs8_dequantize__scalar (the argument is in kernels/README.md,
// "x86 pooling and the float boundary").
#include <smmintrin.h>

#include <cstring>

#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// round(x / scale) as a float (half away from zero), NaN replaced by +0 and
// clamped to [-256, 256] (kernels/README.md), then converted to int32 and offset
// by the zero point: every lane lies in [-384, 383].
inline __m128i Quantize4(__m128 x, __m128 scale, __m128i zero_point) {
  const __m128 sign_mask = _mm_set1_ps(-0.0f);
  const __m128 d = _mm_div_ps(x, scale);
  __m128 t = _mm_round_ps(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m128 frac = _mm_andnot_ps(sign_mask, _mm_sub_ps(d, t));
  const __m128 away = _mm_or_ps(_mm_and_ps(d, sign_mask), _mm_set1_ps(1.0f));
  t = _mm_add_ps(t, _mm_and_ps(_mm_cmpge_ps(frac, _mm_set1_ps(0.5f)), away));
  t = _mm_and_ps(t, _mm_cmpord_ps(t, t));
  t = _mm_min_ps(_mm_max_ps(t, _mm_set1_ps(-256.0f)), _mm_set1_ps(256.0f));
  return _mm_add_epi32(_mm_cvttps_epi32(t), zero_point);
}

// 16 floats -> 16 int8: two saturating packs (int32 -> int16 exact, int16 ->
// int8 saturates to [-128, 127], the reference's final clamp).
inline __m128i Quantize16(const float* x, __m128 scale, __m128i zero_point) {
  const __m128i a = Quantize4(_mm_loadu_ps(x), scale, zero_point);
  const __m128i b = Quantize4(_mm_loadu_ps(x + 4), scale, zero_point);
  const __m128i c = Quantize4(_mm_loadu_ps(x + 8), scale, zero_point);
  const __m128i d = Quantize4(_mm_loadu_ps(x + 12), scale, zero_point);
  return _mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d));
}

void Quantize(size_t n, float scale, int32_t zero_point, const float* input, int8_t* output) {
  const __m128 vscale = _mm_set1_ps(scale);
  const __m128i vzero = _mm_set1_epi32(zero_point);
  for (; n >= 16; n -= 16, input += 16, output += 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(output), Quantize16(input, vscale, vzero));
  }
  if (n != 0) {  // the tail through a zero-filled buffer, same arithmetic
    float x[16] = {};
    std::memcpy(x, input, n * sizeof(float));
    int8_t y[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y), Quantize16(x, vscale, vzero));
    std::memcpy(output, y, n);
  }
}

// float(x - z) * scale: the int32 difference is exact in float, then one
// correctly rounded multiply (no add to contract into an FMA).
inline __m128 Dequantize4(__m128i x32, __m128i zero_point, __m128 scale) {
  return _mm_mul_ps(_mm_cvtepi32_ps(_mm_sub_epi32(x32, zero_point)), scale);
}

void Dequantize(size_t n, float scale, int32_t zero_point, const int8_t* input, float* output) {
  const __m128 vscale = _mm_set1_ps(scale);
  const __m128i vzero = _mm_set1_epi32(zero_point);
  for (; n >= 16; n -= 16, input += 16, output += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(input));
    _mm_storeu_ps(output, Dequantize4(_mm_cvtepi8_epi32(x), vzero, vscale));
    _mm_storeu_ps(output + 4, Dequantize4(_mm_cvtepi8_epi32(_mm_srli_si128(x, 4)), vzero, vscale));
    _mm_storeu_ps(output + 8, Dequantize4(_mm_cvtepi8_epi32(_mm_srli_si128(x, 8)), vzero, vscale));
    _mm_storeu_ps(output + 12,
                  Dequantize4(_mm_cvtepi8_epi32(_mm_srli_si128(x, 12)), vzero, vscale));
  }
  for (; n >= 4; n -= 4, input += 4, output += 4) {
    int32_t word;
    std::memcpy(&word, input, 4);
    _mm_storeu_ps(output, Dequantize4(_mm_cvtepi8_epi32(_mm_cvtsi32_si128(word)), vzero, vscale));
  }
  for (; n != 0; --n) {
    *output++ = static_cast<float>(static_cast<int32_t>(*input++) - zero_point) * scale;
  }
}

}  // namespace

const QuantizeKernel kQs8QuantizeSse41 = {"qs8_quantize__sse41", Quantize};
const DequantizeKernel kQs8DequantizeSse41 = {"qs8_dequantize__sse41", Dequantize};

}  // namespace octet
