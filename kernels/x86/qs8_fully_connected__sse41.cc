// FULLY_CONNECTED (SSE4.1; -msse4.1): input rows widened to int16, times weights
// packed for qs8_gemm_6x8c2__sse41.
#include "kernels/x86/qs8_gemm.h"
#include "kernels/x86/qs8_gemm_driver.h"

namespace octet {
namespace {

using Fc = FullyConnectedGemm<6, 8>;

void Run(const FullyConnectedParams& p, const int8_t* input, const int8_t*, const int32_t*,
         const void* packed, void* scratch, int8_t* output) {
  Fc::Run(p, qs8_gemm_6x8c2__sse41, input, packed, scratch, output);
}

}  // namespace

const FullyConnectedKernel qs8_fully_connected__sse41 = {
    "qs8_fully_connected__sse41 (qs8_gemm_6x8c2__sse41)", Fc::PackedBytes, Fc::Pack, Fc::ScratchBytes, Run};

}  // namespace octet
