// The add parameters of shape i, shared by bench_kernels and count_kernels.
// The first case is exactly that of ../shared/peers/bench.cpp
// (xnn_create_add_nd_qs8(3, 0.05, -7, 0.04, -5, 0.07, ...)), so shape i is a
// like-for-like comparison; with it no element sits exactly on a rounding
// tie. "_ties" (shape "i_ties") has round scales where about 10% of elements
// do (0.5 da + 0.7 db is a multiple of 0.1), the worst case of the add
// kernels' tie detection: kept visible on purpose.
#pragma once

#include <cstdint>

namespace octet {

struct AddCase {
  const char* suffix;
  float a_scale; int32_t a_zero_point;
  float b_scale; int32_t b_zero_point;
  float out_scale; int32_t out_zero_point;
};

inline constexpr AddCase kAddCases[] = {
    {"", 0.05f, 3, 0.04f, -7, 0.07f, -5},
    {"_ties", 0.05f, -5, 0.07f, 7, 0.1f, 3},
};

}  // namespace octet
