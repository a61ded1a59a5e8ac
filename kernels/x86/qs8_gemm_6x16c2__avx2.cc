// int8 GEMM micro-kernel, up to 6 rows x 16 channels, k-pairs with vpmaddwd,
// exact gemmlowp requantization in the epilogue (AVX2; -mavx2 -mfma).
#include <immintrin.h>

#include <cstring>

#include "kernels/x86/qs8_gemm.h"

namespace octet {
namespace {

using Block = RequantBlock<16>;

inline __m256i Load(const int32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
inline __m256i Load(const int64_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

// The int32 holding the int16 pair (row[2p], row[2p+1]); memcpy keeps the
// int16 buffer free of aliasing questions and compiles to one load.
inline int32_t Pair(const int16_t* row, size_t p) {
  int32_t pair;
  std::memcpy(&pair, row + 2 * p, sizeof(pair));
  return pair;
}

// floor((x * M0 + nudge) / 2^31) per int32 lane, nudge per 64-bit lane
// (even lanes: nudge_e, odd lanes: nudge_o):
//   even: pmuldq reads lanes 0,2,4,6; bits 31..62 -> low dword (>> 31)
//   odd:  x >> 32 moves lanes 1,3,5,7 down; bits 31..62 -> high dword (<< 1)
inline __m256i HighMul(__m256i x, __m256i m, __m256i m_odd, __m256i nudge_e, __m256i nudge_o) {
  const __m256i pe = _mm256_add_epi64(_mm256_mul_epi32(x, m), nudge_e);
  const __m256i po = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), m_odd), nudge_o);
  return _mm256_blend_epi32(_mm256_srli_epi64(pe, 31), _mm256_slli_epi64(po, 1), 0xAA);
}

// Fast path (qs8_gemm_driver.h): r = (h + 2^(e-1) - [x < 0]) >> e.
inline __m256i RequantFast(__m256i x, const Block& q, int v) {
  const __m256i h = HighMul(x, Load(q.mul + 8 * v), Load(q.mul_odd + 8 * v),
                            Load(q.nudge_even + 4 * v), Load(q.nudge_odd + 4 * v));
  return _mm256_srav_epi32(_mm256_add_epi32(h, _mm256_srai_epi32(x, 31)), Load(q.right + 8 * v));
}

// General path: any accumulator, shift in [-31, 30].
inline __m256i RequantGeneral(__m256i acc, const Block& q, int v) {
  const __m256i x = _mm256_sllv_epi32(acc, Load(q.left + 8 * v));
  const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
  const __m256i h = HighMul(x, Load(q.mul + 8 * v), Load(q.mul_odd + 8 * v), nudge, nudge);
  const __m256i mask = Load(q.mask + 8 * v);
  const __m256i threshold = _mm256_sub_epi32(Load(q.half + 8 * v), _mm256_srai_epi32(h, 31));
  const __m256i round_up = _mm256_cmpgt_epi32(_mm256_and_si256(h, mask), threshold);
  return _mm256_sub_epi32(_mm256_srav_epi32(h, Load(q.right + 8 * v)), round_up);
}

// Two rows of 16 requantized int32 (r0 = channels 0-7, 8-15) -> int8 rows,
// with the zero point and clamp. packs work within 128-bit lanes:
//   packs_epi32(a, b)  = [a0-3 b0-3 | a4-7 b4-7] (int16)
//   packs_epi16(R, S)  = [R.a0-3 R.b0-3 S.a0-3 S.b0-3 | R.a4-7 R.b4-7 S.a4-7 S.b4-7]
//   permute dwords 0,4,1,5,2,6,3,7 -> [R.a0-7 R.b0-7 | S.a0-7 S.b0-7]
inline __m256i PackTwoRows(__m256i r0a, __m256i r0b, __m256i r1a, __m256i r1b, __m256i zp,
                           __m256i qmin, __m256i qmax) {
  const __m256i s0 = _mm256_adds_epi16(_mm256_packs_epi32(r0a, r0b), zp);
  const __m256i s1 = _mm256_adds_epi16(_mm256_packs_epi32(r1a, r1b), zp);
  __m256i b = _mm256_packs_epi16(s0, s1);
  b = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
  return _mm256_min_epi8(_mm256_max_epi8(b, qmin), qmax);
}

inline void StoreRow(int8_t* c, __m128i v, int nr) {
  if (nr == 16) {
    _mm_storeu_si128(reinterpret_cast<__m128i*>(c), v);
  } else {
    alignas(16) int8_t tmp[16];
    _mm_store_si128(reinterpret_cast<__m128i*>(tmp), v);
    std::memcpy(c, tmp, nr);
  }
}

// Inner loop, one k-pair p, per row r (registers: 12 accumulators, 2 weight
// vectors, 1 broadcast):
//   a    = [A[r,2p] A[r,2p+1]] x 8            int16 pairs broadcast (vpbroadcastd)
//   w0   = [(B[2p,n] B[2p+1,n]) n = 0..7]     int16 pairs, packed
//   w1   = [(B[2p,n] B[2p+1,n]) n = 8..15]
//   acc[r][0] += vpmaddwd(a, w0)              int32: A[r,2p]B[2p,n] + A[r,2p+1]B[2p+1,n]
//   acc[r][1] += vpmaddwd(a, w1)
template <int MR>
void Tile(int nr, size_t kc, const int16_t* a, size_t a_stride, const void* tile, int8_t* c,
          size_t c_stride, const GemmEpilogue& ep) {
  const uint8_t* t = static_cast<const uint8_t*>(tile);
  const int32_t* bias = reinterpret_cast<const int32_t*>(t);
  const Block& q = *reinterpret_cast<const Block*>(t + 16 * sizeof(int32_t));
  const int16_t* w = reinterpret_cast<const int16_t*>(t + 16 * sizeof(int32_t) + sizeof(Block));

  // Named accumulators (not an array) so that GCC keeps all of them in
  // registers; rows past MR duplicate row 0's pointer and are dead code.
  const int16_t* a0 = a;
  const int16_t* a1 = MR > 1 ? a + 1 * a_stride : a0;
  const int16_t* a2 = MR > 2 ? a + 2 * a_stride : a0;
  const int16_t* a3 = MR > 3 ? a + 3 * a_stride : a0;
  const int16_t* a4 = MR > 4 ? a + 4 * a_stride : a0;
  const int16_t* a5 = MR > 5 ? a + 5 * a_stride : a0;
  __m256i c0a = Load(bias), c0b = Load(bias + 8);
  __m256i c1a = c0a, c1b = c0b, c2a = c0a, c2b = c0b, c3a = c0a, c3b = c0b, c4a = c0a, c4b = c0b,
      c5a = c0a, c5b = c0b;
  for (size_t p = 0; p < kc; ++p) {
    const __m256i w0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i w1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 16));
    w += 32;
    {
      const __m256i v0 = _mm256_set1_epi32(Pair(a0, p));
      c0a = _mm256_add_epi32(c0a, _mm256_madd_epi16(v0, w0));
      c0b = _mm256_add_epi32(c0b, _mm256_madd_epi16(v0, w1));
    }
    if (MR > 1) {
      const __m256i v1 = _mm256_set1_epi32(Pair(a1, p));
      c1a = _mm256_add_epi32(c1a, _mm256_madd_epi16(v1, w0));
      c1b = _mm256_add_epi32(c1b, _mm256_madd_epi16(v1, w1));
    }
    if (MR > 2) {
      const __m256i v2 = _mm256_set1_epi32(Pair(a2, p));
      c2a = _mm256_add_epi32(c2a, _mm256_madd_epi16(v2, w0));
      c2b = _mm256_add_epi32(c2b, _mm256_madd_epi16(v2, w1));
    }
    if (MR > 3) {
      const __m256i v3 = _mm256_set1_epi32(Pair(a3, p));
      c3a = _mm256_add_epi32(c3a, _mm256_madd_epi16(v3, w0));
      c3b = _mm256_add_epi32(c3b, _mm256_madd_epi16(v3, w1));
    }
    if (MR > 4) {
      const __m256i v4 = _mm256_set1_epi32(Pair(a4, p));
      c4a = _mm256_add_epi32(c4a, _mm256_madd_epi16(v4, w0));
      c4b = _mm256_add_epi32(c4b, _mm256_madd_epi16(v4, w1));
    }
    if (MR > 5) {
      const __m256i v5 = _mm256_set1_epi32(Pair(a5, p));
      c5a = _mm256_add_epi32(c5a, _mm256_madd_epi16(v5, w0));
      c5b = _mm256_add_epi32(c5b, _mm256_madd_epi16(v5, w1));
    }
  }
  __m256i acc[6][2] = {{c0a, c0b}, {c1a, c1b}, {c2a, c2b}, {c3a, c3b}, {c4a, c4b}, {c5a, c5b}};

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
  const __m256i zp = _mm256_set1_epi16(static_cast<int16_t>(ep.output_zero_point));
  const __m256i qmin = _mm256_set1_epi8(static_cast<int8_t>(ep.qmin));
  const __m256i qmax = _mm256_set1_epi8(static_cast<int8_t>(ep.qmax));
  for (int r = 0; r < MR; r += 2) {
    const int r1 = r + 1 < MR ? r + 1 : r;
    const __m256i b = PackTwoRows(acc[r][0], acc[r][1], acc[r1][0], acc[r1][1], zp, qmin, qmax);
    StoreRow(c + r * c_stride, _mm256_castsi256_si128(b), nr);
    if (r + 1 < MR) StoreRow(c + (r + 1) * c_stride, _mm256_extracti128_si256(b, 1), nr);
  }
}

}  // namespace

void qs8_gemm_6x16c2__avx2(int mr, int nr, size_t kc, const int16_t* a, size_t a_stride,
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
