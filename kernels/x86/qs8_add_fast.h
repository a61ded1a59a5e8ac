// Plain-C++ set-up of the x86 add kernels' fast path (no ISA flags; shared by
// the per-ISA files through an anonymous namespace).
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
// unit interval and the result is the reference's. Elements near a tie (a
// fraction ~2M / 2^k, about 1e-4 for typical scales) are flagged and their
// block is recomputed exactly. Both offsets are folded: the kernel computes
// t = a P + b Q + D with D = C - M - (C - M) mod 2^8 (a multiple of 2^8, so
// the 8-bit split of P and Q below carries it), and an element is safe when
// (t mod 2^k) < limit = 2^k - 2M - 2^8.
//
// P and Q are split as P = Ph 2^8 + Pl with Pl in [0, 2^8) and Ph in int16,
// for two int16 multiply-adds over (a, b) pairs: t = ((D >> 8) + a Ph + b Qh) 2^8 + a Pl + b Ql.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/reference.h"

namespace octet {
namespace x86 {
namespace {

struct FastAdd {
  int16_t ph, qh, pl, ql;  // P, Q split into high and low parts
  int32_t d_high;          // D >> 8
  int32_t k;               // U's fraction bits
  int32_t limit;           // safe iff (t & (2^k - 1)) < limit
};

// Returns false when the fast path cannot be made exact with enough margin
// (then the exact path handles every element).
inline bool SetUpFastAdd(const AddParams& p, FastAdd* f) {
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
  for (int k = 22; k >= 12; --k) {
    const double scale = std::ldexp(1.0, k);
    const double pr = std::nearbyint(ka * ko * scale);
    const double qr = std::nearbyint(kb * ko * scale);
    const double c = std::nearbyint((p.output_zero_point + 0.5 - (p.a_zero_point * ka + p.b_zero_point * kb) * ko) * scale);
    const double m = std::ceil(e * scale) + kSlack;
    if (2.0 * m + 256.0 > scale / 16.0) return false;  // too many elements near ties
    // |t| bound, with room: |a|, |b| <= 128.
    if (128.0 * (std::fabs(pr) + std::fabs(qr)) + std::fabs(c) + m + 512.0 >= 1073741824.0) continue;
    const int64_t pi = static_cast<int64_t>(pr), qi = static_cast<int64_t>(qr);
    const int64_t dm = static_cast<int64_t>(c) - static_cast<int64_t>(m);
    const int64_t d = dm - (((dm % 256) + 256) % 256);
    const int64_t ph = pi >> 8, qh = qi >> 8;  // floor: pl, ql in [0, 256)
    if (ph < -32768 || ph > 32767 || qh < -32768 || qh > 32767) continue;
    f->ph = static_cast<int16_t>(ph);
    f->qh = static_cast<int16_t>(qh);
    f->pl = static_cast<int16_t>(pi - ph * 256);
    f->ql = static_cast<int16_t>(qi - qh * 256);
    f->d_high = static_cast<int32_t>(d / 256);
    f->k = k;
    f->limit = static_cast<int32_t>((int64_t{1} << k) - 2 * static_cast<int64_t>(m) - 256);
    return true;
  }
  return false;
}

}  // namespace
}  // namespace x86
}  // namespace octet
