// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// SSE4.1: 16 elements per step by a linear fixed-point form with tie
// detection (qs8_add_fast.h), and two exact schemes (bounded and general)
// for vectors with an element near a tie and parameters the fast form
// cannot take.
#include <smmintrin.h>

#include <cmath>
#include <cstring>

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
  __m128i m, mask, thr, ls, rs;
  Multiplier(int32_t multiplier, int shift) {
    const int l = shift > 0 ? shift : 0, r = shift > 0 ? 0 : -shift;
    m = _mm_set1_epi64x(multiplier);
    mask = _mm_set1_epi32(static_cast<int32_t>((int64_t{1} << r) - 1));
    thr = _mm_set1_epi32(static_cast<int32_t>(((int64_t{1} << r) - 1) >> 1));
    ls = _mm_cvtsi32_si128(l);
    rs = _mm_cvtsi32_si128(r);
  }
  __m128i Apply(__m128i x) const {
    x = _mm_sll_epi32(x, ls);
    const __m128i nudge = _mm_set1_epi64x(int64_t{1} << 30);
    const __m128i even = _mm_add_epi64(_mm_mul_epi32(x, m), nudge);
    const __m128i odd = _mm_add_epi64(_mm_mul_epi32(_mm_srli_epi64(x, 32), m), nudge);
    const __m128i h = _mm_blend_epi16(_mm_srli_epi64(even, 31), _mm_slli_epi64(odd, 1), 0xCC);
    const __m128i rem = _mm_and_si128(h, mask);
    const __m128i t = _mm_sub_epi32(thr, _mm_srai_epi32(h, 31));
    return _mm_sub_epi32(_mm_sra_epi32(h, rs), _mm_cmpgt_epi32(rem, t));
  }
};

// The exact scheme on 4 int32 lanes of raw inputs: the reference's
// RDBPOT(SRDHM((sa + sb) << lso, Mo), rso), without the output zero point.
struct ExactAdd {
  Multiplier ma, mb, mo;
  __m128i left, za, zb;
  explicit ExactAdd(const AddParams& p)
      : ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift),
        mo(p.output_multiplier, p.output_shift) {
    left = _mm_cvtsi32_si128(p.left_shift);
    za = _mm_set1_epi32(p.a_zero_point);
    zb = _mm_set1_epi32(p.b_zero_point);
  }
  __m128i Lanes(__m128i a, __m128i b) const {
    const __m128i xa = _mm_sub_epi32(a, za), xb = _mm_sub_epi32(b, zb);
    return mo.Apply(_mm_add_epi32(ma.Apply(_mm_sll_epi32(xa, left)),
                                  mb.Apply(_mm_sll_epi32(xb, left))));
  }
};

// The bounded exact scheme (derivation in qs8_add__avx512vnni.cc): int32
// input stage d * (M >> T) + ((d * (M mod 2^T) + 2^(T-1)) >> T), 64-bit
// output SRDHM with RoundingDivideByPOT's half folded into the nudge.
struct BoundedExactAdd {
  struct Input {
    __m128i z, mh, ml, round, half, gate;
    int t = 0, rs = 0;
    bool low = false;
    bool Set(int32_t zero_point, int32_t multiplier, int shift, int left) {
      const int ls = shift > 0 ? shift : 0;
      rs = shift > 0 ? 0 : -shift;
      const int l = left + ls;
      if (l < 9 || l > 22 || (multiplier != 0 && multiplier < (1 << 30))) return false;
      t = 31 - l;
      z = _mm_set1_epi32(zero_point);
      mh = _mm_set1_epi32(multiplier >> t);
      ml = _mm_set1_epi32(multiplier & ((1 << t) - 1));
      low = (multiplier & ((1 << t) - 1)) != 0;
      round = _mm_set1_epi32(1 << (t - 1));
      half = _mm_set1_epi32(rs >= 1 ? static_cast<int32_t>(int64_t{1} << (rs - 1)) : 0);
      gate = _mm_set1_epi32(rs >= 1 ? -1 : 0);
      return true;
    }
    __m128i Apply(__m128i x) const {
      const __m128i d = _mm_sub_epi32(x, z);
      __m128i h = _mm_mullo_epi32(d, mh);
      if (low) {
        h = _mm_add_epi32(h, _mm_srai_epi32(_mm_add_epi32(_mm_mullo_epi32(d, ml), round), t));
      }
      if (rs == 0) return h;
      h = _mm_add_epi32(_mm_add_epi32(h, half), _mm_and_si128(_mm_srai_epi32(d, 31), gate));
      return _mm_sra_epi32(h, _mm_cvtsi32_si128(rs));
    }
  };
  Input a, b;
  __m128i mo, nudge, gate, lso, rso;

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
    mo = _mm_set1_epi64x(p.output_multiplier);
    nudge = _mm_set1_epi64x((int64_t{1} << 30) + (rs >= 1 ? int64_t{1} << (30 + rs) : 0));
    gate = _mm_set1_epi32(rs >= 1 ? -1 : 0);
    lso = _mm_cvtsi32_si128(ls);
    rso = _mm_cvtsi32_si128(rs);
    return true;
  }
  __m128i Lanes(__m128i xa, __m128i xb) const {
    const __m128i x = _mm_sll_epi32(_mm_add_epi32(a.Apply(xa), b.Apply(xb)), lso);
    const __m128i even = _mm_add_epi64(_mm_mul_epi32(x, mo), nudge);
    const __m128i odd = _mm_add_epi64(_mm_mul_epi32(_mm_srli_epi64(x, 32), mo), nudge);
    const __m128i h = _mm_blend_epi16(_mm_srli_epi64(even, 31), _mm_slli_epi64(odd, 1), 0xCC);
    return _mm_sra_epi32(_mm_add_epi32(h, _mm_and_si128(_mm_srai_epi32(x, 31), gate)), rso);
  }
};

// zo + the exact result (ExactAdd or BoundedExactAdd) for the 4 elements of
// one pair vector (dwords [0, a, 0, b], below).
template <class Exact>
inline __m128i ExactPairs(const Exact& exact, __m128i x, __m128i zo) {
  const __m128i xa = _mm_srai_epi32(_mm_slli_epi32(x, 16), 24);
  const __m128i xb = _mm_srai_epi32(x, 24);
  return _mm_add_epi32(exact.Lanes(xa, xb), zo);
}

// 16 elements as four vectors of dwords [0, a, 0, b] (int16 pairs (256 a,
// 256 b)):
//   ab_lo = a0 b0 a1 b1 .. a7 b7
//   x[0]  = [0 a0 0 b0] .. [0 a3 0 b3]   elements 0..3
//   x[1] = 4..7, x[2] = 8..11, x[3] = 12..15,
// so the packs of the four results are in natural order.
inline void Interleave(__m128i va, __m128i vb, __m128i x[4]) {
  const __m128i zero = _mm_setzero_si128();
  const __m128i lo = _mm_unpacklo_epi8(va, vb), hi = _mm_unpackhi_epi8(va, vb);
  x[0] = _mm_unpacklo_epi8(zero, lo);
  x[1] = _mm_unpackhi_epi8(zero, lo);
  x[2] = _mm_unpacklo_epi8(zero, hi);
  x[3] = _mm_unpackhi_epi8(zero, hi);
}

inline __m128i Load16(const int8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// Four vectors of 4 int32 results (zero point included), saturated to int8
// and clamped to [qmin, qmax] when kClamp.
template <bool kClamp>
inline __m128i Pack(const __m128i r[4], __m128i qmin, __m128i qmax) {
  __m128i q = _mm_packs_epi16(_mm_packs_epi32(r[0], r[1]), _mm_packs_epi32(r[2], r[3]));
  if (kClamp) q = _mm_min_epi8(_mm_max_epi8(q, qmin), qmax);
  return q;
}

// Calls block(a, b, out) for each 16 elements from a, b, out; the tail goes
// through zero-padded copies.
template <typename Block>
inline void ForEachBlock(size_t n, const int8_t* a, const int8_t* b, int8_t* out, Block block) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) block(a + i, b + i, out + i);
  if (i < n) {
    int8_t ta[16] = {}, tb[16] = {}, to[16];
    std::memcpy(ta, a + i, n - i);
    std::memcpy(tb, b + i, n - i);
    block(ta, tb, to);
    std::memcpy(out + i, to, n - i);
  }
}

template <class Exact, bool kClamp>
void ExactRun(const Exact& exact, const AddParams& p, size_t n, const int8_t* a,
              const int8_t* b, int8_t* out) {
  const __m128i zo = _mm_set1_epi32(p.output_zero_point);
  const __m128i qmin = _mm_set1_epi8(static_cast<char>(p.qmin));
  const __m128i qmax = _mm_set1_epi8(static_cast<char>(p.qmax));
  ForEachBlock(n, a, b, out, [&](const int8_t* pa, const int8_t* pb, int8_t* po) {
    __m128i x[4], r[4];
    Interleave(Load16(pa), Load16(pb), x);
    for (int v = 0; v < 4; ++v) r[v] = ExactPairs(exact, x[v], zo);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(po), Pack<kClamp>(r, qmin, qmax));
  });
}

// The fast path (qs8_add_fast.h), per pair vector x of 4 elements:
//   t = D + pmaddwd(x, (Ph, Qh)) + pmaddwd(x >> 8, (Pl, Ql)) = a P + b Q + D
//   unsafe lanes: (t & band) == 0, tested for the four vectors of 16
//   elements at once on the pminud of their (t & band);
//   result t >> k (zero point included).
// A block with an unsafe lane is redone out of line (Redo), where each
// vector with an unsafe lane is recomputed exactly as a whole.
template <class Exact, bool kClamp>
class FastAddRun {
 public:
  FastAddRun(const Exact& exact, const AddParams& p, const x86::FastAdd& f)
      : exact_(exact),
        high_(_mm_set1_epi32(f.HighPair())),
        low_(_mm_set1_epi32(f.LowPair())),
        d_(_mm_set1_epi32(f.d)),
        band_(_mm_set1_epi32(f.band)),
        zo_(_mm_set1_epi32(p.output_zero_point)),
        qmin_(_mm_set1_epi8(static_cast<char>(p.qmin))),
        qmax_(_mm_set1_epi8(static_cast<char>(p.qmax))),
        k_(_mm_cvtsi32_si128(f.k)) {}

  // Returns how many elements it did: n, or fewer when most blocks had an
  // element near a tie (scales in simple ratios), so that the caller does
  // the rest with the exact scheme alone (cheaper than fast + redo then).
  size_t Run(size_t n, const int8_t* a, const int8_t* b, int8_t* out) const {
    size_t i = 0, exact_vectors = 0;
    for (; i + 16 <= n; i += 16) {
      __m128i x[4], r[4], least;
      Interleave(Load16(a + i), Load16(b + i), x);
      for (int v = 0; v < 4; ++v) {
        const __m128i t = Linear(x[v]);
        const __m128i frac = _mm_and_si128(t, band_);
        least = v == 0 ? frac : _mm_min_epu32(least, frac);
        r[v] = _mm_sra_epi32(t, k_);
      }
      const __m128i unsafe = _mm_cmpeq_epi32(least, _mm_setzero_si128());
      if (_mm_testz_si128(unsafe, unsafe)) {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), Pack<kClamp>(r, qmin_, qmax_));
        continue;
      }
      exact_vectors += Redo(a + i, b + i, out + i);
      if (x86::TooManyTies(exact_vectors, (i + 16) / 4)) return i + 16;
    }
    ForEachBlock(n - i, a + i, b + i, out + i,
                 [&](const int8_t* pa, const int8_t* pb, int8_t* po) { Redo(pa, pb, po); });
    return n;
  }

 private:
  __m128i Linear(__m128i x) const {
    return _mm_add_epi32(_mm_add_epi32(d_, _mm_madd_epi16(x, high_)),
                         _mm_madd_epi16(_mm_srai_epi16(x, 8), low_));
  }
  // 16 elements, with the exact scheme for every vector that has an unsafe lane.
  // Returns how many vectors took the exact scheme.
  [[gnu::noinline]] size_t Redo(const int8_t* a, const int8_t* b, int8_t* out) const {
    __m128i x[4], r[4];
    size_t exact = 0;
    Interleave(Load16(a), Load16(b), x);
    for (int v = 0; v < 4; ++v) {
      const __m128i t = Linear(x[v]);
      const __m128i unsafe = _mm_cmpeq_epi32(_mm_and_si128(t, band_), _mm_setzero_si128());
      if (_mm_testz_si128(unsafe, unsafe)) {
        r[v] = _mm_sra_epi32(t, k_);
      } else {
        r[v] = ExactPairs(exact_, x[v], zo_);
        ++exact;
      }
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), Pack<kClamp>(r, qmin_, qmax_));
    return exact;
  }

  const Exact& exact_;
  __m128i high_, low_, d_, band_, zo_, qmin_, qmax_;
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

const AddKernel kQs8AddSse41 = {"qs8_add__sse41", Run};

}  // namespace octet
