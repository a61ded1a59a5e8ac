// Numpy broadcasting of two input shapes to an output shape, collapsed into
// at most kMaxKernelRank dims of strides for the broadcasting kernels.
#include "kernels/reference_ops.h"

namespace octet {

bool MakeBroadcastShape(const int32_t* y_shape, int y_rank, const int32_t* a_shape, int a_rank,
                        const int32_t* b_shape, int b_rank, BroadcastShape* out) {
  constexpr int R = kMaxKernelRank;
  if (y_rank > R || a_rank > y_rank || b_rank > y_rank || y_rank < 0 || a_rank < 0 || b_rank < 0) {
    return false;
  }
  // Right-align all three shapes in R dims.
  int64_t y[R], a[R], b[R];
  for (int d = 0; d < R; ++d) {
    const int from_right = R - 1 - d;
    y[d] = from_right < y_rank ? y_shape[y_rank - 1 - from_right] : 1;
    a[d] = from_right < a_rank ? a_shape[a_rank - 1 - from_right] : 1;
    b[d] = from_right < b_rank ? b_shape[b_rank - 1 - from_right] : 1;
  }
  // Contiguous strides of each input, zeroed where it is broadcast.
  int64_t sa[R], sb[R];
  int64_t na = 1, nb = 1;
  for (int d = R - 1; d >= 0; --d) {
    if ((a[d] != y[d] && a[d] != 1) || (b[d] != y[d] && b[d] != 1)) return false;
    sa[d] = a[d] == 1 ? 0 : na;
    sb[d] = b[d] == 1 ? 0 : nb;
    na *= a[d];
    nb *= b[d];
  }
  // Drop size-1 dims and merge an outer dim into the inner one whenever both
  // inputs continue contiguously (stride_outer == stride_inner * size_inner;
  // two broadcast dims satisfy it with zeros).
  int64_t ks[R], ka[R], kb[R];
  int k = 0;  // kept dims, innermost first
  for (int d = R - 1; d >= 0; --d) {
    if (y[d] == 1) continue;
    if (k > 0 && sa[d] == ka[k - 1] * ks[k - 1] && sb[d] == kb[k - 1] * ks[k - 1]) {
      ks[k - 1] *= y[d];
      continue;
    }
    ks[k] = y[d];
    ka[k] = sa[d];
    kb[k] = sb[d];
    ++k;
  }
  BroadcastShape s;
  s.rank = k > 0 ? k : 1;
  for (int i = 0; i < k; ++i) {
    s.shape[R - 1 - i] = ks[i];
    s.a_stride[R - 1 - i] = ka[i];
    s.b_stride[R - 1 - i] = kb[i];
  }
  *out = s;
  return true;
}

}  // namespace octet
