// MAX_POOL_2D on NEON (aarch64 and armv7): 64, 16, then 8 channels a step (vmaxq_s8),
// bit-exact with qs8_maxpool2d__scalar by construction (max and clamp are exact).
#include <arm_neon.h>

#include <algorithm>

#include "kernels/arm/arm_kernels.h"

namespace octet {
namespace {

// Per output pixel, the clipped window (padding taps are skipped, as in the
// reference); per 64-channel block four accumulators, per 16-channel block
// one, run over the taps:
//
//   acc[c0..c15] = max over (y, x) in window of in[y][x][c0..c15]   vmaxq_s8
//   out = min(max(acc, qmin), qmax)
//
// Then one 8-channel step on d registers, the last < 8 channels one at a time.
void MaxPool(const Pool2DParams& p, const int8_t* input, int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  const size_t row_stride = static_cast<size_t>(p.input_width) * c_count;
  const int8x16_t vmin = vdupq_n_s8(static_cast<int8_t>(p.qmin));
  const int8x16_t vmax = vdupq_n_s8(static_cast<int8_t>(p.qmax));
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + static_cast<size_t>(n) * p.input_height * row_stride;
    for (int oy = 0; oy < p.output_height; ++oy) {
      const int ys = oy * p.stride_height - p.pad_top;
      const int y0 = std::max(ys, 0), y1 = std::min(ys + p.filter_height, p.input_height);
      for (int ox = 0; ox < p.output_width; ++ox) {
        const int xs = ox * p.stride_width - p.pad_left;
        const int x0 = std::max(xs, 0), x1 = std::min(xs + p.filter_width, p.input_width);
        const int8_t* corner = image + static_cast<size_t>(y0) * row_stride +
                               static_cast<size_t>(x0) * c_count;
        const int rows = y1 - y0, cols = x1 - x0;
        size_t c = 0;
        // 64 channels a step: four accumulators share the tap loop's overhead.
        for (; c + 64 <= c_count; c += 64) {
          int8x16_t a0 = vdupq_n_s8(-128), a1 = a0, a2 = a0, a3 = a0;
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) {
              a0 = vmaxq_s8(a0, vld1q_s8(tap));
              a1 = vmaxq_s8(a1, vld1q_s8(tap + 16));
              a2 = vmaxq_s8(a2, vld1q_s8(tap + 32));
              a3 = vmaxq_s8(a3, vld1q_s8(tap + 48));
            }
          }
          vst1q_s8(output + c, vminq_s8(vmaxq_s8(a0, vmin), vmax));
          vst1q_s8(output + c + 16, vminq_s8(vmaxq_s8(a1, vmin), vmax));
          vst1q_s8(output + c + 32, vminq_s8(vmaxq_s8(a2, vmin), vmax));
          vst1q_s8(output + c + 48, vminq_s8(vmaxq_s8(a3, vmin), vmax));
        }
        for (; c + 16 <= c_count; c += 16) {
          int8x16_t acc = vdupq_n_s8(-128);
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) acc = vmaxq_s8(acc, vld1q_s8(tap));
          }
          vst1q_s8(output + c, vminq_s8(vmaxq_s8(acc, vmin), vmax));
        }
        if (c + 8 <= c_count) {
          int8x8_t acc = vdup_n_s8(-128);
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) acc = vmax_s8(acc, vld1_s8(tap));
          }
          vst1_s8(output + c, vmin_s8(vmax_s8(acc, vget_low_s8(vmin)), vget_low_s8(vmax)));
          c += 8;
        }
        for (; c < c_count; ++c) {
          int32_t m = -128;
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            for (int x = 0; x < cols; ++x) m = std::max<int32_t>(m, row[x * c_count]);
          }
          output[c] = static_cast<int8_t>(std::clamp(m, p.qmin, p.qmax));
        }
        output += c_count;
      }
    }
  }
}

}  // namespace

const MaxPool2DKernel kMaxPool2D__neon = {"qs8_maxpool2d__neon", MaxPool};

}  // namespace octet
