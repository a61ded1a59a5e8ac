// The checked float requantization of the AVX-512 kernels: prepare-time
// constants and the proof of when it applies (plain C++, no ISA flags). The
// SIMD side is in requant_float__avx512vnni.h.
//
// Theory of operation
// -------------------
// For rs = -shift >= 1, the exact result (kernels/requant.h) is one floor
// (derivation in qs8_gemm_c4__avx512vnni.cc and qs8_dwconv2d_pack.h):
//     out - zp = floor(p + 1/2 + d - c * 2d),   p = acc * M0 / 2^(31 + rs),
//     d = 2^-(rs + 1),  c = [acc < 0].
// Split by the sign of acc (K = 1/2 + d):
//     acc >= 0:  out - zp = floor(|p| + K)
//     acc <  0:  out - zp = -ceil(|p| + K - 1) = -floor(|p| + K)  unless |p| + K is an integer,
// so with t = p + copysign(K, acc),
//     out - zp = trunc(t)  whenever t is not an integer.
// The kernels compute, in float32,
//     v = fma(float(acc), S, copysign(K, float(acc))),   S = fl(M0 * 2^-(31+rs)),
// where float(acc) is exact (|acc| < 2^24, checked here), K is exact (rs <= 22:
// its bits span 2^-1 .. 2^-23), the product inside the fma is exact and the
// fma rounds once. So
//     |v - t| <= |acc| |S - M0 2^-(31+rs)| + ulp(v)/2 <= 2^-24 |p| + 2^-24 |v|.
// In the range that matters, |t| <= 256 (so |p| < 256 and |v| < 256.01), this
// is below 2^-16 + 2^-16 = 2^-15. With B = kFloatRequantMargin = 2^-14 (twice
// that, for margin): when v is at
// least B from every integer, no integer lies between v and t (t included),
// so trunc(v) = trunc(t) and t is not an integer: trunc(v) is exact. The
// kernels measure dist(v, Z) = |v - rne(v)| (vreduceps) and recompute, with
// an exact integer epilogue, every group of lanes where it is below B. When
// |t| > 256 the same bound (relative: 2^-23 |t|) keeps |v| > 255.9, so both
// truncations have the sign of t and magnitude >= 255, and after adding the
// zero point (|zp| <= 128: at least 127 in magnitude) both saturate to the
// same int8 (and then meet the same qmin/qmax clamp).
// Lanes are flagged with probability about 2B = 2^-13 (for 16 lanes: 0.2%).
//
// Cost on this Zen 4: the four core ops (cvtdq2ps, vpternlogd, vfmadd,
// vcvttps2dq) are cheaper than the fast integer epilogue's ten, but the
// check (vreduceps + vrangeps per vector) is not free: the GEMM gains (shape
// a -10%, b -5%, f -3%), the depthwise kernel measured 2-6% slower than its
// fast integer form and keeps it. Cheaper checks tried and slower still:
// v - float(trunc(v)) with an integer min, and the low bits of v + 1536.
// cvttps2dq cannot overflow: |v| < |acc| 2^-rs + 1 < 2^24.
#pragma once

#include <atomic>
#include <cmath>
#include <cstdint>

namespace octet {
namespace x86 {

// Distance to the nearest integer below which a lane is recomputed exactly.
constexpr float kFloatRequantMargin = 1.0f / 16384.0f;  // 2^-14

// Whether the float requantization is exact (with the fallback above) for a
// channel: M0 in [2^30, 2^31), rs = -shift in [1, 22], and every accumulator
// provably below 2^24 in magnitude (acc_bound >= max |acc|).
inline bool FloatRequantApplies(int32_t multiplier, int shift, int64_t acc_bound) {
  return multiplier >= (int32_t{1} << 30) && shift <= -1 && shift >= -22 &&
         acc_bound < (int64_t{1} << 24);
}

// S = M0 * 2^-(31 + rs), rounded to float (relative error <= 2^-24: S is a
// normal float), and K = 1/2 + 2^-(rs + 1) (exact for rs <= 22).
inline float FloatRequantScale(int32_t multiplier, int shift) {
  return static_cast<float>(std::ldexp(static_cast<double>(multiplier), shift - 31));
}
inline float FloatRequantOffset(int shift) {
  return 0.5f + 1.0f / static_cast<float>(int64_t{1} << (1 - shift));
}

// Groups of lanes the kernels recomputed with the exact fallback, for the
// tests (which must see both paths taken). Touched only on that rare path.
inline std::atomic<uint64_t> g_float_requant_fallbacks{0};
inline void CountFloatRequantFallback() {
  g_float_requant_fallbacks.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace x86
}  // namespace octet
