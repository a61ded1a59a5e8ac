// NEON (aarch64 and armv7) int8 GEMM micro-kernel, 2 rows x 8 channels with
// K in blocks of 8 ("c8"), and the convolution and fully-connected kernels
// built on it (kernels/arm/qs8_gemm_ops.h).
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/qs8_gemm_ops.h"

namespace octet {
namespace {

// Without a dot-product instruction, int8 products are formed 8 at a time by
// vmull_s8 (int16 lanes), a second 8 are added by vmlal_s8, and vpadalq_s16
// folds the int16 pairs into int32. The int16 sum of two products cannot
// overflow because weights are symmetric int8 in [-127, 127] (octet's
// numeric contract; the runtime rejects -128): |x w| <= 128 * 127 = 16256.
//
// Registers for one 16-deep step (row r, channel j):
//   a_r      : int8x8 x 2    A[r][k..k+7], A[r][k+8..k+15]
//   b_j      : int8x8 x 2    B[j][k..k+7], B[j][k+8..k+15] (panel order below)
//   acc[r][j]: int32x4       4 partial sums of C[r][j], reduced at the end
// Panel weights: per block of 8 taps, channel 0's 8 taps, channel 1's, ... 7's.
struct Gemm2x8c8Neon {
  static constexpr int kMr = 2, kNr = 8;

  static void PackWeights(const int8_t* w, size_t w_stride, int nc, int k, int kpad,
                          int8_t* dst) {
    for (int kb = 0; kb < kpad; kb += 8) {
      for (int j = 0; j < kNr; ++j) {
        for (int t = 0; t < 8; ++t) {
          *dst++ = (j < nc && kb + t < k) ? w[size_t(j) * w_stride + kb + t] : int8_t{0};
        }
      }
    }
  }

  static void Run(const GemmArgs& g) {
    if (g.mr > 1) {
      RunRows<2>(g);
    } else {
      RunRows<1>(g);  // M tails and M = 1 (an FC on one row) do only their work
    }
  }

  // kRows == 1 reads row 0 as "row 1" too; the compiler drops that row's
  // instructions, which feed nothing that is stored.
  template <int kRows>
  static void RunRows(const GemmArgs& g) {
    const int8_t* a0 = g.a;
    const int8_t* a1 = kRows > 1 ? g.a + g.a_stride : g.a;
    const int32_t* header = reinterpret_cast<const int32_t*>(g.panel);
    const int8_t* w = g.panel + 3 * kNr * sizeof(int32_t);

    int32x4_t acc0[kNr], acc1[kNr];
    for (int j = 0; j < kNr; ++j) acc0[j] = acc1[j] = vdupq_n_s32(0);

    int k = g.kpad;
    for (; k >= 16; k -= 16) {
      const int8x8_t a0lo = vld1_s8(a0), a0hi = vld1_s8(a0 + 8);
      const int8x8_t a1lo = vld1_s8(a1), a1hi = vld1_s8(a1 + 8);
      a0 += 16;
      a1 += 16;
      for (int j = 0; j < kNr; ++j) {
        const int8x8_t blo = vld1_s8(w + 8 * j), bhi = vld1_s8(w + 64 + 8 * j);
        acc0[j] = vpadalq_s16(acc0[j], vmlal_s8(vmull_s8(blo, a0lo), bhi, a0hi));
        acc1[j] = vpadalq_s16(acc1[j], vmlal_s8(vmull_s8(blo, a1lo), bhi, a1hi));
      }
      w += 128;
    }
    if (k != 0) {  // one block of 8 left
      const int8x8_t va0 = vld1_s8(a0), va1 = vld1_s8(a1);
      for (int j = 0; j < kNr; ++j) {
        const int8x8_t b = vld1_s8(w + 8 * j);
        acc0[j] = vpadalq_s16(acc0[j], vmull_s8(b, va0));
        acc1[j] = vpadalq_s16(acc1[j], vmull_s8(b, va1));
      }
    }

    const int32x4_t bias_lo = vld1q_s32(header), bias_hi = vld1q_s32(header + 4);
    const int32x4_t mul_lo = vld1q_s32(header + kNr), mul_hi = vld1q_s32(header + kNr + 4);
    const int32x4_t sh_lo = vld1q_s32(header + 2 * kNr), sh_hi = vld1q_s32(header + 2 * kNr + 4);
    const OutputStage& out = *g.out;
    const int8x8_t c0 = out(
        RequantizeQ31(vaddq_s32(ReduceAdd4(acc0[0], acc0[1], acc0[2], acc0[3]), bias_lo), mul_lo, sh_lo),
        RequantizeQ31(vaddq_s32(ReduceAdd4(acc0[4], acc0[5], acc0[6], acc0[7]), bias_hi), mul_hi, sh_hi));
    const int8x8_t c1 = kRows == 1 ? c0 : out(
        RequantizeQ31(vaddq_s32(ReduceAdd4(acc1[0], acc1[1], acc1[2], acc1[3]), bias_lo), mul_lo, sh_lo),
        RequantizeQ31(vaddq_s32(ReduceAdd4(acc1[4], acc1[5], acc1[6], acc1[7]), bias_hi), mul_hi, sh_hi));
    if (g.nc == kNr) {
      vst1_s8(g.c, c0);
      if (kRows > 1) vst1_s8(g.c + g.c_stride, c1);
    } else {
      int8_t tmp[2][kNr];
      vst1_s8(tmp[0], c0);
      vst1_s8(tmp[1], c1);
      std::memcpy(g.c, tmp[0], size_t(g.nc));
      if (kRows > 1) std::memcpy(g.c + g.c_stride, tmp[1], size_t(g.nc));
    }
  }
};

}  // namespace

const Conv2DKernel kConv2D_2x8c8__neon = MakeConv2DKernel<Gemm2x8c8Neon>("qs8_conv2d_2x8c8__neon");
const FullyConnectedKernel kFullyConnected_2x8c8__neon =
    MakeFullyConnectedKernel<Gemm2x8c8Neon>("qs8_fully_connected_2x8c8__neon");

}  // namespace octet
