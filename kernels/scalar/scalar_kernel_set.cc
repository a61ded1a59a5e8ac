// The scalar kernel set: the reference kernels behind the op-level interface
// (no packing, no scratch: they read the model's filter and folded bias).
#include "kernels/kernel_table.h"
#include "kernels/reference_ops.h"

namespace octet {
namespace {

template <typename Params>
size_t NoBytes(const Params&) {
  return 0;
}

template <typename Params>
void NoPack(const Params&, const int8_t*, const int32_t*, void*) {}

void Conv2DRun(const Conv2DParams& p, const int8_t* input, const int8_t* filter,
               const int32_t* bias, const void*, void*, int8_t* output) {
  qs8_conv2d__scalar(p, input, filter, bias, output);
}

void DepthwiseRun(const DepthwiseConv2DParams& p, const int8_t* input, const int8_t* filter,
                  const int32_t* bias, const void*, void*, int8_t* output) {
  qs8_dwconv2d__scalar(p, input, filter, bias, output);
}

void FullyConnectedRun(const FullyConnectedParams& p, const int8_t* input, const int8_t* filter,
                       const int32_t* bias, const void*, void*, int8_t* output) {
  qs8_fully_connected__scalar(p, input, filter, bias, output);
}

const Conv2DKernel kConv2D = {"qs8_conv2d__scalar", NoBytes<Conv2DParams>, NoPack<Conv2DParams>,
                              NoBytes<Conv2DParams>, Conv2DRun};
const DepthwiseConv2DKernel kDepthwise = {
    "qs8_dwconv2d__scalar", NoBytes<DepthwiseConv2DParams>, NoPack<DepthwiseConv2DParams>,
    NoBytes<DepthwiseConv2DParams>, DepthwiseRun};
const FullyConnectedKernel kFullyConnected = {
    "qs8_fully_connected__scalar", NoBytes<FullyConnectedParams>,
    NoPack<FullyConnectedParams>, NoBytes<FullyConnectedParams>, FullyConnectedRun};
const AddKernel kAdd = {"qs8_add__scalar", qs8_add__scalar};
const MaxPool2DKernel kMaxPool2D = {"qs8_maxpool2d__scalar", qs8_maxpool2d__scalar};
const QuantizeKernel kQuantize = {"qs8_quantize__scalar", qs8_quantize__scalar};
const DequantizeKernel kDequantize = {"qs8_dequantize__scalar", qs8_dequantize__scalar};
const StridedCopyKernel kStridedCopy = {"x8_strided_copy__scalar", x8_strided_copy__scalar};
const AvgPool2DKernel kAvgPool2D = {"qs8_avgpool2d__scalar", qs8_avgpool2d__scalar};
const GlobalAvgPoolKernel kGlobalAvgPool = {"qs8_global_avgpool__scalar",
                                            qs8_global_avgpool__scalar};

}  // namespace

const KernelSet kScalarKernelSet = {&kConv2D,      &kDepthwise,    &kFullyConnected,
                                    &kAdd,         &kMaxPool2D,    &kQuantize,
                                    &kDequantize,  &kStridedCopy,  &kAvgPool2D,
                                    &kGlobalAvgPool};

}  // namespace octet
