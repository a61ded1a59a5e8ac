// Scalar reference elementwise multiply of two int8 tensors (same shape or
// broadcast), and the computation of its parameters.
#include <cmath>

#include "kernels/reference_ops.h"
#include "kernels/requant.h"
#include "kernels/scalar/broadcast_loop.h"

namespace octet {

// Theory. r_a r_b = s_a s_b (a - z_a)(b - z_b), so the product of the
// offset inputs is an accumulator on the scale s_a s_b, requantized with
// M = s_a s_b / s_y. |(a - z_a)(b - z_b)| <= 255 * 255 = 65025 < 2^16, which
// leaves 15 bits of headroom (ScaledMultiplier); M >= 2^15 (an output scale
// below 2^-15 of s_a s_b, which no calibrated model produces) is rejected.
bool ComputeMulParams(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                      float output_scale, int32_t output_zero_point, MulParams* p) {
  auto valid_scale = [](float s) { return std::isfinite(s) && s > 0.0f; };
  if (!valid_scale(a_scale) || !valid_scale(b_scale) || !valid_scale(output_scale)) return false;
  MulParams params;
  params.a_zero_point = a_zero_point;
  params.b_zero_point = b_zero_point;
  params.output_zero_point = output_zero_point;
  const double real = static_cast<double>(a_scale) * b_scale / output_scale;
  if (!ComputeScaledMultiplier(real, 255 * 255, &params.multiplier)) return false;
  *p = params;
  return true;
}

namespace {

inline int8_t MulOne(const MulParams& p, int8_t a, int8_t b) {
  const int32_t product = (static_cast<int32_t>(a) - p.a_zero_point) *
                          (static_cast<int32_t>(b) - p.b_zero_point);
  return RequantizeScaled(product, p.multiplier, p.output_zero_point, p.qmin, p.qmax);
}

}  // namespace

bool ComputeScaledMultiplier(double real, int64_t bound, ScaledMultiplier* out) {
  ScaledMultiplier m;
  if (bound < 1) bound = 1;
  if (!QuantizeMultiplier(real, &m.multiplier, &m.shift)) return false;
  constexpr int64_t kLimit = int64_t{1} << 31;
  if (m.shift > 0) {
    if ((bound << m.shift) >= kLimit) return false;
  } else if (m.multiplier != 0) {
    int headroom = 0;
    while (headroom < 30 && (bound << (headroom + 1)) < kLimit) ++headroom;
    const int left = headroom < m.shift + 31 ? headroom : m.shift + 31;
    m.left_shift = left;
    m.shift -= left;
  }
  *out = m;
  return true;
}

void qs8_mul__scalar(const MulParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  for (size_t i = 0; i < n; ++i) out[i] = MulOne(p, a[i], b[i]);
}

void qs8_mul_broadcast__scalar(const MulParams& p, const BroadcastShape& s, const int8_t* a,
                               const int8_t* b, int8_t* out) {
  scalar::ForEachBroadcastRow(s, [&](int64_t ia, int64_t ib, int64_t io, int64_t n, int64_t da,
                                     int64_t db) {
    for (int64_t i = 0; i < n; ++i) out[io + i] = MulOne(p, a[ia + i * da], b[ib + i * db]);
  });
}

}  // namespace octet
