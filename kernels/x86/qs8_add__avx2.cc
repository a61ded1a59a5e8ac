// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// AVX2: 64 elements per step by a linear fixed-point form with tie detection
// (qs8_add_fast.h), and two exact schemes (bounded and general) for vectors
// with an element near a tie and parameters the fast form cannot take.
#include <immintrin.h>

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

// The general exact scheme on 8 int32 lanes of raw inputs: the reference's
// RDBPOT(SRDHM((sa + sb) << lso, Mo), rso), without the output zero point.
struct ExactAdd {
  Multiplier ma, mb, mo;
  __m128i left;
  __m256i za, zb;
  explicit ExactAdd(const AddParams& p)
      : ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift),
        mo(p.output_multiplier, p.output_shift) {
    left = _mm_cvtsi32_si128(p.left_shift);
    za = _mm256_set1_epi32(p.a_zero_point);
    zb = _mm256_set1_epi32(p.b_zero_point);
  }
  __m256i Lanes(__m256i a, __m256i b) const {
    const __m256i xa = _mm256_sub_epi32(a, za), xb = _mm256_sub_epi32(b, zb);
    return mo.Apply(_mm256_add_epi32(ma.Apply(_mm256_sll_epi32(xa, left)),
                                     mb.Apply(_mm256_sll_epi32(xb, left))));
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
  __m256i mo, nudge, gate;
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
    return true;
  }
  __m256i Lanes(__m256i xa, __m256i xb) const {
    const __m256i x = _mm256_sll_epi32(_mm256_add_epi32(a.Apply(xa), b.Apply(xb)), lso);
    const __m256i even = _mm256_add_epi64(_mm256_mul_epi32(x, mo), nudge);
    const __m256i odd = _mm256_add_epi64(_mm256_mul_epi32(_mm256_srli_epi64(x, 32), mo), nudge);
    const __m256i h =
        _mm256_blend_epi32(_mm256_srli_epi64(even, 31), _mm256_slli_epi64(odd, 1), 0xAA);
    return _mm256_sra_epi32(_mm256_add_epi32(h, _mm256_and_si256(_mm256_srai_epi32(x, 31), gate)),
                            rso);
  }
};

// zo + the exact result (ExactAdd or BoundedExactAdd) for the 8 elements of
// one pair vector (dwords [0, a, 0, b], below).
template <class Exact>
inline __m256i ExactPairs(const Exact& exact, __m256i x, __m256i zo) {
  const __m256i xa = _mm256_srai_epi32(_mm256_slli_epi32(x, 16), 24);
  const __m256i xb = _mm256_srai_epi32(x, 24);
  return _mm256_add_epi32(exact.Lanes(xa, xb), zo);
}

// 32 elements as four vectors of dwords [0, a, 0, b] (int16 pairs (256 a,
// 256 b)):
//   ab_lo = a0 b0 a1 b1 .. a7 b7 | a16 b16 .. a23 b23     (per 128-bit lane L)
//   x[0]  = [0 a0 0 b0] .. [0 a3 0 b3] | [0 a16 0 b16] ..  elements 16L + 0..3
//   x[1] = 16L + 4..7, x[2] = 16L + 8..11, x[3] = 16L + 12..15,
// so the in-lane packs of the four results restore the natural order.
inline void Interleave(__m256i va, __m256i vb, __m256i x[4]) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i lo = _mm256_unpacklo_epi8(va, vb), hi = _mm256_unpackhi_epi8(va, vb);
  x[0] = _mm256_unpacklo_epi8(zero, lo);
  x[1] = _mm256_unpackhi_epi8(zero, lo);
  x[2] = _mm256_unpacklo_epi8(zero, hi);
  x[3] = _mm256_unpackhi_epi8(zero, hi);
}

inline __m256i Load32(const int8_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Four vectors of 8 int32 results (zero point included) in the layout above,
// saturated to int8 and clamped to [qmin, qmax] when kClamp.
template <bool kClamp>
inline __m256i Pack(const __m256i r[4], __m256i qmin, __m256i qmax) {
  __m256i q = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
  if (kClamp) q = _mm256_min_epi8(_mm256_max_epi8(q, qmin), qmax);
  return q;
}

// Calls block(a, b, out) for each 32 elements from a, b, out; the tail goes
// through zero-padded copies.
template <typename Block>
inline void ForEachBlock(size_t n, const int8_t* a, const int8_t* b, int8_t* out, Block block) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) block(a + i, b + i, out + i);
  if (i < n) {
    int8_t ta[32] = {}, tb[32] = {}, to[32];
    std::memcpy(ta, a + i, n - i);
    std::memcpy(tb, b + i, n - i);
    block(ta, tb, to);
    std::memcpy(out + i, to, n - i);
  }
}

// The exact scheme for every element. Full blocks widen the inputs with
// vpmovsxbd, 8 consecutive elements per vector (cheaper than extracting them
// from the pair layout); after the in-lane packs dword 4L + v holds elements
// 8v + 4L + 0..3, and one vpermd restores the order. The tail goes through
// the pair layout on zero-padded copies.
template <class Exact, bool kClamp>
void ExactRun(const Exact& exact, const AddParams& p, size_t n, const int8_t* a, const int8_t* b,
              int8_t* out) {
  const __m256i zo = _mm256_set1_epi32(p.output_zero_point);
  const __m256i qmin = _mm256_set1_epi8(static_cast<char>(p.qmin));
  const __m256i qmax = _mm256_set1_epi8(static_cast<char>(p.qmax));
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i r[4];
    for (int v = 0; v < 4; ++v) {
      const __m256i xa = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + i + 8 * v)));
      const __m256i xb = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b + i + 8 * v)));
      r[v] = _mm256_add_epi32(exact.Lanes(xa, xb), zo);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i),
                        _mm256_permutevar8x32_epi32(Pack<kClamp>(r, qmin, qmax), order));
  }
  ForEachBlock(n - i, a + i, b + i, out + i, [&](const int8_t* pa, const int8_t* pb, int8_t* po) {
    __m256i x[4], r[4];
    Interleave(Load32(pa), Load32(pb), x);
    for (int v = 0; v < 4; ++v) r[v] = ExactPairs(exact, x[v], zo);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(po), Pack<kClamp>(r, qmin, qmax));
  });
}

// The fast path (qs8_add_fast.h), per pair vector x of 8 elements:
//   t = D + pmaddwd(x, (Ph, Qh)) + pmaddwd(x >> 8, (Pl, Ql)) = a P + b Q + D
//   unsafe lanes: (t & band) == 0, tested for the eight vectors of 64
//   elements at once on the min_epu32 of their (t & band);
//   result t >> k (zero point included).
// A block with an unsafe lane is redone out of line (Redo), where each
// vector with an unsafe lane is recomputed exactly as a whole.
template <class Exact, bool kClamp>
class FastAddRun {
 public:
  FastAddRun(const Exact& exact, const AddParams& p, const x86::FastAdd& f)
      : exact_(exact),
        high_(_mm256_set1_epi32(f.HighPair())),
        low_(_mm256_set1_epi32(f.LowPair())),
        d_(_mm256_set1_epi32(f.d)),
        band_(_mm256_set1_epi32(f.band)),
        zo_(_mm256_set1_epi32(p.output_zero_point)),
        qmin_(_mm256_set1_epi8(static_cast<char>(p.qmin))),
        qmax_(_mm256_set1_epi8(static_cast<char>(p.qmax))),
        k_(_mm_cvtsi32_si128(f.k)) {}

  // Returns how many elements it did: n, or fewer when most blocks had an
  // element near a tie (scales in simple ratios), so that the caller does
  // the rest with the exact scheme alone (cheaper than fast + redo then).
  size_t Run(size_t n, const int8_t* a, const int8_t* b, int8_t* out) const {
    size_t i = 0, exact_vectors = 0;
    for (; i + 64 <= n; i += 64) {
      __m256i r0[4], r1[4];
      const __m256i least =
          _mm256_min_epu32(Block(a + i, b + i, r0), Block(a + i + 32, b + i + 32, r1));
      const __m256i unsafe = _mm256_cmpeq_epi32(least, _mm256_setzero_si256());
      if (_mm256_testz_si256(unsafe, unsafe)) {
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), Pack<kClamp>(r0, qmin_, qmax_));
        _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i + 32),
                            Pack<kClamp>(r1, qmin_, qmax_));
        continue;
      }
      exact_vectors += Redo(a + i, b + i, out + i);
      exact_vectors += Redo(a + i + 32, b + i + 32, out + i + 32);
      if (x86::TooManyTies(exact_vectors, (i + 64) / 8)) return i + 64;
    }
    ForEachBlock(n - i, a + i, b + i, out + i,
                 [&](const int8_t* pa, const int8_t* pb, int8_t* po) { Redo(pa, pb, po); });
    return n;
  }

 private:
  // r = t >> k for the 32 elements from a, b; returns the min_epu32 of the
  // four (t & band), zero in the lanes of unsafe elements.
  __m256i Block(const int8_t* a, const int8_t* b, __m256i r[4]) const {
    __m256i x[4], least;
    Interleave(Load32(a), Load32(b), x);
    for (int v = 0; v < 4; ++v) {
      const __m256i t = Linear(x[v]);
      const __m256i frac = _mm256_and_si256(t, band_);
      least = v == 0 ? frac : _mm256_min_epu32(least, frac);
      r[v] = _mm256_sra_epi32(t, k_);
    }
    return least;
  }
  __m256i Linear(__m256i x) const {
    return _mm256_add_epi32(_mm256_add_epi32(d_, _mm256_madd_epi16(x, high_)),
                            _mm256_madd_epi16(_mm256_srai_epi16(x, 8), low_));
  }
  // 32 elements, with the exact scheme for every vector that has an unsafe lane.
  // Returns how many vectors took the exact scheme.
  [[gnu::noinline]] size_t Redo(const int8_t* a, const int8_t* b, int8_t* out) const {
    __m256i x[4], r[4];
    size_t exact = 0;
    Interleave(Load32(a), Load32(b), x);
    for (int v = 0; v < 4; ++v) {
      const __m256i t = Linear(x[v]);
      const __m256i unsafe = _mm256_cmpeq_epi32(_mm256_and_si256(t, band_), _mm256_setzero_si256());
      if (_mm256_testz_si256(unsafe, unsafe)) {
        r[v] = _mm256_sra_epi32(t, k_);
      } else {
        r[v] = ExactPairs(exact_, x[v], zo_);
        ++exact;
      }
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), Pack<kClamp>(r, qmin_, qmax_));
    return exact;
  }

  const Exact& exact_;
  __m256i high_, low_, d_, band_, zo_, qmin_, qmax_;
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

const AddKernel kQs8AddAvx2 = {"qs8_add__avx2", Run};

}  // namespace octet
