// The checked float requantization on AVX-512 lanes (zmm, ymm, xmm), shared by
// the GEMM and the depthwise kernel; the maths and its proof are in
// requant_float.h. Include only from files compiled with
// -mavx512f -mavx512bw -mavx512dq -mavx512vl (vreduceps and vrangeps are DQ).
//
// Per 16 accumulators (one zmm):
//     a = vcvtdq2ps acc                       exact: |acc| < 2^24
//     k = vpternlogd (a & sign) | K           copysign(K, a); K > 0
//     v = vfmadd a * S + k                    one rounding
//     q = vcvttps2dq v                        trunc(v) = out - zp unless flagged
//     near = vrangeps(near, vreduceps v)      running min of |v - rne(v)|
// and once per group of vectors: near < B ? recompute the group exactly.
#pragma once

#include <immintrin.h>

#include "kernels/x86/requant_float.h"

namespace octet {
namespace avx512vnni {

// The float operations at one width. I: int32 lanes, F: float lanes.
struct FloatZmm {
  using I = __m512i;
  using F = __m512;
  static F Set(float x) { return _mm512_set1_ps(x); }
  static F Load(const void* p) { return _mm512_loadu_ps(p); }
  static F Cvt(I x) { return _mm512_cvtepi32_ps(x); }
  static I Trunc(F x) { return _mm512_cvttps_epi32(x); }
  static F CopySign(F magnitude, F sign) {
    return _mm512_castsi512_ps(_mm512_ternarylogic_epi32(
        _mm512_castps_si512(sign), _mm512_set1_epi32(INT32_MIN), _mm512_castps_si512(magnitude), 0xEA));
  }
  static F Fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  // |x - rne(x)| folded into a running minimum (vrangeps: absolute minimum, sign cleared).
  static F Near(F near, F x) {
    return _mm512_range_ps(near, _mm512_reduce_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), 0x0A);
  }
  static bool AnyBelow(F near, float b) {
    return _mm512_cmp_ps_mask(near, _mm512_set1_ps(b), _CMP_LT_OQ) != 0;
  }
};

struct FloatYmm {
  using I = __m256i;
  using F = __m256;
  static F Set(float x) { return _mm256_set1_ps(x); }
  static F Load(const void* p) { return _mm256_loadu_ps(static_cast<const float*>(p)); }
  static F Cvt(I x) { return _mm256_cvtepi32_ps(x); }
  static I Trunc(F x) { return _mm256_cvttps_epi32(x); }
  static F CopySign(F magnitude, F sign) {
    return _mm256_castsi256_ps(_mm256_ternarylogic_epi32(
        _mm256_castps_si256(sign), _mm256_set1_epi32(INT32_MIN), _mm256_castps_si256(magnitude), 0xEA));
  }
  static F Fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F Near(F near, F x) {
    return _mm256_range_ps(near, _mm256_reduce_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), 0x0A);
  }
  static bool AnyBelow(F near, float b) {
    return _mm256_cmp_ps_mask(near, _mm256_set1_ps(b), _CMP_LT_OQ) != 0;
  }
};

struct FloatXmm {
  using I = __m128i;
  using F = __m128;
  static F Set(float x) { return _mm_set1_ps(x); }
  static F Load(const void* p) { return _mm_loadu_ps(static_cast<const float*>(p)); }
  static F Cvt(I x) { return _mm_cvtepi32_ps(x); }
  static I Trunc(F x) { return _mm_cvttps_epi32(x); }
  static F CopySign(F magnitude, F sign) {
    return _mm_castsi128_ps(_mm_ternarylogic_epi32(
        _mm_castps_si128(sign), _mm_set1_epi32(INT32_MIN), _mm_castps_si128(magnitude), 0xEA));
  }
  static F Fma(F a, F b, F c) { return _mm_fmadd_ps(a, b, c); }
  static F Near(F near, F x) {
    return _mm_range_ps(near, _mm_reduce_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), 0x0A);
  }
  static bool AnyBelow(F near, float b) {
    return _mm_cmp_ps_mask(near, _mm_set1_ps(b), _CMP_LT_OQ) != 0;
  }
};

// Accumulators (no offset) -> out - zp as int32, exact unless `near` (see
// above) ends below kFloatRequantMargin. scale: S, offset: K, per lane.
template <class W>
inline typename W::I RequantFloat(typename W::I acc, typename W::F scale, typename W::F offset,
                                  typename W::F* near) {
  const typename W::F a = W::Cvt(acc);
  const typename W::F v = W::Fma(a, scale, W::CopySign(offset, a));
  *near = W::Near(*near, v);
  return W::Trunc(v);
}

// The initial value of a group's running minimum (above any margin).
template <class W>
inline typename W::F FloatNearInit() {
  return W::Set(1.0f);
}

template <class W>
inline bool FloatNeedsFallback(typename W::F near) {
  return W::AnyBelow(near, x86::kFloatRequantMargin);
}

}  // namespace avx512vnni
}  // namespace octet
