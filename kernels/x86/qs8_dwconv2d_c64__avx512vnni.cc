// Depthwise 2-D convolution, 64-channel blocks, AVX-512 VNNI (vpdpbusd on
// quads of kernel rows): specialized 3x3 and 5x5 (any stride, dilation and
// padding) and a general path for any kernel size. A last block of at most
// 32 (16) channels puts 2 (4) output columns side by side in each zmm, over
// the same packed layout (TailRow).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/x86/qs8_dwconv2d_pack.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

using x86::DepthwiseLayout;

constexpr DepthwiseLayout kLayout = {/*block=*/64, /*accs=*/4, /*rows=*/4, /*u8_inputs=*/true};
constexpr int kBlock = 64;
constexpr int kTile = 32;  // output columns per stage-1/stage-2 tile

// The instructions the kernel uses (a packed vector or table row is 64 bytes,
// in the lane order of qs8_dwconv2d_pack.h).
struct Zmm {
  using T = __m512i;
  using ByteMask = __mmask64;
  static constexpr int kChannels = 64;
  static T Load(const void* p) { return _mm512_loadu_si512(p); }
  static void Store(void* p, T v) { _mm512_storeu_si512(p, v); }
  static T LoadBytes(ByteMask m, const void* p) { return _mm512_maskz_loadu_epi8(m, p); }
  static void StoreBytes(void* p, ByteMask m, T v) { _mm512_mask_storeu_epi8(p, m, v); }
  static T Bytes(int8_t x) { return _mm512_set1_epi8(x); }
  static T Words(int16_t x) { return _mm512_set1_epi16(x); }
  static T Qwords(int64_t x) { return _mm512_set1_epi64(x); }
  static T Dwords(int32_t x) { return _mm512_set1_epi32(x); }
  static T Xor(T a, T b) { return _mm512_xor_si512(a, b); }
  static T And(T a, T b) { return _mm512_and_si512(a, b); }
  static T UnpackLo8(T a, T b) { return _mm512_unpacklo_epi8(a, b); }
  static T UnpackHi8(T a, T b) { return _mm512_unpackhi_epi8(a, b); }
  static T UnpackLo16(T a, T b) { return _mm512_unpacklo_epi16(a, b); }
  static T UnpackHi16(T a, T b) { return _mm512_unpackhi_epi16(a, b); }
  static T Dot(T acc, T u8, T s8) { return _mm512_dpbusd_epi32(acc, u8, s8); }
  static T Add32(T a, T b) { return _mm512_add_epi32(a, b); }
  static T Sub32(T a, T b) { return _mm512_sub_epi32(a, b); }
  static T Add64(T a, T b) { return _mm512_add_epi64(a, b); }
  static T MulU(T a, T b) { return _mm512_mul_epu32(a, b); }
  static T MulS(T a, T b) { return _mm512_mul_epi32(a, b); }
  static T Srl64(T a, int n) { return _mm512_srli_epi64(a, n); }
  static T Sll64(T a, int n) { return _mm512_slli_epi64(a, n); }
  static T Srl32(T a, int n) { return _mm512_srli_epi32(a, n); }
  static T Sra32(T a, int n) { return _mm512_srai_epi32(a, n); }
  static T Sllv32(T a, T n) { return _mm512_sllv_epi32(a, n); }
  static T Srav32(T a, T n) { return _mm512_srav_epi32(a, n); }
  // Even dwords from the high dwords of `even`, odd dwords from `odd`.
  static T HighDwords(T even, T odd) { return _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB); }
  static T OddFrom(T even, T odd) { return _mm512_mask_blend_epi32(0xAAAA, even, odd); }
  static T AddOneWhereGreater(T q, T a, T b) {
    return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(a, b), q, _mm512_set1_epi32(1));
  }
  static T Packs32(T a, T b) { return _mm512_packs_epi32(a, b); }
  static T Packs16(T a, T b) { return _mm512_packs_epi16(a, b); }
  static T AddSat16(T a, T b) { return _mm512_adds_epi16(a, b); }
  static T Clamp8(T v, T lo, T hi) { return _mm512_min_epi8(_mm512_max_epi8(v, lo), hi); }
};

// Table row of accumulator vector j (each table holds 64 int32, 16 per j).
inline const int32_t* Row(const int32_t* tables, int table, int j) {
  return tables + table * kBlock + j * 16;
}

// Exact requantization of int32 accumulators to the RoundingDivideByPOT
// result (zero point and clamp come after packing), for any accumulator and
// any shift in [-31, 30]. Tables: m = M0, mask = 2^rs - 1, thr = mask >> 1,
// rs, ls.
//   x = acc << ls                          vpsllvd (wraps, as the reference)
//   h = floor((x * M0 + 2^30) / 2^31)      64-bit products of the even and odd
//                                          dwords (vpmuldq); the odd product
//                                          is shifted left 1 so h lands in its
//                                          high dword and one masked blend
//                                          merges the halves
//   r = (h >> rs) + ((h & mask) > thr + [h < 0])   ties away from zero
template <class V>
typename V::T RequantGeneral(typename V::T acc, typename V::T m, typename V::T mask,
                             typename V::T thr, typename V::T rs, typename V::T ls,
                             bool left_shift) {
  using T = typename V::T;
  if (left_shift) acc = V::Sllv32(acc, ls);
  const T nudge = V::Qwords(int64_t{1} << 30);
  const T even = V::Add64(V::MulS(acc, m), nudge);
  const T odd = V::Add64(V::MulS(V::Srl64(acc, 32), V::Srl64(m, 32)), nudge);
  const T h = V::OddFrom(V::Srl64(even, 31), V::Sll64(odd, 1));
  const T rem = V::And(h, mask);
  const T t = V::Sub32(thr, V::Sra32(h, 31));
  return V::AddOneWhereGreater(V::Srav32(h, rs), rem, t);
}

// The bounded requantization (derivation in qs8_dwconv2d_pack.h), for
// accumulators offset by 2^30 (xb = acc + 2^30, in [0, 2^31)); returns the
// int32 result with the output zero point already added. Tables: m2 = 2 M0,
// m2_odd (odd channels' 2 M0 at even dwords), the 64-bit addends of the even
// and odd dwords, rs.
//   P_even = xb * 2M0 + A     vpmuludq, vpaddq: hi32 = floor(y / 2^32) - [xb >= 2^30]
//   P_odd  likewise on the odd dwords (vpsrlq 32 first)
//   hi     = the high dwords, merged by one masked vpshufd
//   r      = (hi + (xb >> 30)) >> rs
template <class V>
typename V::T RequantFast(typename V::T xb, typename V::T m2, typename V::T m2_odd,
                          typename V::T add_even, typename V::T add_odd, typename V::T rs) {
  using T = typename V::T;
  const T even = V::Add64(V::MulU(xb, m2), add_even);
  const T odd = V::Add64(V::MulU(V::Srl64(xb, 32), m2_odd), add_odd);
  const T hi = V::Add32(V::HighDwords(even, odd), V::Srl32(xb, 30));
  return V::Srav32(hi, rs);
}

struct RowContext {
  const DepthwiseConv2DParams* p;
  const int8_t* image;       // this batch element's input
  int8_t* out_image;         // this batch element's output
  const uint8_t* zeros;      // kBlock bytes of the input zero point
  uint8_t* cols;             // interleaved columns of one row and block, 64 bytes per vector
  int groups;
  int span;                  // input columns of one output row
  bool left_shift;
};

// One output row of one channel block:
//  1. interleave: for every input column the row reads (padding included),
//     the bytes of kernel rows 4g..4g+3 are xored with 0x80 (u8 = x + 128)
//     and interleaved into quads, per channel:
//        Q_j lane L dword i = (r0, r1, r2, r3)[channel 16L + 4j + i]
//     rows and columns outside the image read the zero point (padding);
//     rows past the kernel meet zero weights.
//  2. multiply-add: each output pixel sums kernel_width x groups vpdpbusd
//     per accumulator vector over its columns, then requantizes; two pixels
//     per step share the table loads.
// kKw, kGroups = 0 select the general (runtime) loop. kTwoRows (3-row
// kernels, stride and dilation 1 vertically): the quads hold 4 real rows and
// give output rows oy (weights (w0, w1, w2, 0)) and oy + 1 ((0, w0, w1, w2)),
// halving the interleaving work.
template <class V, int kKw, int kGroups, bool kFast, bool kTwoRows = false>
void OutputRow(const RowContext& ctx, int oy, int block, const uint8_t* packed_block,
               int ox_begin, int ox_end) {
  using T = typename V::T;
  using Mask = typename V::ByteMask;
  const DepthwiseConv2DParams& p = *ctx.p;
  const int kw = kKw != 0 ? kKw : p.kernel_width;
  const int groups = kGroups != 0 ? kGroups : ctx.groups;
  const int channels = p.input_channels;
  const int c0 = block * kBlock;
  const int valid = channels - c0 < V::kChannels ? channels - c0 : V::kChannels;
  const bool full = valid == V::kChannels;
  const Mask load_mask = full ? static_cast<Mask>(~Mask{0}) : static_cast<Mask>((uint64_t{1} << valid) - 1);
  const size_t row_stride = static_cast<size_t>(p.input_width) * channels;

  // Stage 1. Per kernel row: where it reads (the image row, or the zero
  // point buffer with step 0 when the row is outside the image); rows past
  // the kernel height (zero weights) reuse the previous row's bytes.
  const int8_t* base[32];
  size_t step[32];
  const int iy0 = oy * p.stride_height - p.pad_top;
  for (int ky = 0; ky < 4 * groups; ++ky) {
    const int iy = iy0 + ky * p.dilation_height;
    if (ky < (kTwoRows ? 4 : p.kernel_height) && iy >= 0 && iy < p.input_height) {
      base[ky] = ctx.image + iy * row_stride + c0;
      step[ky] = static_cast<size_t>(channels);
    } else {
      base[ky] = reinterpret_cast<const int8_t*>(ctx.zeros);
      step[ky] = 0;
    }
  }
  const int kh = kTwoRows ? 4 : p.kernel_height;
  const T flip = V::Bytes(static_cast<int8_t>(0x80));
  auto interleave = [&](const T r[4], uint8_t* col) {
    const T a = V::UnpackLo8(r[0], r[1]);
    const T b = V::UnpackHi8(r[0], r[1]);
    const T c = V::UnpackLo8(r[2], r[3]);
    const T d = V::UnpackHi8(r[2], r[3]);
    V::Store(col + 0 * 64, V::UnpackLo16(a, c));
    V::Store(col + 1 * 64, V::UnpackHi16(a, c));
    V::Store(col + 2 * 64, V::UnpackLo16(b, d));
    V::Store(col + 3 * 64, V::UnpackHi16(b, d));
  };
  alignas(64) uint8_t zero_col[4 * 64];  // a column outside the image
  {
    const T z = V::Xor(V::LoadBytes(load_mask, ctx.zeros), flip);
    const T r[4] = {z, z, z, z};
    interleave(r, zero_col);
  }
  auto build_columns = [&](int x_begin, int x_end) {
  uint8_t* col = ctx.cols;
  for (int x = x_begin; x < x_end; ++x) {
    const int ix = x - p.pad_left;
    if (ix < 0 || ix >= p.input_width) {
      for (int g = 0; g < groups; ++g, col += 4 * 64) {
        for (int j = 0; j < 4; ++j) V::Store(col + j * 64, V::Load(zero_col + j * 64));
      }
      continue;
    }
    for (int g = 0; g < groups; ++g, col += 4 * 64) {
      T r[4];
      for (int q = 0; q < 4; ++q) {
        const int ky = 4 * g + q;
        if (q > 0 && ky >= kh) {
          r[q] = r[q - 1];
        } else {
          const int8_t* src = base[ky] + static_cast<size_t>(ix) * step[ky];
          r[q] = V::Xor(full ? V::Load(src) : V::LoadBytes(load_mask, src), flip);
        }
      }
      interleave(r, col);
    }
  }
  };

  // Stage 2, one accumulator vector j (16 channels in 4 lanes) at a time
  // over a tile of pixels, so its weights and requantization tables stay in
  // registers and each pixel costs only its column loads; the int32 results
  // go to a small buffer that a last pass packs to bytes:
  //   for j: for ox: acc = bias_j + sum_kx,g vpdpbusd(col[ox*stride + kx*dil][g][j], w[kx][g][j])
  //                  res[ox][j] = requant(acc)
  //   for ox: packssdw(res[ox][0], res[ox][1]), packssdw(res[ox][2], res[ox][3]) -> packsswb
  const uint8_t* weights = packed_block;
  const int32_t* tables = reinterpret_cast<const int32_t*>(
      packed_block + static_cast<size_t>(kw) * groups * kBlock * 4);
  const uint8_t* lower = kTwoRows
      ? packed_block + static_cast<size_t>(kw * groups + x86::kTables) * kBlock * 4
      : nullptr;
  const RequantParams& rq = p.requant;
  const T zero_point = V::Words(static_cast<int16_t>(rq.output_zero_point));
  const T qmin = V::Bytes(static_cast<int8_t>(rq.qmin));
  const T qmax = V::Bytes(static_cast<int8_t>(rq.qmax));
  const int bias_table = kFast ? x86::kBiasOffset : x86::kBias;
  const size_t col_step = static_cast<size_t>(p.stride_width) * groups * 4 * 64;
  const size_t tap_step = static_cast<size_t>(p.dilation_width) * groups * 4 * 64;
  constexpr int kRows = kTwoRows ? 2 : 1;
  alignas(64) uint8_t results[kRows][kTile][4][64];
  const size_t next_row = static_cast<size_t>(p.output_width) * channels;

  // Column tiles keep the interleaved columns and the results in L1 (kTile
  // outputs need (kTile - 1) * stride + (kernel_width - 1) * dilation + 1 columns).
  int8_t* out_row = ctx.out_image + static_cast<size_t>(oy) * p.output_width * channels + c0;
  for (int ox0 = ox_begin; ox0 < ox_end; ox0 += kTile) {
    const int ox1 = ox0 + kTile < ox_end ? ox0 + kTile : ox_end;
    const int count = ox1 - ox0;
    build_columns(ox0 * p.stride_width,
                  (ox1 - 1) * p.stride_width + (kw - 1) * p.dilation_width + 1);
    for (int j = 0; j < 4; ++j) {
      const T bias = V::Load(Row(tables, bias_table, j));
      constexpr int kHeld = kKw * kGroups;
      T w[kHeld > 0 ? kHeld : 1], wl[kTwoRows && kHeld > 0 ? kHeld : 1];
      for (int v = 0; v < kHeld; ++v) w[v] = V::Load(weights + (v * 4 + j) * 64);
      if (kTwoRows) {
        for (int v = 0; v < kHeld; ++v) wl[v] = V::Load(lower + (v * 4 + j) * 64);
      }
      auto weight = [&](int v) { return kHeld > 0 ? w[v] : V::Load(weights + (v * 4 + j) * 64); };
      // This j's tables, loaded once (the int32 result stores below could
      // alias them as far as the compiler knows).
      T t0, t1, t2, t3, t4;
      if (kFast) {
        t0 = V::Load(Row(tables, x86::kTwiceM, j));
        t1 = V::Load(Row(tables, x86::kTwiceMOdd, j));
        t2 = V::Load(Row(tables, x86::kAddendEven, j));
        t3 = V::Load(Row(tables, x86::kAddendOdd, j));
        t4 = V::Load(Row(tables, x86::kRightShift, j));
      } else {
        t0 = V::Load(Row(tables, x86::kMultiplier, j));
        t1 = V::Load(Row(tables, x86::kRemMask, j));
        t2 = V::Load(Row(tables, x86::kRemThreshold, j));
        t3 = V::Load(Row(tables, x86::kRightShift, j));
        t4 = V::Load(Row(tables, x86::kLeftShift, j));
      }
      auto requant = [&](T acc) -> T {
        if (kFast) return RequantFast<V>(acc, t0, t1, t2, t3, t4);
        return RequantGeneral<V>(acc, t0, t1, t2, t3, t4, ctx.left_shift);
      };
      const uint8_t* cols_j = ctx.cols + j * 64;
      auto accumulate = [&](int i, T* acc, T* acc_lower) {
        *acc = bias;
        *acc_lower = bias;
        const uint8_t* ck = cols_j + i * col_step;
        int v = 0;
        for (int kx = 0; kx < kw; ++kx, ck += tap_step) {
          for (int g = 0; g < groups; ++g, ++v) {
            const T x = V::Load(ck + g * 4 * 64);
            *acc = V::Dot(*acc, x, weight(v));
            if (kTwoRows) *acc_lower = V::Dot(*acc_lower, x, wl[v]);
          }
        }
      };
      // Two pixels per step: independent dependency chains side by side.
      int i = 0;
      for (; i + 2 <= count; i += 2) {
        T a0, l0, a1, l1;
        accumulate(i, &a0, &l0);
        accumulate(i + 1, &a1, &l1);
        V::Store(results[0][i][j], requant(a0));
        V::Store(results[0][i + 1][j], requant(a1));
        if (kTwoRows) {
          V::Store(results[kRows - 1][i][j], requant(l0));
          V::Store(results[kRows - 1][i + 1][j], requant(l1));
        }
      }
      if (i < count) {
        T a0, l0;
        accumulate(i, &a0, &l0);
        V::Store(results[0][i][j], requant(a0));
        if (kTwoRows) V::Store(results[kRows - 1][i][j], requant(l0));
      }
    }
    // Lane L: results j = 0 hold channels 16L+0..3, j = 1 16L+4..7, ...: the
    // in-lane packs put all channels back in natural order.
    for (int r = 0; r < kRows; ++r) {
      int8_t* out = out_row + r * next_row + static_cast<size_t>(ox0) * channels;
      for (int i = 0; i < count; ++i, out += channels) {
        T lo = V::Packs32(V::Load(results[r][i][0]), V::Load(results[r][i][1]));
        T hi = V::Packs32(V::Load(results[r][i][2]), V::Load(results[r][i][3]));
        if (!kFast) {  // the fast path added the zero point already
          lo = V::AddSat16(lo, zero_point);
          hi = V::AddSat16(hi, zero_point);
        }
        const T q = V::Clamp8(V::Packs16(lo, hi), qmin, qmax);
        if (full) {
          V::Store(out, q);
        } else {
          V::StoreBytes(out, load_mask, q);
        }
      }
    }
  }
}

using RowFn = void (*)(const RowContext&, int, int, const uint8_t*, int, int);

template <class V>
RowFn SelectRow(int kernel_width, int groups, bool fast) {
  if (kernel_width == 3 && groups == 1) return fast ? OutputRow<V, 3, 1, true> : OutputRow<V, 3, 1, false>;
  if (kernel_width == 5 && groups == 2) return fast ? OutputRow<V, 5, 2, true> : OutputRow<V, 5, 2, false>;
  return fast ? OutputRow<V, 0, 0, true> : OutputRow<V, 0, 0, false>;
}

// The last block when it has at most 16 (32) channels: the columns sit side
// by side in the zmm lanes, so no lane idles. For accumulator vector j a
// column holds one 16-byte (32-byte) piece: the first 1 (2) lanes of the
// packed layout, channels 16L + 4j + i. A zmm then holds kCols = 4 (2)
// pieces, of consecutive output columns:
//  1. interleave: each row vector gathers the pieces of kCols input columns
//     x, x + s, x + 2s, ... (s = stride); the in-lane unpacks make the same
//     quads as above, per column. The interleaved pieces are stored per
//     (j, group, phase = x mod s) at index x div s, so the pieces output
//     columns ox..ox + kCols - 1 read at tap kx are adjacent:
//        x = ox * s + kx * dil  ->  phase (kx * dil) mod s, index ox + (kx * dil) div s
//  2. multiply-add and requantization as above, on weights and tables whose
//     first piece is broadcast to every column's lanes (one load each per
//     tile); the results are packed to bytes likewise and stored one column
//     piece at a time.
template <int kPiece>
struct TailPiece;

template <>
struct TailPiece<16> {
  using Narrow = __m128i;
  using ByteMask = __mmask16;
  static constexpr int kChannels = 16;
  static __m512i Broadcast(const void* p) {
    return _mm512_broadcast_i32x4(_mm_loadu_si128(static_cast<const __m128i*>(p)));
  }
  static Narrow Load(ByteMask m, bool full, const void* p) {
    return full ? _mm_loadu_si128(static_cast<const __m128i*>(p)) : _mm_maskz_loadu_epi8(m, p);
  }
  // The pieces of columns src[0..3], one per 128-bit lane.
  static __m512i Gather(const int8_t* const src[4], ByteMask m, bool full) {
    __m512i v = _mm512_castsi128_si512(Load(m, full, src[0]));
    v = _mm512_inserti32x4(v, Load(m, full, src[1]), 1);
    v = _mm512_inserti32x4(v, Load(m, full, src[2]), 2);
    return _mm512_inserti32x4(v, Load(m, full, src[3]), 3);
  }
  static void Split(__m512i v, Narrow out[4]) {
    out[0] = _mm512_castsi512_si128(v);
    out[1] = _mm512_extracti32x4_epi32(v, 1);
    out[2] = _mm512_extracti32x4_epi32(v, 2);
    out[3] = _mm512_extracti32x4_epi32(v, 3);
  }
  static void Store(void* p, ByteMask m, bool full, Narrow v) {
    if (full) {
      _mm_storeu_si128(static_cast<__m128i*>(p), v);
    } else {
      _mm_mask_storeu_epi8(p, m, v);
    }
  }
};

template <>
struct TailPiece<32> {
  using Narrow = __m256i;
  using ByteMask = __mmask32;
  static constexpr int kChannels = 32;
  static __m512i Broadcast(const void* p) {
    return _mm512_broadcast_i64x4(_mm256_loadu_si256(static_cast<const __m256i*>(p)));
  }
  static Narrow Load(ByteMask m, bool full, const void* p) {
    return full ? _mm256_loadu_si256(static_cast<const __m256i*>(p)) : _mm256_maskz_loadu_epi8(m, p);
  }
  static __m512i Gather(const int8_t* const src[2], ByteMask m, bool full) {
    const __m512i v = _mm512_castsi256_si512(Load(m, full, src[0]));
    return _mm512_inserti64x4(v, Load(m, full, src[1]), 1);
  }
  static void Split(__m512i v, Narrow out[2]) {
    out[0] = _mm512_castsi512_si256(v);
    out[1] = _mm512_extracti64x4_epi64(v, 1);
  }
  static void Store(void* p, ByteMask m, bool full, Narrow v) {
    if (full) {
      _mm256_storeu_si256(static_cast<__m256i*>(p), v);
    } else {
      _mm256_mask_storeu_epi8(p, m, v);
    }
  }
};

// Entries per phase of the tail's interleaved columns: tile outputs plus the
// taps' reach, rounded up to whole zmm loads.
inline int TailEntries(const DepthwiseConv2DParams& p, int cols_per_zmm) {
  const int reach = (p.kernel_width - 1) * p.dilation_width / p.stride_width;
  return (kTile + reach + cols_per_zmm - 1) / cols_per_zmm * cols_per_zmm;
}

inline size_t TailColumnBytes(const DepthwiseConv2DParams& p, int groups, int piece) {
  return static_cast<size_t>(4) * groups * p.stride_width * TailEntries(p, 64 / piece) * piece;
}

template <int kPiece, int kKw, int kGroups, bool kFast, bool kTwoRows = false>
void TailRow(const RowContext& ctx, int oy, int block, const uint8_t* packed_block,
             int ox_begin, int ox_end) {
  using P = TailPiece<kPiece>;
  using V = Zmm;
  using T = __m512i;
  constexpr int kCols = 64 / kPiece;  // output columns per zmm
  const DepthwiseConv2DParams& p = *ctx.p;
  const int kw = kKw != 0 ? kKw : p.kernel_width;
  const int groups = kGroups != 0 ? kGroups : ctx.groups;
  const int channels = p.input_channels;
  const int c0 = block * kBlock;
  const int valid = channels - c0;  // 1..kPiece
  const bool full = valid == P::kChannels;
  const auto mask = static_cast<typename P::ByteMask>(full ? ~uint64_t{0} : (uint64_t{1} << valid) - 1);
  const size_t row_stride = static_cast<size_t>(p.input_width) * channels;
  const int s = p.stride_width;
  const int entries = TailEntries(p, kCols);
  // Bytes between the pieces of consecutive groups, and of consecutive j.
  const size_t group_bytes = static_cast<size_t>(s) * entries * kPiece;
  const size_t j_bytes = group_bytes * groups;

  // Stage 1 (as in OutputRow, the rows' sources).
  const int8_t* base[32];
  size_t step[32];
  const int iy0 = oy * p.stride_height - p.pad_top;
  for (int ky = 0; ky < 4 * groups; ++ky) {
    const int iy = iy0 + ky * p.dilation_height;
    if (ky < (kTwoRows ? 4 : p.kernel_height) && iy >= 0 && iy < p.input_height) {
      base[ky] = ctx.image + iy * row_stride + c0;
      step[ky] = static_cast<size_t>(channels);
    } else {
      base[ky] = reinterpret_cast<const int8_t*>(ctx.zeros);
      step[ky] = 0;
    }
  }
  const int kh = kTwoRows ? 4 : p.kernel_height;
  size_t lane_step[32];  // bytes between the columns of one zmm, per row
  for (int ky = 0; ky < 4 * groups; ++ky) lane_step[ky] = step[ky] * s;
  const T flip = V::Bytes(static_cast<int8_t>(0x80));
  const int8_t* zeros = reinterpret_cast<const int8_t*>(ctx.zeros);
  // Input columns [x_begin, x_begin + ncols) of the tile, relative x = idx * s + phase.
  auto build_columns = [&](int x_begin, int ncols) {
    for (int ph = 0; ph < s && ph < ncols; ++ph) {
      const int n = (ncols - ph + s - 1) / s;
      for (int idx = 0; idx < n; idx += kCols) {
        const int ix0 = x_begin + idx * s + ph - p.pad_left;
        // All kCols columns in the image (the common case): one pointer per row.
        const bool interior = idx + kCols <= n && ix0 >= 0 && ix0 + (kCols - 1) * s < p.input_width;
        int ix[kCols];
        bool inside[kCols];
        for (int c = 0; c < kCols; ++c) {
          ix[c] = ix0 + c * s;
          inside[c] = idx + c < n && ix[c] >= 0 && ix[c] < p.input_width;
        }
        uint8_t* col = ctx.cols + static_cast<size_t>(ph) * entries * kPiece +
                       static_cast<size_t>(idx) * kPiece;
        for (int g = 0; g < groups; ++g, col += group_bytes) {
          T r[4];
          for (int q = 0; q < 4; ++q) {
            const int ky = 4 * g + q;
            if (q > 0 && ky >= kh) {
              r[q] = r[q - 1];
            } else {
              const int8_t* src[kCols];
              if (interior) {
                const int8_t* first = base[ky] + static_cast<size_t>(ix0) * step[ky];
                for (int c = 0; c < kCols; ++c) src[c] = first + c * lane_step[ky];
              } else {
                for (int c = 0; c < kCols; ++c) {
                  src[c] = inside[c] ? base[ky] + static_cast<size_t>(ix[c]) * step[ky] : zeros;
                }
              }
              r[q] = V::Xor(P::Gather(src, mask, full), flip);
            }
          }
          const T a = V::UnpackLo8(r[0], r[1]);
          const T b = V::UnpackHi8(r[0], r[1]);
          const T c = V::UnpackLo8(r[2], r[3]);
          const T d = V::UnpackHi8(r[2], r[3]);
          V::Store(col + 0 * j_bytes, V::UnpackLo16(a, c));
          V::Store(col + 1 * j_bytes, V::UnpackHi16(a, c));
          V::Store(col + 2 * j_bytes, V::UnpackLo16(b, d));
          V::Store(col + 3 * j_bytes, V::UnpackHi16(b, d));
        }
      }
    }
  };

  // Stage 2.
  const uint8_t* weights = packed_block;
  const int32_t* tables = reinterpret_cast<const int32_t*>(
      packed_block + static_cast<size_t>(kw) * groups * kBlock * 4);
  const uint8_t* lower = kTwoRows
      ? packed_block + static_cast<size_t>(kw * groups + x86::kTables) * kBlock * 4
      : nullptr;
  const RequantParams& rq = p.requant;
  const T zero_point = V::Words(static_cast<int16_t>(rq.output_zero_point));
  const T qmin = V::Bytes(static_cast<int8_t>(rq.qmin));
  const T qmax = V::Bytes(static_cast<int8_t>(rq.qmax));
  const int bias_table = kFast ? x86::kBiasOffset : x86::kBias;
  // Byte offset of tap kx's pieces (kKw = 0: computed per use).
  auto tap_offset = [&](int kx) -> size_t {
    const int x = kx * p.dilation_width;
    return (static_cast<size_t>(x % s) * entries + x / s) * kPiece;
  };
  size_t taps[kKw > 0 ? kKw : 1];
  for (int kx = 0; kx < kKw; ++kx) taps[kx] = tap_offset(kx);
  constexpr int kRows = kTwoRows ? 2 : 1;
  constexpr int kGroupsPerTile = kTile / kCols;
  alignas(64) uint8_t results[kRows][kGroupsPerTile][4][64];
  const size_t next_row = static_cast<size_t>(p.output_width) * channels;

  int8_t* out_row = ctx.out_image + static_cast<size_t>(oy) * p.output_width * channels + c0;
  for (int ox0 = ox_begin; ox0 < ox_end; ox0 += kTile) {
    const int ox1 = ox0 + kTile < ox_end ? ox0 + kTile : ox_end;
    const int count = ox1 - ox0;
    const int zmms = (count + kCols - 1) / kCols;
    build_columns(ox0 * s, (count - 1) * s + (kw - 1) * p.dilation_width + 1);
    for (int j = 0; j < 4; ++j) {
      const T bias = P::Broadcast(Row(tables, bias_table, j));
      constexpr int kHeld = kKw * kGroups;
      T w[kHeld > 0 ? kHeld : 1], wl[kTwoRows && kHeld > 0 ? kHeld : 1];
      for (int v = 0; v < kHeld; ++v) w[v] = P::Broadcast(weights + (v * 4 + j) * 64);
      if (kTwoRows) {
        for (int v = 0; v < kHeld; ++v) wl[v] = P::Broadcast(lower + (v * 4 + j) * 64);
      }
      auto weight = [&](int v) { return kHeld > 0 ? w[v] : P::Broadcast(weights + (v * 4 + j) * 64); };
      T t0, t1, t2, t3, t4;
      if (kFast) {
        t0 = P::Broadcast(Row(tables, x86::kTwiceM, j));
        t1 = P::Broadcast(Row(tables, x86::kTwiceMOdd, j));
        t2 = P::Broadcast(Row(tables, x86::kAddendEven, j));
        t3 = P::Broadcast(Row(tables, x86::kAddendOdd, j));
        t4 = P::Broadcast(Row(tables, x86::kRightShift, j));
      } else {
        t0 = P::Broadcast(Row(tables, x86::kMultiplier, j));
        t1 = P::Broadcast(Row(tables, x86::kRemMask, j));
        t2 = P::Broadcast(Row(tables, x86::kRemThreshold, j));
        t3 = P::Broadcast(Row(tables, x86::kRightShift, j));
        t4 = P::Broadcast(Row(tables, x86::kLeftShift, j));
      }
      auto requant = [&](T acc) -> T {
        if (kFast) return RequantFast<V>(acc, t0, t1, t2, t3, t4);
        return RequantGeneral<V>(acc, t0, t1, t2, t3, t4, ctx.left_shift);
      };
      const uint8_t* cols_j = ctx.cols + j * j_bytes;
      // Output columns kCols * z .. kCols * z + kCols - 1 of the tile.
      auto accumulate = [&](int z, T* acc, T* acc_lower) {
        *acc = bias;
        *acc_lower = bias;
        const uint8_t* cz = cols_j + static_cast<size_t>(z) * 64;
        int v = 0;
        for (int kx = 0; kx < kw; ++kx) {
          const uint8_t* ck = cz + (kKw > 0 ? taps[kx] : tap_offset(kx));
          for (int g = 0; g < groups; ++g, ++v) {
            const T x = V::Load(ck + g * group_bytes);
            *acc = V::Dot(*acc, x, weight(v));
            if (kTwoRows) *acc_lower = V::Dot(*acc_lower, x, wl[v]);
          }
        }
      };
      int z = 0;
      for (; z + 2 <= zmms; z += 2) {
        T a0, l0, a1, l1;
        accumulate(z, &a0, &l0);
        accumulate(z + 1, &a1, &l1);
        V::Store(results[0][z][j], requant(a0));
        V::Store(results[0][z + 1][j], requant(a1));
        if (kTwoRows) {
          V::Store(results[kRows - 1][z][j], requant(l0));
          V::Store(results[kRows - 1][z + 1][j], requant(l1));
        }
      }
      if (z < zmms) {
        T a0, l0;
        accumulate(z, &a0, &l0);
        V::Store(results[0][z][j], requant(a0));
        if (kTwoRows) V::Store(results[kRows - 1][z][j], requant(l0));
      }
    }
    for (int r = 0; r < kRows; ++r) {
      int8_t* out = out_row + r * next_row + static_cast<size_t>(ox0) * channels;
      for (int z = 0; z < zmms; ++z) {
        T lo = V::Packs32(V::Load(results[r][z][0]), V::Load(results[r][z][1]));
        T hi = V::Packs32(V::Load(results[r][z][2]), V::Load(results[r][z][3]));
        if (!kFast) {
          lo = V::AddSat16(lo, zero_point);
          hi = V::AddSat16(hi, zero_point);
        }
        typename P::Narrow pieces[kCols];
        P::Split(V::Clamp8(V::Packs16(lo, hi), qmin, qmax), pieces);
        const int n = count - z * kCols < kCols ? count - z * kCols : kCols;
        for (int c = 0; c < n; ++c, out += channels) P::Store(out, mask, full, pieces[c]);
      }
    }
  }
}

template <int kPiece>
RowFn SelectTailRow(int kernel_width, int groups, bool fast) {
  if (kernel_width == 3 && groups == 1) {
    return fast ? TailRow<kPiece, 3, 1, true> : TailRow<kPiece, 3, 1, false>;
  }
  if (kernel_width == 5 && groups == 2) {
    return fast ? TailRow<kPiece, 5, 2, true> : TailRow<kPiece, 5, 2, false>;
  }
  return fast ? TailRow<kPiece, 0, 0, true> : TailRow<kPiece, 0, 0, false>;
}

// Prefetches (to L2) the input of the same column tile for `rows` output
// rows from oy on (a contiguous byte range per input row, NHWC), one output
// row (pair) ahead. Measured on the Zen 4-like bench machine: d (56x56x144)
// about 3% faster, e (112x112x96) unchanged within noise.
void PrefetchRows(const DepthwiseConv2DParams& p, const int8_t* image, int oy, int rows, int ox0,
                  int ox1) {
  const size_t row_bytes = static_cast<size_t>(p.input_width) * p.input_channels;
  int x0 = ox0 * p.stride_width - p.pad_left;
  int x1 = (ox1 - 1) * p.stride_width + (p.kernel_width - 1) * p.dilation_width + 1 - p.pad_left;
  x0 = x0 < 0 ? 0 : x0;
  x1 = x1 > p.input_width ? p.input_width : x1;
  if (x0 >= x1) return;
  const int kh = p.kernel_height + (rows - 1) * p.stride_height;  // input rows to fetch
  for (int ky = 0; ky < kh; ++ky) {
    const int iy = oy * p.stride_height - p.pad_top + ky * (rows > 1 ? 1 : p.dilation_height);
    if (iy < 0 || iy >= p.input_height) continue;
    const int8_t* begin = image + iy * row_bytes + static_cast<size_t>(x0) * p.input_channels;
    const int8_t* end = image + iy * row_bytes + static_cast<size_t>(x1) * p.input_channels;
    for (const int8_t* q = begin; q < end; q += 64) {
      _mm_prefetch(reinterpret_cast<const char*>(q), _MM_HINT_T1);
    }
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
  ctx.cols = zeros + 64;

  const bool fast = header->fast_requant != 0;
  const int channels = p.input_channels;
  const int blocks = (channels + kBlock - 1) / kBlock;
  const int last = channels - (blocks - 1) * kBlock;  // channels of the last block
  // Pairs of output rows for 3x3 kernels with stride and dilation 1 vertically.
  const bool two_rows = p.kernel_height == 3 && p.kernel_width == 3 && p.stride_height == 1 &&
                        p.dilation_height == 1;
  const RowFn pair = fast ? OutputRow<Zmm, 3, 1, true, true> : OutputRow<Zmm, 3, 1, false, true>;
  const RowFn last_pair = last <= 16   ? (fast ? TailRow<16, 3, 1, true, true> : TailRow<16, 3, 1, false, true>)
                          : last <= 32 ? (fast ? TailRow<32, 3, 1, true, true> : TailRow<32, 3, 1, false, true>)
                                       : pair;
  const RowFn row = SelectRow<Zmm>(p.kernel_width, ctx.groups, fast);
  const RowFn last_row = last <= 16   ? SelectTailRow<16>(p.kernel_width, ctx.groups, fast)
                         : last <= 32 ? SelectTailRow<32>(p.kernel_width, ctx.groups, fast)
                                      : row;
  const size_t block_bytes = x86::DepthwiseBlockBytes(p, kLayout);
  const uint8_t* blocks_base = static_cast<const uint8_t*>(packed) + sizeof(x86::DepthwiseHeader);
  for (int n = 0; n < p.batch; ++n) {
    ctx.image = input + static_cast<size_t>(n) * p.input_height * p.input_width * channels;
    ctx.out_image = output + static_cast<size_t>(n) * p.output_height * p.output_width * channels;
    // Column tiles outermost within a row, so all blocks of a tile find its
    // input columns in L1 (three 112x96 input rows alone would fill it).
    for (int oy = 0; oy < p.output_height;) {
      const bool paired = two_rows && oy + 1 < p.output_height;
      const RowFn full_fn = paired ? pair : row;
      const RowFn last_fn = paired ? last_pair : last_row;
      const int next_oy = oy + (paired ? 2 : 1);
      for (int ox0 = 0; ox0 < p.output_width; ox0 += kTile) {
        const int ox1 = ox0 + kTile < p.output_width ? ox0 + kTile : p.output_width;
        if (next_oy < p.output_height) PrefetchRows(p, ctx.image, next_oy, paired ? 2 : 1, ox0, ox1);
        for (int b = 0; b + 1 < blocks; ++b) {
          full_fn(ctx, oy, b, blocks_base + b * block_bytes, ox0, ox1);
        }
        last_fn(ctx, oy, blocks - 1, blocks_base + (blocks - 1) * block_bytes, ox0, ox1);
      }
      oy += paired ? 2 : 1;
    }
  }
}

size_t PackedBytes(const DepthwiseConv2DParams& p) { return x86::DepthwisePackedBytes(p, kLayout); }
void Pack(const DepthwiseConv2DParams& p, const int8_t* filter, const int32_t* bias, void* packed) {
  x86::DepthwisePack(p, kLayout, filter, bias, packed);
}
size_t ScratchBytes(const DepthwiseConv2DParams& p) {
  // The tail's columns (TailRow) follow the zero points like the block's.
  const int groups = x86::DepthwiseGroups(p, kLayout);
  const size_t tail = std::max(TailColumnBytes(p, groups, 16), TailColumnBytes(p, groups, 32));
  return std::max(x86::DepthwiseScratchBytes(p, kLayout), 64 + tail);
}

}  // namespace

const DepthwiseConv2DKernel kQs8Dwconv2dC64Avx512Vnni = {
    "qs8_dwconv2d_c64__avx512vnni", PackedBytes, Pack, ScratchBytes, Run};

}  // namespace octet
