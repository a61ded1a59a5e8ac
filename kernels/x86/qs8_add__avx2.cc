// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// AVX2: a linear fixed-point form with tie detection (qs8_add_fast.h) for 64
// elements per step, and two exact schemes (bounded and general) for flagged
// blocks and parameters the fast form cannot take.
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
  __m256i m, mask, thr;
  __m128i ls, rs;
  Multiplier(int32_t multiplier, int shift) {
    const int l = shift > 0 ? shift : 0, r = shift > 0 ? 0 : -shift;
    m = _mm256_set1_epi64x(multiplier);
    mask = _mm256_set1_epi32(static_cast<int32_t>((int64_t{1} << r) - 1));
    thr = _mm256_set1_epi32(static_cast<int32_t>(((int64_t{1} << r) - 1) >> 1));
    ls = _mm_cvtsi32_si128(l);
    rs = _mm_cvtsi32_si128(r);
  }
  __m256i Apply(__m256i x) const {
    x = _mm256_sll_epi32(x, ls);
    const __m256i nudge = _mm256_set1_epi64x(int64_t{1} << 30);
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, m), nudge);
    const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), m), nudge);
    const __m256i h =
        _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
    const __m256i rem = _mm256_and_si256(h, mask);
    const __m256i t = _mm256_sub_epi32(thr, _mm256_srai_epi32(h, 31));
    return _mm256_sub_epi32(_mm256_sra_epi32(h, rs), _mm256_cmpgt_epi32(rem, t));
  }
};

inline __m256i Load8(const int8_t* p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(p)));
}

// Four vectors of 8 int32 results (elements 8k + 0..7) plus the output zero
// point, saturated and clamped to 32 bytes.
inline void PackStore(const __m256i r[4], __m256i zo, __m256i qmin, __m256i qmax, int8_t* out) {
  // After the in-lane packs, dword 4L + k holds elements 8k + 4L + 0..3.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  const __m256i lo = _mm256_adds_epi16(_mm256_packs_epi32(r[0], r[1]), zo);
  const __m256i hi = _mm256_adds_epi16(_mm256_packs_epi32(r[2], r[3]), zo);
  __m256i q = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(lo, hi), order);
  q = _mm256_min_epi8(_mm256_max_epi8(q, qmin), qmax);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), q);
}

// The general exact scheme, 32 elements.
struct ExactAdd {
  Multiplier ma, mb, mo;
  __m128i left;
  __m256i za, zb, zo, qmin, qmax;
  explicit ExactAdd(const AddParams& p)
      : ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift),
        mo(p.output_multiplier, p.output_shift) {
    left = _mm_cvtsi32_si128(p.left_shift);
    za = _mm256_set1_epi32(p.a_zero_point);
    zb = _mm256_set1_epi32(p.b_zero_point);
    zo = _mm256_set1_epi16(static_cast<int16_t>(p.output_zero_point));
    qmin = _mm256_set1_epi8(static_cast<char>(p.qmin));
    qmax = _mm256_set1_epi8(static_cast<char>(p.qmax));
  }
  void Block(const int8_t* a, const int8_t* b, int8_t* out) const {
    __m256i r[4];
    for (int k = 0; k < 4; ++k) {
      const __m256i xa = _mm256_sub_epi32(Load8(a + 8 * k), za);
      const __m256i xb = _mm256_sub_epi32(Load8(b + 8 * k), zb);
      r[k] = mo.Apply(_mm256_add_epi32(ma.Apply(_mm256_sll_epi32(xa, left)),
                                       mb.Apply(_mm256_sll_epi32(xb, left))));
    }
    PackStore(r, zo, qmin, qmax, out);
  }
};

// The bounded exact scheme (derivation in qs8_add__avx512vnni.cc): int32
// input stage d * (M >> T) + ((d * (M mod 2^T) + 2^(T-1)) >> T), 64-bit
// output SRDHM with RoundingDivideByPOT's half folded into the nudge.
struct BoundedExactAdd {
  struct Input {
    __m256i z, mh, ml, round, half, gate;
    int t = 0, rs = 0;
    bool low = false;
    bool Set(int32_t zero_point, int32_t multiplier, int shift, int left) {
      const int ls = shift > 0 ? shift : 0;
      rs = shift > 0 ? 0 : -shift;
      const int l = left + ls;
      if (l < 9 || l > 22 || (multiplier != 0 && multiplier < (1 << 30))) return false;
      t = 31 - l;
      z = _mm256_set1_epi32(zero_point);
      mh = _mm256_set1_epi32(multiplier >> t);
      ml = _mm256_set1_epi32(multiplier & ((1 << t) - 1));
      low = (multiplier & ((1 << t) - 1)) != 0;
      round = _mm256_set1_epi32(1 << (t - 1));
      half = _mm256_set1_epi32(rs >= 1 ? static_cast<int32_t>(int64_t{1} << (rs - 1)) : 0);
      gate = _mm256_set1_epi32(rs >= 1 ? -1 : 0);
      return true;
    }
    __m256i Apply(__m256i x) const {
      const __m256i d = _mm256_sub_epi32(x, z);
      __m256i h = _mm256_mullo_epi32(d, mh);
      if (low) {
        h = _mm256_add_epi32(
            h, _mm256_srai_epi32(_mm256_add_epi32(_mm256_mullo_epi32(d, ml), round), t));
      }
      if (rs == 0) return h;
      h = _mm256_add_epi32(_mm256_add_epi32(h, half),
                           _mm256_and_si256(_mm256_srai_epi32(d, 31), gate));
      return _mm256_sra_epi32(h, _mm_cvtsi32_si128(rs));
    }
  };
  Input a, b;
  __m256i mo, nudge, gate, zo, qmin, qmax;
  __m128i lso, rso;

  bool Set(const AddParams& p) {
    if (!a.Set(p.a_zero_point, p.a_multiplier, p.a_shift, p.left_shift)) return false;
    if (!b.Set(p.b_zero_point, p.b_multiplier, p.b_shift, p.left_shift)) return false;
    const int ls = p.output_shift > 0 ? p.output_shift : 0;
    const int rs = p.output_shift > 0 ? 0 : -p.output_shift;
    if (p.output_multiplier != 0 && p.output_multiplier < (1 << 30)) return false;
    auto input_bound = [&](int32_t m, int shift) {
      const int l = p.left_shift + (shift > 0 ? shift : 0), r = shift > 0 ? 0 : -shift;
      return 255.0 * std::ldexp(static_cast<double>(m), l - 31 - r) + 1.0;
    };
    const double bound = (input_bound(p.a_multiplier, p.a_shift) +
                          input_bound(p.b_multiplier, p.b_shift)) * std::ldexp(1.0, ls);
    if (bound >= 536870912.0) return false;
    mo = _mm256_set1_epi64x(p.output_multiplier);
    nudge = _mm256_set1_epi64x((int64_t{1} << 30) + (rs >= 1 ? int64_t{1} << (30 + rs) : 0));
    gate = _mm256_set1_epi32(rs >= 1 ? -1 : 0);
    lso = _mm_cvtsi32_si128(ls);
    rso = _mm_cvtsi32_si128(rs);
    zo = _mm256_set1_epi16(static_cast<int16_t>(p.output_zero_point));
    qmin = _mm256_set1_epi8(static_cast<char>(p.qmin));
    qmax = _mm256_set1_epi8(static_cast<char>(p.qmax));
    return true;
  }
  void Block(const int8_t* pa, const int8_t* pb, int8_t* out) const {
    __m256i r[4];
    for (int k = 0; k < 4; ++k) {
      const __m256i x =
          _mm256_sll_epi32(_mm256_add_epi32(a.Apply(Load8(pa + 8 * k)), b.Apply(Load8(pb + 8 * k))), lso);
      const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, mo), nudge);
      const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), mo), nudge);
      const __m256i h =
          _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
      r[k] = _mm256_sra_epi32(
          _mm256_add_epi32(h, _mm256_and_si256(_mm256_srai_epi32(x, 31), gate)), rso);
    }
    PackStore(r, zo, qmin, qmax, out);
  }
};

void Run(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  const ExactAdd general(p);
  BoundedExactAdd bounded{};  // value-initialized: Set() may leave it unused
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
  if (n >= 32 && x86::SetUpFastAdd(p, &f)) {
    // Per 16 elements: (a, b) int16 pairs, lane L of x0 holding elements
    // 8L+0..3 and of x1 8L+4..7; per pair dword
    //   t = (((D >> 8) + a Ph + b Qh) << 8) + a Pl + b Ql     two vpmaddwd
    //   r = t >> k, flagged when (t & (2^k - 1)) >= limit.
    const __m256i coef_high = _mm256_set1_epi32(static_cast<int32_t>(
        (static_cast<uint32_t>(static_cast<uint16_t>(f.qh)) << 16) | static_cast<uint16_t>(f.ph)));
    const __m256i coef_low = _mm256_set1_epi32(static_cast<int32_t>(
        (static_cast<uint32_t>(static_cast<uint16_t>(f.ql)) << 16) | static_cast<uint16_t>(f.pl)));
    const __m256i d_high = _mm256_set1_epi32(f.d_high);
    const __m256i frac_mask = _mm256_set1_epi32((int32_t{1} << f.k) - 1);
    const __m256i limit = _mm256_set1_epi32(f.limit - 1);
    const __m128i k = _mm_cvtsi32_si128(f.k);
    const __m256i qmin = _mm256_set1_epi8(static_cast<char>(p.qmin));
    const __m256i qmax = _mm256_set1_epi8(static_cast<char>(p.qmax));
    auto linear = [&](__m256i x) {
      return _mm256_add_epi32(
          _mm256_slli_epi32(_mm256_add_epi32(d_high, _mm256_madd_epi16(x, coef_high)), 8),
          _mm256_madd_epi16(x, coef_low));
    };
    size_t fallbacks = 0;
    for (; i + 32 <= n; i += 32) {
      __m256i words[2];
      __m256i frac = _mm256_setzero_si256();
      for (int h = 0; h < 2; ++h) {
        const __m256i av = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16 * h)));
        const __m256i bv = _mm256_cvtepi8_epi16(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16 * h)));
        const __m256i t0 = linear(_mm256_unpacklo_epi16(av, bv));
        const __m256i t1 = linear(_mm256_unpackhi_epi16(av, bv));
        frac = _mm256_max_epi32(frac, _mm256_and_si256(t0, frac_mask));
        frac = _mm256_max_epi32(frac, _mm256_and_si256(t1, frac_mask));
        words[h] = _mm256_packs_epi32(_mm256_sra_epi32(t0, k), _mm256_sra_epi32(t1, k));
      }
      if (!_mm256_testz_si256(_mm256_cmpgt_epi32(frac, limit), _mm256_cmpgt_epi32(frac, limit))) {
        exact_block(a + i, b + i, out + i);  // an element near a rounding tie
        if (++fallbacks * 4 > i / 32 + 16) {  // scales in simple ratios: mostly ties
          i += 32;
          break;
        }
        continue;
      }
      // Qword 2L + h holds elements 16h + 8L..: restore the natural order.
      __m256i q = _mm256_permute4x64_epi64(_mm256_packs_epi16(words[0], words[1]),
                                           _MM_SHUFFLE(3, 1, 2, 0));
      q = _mm256_min_epi8(_mm256_max_epi8(q, qmin), qmax);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), q);
    }
  }
  for (; i + 32 <= n; i += 32) exact_block(a + i, b + i, out + i);
  if (i < n) qs8_add__scalar(p, n - i, a + i, b + i, out + i);
}

}  // namespace

const AddKernel kQs8AddAvx2 = {"qs8_add__avx2", Run};

}  // namespace octet
