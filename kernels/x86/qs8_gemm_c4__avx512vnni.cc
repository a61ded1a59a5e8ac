// AVX-512 VNNI int8 GEMM with the exact gemmlowp requantization fused into
// the epilogue: tiles of MR rows x (16 * NB) channels, K in groups of 4 (c4).
//
// Theory of operation
// -------------------
// vpdpbusd multiplies unsigned bytes by signed bytes, four per int32 lane.
// Activations are int8, so the kernel flips their top bit (x ^ 0x80 = x + 128
// as u8) right after broadcasting them and accumulates
//     sum_k (x_k + 128) * w_k = sum_k x_k * w_k + 128 * sum_k w_k;
// pack() subtracts 128 * sum_k w_k from the folded bias, so the accumulator is
// exactly the reference's. (Padded taps hold z_in, which becomes z_in + 128.)
// int32 addition wraps, so intermediate sums may wrap as long as the final
// accumulator is in range, which the runtime checks (reference.h).
//
// Packed layout, per 64-byte-aligned panel of NB blocks of 16 channels:
//     bias    [NB][16] int32
//     tables  [NB][kTables][64 bytes]   requantization constants (below)
//     weights [kc4][NB][16 lanes][4 bytes]   w[n][4*kk .. 4*kk+3], zero padded
// The last panel may have fewer blocks; channels past n are zero weights.
//
// Register tile (MR = 8, NB = 2 shown; row r, block j):
//     for each kk:  w0 = W[kk][0] (16 ch x 4 k)   w1 = W[kk][1]
//                   a_r = broadcast(A[r][4kk..4kk+3]) ^ 0x80808080
//                   acc[r][0] += a_r . w0   acc[r][1] += a_r . w1   (vpdpbusd)
//     acc[0][0] acc[0][1]
//     ...                      MR x NB zmm accumulators, then the epilogue
//     acc[7][0] acc[7][1]      requantizes each to 16 int8 in registers.
//
// Epilogues (all bit-exact with RequantizeToInt8, kernels/requant.h):
//
// * Fast (chosen by pack() when every channel has a right shift rs in
//   [1, 31], every accumulator provably in [-2^30, 2^30) and the bound below
//   holds). The bias carries an extra +2^30, so the kernel sees
//   x = acc + 2^30 in [0, 2^31). With c = [acc < 0] and rs >= 1,
//       out = (floor((acc*2M0 + 2^31 + 2^(31+rs) + zp*2^(32+rs)) / 2^32) - c) >> rs
//   because floor((acc*2M0 + 2^31) / 2^32) is SaturatingRoundingDoublingHighMul
//   (h), the 2^(31+rs) and zp*2^(32+rs) terms are 2^(rs-1) and zp*2^rs after
//   the division, and floor((h - [h<0] + 2^(rs-1)) / 2^rs) is
//   RoundingDivideByPOT (ties away from zero). c = [acc<0] may replace [h<0]:
//   acc >= 0 implies h >= 0, and acc < 0 with h = 0 gives 0 either way.
//   In the offset form acc*2M0 = x*2M0 - 2^31*M0, a per-channel constant, and
//   c = 1 - (x >> 30). So with the per-channel 64-bit addend
//       A = 2^31 + 2^(31+rs) + zp*2^(32+rs) - 2^31*M0 - 2^32
//   out = (hi32(x*2M0 + A) + (x >> 30)) >> rs, then saturate and clamp.
//   x*2M0 < 2^63 is one unsigned vpmuludq per 8 lanes (even lanes, and odd
//   lanes after a 32-bit shift); the high dwords merge with one masked
//   vpshufd. The bound pack() checks: the high dword must be an int32,
//       |acc| + 2^(rs-1) + |zp|*2^rs + 2 < 2^31,  |acc| < 2^30,
//   with |acc| <= 128 * sum|w| + |bias| over all int8 inputs.
//   10 vector ops per 16 outputs, two of them multiplies.
//
// * Float (chosen by pack() when the fast one applies and moreover every rs
//   is in [1, 22] and |acc| < 2^24; maths and proof in requant_float.h): the
//   bias has no offset; v = fma(float(acc), S, copysign(1/2 + 2^-(rs+1), acc)),
//   out = trunc(v) + zp, exact unless v is within 2^-14 of an integer. Each
//   column of MR x 16 outputs tracks min |v - rne(v)| and, when some lane is
//   that close (about 0.2% of lanes), is recomputed with the fast epilogue
//   (acc + 2^30). 6 vector ops per 16 outputs (cvtdq2ps, vpternlogd, vfmadd,
//   vcvttps2dq, vreduceps, vrangeps), one of them a multiply; the zero point
//   is added to int16 lanes between the packs (2 per 64 outputs).
//   Measured here: shape a 80 -> 72 us, b 63.5 -> 60.4, f 287 -> 277.
//
// * General (any accumulator, any shift in [-31, 30]): the reference steps in
//   64-bit lanes: x = acc << ls (wrapping), h = (x*M0 + 2^30) >> 31,
//   r = (h - [h<0 and rs>0] + half) >> rs, clamp(r + zp).
#include "kernels/x86/qs8_gemm_c4__avx512vnni.h"

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "kernels/x86/requant_float__avx512vnni.h"

// GCC 12 warns about its own _mm512_undefined_epi32() (a deliberate
// self-initialization inside the non-masked AVX-512 intrinsics) once they
// are inlined here; the warning is a known false positive.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace octet {
namespace avx512vnni {
namespace {

enum class Epilogue { kFast, kGeneral, kFloat };

constexpr int kTables = 9;  // 64-byte table rows per block of 16 channels
constexpr size_t kBlockTableBytes = kTables * 64;

// Fast epilogue table rows; the float epilogue adds S and K (requant_float.h)
// and falls back to the fast rows.
enum FastRow { kM2Even, kM2Odd, kAddEven, kAddOdd, kRightShift, kFloatScale, kFloatOffset };
// General epilogue table rows.
enum GeneralRow { kLeftShift, kM0Even, kM0Odd, kNegEven, kNegOdd, kHalfEven, kHalfOdd, kRsEven,
                  kRsOdd };

struct alignas(64) Header {
  int32_t n, k, kc4, nb, mr, epilogue, num_panels, reserved;  // epilogue: kEpilogue*
  int64_t panel_bytes;  // of a full panel (NB blocks)
};
static_assert(sizeof(Header) == 64, "header is one cache line");
constexpr int32_t kEpilogueGeneral = 0, kEpilogueFast = 1, kEpilogueFloat = 2;

size_t PanelBytes(int nb, int kc4) {
  return static_cast<size_t>(nb) * 64 * (1 + kTables) + static_cast<size_t>(kc4) * nb * 64;
}

struct TileArgs {
  const int8_t* a;
  size_t a_stride;
  int kc4;                       // k groups per tap
  int taps;                      // A row segments: a + tap_offsets[t], kc4 groups each
  const ptrdiff_t* tap_offsets;
  const uint8_t* panel;
  int8_t* c;
  size_t c_stride;
  __mmask16 last_mask;  // valid lanes of the last block
  bool clamp;           // [qmin, qmax] narrower than [-128, 127]
  bool full_last;       // the last block has 16 valid lanes
  __m128i qmin, qmax;   // 16 x int8
  __m512i zp64, qmin64, qmax64;  // general epilogue
  __m512i zp16, zp32;            // float epilogue: the zero point as int16 and int32 lanes
};

using TileFn = void (*)(const TileArgs&);

inline __m512i Row(const uint8_t* tables, int row) {
  return _mm512_load_si512(tables + row * 64);
}

// A block's fast-epilogue constants, loaded once per tile column (in
// registers for all MR rows: table loads would otherwise outnumber the
// arithmetic on short-K shapes).
struct FastConstants {
  __m512i m2_even, m2_odd, add_even, add_odd, right_shift;
  explicit FastConstants(const uint8_t* t)
      : m2_even(Row(t, kM2Even)), m2_odd(Row(t, kM2Odd)), add_even(Row(t, kAddEven)),
        add_odd(Row(t, kAddOdd)), right_shift(Row(t, kRightShift)) {}
};

// 16 accumulators (offset by 2^30) -> 16 int8, fast exact epilogue.
inline __m128i RequantFast(__m512i x, const FastConstants& k, const TileArgs& args) {
  const __m512i even = _mm512_add_epi64(_mm512_mul_epu32(x, k.m2_even), k.add_even);
  const __m512i odd =
      _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(x, 32), k.m2_odd), k.add_odd);
  // High dwords: odd lanes already sit in odd dword positions; move even ones.
  __m512i hi = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB);
  hi = _mm512_add_epi32(hi, _mm512_srli_epi32(x, 30));
  hi = _mm512_srav_epi32(hi, k.right_shift);
  __m128i q = _mm512_cvtsepi32_epi8(hi);  // saturates to [-128, 127]
  if (args.clamp) q = _mm_min_epi8(_mm_max_epi8(q, args.qmin), args.qmax);
  return q;
}

// The same up to the int32 result (before narrowing).
inline __m512i RequantFast32(__m512i x, const FastConstants& k) {
  const __m512i even = _mm512_add_epi64(_mm512_mul_epu32(x, k.m2_even), k.add_even);
  const __m512i odd =
      _mm512_add_epi64(_mm512_mul_epu32(_mm512_srli_epi64(x, 32), k.m2_odd), k.add_odd);
  __m512i hi = _mm512_mask_shuffle_epi32(odd, 0x5555, even, _MM_PERM_CDAB);
  hi = _mm512_add_epi32(hi, _mm512_srli_epi32(x, 30));
  return _mm512_srav_epi32(hi, k.right_shift);
}

// Four rows of 16 int32 -> 4 x 16 int8 with saturating packs (3 ops and a
// permute per 64 outputs instead of 4 narrowing moves). After the packs,
// 128-bit lane L holds dwords [r0_L, r1_L, r2_L, r3_L]; vpermd puts each
// row's four dwords together:
//     out = [r0_0 r0_1 r0_2 r0_3 | r1_0 .. r1_3 | r2_0 .. | r3_0 ..]
inline __m512i Narrow4(__m512i r0, __m512i r1, __m512i r2, __m512i r3) {
  const __m512i w01 = _mm512_packs_epi32(r0, r1);
  const __m512i w23 = _mm512_packs_epi32(r2, r3);
  const __m512i b = _mm512_packs_epi16(w01, w23);
  const __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_epi32(idx, b);
}

// Narrow4 for the float epilogue: the zero point is added (saturating) to
// the int16 lanes, before the second pack.
inline __m512i Narrow4Zp(__m512i r0, __m512i r1, __m512i r2, __m512i r3, __m512i zp16) {
  const __m512i w01 = _mm512_adds_epi16(_mm512_packs_epi32(r0, r1), zp16);
  const __m512i w23 = _mm512_adds_epi16(_mm512_packs_epi32(r2, r3), zp16);
  const __m512i b = _mm512_packs_epi16(w01, w23);
  const __m512i idx = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  return _mm512_permutexvar_epi32(idx, b);
}

// 16 accumulators -> 16 int8, general exact epilogue (64-bit lanes).
inline __m512i RequantGeneralHalf(__m512i x, const uint8_t* t, int m0, int neg, int half, int rs,
                                  const TileArgs& args) {
  __m512i v = _mm512_mul_epi32(x, Row(t, m0));
  v = _mm512_srai_epi64(_mm512_add_epi64(v, _mm512_set1_epi64(int64_t{1} << 30)), 31);
  v = _mm512_add_epi64(v, _mm512_and_si512(_mm512_srai_epi64(v, 63), Row(t, neg)));
  v = _mm512_srav_epi64(_mm512_add_epi64(v, Row(t, half)), Row(t, rs));
  v = _mm512_add_epi64(v, args.zp64);
  return _mm512_min_epi64(_mm512_max_epi64(v, args.qmin64), args.qmax64);
}

inline __m128i RequantGeneral(__m512i acc, const uint8_t* t, const TileArgs& args) {
  const __m512i x = _mm512_sllv_epi32(acc, Row(t, kLeftShift));
  const __m512i even = RequantGeneralHalf(x, t, kM0Even, kNegEven, kHalfEven, kRsEven, args);
  const __m512i odd =
      RequantGeneralHalf(_mm512_srli_epi64(x, 32), t, kM0Odd, kNegOdd, kHalfOdd, kRsOdd, args);
  const __m512i merged = _mm512_mask_shuffle_epi32(even, 0xAAAA, odd, _MM_PERM_CDAB);
  return _mm512_cvtepi32_epi8(merged);
}

// The float epilogue's fallback: `rows` accumulators (stride `stride`
// vectors) of one block requantized again with the fast exact epilogue
// (whose conditions pack() also checked) and stored over the float results.
__attribute__((noinline, cold)) void FloatFallback(const __m512i* acc, int stride, int rows,
                                                   const uint8_t* t, const TileArgs& args,
                                                   int8_t* c, bool masked) {
  x86::CountFloatRequantFallback();
  const FastConstants k(t);
  const __m512i offset = _mm512_set1_epi32(1 << 30);
  for (int r = 0; r < rows; ++r, c += args.c_stride) {
    const __m128i q = RequantFast(_mm512_add_epi32(acc[r * stride], offset), k, args);
    if (masked) {
      _mm_mask_storeu_epi8(c, args.last_mask, q);
    } else {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(c), q);
    }
  }
}

// The k loop, in its own function: with the epilogue in the same function
// GCC 12 spills accumulators inside the loop; alone, all of them stay in
// registers. The result goes to `out` (one store per accumulator per tile).
template <int MR, int NB, bool kTaps>
__attribute__((noinline)) void Accumulate(const TileArgs& args, __m512i (*out)[NB]) {
  const uint8_t* panel = args.panel;
  __m512i acc[MR][NB];
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    const __m512i b = _mm512_load_si512(panel + j * 64);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) acc[r][j] = b;
  }
  const uint8_t* w = panel + static_cast<size_t>(NB) * 64 * (1 + kTables);
  const size_t s = args.a_stride;
  const __m512i flip = _mm512_set1_epi32(static_cast<int32_t>(0x80808080u));
  // Without taps the loop below runs once (a separate instantiation: the
  // outer loop costs 15% on short-K shapes).
  const int taps = kTaps ? args.taps : 1;
  for (int tap = 0; tap < taps; ++tap) {
  const int8_t* a = kTaps ? args.a + args.tap_offsets[tap] : args.a;
  for (int kk = args.kc4; kk != 0; --kk) {
    __m512i wv[NB];
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) wv[j] = _mm512_load_si512(w + j * 64);
#pragma GCC unroll 16
    for (int r = 0; r < MR; ++r) {
      int32_t bits;
      std::memcpy(&bits, a + r * s, 4);
      const __m512i av = _mm512_xor_si512(_mm512_set1_epi32(bits), flip);
#pragma GCC unroll 4
      for (int j = 0; j < NB; ++j) acc[r][j] = _mm512_dpbusd_epi32(acc[r][j], av, wv[j]);
    }
    a += 4;
    w += NB * 64;
  }
  }
#pragma GCC unroll 16
  for (int r = 0; r < MR; ++r) {
#pragma GCC unroll 4
    for (int j = 0; j < NB; ++j) out[r][j] = acc[r][j];
  }
}

template <int MR, int NB, Epilogue E, bool kTaps>
void Tile(const TileArgs& args) {
  const uint8_t* panel = args.panel;
  __m512i acc[MR][NB];
  Accumulate<MR, NB, kTaps>(args, acc);
  const uint8_t* tables = panel + NB * 64;
  // Column by column, so that each block's constants are loaded once.
#pragma GCC unroll 4
  for (int j = 0; j < NB; ++j) {
    const uint8_t* t = tables + j * kBlockTableBytes;
    const bool masked = j == NB - 1 && !args.full_last;
    auto store = [&](int r, __m128i q) {
      int8_t* c = args.c + r * args.c_stride + 16 * j;
      if (masked) {
        _mm_mask_storeu_epi8(c, args.last_mask, q);
      } else {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(c), q);
      }
    };
    if (E == Epilogue::kFloat) {
      const __m512 scale = _mm512_load_ps(reinterpret_cast<const float*>(t + kFloatScale * 64));
      const __m512 offset = _mm512_load_ps(reinterpret_cast<const float*>(t + kFloatOffset * 64));
      __m512 near = FloatNearInit<FloatZmm>();
      int r = 0;
#pragma GCC unroll 4
      for (; r + 4 <= MR; r += 4) {
        const __m512i q0 = RequantFloat<FloatZmm>(acc[r][j], scale, offset, &near);
        const __m512i q1 = RequantFloat<FloatZmm>(acc[r + 1][j], scale, offset, &near);
        const __m512i q2 = RequantFloat<FloatZmm>(acc[r + 2][j], scale, offset, &near);
        const __m512i q3 = RequantFloat<FloatZmm>(acc[r + 3][j], scale, offset, &near);
        __m512i q4 = Narrow4Zp(q0, q1, q2, q3, args.zp16);
        if (args.clamp) {
          q4 = _mm512_min_epi8(_mm512_max_epi8(q4, _mm512_broadcast_i32x4(args.qmin)),
                               _mm512_broadcast_i32x4(args.qmax));
        }
        store(r, _mm512_castsi512_si128(q4));
        store(r + 1, _mm512_extracti32x4_epi32(q4, 1));
        store(r + 2, _mm512_extracti32x4_epi32(q4, 2));
        store(r + 3, _mm512_extracti32x4_epi32(q4, 3));
      }
#pragma GCC unroll 4
      for (; r < MR; ++r) {
        const __m512i q32 = _mm512_add_epi32(
            RequantFloat<FloatZmm>(acc[r][j], scale, offset, &near), args.zp32);
        __m128i q = _mm512_cvtsepi32_epi8(q32);
        if (args.clamp) q = _mm_min_epi8(_mm_max_epi8(q, args.qmin), args.qmax);
        store(r, q);
      }
      // Rare (about 0.2% of lanes): some lane of this column came within the
      // margin of a rounding boundary; redo the column exactly.
      if (FloatNeedsFallback<FloatZmm>(near)) {
        FloatFallback(&acc[0][j], NB, MR, t, args, args.c + 16 * j, masked);
      }
      continue;
    }
    const FastConstants k(t);
    int r0 = 0;
    if (E == Epilogue::kFast) {
#pragma GCC unroll 4
      for (; r0 + 4 <= MR; r0 += 4) {
        __m512i q4 = Narrow4(RequantFast32(acc[r0][j], k), RequantFast32(acc[r0 + 1][j], k),
                             RequantFast32(acc[r0 + 2][j], k), RequantFast32(acc[r0 + 3][j], k));
        if (args.clamp) {
          q4 = _mm512_min_epi8(_mm512_max_epi8(q4, _mm512_broadcast_i32x4(args.qmin)),
                               _mm512_broadcast_i32x4(args.qmax));
        }
        store(r0, _mm512_castsi512_si128(q4));
        store(r0 + 1, _mm512_extracti32x4_epi32(q4, 1));
        store(r0 + 2, _mm512_extracti32x4_epi32(q4, 2));
        store(r0 + 3, _mm512_extracti32x4_epi32(q4, 3));
      }
    }
#pragma GCC unroll 16
    for (int r = r0; r < MR; ++r) {
      store(r, E == Epilogue::kFast ? RequantFast(acc[r][j], k, args)
                                    : RequantGeneral(acc[r][j], t, args));
    }
  }
}

// Tile tables: [nb - 1][mr - 1].
constexpr int kMaxMr = 12;  // for NB <= 2; 8 for NB 3 and 4
constexpr int kMaxMrGeneral = 4;
constexpr size_t kPanelOuterBytes = 256 * 1024;

template <Epilogue E, bool kTaps, int NB, size_t... I>
constexpr std::array<TileFn, kMaxMr> MakeRow(std::index_sequence<I...>) {
  return {{&Tile<static_cast<int>(I) + 1, NB, E, kTaps>...}};
}

template <Epilogue E, bool kTaps = false>
struct TileTable {
  static constexpr int kMr1 = E == Epilogue::kGeneral ? kMaxMrGeneral : kMaxMr;
  static constexpr int kMr3 = E == Epilogue::kGeneral ? kMaxMrGeneral : 8;
  const std::array<TileFn, kMaxMr> rows[4] = {
      MakeRow<E, kTaps, 1>(std::make_index_sequence<kMr1>()),
      MakeRow<E, kTaps, 2>(std::make_index_sequence<kMr1>()),
      MakeRow<E, kTaps, 3>(std::make_index_sequence<kMr3>()),
      MakeRow<E, kTaps, 4>(std::make_index_sequence<kMr3>()),
  };
};

const TileTable<Epilogue::kFast> kFastTiles;
const TileTable<Epilogue::kGeneral> kGeneralTiles;
const TileTable<Epilogue::kFloat> kFloatTiles;
const TileTable<Epilogue::kFast, true> kFastTapTiles;
const TileTable<Epilogue::kGeneral, true> kGeneralTapTiles;
const TileTable<Epilogue::kFloat, true> kFloatTapTiles;

struct Tiling {
  int nb, mr;
};

// Tile choice: as many accumulators as the 32 zmm registers allow (MR*NB
// of 24 or so, plus NB weight and one or two broadcast registers), blocks
// per panel dividing the channel blocks where possible.
Tiling ChooseTiling(int n) {
  const int blocks = (n + 15) / 16;
  int nb;
  if (blocks <= 4) {
    nb = blocks;
  } else if (blocks % 4 == 0) {
    nb = 4;
  } else if (blocks % 3 == 0) {
    nb = 3;
  } else {
    nb = 4;
  }
  // Measured on shapes b, f, h (MR x NB): 8x3 beats 6x3, 4x3, 12x2, 12x1
  // for 144 channels; 6x4 ~ 8x3 > 8x2 > 12x2 > 4x4 for 64 and 1024.
  const int mr = nb <= 2 ? 12 : (nb == 3 ? 8 : 6);
  return {nb, mr};
}

const ptrdiff_t kNoTapOffset[1] = {0};

void Run(const Header& h, int mr_max, const std::array<TileFn, kMaxMr>* tiles, int m, const int8_t* a, size_t a_stride, int8_t* c, size_t c_stride,
         int32_t output_zero_point, int32_t qmin, int32_t qmax, int taps = 1,
         const ptrdiff_t* tap_offsets = kNoTapOffset) {
  TileArgs args;
  args.a_stride = a_stride;
  args.kc4 = h.kc4 / taps;
  args.taps = taps;
  args.tap_offsets = tap_offsets;
  args.c_stride = c_stride;
  args.clamp = qmin > -128 || qmax < 127;
  args.qmin = _mm_set1_epi8(static_cast<char>(qmin));
  args.qmax = _mm_set1_epi8(static_cast<char>(qmax));
  args.zp64 = _mm512_set1_epi64(output_zero_point);
  args.qmin64 = _mm512_set1_epi64(qmin);
  args.qmax64 = _mm512_set1_epi64(qmax);
  args.zp16 = _mm512_set1_epi16(static_cast<int16_t>(output_zero_point));
  args.zp32 = _mm512_set1_epi32(output_zero_point);
  const uint8_t* panels = reinterpret_cast<const uint8_t*>(&h) + sizeof(Header);
  const int blocks = (h.n + 15) / 16;
  const int tail_lanes = h.n - (blocks - 1) * 16;
  const __mmask16 tail_mask = static_cast<__mmask16>((1u << tail_lanes) - 1);
  auto tile = [&](int m0, int p) {
    const int mr = std::min(mr_max, m - m0);
    const int nb = std::min(h.nb, blocks - p * h.nb);
    args.a = a + static_cast<size_t>(m0) * a_stride;
    args.panel = panels + static_cast<size_t>(p) * h.panel_bytes;
    args.c = c + static_cast<size_t>(m0) * c_stride + static_cast<size_t>(p) * h.nb * 16;
    args.last_mask = p == h.num_panels - 1 ? tail_mask : static_cast<__mmask16>(0xFFFF);
    args.full_last = args.last_mask == 0xFFFF;
    tiles[nb - 1][mr - 1](args);
  };
  // Weights that do not fit in L2 with room to spare would be streamed from
  // L3 once per row tile: then keep one panel hot and sweep the rows under it
  // (the A rows, read 4 bytes at a time, stream well). Otherwise sweep the
  // panels under one row tile, whose A rows stay in L1.
  const size_t weight_bytes = static_cast<size_t>(h.panel_bytes) * h.num_panels;
  if (weight_bytes > kPanelOuterBytes && m > mr_max) {
    for (int p = 0; p < h.num_panels; ++p) {
      for (int m0 = 0; m0 < m; m0 += mr_max) tile(m0, p);
    }
  } else {
    for (int m0 = 0; m0 < m; m0 += mr_max) {
      for (int p = 0; p < h.num_panels; ++p) tile(m0, p);
    }
  }
}

}  // namespace

size_t GemmPackedBytes(const GemmShape& shape) {
  const Tiling t = ChooseTiling(shape.n);
  const int kc4 = (shape.k + 3) / 4;
  const int blocks = (shape.n + 15) / 16;
  const int full = blocks / t.nb, rest = blocks % t.nb;
  return sizeof(Header) + full * PanelBytes(t.nb, kc4) + (rest ? PanelBytes(rest, kc4) : 0);
}

void GemmPack(const GemmShape& shape, const int8_t* w, const int32_t* bias,
              const int32_t* multiplier, const int32_t* shift, int32_t zp, void* packed) {
  const int n = shape.n, k = shape.k, kc4 = (k + 3) / 4;
  const Tiling t = ChooseTiling(n);
  const int blocks = (n + 15) / 16;

  // Weight sums (for the u8 correction) and the accumulator bound, per
  // channel; recomputed while packing rather than stored (no allocation).
  auto weight_sum = [&](int ch) {
    int64_t sum = 0;
    for (int i = 0; i < k; ++i) sum += w[static_cast<size_t>(ch) * k + i];
    return sum;
  };
  bool fast = true;
  bool use_float = true;
  for (int ch = 0; ch < n; ++ch) {
    int64_t abs_sum = 0;
    for (int i = 0; i < k; ++i) {
      const int64_t v = w[static_cast<size_t>(ch) * k + i];
      abs_sum += v < 0 ? -v : v;
    }
    // Every int8 input x has |x| <= 128, so |acc| <= 128 * sum|w| + |bias|.
    const int64_t bound = 128 * abs_sum + std::llabs(static_cast<int64_t>(bias[ch]));
    const int rs = -shift[ch];
    const int64_t zp_abs = zp < 0 ? -int64_t{zp} : int64_t{zp};
    if (rs < 1 || rs > 31 || multiplier[ch] <= 0 || bound >= (int64_t{1} << 30) ||
        bound + (int64_t{1} << (rs - 1)) + (zp_abs << rs) + 2 >= (int64_t{1} << 31)) {
      fast = false;
    }
    if (!x86::FloatRequantApplies(multiplier[ch], shift[ch], bound)) use_float = false;
  }
  use_float = use_float && fast;  // its fallback is the fast epilogue

  Header* h = static_cast<Header*>(packed);
  std::memset(h, 0, sizeof(Header));
  h->n = n;
  h->k = k;
  h->kc4 = kc4;
  h->nb = t.nb;
  h->mr = t.mr;
  h->epilogue = use_float ? kEpilogueFloat : fast ? kEpilogueFast : kEpilogueGeneral;
  h->num_panels = (blocks + t.nb - 1) / t.nb;
  h->panel_bytes = static_cast<int64_t>(PanelBytes(t.nb, kc4));

  uint8_t* panel = static_cast<uint8_t*>(packed) + sizeof(Header);
  for (int p = 0; p < h->num_panels; ++p, panel += h->panel_bytes) {
    const int nb = std::min(t.nb, blocks - p * t.nb);
    int32_t* pb = reinterpret_cast<int32_t*>(panel);
    uint8_t* tables = panel + nb * 64;
    int8_t* pw = reinterpret_cast<int8_t*>(tables + nb * kBlockTableBytes);
    std::memset(tables, 0, nb * kBlockTableBytes);
    for (int j = 0; j < nb; ++j) {
      uint8_t* tb = tables + j * kBlockTableBytes;
      auto dw = [&](int row, int lane) { return reinterpret_cast<int32_t*>(tb + row * 64) + lane; };
      auto qw = [&](int row, int lane) { return reinterpret_cast<int64_t*>(tb + row * 64) + lane; };
      for (int l = 0; l < 16; ++l) {
        const int ch = (p * t.nb + j) * 16 + l;
        if (ch >= n) {
          pb[j * 16 + l] = 0;
          continue;
        }
        // Bias for u8 activations, plus the 2^30 offset of the fast epilogue
        // (the float one takes the plain accumulator and adds the offset only
        // when it falls back); int32 wraparound is harmless (the final
        // accumulator is in range).
        const int64_t b = int64_t{bias[ch]} - 128 * weight_sum(ch) +
                          (fast && !use_float ? (int64_t{1} << 30) : 0);
        pb[j * 16 + l] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(b)));
        const int64_t m0 = multiplier[ch];
        const int sh = shift[ch];
        const int even = l % 2 == 0, lane64 = l / 2;
        if (fast) {
          const int rs = -sh;
          *reinterpret_cast<uint32_t*>(qw(even ? kM2Even : kM2Odd, lane64)) =
              static_cast<uint32_t>(2 * m0);
          *qw(even ? kAddEven : kAddOdd, lane64) = (int64_t{1} << 31) + (int64_t{1} << (31 + rs)) +
                                                   int64_t{zp} * (int64_t{1} << (32 + rs)) -
                                                   (m0 << 31) - (int64_t{1} << 32);
          *dw(kRightShift, l) = rs;
          if (use_float) {
            reinterpret_cast<float*>(tb + kFloatScale * 64)[l] =
                x86::FloatRequantScale(multiplier[ch], sh);
            reinterpret_cast<float*>(tb + kFloatOffset * 64)[l] = x86::FloatRequantOffset(sh);
          }
        } else {
          const int ls = sh > 0 ? sh : 0, rs = sh > 0 ? 0 : -sh;
          *dw(kLeftShift, l) = ls;
          *qw(even ? kM0Even : kM0Odd, lane64) = m0;
          *qw(even ? kNegEven : kNegOdd, lane64) = rs > 0 ? -1 : 0;
          *qw(even ? kHalfEven : kHalfOdd, lane64) = rs > 0 ? (int64_t{1} << (rs - 1)) : 0;
          *qw(even ? kRsEven : kRsOdd, lane64) = rs;
        }
      }
    }
    for (int kk = 0; kk < kc4; ++kk) {
      for (int j = 0; j < nb; ++j) {
        for (int l = 0; l < 16; ++l) {
          const int ch = (p * t.nb + j) * 16 + l;
          for (int b = 0; b < 4; ++b) {
            const int i = 4 * kk + b;
            *pw++ = (ch < n && i < k) ? w[static_cast<size_t>(ch) * k + i] : 0;
          }
        }
      }
    }
  }
}

bool GemmUsesFastEpilogue(const void* packed) {
  return static_cast<const Header*>(packed)->epilogue != kEpilogueGeneral;
}

bool GemmUsesFloatEpilogue(const void* packed) {
  return static_cast<const Header*>(packed)->epilogue == kEpilogueFloat;
}

void Gemm(const void* packed, int m, const int8_t* a, size_t a_stride, int8_t* c,
          size_t c_stride, int32_t output_zero_point, int32_t qmin, int32_t qmax) {
  const Header& h = *static_cast<const Header*>(packed);
  if (h.epilogue == kEpilogueFloat) {
    Run(h, h.mr, kFloatTiles.rows, m, a, a_stride, c, c_stride, output_zero_point, qmin, qmax);
  } else if (h.epilogue == kEpilogueFast) {
    Run(h, h.mr, kFastTiles.rows, m, a, a_stride, c, c_stride, output_zero_point, qmin, qmax);
  } else {
    Run(h, std::min(h.mr, kMaxMrGeneral), kGeneralTiles.rows, m, a, a_stride, c, c_stride,
        output_zero_point, qmin, qmax);
  }
}

void GemmTaps(const void* packed, int m, const int8_t* a, size_t a_stride,
              const ptrdiff_t* tap_offsets, int taps, int8_t* c, size_t c_stride,
              int32_t output_zero_point, int32_t qmin, int32_t qmax) {
  const Header& h = *static_cast<const Header*>(packed);
  if (h.epilogue == kEpilogueFloat) {
    Run(h, h.mr, kFloatTapTiles.rows, m, a, a_stride, c, c_stride, output_zero_point, qmin, qmax,
        taps, tap_offsets);
  } else if (h.epilogue == kEpilogueFast) {
    Run(h, h.mr, kFastTapTiles.rows, m, a, a_stride, c, c_stride, output_zero_point, qmin, qmax,
        taps, tap_offsets);
  } else {
    Run(h, std::min(h.mr, kMaxMrGeneral), kGeneralTapTiles.rows, m, a, a_stride, c, c_stride,
        output_zero_point, qmin, qmax, taps, tap_offsets);
  }
}

}  // namespace avx512vnni
}  // namespace octet
