// Scalar reference kernels of the operators beyond convolution, fully
// connected and same-shape add: broadcasting add and mul, pooling, data
// movement (concat, transpose, slice, pad, resize), softmax, lookup tables,
// PReLU and the quantize / dequantize / requantize conversions.
//
// Conventions (as in reference.h): NHWC int8 activations with one scale and
// zero point per tensor; kernels never allocate, log or fail; the runtime
// checks shapes and numeric preconditions (stated per kernel) at prepare
// time and precomputes every multiplier and index map. Kernels that only
// move bytes are named x8_* (type-agnostic 8-bit moves), the others qs8_*.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/requant.h"

namespace octet {

// Maximum rank of the generic (rank <= 6) kernels, equal to the format's.
constexpr int kMaxKernelRank = 6;

// ---------------------------------------------------------------------------
// Requantization of small accumulators with headroom.
//
// Theory. requant(acc, M) rounds twice: the high multiply keeps
// -shift fractional bits of acc * M, then the rounding shift drops them.
// With a multiplier near 1 (shift -1 or 0: average pooling of few taps,
// REQUANTIZE, PReLU) almost no fractional bits survive the first rounding
// and about one output in six is 1 LSB off the correctly rounded value.
// The ops whose accumulators are small (|acc| <= bound, known at prepare
// time) therefore shift the accumulator left first, by as many bits L as
// keep bound * 2^L < 2^31, and requantize with M / 2^L:
//     y = RequantizeToInt8(acc << L, M0, shift - L, ...)
// which is the same real product with L more bits through the first
// rounding (the result is then off only when acc * M lies within about
// 2^-L of a tie). When M >= 1 (shift > 0) there is no room to gain and
// the requirement is only bound * 2^shift < 2^31.
struct ScaledMultiplier {
  int32_t multiplier = 0;  // Q31, as QuantizeMultiplier
  int shift = 0;           // in [-31, 30]
  int left_shift = 0;      // L, applied to the accumulator first
};

// Returns false if `real` is not representable or bound * 2^max(shift, 0)
// does not fit int32 (bound >= 1).
bool ComputeScaledMultiplier(double real, int64_t bound, ScaledMultiplier* out);

// RequantizeToInt8(acc << m.left_shift, m.multiplier, m.shift, ...).
inline int8_t RequantizeScaled(int32_t acc, const ScaledMultiplier& m, int32_t output_zero_point,
                               int32_t qmin, int32_t qmax) {
  const int32_t shifted = static_cast<int32_t>(static_cast<uint32_t>(acc) << m.left_shift);
  return RequantizeToInt8(shifted, m.multiplier, m.shift, output_zero_point, qmin, qmax);
}

// ---------------------------------------------------------------------------
// Broadcasting (numpy rules, ranks aligned on the right).

// An output of `rank` dims (after collapsing) and, per dim, the element
// stride of each input (0 where that input is broadcast along the dim).
// Unused leading dims have size 1. Built by MakeBroadcastShape.
struct BroadcastShape {
  int rank = 1;
  int64_t shape[kMaxKernelRank] = {1, 1, 1, 1, 1, 1};
  int64_t a_stride[kMaxKernelRank] = {0, 0, 0, 0, 0, 0};
  int64_t b_stride[kMaxKernelRank] = {0, 0, 0, 0, 0, 0};
};

// Fills `out` for inputs of shapes a and b broadcast to `y` (each rank <=
// kMaxKernelRank; a and b broadcastable to y). Adjacent dims with the same
// broadcast pattern are merged, so [N,H,W,C] x [N,1,1,C] becomes
// [N, H*W, C] with b strides [C, 0, 1]. Returns false if the shapes do not
// broadcast to y.
bool MakeBroadcastShape(const int32_t* y_shape, int y_rank, const int32_t* a_shape, int a_rank,
                        const int32_t* b_shape, int b_rank, BroadcastShape* out);

// out = requant(a + b) over the broadcast shape (AddParams as qs8_add__scalar).
void qs8_add_broadcast__scalar(const AddParams& p, const BroadcastShape& s, const int8_t* a,
                               const int8_t* b, int8_t* out);

// Elementwise multiply: y = requant((a - z_a)(b - z_b), s_a s_b / s_y) with
// headroom (ScaledMultiplier, bound 255^2).
struct MulParams {
  int32_t a_zero_point = 0, b_zero_point = 0, output_zero_point = 0;
  ScaledMultiplier multiplier;
  int32_t qmin = -128, qmax = 127;
};

// Returns false if ComputeScaledMultiplier(s_a s_b / s_y, 255^2) fails.
bool ComputeMulParams(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                      float output_scale, int32_t output_zero_point, MulParams* p);

void qs8_mul__scalar(const MulParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out);
void qs8_mul_broadcast__scalar(const MulParams& p, const BroadcastShape& s, const int8_t* a,
                               const int8_t* b, int8_t* out);

// ---------------------------------------------------------------------------
// Pooling (NHWC). Windows never lie entirely in the padding (the runtime
// checks pad < filter on each side).

struct Pool2DParams {
  int batch = 1;
  int input_height = 0, input_width = 0, channels = 0;
  int output_height = 0, output_width = 0;
  int filter_height = 1, filter_width = 1;
  int stride_height = 1, stride_width = 1;
  int pad_top = 0, pad_left = 0;
  int32_t qmin = -128, qmax = 127;  // fused activation
};

// Max over the taps inside the input (padding ignored), clamped to [qmin, qmax].
void qs8_maxpool2d__scalar(const Pool2DParams& p, const int8_t* input, int8_t* output);

// Average pooling: for a window with n counted taps (the taps inside the
// input, or filter_height * filter_width when count_include_pad),
//   y = requant(sum (x - z_x), s_x / (n s_y)) + z_y
// with headroom: multiplier[n] is ComputeScaledMultiplier(s_x / (n s_y),
// 255 * area) (n in [1, area]; index 0 unused).
struct AvgPool2DParams {
  Pool2DParams pool;
  bool count_include_pad = false;
  int32_t input_zero_point = 0, output_zero_point = 0;
  const ScaledMultiplier* multiplier = nullptr;  // [area + 1]
};
void qs8_avgpool2d__scalar(const AvgPool2DParams& p, const int8_t* input, int8_t* output);

// Mean over H and W: y[n,c] = requant(sum_hw (x - z_x), s_x / (H W s_y)) + z_y
// with headroom (ComputeScaledMultiplier bound 255 * H * W).
struct GlobalAvgPoolParams {
  int batch = 1;
  int pixels = 0;  // H * W
  int channels = 0;
  int32_t input_zero_point = 0, output_zero_point = 0;
  ScaledMultiplier multiplier;
  int32_t qmin = -128, qmax = 127;
};
void qs8_global_avgpool__scalar(const GlobalAvgPoolParams& p, const int8_t* input,
                                int8_t* output);

// ---------------------------------------------------------------------------
// Data movement (byte copies; scale and zero point unchanged).

// Concatenation along an axis: the output is `outer` rows; row r is input
// 0's row r (row_bytes[0] bytes), then input 1's row r, and so on.
struct ConcatParams {
  int inputs = 0;
  size_t outer = 1;
  const size_t* row_bytes = nullptr;  // [inputs]: dim(axis) * inner of each input
};
void x8_concat__scalar(const ConcatParams& p, const int8_t* const* inputs, int8_t* output);

// Strided gather: out, read in order over `shape`, takes
//   in[offset + sum_d index_d * stride_d].
// TRANSPOSE is this with permuted strides, SLICE with begin offsets and
// scaled strides. Unused leading dims have size 1.
struct StridedCopyParams {
  int64_t shape[kMaxKernelRank] = {1, 1, 1, 1, 1, 1};
  int64_t stride[kMaxKernelRank] = {0, 0, 0, 0, 0, 0};
  int64_t offset = 0;
};
void x8_strided_copy__scalar(const StridedCopyParams& p, const int8_t* input, int8_t* output);

// Constant padding: the input of shape `input_shape`, placed at `before`
// inside the output of shape `output_shape`, every other byte `value`.
// Unused leading dims have size 1 and no padding.
struct PadParams {
  int64_t input_shape[kMaxKernelRank] = {1, 1, 1, 1, 1, 1};
  int64_t output_shape[kMaxKernelRank] = {1, 1, 1, 1, 1, 1};
  int64_t before[kMaxKernelRank] = {0, 0, 0, 0, 0, 0};
  int8_t value = 0;
};
void x8_pad__scalar(const PadParams& p, const int8_t* input, int8_t* output);

// Nearest-neighbour resize (NHWC): output pixel (oy, ox) copies input pixel
// (y_index[oy], x_index[ox]); the index maps are computed at prepare time
// (ComputeResizeNearestIndex).
struct ResizeNearestParams {
  int batch = 1;
  int input_height = 0, input_width = 0, channels = 0;
  int output_height = 0, output_width = 0;
  const int32_t* y_index = nullptr;  // [output_height]
  const int32_t* x_index = nullptr;  // [output_width]
};
void x8_resize_nearest__scalar(const ResizeNearestParams& p, const int8_t* input,
                               int8_t* output);

// Source index of each output coordinate of one axis, as ONNX Resize
// (mode nearest) defines it with scale = output_size / input_size, computed
// in exact rational arithmetic and clamped to [0, input_size - 1].
// `coordinate_transform` and `nearest_mode` take the values of the schema
// enums CoordinateTransform and NearestMode.
enum class ResizeCoordinateTransform { kAsymmetric = 0, kHalfPixel = 1, kAlignCorners = 2,
                                       kPytorchHalfPixel = 3 };
enum class ResizeNearestMode { kFloor = 0, kRoundPreferFloor = 1, kRoundPreferCeil = 2,
                               kCeil = 3 };
void ComputeResizeNearestIndex(int input_size, int output_size,
                               ResizeCoordinateTransform transform, ResizeNearestMode mode,
                               int32_t* index);

// ---------------------------------------------------------------------------
// Softmax along the innermost axis of `outer` rows of `depth` values.
//   d = max(row) - x  (in [0, 255]);  e = exp_table[d];  S = sum e (int64)
//   y = clamp(floor((512 e + S) / (2 S)) - 128, -128, 127)
// i.e. round_half_up(256 e / S) - 128: output scale 1/256, zero point -128.
// Precondition: exp_table[0] > 0 and every entry in [0, 2^30].
struct SoftmaxParams {
  size_t outer = 1;
  int depth = 0;
};
void qs8_softmax__scalar(const SoftmaxParams& p, const int32_t* exp_table, const int8_t* input,
                         int8_t* output);

// table[d] = round(2^30 exp(-beta * input_scale * d)) for d in [0, 256), in
// double precision. Precondition: beta * input_scale finite and >= 0 (then
// every entry is in [0, 2^30] and table[0] = 2^30).
void ComputeSoftmaxExpTable(float beta, float input_scale, int32_t table[256]);

// ---------------------------------------------------------------------------
// Elementwise int8 -> int8 maps.

// y = table[x + 128].
void x8_lut__scalar(size_t n, const int8_t* table, const int8_t* input, int8_t* output);

// y = requant(x - z_x, s_x / s_y) + z_y (REQUANTIZE), with headroom
// (ComputeScaledMultiplier bound 255).
struct RequantizeParams {
  int32_t input_zero_point = 0, output_zero_point = 0;
  ScaledMultiplier multiplier;
};
void qs8_requantize__scalar(const RequantizeParams& p, size_t n, const int8_t* input,
                            int8_t* output);

// PReLU over `outer` rows of `channels` values (channel innermost):
//   x >= z_x: requant(x - z_x, s_x / s_y) + z_y
//   x <  z_x: requant((x - z_x) alpha[c], s_x s_alpha[c] / s_y) + z_y
// with headroom (ComputeScaledMultiplier bounds 255 and 255 * 128).
struct PReluParams {
  size_t outer = 1;
  int channels = 0;
  int32_t input_zero_point = 0, output_zero_point = 0;
  ScaledMultiplier positive;
  const int8_t* alpha = nullptr;                // [channels]
  const ScaledMultiplier* negative = nullptr;   // [channels]
};
void qs8_prelu__scalar(const PReluParams& p, const int8_t* input, int8_t* output);

// ---------------------------------------------------------------------------
// The float boundary.

// y = clamp(round(x / scale) + zero_point, -128, 127): the division in
// float32, round half away from zero; NaN gives zero_point.
void qs8_quantize__scalar(size_t n, float scale, int32_t zero_point, const float* input,
                          int8_t* output);
// y = scale * (x - zero_point) in float32.
void qs8_dequantize__scalar(size_t n, float scale, int32_t zero_point, const int8_t* input,
                            float* output);

}  // namespace octet
