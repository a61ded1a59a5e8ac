// AVERAGE_POOL_2D and GLOBAL_AVERAGE_POOL_2D on NEON (aarch64 and armv7), 16
// channels a step, bit-exact with qs8_avgpool2d__scalar and
// qs8_global_avgpool__scalar.
#include <arm_neon.h>

#include <algorithm>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_requant.h"

namespace octet {
namespace {

// The taps of a window (rows x cols pixels, `row_stride` and `pixel_stride`
// bytes apart) summed for 16 channels:
//
//   s16_lo/hi[c] += x[c]          vaddw_s8: int16 partial sums; 256 taps of
//                                 int8 stay within [-32768, 32512]
//   acc[0..3]    += s16           vaddw_s16 into int32, every 256 taps
//                                 (kLong: windows of more than 256 taps) and
//                                 at the end
//
// acc[k] lane j is channel 4k + j. The sum of x (not x - z) is exact in
// int32: |sum| <= 128 * taps < 2^31 (the runtime bounds taps by 2^31 / 255).
struct Partial16 {
  int16x8_t lo = vdupq_n_s16(0), hi = vdupq_n_s16(0);
  void Add(const int8_t* tap) {
    const int8x16_t v = vld1q_s8(tap);
    lo = vaddw_s8(lo, vget_low_s8(v));
    hi = vaddw_s8(hi, vget_high_s8(v));
  }
  void Flush(int32x4_t acc[4]) {
    acc[0] = vaddw_s16(acc[0], vget_low_s16(lo));
    acc[1] = vaddw_s16(acc[1], vget_high_s16(lo));
    acc[2] = vaddw_s16(acc[2], vget_low_s16(hi));
    acc[3] = vaddw_s16(acc[3], vget_high_s16(hi));
    lo = hi = vdupq_n_s16(0);
  }
};

// 64 channels: four 16-channel partials share the tap loop's overhead.
struct Partial64 {
  Partial16 q[4];
  void Add(const int8_t* tap) {
    for (int k = 0; k < 4; ++k) q[k].Add(tap + 16 * k);
  }
  void Flush(int32x4_t acc[16]) {
    for (int k = 0; k < 4; ++k) q[k].Flush(acc + 4 * k);
  }
};

// The same for 8 channels (d registers).
struct Partial8 {
  int16x8_t s = vdupq_n_s16(0);
  void Add(const int8_t* tap) { s = vaddw_s8(s, vld1_s8(tap)); }
  void Flush(int32x4_t acc[2]) {
    acc[0] = vaddw_s16(acc[0], vget_low_s16(s));
    acc[1] = vaddw_s16(acc[1], vget_high_s16(s));
    s = vdupq_n_s16(0);
  }
};

template <bool kLong, class P, int kVectors>
inline void SumTaps(const int8_t* corner, int rows, int cols, size_t row_stride,
                    size_t pixel_stride, int32x4_t (&acc)[kVectors]) {
  for (int k = 0; k < kVectors; ++k) acc[k] = vdupq_n_s32(0);
  P partial;
  [[maybe_unused]] int pending = 0;  // used when kLong
  for (int y = 0; y < rows; ++y, corner += row_stride) {
    const int8_t* tap = corner;
    for (int x = 0; x < cols; ++x, tap += pixel_stride) {
      partial.Add(tap);
      if constexpr (kLong) {
        if (++pending == 256) {
          partial.Flush(acc);
          pending = 0;
        }
      }
    }
  }
  partial.Flush(acc);
}

template <class P, int kVectors>
inline void Sum(const int8_t* corner, int rows, int cols, size_t row_stride, size_t pixel_stride,
                int32x4_t (&acc)[kVectors]) {
  if (rows * cols <= 256) {
    SumTaps<false, P>(corner, rows, cols, row_stride, pixel_stride, acc);
  } else {
    SumTaps<true, P>(corner, rows, cols, row_stride, pixel_stride, acc);
  }
}

// RequantizeScaled on four lanes: acc = sum + bias (bias = -taps * z_x, so acc
// is the reference's sum of (x - z_x)), then (uint32) acc << left_shift
// (vshlq_s32 by a count in [0, 30] is that wrapping shift) and the
// requantization of kernels/arm/neon_requant.h.
struct Requant {
  int32x4_t bias, left_shift, multiplier, shift;
  Requant(const ScaledMultiplier& m, int taps, int32_t input_zero_point)
      : bias(vdupq_n_s32(-taps * input_zero_point)),
        left_shift(vdupq_n_s32(m.left_shift)),
        multiplier(vdupq_n_s32(m.multiplier)),
        shift(vdupq_n_s32(m.shift)) {}
  int32x4_t operator()(int32x4_t sum) const {
    return RequantizeQ31(vshlq_s32(vaddq_s32(sum, bias), left_shift), multiplier, shift);
  }
};

// Channels [0, c_count) of one output: 64, 16, then 8, then one at a time.
void PoolChannels(const int8_t* corner, int rows, int cols, size_t row_stride, size_t c_count,
                  const ScaledMultiplier& m, int32_t input_zero_point,
                  const OutputStage& stage, int32_t output_zero_point, int32_t qmin,
                  int32_t qmax, int8_t* out) {
  const int taps = rows * cols;
  const Requant rq(m, taps, input_zero_point);
  size_t c = 0;
  for (; c + 64 <= c_count; c += 64) {
    int32x4_t acc[16];
    Sum<Partial64>(corner + c, rows, cols, row_stride, c_count, acc);
    for (int k = 0; k < 4; ++k) {
      const int32x4_t* a = acc + 4 * k;
      vst1q_s8(out + c + 16 * k,
               vcombine_s8(stage(rq(a[0]), rq(a[1])), stage(rq(a[2]), rq(a[3]))));
    }
  }
  for (; c + 16 <= c_count; c += 16) {
    int32x4_t acc[4];
    Sum<Partial16>(corner + c, rows, cols, row_stride, c_count, acc);
    vst1q_s8(out + c, vcombine_s8(stage(rq(acc[0]), rq(acc[1])), stage(rq(acc[2]), rq(acc[3]))));
  }
  if (c + 8 <= c_count) {
    int32x4_t acc[2];
    Sum<Partial8>(corner + c, rows, cols, row_stride, c_count, acc);
    vst1_s8(out + c, stage(rq(acc[0]), rq(acc[1])));
    c += 8;
  }
  for (; c < c_count; ++c) {
    int32_t acc = 0;
    const int8_t* row = corner + c;
    for (int y = 0; y < rows; ++y, row += row_stride) {
      for (int x = 0; x < cols; ++x) acc += row[x * c_count] - input_zero_point;
    }
    out[c] = RequantizeScaled(acc, m, output_zero_point, qmin, qmax);
  }
}

void AvgPool(const AvgPool2DParams& ap, const int8_t* input, int8_t* output) {
  const Pool2DParams& p = ap.pool;
  const size_t c_count = static_cast<size_t>(p.channels);
  const size_t row_stride = static_cast<size_t>(p.input_width) * c_count;
  const int area = p.filter_height * p.filter_width;
  const OutputStage stage(ap.output_zero_point, p.qmin, p.qmax);
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + static_cast<size_t>(n) * p.input_height * row_stride;
    for (int oy = 0; oy < p.output_height; ++oy) {
      const int ys = oy * p.stride_height - p.pad_top;
      const int y0 = std::max(ys, 0), y1 = std::min(ys + p.filter_height, p.input_height);
      for (int ox = 0; ox < p.output_width; ++ox) {
        const int xs = ox * p.stride_width - p.pad_left;
        const int x0 = std::max(xs, 0), x1 = std::min(xs + p.filter_width, p.input_width);
        const int rows = y1 - y0, cols = x1 - x0;
        const int count = ap.count_include_pad ? area : rows * cols;
        PoolChannels(image + static_cast<size_t>(y0) * row_stride +
                         static_cast<size_t>(x0) * c_count,
                     rows, cols, row_stride, c_count, ap.multiplier[count], ap.input_zero_point,
                     stage, ap.output_zero_point, p.qmin, p.qmax, output);
        output += c_count;
      }
    }
  }
}

// One "window" of 1 row x H*W pixels per image.
void GlobalAvgPool(const GlobalAvgPoolParams& p, const int8_t* input, int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  const OutputStage stage(p.output_zero_point, p.qmin, p.qmax);
  for (int n = 0; n < p.batch; ++n) {
    PoolChannels(input + static_cast<size_t>(n) * p.pixels * c_count, 1, p.pixels, 0, c_count,
                 p.multiplier, p.input_zero_point, stage, p.output_zero_point, p.qmin, p.qmax,
                 output + static_cast<size_t>(n) * c_count);
  }
}

}  // namespace

const AvgPool2DKernel kAvgPool2D__neon = {"qs8_avgpool2d__neon", AvgPool};
const GlobalAvgPoolKernel kGlobalAvgPool__neon = {"qs8_global_avgpool__neon", GlobalAvgPool};

}  // namespace octet
