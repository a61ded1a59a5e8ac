// QUANTIZE and DEQUANTIZE on NEON, bit-exact with qs8_quantize__scalar and
// qs8_dequantize__scalar on aarch64 and armv7 (16 values a step).
//
// aarch64: Advanced SIMD follows the FPCR like scalar code (no flush to zero
// unless FZ is set, which Linux and Android leave clear), divides exactly
// (vdivq_f32 is IEEE) and has FCVTAS, a conversion rounding half away from
// zero, so per lane
//   d = x / s                      vdivq_f32: the same float as the scalar division
//   v = fcvtas(d)                  = roundf(d) for |d| < 2^31; saturates beyond;
//                                    NaN gives 0
//   v = min(max(v, -256), 256) + z
//   y = saturate_int8(v)           vqmovn x2: v >= 256 + z >= 128 gives 127,
//                                    v <= -256 + z <= -129 gives -128, as the
//                                    reference's q >= 256 / q <= -256 branches;
//                                    NaN gives z
//
// armv7: NEON has no division, no round-half-away conversion, and always
// flushes denormal inputs and results to zero. So the division is done by
// VFP (scalar vdiv.f32, IEEE with denormals under the default FPSCR, the
// same instruction the scalar reference uses), and only the rounding runs on
// NEON, on values where flushing cannot change the result:
//   d = min(max(d, -256), 256)     NaN stays NaN (default NaN); a denormal d
//                                    becomes +-0 (flushed), whose rounding, 0,
//                                    is also roundf(d)'s
//   t = trunc(d)                   vcvtq_s32_f32; NaN gives 0
//   f = |d - t|                    exact (|d| <= 256: for |d| < 1 t = 0 and
//                                    f = |d|; else d - t is a multiple of
//                                    ulp(d) below 1), and never denormal
//   t += f >= 0.5 ? sign(d) : 0    now roundf(d); NaN's f compares false
//   y = saturate_int8(t + z)       as above
//
// DEQUANTIZE y = float(x - z) * s: one multiply of an exact small integer.
// aarch64: vmulq_f32 is the scalar multiply. armv7: NEON flushes, but when s
// is a normal float every nonzero product has |x - z| >= 1 so |y| >= s >=
// FLT_MIN is normal too: the NEON product is the IEEE one. A denormal (or
// otherwise odd) scale runs the scalar kernel.
#include <arm_neon.h>

#include <cfloat>
#include <cmath>
#include <cstring>

#include "kernels/arm/arm_kernels.h"

namespace octet {
namespace {

// Four quotients x / s rounded half away from zero, clamped to [-256, 256]
// (NaN gives 0).
inline int32x4_t RoundedQuotient(const float* x, float scale) {
#if defined(__aarch64__)
  const int32x4_t v = vcvtaq_s32_f32(vdivq_f32(vld1q_f32(x), vdupq_n_f32(scale)));
  return vminq_s32(vmaxq_s32(v, vdupq_n_s32(-256)), vdupq_n_s32(256));
#else
  float q[4];
  for (int j = 0; j < 4; ++j) q[j] = x[j] / scale;  // VFP: IEEE division
  float32x4_t d = vld1q_f32(q);
  d = vminq_f32(vmaxq_f32(d, vdupq_n_f32(-256.0f)), vdupq_n_f32(256.0f));
  const int32x4_t t = vcvtq_s32_f32(d);
  const float32x4_t f = vabsq_f32(vsubq_f32(d, vcvtq_f32_s32(t)));
  const uint32x4_t up = vcgeq_f32(f, vdupq_n_f32(0.5f));
  // -1 for a set sign bit, +1 otherwise.
  const int32x4_t sign = vorrq_s32(vshrq_n_s32(vreinterpretq_s32_f32(d), 31), vdupq_n_s32(1));
  return vaddq_s32(t, vandq_s32(vreinterpretq_s32_u32(up), sign));
#endif
}

// 16 values: four quotients per int32x4, + z (exact: |v| <= 256), then the
// saturating narrows clamp to int8.
inline int8x16_t Quantize16(const float* x, float scale, int32x4_t z) {
  const int32x4_t v0 = vaddq_s32(RoundedQuotient(x, scale), z);
  const int32x4_t v1 = vaddq_s32(RoundedQuotient(x + 4, scale), z);
  const int32x4_t v2 = vaddq_s32(RoundedQuotient(x + 8, scale), z);
  const int32x4_t v3 = vaddq_s32(RoundedQuotient(x + 12, scale), z);
  const int16x8_t lo = vcombine_s16(vqmovn_s32(v0), vqmovn_s32(v1));
  const int16x8_t hi = vcombine_s16(vqmovn_s32(v2), vqmovn_s32(v3));
  return vcombine_s8(vqmovn_s16(lo), vqmovn_s16(hi));
}

void Quantize(size_t n, float scale, int32_t zero_point, const float* input, int8_t* output) {
  const int32x4_t z = vdupq_n_s32(zero_point);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) vst1q_s8(output + i, Quantize16(input + i, scale, z));
  if (i < n) {  // tail through zero-filled buffers: no access past n
    float x[16] = {};
    int8_t y[16];
    std::memcpy(x, input + i, (n - i) * sizeof(float));
    vst1q_s8(y, Quantize16(x, scale, z));
    std::memcpy(output + i, y, n - i);
  }
}

// 8 values: widen x - z to int32 (exact), convert (exact), multiply.
inline void Dequantize8(const int8_t* x, int8x8_t z, float32x4_t s, float* y) {
  const int16x8_t d = vsubl_s8(vld1_s8(x), z);
  vst1q_f32(y, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_low_s16(d))), s));
  vst1q_f32(y + 4, vmulq_f32(vcvtq_f32_s32(vmovl_s16(vget_high_s16(d))), s));
}

void Dequantize(size_t n, float scale, int32_t zero_point, const int8_t* input, float* output) {
#if !defined(__aarch64__)
  if (!(std::fabs(scale) >= FLT_MIN)) {  // NEON would flush: see the top
    qs8_dequantize__scalar(n, scale, zero_point, input, output);
    return;
  }
#endif
  // The zero point is an int8 value (the contract), so vsubl_s8 takes it as int8.
  const int8x8_t z = vdup_n_s8(static_cast<int8_t>(zero_point));
  const float32x4_t s = vdupq_n_f32(scale);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    Dequantize8(input + i, z, s, output + i);
    Dequantize8(input + i + 8, z, s, output + i + 8);
  }
  if (i < n) {
    int8_t x[16] = {};
    float y[16];
    std::memcpy(x, input + i, n - i);
    Dequantize8(x, z, s, y);
    Dequantize8(x + 8, z, s, y + 8);
    std::memcpy(output + i, y, (n - i) * sizeof(float));
  }
}

}  // namespace

const QuantizeKernel kQuantize__neon = {"qs8_quantize__neon", Quantize};
const DequantizeKernel kDequantize__neon = {"qs8_dequantize__neon", Dequantize};

}  // namespace octet
