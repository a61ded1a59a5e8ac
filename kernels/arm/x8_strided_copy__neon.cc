// Strided gather (TRANSPOSE, SLICE) on NEON (aarch64 and armv7): the
// interleave of 2, 3 or 4 planes (an NCHW -> NHWC transpose of a 2-4 channel
// image, as at a model's float input) with vst2q/vst3q/vst4q, 16 pixels a
// step; every other layout runs the reference loop (x8_strided_copy__scalar).
// Byte moves only, so exact.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"

namespace octet {
namespace {

// One innermost block: out[i * C + p] = in[p * plane_stride + i] for i < n.
// 16 pixels a step: one vld1q per plane into val[p], one structure store,
// which writes val[0][0] val[1][0] ... val[C-1][0] val[0][1] ..., i.e.
// 16 pixels of C interleaved channels.
template <int C>
void Interleave(size_t n, int64_t plane_stride, const int8_t* in, int8_t* out) {
  const uint8_t* src = reinterpret_cast<const uint8_t*>(in);
  uint8_t* dst = reinterpret_cast<uint8_t*>(out);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    if constexpr (C == 2) {
      uint8x16x2_t v;
      v.val[0] = vld1q_u8(src + i);
      v.val[1] = vld1q_u8(src + plane_stride + i);
      vst2q_u8(dst + i * 2, v);
    } else if constexpr (C == 3) {
      uint8x16x3_t v;
      v.val[0] = vld1q_u8(src + i);
      v.val[1] = vld1q_u8(src + plane_stride + i);
      v.val[2] = vld1q_u8(src + 2 * plane_stride + i);
      vst3q_u8(dst + i * 3, v);
    } else {
      uint8x16x4_t v;
      v.val[0] = vld1q_u8(src + i);
      v.val[1] = vld1q_u8(src + plane_stride + i);
      v.val[2] = vld1q_u8(src + 2 * plane_stride + i);
      v.val[3] = vld1q_u8(src + 3 * plane_stride + i);
      vst4q_u8(dst + i * 4, v);
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

const StridedCopyKernel kStridedCopy__neon = {"x8_strided_copy__neon", StridedCopy};

}  // namespace octet
