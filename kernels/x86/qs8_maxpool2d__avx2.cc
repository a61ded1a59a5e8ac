// MAX_POOL_2D at AVX2: 32 channels a step (vpmaxsb), then one 16-channel
// step, then single channels; bit-exact with qs8_maxpool2d__scalar by
// construction (max and clamp are exact).
#include <immintrin.h>

#include <algorithm>

#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// Per output pixel, the clipped window (padding taps are skipped, as in the
// reference); per channel block one accumulator runs over the taps:
//
//   acc[c0..c31] = max over (y, x) in window of in[y][x][c0..c31]
//   out = min(max(acc, qmin), qmax)
void MaxPool(const Pool2DParams& p, const int8_t* input, int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  const size_t row_stride = static_cast<size_t>(p.input_width) * c_count;
  const __m256i vmin = _mm256_set1_epi8(static_cast<char>(p.qmin));
  const __m256i vmax = _mm256_set1_epi8(static_cast<char>(p.qmax));
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
        for (; c + 32 <= c_count; c += 32) {
          __m256i acc = _mm256_set1_epi8(-128);
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) {
              acc = _mm256_max_epi8(acc,
                                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tap)));
            }
          }
          acc = _mm256_min_epi8(_mm256_max_epi8(acc, vmin), vmax);
          _mm256_storeu_si256(reinterpret_cast<__m256i*>(output + c), acc);
        }
        if (c + 16 <= c_count) {
          __m128i acc = _mm_set1_epi8(-128);
          const int8_t* row = corner + c;
          for (int y = 0; y < rows; ++y, row += row_stride) {
            const int8_t* tap = row;
            for (int x = 0; x < cols; ++x, tap += c_count) {
              acc = _mm_max_epi8(acc, _mm_loadu_si128(reinterpret_cast<const __m128i*>(tap)));
            }
          }
          acc = _mm_min_epi8(_mm_max_epi8(acc, _mm256_castsi256_si128(vmin)),
                             _mm256_castsi256_si128(vmax));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(output + c), acc);
          c += 16;
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

const MaxPool2DKernel kQs8Maxpool2dAvx2 = {"qs8_maxpool2d__avx2", MaxPool};

}  // namespace octet
