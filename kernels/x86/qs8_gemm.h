// x86 int8 GEMM micro-kernels (SSE4.1, AVX2) and the op-level conv / fully
// connected kernels built on them: declarations and the packed-tile layout.
//
// Theory of operation
// -------------------
// Every CONV_2D and FULLY_CONNECTED is one GEMM per group:
//     C[m, n] = requant(sum_k A[m, k] * B[k, n] + bias[n])
// with m = output pixel (or FC row), n = output channel, k = filter tap
// (ky, kx, ic) in the filter's own order. The exact int16 products
// x * w (|x| <= 128, |w| <= 127) are summed in int32 with (v)pmaddwd, which
// adds two adjacent products: the "c2" in the tile names. So both operands
// are laid out as k-pairs:
//   A  rows of int16 (sign-extended from int8 at run time into scratch,
//      im2col for general convolutions), K padded to even with zeros; the
//      micro-kernel broadcasts one int32 = (A[m,2p], A[m,2p+1]) per row.
//   B  packed once at prepare time, per tile of NR output channels:
//        int32   bias[NR]                      folded bias (0 past the edge)
//        RequantBlock<NR>                      per-channel requantization
//        int16   w[kc][NR][2]                  (B[2p,n], B[2p+1,n]), 0-padded
//      stored already widened: sign-extending int8 weights in the inner
//      loop (vpmovsxbw) cost ~8% on the long-K shapes (f, h) because it
//      competes with vpmaddwd/vpaddd for the vector ALUs; the price is twice
//      the packed-weight memory (x86 desktops, not the Arm boards).
// The accumulators start from the bias, so the finished int32 sum is the
// exact `acc` of kernels/reference.h, requantized in registers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/kernel_table.h"

namespace octet {

// Requantization constants of NR output channels in the forms the SIMD
// epilogues want (see the derivation in qs8_gemm_driver.h). Plain data, the
// same layout for every ISA; each ISA reads the members it needs.
template <int NR>
struct RequantBlock {
  int32_t mul[NR];        // M0[n]
  int32_t mul_odd[NR];    // lane 2i holds M0[2i+1] (for pmuldq on odd lanes)
  int32_t right[NR];      // e = max(-shift, 0)
  int32_t left[NR];       // max(shift, 0)
  int32_t mask[NR];       // 2^e - 1
  int32_t half[NR];       // (2^e - 1) >> 1
  int32_t pow_right[NR];  // 2^(31 - e) for e >= 1 (shift by multiply), else 0
  int32_t pow_right_odd[NR];  // lane 2i holds pow_right[2i+1]
  int32_t pow_left[NR];   // 2^max(shift, 0) (left shift by multiply)
  int32_t is_e0[NR];      // -1 where e == 0, else 0
  int64_t nudge_even[NR / 2];  // fast path: 2^30 + 2^(30+e) of channel 2i
  int64_t nudge_odd[NR / 2];   // ... of channel 2i+1
};

// What the epilogue needs besides the per-channel block.
struct GemmEpilogue {
  int32_t output_zero_point;
  int32_t qmin, qmax;
  bool fast;  // every channel qualifies for the bounded fast path (chosen in pack)
};

// C[mr x nr] = requant(A[mr x 2kc] * tile). `a` holds mr rows of 2*kc int16
// (row stride a_stride int16), `tile` one packed tile of NR channels, `c`
// mr rows of nr <= NR int8 (row stride c_stride bytes). mr in [1, MR].
using GemmMicroKernel = void (*)(int mr, int nr, size_t kc, const int16_t* a, size_t a_stride,
                                 const void* tile, int8_t* c, size_t c_stride,
                                 const GemmEpilogue& epilogue);

void qs8_gemm_6x16c2__avx2(int mr, int nr, size_t kc, const int16_t* a, size_t a_stride,
                           const void* tile, int8_t* c, size_t c_stride,
                           const GemmEpilogue& epilogue);
void qs8_gemm_6x8c2__sse41(int mr, int nr, size_t kc, const int16_t* a, size_t a_stride,
                           const void* tile, int8_t* c, size_t c_stride,
                           const GemmEpilogue& epilogue);

// Op-level kernels (kernels/kernel_table.h) over those micro-kernels.
extern const Conv2DKernel qs8_conv2d__avx2;
extern const FullyConnectedKernel qs8_fully_connected__avx2;
extern const Conv2DKernel qs8_conv2d__sse41;
extern const FullyConnectedKernel qs8_fully_connected__sse41;

}  // namespace octet
