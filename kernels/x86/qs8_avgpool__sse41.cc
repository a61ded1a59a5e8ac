// AVERAGE_POOL_2D and GLOBAL_AVERAGE_POOL_2D at SSE4.1: blocks of 16 and 8
// channels (x86/qs8_avgpool.h), bit-exact with the scalar reference.
#include "kernels/x86/qs8_avgpool.h"
#include "kernels/x86/x86_kernels.h"

namespace octet {

const AvgPool2DKernel kQs8Avgpool2dSse41 = {"qs8_avgpool2d__sse41",
                                            AvgPoolDriver<Sse41Block16, Sse41Block8>};
const GlobalAvgPoolKernel kQs8GlobalAvgpoolSse41 = {
    "qs8_global_avgpool__sse41", GlobalAvgPoolDriver<Sse41Block16, Sse41Block8>};

}  // namespace octet
