// The AVX-512 VNNI GEMM's two requantizing epilogues against RequantizeToInt8
// at tolerance 0, at the edges of the fast one: accumulators near the bound
// pack() checks (|acc| < 2^30), right shifts 1..31, multipliers that make
// rounding ties frequent (2^30, 3 * 2^29), extreme output zero points, left
// shifts (general epilogue only), and the choice between the two; and the
// checked float epilogue (kernels/x86/requant_float.h) with its exact
// fallback, both of which must be taken.
#include <gtest/gtest.h>

#include <cstdint>
#include <sstream>
#include <vector>

#include "kernels/requant.h"
#include "kernels/x86/requant_float.h"
#include "kernels/x86/qs8_gemm_c4__avx512vnni.h"
#include "octet/octet.h"
#include "test_random.h"

namespace octet {
namespace {

using testing_util::Random;

struct Case {
  int m = 64, n = 48, k = 8;
  int64_t bias_range = 1 << 10;
  int shift_lo = -12, shift_hi = -1;
  int32_t multiplier = 0;  // 0: random in [2^30, 2^31)
  int32_t zp = 0, qmin = -128, qmax = 127;
  uint32_t seed = 1;
  bool* used_float = nullptr;  // out: whether pack chose the float epilogue
};

// Runs the GEMM on random data and returns whether pack chose the fast epilogue.
bool RunCase(const Case& cs) {
  Random rng(cs.seed);
  const int m = cs.m, n = cs.n, k = cs.k, kp = (k + 3) / 4 * 4;
  std::vector<int8_t> a(static_cast<size_t>(m) * kp), w(static_cast<size_t>(n) * k);
  for (auto& v : a) v = static_cast<int8_t>(rng.Range(-128, 127));
  for (auto& v : w) v = static_cast<int8_t>(rng.Range(-127, 127));
  std::vector<int32_t> bias(n), mult(n), shift(n);
  for (int c = 0; c < n; ++c) {
    bias[c] = static_cast<int32_t>(rng.Range(-cs.bias_range, cs.bias_range));
    mult[c] = cs.multiplier ? cs.multiplier
                            : static_cast<int32_t>(rng.Range(int64_t{1} << 30, (int64_t{1} << 31) - 1));
    shift[c] = static_cast<int32_t>(rng.Range(cs.shift_lo, cs.shift_hi));
  }
  avx512vnni::GemmShape shape;
  shape.n = n;
  shape.k = k;
  std::vector<uint8_t> storage(avx512vnni::GemmPackedBytes(shape) + 64);
  void* packed = storage.data() + (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
  avx512vnni::GemmPack(shape, w.data(), bias.data(), mult.data(), shift.data(), cs.zp, packed);
  std::vector<int8_t> out(static_cast<size_t>(m) * n);
  avx512vnni::Gemm(packed, m, a.data(), kp, out.data(), n, cs.zp, cs.qmin, cs.qmax);
  const bool fast = avx512vnni::GemmUsesFastEpilogue(packed);
  if (cs.used_float != nullptr) *cs.used_float = avx512vnni::GemmUsesFloatEpilogue(packed);
  for (int r = 0; r < m; ++r) {
    for (int c = 0; c < n; ++c) {
      int64_t acc = bias[c];
      for (int i = 0; i < k; ++i) acc += int64_t{a[static_cast<size_t>(r) * kp + i]} * w[static_cast<size_t>(c) * k + i];
      const int8_t expected =
          RequantizeToInt8(static_cast<int32_t>(acc), mult[c], shift[c], cs.zp, cs.qmin, cs.qmax);
      if (out[static_cast<size_t>(r) * n + c] != expected) {
        ADD_FAILURE() << "row " << r << " channel " << c << " acc " << acc << " M0 " << mult[c]
                      << " shift " << shift[c] << " zp " << cs.zp << " fast " << fast << ": got "
                      << int(out[static_cast<size_t>(r) * n + c]) << ", expected " << int(expected);
        return fast;
      }
    }
  }
  return fast;
}

class Avx512VnniGemmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!octet_isa_available(OCTET_ISA_AVX512VNNI)) GTEST_SKIP() << "no AVX-512 VNNI";
  }
};

TEST_F(Avx512VnniGemmTest, FastEpilogueEveryRightShift) {
  uint32_t seed = 1;
  for (int shift = -31; shift <= -1; ++shift) {
    for (int32_t zp : {0, -128, 127, 5}) {
      for (int32_t mult : {0, 1 << 30, 3 << 29, 0x7FFFFFFF}) {
        Case cs;
        cs.shift_lo = cs.shift_hi = shift;
        cs.multiplier = mult;
        cs.zp = zp;
        cs.bias_range = int64_t{1} << (shift < -20 ? 24 : 12);
        cs.seed = seed++;
        const bool fast = RunCase(cs);
        // The fast epilogue needs |acc| + 2^(rs-1) + |zp| * 2^rs + 2 < 2^31.
        if (shift >= -22 || zp == 0) {
          EXPECT_TRUE(fast) << "shift " << shift << " zp " << zp;
        }
      }
    }
  }
}

uint64_t Fallbacks() { return x86::g_float_requant_fallbacks.load(); }

// Every right shift the float epilogue takes, extreme zero points, clamps,
// multipliers that put many outputs on rounding ties (2^30, 3 * 2^29: their
// exact value p + K is then often an integer, where only the fallback is
// right for negative accumulators) and random ones.
TEST_F(Avx512VnniGemmTest, FloatEpilogueEveryRightShift) {
  uint32_t seed = 500;
  const uint64_t before = Fallbacks();
  for (int shift = -22; shift <= -1; ++shift) {
    for (int32_t zp : {0, -128, 127, 5}) {
      for (int32_t mult : {0, 1 << 30, 3 << 29, 0x7FFFFFFF}) {
        Case cs;
        cs.m = 25;
        cs.n = 33;
        cs.shift_lo = cs.shift_hi = shift;
        cs.multiplier = mult;
        cs.zp = zp;
        cs.qmin = zp == 5 ? -100 : -128;
        cs.qmax = zp == 5 ? 100 : 127;
        cs.bias_range = int64_t{1} << (shift < -12 ? 23 : 12);
        cs.seed = seed++;
        bool used_float = false;
        cs.used_float = &used_float;
        RunCase(cs);
        EXPECT_TRUE(used_float) << "shift " << shift << " zp " << zp;
      }
    }
  }
  EXPECT_GT(Fallbacks(), before) << "the exact fallback was never taken";
}

// Accumulators built to sit exactly on the float path's ties: M0 = 2^30 and
// rs = 1 make p + K = acc / 4 + 3/4 (acc >= 0) or acc / 4 - 3/4 (acc < 0),
// an integer whenever acc = 1 (mod 4) or acc = 3 (mod 4). For negative acc
// the float truncation is then one too far from zero, so the outputs are
// right only if the fallback ran; it must have run.
TEST_F(Avx512VnniGemmTest, FloatEpilogueFallbackOnTies) {
  for (int32_t zp : {-128, 0, 127}) {
    Case cs;
    cs.m = 12;
    cs.n = 32;
    cs.k = 4;
    cs.bias_range = 1 << 9;
    cs.shift_lo = cs.shift_hi = -1;
    cs.multiplier = 1 << 30;
    cs.zp = zp;
    cs.seed = 900 + zp;
    bool used_float = false;
    cs.used_float = &used_float;
    const uint64_t before = Fallbacks();
    RunCase(cs);
    EXPECT_TRUE(used_float);
    EXPECT_GT(Fallbacks(), before) << "zp " << zp;
  }
}

// Where the float epilogue cannot be proven the kernel keeps the integer
// ones: accumulators possibly beyond 2^24, right shifts beyond 22, no right shift.
TEST_F(Avx512VnniGemmTest, FloatEpilogueOnlyWhereProven) {
  struct Expect { int shift; int64_t bias_range; bool use_float; };
  uint32_t seed = 700;
  for (const Expect& e : {Expect{-8, (int64_t{1} << 24) - 128 * 127 * 8 - 1, true},
                          Expect{-8, int64_t{1} << 25, false}, Expect{-23, 1 << 10, false},
                          Expect{-22, 1 << 10, true}, Expect{0, 1 << 10, false}}) {
    Case cs;
    cs.shift_lo = cs.shift_hi = e.shift;
    cs.bias_range = e.bias_range;
    cs.seed = seed++;
    bool used_float = !e.use_float;
    cs.used_float = &used_float;
    // (With the 2^25 range, some of the 48 biases exceeds 2^24 for any seed
    // but with probability 2^-48.)
    RunCase(cs);
    EXPECT_EQ(used_float, e.use_float) << "shift " << e.shift << " bias range " << e.bias_range;
  }
}

TEST_F(Avx512VnniGemmTest, FastEpilogueNearTheAccumulatorBound) {
  Case cs;
  cs.k = 4;
  cs.bias_range = (int64_t{1} << 30) - 128 * 127 * 4 - 1;  // |acc| < 2^30 still provable
  cs.shift_lo = -8;
  cs.shift_hi = -1;
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    cs.seed = seed;
    EXPECT_TRUE(RunCase(cs));
  }
}

TEST_F(Avx512VnniGemmTest, GeneralEpilogueBeyondTheBound) {
  Case cs;
  cs.k = 4;
  cs.bias_range = (int64_t{1} << 31) - 128 * 127 * 4 - 1;  // acc anywhere in int32
  for (int32_t zp : {0, -128, 127}) {
    for (uint32_t seed = 1; seed <= 10; ++seed) {
      cs.zp = zp;
      cs.seed = seed;
      cs.shift_lo = -31;
      cs.shift_hi = 0;
      EXPECT_FALSE(RunCase(cs));
    }
  }
}

TEST_F(Avx512VnniGemmTest, GeneralEpilogueLeftShiftsAndZeroShift) {
  uint32_t seed = 100;
  for (int shift : {0, 1, 3, 7}) {
    for (int32_t mult : {0, 1 << 30, 3 << 29}) {
      Case cs;
      cs.shift_lo = cs.shift_hi = shift;
      cs.multiplier = mult;
      cs.bias_range = 1 << 8;
      cs.zp = -7;
      cs.seed = seed++;
      EXPECT_FALSE(RunCase(cs));
    }
  }
  Case mixed;  // one channel with shift >= 0 sends all to the general path
  mixed.shift_lo = -5;
  mixed.shift_hi = 2;
  mixed.seed = seed++;
  RunCase(mixed);
}

TEST_F(Avx512VnniGemmTest, ClampsAndTileEdges) {
  uint32_t seed = 200;
  for (int m : {1, 5, 6, 7, 8, 11, 12, 13, 25}) {
    for (int n : {1, 15, 16, 17, 33, 48, 64, 80, 144, 1000}) {
      for (int k : {4, 12, 28, 64}) {
        Case cs;
        cs.m = m;
        cs.n = n;
        cs.k = k;
        cs.qmin = -20;
        cs.qmax = 90;
        cs.zp = 3;
        cs.seed = seed++;
        RunCase(cs);
      }
    }
  }
}

}  // namespace
}  // namespace octet
