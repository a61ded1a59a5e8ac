// Plain-C++ set-up of the x86 add kernels' fast path (no ISA flags; shared by
// the per-ISA files through an anonymous namespace).
//
// The scheme, t = a P + b Q + D with result t >> k and the tie test
// (t & band) == 0, is derived in kernels/qs8_add_linear.h (shared with NEON);
// this file splits P and Q for the x86 instructions.
//
// Products. The inputs are interleaved into dwords of bytes [0, a, 0, b],
// i.e. int16 pairs (256 a, 256 b), and P, Q are split as P = 256 Ph + Pl with
// Pl in [0, 256) (Ph = floor(P / 256) in int16):
//     t = D + (256 a) Ph + (256 b) Qh        vpdpwssd / pmaddwd on the pairs
//           + a Pl + b Ql                    vpdpbusd on the same dwords
//                                            (bytes [0, Pl, 0, Ql] x [0, a, 0, b]),
//                                            or pmaddwd on the pairs >> 8.
// Each product fits int32 (|256 a Ph| <= 2^30) and t does (checked below),
// so the wrapping adds of the instructions give t exactly.
#pragma once

#include <cstdint>

#include "kernels/qs8_add_linear.h"

namespace octet {
namespace x86 {
namespace {

struct FastAdd {
  int16_t ph, qh;  // floor(P / 256), floor(Q / 256)
  uint8_t pl, ql;  // P mod 256, Q mod 256
  int32_t d;       // D = C + M
  int32_t k;       // t's fraction bits
  int32_t band;    // bits j..k-1: an element is unsafe iff (t & band) == 0

  // The pair coefficients as one dword each: words (Ph, Qh), and bytes
  // [0, Pl, 0, Ql] (for vpdpbusd) or words (Pl, Ql) (for pmaddwd on pairs >> 8).
  int32_t HighPair() const {
    return static_cast<int32_t>((static_cast<uint32_t>(static_cast<uint16_t>(qh)) << 16) |
                                static_cast<uint16_t>(ph));
  }
  int32_t LowBytes() const {
    return static_cast<int32_t>((static_cast<uint32_t>(ql) << 24) | (static_cast<uint32_t>(pl) << 8));
  }
  int32_t LowPair() const {
    return static_cast<int32_t>((static_cast<uint32_t>(ql) << 16) | pl);
  }
};

// Returns false when the fast path cannot be made exact with enough margin
// (then the exact path handles every element): k in [12, 22], Ph and Qh in
// int16.
inline bool SetUpFastAdd(const AddParams& p, FastAdd* f) {
  LinearAdd lin;
  auto fits = [](const LinearAdd& c) {
    const int64_t ph = c.p >> 8, qh = c.q >> 8;  // floor: pl, ql in [0, 256)
    return ph >= -32768 && ph <= 32767 && qh >= -32768 && qh <= 32767;
  };
  if (!SetUpLinearAdd(p, 22, 12, fits, &lin)) return false;
  const int64_t ph = lin.p >> 8, qh = lin.q >> 8;
  f->ph = static_cast<int16_t>(ph);
  f->qh = static_cast<int16_t>(qh);
  f->pl = static_cast<uint8_t>(lin.p - ph * 256);
  f->ql = static_cast<uint8_t>(lin.q - qh * 256);
  f->d = lin.d;
  f->k = lin.k;
  f->band = lin.band;
  return true;
}

using ::octet::TooManyTies;

}  // namespace
}  // namespace x86
}  // namespace octet
