// AVERAGE_POOL_2D and GLOBAL_AVERAGE_POOL_2D for the x86 levels: the channel
// loop over blocks of 64 / 32 / 16 / 8 channels, the SSE4.1 (and, when
// compiled with AVX2, the AVX2) block types, and the exact SIMD form of
// RequantizeScaled. Included only by the per-ISA files
// x86/qs8_avgpool__{sse41,avx2,avx512vnni}.cc; everything is in an anonymous
// namespace, so each file gets its own copy compiled with its own flags.
//
// Theory of operation. Per output pixel and block of W channels:
//   1. sums: the window's taps (rows x cols pixels inside the input) are
//      added as int16 (widened from int8; 256 taps stay within
//      [-32768, 32512]) and flushed into int32 every 256 taps and at the end.
//      The sum of x is exact in int32 (|sum| <= 128 taps < 2^31).
//   2. acc = sum - taps * z_x: the reference's sum of (x - z_x).
//   3. RequantizeScaled(acc, m, z_y, qmin, qmax), per int32 lane:
//        x = acc << L << max(shift, 0)      pslld by a count: the wrapping
//                                           left shifts of the scalar code
//        h = floor((x M0 + 2^30) / 2^31)    = the high dword of the int64
//                                           2 x M0 + 2^31 (|2 x M0| < 2^63 -
//                                           2^33, so no overflow); pmuldq on
//                                           even and odd lanes. M0 is never
//                                           INT32_MIN, so gemmlowp's one
//                                           saturating case cannot occur.
//        r = (h >> e) + (h & mask > (mask >> 1) + (h < 0))
//                                           RoundingDivideByPOT, e = max(-shift, 0),
//                                           mask = 2^e - 1, as the scalar code
//        q = clamp(clamp(r, -512, 512) + z_y, qmin, qmax)
//                                           the first clamp keeps the add from
//                                           wrapping and changes nothing after
//                                           the second (|z_y| <= 128)
//      Every step is the scalar one, so the result is bit-identical.
// Channels left after the smallest block are done by the scalar code.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "kernels/reference_ops.h"
#include "kernels/requant.h"

namespace octet {
namespace {

// The per-output constants of step 3 that every block type needs.
struct AvgPoolRequantScalars {
  int32_t bias;        // -taps * z_x
  int left_shift;      // L, then
  int left;            // max(shift, 0): two shifts, as the scalar code does
  int32_t multiplier;
  int right;           // e
  int32_t mask, half;  // 2^e - 1, mask >> 1
  int32_t output_zero_point, qmin, qmax;
  AvgPoolRequantScalars(const ScaledMultiplier& m, int taps, int32_t input_zero_point,
                        int32_t output_zero_point_, int32_t qmin_, int32_t qmax_)
      : bias(-taps * input_zero_point),
        left_shift(m.left_shift),
        left(m.shift > 0 ? m.shift : 0),
        multiplier(m.multiplier),
        right(m.shift > 0 ? 0 : -m.shift),
        mask(static_cast<int32_t>((int64_t{1} << right) - 1)),
        half(mask >> 1),
        output_zero_point(output_zero_point_),
        qmin(qmin_),
        qmax(qmax_) {}
};

// Step 3 on 4 lanes (SSE4.1).
struct Requant128 {
  __m128i bias, left_shift, left, multiplier, right, mask, half, round, zero_point, lo, hi, qmin,
      qmax;
  explicit Requant128(const AvgPoolRequantScalars& s)
      : bias(_mm_set1_epi32(s.bias)),
        left_shift(_mm_cvtsi32_si128(s.left_shift)),
        left(_mm_cvtsi32_si128(s.left)),
        multiplier(_mm_set1_epi32(s.multiplier)),
        right(_mm_cvtsi32_si128(s.right)),
        mask(_mm_set1_epi32(s.mask)),
        half(_mm_set1_epi32(s.half)),
        round(_mm_set1_epi64x(int64_t{1} << 31)),
        zero_point(_mm_set1_epi32(s.output_zero_point)),
        lo(_mm_set1_epi32(-512)),
        hi(_mm_set1_epi32(512)),
        qmin(_mm_set1_epi32(s.qmin)),
        qmax(_mm_set1_epi32(s.qmax)) {}
  __m128i operator()(__m128i sum) const {
    __m128i x = _mm_add_epi32(sum, bias);
    x = _mm_sll_epi32(_mm_sll_epi32(x, left_shift), left);
    // Lanes 0, 2 and (shifted down) 1, 3 as int64 products x M0.
    __m128i even = _mm_mul_epi32(x, multiplier);
    __m128i odd = _mm_mul_epi32(_mm_srli_epi64(x, 32), multiplier);
    even = _mm_add_epi64(_mm_add_epi64(even, even), round);
    odd = _mm_add_epi64(_mm_add_epi64(odd, odd), round);
    // High dwords: even's moved down to dwords 0, 2; odd's already at 1, 3.
    const __m128i h = _mm_blend_epi16(_mm_srli_epi64(even, 32), odd, 0xCC);
    const __m128i threshold = _mm_sub_epi32(half, _mm_cmplt_epi32(h, _mm_setzero_si128()));
    const __m128i up = _mm_cmpgt_epi32(_mm_and_si128(h, mask), threshold);
    __m128i r = _mm_sub_epi32(_mm_sra_epi32(h, right), up);
    r = _mm_add_epi32(_mm_min_epi32(_mm_max_epi32(r, lo), hi), zero_point);
    return _mm_min_epi32(_mm_max_epi32(r, qmin), qmax);
  }
};

// 16 channels: int16 partials lo (0-7), hi (8-15); int32 sums 4 x 4.
struct Sse41Block16 {
  static constexpr size_t kWidth = 16;
  using Requant = Requant128;
  struct Partial {
    __m128i lo = _mm_setzero_si128(), hi = _mm_setzero_si128();
  };
  struct Sums {
    __m128i v[4] = {_mm_setzero_si128(), _mm_setzero_si128(), _mm_setzero_si128(),
                    _mm_setzero_si128()};
  };
  static void AddTap(Partial& p, const int8_t* tap) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tap));
    p.lo = _mm_add_epi16(p.lo, _mm_cvtepi8_epi16(x));
    p.hi = _mm_add_epi16(p.hi, _mm_cvtepi8_epi16(_mm_srli_si128(x, 8)));
  }
  static void Flush(Sums& s, const Partial& p) {
    s.v[0] = _mm_add_epi32(s.v[0], _mm_cvtepi16_epi32(p.lo));
    s.v[1] = _mm_add_epi32(s.v[1], _mm_cvtepi16_epi32(_mm_srli_si128(p.lo, 8)));
    s.v[2] = _mm_add_epi32(s.v[2], _mm_cvtepi16_epi32(p.hi));
    s.v[3] = _mm_add_epi32(s.v[3], _mm_cvtepi16_epi32(_mm_srli_si128(p.hi, 8)));
  }
  // The clamped values fit int8, so the saturating packs are exact.
  static void Store(const Sums& s, const Requant& rq, int8_t* out) {
    const __m128i a = _mm_packs_epi32(rq(s.v[0]), rq(s.v[1]));
    const __m128i b = _mm_packs_epi32(rq(s.v[2]), rq(s.v[3]));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm_packs_epi16(a, b));
  }
};

// 8 channels: one int16 partial, int32 sums 2 x 4.
struct Sse41Block8 {
  static constexpr size_t kWidth = 8;
  using Requant = Requant128;
  struct Partial {
    __m128i v = _mm_setzero_si128();
  };
  struct Sums {
    __m128i v[2] = {_mm_setzero_si128(), _mm_setzero_si128()};
  };
  static void AddTap(Partial& p, const int8_t* tap) {
    const __m128i x = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(tap));
    p.v = _mm_add_epi16(p.v, _mm_cvtepi8_epi16(x));
  }
  static void Flush(Sums& s, const Partial& p) {
    s.v[0] = _mm_add_epi32(s.v[0], _mm_cvtepi16_epi32(p.v));
    s.v[1] = _mm_add_epi32(s.v[1], _mm_cvtepi16_epi32(_mm_srli_si128(p.v, 8)));
  }
  static void Store(const Sums& s, const Requant& rq, int8_t* out) {
    const __m128i a = _mm_packs_epi32(rq(s.v[0]), rq(s.v[1]));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(out), _mm_packs_epi16(a, a));
  }
};

#if defined(__AVX2__)
// Step 3 on 8 lanes (AVX2).
struct Requant256 {
  __m256i bias, multiplier, mask, half, round, zero_point, lo, hi, qmin, qmax;
  __m128i left_shift, left, right;
  explicit Requant256(const AvgPoolRequantScalars& s)
      : bias(_mm256_set1_epi32(s.bias)),
        multiplier(_mm256_set1_epi32(s.multiplier)),
        mask(_mm256_set1_epi32(s.mask)),
        half(_mm256_set1_epi32(s.half)),
        round(_mm256_set1_epi64x(int64_t{1} << 31)),
        zero_point(_mm256_set1_epi32(s.output_zero_point)),
        lo(_mm256_set1_epi32(-512)),
        hi(_mm256_set1_epi32(512)),
        qmin(_mm256_set1_epi32(s.qmin)),
        qmax(_mm256_set1_epi32(s.qmax)),
        left_shift(_mm_cvtsi32_si128(s.left_shift)),
        left(_mm_cvtsi32_si128(s.left)),
        right(_mm_cvtsi32_si128(s.right)) {}
  __m256i operator()(__m256i sum) const {
    __m256i x = _mm256_add_epi32(sum, bias);
    x = _mm256_sll_epi32(_mm256_sll_epi32(x, left_shift), left);
    __m256i even = _mm256_mul_epi32(x, multiplier);
    __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(x, 32), multiplier);
    even = _mm256_add_epi64(_mm256_add_epi64(even, even), round);
    odd = _mm256_add_epi64(_mm256_add_epi64(odd, odd), round);
    const __m256i h = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    const __m256i threshold =
        _mm256_sub_epi32(half, _mm256_cmpgt_epi32(_mm256_setzero_si256(), h));
    const __m256i up = _mm256_cmpgt_epi32(_mm256_and_si256(h, mask), threshold);
    __m256i r = _mm256_sub_epi32(_mm256_sra_epi32(h, right), up);
    r = _mm256_add_epi32(_mm256_min_epi32(_mm256_max_epi32(r, lo), hi), zero_point);
    return _mm256_min_epi32(_mm256_max_epi32(r, qmin), qmax);
  }
};

// 32 channels: int16 partials lo (0-15), hi (16-31); int32 sums 4 x 8.
struct Avx2Block32 {
  static constexpr size_t kWidth = 32;
  using Requant = Requant256;
  struct Partial {
    __m256i lo = _mm256_setzero_si256(), hi = _mm256_setzero_si256();
  };
  struct Sums {
    __m256i v[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                    _mm256_setzero_si256()};
  };
  static void AddTap(Partial& p, const int8_t* tap) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(tap));
    p.lo = _mm256_add_epi16(p.lo, _mm256_cvtepi8_epi16(_mm256_castsi256_si128(x)));
    p.hi = _mm256_add_epi16(p.hi, _mm256_cvtepi8_epi16(_mm256_extracti128_si256(x, 1)));
  }
  static void Flush(Sums& s, const Partial& p) {
    s.v[0] = _mm256_add_epi32(s.v[0], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(p.lo)));
    s.v[1] = _mm256_add_epi32(s.v[1], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(p.lo, 1)));
    s.v[2] = _mm256_add_epi32(s.v[2], _mm256_cvtepi16_epi32(_mm256_castsi256_si128(p.hi)));
    s.v[3] = _mm256_add_epi32(s.v[3], _mm256_cvtepi16_epi32(_mm256_extracti128_si256(p.hi, 1)));
  }
  // The in-lane packs leave dwords (4 channels each) in the order
  // 0-3 8-11 16-19 24-27 | 4-7 12-15 20-23 28-31; the permute restores it.
  static void Store(const Sums& s, const Requant& rq, int8_t* out) {
    const __m256i a = _mm256_packs_epi32(rq(s.v[0]), rq(s.v[1]));
    const __m256i b = _mm256_packs_epi32(rq(s.v[2]), rq(s.v[3]));
    const __m256i y = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(a, b),
                                                  _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), y);
  }
};
#endif  // __AVX2__

// The taps of one window for one block of channels (steps 1 and 2 happen
// here and in Requant). Windows of at most 256 taps (every usual pool) need
// no flush inside the loop.
template <class B>
inline typename B::Sums SumTaps(const int8_t* corner, int rows, int cols, size_t row_stride,
                                size_t pixel_stride) {
  typename B::Sums sums;
  typename B::Partial partial;
  if (rows * cols <= 256) {
    for (int y = 0; y < rows; ++y, corner += row_stride) {
      const int8_t* tap = corner;
      for (int x = 0; x < cols; ++x, tap += pixel_stride) B::AddTap(partial, tap);
    }
  } else {
    int pending = 0;
    for (int y = 0; y < rows; ++y, corner += row_stride) {
      const int8_t* tap = corner;
      for (int x = 0; x < cols; ++x, tap += pixel_stride) {
        B::AddTap(partial, tap);
        if (++pending == 256) {
          B::Flush(sums, partial);
          partial = typename B::Partial();
          pending = 0;
        }
      }
    }
  }
  B::Flush(sums, partial);
  return sums;
}

// Channels [*c, ...) of one output in blocks of B::kWidth.
template <class B>
inline void PoolBlocks(const int8_t* corner, int rows, int cols, size_t row_stride,
                       size_t c_count, const AvgPoolRequantScalars& s, int8_t* out, size_t* c) {
  if (*c + B::kWidth > c_count) return;
  const typename B::Requant rq(s);
  for (; *c + B::kWidth <= c_count; *c += B::kWidth) {
    B::Store(SumTaps<B>(corner + *c, rows, cols, row_stride, c_count), rq, out + *c);
  }
}

// One output: blocks of each width in turn (widest first), then the scalar
// reference's arithmetic for the last channels.
template <class... Blocks>
void PoolChannels(const int8_t* corner, int rows, int cols, size_t row_stride, size_t c_count,
                  const ScaledMultiplier& m, int32_t input_zero_point,
                  int32_t output_zero_point, int32_t qmin, int32_t qmax, int8_t* out) {
  const AvgPoolRequantScalars s(m, rows * cols, input_zero_point, output_zero_point, qmin, qmax);
  size_t c = 0;
  (PoolBlocks<Blocks>(corner, rows, cols, row_stride, c_count, s, out, &c), ...);
  for (; c < c_count; ++c) {
    int32_t acc = 0;
    const int8_t* row = corner + c;
    for (int y = 0; y < rows; ++y, row += row_stride) {
      for (int x = 0; x < cols; ++x) acc += row[x * c_count] - input_zero_point;
    }
    out[c] = RequantizeScaled(acc, m, output_zero_point, qmin, qmax);
  }
}

template <class... Blocks>
void AvgPoolDriver(const AvgPool2DParams& ap, const int8_t* input, int8_t* output) {
  const Pool2DParams& p = ap.pool;
  const size_t c_count = static_cast<size_t>(p.channels);
  const size_t row_stride = static_cast<size_t>(p.input_width) * c_count;
  const int area = p.filter_height * p.filter_width;
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
        PoolChannels<Blocks...>(
            image + static_cast<size_t>(y0) * row_stride + static_cast<size_t>(x0) * c_count,
            rows, cols, row_stride, c_count, ap.multiplier[count], ap.input_zero_point,
            ap.output_zero_point, p.qmin, p.qmax, output);
        output += c_count;
      }
    }
  }
}

// One window of 1 row x H*W pixels per image.
template <class... Blocks>
void GlobalAvgPoolDriver(const GlobalAvgPoolParams& p, const int8_t* input, int8_t* output) {
  const size_t c_count = static_cast<size_t>(p.channels);
  for (int n = 0; n < p.batch; ++n) {
    PoolChannels<Blocks...>(input + static_cast<size_t>(n) * p.pixels * c_count, 1, p.pixels, 0,
                            c_count, p.multiplier, p.input_zero_point, p.output_zero_point,
                            p.qmin, p.qmax, output + static_cast<size_t>(n) * c_count);
  }
}

}  // namespace
}  // namespace octet
