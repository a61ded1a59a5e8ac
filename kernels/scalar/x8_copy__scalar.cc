// Scalar byte-moving kernels: concatenation, strided gather (transpose and
// slice), constant padding and nearest-neighbour resize, plus the resize
// index maps computed at prepare time.
#include <cstring>

#include "kernels/reference_ops.h"

namespace octet {

void x8_concat__scalar(const ConcatParams& p, const int8_t* const* inputs, int8_t* output) {
  for (size_t r = 0; r < p.outer; ++r) {
    for (int i = 0; i < p.inputs; ++i) {
      const size_t bytes = p.row_bytes[i];
      std::memcpy(output, inputs[i] + r * bytes, bytes);
      output += bytes;
    }
  }
}

void x8_strided_copy__scalar(const StridedCopyParams& p, const int8_t* input, int8_t* output) {
  const int64_t* n = p.shape;
  const int64_t* s = p.stride;
  const int8_t* base = input + p.offset;
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2)
        for (int64_t i3 = 0; i3 < n[3]; ++i3)
          for (int64_t i4 = 0; i4 < n[4]; ++i4) {
            const int8_t* row = base + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3] + i4 * s[4];
            if (s[5] == 1) {
              std::memcpy(output, row, static_cast<size_t>(n[5]));
            } else {
              for (int64_t i5 = 0; i5 < n[5]; ++i5) output[i5] = row[i5 * s[5]];
            }
            output += n[5];
          }
}

// Fills the output with the pad value, then copies each innermost input row
// to its place (rows are contiguous in both tensors).
void x8_pad__scalar(const PadParams& p, const int8_t* input, int8_t* output) {
  constexpr int R = kMaxKernelRank;
  int64_t out_stride[R];
  int64_t total = 1;
  for (int d = R - 1; d >= 0; --d) {
    out_stride[d] = total;
    total *= p.output_shape[d];
  }
  std::memset(output, static_cast<unsigned char>(p.value), static_cast<size_t>(total));
  const int64_t* n = p.input_shape;
  int64_t origin = 0;
  for (int d = 0; d < R; ++d) origin += p.before[d] * out_stride[d];
  const size_t row = static_cast<size_t>(n[5]);
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2)
        for (int64_t i3 = 0; i3 < n[3]; ++i3)
          for (int64_t i4 = 0; i4 < n[4]; ++i4) {
            const int64_t o = origin + i0 * out_stride[0] + i1 * out_stride[1] +
                              i2 * out_stride[2] + i3 * out_stride[3] + i4 * out_stride[4];
            std::memcpy(output + o, input, row);
            input += row;
          }
}

void x8_resize_nearest__scalar(const ResizeNearestParams& p, const int8_t* input,
                               int8_t* output) {
  const size_t c = static_cast<size_t>(p.channels);
  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + static_cast<size_t>(n) * p.input_height * p.input_width * c;
    for (int oy = 0; oy < p.output_height; ++oy) {
      const int8_t* in_row = image + static_cast<size_t>(p.y_index[oy]) * p.input_width * c;
      for (int ox = 0; ox < p.output_width; ++ox) {
        std::memcpy(output, in_row + static_cast<size_t>(p.x_index[ox]) * c, c);
        output += c;
      }
    }
  }
}

namespace {

int64_t FloorDiv(int64_t num, int64_t den) {  // den > 0
  const int64_t q = num / den;
  return (num % den != 0 && num < 0) ? q - 1 : q;
}

}  // namespace

// The source coordinate is a rational num / den (den > 0), so floor, ceil
// and the two round-half variants are exact; float arithmetic (as ONNX's
// reference implementation uses) can land a hair off an exact half, e.g.
// 1 / (2/3) = 1.4999999 in float32.
void ComputeResizeNearestIndex(int input_size, int output_size,
                               ResizeCoordinateTransform transform, ResizeNearestMode mode,
                               int32_t* index) {
  const int64_t in = input_size, out = output_size;
  for (int64_t x = 0; x < out; ++x) {
    int64_t num = 0, den = 1;
    switch (transform) {
      case ResizeCoordinateTransform::kAsymmetric:
        num = x * in;
        den = out;
        break;
      case ResizeCoordinateTransform::kHalfPixel:
        num = (2 * x + 1) * in - out;
        den = 2 * out;
        break;
      case ResizeCoordinateTransform::kPytorchHalfPixel:
        if (out > 1) {
          num = (2 * x + 1) * in - out;
          den = 2 * out;
        }
        break;
      case ResizeCoordinateTransform::kAlignCorners:
        if (out > 1) {
          num = x * (in - 1);
          den = out - 1;
        }
        break;
    }
    const int64_t f = FloorDiv(num, den);
    const int64_t twice_rem = 2 * (num - f * den);  // in [0, 2 den)
    int64_t i = f;
    switch (mode) {
      case ResizeNearestMode::kFloor:
        break;
      case ResizeNearestMode::kCeil:
        i = twice_rem > 0 ? f + 1 : f;
        break;
      case ResizeNearestMode::kRoundPreferFloor:
        i = twice_rem > den ? f + 1 : f;
        break;
      case ResizeNearestMode::kRoundPreferCeil:
        i = twice_rem >= den ? f + 1 : f;
        break;
    }
    if (i < 0) i = 0;
    if (i > in - 1) i = in - 1;
    index[x] = static_cast<int32_t>(i);
  }
}

}  // namespace octet
