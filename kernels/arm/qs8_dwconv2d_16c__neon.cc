// NEON (aarch64 and armv7) depthwise convolution, 16 channels per step, with
// the tap loop specialized for 3x3 and 5x5 kernels and a general path for
// any other size (stride, dilation and padding are free in all of them).
#include <arm_neon.h>

#include <cstddef>
#include <cstring>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_requant.h"
#include "kernels/requant.h"

namespace octet {
namespace {

// Theory of operation. For each output pixel an indirection list of `taps`
// pointers is built: tap t points at the input pixel it reads, or at a row
// of input-zero-point bytes (in scratch) when it falls in the padding. The
// channel loop then runs without bounds checks. Weights are read in place
// from the model's filter [taps][channels] (already channel-minor), the
// folded bias and per-channel requantization from the runtime's arrays, so
// nothing is packed.
//
// Per step of 16 channels c..c+15 and two taps s, t:
//   x_s, x_t, w_s, w_t : int8x16
//   p_lo = x_s.lo * w_s.lo + x_t.lo * w_t.lo   (vmull_s8 + vmlal_s8, int16x8)
//   p_hi = the same for the high halves
//   acc0..3 (int32x4, channels c+4i..) += widen(p_lo.lo, p_lo.hi, p_hi.lo, p_hi.hi)
// The int16 sum of two products cannot overflow: |w| <= 127 (symmetric
// weights, octet's contract), so |x w| <= 16256 and two sum to <= 32512.
struct Channels {
  int count;                  // channels
  const int8_t* filter;       // [taps][count]
  const int32_t* bias;        // [count]
  const int32_t* multiplier;  // [count]
  const int32_t* shift;       // [count]
  const OutputStage* out;
  int32_t zero_point, qmin, qmax;
};

inline int16x8_t MulLo(int8x16_t x, int8x16_t w) { return vmull_s8(vget_low_s8(x), vget_low_s8(w)); }
inline int16x8_t MulHi(int8x16_t x, int8x16_t w) { return vmull_s8(vget_high_s8(x), vget_high_s8(w)); }
inline int16x8_t MlaLo(int16x8_t p, int8x16_t x, int8x16_t w) {
  return vmlal_s8(p, vget_low_s8(x), vget_low_s8(w));
}
inline int16x8_t MlaHi(int16x8_t p, int8x16_t x, int8x16_t w) {
  return vmlal_s8(p, vget_high_s8(x), vget_high_s8(w));
}

// kTaps > 0: compile-time tap count (fully unrolled); 0: `taps` at run time.
template <int kTaps>
void DepthwisePixel(const int8_t* const* in, int taps, const Channels& ch, int8_t* out) {
  const int n_taps = kTaps > 0 ? kTaps : taps;
  const size_t stride = size_t(ch.count);
  int c = 0;
  for (; c + 16 <= ch.count; c += 16) {
    int32x4_t acc0 = vld1q_s32(ch.bias + c), acc1 = vld1q_s32(ch.bias + c + 4);
    int32x4_t acc2 = vld1q_s32(ch.bias + c + 8), acc3 = vld1q_s32(ch.bias + c + 12);
    const int8_t* w = ch.filter + c;
    int t = 0;
    for (; t + 2 <= n_taps; t += 2) {
      const int8x16_t xs = vld1q_s8(in[t] + c), ws = vld1q_s8(w + t * stride);
      const int8x16_t xt = vld1q_s8(in[t + 1] + c), wt = vld1q_s8(w + (t + 1) * stride);
      const int16x8_t lo = MlaLo(MulLo(xs, ws), xt, wt);
      const int16x8_t hi = MlaHi(MulHi(xs, ws), xt, wt);
      acc0 = vaddw_s16(acc0, vget_low_s16(lo));
      acc1 = vaddw_s16(acc1, vget_high_s16(lo));
      acc2 = vaddw_s16(acc2, vget_low_s16(hi));
      acc3 = vaddw_s16(acc3, vget_high_s16(hi));
    }
    if (t < n_taps) {
      const int8x16_t xs = vld1q_s8(in[t] + c), ws = vld1q_s8(w + t * stride);
      const int16x8_t lo = MulLo(xs, ws), hi = MulHi(xs, ws);
      acc0 = vaddw_s16(acc0, vget_low_s16(lo));
      acc1 = vaddw_s16(acc1, vget_high_s16(lo));
      acc2 = vaddw_s16(acc2, vget_low_s16(hi));
      acc3 = vaddw_s16(acc3, vget_high_s16(hi));
    }
    const int32_t* m = ch.multiplier + c;
    const int32_t* s = ch.shift + c;
    const int8x8_t lo = (*ch.out)(RequantizeQ31(acc0, vld1q_s32(m), vld1q_s32(s)),
                                  RequantizeQ31(acc1, vld1q_s32(m + 4), vld1q_s32(s + 4)));
    const int8x8_t hi = (*ch.out)(RequantizeQ31(acc2, vld1q_s32(m + 8), vld1q_s32(s + 8)),
                                  RequantizeQ31(acc3, vld1q_s32(m + 12), vld1q_s32(s + 12)));
    vst1q_s8(out + c, vcombine_s8(lo, hi));
  }
  for (; c + 8 <= ch.count; c += 8) {
    int32x4_t acc0 = vld1q_s32(ch.bias + c), acc1 = vld1q_s32(ch.bias + c + 4);
    for (int t = 0; t < n_taps; ++t) {
      const int16x8_t p = vmull_s8(vld1_s8(in[t] + c), vld1_s8(ch.filter + t * stride + c));
      acc0 = vaddw_s16(acc0, vget_low_s16(p));
      acc1 = vaddw_s16(acc1, vget_high_s16(p));
    }
    const int32_t* m = ch.multiplier + c;
    const int32_t* s = ch.shift + c;
    vst1_s8(out + c, (*ch.out)(RequantizeQ31(acc0, vld1q_s32(m), vld1q_s32(s)),
                               RequantizeQ31(acc1, vld1q_s32(m + 4), vld1q_s32(s + 4))));
  }
  for (; c < ch.count; ++c) {  // fewer than 8 channels left: the scalar sums
    int32_t acc = 0;
    for (int t = 0; t < n_taps; ++t) acc += int32_t{in[t][c]} * ch.filter[t * stride + c];
    out[c] = RequantizeToInt8(acc + ch.bias[c], ch.multiplier[c], ch.shift[c], ch.zero_point,
                              ch.qmin, ch.qmax);
  }
}

size_t DepthwisePackedBytes(const DepthwiseConv2DParams&) { return 0; }
void DepthwisePack(const DepthwiseConv2DParams&, const int8_t*, const int32_t*, void*) {}

// Scratch: the indirection pointers, the taps' byte offsets from the
// window's top-left input pixel, then one row of input-zero-point bytes.
size_t PointerBytes(const DepthwiseConv2DParams& p) {
  return (size_t(p.kernel_height) * p.kernel_width * (sizeof(void*) + sizeof(ptrdiff_t)) + 15) /
         16 * 16;
}
size_t DepthwiseScratchBytes(const DepthwiseConv2DParams& p) {
  return p.depth_multiplier == 1 ? PointerBytes(p) + size_t(p.input_channels) : 0;
}

void DepthwiseRun(const DepthwiseConv2DParams& p, const int8_t* input, const int8_t* filter,
                  const int32_t* bias, const void*, void* scratch, int8_t* output) {
  if (p.depth_multiplier != 1) {  // rare in practice; not vectorized
    qs8_dwconv2d__scalar(p, input, filter, bias, output);
    return;
  }
  const int taps = p.kernel_height * p.kernel_width;
  const int channels = p.input_channels;
  const int8_t** in = static_cast<const int8_t**>(scratch);
  ptrdiff_t* offset = reinterpret_cast<ptrdiff_t*>(in + taps);
  int8_t* zero_row = static_cast<int8_t*>(scratch) + PointerBytes(p);
  std::memset(zero_row, static_cast<int8_t>(p.input_zero_point), size_t(channels));
  const OutputStage out(p.requant.output_zero_point, p.requant.qmin, p.requant.qmax);
  const Channels ch = {channels, filter, bias, p.requant.multiplier, p.requant.shift, &out,
                       p.requant.output_zero_point, p.requant.qmin, p.requant.qmax};
  void (*pixel)(const int8_t* const*, int, const Channels&, int8_t*) =
      taps == 9 && p.kernel_height == 3 ? DepthwisePixel<9>
      : taps == 25 && p.kernel_height == 5 ? DepthwisePixel<25>
                                           : DepthwisePixel<0>;
  const size_t row_bytes = size_t(p.input_width) * channels;
  for (int ky = 0, t = 0; ky < p.kernel_height; ++ky) {
    for (int kx = 0; kx < p.kernel_width; ++kx, ++t) {
      offset[t] = ptrdiff_t(ky) * p.dilation_height * ptrdiff_t(row_bytes) +
                  ptrdiff_t(kx) * p.dilation_width * channels;
    }
  }
  const int span_y = (p.kernel_height - 1) * p.dilation_height;
  const int span_x = (p.kernel_width - 1) * p.dilation_width;
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + size_t(n) * p.input_height * row_bytes;
    for (int oy = 0; oy < p.output_height; ++oy) {
      const int iy0 = oy * p.stride_height - p.pad_top;
      const bool rows_inside = iy0 >= 0 && iy0 + span_y < p.input_height;
      for (int ox = 0; ox < p.output_width; ++ox) {
        const int ix0 = ox * p.stride_width - p.pad_left;
        if (rows_inside && ix0 >= 0 && ix0 + span_x < p.input_width) {
          // Interior window: fixed offsets from its top-left pixel.
          const int8_t* origin = image + size_t(iy0) * row_bytes + size_t(ix0) * channels;
          for (int t = 0; t < taps; ++t) in[t] = origin + offset[t];
        } else {
          int t = 0;
          for (int ky = 0; ky < p.kernel_height; ++ky) {
            const int iy = iy0 + ky * p.dilation_height;
            for (int kx = 0; kx < p.kernel_width; ++kx, ++t) {
              const int ix = ix0 + kx * p.dilation_width;
              in[t] = iy >= 0 && iy < p.input_height && ix >= 0 && ix < p.input_width
                          ? image + size_t(iy) * row_bytes + size_t(ix) * channels
                          : zero_row;
            }
          }
        }
        pixel(in, taps, ch,
              output + ((size_t(n) * p.output_height + oy) * p.output_width + ox) * channels);
      }
    }
  }
}

}  // namespace

const DepthwiseConv2DKernel kDepthwise_16c__neon = {
    "qs8_dwconv2d_16c__neon", DepthwisePackedBytes, DepthwisePack, DepthwiseScratchBytes,
    DepthwiseRun};

}  // namespace octet
