// Elementwise int8 add (TFLite fixed-point scheme, qs8_add__scalar's bits),
// AVX2: 32 elements per step.
#include <immintrin.h>

#include "kernels/kernel_table.h"
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

void Run(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  const Multiplier ma(p.a_multiplier, p.a_shift), mb(p.b_multiplier, p.b_shift);
  const Multiplier mo(p.output_multiplier, p.output_shift);
  const __m128i left = _mm_cvtsi32_si128(p.left_shift);
  const __m256i za = _mm256_set1_epi32(p.a_zero_point), zb = _mm256_set1_epi32(p.b_zero_point);
  const __m256i zo = _mm256_set1_epi16(static_cast<int16_t>(p.output_zero_point));
  const __m256i qmin = _mm256_set1_epi8(static_cast<char>(p.qmin));
  const __m256i qmax = _mm256_set1_epi8(static_cast<char>(p.qmax));
  // After the in-lane packs, dword 4L + k holds elements 8k + 4L + 0..3.
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    __m256i r[4];
    for (int k = 0; k < 4; ++k) {
      const __m256i xa = _mm256_sub_epi32(
          _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(a + i + 8 * k))), za);
      const __m256i xb = _mm256_sub_epi32(
          _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(b + i + 8 * k))), zb);
      const __m256i sum = _mm256_add_epi32(ma.Apply(_mm256_sll_epi32(xa, left)),
                                           mb.Apply(_mm256_sll_epi32(xb, left)));
      r[k] = mo.Apply(sum);
    }
    const __m256i lo = _mm256_adds_epi16(_mm256_packs_epi32(r[0], r[1]), zo);
    const __m256i hi = _mm256_adds_epi16(_mm256_packs_epi32(r[2], r[3]), zo);
    __m256i q = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(lo, hi), order);
    q = _mm256_min_epi8(_mm256_max_epi8(q, qmin), qmax);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + i), q);
  }
  if (i < n) qs8_add__scalar(p, n - i, a + i, b + i, out + i);
}

}  // namespace

const AddKernel kQs8AddAvx2 = {"qs8_add__avx2", Run};

}  // namespace octet
