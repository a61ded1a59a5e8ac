// Plain-C++ set-up of the NEON add kernel's linear fast path (no NEON
// header: the tests check its rule on every host). The scheme, t = a P + b Q
// + D with result t >> k and the tie test (t & band) == 0, is derived in
// kernels/qs8_add_linear.h (shared with x86).
//
// Products. P and Q are split as P = 256 Ph + Pl with Pl in [-128, 128)
// (Ph = round(P / 256) in int16), and
//     lo = a Pl + b Ql                   vmull_s8 + vmlal_s8 (int16, 8 lanes)
//     t  = (D + lo) + (256 a) Ph + (256 b) Qh
//                                        vaddw_s16, then vmlal_s16 twice on
//                                        vshll_n_s8(a, 8) = 256 a (int16)
// |a Pl + b Ql| <= 2 * 128 * 128 = 2^15 with equality only for a = b = -128
// and Pl = Ql = -128 (refused below), so lo never wraps; |256 a Ph| <= 2^30
// and t fit int32, so the wrapping adds give t exactly. k lies in [17, 22]:
// t >> k is the high halves of t (t >> 16, |t| < 2^30 fits int16) shifted
// right by k - 16 with a saturating narrow to int8 (one instruction for 8
// lanes; a template parameter, as the shift is an immediate).
#pragma once

#include <cstdint>

#include "kernels/qs8_add_linear.h"

namespace octet {
namespace arm {
namespace {

struct NeonFastAdd {
  int16_t ph, qh;  // round(P / 256), round(Q / 256)
  int8_t pl, ql;   // P - 256 Ph, Q - 256 Qh, in [-128, 128), not both -128
  int32_t d;       // D = C + M
  int32_t k;       // t's fraction bits, in [17, 22]
  int32_t band;    // bits j..k-1: an element is unsafe iff (t & band) == 0
};

constexpr int kNeonAddMinK = 17, kNeonAddMaxK = 22;

inline bool SetUpNeonFastAdd(const AddParams& p, NeonFastAdd* f) {
  auto high = [](int64_t v) { return (v + 128) >> 8; };  // low part v - 256 high in [-128, 128)
  auto fits = [&](const LinearAdd& c) {
    const int64_t ph = high(c.p), qh = high(c.q);
    if (ph < -32768 || ph > 32767 || qh < -32768 || qh > 32767) return false;
    return !(c.p - ph * 256 == -128 && c.q - qh * 256 == -128);
  };
  LinearAdd lin;
  if (!SetUpLinearAdd(p, kNeonAddMaxK, kNeonAddMinK, fits, &lin)) return false;
  const int64_t ph = high(lin.p), qh = high(lin.q);
  f->ph = static_cast<int16_t>(ph);
  f->qh = static_cast<int16_t>(qh);
  f->pl = static_cast<int8_t>(lin.p - ph * 256);
  f->ql = static_cast<int8_t>(lin.q - qh * 256);
  f->d = lin.d;
  f->k = lin.k;
  f->band = lin.band;
  return true;
}

}  // namespace
}  // namespace arm
}  // namespace octet
