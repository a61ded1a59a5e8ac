// QUANTIZE (float32 -> int8) and DEQUANTIZE (int8 -> float32) at the AVX-512
// level (uses AVX-512 F only), 64 values a step and masked tails;
// bit-identical with qs8_quantize__scalar and qs8_dequantize__scalar (the
// argument is in kernels/README.md, "x86 pooling and the float boundary").
#include <immintrin.h>

#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// round(x / scale) as a float (half away from zero), NaN replaced by +0,
// clamped to [-256, 256], converted to int32 and offset by the zero point:
// every lane lies in [-384, 383]; vpmovsdb then saturates to int8.
inline __m512i Quantize16(__m512 x, __m512 scale, __m512i zero_point) {
  const __m512i sign_mask = _mm512_set1_epi32(INT32_MIN);
  const __m512 d = _mm512_div_ps(x, scale);
  __m512 t = _mm512_roundscale_ps(d, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m512 frac = _mm512_abs_ps(_mm512_sub_ps(d, t));
  const __m512 away = _mm512_castsi512_ps(_mm512_or_si512(
      _mm512_and_si512(_mm512_castps_si512(d), sign_mask),
      _mm512_castps_si512(_mm512_set1_ps(1.0f))));
  t = _mm512_mask_add_ps(t, _mm512_cmp_ps_mask(frac, _mm512_set1_ps(0.5f), _CMP_GE_OQ), t, away);
  t = _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(t, t, _CMP_ORD_Q), t);
  t = _mm512_min_ps(_mm512_max_ps(t, _mm512_set1_ps(-256.0f)), _mm512_set1_ps(256.0f));
  return _mm512_add_epi32(_mm512_cvttps_epi32(t), zero_point);
}

void Quantize(size_t n, float scale, int32_t zero_point, const float* input, int8_t* output) {
  const __m512 vscale = _mm512_set1_ps(scale);
  const __m512i vzero = _mm512_set1_epi32(zero_point);
  for (; n >= 64; n -= 64, input += 64, output += 64) {
    const __m512i a = Quantize16(_mm512_loadu_ps(input), vscale, vzero);
    const __m512i b = Quantize16(_mm512_loadu_ps(input + 16), vscale, vzero);
    const __m512i c = Quantize16(_mm512_loadu_ps(input + 32), vscale, vzero);
    const __m512i d = Quantize16(_mm512_loadu_ps(input + 48), vscale, vzero);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(output), _mm512_cvtsepi32_epi8(a));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(output + 16), _mm512_cvtsepi32_epi8(b));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(output + 32), _mm512_cvtsepi32_epi8(c));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(output + 48), _mm512_cvtsepi32_epi8(d));
  }
  for (; n != 0;) {
    const size_t step = n < 16 ? n : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << step) - 1);
    const __m512i v = Quantize16(_mm512_maskz_loadu_ps(mask, input), vscale, vzero);
    _mm512_mask_cvtsepi32_storeu_epi8(output, mask, v);
    n -= step;
    input += step;
    output += step;
  }
}

// float(x - z) * scale: the int32 difference is exact in float, then one
// correctly rounded multiply (no add to contract into an FMA).
inline __m512 Dequantize16(__m128i x, __m512i zero_point, __m512 scale) {
  return _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(_mm512_cvtepi8_epi32(x), zero_point)),
                       scale);
}

void Dequantize(size_t n, float scale, int32_t zero_point, const int8_t* input, float* output) {
  const __m512 vscale = _mm512_set1_ps(scale);
  const __m512i vzero = _mm512_set1_epi32(zero_point);
  for (; n >= 64; n -= 64, input += 64, output += 64) {
    for (int i = 0; i < 64; i += 16) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(input + i));
      _mm512_storeu_ps(output + i, Dequantize16(x, vzero, vscale));
    }
  }
  for (; n != 0;) {
    const size_t step = n < 16 ? n : 16;
    const __mmask16 mask = static_cast<__mmask16>((1u << step) - 1);
    const __m128i x = _mm_maskz_loadu_epi8(mask, input);
    _mm512_mask_storeu_ps(output, mask, Dequantize16(x, vzero, vscale));
    n -= step;
    input += step;
    output += step;
  }
}

}  // namespace

const QuantizeKernel kQs8QuantizeAvx512Vnni = {"qs8_quantize__avx512vnni", Quantize};
const DequantizeKernel kQs8DequantizeAvx512Vnni = {"qs8_dequantize__avx512vnni", Dequantize};

}  // namespace octet
