// int8 GEMM micro-kernel, up to 6 rows x 8 channels, k-pairs with pmaddwd,
// exact gemmlowp requantization in the epilogue (SSE4.1; -msse4.1).
#include <smmintrin.h>

#include <cstring>

#include "kernels/x86/qs8_gemm.h"

namespace octet {
namespace {

using Block = RequantBlock<8>;

inline __m128i Load(const int32_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline __m128i Load(const int64_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }

// The int32 holding the int16 pair (row[2p], row[2p+1]); memcpy keeps the
// int16 buffer free of aliasing questions and compiles to one load.
inline int32_t Pair(const int16_t* row, size_t p) {
  int32_t pair;
  std::memcpy(&pair, row + 2 * p, sizeof(pair));
  return pair;
}

// floor((x * m + nudge) / 2^31) per int32 lane (m, nudge per lane pair as in
// the AVX2 kernel): pmuldq on even lanes -> bits 31..62 to the low dword
// (>> 31); odd lanes moved down (>> 32) -> bits 31..62 to the high dword (<< 1).
inline __m128i HighMul(__m128i x, __m128i m, __m128i m_odd, __m128i nudge_e, __m128i nudge_o) {
  const __m128i pe = _mm_add_epi64(_mm_mul_epi32(x, m), nudge_e);
  const __m128i po = _mm_add_epi64(_mm_mul_epi32(_mm_srli_epi64(x, 32), m_odd), nudge_o);
  return _mm_blend_epi16(_mm_srli_epi64(pe, 31), _mm_slli_epi64(po, 1), 0xCC);
}

// SSE4.1 has no per-lane shifts: x >> e (arithmetic, e in [1, 31]) is
// floor(x * 2^(31-e) / 2^31), i.e. HighMul without nudge by pow = 2^(31-e).
inline __m128i ShiftRight(__m128i x, const Block& q, int v) {
  const __m128i zero = _mm_setzero_si128();
  return HighMul(x, Load(q.pow_right + 4 * v), Load(q.pow_right_odd + 4 * v), zero, zero);
}

// Fast path (qs8_gemm_driver.h): r = (h + 2^(e-1) - [x < 0]) >> e, e >= 1.
inline __m128i RequantFast(__m128i x, const Block& q, int v) {
  const __m128i h = HighMul(x, Load(q.mul + 4 * v), Load(q.mul_odd + 4 * v),
                            Load(q.nudge_even + 2 * v), Load(q.nudge_odd + 2 * v));
  return ShiftRight(_mm_add_epi32(h, _mm_srai_epi32(x, 31)), q, v);
}

// General path: any accumulator, shift in [-31, 30]; the left shift is a
// wrapping multiply by 2^ls, and e = 0 lanes keep h (2^31 is no int32).
inline __m128i RequantGeneral(__m128i acc, const Block& q, int v) {
  const __m128i x = _mm_mullo_epi32(acc, Load(q.pow_left + 4 * v));
  const __m128i nudge = _mm_set1_epi64x(int64_t{1} << 30);
  const __m128i h = HighMul(x, Load(q.mul + 4 * v), Load(q.mul_odd + 4 * v), nudge, nudge);
  const __m128i threshold = _mm_sub_epi32(Load(q.half + 4 * v), _mm_srai_epi32(h, 31));
  const __m128i round_up = _mm_cmpgt_epi32(_mm_and_si128(h, Load(q.mask + 4 * v)), threshold);
  const __m128i shifted = _mm_blendv_epi8(ShiftRight(h, q, v), h, Load(q.is_e0 + 4 * v));
  return _mm_sub_epi32(shifted, round_up);
}

inline void StoreRow(int8_t* c, __m128i v, int nr) {
  if (nr == 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(c), v);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), v);
    std::memcpy(c, tmp, nr);
  }
}

// Inner loop, one k-pair p, per row r (12 accumulators, 2 weights, 1 broadcast):
//   a    = [A[r,2p] A[r,2p+1]] x 4            int16 pairs broadcast
//   w0   = [(B[2p,n] B[2p+1,n]) n = 0..3]     int16 pairs, packed
//   w1   = [(B[2p,n] B[2p+1,n]) n = 4..7]
//   acc[r][j] += pmaddwd(a, wj)
template <int MR>
void Tile(int nr, size_t kc, const int16_t* a, size_t a_stride, const void* tile, int8_t* c,
          size_t c_stride, const GemmEpilogue& ep) {
  const uint8_t* t = static_cast<const uint8_t*>(tile);
  const int32_t* bias = reinterpret_cast<const int32_t*>(t);
  const Block& q = *reinterpret_cast<const Block*>(t + 8 * sizeof(int32_t));
  const int16_t* w = reinterpret_cast<const int16_t*>(t + 8 * sizeof(int32_t) + sizeof(Block));

  // Named accumulators (not an array) so that GCC keeps all of them in
  // registers; rows past MR duplicate row 0's pointer and are dead code.
  const int16_t* a0 = a;
  const int16_t* a1 = MR > 1 ? a + 1 * a_stride : a0;
  const int16_t* a2 = MR > 2 ? a + 2 * a_stride : a0;
  const int16_t* a3 = MR > 3 ? a + 3 * a_stride : a0;
  const int16_t* a4 = MR > 4 ? a + 4 * a_stride : a0;
  const int16_t* a5 = MR > 5 ? a + 5 * a_stride : a0;
  __m128i c0a = Load(bias), c0b = Load(bias + 4);
  __m128i c1a = c0a, c1b = c0b, c2a = c0a, c2b = c0b, c3a = c0a, c3b = c0b, c4a = c0a, c4b = c0b,
      c5a = c0a, c5b = c0b;
  for (size_t p = 0; p < kc; ++p) {
    const __m128i w0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w));
    const __m128i w1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 8));
    w += 16;
    {
      const __m128i v0 = _mm_set1_epi32(Pair(a0, p));
      c0a = _mm_add_epi32(c0a, _mm_madd_epi16(v0, w0));
      c0b = _mm_add_epi32(c0b, _mm_madd_epi16(v0, w1));
    }
    if (MR > 1) {
      const __m128i v1 = _mm_set1_epi32(Pair(a1, p));
      c1a = _mm_add_epi32(c1a, _mm_madd_epi16(v1, w0));
      c1b = _mm_add_epi32(c1b, _mm_madd_epi16(v1, w1));
    }
    if (MR > 2) {
      const __m128i v2 = _mm_set1_epi32(Pair(a2, p));
      c2a = _mm_add_epi32(c2a, _mm_madd_epi16(v2, w0));
      c2b = _mm_add_epi32(c2b, _mm_madd_epi16(v2, w1));
    }
    if (MR > 3) {
      const __m128i v3 = _mm_set1_epi32(Pair(a3, p));
      c3a = _mm_add_epi32(c3a, _mm_madd_epi16(v3, w0));
      c3b = _mm_add_epi32(c3b, _mm_madd_epi16(v3, w1));
    }
    if (MR > 4) {
      const __m128i v4 = _mm_set1_epi32(Pair(a4, p));
      c4a = _mm_add_epi32(c4a, _mm_madd_epi16(v4, w0));
      c4b = _mm_add_epi32(c4b, _mm_madd_epi16(v4, w1));
    }
    if (MR > 5) {
      const __m128i v5 = _mm_set1_epi32(Pair(a5, p));
      c5a = _mm_add_epi32(c5a, _mm_madd_epi16(v5, w0));
      c5b = _mm_add_epi32(c5b, _mm_madd_epi16(v5, w1));
    }
  }
  __m128i acc[6][2] = {{c0a, c0b}, {c1a, c1b}, {c2a, c2b}, {c3a, c3b}, {c4a, c4b}, {c5a, c5b}};

  if (ep.fast) {
    for (int r = 0; r < MR; ++r) {
      acc[r][0] = RequantFast(acc[r][0], q, 0);
      acc[r][1] = RequantFast(acc[r][1], q, 1);
    }
  } else {
    for (int r = 0; r < MR; ++r) {
      acc[r][0] = RequantGeneral(acc[r][0], q, 0);
      acc[r][1] = RequantGeneral(acc[r][1], q, 1);
    }
  }
  // Row r: packs_epi32 -> 8 int16 in channel order, + z_out (saturating);
  // two rows -> packs_epi16 -> [row r | row r+1] int8, then the clamp.
  const __m128i zp = _mm_set1_epi16(static_cast<int16_t>(ep.output_zero_point));
  const __m128i qmin = _mm_set1_epi8(static_cast<int8_t>(ep.qmin));
  const __m128i qmax = _mm_set1_epi8(static_cast<int8_t>(ep.qmax));
  for (int r = 0; r < MR; r += 2) {
    const int r1 = r + 1 < MR ? r + 1 : r;
    const __m128i s0 = _mm_adds_epi16(_mm_packs_epi32(acc[r][0], acc[r][1]), zp);
    const __m128i s1 = _mm_adds_epi16(_mm_packs_epi32(acc[r1][0], acc[r1][1]), zp);
    const __m128i b = _mm_min_epi8(_mm_max_epi8(_mm_packs_epi16(s0, s1), qmin), qmax);
    StoreRow(c + r * c_stride, b, nr);
    if (r + 1 < MR) StoreRow(c + (r + 1) * c_stride, _mm_unpackhi_epi64(b, b), nr);
  }
}

}  // namespace

void qs8_gemm_6x8c2__sse41(int mr, int nr, size_t kc, const int16_t* a, size_t a_stride,
                           const void* tile, int8_t* c, size_t c_stride,
                           const GemmEpilogue& epilogue) {
  switch (mr) {
    case 6: Tile<6>(nr, kc, a, a_stride, tile, c, c_stride, epilogue); break;
    case 5: Tile<5>(nr, kc, a, a_stride, tile, c, c_stride, epilogue); break;
    case 4: Tile<4>(nr, kc, a, a_stride, tile, c, c_stride, epilogue); break;
    case 3: Tile<3>(nr, kc, a, a_stride, tile, c, c_stride, epilogue); break;
    case 2: Tile<2>(nr, kc, a, a_stride, tile, c, c_stride, epilogue); break;
    default: Tile<1>(nr, kc, a, a_stride, tile, c, c_stride, epilogue); break;
  }
}

}  // namespace octet
