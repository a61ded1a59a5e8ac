// Depthwise 2-D convolution, 8-channel blocks, SSE4.1 (pmaddwd on int16 pairs
// of kernel rows): specialized 3x3 and 5x5 (any stride, dilation and padding)
// and a general path for any kernel size.
#include <immintrin.h>

#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/x86/qs8_dwconv2d_pack.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

using x86::DepthwiseLayout;

constexpr DepthwiseLayout kLayout = {/*block=*/8, /*accs=*/2, /*rows=*/2, /*u8_inputs=*/false};
constexpr int kBlock = 8;

inline __m128i Load(const int32_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

// Exact requantization of 4 int32 accumulators to the RoundingDivideByPOT
// result. SSE4.1 has no per-lane shifts, so:
//   x = acc * 2^ls                         pmulld (wraps like the reference)
//   h = floor((x * M0 + 2^30) / 2^31)      pmuldq on even and odd dwords
//   r = floor((h + half - c) / 2^rs)       RoundingDivideByPOT, half =
//                                          [rs>=1] 2^(rs-1), c = [rs>=1][h<0]
// The last step is a multiply: with u = h + 2^31 (unsigned) and
// m = 2^(31 - rs),
//   floor((u*m + [rs>=1] (2^30 - c*m)) / 2^31) = r + m,
// where the 64-bit sum is below 2^63 + 2^30 (pmuludq, no overflow), so
// r = that - m. Exact for every int32 accumulator and shift in [-31, 30].
inline __m128i RequantToInt32(__m128i acc, const int32_t* t, int j, bool left_shift) {
  const int off = j * 4;
  if (left_shift) acc = _mm_mullo_epi32(acc, Load(t + x86::kPow2Left * kBlock + off));
  const __m128i m = Load(t + x86::kMultiplier * kBlock + off);
  const __m128i nudge = _mm_set1_epi64x(int64_t{1} << 30);
  const __m128i even = _mm_add_epi64(_mm_mul_epi32(acc, m), nudge);
  const __m128i odd =
      _mm_add_epi64(_mm_mul_epi32(_mm_srli_epi64(acc, 32), _mm_srli_epi64(m, 32)), nudge);
  const __m128i h = _mm_blend_epi16(_mm_srli_epi64(even, 31), _mm_slli_epi64(odd, 1), 0xCC);

  const __m128i u = _mm_xor_si128(h, _mm_set1_epi32(INT32_MIN));
  const __m128i mr = Load(t + x86::kPow2Right * kBlock + off);
  const __m128i addend = _mm_sub_epi32(
      Load(t + x86::kHalf30 * kBlock + off),
      _mm_and_si128(_mm_srai_epi32(h, 31), Load(t + x86::kPow2RightR * kBlock + off)));
  const __m128i pe = _mm_add_epi64(_mm_mul_epu32(u, mr),
                                   _mm_blend_epi16(addend, _mm_setzero_si128(), 0xCC));
  const __m128i po = _mm_add_epi64(_mm_mul_epu32(_mm_srli_epi64(u, 32), _mm_srli_epi64(mr, 32)),
                                   _mm_srli_epi64(addend, 32));
  const __m128i qm = _mm_blend_epi16(_mm_srli_epi64(pe, 31), _mm_slli_epi64(po, 1), 0xCC);
  return _mm_sub_epi32(qm, mr);
}

struct RowContext {
  const DepthwiseConv2DParams* p;
  const int8_t* image;
  int8_t* out_image;
  const int8_t* zeros;  // kBlock bytes of the input zero point
  __m128i* cols;
  int groups;
  int span;
  bool left_shift;
};

inline __m128i LoadRow8(const int8_t* src, int valid) {
  if (valid == kBlock) return _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src)));
  alignas(16) int8_t tmp[16] = {};
  std::memcpy(tmp, src, valid);
  return _mm_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(tmp)));
}

// One output row of one channel block:
//  1. interleave: for every input column the row reads (padding included),
//     kernel rows 2g and 2g+1 are sign-extended to int16 and interleaved:
//        P_j dword i = (r0, r1)[channel 4j + i]
//  2. multiply-add: each output pixel sums kernel_width x groups vpmaddwd per
//     accumulator vector over its columns, then requantizes.
// kKw, kGroups = 0 select the general (runtime) loop.
template <int kKw, int kGroups>
void Row(const RowContext& ctx, int oy, int block, const uint8_t* packed_block) {
  const DepthwiseConv2DParams& p = *ctx.p;
  const int kw = kKw != 0 ? kKw : p.kernel_width;
  const int groups = kGroups != 0 ? kGroups : ctx.groups;
  const int channels = p.input_channels;
  const int c0 = block * kBlock;
  const int valid = channels - c0 < kBlock ? channels - c0 : kBlock;
  const size_t row_stride = static_cast<size_t>(p.input_width) * channels;

  const int8_t* rows[64];
  const int iy0 = oy * p.stride_height - p.pad_top;
  for (int ky = 0; ky < 2 * groups; ++ky) {
    const int iy = iy0 + ky * p.dilation_height;
    rows[ky] = ky < p.kernel_height && iy >= 0 && iy < p.input_height
                   ? ctx.image + iy * row_stride + c0
                   : nullptr;
  }
  __m128i* col = ctx.cols;
  for (int x = 0; x < ctx.span; ++x) {
    const int ix = x - p.pad_left;
    const bool inside = ix >= 0 && ix < p.input_width;
    const size_t offset = static_cast<size_t>(ix) * channels;
    for (int g = 0; g < groups; ++g, col += 2) {
      const int8_t* r0 = rows[2 * g];
      const int8_t* r1 = rows[2 * g + 1];
      const __m128i a = LoadRow8(r0 != nullptr && inside ? r0 + offset : ctx.zeros, valid);
      const __m128i b = LoadRow8(r1 != nullptr && inside ? r1 + offset : ctx.zeros, valid);
      _mm_storeu_si128(col + 0, _mm_unpacklo_epi16(a, b));
      _mm_storeu_si128(col + 1, _mm_unpackhi_epi16(a, b));
    }
  }

  const __m128i* weights = reinterpret_cast<const __m128i*>(packed_block);
  const int32_t* tables = reinterpret_cast<const int32_t*>(
      packed_block + static_cast<size_t>(kw) * groups * kBlock * 4);
  const RequantParams& rq = p.requant;
  const __m128i zero_point = _mm_set1_epi16(static_cast<int16_t>(rq.output_zero_point));
  const __m128i qmin = _mm_set1_epi8(static_cast<char>(rq.qmin));
  const __m128i qmax = _mm_set1_epi8(static_cast<char>(rq.qmax));
  const __m128i bias0 = Load(tables + 0);
  const __m128i bias1 = Load(tables + 4);
  const int col_step = p.stride_width * groups * 2;
  const int tap_step = p.dilation_width * groups * 2;
  int8_t* out = ctx.out_image + static_cast<size_t>(oy) * p.output_width * channels + c0;
  for (int ox = 0; ox < p.output_width; ++ox, out += channels) {
    __m128i acc0 = bias0, acc1 = bias1;
    const __m128i* c = ctx.cols + ox * col_step;
    const __m128i* w = weights;
    for (int kx = 0; kx < kw; ++kx, c += tap_step) {
      for (int g = 0; g < groups; ++g, w += 2) {
        acc0 = _mm_add_epi32(acc0, _mm_madd_epi16(_mm_loadu_si128(c + 2 * g), _mm_loadu_si128(w)));
        acc1 = _mm_add_epi32(acc1,
                             _mm_madd_epi16(_mm_loadu_si128(c + 2 * g + 1), _mm_loadu_si128(w + 1)));
      }
    }
    const __m128i r0 = RequantToInt32(acc0, tables, 0, ctx.left_shift);
    const __m128i r1 = RequantToInt32(acc1, tables, 1, ctx.left_shift);
    // r0 holds channels 0..3, r1 4..7.
    const __m128i words = _mm_adds_epi16(_mm_packs_epi32(r0, r1), zero_point);
    __m128i q = _mm_packs_epi16(words, words);
    q = _mm_min_epi8(_mm_max_epi8(q, qmin), qmax);
    if (valid == kBlock) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out), q);
    } else {
      alignas(16) int8_t tmp[16];
      _mm_store_si128(reinterpret_cast<__m128i*>(tmp), q);
      std::memcpy(out, tmp, valid);
    }
  }
}

void Run(const DepthwiseConv2DParams& p, const int8_t* input, const int8_t* filter,
         const int32_t* bias, const void* packed, void* scratch, int8_t* output) {
  if (p.depth_multiplier != 1 || p.kernel_height > 64) {
    // Channel multipliers are rare (and absent from the models octet
    // targets), kernels taller than 64 rows exotic: the reference handles them.
    qs8_dwconv2d__scalar(p, input, filter, bias, output);
    return;
  }
  const auto* header = static_cast<const x86::DepthwiseHeader*>(packed);
  RowContext ctx;
  ctx.p = &p;
  ctx.groups = header->groups;
  ctx.span = x86::DepthwiseColumnSpan(p);
  ctx.left_shift = header->any_left_shift != 0;
  auto* zeros = static_cast<int8_t*>(scratch);
  std::memset(zeros, static_cast<int8_t>(p.input_zero_point), 64);
  ctx.zeros = zeros;
  ctx.cols = reinterpret_cast<__m128i*>(zeros + 64);

  void (*row)(const RowContext&, int, int, const uint8_t*) = Row<0, 0>;
  if (p.kernel_width == 3 && ctx.groups == 2) row = Row<3, 2>;
  if (p.kernel_width == 5 && ctx.groups == 3) row = Row<5, 3>;

  const int channels = p.input_channels;
  const int blocks = (channels + kBlock - 1) / kBlock;
  const size_t block_bytes = x86::DepthwiseBlockBytes(p, kLayout);
  const uint8_t* blocks_base = static_cast<const uint8_t*>(packed) + sizeof(x86::DepthwiseHeader);
  for (int n = 0; n < p.batch; ++n) {
    ctx.image = input + static_cast<size_t>(n) * p.input_height * p.input_width * channels;
    ctx.out_image = output + static_cast<size_t>(n) * p.output_height * p.output_width * channels;
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int b = 0; b < blocks; ++b) row(ctx, oy, b, blocks_base + b * block_bytes);
    }
  }
}

size_t PackedBytes(const DepthwiseConv2DParams& p) { return x86::DepthwisePackedBytes(p, kLayout); }
void Pack(const DepthwiseConv2DParams& p, const int8_t* filter, const int32_t* bias, void* packed) {
  x86::DepthwisePack(p, kLayout, filter, bias, packed);
}
size_t ScratchBytes(const DepthwiseConv2DParams& p) {
  return x86::DepthwiseScratchBytes(p, kLayout);
}

}  // namespace

const DepthwiseConv2DKernel kQs8Dwconv2dC8Sse41 = {"qs8_dwconv2d_c8__sse41", PackedBytes, Pack,
                                                   ScratchBytes, Run};

}  // namespace octet
