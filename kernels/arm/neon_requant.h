// NEON form of octet's one requantization (kernels/requant.h), bit-exact,
// for the Arm kernel files (aarch64 and armv7 NEON).
//
// Everything here is in an anonymous namespace: each ISA file that includes
// it (compiled with its own -march/-mfpu flags) gets its own copy, so copies
// built for different ISAs never meet at link time (one-definition rule).
#pragma once

#include <arm_neon.h>

#include <cstdint>

namespace octet {
namespace {

// Steps 1-3 of kernels/requant.h on four lanes, with per-lane multiplier and
// shift (shift in [-31, 30]):
//   1. x = acc << max(shift, 0)      vshlq_s32 with a positive count is a plain
//                                    (wrapping) left shift, as in the scalar code
//   2. h = vqrdmulhq_s32(x, M0)      NEON's saturating rounding doubling high
//                                    multiply is exactly gemmlowp's
//                                    SaturatingRoundingDoublingHighMul:
//                                    sat((2 x M0 + 2^31) >> 32) = floor((x M0 + 2^30) / 2^31)
//   3. RoundingDivideByPOT(h, e), e = max(-shift, 0):
//      vrshlq_s32(v, -e) computes (v + 2^(e-1)) >> e, i.e. rounds ties up
//      (towards +inf). gemmlowp rounds ties away from zero, so negative h are
//      first decremented by one ("fixup", as gemmlowp's NEON code does): the
//      sign of (h & -e) is h's sign when e > 0, and -e = 0 leaves h alone.
//      floor((h - 1 + 2^(e-1)) / 2^e) rounds up exactly when the remainder
//      h mod 2^e exceeds 2^(e-1), which is the scalar rule for h < 0. The
//      saturating add only touches h = INT32_MIN, whose remainder is 0 anyway.
inline int32x4_t RequantizeQ31(int32x4_t acc, int32x4_t multiplier, int32x4_t shift) {
  const int32x4_t zero = vdupq_n_s32(0);
  const int32x4_t left = vmaxq_s32(shift, zero);
  const int32x4_t right = vminq_s32(shift, zero);  // -e, <= 0: vrshl shifts right
  const int32x4_t x = vqrdmulhq_s32(vshlq_s32(acc, left), multiplier);
  const int32x4_t fixup = vshrq_n_s32(vandq_s32(x, right), 31);
  return vrshlq_s32(vqaddq_s32(x, fixup), right);
}

// The same with one multiplier and shift for all lanes (add).
inline int32x4_t RequantizeQ31(int32x4_t acc, int32_t multiplier, int shift) {
  return RequantizeQ31(acc, vdupq_n_s32(multiplier), vdupq_n_s32(shift));
}

// Step 4 on eight lanes: + z_out, narrow to int8 and clamp to [qmin, qmax].
// The adds and narrows saturate; since qmin/qmax lie inside int8, clamping
// the saturated value gives what clamping the exact (64-bit) sum gives.
struct OutputStage {
  int32x4_t zero_point;
  int8x8_t qmin, qmax;
  OutputStage(int32_t z, int32_t lo, int32_t hi)
      : zero_point(vdupq_n_s32(z)),
        qmin(vdup_n_s8(static_cast<int8_t>(lo))),
        qmax(vdup_n_s8(static_cast<int8_t>(hi))) {}
  int8x8_t operator()(int32x4_t lo, int32x4_t hi) const {
    const int16x8_t q16 = vcombine_s16(vqmovn_s32(vqaddq_s32(lo, zero_point)),
                                       vqmovn_s32(vqaddq_s32(hi, zero_point)));
    return vmin_s8(vmax_s8(vqmovn_s16(q16), qmin), qmax);
  }
};

// Horizontal sums of four int32x4 vectors into one: lane i = sum of v_i.
inline int32x4_t ReduceAdd4(int32x4_t v0, int32x4_t v1, int32x4_t v2, int32x4_t v3) {
#if defined(__aarch64__)
  return vpaddq_s32(vpaddq_s32(v0, v1), vpaddq_s32(v2, v3));
#else
  const int32x2_t s0 = vpadd_s32(vget_low_s32(v0), vget_high_s32(v0));
  const int32x2_t s1 = vpadd_s32(vget_low_s32(v1), vget_high_s32(v1));
  const int32x2_t s2 = vpadd_s32(vget_low_s32(v2), vget_high_s32(v2));
  const int32x2_t s3 = vpadd_s32(vget_low_s32(v3), vget_high_s32(v3));
  return vcombine_s32(vpadd_s32(s0, s1), vpadd_s32(s2, s3));
#endif
}

}  // namespace
}  // namespace octet
