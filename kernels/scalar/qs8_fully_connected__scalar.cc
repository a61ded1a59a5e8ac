// Scalar reference fully-connected layer (input [batch, K] times filter
// [N, K] transposed): the specification for every optimized int8 GEMM.
#include "kernels/reference.h"
#include "kernels/requant.h"

namespace octet {

// Accumulator range: the true accumulator sum_k (x_k - z_in) * w_k + b is
// bounded by K * 255 * 127 + |b|. The products x_k * w_k are summed first
// (|partial| <= K * 128 * 127) and the folded bias is added last, so int32 is
// exact whenever the runtime has checked K * 255 * 127 + max|b| < 2^31.
void qs8_fully_connected__scalar(const FullyConnectedParams& p, const int8_t* input,
                                 const int8_t* filter, const int32_t* bias, int8_t* output) {
  const int k_size = p.input_features;
  const RequantParams& rq = p.requant;
  for (int row = 0; row < p.batch; ++row) {
    const int8_t* x = input + static_cast<size_t>(row) * k_size;
    int8_t* out = output + static_cast<size_t>(row) * p.output_features;
    for (int nc = 0; nc < p.output_features; ++nc) {
      const int8_t* w = filter + static_cast<size_t>(nc) * k_size;
      int32_t acc = 0;
      for (int k = 0; k < k_size; ++k) {
        acc += static_cast<int32_t>(x[k]) * static_cast<int32_t>(w[k]);
      }
      if (bias != nullptr) acc += bias[nc];
      out[nc] = RequantizeToInt8(acc, rq.multiplier[nc], rq.shift[nc], rq.output_zero_point,
                                 rq.qmin, rq.qmax);
    }
  }
}

}  // namespace octet
