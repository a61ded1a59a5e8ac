// Packing and blocking shared by the x86 conv / fully-connected kernels:
// templates over the micro-kernel's tile, instantiated once per ISA file.
//
// Include only from per-ISA source files. Everything here has internal
// linkage (anonymous namespace), so the copies compiled with -msse4.1 and
// with -mavx2 -mfma never meet under the one-definition rule.
//
// Requantization epilogue: the maths
// ----------------------------------
// The contract (kernels/requant.h) for an accumulator acc and channel
// constants M0 in [0, 2^31), shift, with ls = max(shift, 0), e = max(-shift, 0):
//     x = acc << ls (wrapping)
//     h = floor((x * M0 + 2^30) / 2^31)                  SRDHM, exact in int32
//     r = RDBPOT(h, e) = floor((h + 2^(e-1) - [h < 0]) / 2^e)   (e >= 1), h (e = 0)
// SIMD has only 32x32->64 multiplies on even lanes (pmuldq), so the odd
// lanes are moved down by a 64-bit shift first; bits 31..62 of the 64-bit
// sum are the int32 result (a logical shift gives the same low 32 bits as
// an arithmetic one there, so no 64-bit arithmetic shift is needed).
//
// General path (any acc, any shift): h as above, then RDBPOT with a mask
// and a threshold: r = (h >> e) + [(h & mask) > (mask >> 1) + [h < 0]].
//
// Fast path, chosen in pack() when for every channel |acc| <= 2^30 - 1
// (from 128 * sum|w| + |folded bias|) and shift in [-31, -1]: the RDBPOT
// rounding constant is folded into the 64-bit nudge,
//     floor((x * M0 + 2^30 + 2^(30+e)) / 2^31) = h + 2^(e-1),
// which fits int32 because |h| < 2^30 and 2^(e-1) <= 2^30. Then
//     r = (h + 2^(e-1) - [x < 0]) >> e.
// [x < 0] may replace [h < 0]: they differ only when h = 0 (x < 0 with
// x * M0 >= -2^30), and then both give floor((2^(e-1) - {0,1}) / 2^e) = 0.
// Finally q = clamp(r + z_out, qmin, qmax): r is saturated to int16, z_out
// added with int16 saturation, saturated to int8 and clamped, which gives
// the same bytes because qmin/qmax lie inside [-128, 127] and |z_out| <= 128.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <smmintrin.h>

#include "kernels/reference.h"
#include "kernels/x86/qs8_gemm.h"

namespace octet {
namespace {

constexpr size_t kPackedHeaderBytes = 64;
struct PackedHeader {
  int32_t fast;  // 1: every channel fits the fast epilogue (see above)
};

// Rows of A per block: the block (rows x K int16; at most 16 KiB of arena
// scratch unless MR rows need more) stays in L1 while every tile of B
// (kc x NR, from L1/L2) runs over it. Larger blocks were no faster here and
// cost arena memory.
constexpr size_t kABlockBytes = 16 * 1024;

template <int MR>
int RowsPerBlock(size_t k_padded, int rows) {
  int block = static_cast<int>(kABlockBytes / (k_padded * sizeof(int16_t)));
  block = std::max(MR, block / MR * MR);
  return std::max(1, std::min(block, rows));  // a short GEMM (an FC of batch 1) needs its rows only
}

template <int NR>
constexpr size_t TileBytes(size_t kc) {
  return NR * sizeof(int32_t) + sizeof(RequantBlock<NR>) + kc * NR * 4;
}

// Fills one tile's bias, requantization block and weights from channels
// [n0, n0 + nr) of a channel-major filter ([N][K] after the group offset).
template <int NR>
void PackTile(const int8_t* filter, const int32_t* bias, const RequantParams& rq, int n0, int nr,
              int k, size_t kc, uint8_t* tile) {
  std::memset(tile, 0, TileBytes<NR>(kc));
  int32_t* b = reinterpret_cast<int32_t*>(tile);
  auto* q = reinterpret_cast<RequantBlock<NR>*>(tile + NR * sizeof(int32_t));
  int16_t* w = reinterpret_cast<int16_t*>(tile + NR * sizeof(int32_t) + sizeof(RequantBlock<NR>));
  for (int j = 0; j < NR; ++j) {
    // Columns past the edge compute garbage that is never stored; give them
    // harmless constants (M0 = 0, e = 1).
    const bool real = j < nr;
    const int n = n0 + j;
    const int32_t m0 = real ? rq.multiplier[n] : 0;
    const int shift = real ? rq.shift[n] : -1;
    const int e = shift < 0 ? -shift : 0;
    const int ls = shift > 0 ? shift : 0;
    b[j] = real ? bias[n] : 0;
    q->mul[j] = m0;
    if (j % 2 == 1) q->mul_odd[j - 1] = m0;
    q->right[j] = e;
    q->left[j] = ls;
    q->mask[j] = static_cast<int32_t>((int64_t{1} << e) - 1);
    q->half[j] = q->mask[j] >> 1;
    q->pow_right[j] = e >= 1 ? static_cast<int32_t>(int64_t{1} << (31 - e)) : 0;
    if (j % 2 == 1) q->pow_right_odd[j - 1] = q->pow_right[j];
    q->pow_left[j] = static_cast<int32_t>(uint32_t{1} << ls);
    q->is_e0[j] = e == 0 ? -1 : 0;
    const int64_t nudge = (int64_t{1} << 30) + (e >= 1 ? (int64_t{1} << (30 + e)) : 0);
    (j % 2 == 0 ? q->nudge_even : q->nudge_odd)[j / 2] = nudge;
    if (!real) continue;
    const int8_t* src = filter + static_cast<size_t>(n) * k;
    for (int t = 0; t < k; ++t) w[(static_cast<size_t>(t / 2) * NR + j) * 2 + t % 2] = src[t];
  }
}

// Whether every channel qualifies for the fast epilogue (derivation above).
inline bool FastEpilogueOk(const int8_t* filter, const int32_t* bias, const RequantParams& rq,
                           int channels, int k) {
  for (int n = 0; n < channels; ++n) {
    if (rq.shift[n] > -1) return false;
    int64_t abs_sum = 0;
    const int8_t* w = filter + static_cast<size_t>(n) * k;
    for (int t = 0; t < k; ++t) abs_sum += std::abs(static_cast<int>(w[t]));
    const int64_t b = bias ? std::abs(static_cast<int64_t>(bias[n])) : 0;
    if (128 * abs_sum + b > (int64_t{1} << 30) - 1) return false;
  }
  return true;
}

// The GEMM of one tile family: packs B, and runs C = A * B over A rows that
// `fill_rows(g, m, rows, dst, stride)` writes (rows of 2*kc int16, zero-padded)
// into scratch.
template <int MR, int NR>
struct Gemm {
  struct Shape {
    int groups, m, k, n;  // per group: n output channels over k taps
  };
  static size_t Kc(const Shape& s) { return (static_cast<size_t>(s.k) + 1) / 2; }
  static size_t Tiles(const Shape& s) { return (static_cast<size_t>(s.n) + NR - 1) / NR; }

  static size_t PackedBytes(const Shape& s) {
    return kPackedHeaderBytes + s.groups * Tiles(s) * TileBytes<NR>(Kc(s));
  }

  // filter [groups * n][k], bias [groups * n].
  static void Pack(const Shape& s, const RequantParams& rq, const int8_t* filter,
                   const int32_t* bias, void* packed) {
    auto* header = static_cast<PackedHeader*>(packed);
    std::memset(packed, 0, kPackedHeaderBytes);
    header->fast = FastEpilogueOk(filter, bias, rq, s.groups * s.n, s.k) ? 1 : 0;
    uint8_t* tile = static_cast<uint8_t*>(packed) + kPackedHeaderBytes;
    const size_t kc = Kc(s);
    for (int g = 0; g < s.groups; ++g) {
      for (int n0 = 0; n0 < s.n; n0 += NR) {
        PackTile<NR>(filter + static_cast<size_t>(g) * s.n * s.k, bias + g * s.n, ShiftedRq(rq, g * s.n),
                     n0, std::min(NR, s.n - n0), s.k, kc, tile);
        tile += TileBytes<NR>(kc);
      }
    }
  }

  static size_t ScratchBytes(const Shape& s) {
    return static_cast<size_t>(RowsPerBlock<MR>(2 * Kc(s), s.m)) * 2 * Kc(s) * sizeof(int16_t);
  }

  // For each group: for each block of rows, fill A, then every tile of B
  // over the block's MR-row panels. `out` + m * out_stride + channel.
  template <typename FillRows>
  static void Run(const Shape& s, GemmMicroKernel ukernel, const RequantParams& rq,
                  const void* packed, void* scratch, int8_t* out, size_t out_stride,
                  FillRows fill_rows) {
    const GemmEpilogue epilogue = {rq.output_zero_point, rq.qmin, rq.qmax,
                                   static_cast<const PackedHeader*>(packed)->fast != 0};
    const size_t kc = Kc(s), a_stride = 2 * kc, tile_bytes = TileBytes<NR>(kc);
    const int block = RowsPerBlock<MR>(a_stride, s.m);
    int16_t* a = static_cast<int16_t*>(scratch);
    const uint8_t* tiles = static_cast<const uint8_t*>(packed) + kPackedHeaderBytes;
    for (int g = 0; g < s.groups; ++g) {
      const uint8_t* group_tiles = tiles + g * Tiles(s) * tile_bytes;
      for (int m0 = 0; m0 < s.m; m0 += block) {
        const int rows = std::min(block, s.m - m0);
        fill_rows(g, m0, rows, a, a_stride);
        const uint8_t* tile = group_tiles;
        for (int n0 = 0; n0 < s.n; n0 += NR, tile += tile_bytes) {
          const int nr = std::min(NR, s.n - n0);
          for (int r = 0; r < rows; r += MR) {
            ukernel(std::min(MR, rows - r), nr, kc, a + r * a_stride, a_stride, tile,
                    out + (m0 + r) * out_stride + g * s.n + n0, out_stride, epilogue);
          }
        }
      }
    }
  }

 private:
  static RequantParams ShiftedRq(const RequantParams& rq, int offset) {
    RequantParams r = rq;
    r.multiplier += offset;
    r.shift += offset;
    return r;
  }
};

// dst[0, n) = src sign-extended to int16, 8 at a time; a ragged end is
// redone with one overlapping load/store of the last 8 (SSE4.1 is the
// lowest level that includes this header).
inline void Widen(const int8_t* src, int n, int16_t* dst) {
  if (n < 8) {
    for (int i = 0; i < n; ++i) dst[i] = src[i];
    return;
  }
  int i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i),
                     _mm_cvtepi8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + i))));
  }
  if (i < n) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 8),
                     _mm_cvtepi8_epi16(
                         _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + n - 8))));
  }
}

// dst[0, n) = value.
inline void Fill(int16_t value, int n, int16_t* dst) {
  if (n < 8) {
    for (int i = 0; i < n; ++i) dst[i] = value;
    return;
  }
  const __m128i v = _mm_set1_epi16(value);
  int i = 0;
  for (; i + 8 <= n; i += 8) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), v);
  if (i < n) _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + n - 8), v);
}

// One GEMM row from n input bytes; dst[n] = 0 when n is odd (the K pad).
inline void WidenRow(const int8_t* src, int n, int16_t* dst) {
  Widen(src, n, dst);
  if (n & 1) dst[n] = 0;
}

// Conv2D through Gemm: 1x1 stride-1 unpadded convolutions read input pixels
// as rows directly; everything else builds im2col rows (padded taps read the
// input zero point, like the reference).
template <int MR, int NR>
struct ConvGemm {
  using G = Gemm<MR, NR>;
  static typename G::Shape ShapeOf(const Conv2DParams& p) {
    return {p.groups, p.batch * p.output_height * p.output_width,
            p.kernel_height * p.kernel_width * (p.input_channels / p.groups),
            p.output_channels / p.groups};
  }
  static size_t PackedBytes(const Conv2DParams& p) { return G::PackedBytes(ShapeOf(p)); }
  static void Pack(const Conv2DParams& p, const int8_t* filter, const int32_t* bias,
                   void* packed) {
    G::Pack(ShapeOf(p), p.requant, filter, bias, packed);
  }
  static size_t ScratchBytes(const Conv2DParams& p) { return G::ScratchBytes(ShapeOf(p)); }

  static void Run(const Conv2DParams& p, GemmMicroKernel ukernel, const int8_t* input,
                  const void* packed, void* scratch, int8_t* output) {
    const auto s = ShapeOf(p);
    const int cin_g = p.input_channels / p.groups;
    const bool direct = p.kernel_height == 1 && p.kernel_width == 1 && p.stride_height == 1 &&
                        p.stride_width == 1 && p.pad_top == 0 && p.pad_left == 0 &&
                        p.output_height == p.input_height && p.output_width == p.input_width;
    if (direct) {
      G::Run(s, ukernel, p.requant, packed, scratch, output, p.output_channels,
             [&](int g, int m0, int rows, int16_t* dst, size_t stride) {
               const int8_t* x = input + static_cast<size_t>(m0) * p.input_channels + g * cin_g;
               for (int r = 0; r < rows; ++r, x += p.input_channels, dst += stride) {
                 WidenRow(x, cin_g, dst);
               }
             });
      return;
    }
    G::Run(s, ukernel, p.requant, packed, scratch, output, p.output_channels,
           [&](int g, int m0, int rows, int16_t* dst, size_t stride) {
             Im2col(p, input, g, m0, rows, dst, stride);
           });
  }

  // Rows [m0, m0 + rows) of the im2col matrix of group g: for each output
  // pixel, the taps (ky, kx, ic) in filter order; taps outside the image
  // read the input zero point. The pixel position advances incrementally.
  static void Im2col(const Conv2DParams& p, const int8_t* input, int g, int m0, int rows,
                     int16_t* dst, size_t stride) {
    const int cin_g = p.input_channels / p.groups;
    const int cin = p.input_channels, in_h = p.input_height, in_w = p.input_width;
    const int kh = p.kernel_height, kw = p.kernel_width;
    const int sh = p.stride_height, sw = p.stride_width;
    const int dh = p.dilation_height, dw = p.dilation_width;
    const int out_w = p.output_width, pixels = p.output_height * p.output_width;
    const int row_taps = kw * cin_g, k = kh * row_taps;
    const bool contiguous = dw == 1 && cin_g == cin;  // a kernel row is one input run
    const int16_t zp = static_cast<int16_t>(p.input_zero_point);
    int b = m0 / pixels, oy = m0 % pixels / out_w, ox = m0 % out_w;
    for (int r = 0; r < rows; ++r, dst += stride) {
      const int8_t* image = input + static_cast<size_t>(b) * in_h * in_w * cin + g * cin_g;
      const int ix0 = ox * sw - p.pad_left;
      // Taps kx in [kx_lo, kx_hi) read inside the image.
      int kx_lo = 0, kx_hi = kw;
      while (kx_lo < kx_hi && ix0 + kx_lo * dw < 0) ++kx_lo;
      while (kx_hi > kx_lo && ix0 + (kx_hi - 1) * dw >= in_w) --kx_hi;
      int16_t* d = dst;
      const int iy0 = oy * sh - p.pad_top;
      if (contiguous && kx_lo == 0 && kx_hi == kw && iy0 >= 0 && iy0 + (kh - 1) * dh < in_h) {
        // The whole window is inside: kh runs of kw * cin bytes.
        const int8_t* x = image + (static_cast<size_t>(iy0) * in_w + ix0) * cin;
        const size_t pitch = static_cast<size_t>(dh) * in_w * cin;
        for (int ky = 0; ky < kh; ++ky, d += row_taps, x += pitch) Widen(x, row_taps, d);
        if (k & 1) *d = 0;
      } else {
        Im2colEdgeRow(image, iy0, ix0, kx_lo, kx_hi, p, cin_g, zp, d);
      }
      if (++ox == out_w) {
        ox = 0;
        if (++oy == p.output_height) {
          oy = 0;
          ++b;
        }
      }
    }
  }

  // One im2col row of a window that crosses the image border (kept out of
  // line so the interior loop above keeps its values in registers).
  [[gnu::noinline]] static void Im2colEdgeRow(const int8_t* image, int iy0, int ix0, int kx_lo,
                                              int kx_hi, const Conv2DParams& p, int cin_g,
                                              int16_t zp, int16_t* d) {
    const int cin = p.input_channels, in_h = p.input_height, in_w = p.input_width;
    const int kh = p.kernel_height, kw = p.kernel_width, dh = p.dilation_height,
              dw = p.dilation_width;
    const int row_taps = kw * cin_g, k = kh * row_taps;
    const bool contiguous = dw == 1 && cin_g == cin;  // a kernel row is one input run
    for (int ky = 0; ky < kh; ++ky, d += row_taps) {
      const int iy = iy0 + ky * dh;
      if (iy < 0 || iy >= in_h) {
        Fill(zp, row_taps, d);
        continue;
      }
      if (kx_lo > 0) Fill(zp, kx_lo * cin_g, d);
      if (kx_hi < kw) Fill(zp, row_taps - kx_hi * cin_g, d + kx_hi * cin_g);
      const int8_t* x = image + static_cast<size_t>(iy) * in_w * cin;
      if (contiguous) {
        Widen(x + static_cast<ptrdiff_t>(ix0 + kx_lo) * cin, (kx_hi - kx_lo) * cin_g,
              d + kx_lo * cin_g);
      } else {
        for (int kx = kx_lo; kx < kx_hi; ++kx) {
          Widen(x + static_cast<ptrdiff_t>(ix0 + kx * dw) * cin, cin_g, d + kx * cin_g);
        }
      }
    }
    if (k & 1) *d = 0;
  }
};

template <int MR, int NR>
struct FullyConnectedGemm {
  using G = Gemm<MR, NR>;
  static typename G::Shape ShapeOf(const FullyConnectedParams& p) {
    return {1, p.batch, p.input_features, p.output_features};
  }
  static size_t PackedBytes(const FullyConnectedParams& p) { return G::PackedBytes(ShapeOf(p)); }
  static void Pack(const FullyConnectedParams& p, const int8_t* filter, const int32_t* bias,
                   void* packed) {
    G::Pack(ShapeOf(p), p.requant, filter, bias, packed);
  }
  static size_t ScratchBytes(const FullyConnectedParams& p) {
    return G::ScratchBytes(ShapeOf(p));
  }
  static void Run(const FullyConnectedParams& p, GemmMicroKernel ukernel, const int8_t* input,
                  const void* packed, void* scratch, int8_t* output) {
    const int k = p.input_features;
    G::Run(ShapeOf(p), ukernel, p.requant, packed, scratch, output, p.output_features,
           [&](int, int m0, int rows, int16_t* dst, size_t stride) {
             for (int r = 0; r < rows; ++r, dst += stride) {
               WidenRow(input + static_cast<size_t>(m0 + r) * k, k, dst);
             }
           });
  }
};

}  // namespace
}  // namespace octet
