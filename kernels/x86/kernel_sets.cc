// Kernel sets built for x86: scalar plus the levels whose files are compiled
// in. A level appears here once it provides at least one kernel family; a
// null family falls back to the next lower level (ResolveKernelSet).
#include "kernels/kernel_table.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {
namespace {

// Members: conv2d, dwconv2d, fully_connected, add (constant-initialized, so
// usable from any static initializer).
const KernelSet kSse41Set = {nullptr, &kQs8Dwconv2dC8Sse41, nullptr, &kQs8AddSse41};
const KernelSet kAvx2Set = {nullptr, &kQs8Dwconv2dC16Avx2, nullptr, &kQs8AddAvx2};
const KernelSet kAvx512VnniSet = {nullptr, &kQs8Dwconv2dC64Avx512Vnni, nullptr,
                                  &kQs8AddAvx512Vnni};

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
