// Scalar reference int8 kernels: the specification every optimized kernel
// must match bit for bit.
//
// Conventions shared by every kernel here:
// - Activations are NHWC int8 with one zero point per tensor; weights are
//   symmetric int8 (zero point 0) with one scale per output channel.
// - Accumulation is exact int32. The input zero point is folded into the bias
//   at prepare time:
//       acc[c] = sum_t (x_t - z_in) * w[c,t] + b[c]
//              = sum_t x_t * w[c,t] + (b[c] - z_in * sum_t w[c,t])
//                                      `------- folded_bias[c] ------'
//   where padded taps read x_t = z_in (their real value is 0). The kernels take
//   the folded bias (FoldInputZeroPoint*() below computes it) and never see
//   z_in except as the padding value.
// - acc is requantized by RequantizeToInt8 (kernels/requant.h) with a
//   per-output-channel multiplier and shift, plus the output zero point, and
//   clamped to [qmin, qmax] (the fused activation).
// - Kernels never allocate, log or fail: the runtime checks shapes first.
// - Numeric preconditions, also checked by the runtime at prepare time (the
//   kernels do not): with K taps per output (kh*kw*cin/groups, kh*kw, or
//   the FC's K), K * 255 * 127 + max|b| < 2^31, so that the int32
//   accumulation and FoldInputZeroPoint*() are exact (K up to ~66000); and
//   for a channel whose shift is > 0 (multiplier >= 1), every accumulator
//   times 2^shift must fit int32, because that left shift wraps rather
//   than saturates (see MultiplyByQuantizedMultiplier).
#pragma once

#include <cstddef>
#include <cstdint>

namespace octet {

// Per-output-channel requantization.
struct RequantParams {
  const int32_t* multiplier = nullptr;  // [channels], Q31 in [2^30, 2^31) (or 0)
  const int32_t* shift = nullptr;       // [channels], in [-31, 30]
  int32_t output_zero_point = 0;
  int32_t qmin = -128;  // fused activation, quantized
  int32_t qmax = 127;
};

struct Conv2DParams {
  int batch = 1;
  int input_height = 0, input_width = 0, input_channels = 0;
  int output_height = 0, output_width = 0, output_channels = 0;
  int kernel_height = 1, kernel_width = 1;
  int stride_height = 1, stride_width = 1;
  int dilation_height = 1, dilation_width = 1;
  int pad_top = 0, pad_left = 0;  // bottom/right padding is implied by the output size
  int groups = 1;                 // input_channels and output_channels divide by it
  int32_t input_zero_point = 0;   // the value of padded taps
  RequantParams requant;
};

// input  [batch, input_height, input_width, input_channels]
// filter [output_channels, kernel_height, kernel_width, input_channels / groups]
// bias   [output_channels] folded int32 (FoldInputZeroPoint), or null for zeros
//        (only valid when input_zero_point == 0 or the caller folded nothing)
// output [batch, output_height, output_width, output_channels]
void qs8_conv2d__scalar(const Conv2DParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output);

struct DepthwiseConv2DParams {
  int batch = 1;
  int input_height = 0, input_width = 0, input_channels = 0;
  int output_height = 0, output_width = 0;
  int depth_multiplier = 1;  // output_channels = input_channels * depth_multiplier
  int kernel_height = 1, kernel_width = 1;
  int stride_height = 1, stride_width = 1;
  int dilation_height = 1, dilation_width = 1;
  int pad_top = 0, pad_left = 0;
  int32_t input_zero_point = 0;
  RequantParams requant;  // per output channel
};

// input  [batch, input_height, input_width, input_channels]
// filter [1, kernel_height, kernel_width, input_channels * depth_multiplier];
//        output channel oc = ic * depth_multiplier + m reads input channel ic
// bias   [input_channels * depth_multiplier] folded int32, or null
// output [batch, output_height, output_width, input_channels * depth_multiplier]
void qs8_dwconv2d__scalar(const DepthwiseConv2DParams& p, const int8_t* input,
                          const int8_t* filter, const int32_t* bias, int8_t* output);

struct FullyConnectedParams {
  int batch = 1;           // rows of the input
  int input_features = 0;  // K
  int output_features = 0; // N
  int32_t input_zero_point = 0;
  RequantParams requant;   // per output feature
};

// input [batch, K], filter [N, K], bias [N] folded int32 or null, output [batch, N]
void qs8_fully_connected__scalar(const FullyConnectedParams& p, const int8_t* input,
                                 const int8_t* filter, const int32_t* bias, int8_t* output);

// Elementwise add of two int8 tensors with their own scales (TFLite scheme):
// each input is offset by its zero point, shifted left by `left_shift` bits of
// headroom, scaled by its multiplier to a common scale (2 * max(s_a, s_b) /
// 2^left_shift), summed in int32, then requantized to the output.
struct AddParams {
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  int left_shift = 20;
  int32_t a_multiplier = 0; int a_shift = 0;
  int32_t b_multiplier = 0; int b_shift = 0;
  int32_t output_multiplier = 0; int output_shift = 0;
  int32_t qmin = -128, qmax = 127;
};

// Computes AddParams from real scales; returns false if a multiplier cannot
// be represented. Sets qmin/qmax to the full range.
bool ComputeAddParams(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                      float output_scale, int32_t output_zero_point, AddParams* p);

// out[i] = requant(a[i] + b[i]) for i in [0, n).
void qs8_add__scalar(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out);

// folded[c] = bias[c] - input_zero_point * sum_{t<filter_size} filter[c * filter_size + t]
// for filters laid out channel-major (conv: filter_size = kh*kw*cin/groups;
// fully connected: filter_size = K). bias may be null (zeros).
void FoldInputZeroPoint(const int8_t* filter, const int32_t* bias, int channels,
                        int filter_size, int32_t input_zero_point, int32_t* folded);

// The same for depthwise filters [taps, channels] (channel-minor).
void FoldInputZeroPointDepthwise(const int8_t* filter, const int32_t* bias, int channels,
                                 int taps, int32_t input_zero_point, int32_t* folded);

}  // namespace octet
