// Scalar reference pooling: max, average (with per-count multipliers) and
// global average over H and W, NHWC int8.
#include <algorithm>

#include "kernels/reference_ops.h"
#include "kernels/requant.h"

namespace octet {

namespace {

// The clipped window [y0, y1) x [x0, x1) of output (oy, ox).
struct Window {
  int y0, y1, x0, x1;
};
inline Window WindowOf(const Pool2DParams& p, int oy, int ox) {
  const int ys = oy * p.stride_height - p.pad_top;
  const int xs = ox * p.stride_width - p.pad_left;
  return {std::max(ys, 0), std::min(ys + p.filter_height, p.input_height), std::max(xs, 0),
          std::min(xs + p.filter_width, p.input_width)};
}

}  // namespace

void qs8_maxpool2d__scalar(const Pool2DParams& p, const int8_t* input, int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image =
        input + static_cast<size_t>(n) * p.input_height * p.input_width * c_count;
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        const Window w = WindowOf(p, oy, ox);
        int8_t* out =
            output + ((static_cast<size_t>(n) * p.output_height + oy) * p.output_width + ox) *
                         c_count;
        for (size_t c = 0; c < c_count; ++c) {
          int32_t m = -128;
          for (int y = w.y0; y < w.y1; ++y) {
            for (int x = w.x0; x < w.x1; ++x) {
              m = std::max<int32_t>(m, image[(static_cast<size_t>(y) * p.input_width + x) *
                                                 c_count + c]);
            }
          }
          out[c] = static_cast<int8_t>(std::clamp(m, p.qmin, p.qmax));
        }
      }
    }
  }
}

// Accumulator: |sum (x - z_x)| <= 255 * area (< 2^31 by the runtime's
// check), the bound the ScaledMultiplier headroom was computed for.
void qs8_avgpool2d__scalar(const AvgPool2DParams& ap, const int8_t* input, int8_t* output) {
  const Pool2DParams& p = ap.pool;
  const size_t c_count = static_cast<size_t>(p.channels);
  const int area = p.filter_height * p.filter_width;
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image =
        input + static_cast<size_t>(n) * p.input_height * p.input_width * c_count;
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        const Window w = WindowOf(p, oy, ox);
        const int count = ap.count_include_pad ? area : (w.y1 - w.y0) * (w.x1 - w.x0);
        const ScaledMultiplier& multiplier = ap.multiplier[count];
        int8_t* out =
            output + ((static_cast<size_t>(n) * p.output_height + oy) * p.output_width + ox) *
                         c_count;
        for (size_t c = 0; c < c_count; ++c) {
          int32_t acc = 0;
          for (int y = w.y0; y < w.y1; ++y) {
            for (int x = w.x0; x < w.x1; ++x) {
              acc += image[(static_cast<size_t>(y) * p.input_width + x) * c_count + c] -
                     ap.input_zero_point;
            }
          }
          out[c] = RequantizeScaled(acc, multiplier, ap.output_zero_point, p.qmin, p.qmax);
        }
      }
    }
  }
}

void qs8_global_avgpool__scalar(const GlobalAvgPoolParams& p, const int8_t* input,
                                int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + static_cast<size_t>(n) * p.pixels * c_count;
    int8_t* out = output + static_cast<size_t>(n) * c_count;
    for (size_t c = 0; c < c_count; ++c) {
      int32_t acc = 0;
      for (int i = 0; i < p.pixels; ++i) {
        acc += image[static_cast<size_t>(i) * c_count + c] - p.input_zero_point;
      }
      out[c] = RequantizeScaled(acc, p.multiplier, p.output_zero_point, p.qmin, p.qmax);
    }
  }
}

}  // namespace octet
