// Bit-exactness tests of octet's requantization (kernels/requant.h) against
// gemmlowp's fixedpoint.h and a 128-bit integer reference, QNNPACK style:
// exact divisions by 2^s over all shifts and zero points, ties each way, the
// int32 extremes, and many seeded random cases.
#include "kernels/requant.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "fixedpoint/fixedpoint.h"
#include "test_random.h"

namespace octet {
namespace {

constexpr int32_t kInt32Min = std::numeric_limits<int32_t>::min();
constexpr int32_t kInt32Max = std::numeric_limits<int32_t>::max();
constexpr int32_t kQ30 = int32_t{1} << 30;  // the smallest normalized multiplier, 0.5 in Q31

// Exact integers for the contract. Every product below is int32 x int32 (plus
// 2^30), or acc * 2^ls * M0 with acc * 2^ls inside int32 (PreciseMultiply's
// precondition), so below 2^63 in magnitude: int64 is exact too, and is what
// 32-bit targets (armv7, no __int128) use.
#if defined(__SIZEOF_INT128__)
__extension__ typedef __int128 int128;
#else
typedef int64_t int128;
#endif

// ---------------------------------------------------------------------------
// Case counting. Every test counts the cases it compared and the mismatches,
// prints one "[  cases   ]" line and records them as test properties; the
// environment prints the total when the whole binary runs in one process.

struct Totals {
  uint64_t compared = 0;
  uint64_t mismatches = 0;
};
Totals& GlobalTotals() {
  static Totals totals;
  return totals;
}

class TotalsEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    std::cout << "[  cases   ] requantization total: " << GlobalTotals().compared
              << " cases compared, " << GlobalTotals().mismatches << " mismatches\n";
  }
};
::testing::Environment* const kTotalsEnvironment =
    ::testing::AddGlobalTestEnvironment(new TotalsEnvironment);

class CaseCounter {
 public:
  CaseCounter() = default;
  CaseCounter(const CaseCounter&) = delete;
  CaseCounter& operator=(const CaseCounter&) = delete;
  ~CaseCounter() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    const std::string name = std::string(info->test_suite_name()) + "." + info->name();
    std::cout << "[  cases   ] " << name << ": " << compared_ << " compared, " << mismatches_
              << " mismatches\n";
    ::testing::Test::RecordProperty("cases_compared", std::to_string(compared_));
    ::testing::Test::RecordProperty("mismatches", std::to_string(mismatches_));
    GlobalTotals().compared += compared_;
    GlobalTotals().mismatches += mismatches_;
    EXPECT_EQ(mismatches_, 0u) << "in " << name;
  }

  // Compares one case; `describe` is only evaluated on a mismatch, and only
  // the first few mismatches are reported in full.
  template <typename T, typename Describe>
  void Expect(T actual, T expected, Describe describe) {
    ++compared_;
    if (actual == expected) return;
    if (++mismatches_ <= 10) {
      ADD_FAILURE() << describe() << ": got " << static_cast<int64_t>(actual) << ", expected "
                    << static_cast<int64_t>(expected);
    }
  }

  uint64_t compared() const { return compared_; }

 private:
  uint64_t compared_ = 0;
  uint64_t mismatches_ = 0;
};

// Seeded random numbers (test_random.h) plus the int32 shapes these tests need.

class Random : public testing_util::Random {
 public:
  using testing_util::Random::Random;
  int32_t AnyInt32() { return static_cast<int32_t>(Bits()); }
  // Magnitudes spread over all bit lengths, both signs, so small values and
  // values near the limits are both common.
  int32_t MixedInt32() {
    const int bits = static_cast<int>(Bits() % 33);  // 0..32 significant bits
    const uint32_t magnitude = bits == 0 ? 0u : Bits() >> (32 - bits);
    return static_cast<int32_t>((Bits() & 1u) ? ~magnitude : magnitude);
  }
  // A normalized Q31 multiplier in [2^30, 2^31).
  int32_t Multiplier() { return static_cast<int32_t>(kQ30 | (Bits() >> 2)); }
};

// Accumulators that every "edge" sweep includes.
std::vector<int32_t> EdgeInt32Values() {
  std::vector<int32_t> v = {kInt32Min, kInt32Min + 1, kInt32Min + 2, -kQ30 - 1, -kQ30, -kQ30 + 1,
                            -65536,    -32769,        -32768,        -256,      -129,  -128,
                            -3,        -2,            -1,            0,         1,     2,
                            3,         127,           128,           255,       32767, 32768,
                            65536,     kQ30 - 1,      kQ30,          kQ30 + 1,  kInt32Max - 1,
                            kInt32Max};
  for (int k = 0; k < 31; ++k) {  // powers of two and their neighbours, both signs
    const int32_t p = int32_t{1} << k;
    for (int32_t d : {-1, 0, 1}) {
      v.push_back(p + d);
      v.push_back(-(p + d));
    }
  }
  return v;
}

// ---------------------------------------------------------------------------
// References.

// gemmlowp composed the way TFLite's MultiplyByQuantizedMultiplier does it:
// x * (1 << left_shift) (wrapping in practice; done in uint32 to avoid UB),
// then gemmlowp's high multiply and rounding shift.
int32_t GemmlowpMultiply(int32_t acc, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int32_t x = static_cast<int32_t>(static_cast<uint32_t>(acc) << left_shift);
  return gemmlowp::RoundingDivideByPOT(gemmlowp::SaturatingRoundingDoublingHighMul(x, multiplier),
                                       right_shift);
}

// floor(v / 2^e) for any int128 v (>> is an arithmetic shift in GCC/Clang).
int128 FloorDivPow2(int128 v, int e) { return v >> e; }

// v / 2^e rounded to nearest, ties away from zero.
int128 RoundHalfAwayDivPow2(int128 v, int e) {
  if (e == 0) return v;
  const int128 half = int128{1} << (e - 1);
  return v >= 0 ? (v + half) >> e : -((-v + half) >> e);
}

// The contract written with exact 128-bit integers: round-half-up of
// acc * 2^ls * M0 / 2^31, then round-half-away of that / 2^rs. Valid when
// acc * 2^ls fits int32 (no wrap) and not INT32_MIN * INT32_MIN.
int32_t PreciseMultiply(int32_t acc, int32_t multiplier, int shift) {
  const int left_shift = shift > 0 ? shift : 0;
  const int right_shift = shift > 0 ? 0 : -shift;
  const int128 product = static_cast<int128>(acc) * (int128{1} << left_shift) * multiplier;
  const int128 high = FloorDivPow2(product + (int128{1} << 30), 31);
  return static_cast<int32_t>(RoundHalfAwayDivPow2(high, right_shift));
}

// Does acc * 2^left_shift fit int32?
bool LeftShiftFits(int32_t acc, int left_shift) {
  const int64_t v = static_cast<int64_t>(acc) * (int64_t{1} << left_shift);
  return v >= kInt32Min && v <= kInt32Max;
}

std::string Describe3(const char* what, int64_t a, int64_t b, int64_t c) {
  std::ostringstream s;
  s << what << "(" << a << ", " << b << ", " << c << ")";
  return s.str();
}

// ---------------------------------------------------------------------------
// SaturatingRoundingDoublingHighMul

TEST(RequantSRDHM, MatchesGemmlowpRandom) {
  CaseCounter cases;
  Random rng(1);
  for (int i = 0; i < 1000000; ++i) {
    const int32_t a = (i & 1) ? rng.MixedInt32() : rng.AnyInt32();
    const int32_t b = (i & 2) ? rng.Multiplier() : rng.MixedInt32();
    cases.Expect(SaturatingRoundingDoublingHighMul(a, b),
                 gemmlowp::SaturatingRoundingDoublingHighMul(a, b),
                 [&] { return Describe3("SRDHM", a, b, 0); });
  }
}

TEST(RequantSRDHM, EdgeValuesMatchGemmlowpAnd128Bit) {
  CaseCounter cases;
  const std::vector<int32_t> edges = EdgeInt32Values();
  for (int32_t a : edges) {
    for (int32_t b : edges) {
      const int32_t got = SaturatingRoundingDoublingHighMul(a, b);
      cases.Expect(got, gemmlowp::SaturatingRoundingDoublingHighMul(a, b),
                   [&] { return Describe3("SRDHM vs gemmlowp", a, b, 0); });
      if (a == kInt32Min && b == kInt32Min) continue;  // the saturating case, below
      const int128 exact = FloorDivPow2(static_cast<int128>(a) * b + (int128{1} << 30), 31);
      cases.Expect(got, static_cast<int32_t>(exact),
                   [&] { return Describe3("SRDHM vs 128-bit", a, b, 0); });
    }
  }
}

TEST(RequantSRDHM, SaturatesOnlyInt32MinSquared) {
  CaseCounter cases;
  cases.Expect(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Min), kInt32Max,
               [] { return std::string("SRDHM(INT32_MIN, INT32_MIN)"); });
  cases.Expect(gemmlowp::SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Min), kInt32Max,
               [] { return std::string("gemmlowp SRDHM(INT32_MIN, INT32_MIN)"); });
  // Neighbours do not saturate: (-2^31)(-2^31 + 1) / 2^31 = 2^31 - 1 exactly.
  cases.Expect(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Min + 1), kInt32Max,
               [] { return std::string("SRDHM(INT32_MIN, INT32_MIN + 1)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(kInt32Min, kInt32Max), kInt32Min + 1,
               [] { return std::string("SRDHM(INT32_MIN, INT32_MAX)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(kInt32Max, kInt32Max), kInt32Max - 1,
               [] { return std::string("SRDHM(INT32_MAX, INT32_MAX)"); });
}

// a * 2^30 / 2^31 = a / 2: odd a is an exact tie, which rounds up (toward
// +infinity) for both signs, e.g. SRDHM(-1, 2^30) == 0, SRDHM(1, 2^30) == 1.
TEST(RequantSRDHM, TiesRoundUpBothSigns) {
  CaseCounter cases;
  cases.Expect(SaturatingRoundingDoublingHighMul(-1, kQ30), 0, [] { return std::string("SRDHM(-1, 2^30)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(1, kQ30), 1, [] { return std::string("SRDHM(1, 2^30)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(-3, kQ30), -1, [] { return std::string("SRDHM(-3, 2^30)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(3, kQ30), 2, [] { return std::string("SRDHM(3, 2^30)"); });
  Random rng(2);
  for (int i = 0; i < 100000; ++i) {
    // a odd, b = 2^30 * odd: a * b = odd * 2^30 is always a tie.
    const int32_t a = static_cast<int32_t>(rng.Bits() | 1u);
    const int32_t odd = static_cast<int32_t>(rng.Range(-1, 1) | 1);  // -1 or 1
    const int32_t b = odd * kQ30;
    const int128 tie_up = FloorDivPow2(static_cast<int128>(a) * b, 31) + 1;
    const int32_t got = SaturatingRoundingDoublingHighMul(a, b);
    cases.Expect(got, static_cast<int32_t>(tie_up), [&] { return Describe3("SRDHM tie", a, b, 0); });
    cases.Expect(got, gemmlowp::SaturatingRoundingDoublingHighMul(a, b),
                 [&] { return Describe3("SRDHM tie vs gemmlowp", a, b, 0); });
  }
  // Just below and above a tie round to the nearest.
  cases.Expect(SaturatingRoundingDoublingHighMul(-1, kQ30 - 1), 0, [] { return std::string("SRDHM(-1, 2^30-1)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(-1, kQ30 + 1), -1, [] { return std::string("SRDHM(-1, 2^30+1)"); });
  cases.Expect(SaturatingRoundingDoublingHighMul(1, kQ30 - 1), 0, [] { return std::string("SRDHM(1, 2^30-1)"); });
}

// ---------------------------------------------------------------------------
// RoundingDivideByPOT

TEST(RequantRDBPOT, MatchesGemmlowpRandomEveryExponent) {
  CaseCounter cases;
  Random rng(3);
  for (int e = 0; e <= 31; ++e) {
    for (int i = 0; i < 32768; ++i) {
      const int32_t x = (i & 1) ? rng.MixedInt32() : rng.AnyInt32();
      cases.Expect(RoundingDivideByPOT(x, e), gemmlowp::RoundingDivideByPOT(x, e),
                   [&] { return Describe3("RDBPOT", x, e, 0); });
    }
    for (int32_t x : EdgeInt32Values()) {
      const int32_t got = RoundingDivideByPOT(x, e);
      cases.Expect(got, gemmlowp::RoundingDivideByPOT(x, e),
                   [&] { return Describe3("RDBPOT edge vs gemmlowp", x, e, 0); });
      cases.Expect(got, static_cast<int32_t>(RoundHalfAwayDivPow2(x, e)),
                   [&] { return Describe3("RDBPOT edge vs 128-bit", x, e, 0); });
    }
  }
}

TEST(RequantRDBPOT, ExactDivisions) {
  CaseCounter cases;
  for (int e = 0; e <= 31; ++e) {
    const int64_t q_max = (int64_t{1} << (31 - e)) - 1;
    const int64_t q_min = -(int64_t{1} << (31 - e));
    for (int64_t q : {q_min, q_min + 1, int64_t{-1000}, int64_t{-1}, int64_t{0}, int64_t{1},
                      int64_t{7}, int64_t{1000}, q_max - 1, q_max}) {
      if (q < q_min || q > q_max) continue;
      const int32_t x = static_cast<int32_t>(q * (int64_t{1} << e));
      cases.Expect(RoundingDivideByPOT(x, e), static_cast<int32_t>(q),
                   [&] { return Describe3("RDBPOT exact", x, e, q); });
    }
    for (int64_t q = -300; q <= 300; ++q) {
      if (q < q_min || q > q_max) continue;
      const int32_t x = static_cast<int32_t>(q * (int64_t{1} << e));
      cases.Expect(RoundingDivideByPOT(x, e), static_cast<int32_t>(q),
                   [&] { return Describe3("RDBPOT exact", x, e, q); });
    }
  }
}

// (q + 1/2) * 2^e rounds away from zero: q + 1 for positive values, q for
// negative ones (-2.5 -> -3, i.e. q = -3 with x = -3 * 2^e + 2^(e-1)).
TEST(RequantRDBPOT, TiesAwayFromZeroBothSigns) {
  CaseCounter cases;
  cases.Expect(RoundingDivideByPOT(-1, 1), -1, [] { return std::string("RDBPOT(-1, 1)"); });
  cases.Expect(RoundingDivideByPOT(1, 1), 1, [] { return std::string("RDBPOT(1, 1)"); });
  cases.Expect(RoundingDivideByPOT(-5, 1), -3, [] { return std::string("RDBPOT(-5, 1)"); });
  cases.Expect(RoundingDivideByPOT(5, 1), 3, [] { return std::string("RDBPOT(5, 1)"); });
  for (int e = 1; e <= 31; ++e) {
    const int64_t half = int64_t{1} << (e - 1);
    for (int64_t q = -300; q <= 300; ++q) {
      const int64_t x = q * (int64_t{1} << e) + half;  // value q + 0.5
      if (x < kInt32Min || x > kInt32Max) continue;
      const int32_t expected = static_cast<int32_t>(x > 0 ? q + 1 : q);
      const int32_t xi = static_cast<int32_t>(x);
      cases.Expect(RoundingDivideByPOT(xi, e), expected, [&] { return Describe3("RDBPOT tie", x, e, 0); });
      cases.Expect(gemmlowp::RoundingDivideByPOT(xi, e), expected,
                   [&] { return Describe3("gemmlowp RDBPOT tie", x, e, 0); });
      // One below / above the tie rounds to the nearest (for e == 1 these
      // are the exact values q and q + 1).
      if (x - 1 >= kInt32Min) {
        cases.Expect(RoundingDivideByPOT(static_cast<int32_t>(x - 1), e), static_cast<int32_t>(q),
                     [&] { return Describe3("RDBPOT below tie", x - 1, e, 0); });
      }
      if (x + 1 <= kInt32Max) {
        cases.Expect(RoundingDivideByPOT(static_cast<int32_t>(x + 1), e), static_cast<int32_t>(q + 1),
                     [&] { return Describe3("RDBPOT above tie", x + 1, e, 0); });
      }
    }
  }
}

// ---------------------------------------------------------------------------
// MultiplyByQuantizedMultiplier

TEST(RequantMultiply, MatchesGemmlowpEveryShift) {
  CaseCounter cases;
  Random rng(4);
  const std::vector<int32_t> edges = EdgeInt32Values();
  for (int shift = -31; shift <= 30; ++shift) {
    for (int i = 0; i < 16384; ++i) {
      const int32_t acc = (i & 1) ? rng.MixedInt32() : rng.AnyInt32();
      const int32_t m = rng.Multiplier();
      cases.Expect(MultiplyByQuantizedMultiplier(acc, m, shift), GemmlowpMultiply(acc, m, shift),
                   [&] { return Describe3("MBQM", acc, m, shift); });
    }
    for (int32_t acc : edges) {
      for (int32_t m : {kQ30, kQ30 + 1, 0x5A5A5A5A, kInt32Max - 1, kInt32Max}) {
        cases.Expect(MultiplyByQuantizedMultiplier(acc, m, shift), GemmlowpMultiply(acc, m, shift),
                     [&] { return Describe3("MBQM edge", acc, m, shift); });
      }
    }
  }
}

TEST(RequantMultiply, MatchesPrecise128BitReference) {
  CaseCounter cases;
  Random rng(5);
  const std::vector<int32_t> edges = EdgeInt32Values();
  for (int shift = -31; shift <= 30; ++shift) {
    const int left_shift = shift > 0 ? shift : 0;
    for (int i = 0; i < 8192; ++i) {
      // acc such that acc * 2^left_shift does not wrap.
      const int32_t acc = static_cast<int32_t>(
          rng.Range(-(int64_t{1} << (31 - left_shift)), (int64_t{1} << (31 - left_shift)) - 1));
      const int32_t m = (i & 7) == 0 ? kInt32Max : (i & 7) == 1 ? kQ30 : rng.Multiplier();
      cases.Expect(MultiplyByQuantizedMultiplier(acc, m, shift), PreciseMultiply(acc, m, shift),
                   [&] { return Describe3("MBQM vs 128-bit", acc, m, shift); });
    }
    for (int32_t acc : edges) {
      if (!LeftShiftFits(acc, left_shift)) continue;
      for (int32_t m : {kQ30, kQ30 + 1, kInt32Max}) {
        cases.Expect(MultiplyByQuantizedMultiplier(acc, m, shift), PreciseMultiply(acc, m, shift),
                     [&] { return Describe3("MBQM edge vs 128-bit", acc, m, shift); });
      }
    }
  }
}

TEST(RequantMultiply, Int32ExtremeAccumulatorsEveryShift) {
  CaseCounter cases;
  for (int shift = -31; shift <= 30; ++shift) {
    for (int32_t acc : {kInt32Min, kInt32Min + 1, kInt32Max - 1, kInt32Max}) {
      for (int32_t m : {kQ30, kInt32Max}) {
        const int32_t got = MultiplyByQuantizedMultiplier(acc, m, shift);
        cases.Expect(got, GemmlowpMultiply(acc, m, shift),
                     [&] { return Describe3("MBQM extreme vs gemmlowp", acc, m, shift); });
        if (shift <= 0) {
          cases.Expect(got, PreciseMultiply(acc, m, shift),
                       [&] { return Describe3("MBQM extreme vs 128-bit", acc, m, shift); });
        }
      }
    }
  }
  // Spot values: INT32_MIN * (2^31 - 1) / 2^31 = -(2^31 - 1) exactly.
  cases.Expect(MultiplyByQuantizedMultiplier(kInt32Min, kInt32Max, 0), kInt32Min + 1,
               [] { return std::string("MBQM(INT32_MIN, INT32_MAX, 0)"); });
  cases.Expect(MultiplyByQuantizedMultiplier(kInt32Min, kQ30, 0), -kQ30,
               [] { return std::string("MBQM(INT32_MIN, 2^30, 0)"); });
  // M = 2^-32: -2^31 * 2^-32 = -0.5 rounds away from zero to -1. The double
  // rounding shows on (2^31 - 1) * 2^-32 = 0.4999999998: the high multiply
  // rounds 2^30 - 1/2 up to 2^30, which the shift then sees as the tie 1/2
  // and rounds away from zero, to 1 (a single rounding would give 0). That
  // is the contract (gemmlowp and TFLite do the same).
  cases.Expect(MultiplyByQuantizedMultiplier(kInt32Min, kQ30, -31), -1,
               [] { return std::string("MBQM(INT32_MIN, 2^30, -31)"); });
  cases.Expect(MultiplyByQuantizedMultiplier(kInt32Max, kQ30, -31), 1,
               [] { return std::string("MBQM(INT32_MAX, 2^30, -31)"); });
  cases.Expect(GemmlowpMultiply(kInt32Max, kQ30, -31), 1,
               [] { return std::string("gemmlowp MBQM(INT32_MAX, 2^30, -31)"); });
}

// M0 = 2^30, shift = 1 - s is the multiplier 2^-s exactly: acc = d * 2^s
// must give exactly d + z_out for every s in [1, 32] and every zero point.
TEST(RequantizeToInt8, ExactDivisionsAllShiftsAndZeroPoints) {
  CaseCounter cases;
  for (int32_t zp = -128; zp <= 127; ++zp) {
    for (int s = 1; s <= 32; ++s) {
      const int shift = 1 - s;
      for (int64_t d = -256; d <= 256; ++d) {
        const int64_t acc = d * (int64_t{1} << s);
        if (acc < kInt32Min || acc > kInt32Max) continue;
        const int64_t q = d + zp;
        const int8_t expected = static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
        cases.Expect(RequantizeToInt8(static_cast<int32_t>(acc), kQ30, shift, zp, -128, 127),
                     expected, [&] { return Describe3("Requant exact (acc, shift, zp)", acc, shift, zp); });
      }
    }
  }
}

// Ties of the whole multiplication by 2^-s: value d + 1/2. For s >= 2 the
// high multiply is exact and the final shift rounds the tie away from zero;
// for s = 1 (shift 0) the only rounding is the high multiply's, which rounds
// ties up. This double rounding is the contract.
TEST(RequantizeToInt8, TiesAllShiftsAndZeroPoints) {
  CaseCounter cases;
  for (int32_t zp = -128; zp <= 127; ++zp) {
    for (int s = 1; s <= 31; ++s) {
      const int shift = 1 - s;
      for (int64_t d = -256; d <= 256; ++d) {
        const int64_t acc = d * (int64_t{1} << s) + (int64_t{1} << (s - 1));  // (d + 0.5) * 2^s
        if (acc < kInt32Min || acc > kInt32Max) continue;
        const int64_t rounded = (s == 1 || acc > 0) ? d + 1 : d;
        const int64_t q = rounded + zp;
        const int8_t expected = static_cast<int8_t>(q < -128 ? -128 : q > 127 ? 127 : q);
        const int32_t acc32 = static_cast<int32_t>(acc);
        cases.Expect(RequantizeToInt8(acc32, kQ30, shift, zp, -128, 127), expected,
                     [&] { return Describe3("Requant tie (acc, shift, zp)", acc, shift, zp); });
        cases.Expect(MultiplyByQuantizedMultiplier(acc32, kQ30, shift),
                     GemmlowpMultiply(acc32, kQ30, shift),
                     [&] { return Describe3("MBQM tie vs gemmlowp", acc, kQ30, shift); });
      }
    }
  }
}

TEST(RequantizeToInt8, ClampsToQminQmax) {
  CaseCounter cases;
  Random rng(6);
  for (int i = 0; i < 200000; ++i) {
    const int32_t acc = rng.MixedInt32();
    const int32_t m = rng.Multiplier();
    const int shift = static_cast<int>(rng.Range(-31, 30));
    const int32_t zp = static_cast<int32_t>(rng.Range(-128, 127));
    int32_t qmin = static_cast<int32_t>(rng.Range(-128, 127));
    int32_t qmax = static_cast<int32_t>(rng.Range(-128, 127));
    if (i % 4 == 0) { qmin = -128; qmax = 127; }
    if (qmin > qmax) std::swap(qmin, qmax);
    const int64_t unclamped = static_cast<int64_t>(GemmlowpMultiply(acc, m, shift)) + zp;
    const int8_t expected = static_cast<int8_t>(unclamped < qmin ? qmin : unclamped > qmax ? qmax : unclamped);
    cases.Expect(RequantizeToInt8(acc, m, shift, zp, qmin, qmax), expected, [&] {
      std::ostringstream s;
      s << "Requant(acc=" << acc << ", m=" << m << ", shift=" << shift << ", zp=" << zp
        << ", qmin=" << qmin << ", qmax=" << qmax << ")";
      return s.str();
    });
  }
  // A result near INT32_MAX plus a positive zero point must clamp, not wrap.
  cases.Expect(RequantizeToInt8(kInt32Max, kInt32Max, 0, 127, -128, 127), int8_t{127},
               [] { return std::string("Requant(INT32_MAX, INT32_MAX, 0, zp 127)"); });
  cases.Expect(RequantizeToInt8(kInt32Min, kInt32Max, 0, -128, -128, 127), int8_t{-128},
               [] { return std::string("Requant(INT32_MIN, INT32_MAX, 0, zp -128)"); });
  // Degenerate ranges: qmin == qmax pins every output.
  for (int32_t v : {-128, -1, 0, 127}) {
    cases.Expect(RequantizeToInt8(12345, kQ30, -3, 0, v, v), static_cast<int8_t>(v),
                 [&] { return Describe3("Requant pinned", 12345, v, v); });
  }
}

// ---------------------------------------------------------------------------
// QuantizeMultiplier

void CheckQuantized(CaseCounter& cases, double m) {
  int32_t m0 = -1;
  int shift = -100;
  const bool ok = QuantizeMultiplier(m, &m0, &shift);
  auto describe = [&] {
    std::ostringstream s;
    s.precision(17);
    s << "QuantizeMultiplier(" << m << ") -> ok=" << ok << " M0=" << m0 << " shift=" << shift;
    return s.str();
  };
  // Multipliers that round to 2^30 or above cannot be represented (shift > 30).
  const bool representable = m < std::ldexp(1.0, 30) * (1.0 - std::ldexp(1.0, -32));
  cases.Expect(ok, representable, describe);
  if (!ok) return;
  if (m0 == 0) {
    cases.Expect(shift, 0, describe);
    cases.Expect(m < std::ldexp(1.0, -32), true, describe);
    return;
  }
  // Below 2^-32 (unless it rounds up onto 2^-32) the result must be (0, 0).
  cases.Expect(m < std::ldexp(1.0, -32) * (1.0 - std::ldexp(1.0, -32)), false, describe);
  cases.Expect(m0 >= kQ30, true, describe);  // m0 < 2^31 holds by type
  cases.Expect(shift >= -31 && shift <= 30, true, describe);
  // |M0 * 2^(shift-31) - M| <= 2^(shift-32), half an ulp of the Q31 mantissa.
  // Scaled by 2^(31-shift) both sides are exact in long double (64-bit
  // mantissa) for the doubles tested here.
  const long double scaled = std::ldexp(static_cast<long double>(m), 31 - shift);
  const long double error = std::fabs(static_cast<long double>(m0) - scaled);
  cases.Expect(error <= 0.5L, true, describe);
}

TEST(QuantizeMultiplier, RandomLogUniform) {
  CaseCounter cases;
  Random rng(7);
  for (int i = 0; i < 1000000; ++i) {
    const double m = std::exp2(-40.0 + 70.0 * rng.Unit());  // [2^-40, 2^30)
    CheckQuantized(cases, m);
  }
}

TEST(QuantizeMultiplier, SpecialValues) {
  CaseCounter cases;
  auto expect_exact = [&](double m, int32_t want_m0, int want_shift) {
    int32_t m0 = -1;
    int shift = -100;
    const bool ok = QuantizeMultiplier(m, &m0, &shift);
    auto describe = [&] {
      std::ostringstream s;
      s.precision(17);
      s << "QuantizeMultiplier(" << m << ") -> ok=" << ok << " M0=" << m0 << " shift=" << shift;
      return s.str();
    };
    cases.Expect(ok, true, describe);
    cases.Expect(m0, want_m0, describe);
    cases.Expect(shift, want_shift, describe);
  };
  auto expect_invalid = [&](double m) {
    int32_t m0 = -1;
    int shift = -100;
    const bool ok = QuantizeMultiplier(m, &m0, &shift);
    auto describe = [&] {
      std::ostringstream s;
      s << "QuantizeMultiplier(" << m << ") should be rejected";
      return s.str();
    };
    cases.Expect(ok, false, describe);
  };
  expect_exact(1.0, kQ30, 1);
  expect_exact(0.5, kQ30, 0);
  expect_exact(0.75, 3 * (kQ30 / 2), 0);
  for (int k = -32; k <= 29; ++k) expect_exact(std::ldexp(1.0, k), kQ30, k + 1);
  // Values whose Q31 mantissa rounds up to 2^31 carry into the next exponent.
  expect_exact(1.0 - std::ldexp(1.0, -33), kQ30, 1);
  expect_exact(0.5 - std::ldexp(1.0, -34), kQ30, 0);
  expect_exact(std::ldexp(1.0, -32) * (1.0 - std::ldexp(1.0, -40)), kQ30, -31);
  // Just below the carry: the largest mantissa.
  expect_exact(1.0 - std::ldexp(1.0, -31), kInt32Max, 0);
  expect_exact(std::ldexp(1.0, 30) - 1.0, kInt32Max - 1, 30);
  // Zero and tiny values give (0, 0): every product rounds to 0.
  expect_exact(0.0, 0, 0);
  expect_exact(-0.0, 0, 0);
  expect_exact(std::ldexp(1.0, -33), 0, 0);
  expect_exact(std::ldexp(1.0, -32) * 0.75, 0, 0);
  expect_exact(std::numeric_limits<double>::denorm_min(), 0, 0);
  expect_exact(1e-300, 0, 0);
  // Invalid: negative, not finite, too large (shift would exceed 30).
  expect_invalid(-1.0);
  expect_invalid(-1e-30);
  expect_invalid(-std::numeric_limits<double>::denorm_min());
  expect_invalid(std::numeric_limits<double>::quiet_NaN());
  expect_invalid(-std::numeric_limits<double>::quiet_NaN());
  expect_invalid(std::numeric_limits<double>::infinity());
  expect_invalid(-std::numeric_limits<double>::infinity());
  expect_invalid(std::ldexp(1.0, 30));
  expect_invalid(std::ldexp(1.0, 30) - std::ldexp(1.0, -3));  // rounds up onto 2^30
  expect_invalid(1e300);
  expect_invalid(std::numeric_limits<double>::max());
  for (double m : {1.0, 0.5, 0.123456789, 3.0e-7, 1e-3, 2.5, 1234.5678, 1e9}) CheckQuantized(cases, m);
}

// The two steps together approximate acc * M within one unit: the Q31
// mantissa is accurate to 2^-31 relative and the two roundings add at most
// 1/2 + 1/2 (strictly less than 1 in total).
TEST(QuantizeMultiplier, ProductWithinOneUnitOfReal) {
  CaseCounter cases;
  Random rng(8);
  for (int i = 0; i < 200000; ++i) {
    const double m = std::exp2(-35.0 + 36.0 * rng.Unit());  // [2^-35, 2)
    int32_t m0 = 0;
    int shift = 0;
    ASSERT_TRUE(QuantizeMultiplier(m, &m0, &shift));
    const int left_shift = shift > 0 ? shift : 0;
    const int32_t acc = static_cast<int32_t>(
        rng.Range(-(int64_t{1} << (31 - left_shift)), (int64_t{1} << (31 - left_shift)) - 1));
    const long double real = static_cast<long double>(acc) * m;
    const int32_t got = MultiplyByQuantizedMultiplier(acc, m0, shift);
    const long double diff = std::fabs(static_cast<long double>(got) - real);
    // The Q31 mantissa adds at most |acc| * M * 2^-31 <= 2^31 * 2 * 2^-31 = 2.
    const long double bound = 1.0L + std::fabs(real) * std::ldexp(1.0L, -30);
    cases.Expect(diff < bound, true, [&] { return Describe3("|MBQM - acc*M| (acc, M0, shift)", acc, m0, shift); });
  }
}

// ---------------------------------------------------------------------------
// ActivationRange

TEST(ActivationRange, FusedActivations) {
  CaseCounter cases;
  const double inf = std::numeric_limits<double>::infinity();
  int32_t qmin = 0, qmax = 0;
  for (int32_t zp : {-128, -5, 0, 7, 127}) {
    ActivationRange(-inf, inf, 0.1f, zp, &qmin, &qmax);  // none
    cases.Expect(qmin, -128, [&] { return Describe3("none qmin (zp)", zp, 0, 0); });
    cases.Expect(qmax, 127, [&] { return Describe3("none qmax (zp)", zp, 0, 0); });
    ActivationRange(0.0, inf, 0.1f, zp, &qmin, &qmax);  // ReLU: q >= zp
    cases.Expect(qmin, zp, [&] { return Describe3("relu qmin (zp)", zp, 0, 0); });
    cases.Expect(qmax, 127, [&] { return Describe3("relu qmax (zp)", zp, 0, 0); });
    ActivationRange(0.0, 6.0, 0.1f, zp, &qmin, &qmax);  // ReLU6: 6 / 0.1 = 60 steps
    cases.Expect(qmin, zp, [&] { return Describe3("relu6 qmin (zp)", zp, 0, 0); });
    cases.Expect(qmax, std::min(127, zp + 60), [&] { return Describe3("relu6 qmax (zp)", zp, 0, 0); });
    ActivationRange(-1.0, 1.0, 0.25f, zp, &qmin, &qmax);  // clamp: +-4 steps
    cases.Expect(qmin, std::max(-128, zp - 4), [&] { return Describe3("clamp qmin (zp)", zp, 0, 0); });
    cases.Expect(qmax, std::min(127, zp + 4), [&] { return Describe3("clamp qmax (zp)", zp, 0, 0); });
  }
}

}  // namespace
}  // namespace octet
