// Kernel sets built for x86: scalar plus the levels whose files are compiled
// in. A level appears here once it provides at least one kernel family; a
// null family falls back to the next lower level (ResolveKernelSet).
#include "kernels/kernel_table.h"
#include "kernels/x86/avx512vnni_kernels.h"
#include "kernels/x86/qs8_gemm.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// Members: conv2d, dwconv2d, fully_connected, add, maxpool2d, quantize,
// dequantize, strided_copy, avgpool2d, global_avgpool (constant-initialized, so usable from any static
// initializer). The strided copy exists at SSE4.1 only (pshufb is enough for
// its interleave); AVX2 and AVX-512 take it by fallback.
const KernelSet kSse41Set = {&qs8_conv2d__sse41,       &kQs8Dwconv2dC8Sse41,
                             &qs8_fully_connected__sse41, &kQs8AddSse41,
                             &kQs8Maxpool2dSse41,      &kQs8QuantizeSse41,
                             &kQs8DequantizeSse41,     &kX8StridedCopySse41,
                             &kQs8Avgpool2dSse41,      &kQs8GlobalAvgpoolSse41};
const KernelSet kAvx2Set = {&qs8_conv2d__avx2,       &kQs8Dwconv2dC16Avx2,
                            &qs8_fully_connected__avx2, &kQs8AddAvx2,
                            &kQs8Maxpool2dAvx2,      &kQs8QuantizeAvx2,
                            &kQs8DequantizeAvx2,     nullptr,
                            &kQs8Avgpool2dAvx2,      &kQs8GlobalAvgpoolAvx2};
const KernelSet kAvx512VnniSet = {&qs8_conv2d__avx512vnni,       &kQs8Dwconv2dC64Avx512Vnni,
                                  &qs8_fully_connected__avx512vnni, &kQs8AddAvx512Vnni,
                                  &kQs8Maxpool2dAvx512Vnni,      &kQs8QuantizeAvx512Vnni,
                                  &kQs8DequantizeAvx512Vnni,     nullptr,
                                  &kQs8Avgpool2dAvx512Vnni,      &kQs8GlobalAvgpoolAvx512Vnni};

}  // namespace

const KernelSet* BuiltKernelSet(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return &kScalarKernelSet;
    case Isa::kSse41: return &kSse41Set;
    case Isa::kAvx2: return &kAvx2Set;
    case Isa::kAvx512Vnni: return &kAvx512VnniSet;
    default: return nullptr;
  }
}

}  // namespace octet
