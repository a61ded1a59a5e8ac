// AVERAGE_POOL_2D and GLOBAL_AVERAGE_POOL_2D at AVX2: blocks of 32, then 16
// and 8 channels (x86/qs8_avgpool.h), bit-exact with the scalar reference.
#include "kernels/x86/qs8_avgpool.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {

const AvgPool2DKernel kQs8Avgpool2dAvx2 = {
    "qs8_avgpool2d__avx2", AvgPoolDriver<Avx2Block32, Sse41Block16, Sse41Block8>};
const GlobalAvgPoolKernel kQs8GlobalAvgpoolAvx2 = {
    "qs8_global_avgpool__avx2", GlobalAvgPoolDriver<Avx2Block32, Sse41Block16, Sse41Block8>};

}  // namespace octet
