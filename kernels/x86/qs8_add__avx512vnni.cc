// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// AVX-512: 64 elements per step, by a linear fixed-point form with tie
// detection (qs8_add_fast.h) and the exact scheme for flagged blocks.
#include <immintrin.h>

#include <cmath>

#include "kernels/kernel_table.h"
#include "kernels/x86/qs8_add_fast.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// MultiplyByQuantizedMultiplier with one multiplier and shift for all lanes:
// x << ls, then h = floor((x * M0 + 2^30) / 2^31) from the even and odd
// 64-bit products (the odd one shifted left 1 so h is its high dword), then
// RoundingDivideByPOT as (h >> rs) + ((h & mask) > (mask >> 1) + [h < 0]).
struct Multiplier {
  __m512i m, mask, thr;
  __m128i ls, rs;
  Multiplier(int32_t multiplier, int shift) {
    const int l = shift > 0 ? shift : 0, r = shift > 0 ? 0 : -shift;
    m = _mm512_set1_epi64(multiplier);
    mask = _mm512_set1_epi32(static_cast<int32_t>((int64_t{1} << r) - 1));
    thr = _mm512_set1_epi32(static_cast<int32_t>(((int64_t{1} << r) - 1) >> 1));
    ls = _mm_cvtsi32_si128(l);
    rs = _mm_cvtsi32_si128(r);
  }
  __m512i Apply(__m512i x) const {
    x = _mm512_sll_epi32(x, ls);
    const __m512i nudge = _mm512_set1_epi64(int64_t{1} << 30);
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, m), nudge);
    const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), m), nudge);
    const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31),
                                              _mm512_slli_epi64(odd, 1));
    const __m512i rem = _mm512_and_si512(h, mask);
    const __m512i t = _mm512_sub_epi32(thr, _mm512_srai_epi32(h, 31));
    const __m512i q = _mm512_sra_epi32(h, rs);
    return _mm512_mask_add_epi32(q, _mm512_cmpgt_epi32_mask(rem, t), q, _mm512_set1_epi32(1));
  }
};

// The exact scheme, 64 elements from i.
struct ExactAdd {
  Multiplier ma, mb, mo;
  __m128i left;
  __m512i za, zb, zo, qmin, qmax, order;
  explicit ExactAdd(const AddParams& p)
      : ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift),
        mo(p.output_multiplier, p.output_shift) {
    left = _mm_cvtsi32_si128(p.left_shift);
    za = _mm512_set1_epi32(p.a_zero_point);
    zb = _mm512_set1_epi32(p.b_zero_point);
    zo = _mm512_set1_epi16(static_cast<int16_t>(p.output_zero_point));
    qmin = _mm512_set1_epi8(static_cast<char>(p.qmin));
    qmax = _mm512_set1_epi8(static_cast<char>(p.qmax));
    // After the in-lane packs, dword 4L + k holds elements 16k + 4L + 0..3.
    order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  }
  void Block(const int8_t* a, const int8_t* b, int8_t* out) const {
    __m512i r[4];
    for (int k = 0; k < 4; ++k) {
      const __m512i xa = _mm512_sub_epi32(
          _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + 16 * k))), za);
      const __m512i xb = _mm512_sub_epi32(
          _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + 16 * k))), zb);
      const __m512i sum = _mm512_add_epi32(ma.Apply(_mm512_sll_epi32(xa, left)),
                                           mb.Apply(_mm512_sll_epi32(xb, left)));
      r[k] = mo.Apply(sum);
    }
    const __m512i lo = _mm512_adds_epi16(_mm512_packs_epi32(r[0], r[1]), zo);
    const __m512i hi = _mm512_adds_epi16(_mm512_packs_epi32(r[2], r[3]), zo);
    __m512i q = _mm512_permutexvar_epi32(order, _mm512_packs_epi16(lo, hi));
    q = _mm512_min_epi8(_mm512_max_epi8(q, qmin), qmax);
    _mm512_storeu_si512(out, q);
  }
};

// The same bits with fewer operations when the parameters allow (checked in
// Set): with L = left_shift + max(shift, 0) in [9, 22] and T = 31 - L, the
// input's SRDHM((x - z) << L, M) is d * (M >> T) + ((d * (M mod 2^T) + 2^(T-1)) >> T)
// exactly in int32 (d = x - z, |d| <= 255), since d << L has L zero bits;
// then RoundingDivideByPOT as (h + half - [d < 0]) >> rs (c = [h < 0] =
// [d < 0] because M >= 2^30; no overflow, |h| < 2^30). The output's SRDHM
// takes the 64-bit path with RDBPOT's half folded into the nudge, exact
// while |S << lso| < 2^29 and Mo >= 2^30 (so [x < 0] can stand for [h < 0]).
struct BoundedExactAdd {
  struct Input {
    __m512i z, mh, ml, round, half, gate;
    int t = 0, rs = 0;
    bool low = false;
    bool Set(int32_t zero_point, int32_t multiplier, int shift, int left) {
      const int ls = shift > 0 ? shift : 0;
      rs = shift > 0 ? 0 : -shift;
      const int l = left + ls;
      if (l < 9 || l > 22 || (multiplier != 0 && multiplier < (1 << 30))) return false;
      t = 31 - l;
      z = _mm512_set1_epi32(zero_point);
      mh = _mm512_set1_epi32(multiplier >> t);
      ml = _mm512_set1_epi32(multiplier & ((1 << t) - 1));
      low = (multiplier & ((1 << t) - 1)) != 0;
      round = _mm512_set1_epi32(1 << (t - 1));
      half = _mm512_set1_epi32(rs >= 1 ? static_cast<int32_t>(int64_t{1} << (rs - 1)) : 0);
      gate = _mm512_set1_epi32(rs >= 1 ? -1 : 0);
      return true;
    }
    __m512i Apply(__m512i x) const {
      const __m512i d = _mm512_sub_epi32(x, z);
      __m512i h = _mm512_mullo_epi32(d, mh);
      if (low) {
        h = _mm512_add_epi32(
            h, _mm512_srai_epi32(_mm512_add_epi32(_mm512_mullo_epi32(d, ml), round), t));
      }
      if (rs == 0) return h;
      h = _mm512_add_epi32(_mm512_add_epi32(h, half),
                           _mm512_and_si512(_mm512_srai_epi32(d, 31), gate));
      return _mm512_sra_epi32(h, _mm_cvtsi32_si128(rs));
    }
  };
  Input a, b;
  __m512i mo, nudge, gate, zo, qmin, qmax, order;
  __m128i lso, rso;

  bool Set(const AddParams& p) {
    if (!a.Set(p.a_zero_point, p.a_multiplier, p.a_shift, p.left_shift)) return false;
    if (!b.Set(p.b_zero_point, p.b_multiplier, p.b_shift, p.left_shift)) return false;
    const int ls = p.output_shift > 0 ? p.output_shift : 0;
    const int rs = p.output_shift > 0 ? 0 : -p.output_shift;
    if (p.output_multiplier != 0 && p.output_multiplier < (1 << 30)) return false;
    // |s| <= 255 M 2^(L - 31 - rs) + 1 per input; x = (sa + sb) << lso must
    // stay below 2^29 so that h + half (<= |x| + 2^30) fits int32.
    auto input_bound = [&](int32_t m, int shift) {
      const int l = p.left_shift + (shift > 0 ? shift : 0), r = shift > 0 ? 0 : -shift;
      return 255.0 * std::ldexp(static_cast<double>(m), l - 31 - r) + 1.0;
    };
    const double bound = (input_bound(p.a_multiplier, p.a_shift) +
                          input_bound(p.b_multiplier, p.b_shift)) * std::ldexp(1.0, ls);
    if (bound >= 536870912.0) return false;
    mo = _mm512_set1_epi64(p.output_multiplier);
    nudge = _mm512_set1_epi64((int64_t{1} << 30) + (rs >= 1 ? int64_t{1} << (30 + rs) : 0));
    gate = _mm512_set1_epi32(rs >= 1 ? -1 : 0);
    lso = _mm_cvtsi32_si128(ls);
    rso = _mm_cvtsi32_si128(rs);
    zo = _mm512_set1_epi16(static_cast<int16_t>(p.output_zero_point));
    qmin = _mm512_set1_epi8(static_cast<char>(p.qmin));
    qmax = _mm512_set1_epi8(static_cast<char>(p.qmax));
    order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    return true;
  }
  void Block(const int8_t* pa, const int8_t* pb, int8_t* out) const {
    __m512i r[4];
    for (int k = 0; k < 4; ++k) {
      const __m512i xa =
          _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pa + 16 * k)));
      const __m512i xb =
          _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(pb + 16 * k)));
      const __m512i x = _mm512_sll_epi32(_mm512_add_epi32(a.Apply(xa), b.Apply(xb)), lso);
      // h + half = floor((x * Mo + 2^30 + half * 2^31) / 2^31), then
      // (h + half - [x < 0]) >> rs.
      const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, mo), nudge);
      const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), mo), nudge);
      const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31),
                                                _mm512_slli_epi64(odd, 1));
      r[k] = _mm512_sra_epi32(
          _mm512_add_epi32(h, _mm512_and_si512(_mm512_srai_epi32(x, 31), gate)), rso);
    }
    const __m512i lo = _mm512_adds_epi16(_mm512_packs_epi32(r[0], r[1]), zo);
    const __m512i hi = _mm512_adds_epi16(_mm512_packs_epi32(r[2], r[3]), zo);
    __m512i q = _mm512_permutexvar_epi32(order, _mm512_packs_epi16(lo, hi));
    q = _mm512_min_epi8(_mm512_max_epi8(q, qmin), qmax);
    _mm512_storeu_si512(out, q);
  }
};

void Run(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  const ExactAdd general(p);
  BoundedExactAdd bounded;
  const bool use_bounded = bounded.Set(p);
  auto exact_block = [&](const int8_t* pa, const int8_t* pb, int8_t* po) {
    if (use_bounded) {
      bounded.Block(pa, pb, po);
    } else {
      general.Block(pa, pb, po);
    }
  };
  x86::FastAdd f;
  size_t i = 0;
  if (n >= 64 && x86::SetUpFastAdd(p, &f)) {
    // Per 32 elements: (a, b) int16 pairs, lane L of x0 holding elements
    // 8L+0..3 and of x1 8L+4..7; per pair dword
    //   t = (((D >> 8) + a Ph + b Qh) << 8) + a Pl + b Ql     two vpdpwssd
    //   r = t >> k, flagged when (t & (2^k - 1)) >= limit.
    const __m512i coef_high = _mm512_set1_epi32(static_cast<int32_t>(
        (static_cast<uint32_t>(static_cast<uint16_t>(f.qh)) << 16) | static_cast<uint16_t>(f.ph)));
    const __m512i coef_low = _mm512_set1_epi32(static_cast<int32_t>(
        (static_cast<uint32_t>(static_cast<uint16_t>(f.ql)) << 16) | static_cast<uint16_t>(f.pl)));
    const __m512i d_high = _mm512_set1_epi32(f.d_high);
    const __m512i frac_mask = _mm512_set1_epi32((int32_t{1} << f.k) - 1);
    const __m512i limit = _mm512_set1_epi32(f.limit);
    const __m128i k = _mm_cvtsi32_si128(f.k);
    const __m512i qmin = _mm512_set1_epi8(static_cast<char>(p.qmin));
    const __m512i qmax = _mm512_set1_epi8(static_cast<char>(p.qmax));
    // After packsswb of two 32-element halves, qword 2L + h holds elements 32h + 8L.
    const __m512i order = _mm512_setr_epi64(0, 2, 4, 6, 1, 3, 5, 7);
    auto linear = [&](__m512i x) {
      const __m512i t = _mm512_dpwssd_epi32(
          _mm512_slli_epi32(_mm512_dpwssd_epi32(d_high, x, coef_high), 8), x, coef_low);
      return t;
    };
    size_t fallbacks = 0;
    for (; i + 64 <= n; i += 64) {
      __m512i words[2];
      __m512i frac = _mm512_setzero_si512();
      for (int h = 0; h < 2; ++h) {
        const __m512i av = _mm512_cvtepi8_epi16(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i + 32 * h)));
        const __m512i bv = _mm512_cvtepi8_epi16(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i + 32 * h)));
        const __m512i t0 = linear(_mm512_unpacklo_epi16(av, bv));
        const __m512i t1 = linear(_mm512_unpackhi_epi16(av, bv));
        frac = _mm512_max_epu32(frac, _mm512_and_si512(t0, frac_mask));
        frac = _mm512_max_epu32(frac, _mm512_and_si512(t1, frac_mask));
        words[h] = _mm512_packs_epi32(_mm512_sra_epi32(t0, k), _mm512_sra_epi32(t1, k));
      }
      if (_mm512_cmpge_epi32_mask(frac, limit) != 0) {
        exact_block(a + i, b + i, out + i);  // an element near a rounding tie
        // Scales in simple ratios put many elements near ties: when most
        // blocks need the exact scheme anyway, stop trying the fast one.
        if (++fallbacks * 4 > i / 64 + 16) {
          i += 64;
          break;
        }
        continue;
      }
      __m512i q = _mm512_permutexvar_epi64(order, _mm512_packs_epi16(words[0], words[1]));
      q = _mm512_min_epi8(_mm512_max_epi8(q, qmin), qmax);
      _mm512_storeu_si512(out + i, q);
    }
  }
  for (; i + 64 <= n; i += 64) exact_block(a + i, b + i, out + i);
  if (i < n) qs8_add__scalar(p, n - i, a + i, b + i, out + i);
}

}  // namespace

const AddKernel kQs8AddAvx512Vnni = {"qs8_add__avx512vnni", Run};

}  // namespace octet
