// Kernel sets built for x86: scalar plus the levels whose files are compiled
// in. A level appears here once it provides at least one kernel family.
#include "kernels/kernel_table.h"

namespace octet {

const KernelSet* BuiltKernelSet(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return &kScalarKernelSet;
    default: return nullptr;
  }
}

}  // namespace octet
