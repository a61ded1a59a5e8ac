// The one normative int8 requantization of octet (gemmlowp double rounding).
//
// Theory
// ------
// A layer computes an int32 accumulator `acc` whose real value is
// acc * s_in * s_w[c]. The int8 output q must satisfy
//     s_out * (q - z_out) ~= acc * s_in * s_w[c],
// so q = z_out + acc * M with the real multiplier M = s_in * s_w[c] / s_out.
// M is stored as a Q31 fixed-point number M0 in [2^30, 2^31) and a power of
// two: M = M0 * 2^(shift - 31)  (QuantizeMultiplier below). The product is
// computed without floating point in two roundings, exactly as gemmlowp's
// fixedpoint.h and the TFLite int8 reference kernels do:
//
//   1. x = acc * 2^max(shift, 0)           (left shift; wraps like int32 math)
//   2. h = SaturatingRoundingDoublingHighMul(x, M0)
//        = floor((x * M0 + 2^30) / 2^31)   (ties round up; the single
//                                           overflow INT32_MIN*INT32_MIN
//                                           saturates to INT32_MAX)
//   3. r = RoundingDivideByPOT(h, max(-shift, 0))
//        = h / 2^e rounded to nearest, ties away from zero
//   4. q = clamp(r + z_out, qmin, qmax)    (qmin/qmax carry the fused ReLU,
//                                           ReLU6 or clamp)
//
// Every optimized kernel must reproduce these bits exactly. The functions
// are tested against gemmlowp's fixedpoint.h (tests/kernels/requant_test.cc).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace octet {

// floor((a * b + 2^30) / 2^31), saturating the one overflowing case.
inline int32_t SaturatingRoundingDoublingHighMul(int32_t a, int32_t b) {
  if (a == std::numeric_limits<int32_t>::min() && b == a) {
    return std::numeric_limits<int32_t>::max();
  }
  const int64_t ab = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  // >> on a negative int64 is an arithmetic (flooring) shift in C++20 and in
  // every compiler octet supports; the sum cannot overflow (|ab| <= 2^62).
  return static_cast<int32_t>((ab + (int64_t{1} << 30)) >> 31);
}

// x / 2^exponent rounded to nearest, ties away from zero; exponent in [0, 31].
inline int32_t RoundingDivideByPOT(int32_t x, int exponent) {
  const int32_t mask = static_cast<int32_t>((int64_t{1} << exponent) - 1);
  const int32_t remainder = x & mask;
  const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

// acc * M0 * 2^(shift - 31) with double rounding. shift in [-31, 30].
inline int32_t MultiplyByQuantizedMultiplier(int32_t acc, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  // Left shift in uint32: wraps on overflow, as TFLite's int32 math does in
  // practice, without undefined behaviour.
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left_shift);
  return RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x, multiplier), right_shift);
}

// Requantizes one accumulator to int8 (steps 1-4 above).
inline int8_t RequantizeToInt8(int32_t acc, int32_t multiplier, int shift, int32_t output_zero_point,
                               int32_t qmin, int32_t qmax) {
  // The zero point is added in 64 bits so that a result near INT32_MAX
  // cannot wrap before the clamp.
  int64_t q = static_cast<int64_t>(MultiplyByQuantizedMultiplier(acc, multiplier, shift)) +
              output_zero_point;
  if (q < qmin) q = qmin;
  if (q > qmax) q = qmax;
  return static_cast<int8_t>(q);
}

// Decomposes a real multiplier M >= 0 into M0 in [2^30, 2^31) and shift with
// M ~= M0 * 2^(shift - 31) (M0 = round(frac * 2^31) where M = frac * 2^shift,
// frac in [0.5, 1)). Returns false when M is negative, not finite, or too
// large to represent (shift > 30). Multipliers below 2^-32 become (0, 0): the
// product rounds to zero for every int32 accumulator anyway.
inline bool QuantizeMultiplier(double real_multiplier, int32_t* multiplier, int* shift) {
  *multiplier = 0;
  *shift = 0;
  if (!(real_multiplier >= 0.0) || !std::isfinite(real_multiplier)) return false;
  if (real_multiplier == 0.0) return true;
  int exponent = 0;
  const double fraction = std::frexp(real_multiplier, &exponent);  // [0.5, 1)
  int64_t q = static_cast<int64_t>(std::round(fraction * static_cast<double>(int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {  // rounding carried into the next power of two
    q /= 2;
    ++exponent;
  }
  if (exponent < -31) return true;  // (0, 0)
  if (exponent > 30) return false;
  *multiplier = static_cast<int32_t>(q);
  *shift = exponent;
  return true;
}

// Quantized clamp bounds for a fused activation, given the output's scale and
// zero point. `lo`/`hi` are real values (use -inf/+inf for "no bound").
inline void ActivationRange(double lo, double hi, float scale, int32_t zero_point, int32_t* qmin,
                            int32_t* qmax) {
  auto quantize = [&](double v) -> double { return zero_point + std::round(v / scale); };
  double qlo = std::isinf(lo) ? -128.0 : quantize(lo);
  double qhi = std::isinf(hi) ? 127.0 : quantize(hi);
  if (qlo < -128.0) qlo = -128.0;
  if (qhi > 127.0) qhi = 127.0;
  if (qlo > 127.0) qlo = 127.0;
  if (qhi < -128.0) qhi = -128.0;
  *qmin = static_cast<int32_t>(qlo);
  *qmax = static_cast<int32_t>(qhi);
}

}  // namespace octet
