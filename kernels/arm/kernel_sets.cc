// Kernel sets built for Arm (aarch64 and armv7): scalar plus the levels whose
// files are compiled in.
#include "kernels/kernel_table.h"

namespace octet {

const KernelSet* BuiltKernelSet(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return &kScalarKernelSet;
    default: return nullptr;
  }
}

}  // namespace octet
