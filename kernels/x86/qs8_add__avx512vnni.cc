// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// AVX-512: 128 elements per step by a linear fixed-point form with tie
// detection (qs8_add_fast.h), and two exact schemes (bounded and general) for
// vectors with an element near a tie and parameters the fast form cannot take.
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

// The exact scheme on 16 int32 lanes of raw inputs: the reference's
// RDBPOT(SRDHM((sa + sb) << lso, Mo), rso), without the output zero point.
struct ExactAdd {
  Multiplier ma, mb, mo;
  __m128i left;
  __m512i za, zb;
  explicit ExactAdd(const AddParams& p)
      : ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift),
        mo(p.output_multiplier, p.output_shift) {
    left = _mm_cvtsi32_si128(p.left_shift);
    za = _mm512_set1_epi32(p.a_zero_point);
    zb = _mm512_set1_epi32(p.b_zero_point);
  }
  __m512i Lanes(__m512i a, __m512i b) const {
    const __m512i xa = _mm512_sub_epi32(a, za), xb = _mm512_sub_epi32(b, zb);
    return mo.Apply(_mm512_add_epi32(ma.Apply(_mm512_sll_epi32(xa, left)),
                                     mb.Apply(_mm512_sll_epi32(xb, left))));
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
  __m512i mo, nudge, gate;
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
    return true;
  }
  __m512i Lanes(__m512i xa, __m512i xb) const {
    const __m512i x = _mm512_sll_epi32(_mm512_add_epi32(a.Apply(xa), b.Apply(xb)), lso);
    // h + half = floor((x * Mo + 2^30 + half * 2^31) / 2^31), then
    // (h + half - [x < 0]) >> rs.
    const __m512i even = _mm512_add_epi64(_mm512_mul_epi32(x, mo), nudge);
    const __m512i odd = _mm512_add_epi64(_mm512_mul_epi32(_mm512_srli_epi64(x, 32), mo), nudge);
    const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 31),
                                              _mm512_slli_epi64(odd, 1));
    return _mm512_sra_epi32(_mm512_add_epi32(h, _mm512_and_si512(_mm512_srai_epi32(x, 31), gate)),
                            rso);
  }
};

// zo + the exact result (ExactAdd or BoundedExactAdd) for the 16 elements
// of one pair vector (dwords [0, a, 0, b], below).
template <class Exact>
inline __m512i ExactPairs(const Exact& exact, __m512i x, __m512i zo) {
  const __m512i xa = _mm512_srai_epi32(_mm512_slli_epi32(x, 16), 24);
  const __m512i xb = _mm512_srai_epi32(x, 24);
  return _mm512_add_epi32(exact.Lanes(xa, xb), zo);
}

// 64 elements as four vectors of dwords [0, a, 0, b] (int16 pairs (256 a,
// 256 b)):
//   ab_lo = a0 b0 a1 b1 .. a7 b7 | a16 b16 .. | ..       (per 128-bit lane L)
//   x[0]  = [0 a0 0 b0] .. [0 a3 0 b3] | [0 a16 0 b16] ..  elements 16L + 0..3
//   x[1] = 16L + 4..7, x[2] = 16L + 8..11, x[3] = 16L + 12..15,
// so the in-lane packs of the four results restore the natural order.
inline void Interleave(__m512i va, __m512i vb, __m512i x[4]) {
  const __m512i zero = _mm512_setzero_si512();
  const __m512i lo = _mm512_unpacklo_epi8(va, vb), hi = _mm512_unpackhi_epi8(va, vb);
  x[0] = _mm512_unpacklo_epi8(zero, lo);
  x[1] = _mm512_unpackhi_epi8(zero, lo);
  x[2] = _mm512_unpacklo_epi8(zero, hi);
  x[3] = _mm512_unpackhi_epi8(zero, hi);
}

// Four vectors of 16 int32 results (zero point included) in the layout
// above, saturated to int8 and clamped to [qmin, qmax] when kClamp.
template <bool kClamp>
inline __m512i Pack(const __m512i r[4], __m512i qmin, __m512i qmax) {
  __m512i q = _mm512_packs_epi16(_mm512_packs_epi32(r[0], r[1]), _mm512_packs_epi32(r[2], r[3]));
  if (kClamp) q = _mm512_min_epi8(_mm512_max_epi8(q, qmin), qmax);
  return q;
}

// The exact scheme for every element, 64 at a time (masked tail). Full
// blocks widen the inputs with vpmovsxbd, 16 consecutive elements per
// vector (cheaper than extracting them from the pair layout); after the
// in-lane packs dword 4L + v holds elements 16v + 4L + 0..3, and one vpermd
// restores the order.
template <class Exact, bool kClamp>
void ExactRun(const Exact& exact, const AddParams& p, size_t n, const int8_t* a, const int8_t* b,
              int8_t* out) {
  const __m512i zo = _mm512_set1_epi32(p.output_zero_point);
  const __m512i qmin = _mm512_set1_epi8(static_cast<char>(p.qmin));
  const __m512i qmax = _mm512_set1_epi8(static_cast<char>(p.qmax));
  const __m512i order = _mm512_setr_epi32(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m512i r[4];
    for (int v = 0; v < 4; ++v) {
      const __m512i xa = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i + 16 * v)));
      const __m512i xb = _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i + 16 * v)));
      r[v] = _mm512_add_epi32(exact.Lanes(xa, xb), zo);
    }
    _mm512_storeu_si512(out + i, _mm512_permutexvar_epi32(order, Pack<kClamp>(r, qmin, qmax)));
  }
  if (i < n) {
    const __mmask64 m = (__mmask64{1} << (n - i)) - 1;
    __m512i x[4], r[4];
    Interleave(_mm512_maskz_loadu_epi8(m, a + i), _mm512_maskz_loadu_epi8(m, b + i), x);
    for (int v = 0; v < 4; ++v) r[v] = ExactPairs(exact, x[v], zo);
    _mm512_mask_storeu_epi8(out + i, m, Pack<kClamp>(r, qmin, qmax));
  }
}

// The fast path (qs8_add_fast.h), per pair vector x of 16 elements:
//   t = vpdpbusd(vpdpwssd(D, x, (Ph, Qh)), [0 Pl 0 Ql], x) = a P + b Q + D
//   unsafe lanes: (t & band) == 0, tested for the eight vectors of 128
//   elements at once on the min_epu32 of their (t & band);
//   result t >> k (zero point included).
// A block with an unsafe lane is redone out of line (Redo), where each
// vector with an unsafe lane is recomputed exactly as a whole; keeping that
// path out of the loop keeps the loop's vectors in registers.
template <class Exact, bool kClamp>
class FastAddRun {
 public:
  FastAddRun(const Exact& exact, const AddParams& p, const x86::FastAdd& f)
      : exact_(exact),
        high_(_mm512_set1_epi32(f.HighPair())),
        low_(_mm512_set1_epi32(f.LowBytes())),
        d_(_mm512_set1_epi32(f.d)),
        band_(_mm512_set1_epi32(f.band)),
        zo_(_mm512_set1_epi32(p.output_zero_point)),
        qmin_(_mm512_set1_epi8(static_cast<char>(p.qmin))),
        qmax_(_mm512_set1_epi8(static_cast<char>(p.qmax))),
        k_(_mm_cvtsi32_si128(f.k)) {}

  // Returns how many elements it did: n, or fewer when most blocks had an
  // element near a tie (scales in simple ratios), so that the caller does
  // the rest with the exact scheme alone (cheaper than fast + redo then).
  size_t Run(size_t n, const int8_t* a, const int8_t* b, int8_t* out) const {
    size_t i = 0, exact_vectors = 0;
    for (; i + 128 <= n; i += 128) {
      __m512i r0[4], r1[4];
      const __m512i least =
          _mm512_min_epu32(Block(a + i, b + i, r0), Block(a + i + 64, b + i + 64, r1));
      if (_mm512_testn_epi32_mask(least, least) == 0) {
        _mm512_storeu_si512(out + i, Pack<kClamp>(r0, qmin_, qmax_));
        _mm512_storeu_si512(out + i + 64, Pack<kClamp>(r1, qmin_, qmax_));
        continue;
      }
      exact_vectors += Redo(~__mmask64{0}, a + i, b + i, out + i);
      exact_vectors += Redo(~__mmask64{0}, a + i + 64, b + i + 64, out + i + 64);
      if (x86::TooManyTies(exact_vectors, (i + 128) / 16)) return i + 128;
    }
    for (; i < n; i += 64) {
      const __mmask64 m = n - i >= 64 ? ~__mmask64{0} : (__mmask64{1} << (n - i)) - 1;
      Redo(m, a + i, b + i, out + i);
    }
    return n;
  }

 private:
  // r = t >> k for the 64 elements from a, b; returns the min_epu32 of the
  // four (t & band), zero in the lanes of unsafe elements.
  __m512i Block(const int8_t* a, const int8_t* b, __m512i r[4]) const {
    __m512i x[4], least;
    Interleave(_mm512_loadu_si512(a), _mm512_loadu_si512(b), x);
    for (int v = 0; v < 4; ++v) {
      const __m512i t = Linear(x[v]);
      const __m512i frac = _mm512_and_si512(t, band_);
      least = v == 0 ? frac : _mm512_min_epu32(least, frac);
      r[v] = _mm512_sra_epi32(t, k_);
    }
    return least;
  }
  __m512i Linear(__m512i x) const {
    return _mm512_dpbusd_epi32(_mm512_dpwssd_epi32(d_, x, high_), low_, x);
  }
  // The elements of mask m of one block (also the tail), with the exact
  // scheme for every vector that has an unsafe lane.
  // Returns how many vectors took the exact scheme.
  [[gnu::noinline]] size_t Redo(__mmask64 m, const int8_t* a, const int8_t* b, int8_t* out) const {
    __m512i x[4], r[4];
    size_t exact = 0;
    Interleave(_mm512_maskz_loadu_epi8(m, a), _mm512_maskz_loadu_epi8(m, b), x);
    for (int v = 0; v < 4; ++v) {
      const __m512i t = Linear(x[v]);
      if (_mm512_testn_epi32_mask(t, band_) != 0) {
        r[v] = ExactPairs(exact_, x[v], zo_);
        ++exact;
      } else {
        r[v] = _mm512_sra_epi32(t, k_);
      }
    }
    _mm512_mask_storeu_epi8(out, m, Pack<kClamp>(r, qmin_, qmax_));
    return exact;
  }

  const Exact& exact_;
  __m512i high_, low_, d_, band_, zo_, qmin_, qmax_;
  __m128i k_;
};

template <class Exact, bool kClamp>
void RunWith(const Exact& exact, const AddParams& p, size_t n, const int8_t* a, const int8_t* b,
             int8_t* out) {
  x86::FastAdd f;
  size_t done = 0;
  if (x86::SetUpFastAdd(p, &f)) done = FastAddRun<Exact, kClamp>(exact, p, f).Run(n, a, b, out);
  ExactRun<Exact, kClamp>(exact, p, n - done, a + done, b + done, out + done);
}

template <class Exact>
void RunWith(const Exact& exact, const AddParams& p, size_t n, const int8_t* a, const int8_t* b,
             int8_t* out) {
  // The int8 saturation of the packs is the clamp when [qmin, qmax] is the full range.
  if (p.qmin > -128 || p.qmax < 127) {
    RunWith<Exact, true>(exact, p, n, a, b, out);
  } else {
    RunWith<Exact, false>(exact, p, n, a, b, out);
  }
}

void Run(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  BoundedExactAdd bounded;
  if (bounded.Set(p)) {
    RunWith(bounded, p, n, a, b, out);
  } else {
    RunWith(ExactAdd(p), p, n, a, b, out);
  }
}

}  // namespace

const AddKernel kQs8AddAvx512Vnni = {"qs8_add__avx512vnni", Run};

}  // namespace octet
