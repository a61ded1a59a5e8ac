// Folds the input zero point into the bias at prepare time (the weight-only
// cross term of sum (x - z_in) * w), so kernels accumulate sum x * w + b'.
#include "kernels/reference.h"

namespace octet {

// The sums are formed in int64; the result fits int32 under the runtime's
// accumulator check K * 255 * 127 + max|b| < 2^31 (|z_in * sum w| <=
// 128 * 127 * K), which the caller must have made before calling this.
void FoldInputZeroPoint(const int8_t* filter, const int32_t* bias, int channels,
                        int filter_size, int32_t input_zero_point, int32_t* folded) {
  for (int c = 0; c < channels; ++c) {
    const int8_t* w = filter + static_cast<size_t>(c) * filter_size;
    int64_t sum = 0;
    for (int t = 0; t < filter_size; ++t) sum += w[t];
    const int64_t b = bias != nullptr ? bias[c] : 0;
    folded[c] = static_cast<int32_t>(b - static_cast<int64_t>(input_zero_point) * sum);
  }
}

void FoldInputZeroPointDepthwise(const int8_t* filter, const int32_t* bias, int channels,
                                 int taps, int32_t input_zero_point, int32_t* folded) {
  for (int c = 0; c < channels; ++c) {
    int64_t sum = 0;
    for (int t = 0; t < taps; ++t) sum += filter[static_cast<size_t>(t) * channels + c];
    const int64_t b = bias != nullptr ? bias[c] : 0;
    folded[c] = static_cast<int32_t>(b - static_cast<int64_t>(input_zero_point) * sum);
  }
}

}  // namespace octet
