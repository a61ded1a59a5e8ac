// AVX-512 VNNI 2-D convolution: 1x1 stride-1 convolutions are a GEMM over
// pixels straight on the input; everything else (strided 1x1, KxK, padding,
// dilation, groups) gathers blocks of im2col rows into the scratch buffer and
// runs the same GEMM on them.
//
// Why im2col and not an indirection buffer: the GEMM reads K in groups of 4
// bytes, and the first layer of a network (shape a: 3 input channels, 27
// taps) has taps that are not multiples of 4, so an indirection kernel would
// need a per-tap tail; gathered rows are padded to a multiple of 4 once. The
// gather is done per block of pixels (about 24 KB, L1/L2 resident, reused by
// every output channel block) and costs a few per cent of the GEMM on the
// 3x3 shapes (measured: see the kernel benchmarks).
#include <immintrin.h>

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx512vnni_kernels.h"
#include "kernels/x86/qs8_gemm_c4__avx512vnni.h"

namespace octet {
namespace avx512vnni {
namespace {

constexpr size_t kSlack = 64;             // gather stores may run up to 63 bytes past a row
constexpr size_t kBlockBytes = 24 * 1024;  // target im2col block size
constexpr int kMaxFastRows = 16;          // kernel rows of the gather's fast path

struct Plan {
  bool direct;     // 1x1, stride 1, no padding, one group, K % 4 == 0
  int cin_g, opg;  // channels per group
  int k, kp;       // taps per output, rounded up to a multiple of 4
  bool implicit;   // one group, channels % 4 == 0: interior pixels read the input in place
  int taps;        // kernel_height * kernel_width
  size_t gemm_bytes;
  size_t offsets_at;  // implicit: byte offset of the tap offsets in the packed data
  int block_rows;  // pixels per im2col block
};

Plan MakePlan(const Conv2DParams& p) {
  Plan plan;
  plan.cin_g = p.input_channels / p.groups;
  plan.opg = p.output_channels / p.groups;
  plan.k = p.kernel_height * p.kernel_width * plan.cin_g;
  plan.kp = (plan.k + 3) / 4 * 4;
  plan.direct = p.groups == 1 && p.kernel_height == 1 && p.kernel_width == 1 &&
                p.stride_height == 1 && p.stride_width == 1 && p.pad_top == 0 &&
                p.pad_left == 0 && p.output_height == p.input_height &&
                p.output_width == p.input_width && plan.k % 4 == 0;
  plan.taps = p.kernel_height * p.kernel_width;
  plan.implicit = !plan.direct && p.groups == 1 && plan.cin_g % 4 == 0;
  GemmShape shape;
  shape.n = plan.opg;
  shape.k = plan.k;
  plan.gemm_bytes = GemmPackedBytes(shape);
  plan.offsets_at = plan.gemm_bytes * p.groups;
  const int pixels = p.batch * p.output_height * p.output_width;
  int rows = static_cast<int>(kBlockBytes / plan.kp) / 24 * 24;  // a multiple of every MR
  rows = std::max(rows, 24);
  plan.block_rows = std::min(rows, pixels);
  return plan;
}

// Copies n bytes; may store up to 63 bytes past dst + n. Reads whole
// vectors when that stays below `readable_end`, else masked (fault-free).
inline void CopySpill(int8_t* dst, const int8_t* src, int n, const int8_t* readable_end) {
  if (src + ((n + 63) & ~63) <= readable_end) {
    if (n <= 16) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(src)));
    } else if (n <= 32) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst),
                          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src)));
    } else {
      for (int i = 0; i < n; i += 64) _mm512_storeu_si512(dst + i, _mm512_loadu_si512(src + i));
    }
    return;
  }
  while (n > 64) {
    _mm512_storeu_si512(dst, _mm512_loadu_si512(src));
    dst += 64;
    src += 64;
    n -= 64;
  }
  const __mmask64 m = n == 64 ? ~__mmask64{0} : ((__mmask64{1} << n) - 1);
  _mm512_storeu_si512(dst, _mm512_maskz_loadu_epi8(m, src));
}

// Fills n bytes with z; may store up to 63 bytes past dst + n.
inline void FillSpill(int8_t* dst, __m512i z, int n) {
  for (int i = 0; i < n; i += 64) _mm512_storeu_si512(dst + i, z);
}

// Gathers `rows` im2col rows (pixels first_pixel...) of group g into dst,
// each kp bytes: taps in (ky, kx, channel) order, the filter's order. Rows
// are written in increasing address order, so each store's spill past its
// segment is overwritten by the next segment; bytes k..kp-1 of a row are
// left unspecified (their weights are zero). Pixels whose kernel window is
// inside the image horizontally copy one contiguous kernel row per ky.
void Gather(const Conv2DParams& p, const Plan& plan, int g, const int8_t* input, int first_pixel,
            int rows, int8_t* dst) {
  // Locals: the int8 stores below may alias anything, so fields of p would
  // be reloaded after every store.
  const int ih = p.input_height, iw = p.input_width, c = p.input_channels;
  const int oh = p.output_height, ow = p.output_width;
  const int kh = p.kernel_height, kw = p.kernel_width;
  const int sh = p.stride_height, sw = p.stride_width;
  const int dh = p.dilation_height, dw = p.dilation_width;
  const int pt = p.pad_top, pl = p.pad_left;
  const int cin = plan.cin_g, kp = plan.kp;
  const int row_taps = kw * cin;  // bytes of one kernel row
  const bool contiguous_rows = p.groups == 1 && dw == 1;
  const size_t image_bytes = static_cast<size_t>(ih) * iw * c;
  const size_t row_bytes = static_cast<size_t>(iw) * c;
  const int8_t* readable_end = input + image_bytes * p.batch;
  const __m512i z = _mm512_set1_epi8(static_cast<char>(p.input_zero_point));
  // Output columns whose window is horizontally inside: [ox_lo, ox_hi).
  const int ox_lo = (pl + sw - 1) / sw;
  const int span = iw + pl - (kw - 1) * dw;  // ox*sw < span
  const int ox_hi = span <= 0 ? 0 : std::min(ow, (span + sw - 1) / sw);

  // One pixel, any position: per kernel row, copy or fill per kx.
  auto GatherEdgePixel = [&](int /*g*/, int px, int iy0, const int8_t* image, int8_t* row,
                             const int8_t* end_ptr, __m512i zv) {
    const int ix0 = px * sw - pl;
    for (int ky = 0; ky < kh; ++ky) {
      const int iy = iy0 + ky * dh;
      int8_t* seg = row + ky * row_taps;
      if (static_cast<unsigned>(iy) >= static_cast<unsigned>(ih)) {
        FillSpill(seg, zv, row_taps);
        continue;
      }
      const int8_t* src_row = image + iy * row_bytes;
      for (int kx = 0; kx < kw; ++kx) {
        const int ix = ix0 + kx * dw;
        if (static_cast<unsigned>(ix) >= static_cast<unsigned>(iw)) {
          FillSpill(seg + kx * cin, zv, cin);
        } else {
          CopySpill(seg + kx * cin, src_row + static_cast<size_t>(ix) * c, cin, end_ptr);
        }
      }
    }
  };
  const int ohw = oh * ow;
  int n = first_pixel / ohw;
  int oy = (first_pixel % ohw) / ow;
  int ox = first_pixel % ow;
  int8_t* row = dst;
  while (rows > 0) {
    const int run = std::min(ow - ox, rows);
    const int8_t* image = input + static_cast<size_t>(n) * image_bytes + g * cin;
    const int iy0 = oy * sh - pt;
    const int end = ox + run;
    // Interior columns of this output row, kernels of at most 16 rows: the
    // source row of each ky is fixed for the row, so the loop per pixel is
    // one copy (or fill) per kernel row.
    const int in_lo = std::max(ox, ox_lo), in_hi = std::min(end, ox_hi);
    if (contiguous_rows && kh <= kMaxFastRows && in_lo < in_hi) {
      for (; ox < in_lo; ++ox, row += kp) GatherEdgePixel(g, ox, iy0, image, row, readable_end, z);
      const int8_t* src[kMaxFastRows];
      for (int ky = 0; ky < kh; ++ky) {
        const int iy = iy0 + ky * dh;
        src[ky] = static_cast<unsigned>(iy) < static_cast<unsigned>(ih)
                      ? image + iy * row_bytes + static_cast<ptrdiff_t>(in_lo * sw - pl) * c
                      : nullptr;
      }
      const size_t step = static_cast<size_t>(sw) * c;
      const int count = in_hi - in_lo;
      // Small kernel rows (the first layer: 3x3 x 3 channels) with every
      // kernel row inside: one 16-byte load and store per kernel row.
      if (kh == 3 && row_taps <= 16 && src[0] && src[1] && src[2] &&
          src[2] + (count - 1) * step + 16 <= readable_end) {
        const int8_t *s0 = src[0], *s1 = src[1], *s2 = src[2];
        for (int i = 0; i < count; ++i, row += kp, s0 += step, s1 += step, s2 += step) {
          const __m128i v0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s0));
          const __m128i v1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s1));
          const __m128i v2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s2));
          _mm_storeu_si128(reinterpret_cast<__m128i*>(row), v0);
          _mm_storeu_si128(reinterpret_cast<__m128i*>(row + row_taps), v1);
          _mm_storeu_si128(reinterpret_cast<__m128i*>(row + 2 * row_taps), v2);
        }
        ox = in_hi;
      }
      for (int i = 0; ox < in_hi; ++i, ++ox, row += kp) {
        for (int ky = 0; ky < kh; ++ky) {
          int8_t* seg = row + ky * row_taps;
          if (src[ky] != nullptr) {
            CopySpill(seg, src[ky] + i * step, row_taps, readable_end);
          } else {
            FillSpill(seg, z, row_taps);
          }
        }
      }
    }
    for (; ox < end; ++ox, row += kp) {
      const int ix0 = ox * sw - pl;
      if (contiguous_rows && ox >= ox_lo && ox < ox_hi) {
        const int8_t* src = image + static_cast<size_t>(ix0) * c;
        for (int ky = 0; ky < kh; ++ky) {
          const int iy = iy0 + ky * dh;
          int8_t* seg = row + ky * row_taps;
          if (static_cast<unsigned>(iy) < static_cast<unsigned>(ih)) {
            CopySpill(seg, src + iy * row_bytes, row_taps, readable_end);
          } else {
            FillSpill(seg, z, row_taps);
          }
        }
        continue;
      }
      for (int ky = 0; ky < kh; ++ky) {
        const int iy = iy0 + ky * dh;
        int8_t* seg = row + ky * row_taps;
        if (static_cast<unsigned>(iy) >= static_cast<unsigned>(ih)) {
          FillSpill(seg, z, row_taps);
          continue;
        }
        const int8_t* src_row = image + iy * row_bytes;
        for (int kx = 0; kx < kw; ++kx) {
          const int ix = ix0 + kx * dw;
          if (static_cast<unsigned>(ix) >= static_cast<unsigned>(iw)) {
            FillSpill(seg + kx * cin, z, cin);
          } else {
            CopySpill(seg + kx * cin, src_row + static_cast<size_t>(ix) * c, cin, readable_end);
          }
        }
      }
    }
    rows -= run;
    ox = 0;
    if (++oy == oh) {
      oy = 0;
      ++n;
    }
  }
}

// Output columns whose kernel window is horizontally inside the image.
void InteriorColumns(const Conv2DParams& p, int* ox_lo, int* ox_hi) {
  const int sw = p.stride_width, pl = p.pad_left;
  *ox_lo = std::min((pl + sw - 1) / sw, p.output_width);
  const int span = p.input_width + pl - (p.kernel_width - 1) * p.dilation_width;
  *ox_hi = span <= 0 ? 0 : std::min(p.output_width, (span + sw - 1) / sw);
}

size_t PackedBytes(const Conv2DParams& p) {
  const Plan plan = MakePlan(p);
  size_t bytes = plan.gemm_bytes * p.groups;
  if (plan.implicit) bytes += (plan.taps * sizeof(ptrdiff_t) + 63) / 64 * 64;
  return bytes;
}

void Pack(const Conv2DParams& p, const int8_t* filter, const int32_t* bias, void* packed) {
  const Plan plan = MakePlan(p);
  GemmShape shape;
  shape.n = plan.opg;
  shape.k = plan.k;
  for (int g = 0; g < p.groups; ++g) {
    const int c0 = g * plan.opg;
    GemmPack(shape, filter + static_cast<size_t>(c0) * plan.k, bias + c0,
             p.requant.multiplier + c0, p.requant.shift + c0, p.requant.output_zero_point,
             static_cast<uint8_t*>(packed) + g * plan.gemm_bytes);
  }
  if (plan.implicit) {
    // Where tap (ky, kx) of a pixel sits relative to its window's corner.
    ptrdiff_t* offsets =
        reinterpret_cast<ptrdiff_t*>(static_cast<uint8_t*>(packed) + plan.offsets_at);
    for (int ky = 0; ky < p.kernel_height; ++ky) {
      for (int kx = 0; kx < p.kernel_width; ++kx) {
        offsets[ky * p.kernel_width + kx] =
            (static_cast<ptrdiff_t>(ky) * p.dilation_height * p.input_width +
             static_cast<ptrdiff_t>(kx) * p.dilation_width) * p.input_channels;
      }
    }
  }
}

// Scratch: im2col block (+ slack for the gather's spill); implicit plans
// add the block's int8 outputs and their pixel indices (border pixels from
// many rows share one GEMM, then are copied to their places).
size_t ColsBytes(const Plan& plan) {
  return (static_cast<size_t>(plan.block_rows) * plan.kp + kSlack + 63) / 64 * 64;
}
size_t OutBytes(const Conv2DParams& p, const Plan& plan) {
  return (static_cast<size_t>(plan.block_rows) * p.output_channels + 63) / 64 * 64;
}

size_t ScratchBytes(const Conv2DParams& p) {
  const Plan plan = MakePlan(p);
  if (plan.direct) return 0;
  size_t bytes = ColsBytes(plan);
  if (plan.implicit) bytes += OutBytes(p, plan) + plan.block_rows * sizeof(int32_t);
  return bytes;
}

void Run(const Conv2DParams& p, const int8_t* input, const int8_t*, const int32_t*,
         const void* packed, void* scratch, int8_t* output) {
  const Plan plan = MakePlan(p);
  const RequantParams& rq = p.requant;
  const int pixels = p.batch * p.output_height * p.output_width;
  if (plan.direct) {
    Gemm(packed, pixels, input, p.input_channels, output, p.output_channels,
         rq.output_zero_point, rq.qmin, rq.qmax);
    return;
  }
  int8_t* cols = static_cast<int8_t*>(scratch);
  if (plan.implicit) {
    // Border pixels: gathered from any rows into one block, one GEMM per
    // block into `outs`, then copied to their places (a GEMM per row edge
    // would run a one-row tile, latency-bound).
    int8_t* outs = cols + ColsBytes(plan);
    int32_t* pixel_of = reinterpret_cast<int32_t*>(outs + OutBytes(p, plan));
    const size_t oc = p.output_channels;
    int pending = 0;
    auto flush = [&] {
      if (pending == 0) return;
      Gemm(packed, pending, cols, plan.kp, outs, oc, rq.output_zero_point, rq.qmin, rq.qmax);
      for (int r = 0; r < pending; ++r) {
        std::memcpy(output + static_cast<size_t>(pixel_of[r]) * oc, outs + r * oc, oc);
      }
      pending = 0;
    };
    auto gathered = [&](int first, int count) {
      while (count > 0) {
        const int take = std::min(count, plan.block_rows - pending);
        Gather(p, plan, 0, input, first, take, cols + static_cast<size_t>(pending) * plan.kp);
        for (int i = 0; i < take; ++i) pixel_of[pending + i] = first + i;
        pending += take;
        first += take;
        count -= take;
        if (pending == plan.block_rows) flush();
      }
    };
    const ptrdiff_t* offsets = reinterpret_cast<const ptrdiff_t*>(
        static_cast<const uint8_t*>(packed) + plan.offsets_at);
    int ox_lo, ox_hi;
    InteriorColumns(p, &ox_lo, &ox_hi);
    const size_t image_bytes =
        static_cast<size_t>(p.input_height) * p.input_width * p.input_channels;
    const int ow = p.output_width;
    for (int n = 0; n < p.batch; ++n) {
      for (int oy = 0; oy < p.output_height; ++oy) {
        const int first = (n * p.output_height + oy) * ow;
        const int iy0 = oy * p.stride_height - p.pad_top;
        const bool rows_inside =
            iy0 >= 0 && iy0 + (p.kernel_height - 1) * p.dilation_height < p.input_height;
        if (!rows_inside || ox_lo >= ox_hi) {
          gathered(first, ow);
          continue;
        }
        if (ox_lo > 0) gathered(first, ox_lo);
        // Interior: row r of the GEMM is pixel ox_lo + r, whose window corner
        // is stride_width pixels after the previous one's.
        const int8_t* corner = input + n * image_bytes +
                               (static_cast<size_t>(iy0) * p.input_width +
                                (ox_lo * p.stride_width - p.pad_left)) * p.input_channels;
        GemmTaps(packed, ox_hi - ox_lo, corner,
                 static_cast<size_t>(p.stride_width) * p.input_channels, offsets, plan.taps,
                 output + static_cast<size_t>(first + ox_lo) * p.output_channels,
                 p.output_channels, rq.output_zero_point, rq.qmin, rq.qmax);
        if (ox_hi < ow) gathered(first + ox_hi, ow - ox_hi);
      }
    }
    flush();
    return;
  }
  for (int m0 = 0; m0 < pixels; m0 += plan.block_rows) {
    const int rows = std::min(plan.block_rows, pixels - m0);
    for (int g = 0; g < p.groups; ++g) {
      Gather(p, plan, g, input, m0, rows, cols);
      Gemm(static_cast<const uint8_t*>(packed) + g * plan.gemm_bytes, rows, cols, plan.kp,
           output + static_cast<size_t>(m0) * p.output_channels + g * plan.opg,
           p.output_channels, rq.output_zero_point, rq.qmin, rq.qmax);
    }
  }
}

}  // namespace
}  // namespace avx512vnni

const Conv2DKernel qs8_conv2d__avx512vnni = {"qs8_conv2d__avx512vnni", avx512vnni::PackedBytes,
                                             avx512vnni::Pack, avx512vnni::ScratchBytes,
                                             avx512vnni::Run};

}  // namespace octet
