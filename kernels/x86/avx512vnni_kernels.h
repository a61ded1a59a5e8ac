// The AVX-512 VNNI op-level kernels (defined in their own files, compiled
// with AVX-512 flags; this header needs none).
#pragma once

#include "kernels/kernel_table.h"

namespace octet {

extern const Conv2DKernel qs8_conv2d__avx512vnni;
extern const FullyConnectedKernel qs8_fully_connected__avx512vnni;

}  // namespace octet
