// Seeded random numbers for the kernel tests, from raw mt19937 bits: the
// engine's output sequence is fixed by the C++ standard, the std
// distributions are not, so these values are the same on every platform.
#pragma once

#include <cstdint>
#include <random>

namespace octet {
namespace testing_util {

class Random {
 public:
  explicit Random(uint32_t seed) : engine_(seed) {}
  uint32_t Bits() { return engine_(); }
  // Uniform in [lo, hi] (inclusive); the modulo bias is below 2^-32 * span.
  int64_t Range(int64_t lo, int64_t hi) {
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    const uint64_t r = (static_cast<uint64_t>(Bits()) << 32) | Bits();
    return lo + static_cast<int64_t>(r % span);
  }
  // Uniform in [0, 1) with 53 random bits.
  double Unit() {
    const uint64_t hi = Bits() >> 5, lo = Bits() >> 6;
    return (static_cast<double>(hi) * 67108864.0 + static_cast<double>(lo)) / 9007199254740992.0;
  }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Unit(); }

 private:
  std::mt19937 engine_;
};

}  // namespace testing_util
}  // namespace octet
