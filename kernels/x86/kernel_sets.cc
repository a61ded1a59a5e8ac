// Kernel sets built for x86: scalar plus the levels whose files are compiled
// in. A level appears here once it provides at least one kernel family; a
// null family falls back to the next lower level (kernels/kernel_table.cc).
#include "kernels/kernel_table.h"
#include "kernels/x86/avx512vnni_kernels.h"
#include "kernels/x86/qs8_gemm.h"

namespace octet {
namespace {

// AVX-512 VNNI: convolution and fully connected; depthwise and add come
// from the lower levels (per-family fallback, kernels/kernel_table.cc).
const KernelSet kAvx512VnniKernelSet = {&qs8_conv2d__avx512vnni, nullptr,
                                        &qs8_fully_connected__avx512vnni, nullptr};
const KernelSet kSse41KernelSet = {&qs8_conv2d__sse41, nullptr, &qs8_fully_connected__sse41,
                                   nullptr};
const KernelSet kAvx2KernelSet = {&qs8_conv2d__avx2, nullptr, &qs8_fully_connected__avx2,
                                  nullptr};

}  // namespace

const KernelSet* BuiltKernelSet(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return &kScalarKernelSet;
    case Isa::kAvx512Vnni: return &kAvx512VnniKernelSet;
    case Isa::kSse41: return &kSse41KernelSet;
    case Isa::kAvx2: return &kAvx2KernelSet;
    default: return nullptr;
  }
}

}  // namespace octet
