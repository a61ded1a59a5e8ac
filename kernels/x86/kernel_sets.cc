// Kernel sets built for x86: scalar plus the levels whose files are compiled
// in. A level appears here once it provides at least one kernel family; a
// null family falls back to the next lower level (kernels/kernel_table.cc).
#include "kernels/kernel_table.h"
#include "kernels/x86/qs8_gemm.h"

namespace octet {
namespace {

const KernelSet kSse41KernelSet = {&qs8_conv2d__sse41, nullptr, &qs8_fully_connected__sse41,
                                   nullptr};
const KernelSet kAvx2KernelSet = {&qs8_conv2d__avx2, nullptr, &qs8_fully_connected__avx2,
                                  nullptr};

}  // namespace

const KernelSet* BuiltKernelSet(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return &kScalarKernelSet;
    case Isa::kSse41: return &kSse41KernelSet;
    case Isa::kAvx2: return &kAvx2KernelSet;
    default: return nullptr;
  }
}

}  // namespace octet
