// Depthwise 2-D convolution, 64-channel blocks, AVX-512 VNNI (vpdpbusd on
// quads of kernel rows): specialized 3x3 and 5x5 (any stride, dilation and
// padding) and a general path for any kernel size.
#include <immintrin.h>

#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/x86/qs8_dwconv2d_pack.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

using x86::DepthwiseLayout;

constexpr DepthwiseLayout kLayout = {/*block=*/64, /*accs=*/4, /*rows=*/4, /*u8_inputs=*/true};
constexpr int kBlock = 64;

// Exact requantization of 16 int32 accumulators to the int32 RoundingDivideByPOT
// result (zero point and clamp come after packing). t points at the block's
// tables, j selects the accumulator vector.
//
//   x = acc << ls                          vpsllvd (wraps, as the reference)
//   h = floor((x * M0 + 2^30) / 2^31)      64-bit products of the even and odd
//                                          dwords (vpmuldq); the odd product
//                                          is shifted left 1 so h lands in its
//                                          high dword and one masked blend
//                                          merges the halves
//   r = (h >> rs) + ((h & mask) > thr + [h < 0])   ties away from zero
//
// No bound on acc is assumed: every int32 accumulator and every shift in
// [-31, 30] gives the reference's bits.
inline __m512i RequantToInt32(__m512i acc, const int32_t* t, int j, bool left_shift) {
  const int off = j * 16;
  if (left_shift) {
    acc = _mm512_sllv_epi32(acc, _mm512_loadu_si512(t + x86::kLeftShift * kBlock + off));
  }
  const __m512i m = _mm512_loadu_si512(t + x86::kMultiplier * kBlock + off);
  const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
  const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(acc, m), nudge);
  const __m512i odd = _mm512_add_epi64(
      _mm512_mul_epi32(_mm512_srli_epi64(acc, 32), _mm512_srli_epi64(m, 32)), nudge);
  const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31),
                                            _mm512_slli_epi64(odd, 1));
  const __m512i rs = _mm512_loadu_si512(t + x86::kRightShift * kBlock + off);
  const __m512i rem = _mm512_and_si512(h, _mm512_loadu_si512(t + x86::kRemMask * kBlock + off));
  const __m512i thr = _mm512_sub_epi32(_mm512_loadu_si512(t + x86::kRemThreshold * kBlock + off),
                                       _mm512_srai_epi32(h, 31));
  const __m512i q = _mm512_srav_epi32(h, rs);
  return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, thr), q, _mm512_set1_epi32(1));
}

struct RowContext {
  const DepthwiseConv2DParams* p;
  const int8_t* image;       // this batch element's input
  int8_t* out_image;         // this batch element's output
  const uint8_t* zeros;      // kBlock bytes of the input zero point
  __m512i* cols;             // interleaved columns of one row and block
  int groups;
  int span;                  // input columns of one output row
  bool left_shift;
};

// One output row of one channel block:
//  1. interleave: for every input column the row reads (padding included),
//     the bytes of kernel rows 4g..4g+3 are xored with 0x80 (u8 = x + 128)
//     and interleaved into quads, per channel:
//        Q_j lane L dword i = (r0, r1, r2, r3)[channel 16L + 4j + i]
//     rows outside the image, columns outside it and rows past the kernel
//     read the zero point (padding) or are multiplied by zero weights.
//  2. multiply-add: each output pixel sums kernel_width x groups vpdpbusd
//     per accumulator vector over its columns, then requantizes.
// kKw, kGroups = 0 select the general (runtime) loop.
template <int kKw, int kGroups>
void Row(const RowContext& ctx, int oy, int block, const uint8_t* packed_block) {
  const DepthwiseConv2DParams& p = *ctx.p;
  const int kw = kKw != 0 ? kKw : p.kernel_width;
  const int groups = kGroups != 0 ? kGroups : ctx.groups;
  const int channels = p.input_channels;
  const int c0 = block * kBlock;
  const int valid = channels - c0 < kBlock ? channels - c0 : kBlock;
  const __mmask64 load_mask = valid == kBlock ? ~__mmask64{0} : (__mmask64{1} << valid) - 1;
  const size_t row_stride = static_cast<size_t>(p.input_width) * channels;

  // Stage 1.
  const int8_t* rows[32];
  const int iy0 = oy * p.stride_height - p.pad_top;
  for (int ky = 0; ky < 4 * groups; ++ky) {
    const int iy = iy0 + ky * p.dilation_height;
    rows[ky] = ky < p.kernel_height && iy >= 0 && iy < p.input_height
                   ? ctx.image + iy * row_stride + c0
                   : nullptr;
  }
  const __m512i flip = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i* col = ctx.cols;
  for (int x = 0; x < ctx.span; ++x) {
    const int ix = x - p.pad_left;
    const bool inside = ix >= 0 && ix < p.input_width;
    const size_t offset = static_cast<size_t>(ix) * channels;
    for (int g = 0; g < groups; ++g, col += 4) {
      __m512i r[4];
      for (int q = 0; q < 4; ++q) {
        const int8_t* row = rows[4 * g + q];
        const void* src = row != nullptr && inside ? static_cast<const void*>(row + offset)
                                                   : static_cast<const void*>(ctx.zeros);
        r[q] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(load_mask, src), flip);
      }
      const __m512i a = _mm512_unpacklo_epi8(r[0], r[1]);
      const __m512i b = _mm512_unpackhi_epi8(r[0], r[1]);
      const __m512i c = _mm512_unpacklo_epi8(r[2], r[3]);
      const __m512i d = _mm512_unpackhi_epi8(r[2], r[3]);
      _mm512_storeu_si512(col + 0, _mm512_unpacklo_epi16(a, c));
      _mm512_storeu_si512(col + 1, _mm512_unpackhi_epi16(a, c));
      _mm512_storeu_si512(col + 2, _mm512_unpacklo_epi16(b, d));
      _mm512_storeu_si512(col + 3, _mm512_unpackhi_epi16(b, d));
    }
  }

  // Stage 2.
  const __m512i* weights = reinterpret_cast<const __m512i*>(packed_block);
  const int32_t* tables =
      reinterpret_cast<const int32_t*>(packed_block + static_cast<size_t>(kw) * groups * kBlock * 4);
  const RequantParams& rq = p.requant;
  const __m512i zero_point = _mm512_set1_epi16(static_cast<int16_t>(rq.output_zero_point));
  const __m512i qmin = _mm512_set1_epi8(static_cast<char>(rq.qmin));
  const __m512i qmax = _mm512_set1_epi8(static_cast<char>(rq.qmax));
  const __m512i bias0 = _mm512_loadu_si512(tables + 0);
  const __m512i bias1 = _mm512_loadu_si512(tables + 16);
  const __m512i bias2 = _mm512_loadu_si512(tables + 32);
  const __m512i bias3 = _mm512_loadu_si512(tables + 48);
  const int col_step = p.stride_width * groups * 4;
  const int tap_step = p.dilation_width * groups * 4;
  int8_t* out = ctx.out_image + static_cast<size_t>(oy) * p.output_width * channels + c0;
  for (int ox = 0; ox < p.output_width; ++ox, out += channels) {
    __m512i acc0 = bias0, acc1 = bias1, acc2 = bias2, acc3 = bias3;
    const __m512i* c = ctx.cols + ox * col_step;
    const __m512i* w = weights;
    for (int kx = 0; kx < kw; ++kx, c += tap_step) {
      for (int g = 0; g < groups; ++g, w += 4) {
        acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(c + 4 * g + 0), _mm512_loadu_si512(w + 0));
        acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(c + 4 * g + 1), _mm512_loadu_si512(w + 1));
        acc2 = _mm512_dpbusd_epi32(acc2, _mm512_loadu_si512(c + 4 * g + 2), _mm512_loadu_si512(w + 2));
        acc3 = _mm512_dpbusd_epi32(acc3, _mm512_loadu_si512(c + 4 * g + 3), _mm512_loadu_si512(w + 3));
      }
    }
    const __m512i r0 = RequantToInt32(acc0, tables, 0, ctx.left_shift);
    const __m512i r1 = RequantToInt32(acc1, tables, 1, ctx.left_shift);
    const __m512i r2 = RequantToInt32(acc2, tables, 2, ctx.left_shift);
    const __m512i r3 = RequantToInt32(acc3, tables, 3, ctx.left_shift);
    // Lane L: r0 holds channels 16L+0..3, r1 16L+4..7, ...: the in-lane
    // packs put all 64 channels back in natural order.
    const __m512i lo = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), zero_point);
    const __m512i hi = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), zero_point);
    __m512i q = _mm512_packs_epi16(lo, hi);
    q = _mm512_min_epi8(_mm512_max_epi8(q, qmin), qmax);
    _mm512_mask_storeu_epi8(out, load_mask, q);
  }
}

void Run(const DepthwiseConv2DParams& p, const int8_t* input, const int8_t* filter,
         const int32_t* bias, const void* packed, void* scratch, int8_t* output) {
  if (p.depth_multiplier != 1 || p.kernel_height > 32) {
    // Channel multipliers are rare (and absent from the models octet
    // targets), kernels taller than 32 rows exotic: the reference handles them.
    qs8_dwconv2d__scalar(p, input, filter, bias, output);
    return;
  }
  const auto* header = static_cast<const x86::DepthwiseHeader*>(packed);
  RowContext ctx;
  ctx.p = &p;
  ctx.groups = header->groups;
  ctx.span = x86::DepthwiseColumnSpan(p);
  ctx.left_shift = header->any_left_shift != 0;
  auto* zeros = static_cast<uint8_t*>(scratch);
  std::memset(zeros, static_cast<uint8_t>(p.input_zero_point), kBlock);
  ctx.zeros = zeros;
  ctx.cols = reinterpret_cast<__m512i*>(zeros + 64);

  void (*row)(const RowContext&, int, int, const uint8_t*) = Row<0, 0>;
  if (p.kernel_width == 3 && ctx.groups == 1) row = Row<3, 1>;
  if (p.kernel_width == 5 && ctx.groups == 2) row = Row<5, 2>;

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

const DepthwiseConv2DKernel kQs8Dwconv2dC64Avx512Vnni = {
    "qs8_dwconv2d_c64__avx512vnni", PackedBytes, Pack, ScratchBytes, Run};

}  // namespace octet
