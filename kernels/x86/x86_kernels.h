// The x86 kernels of octet, one object per kernel family x tile x ISA, each
// defined in its own per-ISA source file (compiled with that ISA's flags) and
// collected into the per-level sets by kernel_sets.cc.
#pragma once

#include "kernels/kernel_table.h"

namespace octet {

extern const DepthwiseConv2DKernel kQs8Dwconv2dC64Avx512Vnni;
extern const DepthwiseConv2DKernel kQs8Dwconv2dC16Avx2;
extern const DepthwiseConv2DKernel kQs8Dwconv2dC8Sse41;

extern const AddKernel kQs8AddAvx512Vnni;
extern const AddKernel kQs8AddAvx2;
extern const AddKernel kQs8AddSse41;

extern const MaxPool2DKernel kQs8Maxpool2dAvx512Vnni;
extern const MaxPool2DKernel kQs8Maxpool2dAvx2;
extern const MaxPool2DKernel kQs8Maxpool2dSse41;

extern const QuantizeKernel kQs8QuantizeAvx512Vnni;
extern const QuantizeKernel kQs8QuantizeAvx2;
extern const QuantizeKernel kQs8QuantizeSse41;
extern const DequantizeKernel kQs8DequantizeAvx512Vnni;
extern const DequantizeKernel kQs8DequantizeAvx2;
extern const DequantizeKernel kQs8DequantizeSse41;

extern const StridedCopyKernel kX8StridedCopySse41;

extern const AvgPool2DKernel kQs8Avgpool2dAvx512Vnni;
extern const AvgPool2DKernel kQs8Avgpool2dAvx2;
extern const AvgPool2DKernel kQs8Avgpool2dSse41;
extern const GlobalAvgPoolKernel kQs8GlobalAvgpoolAvx512Vnni;
extern const GlobalAvgPoolKernel kQs8GlobalAvgpoolAvx2;
extern const GlobalAvgPoolKernel kQs8GlobalAvgpoolSse41;

}  // namespace octet
