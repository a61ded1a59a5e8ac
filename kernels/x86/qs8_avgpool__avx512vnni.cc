// AVERAGE_POOL_2D and GLOBAL_AVERAGE_POOL_2D at the AVX-512 level (F and BW
// only): blocks of 64 channels, then 32, 16 and 8 (x86/qs8_avgpool.h),
// bit-exact with the scalar reference.
#include "kernels/x86/qs8_avgpool.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// Step 3 of x86/qs8_avgpool.h on 16 lanes; the compares give masks.
struct Requant512 {
  __m512i bias, multiplier, mask, half, round, one, zero_point, lo, hi, qmin, qmax;
  __m128i left_shift, left, right;
  explicit Requant512(const AvgPoolRequantScalars& s)
      : bias(_mm512_set1_epi32(s.bias)),
        multiplier(_mm512_set1_epi32(s.multiplier)),
        mask(_mm512_set1_epi32(s.mask)),
        half(_mm512_set1_epi32(s.half)),
        round(_mm512_set1_epi64(int64_t{1} << 31)),
        one(_mm512_set1_epi32(1)),
        zero_point(_mm512_set1_epi32(s.output_zero_point)),
        lo(_mm512_set1_epi32(-512)),
        hi(_mm512_set1_epi32(512)),
        qmin(_mm512_set1_epi32(s.qmin)),
        qmax(_mm512_set1_epi32(s.qmax)),
        left_shift(_mm_cvtsi32_si128(s.left_shift)),
        left(_mm_cvtsi32_si128(s.left)),
        right(_mm_cvtsi32_si128(s.right)) {}
  __m512i operator()(__m512i sum) const {
    __m512i x = _mm512_add_epi32(sum, bias);
    x = _mm512_sll_epi32(_mm512_sll_epi32(x, left_shift), left);
    __m512i even = _mm512_mul_epi32(x, multiplier);
    __m512i odd = _mm512_mul_epi32(_mm512_srli_epi64(x, 32), multiplier);
    even = _mm512_add_epi64(_mm512_add_epi64(even, even), round);
    odd = _mm512_add_epi64(_mm512_add_epi64(odd, odd), round);
    const __m512i h = _mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
    const __m512i threshold = _mm512_mask_add_epi32(
        half, _mm512_cmplt_epi32_mask(h, _mm512_setzero_si512()), half, one);
    const __mmask16 up = _mm512_cmpgt_epi32_mask(_mm512_and_si512(h, mask), threshold);
    __m512i r = _mm512_sra_epi32(h, right);
    r = _mm512_mask_add_epi32(r, up, r, one);
    r = _mm512_add_epi32(_mm512_min_epi32(_mm512_max_epi32(r, lo), hi), zero_point);
    return _mm512_min_epi32(_mm512_max_epi32(r, qmin), qmax);
  }
};

// 64 channels: int16 partials lo (0-31), hi (32-63); int32 sums 4 x 16.
struct Avx512Block64 {
  static constexpr size_t kWidth = 64;
  using Requant = Requant512;
  struct Partial {
    __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();
  };
  struct Sums {
    __m512i v[4] = {_mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(),
                    _mm512_setzero_si512()};
  };
  static void AddTap(Partial& p, const int8_t* tap) {
    const __m512i x = _mm512_loadu_si512(tap);
    p.lo = _mm512_add_epi16(p.lo, _mm512_cvtepi8_epi16(_mm512_castsi512_si256(x)));
    p.hi = _mm512_add_epi16(p.hi, _mm512_cvtepi8_epi16(_mm512_extracti64x4_epi64(x, 1)));
  }
  static void Flush(Sums& s, const Partial& p) {
    s.v[0] = _mm512_add_epi32(s.v[0], _mm512_cvtepi16_epi32(_mm512_castsi512_si256(p.lo)));
    s.v[1] = _mm512_add_epi32(s.v[1], _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(p.lo, 1)));
    s.v[2] = _mm512_add_epi32(s.v[2], _mm512_cvtepi16_epi32(_mm512_castsi512_si256(p.hi)));
    s.v[3] = _mm512_add_epi32(s.v[3], _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(p.hi, 1)));
  }
  // The clamped values fit int8, so the truncating vpmovdb is exact.
  static void Store(const Sums& s, const Requant& rq, int8_t* out) {
    for (int k = 0; k < 4; ++k) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 16 * k), _mm512_cvtepi32_epi8(rq(s.v[k])));
    }
  }
};

}  // namespace

const AvgPool2DKernel kQs8Avgpool2dAvx512Vnni = {
    "qs8_avgpool2d__avx512vnni",
    AvgPoolDriver<Avx512Block64, Avx2Block32, Sse41Block16, Sse41Block8>};
const GlobalAvgPoolKernel kQs8GlobalAvgpoolAvx512Vnni = {
    "qs8_global_avgpool__avx512vnni",
    GlobalAvgPoolDriver<Avx512Block64, Avx2Block32, Sse41Block16, Sse41Block8>};

}  // namespace octet
