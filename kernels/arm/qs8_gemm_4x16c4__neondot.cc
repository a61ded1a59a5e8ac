// aarch64 NEON dot-product (ARMv8.2 `sdot`) int8 GEMM micro-kernel, 4 rows x
// 16 channels with K in blocks of 4 ("c4"), and the convolution and
// fully-connected kernels built on it (kernels/arm/qs8_gemm_ops.h).
// Compiled with -march=armv8.2-a+dotprod; selected only when cpuinfo reports
// the dot-product extension.
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/qs8_gemm_ops.h"

namespace octet {
namespace {

// sdot adds, in each int32 lane, the dot product of 4 int8 pairs; no
// intermediate narrower than int32, so no range condition beyond int8.
//
// Registers for one 8-deep step:
//   a_r        : int8x8       A[r][k..k+7]; lane pair h (4 bytes) = taps 4h..4h+3
//   b[h][q]    : int8x16      channels 4q..4q+3 x taps 4h..4h+3 (4 bytes each)
//   acc[r][q]  : int32x4      C[r][4q..4q+3], final (no reduction needed)
//   acc[r][q] += sdot(b[h][q], a_r lane h)   for h = 0, 1 and q = 0..3
// Panel weights: per block of 8 taps, half h: 16 channels x 4 taps (64 bytes).
struct Gemm4x16c4NeonDot {
  static constexpr int kMr = 4, kNr = 16;

  static void PackWeights(const int8_t* w, size_t w_stride, int nc, int k, int kpad,
                          int8_t* dst) {
    for (int kb = 0; kb < kpad; kb += 4) {
      for (int j = 0; j < kNr; ++j) {
        for (int t = 0; t < 4; ++t) {
          *dst++ = (j < nc && kb + t < k) ? w[size_t(j) * w_stride + kb + t] : int8_t{0};
        }
      }
    }
  }

  static void Run(const GemmArgs& g) {
    switch (g.mr) {  // a tile of fewer rows (M tails, M = 1) does only their work
      case 1: return RunRows<1>(g);
      case 2: return RunRows<2>(g);
      case 3: return RunRows<3>(g);
      default: return RunRows<4>(g);
    }
  }

  template <int kRows>
  static void RunRows(const GemmArgs& g) {
    const int8_t* a[kRows];
    int8_t* c[kRows];
    for (int r = 0; r < kRows; ++r) {
      a[r] = g.a + size_t(r) * g.a_stride;
      c[r] = g.c + size_t(r) * g.c_stride;
    }
    const int32_t* header = reinterpret_cast<const int32_t*>(g.panel);
    const int8_t* w = g.panel + 3 * kNr * sizeof(int32_t);

    // The accumulators start at the folded bias.
    int32x4_t bias[4];
    for (int q = 0; q < 4; ++q) bias[q] = vld1q_s32(header + 4 * q);
    int32x4_t acc[kRows][4];
    for (int r = 0; r < kRows; ++r) {
      for (int q = 0; q < 4; ++q) acc[r][q] = bias[q];
    }
    for (int k = 0; k < g.kpad; k += 8) {
      int8x8_t va[kRows];
      for (int r = 0; r < kRows; ++r) {
        va[r] = vld1_s8(a[r]);
        a[r] += 8;
      }
      int8x16_t b0[4], b1[4];
      for (int q = 0; q < 4; ++q) {
        b0[q] = vld1q_s8(w + 16 * q);
        b1[q] = vld1q_s8(w + 64 + 16 * q);
      }
      w += 128;
      for (int r = 0; r < kRows; ++r) {
        for (int q = 0; q < 4; ++q) {
          acc[r][q] = vdotq_lane_s32(acc[r][q], b0[q], va[r], 0);
          acc[r][q] = vdotq_lane_s32(acc[r][q], b1[q], va[r], 1);
        }
      }
    }

    int32x4_t mul[4], sh[4];
    for (int q = 0; q < 4; ++q) {
      mul[q] = vld1q_s32(header + kNr + 4 * q);
      sh[q] = vld1q_s32(header + 2 * kNr + 4 * q);
    }
    const OutputStage& out = *g.out;
    for (int r = 0; r < kRows; ++r) {
      int32x4_t v[4];
      for (int q = 0; q < 4; ++q) v[q] = RequantizeQ31(acc[r][q], mul[q], sh[q]);
      const int8x16_t bytes = vcombine_s8(out(v[0], v[1]), out(v[2], v[3]));
      if (g.nc == kNr) {
        vst1q_s8(c[r], bytes);
      } else {
        int8_t tmp[kNr];
        vst1q_s8(tmp, bytes);
        std::memcpy(c[r], tmp, size_t(g.nc));
      }
    }
  }
};

}  // namespace

const Conv2DKernel kConv2D_4x16c4__neondot =
    MakeConv2DKernel<Gemm4x16c4NeonDot>("qs8_conv2d_4x16c4__neondot");
const FullyConnectedKernel kFullyConnected_4x16c4__neondot =
    MakeFullyConnectedKernel<Gemm4x16c4NeonDot>("qs8_fully_connected_4x16c4__neondot");

}  // namespace octet
