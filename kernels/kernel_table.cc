// Resolution of an ISA level's kernel set, with per-family fallback.
#include "kernels/kernel_table.h"

namespace octet {

Isa FallbackIsa(Isa isa) {
  switch (isa) {
    case Isa::kAvx512Vnni: return Isa::kAvx2;
    case Isa::kAvx2: return Isa::kSse41;
    case Isa::kNeonDot: return Isa::kNeon;
    case Isa::kSse41:
    case Isa::kNeon:
    case Isa::kScalar: return Isa::kScalar;
  }
  return Isa::kScalar;
}

KernelSet ResolveKernelSet(Isa isa) {
  KernelSet resolved;
  for (Isa level = isa;; level = FallbackIsa(level)) {
    if (const KernelSet* set = BuiltKernelSet(level)) {
      if (!resolved.conv2d) resolved.conv2d = set->conv2d;
      if (!resolved.dwconv2d) resolved.dwconv2d = set->dwconv2d;
      if (!resolved.fully_connected) resolved.fully_connected = set->fully_connected;
      if (!resolved.add) resolved.add = set->add;
      if (!resolved.maxpool2d) resolved.maxpool2d = set->maxpool2d;
      if (!resolved.quantize) resolved.quantize = set->quantize;
      if (!resolved.dequantize) resolved.dequantize = set->dequantize;
      if (!resolved.strided_copy) resolved.strided_copy = set->strided_copy;
      if (!resolved.avgpool2d) resolved.avgpool2d = set->avgpool2d;
      if (!resolved.global_avgpool) resolved.global_avgpool = set->global_avgpool;
    }
    if (level == Isa::kScalar) return resolved;
  }
}

}  // namespace octet
