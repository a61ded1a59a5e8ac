// Plain-C++ set-up of the add kernels' linear fast path, shared by the x86
// (x86/qs8_add_fast.h) and NEON (arm/qs8_add_neon_setup.h) kernels. No ISA
// flags; everything is in an anonymous namespace, so each ISA file that
// includes it gets its own copy (no one-definition clash between copies
// compiled with different -m flags).
//
// Theory. qs8_add__scalar computes, per element, with da = a - za, db = b - zb,
//     sa = RDBPOT(SRDHM(da << (left + lsa), Ma), rsa),  sb likewise,
//     out = clamp(zo + RDBPOT(SRDHM((sa + sb) << lso, Mo), rso)).
// Each step is a linear map plus a rounding error: sa = da Ka + e (|e| <= 1,
// Ka = Ma 2^(left + lsa - 31 - rsa)), and the output, before its last
// rounding, is v = (sa + sb) Ko + e' with Ko = Mo 2^(lso - 31 - rso) and
// |e'| <= 2^-(rso + 1). So v is within E = 2 Ko + 2^-(rso + 1) of the linear
// form w = da Ka Ko + db Kb Ko, and out = floor(v + zo + 1/2) (clamped)
// unless v is within E of a half-integer. The fast path evaluates
//     U = a P + b Q + C  ~  (w + zo + 1/2) 2^k
// with integer P, Q, C (|U - exact| <= 128.5 + slack = kSlack in 2^-k units)
// and takes floor(U / 2^k) whenever U mod 2^k is at least M = E 2^k + kSlack
// away from a multiple of 2^k: then U and the exact value lie in the same
// unit interval and the result is the reference's.
//
// The kernels compute t = U + M = a P + b Q + D (D = C + M) and call an
// element safe when (t mod 2^k) >= 2^j, with 2^j the least power of two
// >= 2M: then U mod 2^k = (t mod 2^k) - M lies in [2^j - M, 2^k - M), inside
// [M, 2^k - M), and floor(t / 2^k) = floor(U / 2^k) (no carry). The unsafe
// test is "bits j..k-1 of t are all zero": `band` holds those bits. Elements
// near a tie (a fraction 2^j / 2^k, about 1e-4 for irregular scales) are
// recomputed exactly. |t| < 2^30 for all int8 a, b (checked below).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "kernels/reference.h"

namespace octet {
namespace {

struct LinearAdd {
  int64_t p, q;   // t = a P + b Q + D
  int32_t d;
  int32_t k;      // t's fraction bits
  int32_t band;   // bits j..k-1: an element is unsafe iff (t & band) == 0
};

// Tries k = k_max down to k_min and stores in *f the first candidate that
// `accept(candidate)` takes (the ISA's own constraints on P, Q: how it splits
// them into its multiplier widths). Returns false when the fast path cannot
// be made exact with enough margin (then the exact path handles every
// element).
template <class Accept>
inline bool SetUpLinearAdd(const AddParams& p, int k_max, int k_min, Accept accept, LinearAdd* f) {
  auto split = [](int shift, int* l, int* r) {
    *l = shift > 0 ? shift : 0;
    *r = shift > 0 ? 0 : -shift;
  };
  int lsa, rsa, lsb, rsb, lso, rso;
  split(p.a_shift, &lsa, &rsa);
  split(p.b_shift, &lsb, &rsb);
  split(p.output_shift, &lso, &rso);
  // The reference's shifts must not wrap: 255 * 2^(left + ls) < 2^31.
  if (p.left_shift < 0 || p.left_shift + lsa > 22 || p.left_shift + lsb > 22) return false;
  const double ka = std::ldexp(static_cast<double>(p.a_multiplier), p.left_shift + lsa - 31 - rsa);
  const double kb = std::ldexp(static_cast<double>(p.b_multiplier), p.left_shift + lsb - 31 - rsb);
  const double ko = std::ldexp(static_cast<double>(p.output_multiplier), lso - 31 - rso);
  // |sa + sb| <= 255 (Ka + Kb) + 2, shifted left by lso, must not wrap either.
  if ((255.0 * (ka + kb) + 2.0) * std::ldexp(1.0, lso) >= 2147483647.0) return false;
  const double e = 2.0 * ko + std::ldexp(1.0, -(rso + 1));
  constexpr double kSlack = 131.0;  // 128.5 coefficient rounding, plus double error
  for (int k = k_max; k >= k_min; --k) {
    const double scale = std::ldexp(1.0, k);
    const double pr = std::nearbyint(ka * ko * scale);
    const double qr = std::nearbyint(kb * ko * scale);
    const double c = std::nearbyint((p.output_zero_point + 0.5 - (p.a_zero_point * ka + p.b_zero_point * kb) * ko) * scale);
    const double m = std::ceil(e * scale) + kSlack;
    int j = 0;
    while (std::ldexp(1.0, j) < 2.0 * m) ++j;
    if (j > k - 4) return false;  // more than 1/16 of the elements near ties
    // |t| bound, with room: |a|, |b| <= 128.
    if (128.0 * (std::fabs(pr) + std::fabs(qr)) + std::fabs(c) + m + 512.0 >= 1073741824.0) continue;
    LinearAdd candidate;
    candidate.p = static_cast<int64_t>(pr);
    candidate.q = static_cast<int64_t>(qr);
    candidate.d = static_cast<int32_t>(static_cast<int64_t>(c) + static_cast<int64_t>(m));
    candidate.k = k;
    candidate.band = static_cast<int32_t>(((int64_t{1} << k) - 1) & ~((int64_t{1} << j) - 1));
    if (!accept(candidate)) continue;
    *f = candidate;
    return true;
  }
  return false;
}

// Whether to leave the fast path for the exact scheme alone: true once more
// than half of the `vectors` done so far (past a warm-up of a few dozen) had
// to be recomputed exactly, as with scales in simple ratios (e.g. 0.05, 0.07,
// 0.1, where ~10% of the elements sit on exact ties, so that ~80% of 16-lane
// and ~57% of 8-lane vectors hold one). A recomputed vector costs the fast
// form twice plus the exact one, so past about that share the exact scheme
// alone is cheaper.
inline bool TooManyTies(size_t exact_vectors, size_t vectors) {
  return exact_vectors * 2 > vectors + 64;
}

}  // namespace
}  // namespace octet
