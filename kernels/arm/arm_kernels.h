// The Arm kernels, defined one per file in kernels/arm/ and gathered into
// kernel sets by kernels/arm/kernel_sets.cc.
#pragma once

#include "kernels/kernel_table.h"

namespace octet {

// NEON: aarch64 (base ISA) and armv7 (-mfpu=neon).
extern const Conv2DKernel kConv2D_2x8c8__neon;
extern const FullyConnectedKernel kFullyConnected_2x8c8__neon;
extern const DepthwiseConv2DKernel kDepthwise_16c__neon;
extern const AddKernel kAdd_16__neon;
extern const MaxPool2DKernel kMaxPool2D__neon;
extern const QuantizeKernel kQuantize__neon;      // VFP division + NEON rounding on armv7
extern const DequantizeKernel kDequantize__neon;  // scalar for a denormal scale on armv7
extern const StridedCopyKernel kStridedCopy__neon;
extern const AvgPool2DKernel kAvgPool2D__neon;
extern const GlobalAvgPoolKernel kGlobalAvgPool__neon;

// NEON dot product (aarch64, ARMv8.2 sdot); every other family comes from NEON.
extern const Conv2DKernel kConv2D_4x16c4__neondot;
extern const FullyConnectedKernel kFullyConnected_4x16c4__neondot;

}  // namespace octet
