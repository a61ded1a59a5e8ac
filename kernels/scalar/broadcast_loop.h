// The loop nest shared by the broadcasting elementwise kernels (scalar files
// only): visits the rows of a BroadcastShape in output order.
#pragma once

#include <cstdint>

#include "kernels/reference_ops.h"

namespace octet {
namespace scalar {

// Calls row(a_offset, b_offset, out_offset, n, a_step, b_step) for each
// innermost row: n outputs at out + out_offset, reading a at a_offset +
// i * a_step and b at b_offset + i * b_step (steps are 0 or 1 after
// collapsing, but any stride works).
template <typename Row>
inline void ForEachBroadcastRow(const BroadcastShape& s, Row row) {
  const int64_t* n = s.shape;
  const int64_t* sa = s.a_stride;
  const int64_t* sb = s.b_stride;
  int64_t out = 0;
  for (int64_t i0 = 0; i0 < n[0]; ++i0)
    for (int64_t i1 = 0; i1 < n[1]; ++i1)
      for (int64_t i2 = 0; i2 < n[2]; ++i2)
        for (int64_t i3 = 0; i3 < n[3]; ++i3)
          for (int64_t i4 = 0; i4 < n[4]; ++i4) {
            const int64_t a = i0 * sa[0] + i1 * sa[1] + i2 * sa[2] + i3 * sa[3] + i4 * sa[4];
            const int64_t b = i0 * sb[0] + i1 * sb[1] + i2 * sb[2] + i3 * sb[3] + i4 * sb[4];
            row(a, b, out, n[5], sa[5], sb[5]);
            out += n[5];
          }
}

}  // namespace scalar
}  // namespace octet
