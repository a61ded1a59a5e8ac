// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// SSE4.1: 16 elements per step by a linear fixed-point form with tie
// detection (qs8_add_fast.h), and the exact scheme for vectors with an
// element near a tie and parameters the fast form cannot take.
#include <smmintrin.h>

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

// zo + the exact result for the 4 elements of one pair vector (dwords
// [0, a, 0, b], below).
inline __m128i ExactPairs(const ExactAdd& exact, __m128i x, __m128i zo) {
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

template <bool kClamp>
void ExactRun(const ExactAdd& exact, const AddParams& p, size_t n, const int8_t* a,
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
template <bool kClamp>
class FastAddRun {
 public:
  FastAddRun(const ExactAdd& exact, const AddParams& p, const x86::FastAdd& f)
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
    size_t i = 0, redone = 0;
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
      Redo(a + i, b + i, out + i);
      if (++redone * 4 > i / 16 + 32) return i + 16;
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
  [[gnu::noinline]] void Redo(const int8_t* a, const int8_t* b, int8_t* out) const {
    __m128i x[4], r[4];
    Interleave(Load16(a), Load16(b), x);
    for (int v = 0; v < 4; ++v) {
      const __m128i t = Linear(x[v]);
      const __m128i unsafe = _mm_cmpeq_epi32(_mm_and_si128(t, band_), _mm_setzero_si128());
      r[v] = _mm_testz_si128(unsafe, unsafe) ? _mm_sra_epi32(t, k_) : ExactPairs(exact_, x[v], zo_);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), Pack<kClamp>(r, qmin_, qmax_));
  }

  const ExactAdd& exact_;
  __m128i high_, low_, d_, band_, zo_, qmin_, qmax_;
  __m128i k_;
};

template <bool kClamp>
void RunWith(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  const ExactAdd exact(p);
  x86::FastAdd f;
  size_t done = 0;
  if (x86::SetUpFastAdd(p, &f)) done = FastAddRun<kClamp>(exact, p, f).Run(n, a, b, out);
  ExactRun<kClamp>(exact, p, n - done, a + done, b + done, out + done);
}

void Run(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  // The int8 saturation of the packs is the clamp when [qmin, qmax] is the full range.
  if (p.qmin > -128 || p.qmax < 127) {
    RunWith<true>(p, n, a, b, out);
  } else {
    RunWith<false>(p, n, a, b, out);
  }
}

}  // namespace

const AddKernel kQs8AddSse41 = {"qs8_add__sse41", Run};

}  // namespace octet
