// Kernel sets built for Arm (aarch64 and armv7): scalar, NEON, and on aarch64
// NEON dot product. OCTET_ARM_NEONDOT is defined (on this file only) by
// kernels/CMakeLists.txt when the dot-product files were compiled in.
#include "kernels/arm/arm_kernels.h"

namespace octet {
namespace {

// Members: conv2d, dwconv2d, fully_connected, add, maxpool2d, quantize,
// dequantize, strided_copy, avgpool2d, global_avgpool.
const KernelSet kNeonSet = {&kConv2D_2x8c8__neon, &kDepthwise_16c__neon,
                            &kFullyConnected_2x8c8__neon, &kAdd_16__neon,
                            &kMaxPool2D__neon,     &kQuantize__neon,
                            &kDequantize__neon,    &kStridedCopy__neon,
                            &kAvgPool2D__neon,     &kGlobalAvgPool__neon};
#if OCTET_ARM_NEONDOT
// Only conv and fully connected have a dot-product form: every other family
// is taken from NEON (per-family fallback).
const KernelSet kNeonDotSet = {&kConv2D_4x16c4__neondot, nullptr,
                               &kFullyConnected_4x16c4__neondot, nullptr};
constexpr const KernelSet* kNeonDot = &kNeonDotSet;
#else
constexpr const KernelSet* kNeonDot = nullptr;
#endif

}  // namespace

const KernelSet* BuiltKernelSet(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return &kScalarKernelSet;
    case Isa::kNeon: return &kNeonSet;
    case Isa::kNeonDot: return kNeonDot;
    default: return nullptr;
  }
}

}  // namespace octet
