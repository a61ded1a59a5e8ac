// Strided gather (TRANSPOSE, SLICE) at SSE4.1: the interleave of 2, 3 or 4
// planes (an NCHW -> NHWC transpose of a 2-4 channel image, as at a model's
// float input) with pshufb, 16 pixels a step; every other layout runs the
// reference loop (x8_strided_copy__scalar). Byte moves only, so exact.
#include <smmintrin.h>

#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// One innermost block: out[i * C + p] = in[p * plane_stride + i] for i < n.
//
// 16 pixels a step: one load per plane (x_p = 16 bytes of plane p), C output
// vectors; output byte j of vector v is pixel (16 v + j) / C of plane
// (16 v + j) % C, so each output vector is the OR of C pshufbs, one per
// plane, whose mask holds that pixel index where the plane matches and 0x80
// (zero) elsewhere:
//
//   C = 3:  out0 = x0[0] x1[0] x2[0] x0[1] x1[1] x2[1] ... x0[5]
//           out1 = x1[5] x2[5] x0[6] ...                  x1[10]
//           out2 = x2[10] x0[11] ...                      x2[15]
template <int C>
void Interleave(size_t n, int64_t plane_stride, const int8_t* in, int8_t* out) {
  __m128i mask[C][C];  // [output vector][plane]
  for (int v = 0; v < C; ++v) {
    for (int p = 0; p < C; ++p) {
      alignas(16) int8_t m[16];
      for (int j = 0; j < 16; ++j) {
        const int k = 16 * v + j;
        m[j] = static_cast<int8_t>(k % C == p ? k / C : 0x80);
      }
      mask[v][p] = _mm_load_si128(reinterpret_cast<const __m128i*>(m));
    }
  }
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i x[C];
    for (int p = 0; p < C; ++p) {
      x[p] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(in + p * plane_stride + i));
    }
    for (int v = 0; v < C; ++v) {
      __m128i y = _mm_shuffle_epi8(x[0], mask[v][0]);
      for (int p = 1; p < C; ++p) y = _mm_or_si128(y, _mm_shuffle_epi8(x[p], mask[v][p]));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(out + i * C + 16 * v), y);
    }
  }
  for (; i < n; ++i) {
    for (int p = 0; p < C; ++p) out[i * C + p] = in[p * plane_stride + i];
  }
}

void StridedCopy(const StridedCopyParams& p, const int8_t* input, int8_t* output) {
  const int64_t* n = p.shape;
  const int64_t* s = p.stride;
  // The last two dims read as planes: dim 4 contiguous, dim 5 (2-4 planes)
  // strided. Anything else is the reference loop.
  void (*interleave)(size_t, int64_t, const int8_t*, int8_t*) = nullptr;
  if (s[4] == 1 && n[4] >= 16) {
    switch (n[5]) {
      case 2: interleave = Interleave<2>; break;
      case 3: interleave = Interleave<3>; break;
      case 4: interleave = Interleave<4>; break;
      default: break;
    }
  }
  if (interleave == nullptr) {
    x8_strided_copy__scalar(p, input, output);
    return;
  }
  const int8_t* base = input + p.offset;
  const size_t block = static_cast<size_t>(n[4] * n[5]);
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2)
        for (int64_t i3 = 0; i3 < n[3]; ++i3) {
          interleave(static_cast<size_t>(n[4]), s[5],
                     base + i0 * s[0] + i1 * s[1] + i2 * s[2] + i3 * s[3], output);
          output += block;
        }
}

}  // namespace

const StridedCopyKernel kX8StridedCopySse41 = {"x8_strided_copy__sse41", StridedCopy};

}  // namespace octet
