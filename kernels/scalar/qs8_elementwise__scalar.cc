// Scalar reference int8 -> int8 maps (lookup table, requantize, PReLU) and
// the float32 boundary (quantize, dequantize).
#include <cmath>

#include "kernels/reference_ops.h"
#include "kernels/requant.h"

namespace octet {

void x8_lut__scalar(size_t n, const int8_t* table, const int8_t* input, int8_t* output) {
  for (size_t i = 0; i < n; ++i) output[i] = table[static_cast<int32_t>(input[i]) + 128];
}

void qs8_requantize__scalar(const RequantizeParams& p, size_t n, const int8_t* input,
                            int8_t* output) {
  for (size_t i = 0; i < n; ++i) {
    output[i] = RequantizeScaled(static_cast<int32_t>(input[i]) - p.input_zero_point,
                                 p.multiplier, p.output_zero_point, -128, 127);
  }
}

// |x - z_x| <= 255 and |(x - z_x) alpha| <= 255 * 128: the bounds the
// ScaledMultiplier headrooms were computed for.
void qs8_prelu__scalar(const PReluParams& p, const int8_t* input, int8_t* output) {
  const size_t channels = static_cast<size_t>(p.channels);
  for (size_t r = 0; r < p.outer; ++r) {
    const int8_t* x = input + r * channels;
    int8_t* y = output + r * channels;
    for (size_t c = 0; c < channels; ++c) {
      const int32_t v = static_cast<int32_t>(x[c]) - p.input_zero_point;
      y[c] = v >= 0 ? RequantizeScaled(v, p.positive, p.output_zero_point, -128, 127)
                    : RequantizeScaled(v * p.alpha[c], p.negative[c], p.output_zero_point, -128,
                                       127);
    }
  }
}

// float32 division, then std::round (half away from zero) in float; the
// clamp happens before the conversion to int so huge values, infinities and
// out-of-range results saturate. NaN has no quantized value: it maps to the
// zero point (real 0).
void qs8_quantize__scalar(size_t n, float scale, int32_t zero_point, const float* input,
                          int8_t* output) {
  for (size_t i = 0; i < n; ++i) {
    const float q = std::round(input[i] / scale);
    int32_t v = zero_point;
    if (q >= 256.0f) {
      v = 127;
    } else if (q <= -256.0f) {
      v = -128;
    } else if (q == q) {
      v = static_cast<int32_t>(q) + zero_point;
      v = v < -128 ? -128 : (v > 127 ? 127 : v);
    }
    output[i] = static_cast<int8_t>(v);
  }
}

void qs8_dequantize__scalar(size_t n, float scale, int32_t zero_point, const int8_t* input,
                            float* output) {
  for (size_t i = 0; i < n; ++i) {
    output[i] = static_cast<float>(static_cast<int32_t>(input[i]) - zero_point) * scale;
  }
}

}  // namespace octet
