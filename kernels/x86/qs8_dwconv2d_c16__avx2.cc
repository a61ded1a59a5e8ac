// Depthwise 2-D convolution, 16-channel blocks, AVX2 (vpmaddwd on int16 pairs
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

constexpr DepthwiseLayout kLayout = {/*block=*/16, /*accs=*/2, /*rows=*/2, /*u8_inputs=*/false};
constexpr int kBlock = 16;

inline __m256i Load(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// Exact requantization of 8 int32 accumulators to the RoundingDivideByPOT
// result; the same steps as the AVX-512 kernel:
//   x = acc << ls; h = floor((x * M0 + 2^30) / 2^31) from the even and odd
//   64-bit products (the odd one shifted left 1 so h is its high dword);
//   r = (h >> rs) + ((h & mask) > thr + [h < 0]).
// Exact for every int32 accumulator and every shift in [-31, 30].
inline __m256i RequantToInt32(__m256i acc, const int32_t* t, int j, bool left_shift) {
  const int off = j * 8;
  if (left_shift) acc = _mm256_sllv_epi32(acc, Load(t + x86::kLeftShift * kBlock + off));
  const __m256i m = Load(t + x86::kMultiplier * kBlock + off);
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(acc, m), nudge);
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), _mm256_srli_epi64(m, 32)), nudge);
  const __m256i h =
      _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
  const __m256i rem = _mm256_and_si256(h, Load(t + x86::kRemMask * kBlock + off));
  const __m256i thr =
      _mm256_sub_epi32(Load(t + x86::kRemThreshold * kBlock + off), _mm256_srai_epi32(h, 31));
  const __m256i q = _mm256_srav_epi32(h, Load(t + x86::kRightShift * kBlock + off));
  return _mm256_sub_epi32(q, _mm256_cmpgt_epi32(rem, thr));
}

// The bounded requantization (derivation in qs8_dwconv2d_pack.h) of 8
// accumulators offset by 2^30 (xb = acc + 2^30, in [0, 2^31)), returning the
// result with the output zero point added:
//   P_even = xb * 2M0 + A, P_odd likewise (vpmuludq, vpaddq);
//   hi = their high dwords (vpshufd + vpblendd); r = (hi + (xb >> 30)) >> rs.
inline __m256i RequantFast(__m256i xb, const int32_t* t, int j) {
  const int off = j * 8;
  const __m256i even = _mm256_add_epi64(_mm256_mul_epu32(xb, Load(t + x86::kTwiceM * kBlock + off)),
                                        Load(t + x86::kAddendEven * kBlock + off));
  const __m256i odd = _mm256_add_epi64(
      _mm256_mul_epu32(_mm256_srli_epi64(xb, 32), Load(t + x86::kTwiceMOdd * kBlock + off)),
      Load(t + x86::kAddendOdd * kBlock + off));
  const __m256i hi = _mm256_blend_epi32(_mm256_shuffle_epi32(even, 0xF5), odd, 0xAA);
  return _mm256_srav_epi32(_mm256_add_epi32(hi, _mm256_srli_epi32(xb, 30)),
                           Load(t + x86::kRightShift * kBlock + off));
}

struct RowContext {
  const DepthwiseConv2DParams* p;
  const int8_t* image;
  int8_t* out_image;
  const int8_t* zeros;  // kBlock bytes of the input zero point
  __m256i* cols;
  int groups;
  int span;
  bool left_shift;
};

inline __m256i LoadRow16(const int8_t* src, int valid) {
  if (valid == kBlock) return _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
  alignas(16) int8_t tmp[kBlock] = {};
  std::memcpy(tmp, src, valid);
  return _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(tmp)));
}

// One output row of one channel block:
//  1. interleave: for every input column the row reads (padding included),
//     kernel rows 2g and 2g+1 are sign-extended to int16 and interleaved:
//        P_j lane L dword i = (r0, r1)[channel 8L + 4j + i]
//  2. multiply-add: each output pixel sums kernel_width x groups vpmaddwd per
//     accumulator vector over its columns, then requantizes.
// kKw, kGroups = 0 select the general (runtime) loop.
template <int kKw, int kGroups, bool kFast>
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
  __m256i* col = ctx.cols;
  for (int x = 0; x < ctx.span; ++x) {
    const int ix = x - p.pad_left;
    const bool inside = ix >= 0 && ix < p.input_width;
    const size_t offset = static_cast<size_t>(ix) * channels;
    for (int g = 0; g < groups; ++g, col += 2) {
      const int8_t* r0 = rows[2 * g];
      const int8_t* r1 = rows[2 * g + 1];
      const __m256i a = LoadRow16(r0 != nullptr && inside ? r0 + offset : ctx.zeros, valid);
      const __m256i b = LoadRow16(r1 != nullptr && inside ? r1 + offset : ctx.zeros, valid);
      _mm256_storeu_si256(col + 0, _mm256_unpacklo_epi16(a, b));
      _mm256_storeu_si256(col + 1, _mm256_unpackhi_epi16(a, b));
    }
  }

  const __m256i* weights = reinterpret_cast<const __m256i*>(packed_block);
  const int32_t* tables = reinterpret_cast<const int32_t*>(
      packed_block + static_cast<size_t>(kw) * groups * kBlock * 4);
  const RequantParams& rq = p.requant;
  const __m256i zero_point = _mm256_set1_epi16(static_cast<int16_t>(rq.output_zero_point));
  const __m128i qmin = _mm_set1_epi8(static_cast<char>(rq.qmin));
  const __m128i qmax = _mm_set1_epi8(static_cast<char>(rq.qmax));
  const int32_t* bias = tables + (kFast ? x86::kBiasOffset : x86::kBias) * kBlock;
  const __m256i bias0 = Load(bias + 0);
  const __m256i bias1 = Load(bias + 8);
  const int col_step = p.stride_width * groups * 2;
  const int tap_step = p.dilation_width * groups * 2;
  int8_t* out = ctx.out_image + static_cast<size_t>(oy) * p.output_width * channels + c0;
  for (int ox = 0; ox < p.output_width; ++ox, out += channels) {
    __m256i acc0 = bias0, acc1 = bias1;
    const __m256i* c = ctx.cols + ox * col_step;
    const __m256i* w = weights;
    for (int kx = 0; kx < kw; ++kx, c += tap_step) {
      for (int g = 0; g < groups; ++g, w += 2) {
        acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(_mm256_loadu_si256(c + 2 * g),
                                                        _mm256_loadu_si256(w)));
        acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(_mm256_loadu_si256(c + 2 * g + 1),
                                                        _mm256_loadu_si256(w + 1)));
      }
    }
    const __m256i r0 = kFast ? RequantFast(acc0, tables, 0)
                             : RequantToInt32(acc0, tables, 0, ctx.left_shift);
    const __m256i r1 = kFast ? RequantFast(acc1, tables, 1)
                             : RequantToInt32(acc1, tables, 1, ctx.left_shift);
    // Lane L: r0 holds channels 8L+0..3, r1 8L+4..7: packssdw restores order.
    __m256i words = _mm256_packs_epi32(r0, r1);
    if (!kFast) words = _mm256_adds_epi16(words, zero_point);  // fast: added already
    __m128i q = _mm_packs_epi16(_mm256_castsi256_si128(words), _mm256_extracti128_si256(words, 1));
    q = _mm_min_epi8(_mm_max_epi8(q, qmin), qmax);
    if (valid == kBlock) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out), q);
    } else {
      alignas(16) int8_t tmp[kBlock];
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
  ctx.cols = reinterpret_cast<__m256i*>(zeros + 64);

  const bool fast = header->fast_requant != 0;
  void (*row)(const RowContext&, int, int, const uint8_t*) =
      fast ? Row<0, 0, true> : Row<0, 0, false>;
  if (p.kernel_width == 3 && ctx.groups == 2) row = fast ? Row<3, 2, true> : Row<3, 2, false>;
  if (p.kernel_width == 5 && ctx.groups == 3) row = fast ? Row<5, 3, true> : Row<5, 3, false>;

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

const DepthwiseConv2DKernel kQs8Dwconv2dC16Avx2 = {"qs8_dwconv2d_c16__avx2", PackedBytes, Pack,
                                                   ScratchBytes, Run};

}  // namespace octet
