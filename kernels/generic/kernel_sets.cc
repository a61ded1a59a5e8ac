// Kernel sets for architectures without SIMD kernels in octet: scalar only.
#include "kernels/kernel_table.h"

namespace octet {

const KernelSet* BuiltKernelSet(Isa isa) {
  return isa == Isa::kScalar ? &kScalarKernelSet : nullptr;
}

}  // namespace octet
