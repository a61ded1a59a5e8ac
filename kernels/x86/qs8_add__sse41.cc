// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// SSE4.1: 16 elements per step.
#include <smmintrin.h>

#include <cstring>

#include "kernels/kernel_table.h"
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

inline __m128i Load4(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm_cvtepi8_epi32(_mm_cvtsi32_si128(v));
}

void Run(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  const Multiplier ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift);
  const Multiplier mo(p.output_multiplier, p.output_shift);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  const __m128i za = _mm_set1_epi32(p.a_zero_point), zb = _mm_set1_epi32(p.b_zero_point);
  const __m128i zo = _mm_set1_epi16(static_cast<int16_t>(p.output_zero_point));
  const __m128i qmin = _mm_set1_epi8(static_cast<char>(p.qmin));
  const __m128i qmax = _mm_set1_epi8(static_cast<char>(p.qmax));
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i r[4];
    for (int k = 0; k < 4; ++k) {
      const __m128i xa = _mm_sub_epi32(Load4(a + i + 4 * k), za);
      const __m128i xb = _mm_sub_epi32(Load4(b + i + 4 * k), zb);
      r[k] = mo.Apply(_mm_add_epi32(ma.Apply(_mm_sll_epi32(xa, left)),
                                    mb.Apply(_mm_sll_epi32(xb, left))));
    }
    const __m128i lo = _mm_adds_epi16(_mm_packs_epi32(r[0], r[1]), zo);
    const __m128i hi = _mm_adds_epi16(_mm_packs_epi32(r[2], r[3]), zo);
    __m128i q = _mm_packs_epi16(lo, hi);
    q = _mm_min_epi8(_mm_max_epi8(q, qmin), qmax);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i), q);
  }
  if (i < n) qs8_add__scalar(p, n - i, a + i, b + i, out + i);
}

}  // namespace

const AddKernel kQs8AddSse41 = {"qs8_add__sse41", Run};

}  // namespace octet
