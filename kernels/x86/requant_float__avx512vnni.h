// The checked float requantization on AVX-512 lanes, used by the GEMM (the
// depthwise kernel measured no gain from it, see requant_float.h); the maths
// and its proof are in requant_float.h. W is a width struct (FloatZmm; ymm
// and xmm versions are the same calls with _mm256_/_mm_, FMA through the
// AVX-512VL masked form so that -mfma is not needed). Include only from files compiled with
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

// The float operations on zmm. I: int32 lanes, F: float lanes.
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
