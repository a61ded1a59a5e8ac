// Scalar reference int8 softmax over the innermost axis with a tabulated
// exponential, and the table itself.
#include <algorithm>
#include <cmath>

#include "kernels/reference_ops.h"

namespace octet {

// Theory. softmax(x)_i = exp(beta s (x_i - max)) / sum_j exp(beta s (x_j -
// max)) depends only on d = max - x in [0, 255], so exp is a 256-entry table
// of Q30 values (computed once by the converter: every platform then gets
// the same bits). e <= 2^30 and S <= depth * 2^30 fit int64 for any depth
// below 2^33; 512 e + S < 2^63 likewise. The quotient 256 e / S is rounded
// half up by floor((512 e + S) / (2 S)); a row of one dominant element gives
// 256 - 128 = 128, clamped to 127 (int8 cannot represent probability 1 on
// the scale 1/256).
void qs8_softmax__scalar(const SoftmaxParams& p, const int32_t* exp_table, const int8_t* input,
                         int8_t* output) {
  const size_t depth = static_cast<size_t>(p.depth);
  for (size_t r = 0; r < p.outer; ++r) {
    const int8_t* x = input + r * depth;
    int8_t* y = output + r * depth;
    int32_t max = -128;
    for (size_t i = 0; i < depth; ++i) max = std::max<int32_t>(max, x[i]);
    int64_t sum = 0;
    for (size_t i = 0; i < depth; ++i) sum += exp_table[max - x[i]];
    for (size_t i = 0; i < depth; ++i) {
      const int64_t e = exp_table[max - x[i]];
      const int64_t q = (512 * e + sum) / (2 * sum) - 128;
      y[i] = static_cast<int8_t>(std::min<int64_t>(q, 127));
    }
  }
}

void ComputeSoftmaxExpTable(float beta, float input_scale, int32_t table[256]) {
  const double k = static_cast<double>(beta) * static_cast<double>(input_scale);
  for (int d = 0; d < 256; ++d) {
    double v = std::round(std::ldexp(std::exp(-k * d), 30));
    // Only reachable when the precondition is broken; keeps the table valid.
    if (!(v >= 0.0)) v = 0.0;
    if (v > 1073741824.0) v = 1073741824.0;
    table[d] = static_cast<int32_t>(v);
  }
}

}  // namespace octet
