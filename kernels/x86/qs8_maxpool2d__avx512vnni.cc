// MAX_POOL_2D at the AVX-512 level (uses AVX-512 BW only): 64 channels a
// step (vpmaxsb zmm), the last partial block with byte masks; bit-exact with
// qs8_maxpool2d__scalar by construction (max and clamp are exact).
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// Per output pixel, the clipped window (padding taps are skipped, as in the
// reference); per 64-channel block one accumulator runs over the taps:
//
//   acc[c0..c63] = max over (y, x) in window of in[y][x][c0..c63]
//   out = min(max(acc, qmin), qmax)
//
// The tail block (channels % 64) loads and stores under a mask, so it never
// touches bytes beyond the tensor.
void MaxPool(const Pool2DParams& p, const int8_t* input, int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  const size_t row_stride = static_cast<size_t>(p.input_width) * c_count;
  const size_t c_full = c_count & ~size_t{63};
  const __mmask64 tail = (c_count & 63) == 0 ? 0 : (~uint64_t{0} >> (64 - (c_count & 63)));
  const __m512i vmin = _mm512_set1_epi8(static_cast<char>(p.qmin));
  const __m512i vmax = _mm512_set1_epi8(static_cast<char>(p.qmax));
  const __m512i lowest = _mm512_set1_epi8(-128);
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
        for (size_t c = 0; c < c_full; c += 64) {
          __m512i acc = lowest;
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) {
              acc = _mm512_max_epi8(acc, _mm512_loadu_si512(tap));
            }
          }
          acc = _mm512_min_epi8(_mm512_max_epi8(acc, vmin), vmax);
          _mm512_storeu_si512(output + c, acc);
        }
        if (tail != 0) {
          __m512i acc = lowest;
          const int8_t* row = corner + c_full;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) {
              acc = _mm512_max_epi8(acc, _mm512_maskz_loadu_epi8(tail, tap));
            }
          }
          acc = _mm512_min_epi8(_mm512_max_epi8(acc, vmin), vmax);
          _mm512_mask_storeu_epi8(output + c_full, tail, acc);
        }
        output += c_count;
      }
    }
  }
}

}  // namespace

const MaxPool2DKernel kQs8Maxpool2dAvx512Vnni = {"qs8_maxpool2d__avx512vnni", MaxPool};

}  // namespace octet
