// Scalar reference elementwise add of two int8 tensors with their own scales
// (the TFLite fixed-point scheme), and the computation of its parameters.
#include <algorithm>
#include <cmath>

#include "kernels/reference.h"
#include "kernels/requant.h"
#include "kernels/reference_ops.h"
#include "kernels/scalar/broadcast_loop.h"

namespace octet {

// Theory. With real values r_a = s_a (a - z_a) and r_b = s_b (b - z_b), pick
// the common scale s = 2 * max(s_a, s_b) / 2^left_shift. Then
//     r_a / s = ((a - z_a) << left_shift) * (s_a / (2 max))
// where s_a / (2 max) is in (0, 0.5], a multiplier below one (shift <= 0),
// so each input becomes an int32 on the common scale with left_shift bits of
// fraction. |a - z_a| <= 255 and 255 * 2^20 < 2^28, so neither the shifted
// inputs nor their sum (|sum| <= 255 * 2^20 + 1 after the <= 0.5
// multipliers) come near int32 limits. The sum is requantized with
//     M_out = s / s_out = 2 max / (2^left_shift s_out),
// normally far below one. MultiplyByQuantizedMultiplier applies a positive
// shift as a wrapping left shift before the high multiply, so an output
// shift above 3 (M_out >= 8, an output scale below 2^-22 of the inputs')
// could wrap the sum instead of saturating it: such parameters are rejected
// (255 * 2^20 * 2^3 < 2^31).
bool ComputeAddParams(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                      float output_scale, int32_t output_zero_point, AddParams* p) {
  auto valid_scale = [](float s) { return std::isfinite(s) && s > 0.0f; };
  if (!valid_scale(a_scale) || !valid_scale(b_scale) || !valid_scale(output_scale)) return false;
  AddParams params;
  params.a_zero_point = a_zero_point;
  params.b_zero_point = b_zero_point;
  params.output_zero_point = output_zero_point;
  params.left_shift = 20;
  params.qmin = -128;
  params.qmax = 127;
  const double twice_max = 2.0 * std::max<double>(a_scale, b_scale);
  const double a_real = a_scale / twice_max;
  const double b_real = b_scale / twice_max;
  const double out_real =
      twice_max / (std::ldexp(1.0, params.left_shift) * static_cast<double>(output_scale));
  if (!QuantizeMultiplier(a_real, &params.a_multiplier, &params.a_shift)) return false;
  if (!QuantizeMultiplier(b_real, &params.b_multiplier, &params.b_shift)) return false;
  if (!QuantizeMultiplier(out_real, &params.output_multiplier, &params.output_shift)) return false;
  if (params.output_shift > 3) return false;  // the sum could wrap; see above
  *p = params;
  return true;
}

void qs8_add__scalar(const AddParams& p, size_t n, const int8_t* a, const int8_t* b,
                     int8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    const int32_t xa = (static_cast<int32_t>(a[i]) - p.a_zero_point) * (int32_t{1} << p.left_shift);
    const int32_t xb = (static_cast<int32_t>(b[i]) - p.b_zero_point) * (int32_t{1} << p.left_shift);
    const int32_t scaled_a = MultiplyByQuantizedMultiplier(xa, p.a_multiplier, p.a_shift);
    const int32_t scaled_b = MultiplyByQuantizedMultiplier(xb, p.b_multiplier, p.b_shift);
    out[i] = RequantizeToInt8(scaled_a + scaled_b, p.output_multiplier, p.output_shift,
                              p.output_zero_point, p.qmin, p.qmax);
  }
}

}  // namespace octet

namespace octet {

// The same arithmetic as qs8_add__scalar over a broadcast shape; rows where
// both inputs are contiguous go through qs8_add__scalar itself.
void qs8_add_broadcast__scalar(const AddParams& p, const BroadcastShape& s, const int8_t* a,
                               const int8_t* b, int8_t* out) {
  scalar::ForEachBroadcastRow(s, [&](int64_t ia, int64_t ib, int64_t io, int64_t n, int64_t da,
                                     int64_t db) {
    if (da == 1 && db == 1) {
      qs8_add__scalar(p, static_cast<size_t>(n), a + ia, b + ib, out + io);
      return;
    }
    for (int64_t i = 0; i < n; ++i) {
      qs8_add__scalar(p, 1, a + ia + i * da, b + ib + i * db, out + io + i);
    }
  });
}

}  // namespace octet
