// CONV_2D (AVX2; -mavx2 -mfma): im2col (or the input itself for 1x1 stride 1) rows
// widened to int16, times weights packed for qs8_gemm_6x16c2__avx2.
#include "kernels/x86/qs8_gemm.h"
#include "kernels/x86/qs8_gemm_driver.h"

namespace octet {
namespace {

using Conv = ConvGemm<6, 16>;

void Run(const Conv2DParams& p, const int8_t* input, const int8_t*, const int32_t*,
         const void* packed, void* scratch, int8_t* output) {
  Conv::Run(p, qs8_gemm_6x16c2__avx2, input, packed, scratch, output);
}

}  // namespace

const Conv2DKernel qs8_conv2d__avx2 = {"qs8_conv2d__avx2 (qs8_gemm_6x16c2__avx2)", Conv::PackedBytes,
                                         Conv::Pack, Conv::ScratchBytes, Run};

}  // namespace octet
