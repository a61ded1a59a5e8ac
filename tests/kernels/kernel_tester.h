// Builder-style testers that compare any op-level kernel (kernels/kernel_table.h)
// with the scalar reference at tolerance 0:
//
//   ConvKernelTester().input(7, 9, 19).output_channels(13).kernel(3, 3).stride(2)
//       .pad(1, 1, 1, 1).input_zero_point(-128).Test(kernel);
//
// Inputs, weights (symmetric [-127, 127]), biases and per-channel scales are
// seeded random; the multipliers come from QuantizeMultiplier like the
// runtime's. The kernel gets packed memory and scratch of exactly the sizes it
// asked for, each followed by guard bytes, and an output buffer pre-filled
// with a sentinel and guarded on both sides; it runs twice with two different
// sentinels so an output it never writes is caught. Failures print the whole
// shape.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "kernels/kernel_table.h"
#include "kernels/reference.h"
#include "kernels/requant.h"
#include "test_random.h"

namespace octet {
namespace testing_util {

constexpr size_t kGuardBytes = 64;

// 64-byte-aligned buffer with kGuardBytes of 0xA5 after `bytes`.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t bytes) : bytes_(bytes) {
    const size_t total = (bytes + kGuardBytes + 63) / 64 * 64;
    data_.reset(static_cast<uint8_t*>(std::aligned_alloc(64, total)));
    std::memset(data_.get(), 0xA5, total);
  }
  uint8_t* get() { return data_.get(); }
  bool GuardIntact() const {
    for (size_t i = 0; i < kGuardBytes; ++i) {
      if (data_.get()[bytes_ + i] != 0xA5) return false;
    }
    return true;
  }

 private:
  struct Free {
    void operator()(uint8_t* p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  size_t bytes_;
};

// Per-channel multipliers from random weight scales, with the real multiplier
// in [lo, hi] (typical layers: 2^-12 .. 2^-3).
inline void RandomMultipliers(Random& rng, int channels, double lo, double hi,
                              std::vector<int32_t>* m, std::vector<int32_t>* s) {
  m->resize(channels);
  s->resize(channels);
  for (int c = 0; c < channels; ++c) {
    int shift = 0;
    QuantizeMultiplier(rng.Uniform(lo, hi), &(*m)[c], &shift);
    (*s)[c] = shift;
  }
}

inline std::vector<int8_t> RandomBytes(Random& rng, size_t n, int lo = -128, int hi = 127) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(rng.Range(lo, hi));
  return v;
}

// Runs `run(output)` twice on sentinel-filled, guarded outputs and checks both
// results equal `expected` byte for byte.
template <typename Run>
void CheckOutput(const std::vector<int8_t>& expected, const std::string& shape, Run run) {
  for (const uint8_t sentinel : {uint8_t{0x5A}, uint8_t{0xC3}}) {
    std::vector<uint8_t> buffer(expected.size() + 2 * kGuardBytes, sentinel);
    int8_t* out = reinterpret_cast<int8_t*>(buffer.data() + kGuardBytes);
    run(out);
    for (size_t i = 0; i < kGuardBytes; ++i) {
      ASSERT_EQ(buffer[i], sentinel) << shape << ": wrote before the output";
      ASSERT_EQ(buffer[kGuardBytes + expected.size() + i], sentinel)
          << shape << ": wrote past the output";
    }
    size_t mismatches = 0, first = 0;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (out[i] != expected[i] && mismatches++ == 0) first = i;
    }
    ASSERT_EQ(mismatches, 0u) << shape << ": " << mismatches << " of " << expected.size()
                              << " outputs differ; first at " << first << ": got "
                              << int(out[first]) << ", expected " << int(expected[first]);
  }
}

class ConvKernelTester {
 public:
  ConvKernelTester& batch(int n) { p_.batch = n; return *this; }
  ConvKernelTester& input(int h, int w, int c) {
    p_.input_height = h; p_.input_width = w; p_.input_channels = c; return *this;
  }
  ConvKernelTester& output_channels(int c) { p_.output_channels = c; return *this; }
  ConvKernelTester& kernel(int kh, int kw) { p_.kernel_height = kh; p_.kernel_width = kw; return *this; }
  ConvKernelTester& stride(int s) { return stride(s, s); }
  ConvKernelTester& stride(int sh, int sw) { p_.stride_height = sh; p_.stride_width = sw; return *this; }
  ConvKernelTester& dilation(int d) { p_.dilation_height = p_.dilation_width = d; return *this; }
  ConvKernelTester& pad(int top, int left, int bottom, int right) {
    p_.pad_top = top; p_.pad_left = left; pad_bottom_ = bottom; pad_right_ = right; return *this;
  }
  ConvKernelTester& groups(int g) { p_.groups = g; return *this; }
  ConvKernelTester& input_zero_point(int32_t z) { p_.input_zero_point = z; return *this; }
  ConvKernelTester& output_zero_point(int32_t z) { p_.requant.output_zero_point = z; return *this; }
  ConvKernelTester& qmin(int32_t q) { p_.requant.qmin = q; return *this; }
  ConvKernelTester& qmax(int32_t q) { p_.requant.qmax = q; return *this; }
  ConvKernelTester& seed(uint32_t s) { seed_ = s; return *this; }
  // Bias drawn from [lo, hi] (default +-20000); large values push the
  // accumulators toward the int32 bounds the kernels rely on.
  ConvKernelTester& bias_range(int32_t lo, int32_t hi) { bias_lo_ = lo; bias_hi_ = hi; return *this; }
  // Real multipliers drawn from [lo, hi] / K (default 1/16 .. 4).
  ConvKernelTester& multiplier_range(double lo, double hi) { mul_lo_ = lo; mul_hi_ = hi; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "conv batch " << p_.batch << " in " << p_.input_height << "x" << p_.input_width << "x"
       << p_.input_channels << " out_c " << p_.output_channels << " kernel " << p_.kernel_height
       << "x" << p_.kernel_width << " stride " << p_.stride_height << "," << p_.stride_width
       << " dilation " << p_.dilation_height << "," << p_.dilation_width << " pad "
       << p_.pad_top << "," << p_.pad_left << "," << pad_bottom_ << "," << pad_right_
       << " groups " << p_.groups << " z_in " << p_.input_zero_point << " z_out "
       << p_.requant.output_zero_point << " q [" << p_.requant.qmin << "," << p_.requant.qmax
       << "] seed " << seed_;
    return os.str();
  }

  void Test(const Conv2DKernel& kernel) {
    Conv2DParams p = p_;
    auto out_size = [](int in, int k, int s, int d, int a, int b) {
      return (in + a + b - d * (k - 1) - 1) / s + 1;
    };
    p.output_height = out_size(p.input_height, p.kernel_height, p.stride_height,
                               p.dilation_height, p.pad_top, pad_bottom_);
    p.output_width = out_size(p.input_width, p.kernel_width, p.stride_width, p.dilation_width,
                              p.pad_left, pad_right_);
    ASSERT_GT(p.output_height, 0) << Shape();
    ASSERT_GT(p.output_width, 0) << Shape();
    Random rng(seed_);
    const int k = p.kernel_height * p.kernel_width * (p.input_channels / p.groups);
    const auto input = RandomBytes(rng, size_t(p.batch) * p.input_height * p.input_width *
                                            p.input_channels);
    const auto filter = RandomBytes(rng, size_t(p.output_channels) * k, -127, 127);
    std::vector<int32_t> bias(p.output_channels), folded(p.output_channels), m, s;
    for (auto& b : bias) b = static_cast<int32_t>(rng.Range(bias_lo_, bias_hi_));
    FoldInputZeroPoint(filter.data(), bias.data(), p.output_channels, k, p.input_zero_point,
                       folded.data());
    RandomMultipliers(rng, p.output_channels, mul_lo_ / k, mul_hi_ / k, &m, &s);
    p.requant.multiplier = m.data();
    p.requant.shift = s.data();

    std::vector<int8_t> expected(size_t(p.batch) * p.output_height * p.output_width *
                                 p.output_channels);
    qs8_conv2d__scalar(p, input.data(), filter.data(), folded.data(), expected.data());

    const size_t packed_bytes = kernel.packed_bytes(p);
    GuardedBuffer packed(packed_bytes);
    kernel.pack(p, filter.data(), folded.data(), packed.get());
    ASSERT_TRUE(packed.GuardIntact()) << Shape() << ": pack wrote past packed_bytes";
    GuardedBuffer scratch(kernel.scratch_bytes(p));
    CheckOutput(expected, Shape() + " [" + kernel.name + "]", [&](int8_t* out) {
      kernel.run(p, input.data(), filter.data(), folded.data(), packed.get(), scratch.get(), out);
    });
    ASSERT_TRUE(scratch.GuardIntact()) << Shape() << ": run wrote past scratch_bytes";
  }

 private:
  Conv2DParams p_ = [] {
    Conv2DParams p;
    p.input_height = p.input_width = 5;
    p.input_channels = p.output_channels = 4;
    return p;
  }();
  int pad_bottom_ = 0, pad_right_ = 0;
  int32_t bias_lo_ = -20000, bias_hi_ = 20000;
  double mul_lo_ = 1.0 / 16.0, mul_hi_ = 4.0;
  uint32_t seed_ = 1;
};

class DepthwiseKernelTester {
 public:
  DepthwiseKernelTester& batch(int n) { p_.batch = n; return *this; }
  DepthwiseKernelTester& input(int h, int w, int c) {
    p_.input_height = h; p_.input_width = w; p_.input_channels = c; return *this;
  }
  DepthwiseKernelTester& depth_multiplier(int m) { p_.depth_multiplier = m; return *this; }
  DepthwiseKernelTester& kernel(int kh, int kw) { p_.kernel_height = kh; p_.kernel_width = kw; return *this; }
  DepthwiseKernelTester& stride(int s) { p_.stride_height = p_.stride_width = s; return *this; }
  DepthwiseKernelTester& stride(int sh, int sw) { p_.stride_height = sh; p_.stride_width = sw; return *this; }
  DepthwiseKernelTester& dilation(int d) { p_.dilation_height = p_.dilation_width = d; return *this; }
  DepthwiseKernelTester& dilation(int dh, int dw) { p_.dilation_height = dh; p_.dilation_width = dw; return *this; }
  DepthwiseKernelTester& pad(int top, int left, int bottom, int right) {
    p_.pad_top = top; p_.pad_left = left; pad_bottom_ = bottom; pad_right_ = right; return *this;
  }
  DepthwiseKernelTester& input_zero_point(int32_t z) { p_.input_zero_point = z; return *this; }
  DepthwiseKernelTester& output_zero_point(int32_t z) { p_.requant.output_zero_point = z; return *this; }
  DepthwiseKernelTester& qmin(int32_t q) { p_.requant.qmin = q; return *this; }
  DepthwiseKernelTester& qmax(int32_t q) { p_.requant.qmax = q; return *this; }
  DepthwiseKernelTester& seed(uint32_t s) { seed_ = s; return *this; }
  // Real multipliers drawn from [lo, hi] (default 1/(16 taps) .. 4/taps);
  // above 1 they give left shifts, below 2^-22 long right shifts.
  DepthwiseKernelTester& multipliers(double lo, double hi) { mult_lo_ = lo; mult_hi_ = hi; return *this; }
  // Biases drawn from [-b, b] (default 5000).
  DepthwiseKernelTester& bias_range(int32_t b) { bias_range_ = b; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "depthwise batch " << p_.batch << " in " << p_.input_height << "x" << p_.input_width
       << "x" << p_.input_channels << " mult " << p_.depth_multiplier << " kernel "
       << p_.kernel_height << "x" << p_.kernel_width << " stride " << p_.stride_height << ","
       << p_.stride_width << " dilation " << p_.dilation_height << "," << p_.dilation_width
       << " pad " << p_.pad_top << "," << p_.pad_left << "," << pad_bottom_ << "," << pad_right_
       << " z_in " << p_.input_zero_point << " z_out " << p_.requant.output_zero_point << " q ["
       << p_.requant.qmin << "," << p_.requant.qmax << "] seed " << seed_;
    return os.str();
  }

  void Test(const DepthwiseConv2DKernel& kernel) {
    DepthwiseConv2DParams p = p_;
    auto out_size = [](int in, int k, int s, int d, int a, int b) {
      return (in + a + b - d * (k - 1) - 1) / s + 1;
    };
    p.output_height = out_size(p.input_height, p.kernel_height, p.stride_height,
                               p.dilation_height, p.pad_top, pad_bottom_);
    p.output_width = out_size(p.input_width, p.kernel_width, p.stride_width, p.dilation_width,
                              p.pad_left, pad_right_);
    ASSERT_GT(p.output_height, 0) << Shape();
    ASSERT_GT(p.output_width, 0) << Shape();
    Random rng(seed_);
    const int channels = p.input_channels * p.depth_multiplier;
    const int taps = p.kernel_height * p.kernel_width;
    const auto input = RandomBytes(rng, size_t(p.batch) * p.input_height * p.input_width *
                                            p.input_channels);
    const auto filter = RandomBytes(rng, size_t(taps) * channels, -127, 127);
    std::vector<int32_t> bias(channels), folded(channels), m, s;
    for (auto& b : bias) b = static_cast<int32_t>(rng.Range(-bias_range_, bias_range_));
    FoldInputZeroPointDepthwise(filter.data(), bias.data(), channels, taps, p.input_zero_point,
                                folded.data());
    RandomMultipliers(rng, channels, mult_lo_ > 0 ? mult_lo_ : 1.0 / (16.0 * taps),
                      mult_hi_ > 0 ? mult_hi_ : 4.0 / taps, &m, &s);
    p.requant.multiplier = m.data();
    p.requant.shift = s.data();

    std::vector<int8_t> expected(size_t(p.batch) * p.output_height * p.output_width * channels);
    qs8_dwconv2d__scalar(p, input.data(), filter.data(), folded.data(), expected.data());

    GuardedBuffer packed(kernel.packed_bytes(p));
    kernel.pack(p, filter.data(), folded.data(), packed.get());
    ASSERT_TRUE(packed.GuardIntact()) << Shape() << ": pack wrote past packed_bytes";
    GuardedBuffer scratch(kernel.scratch_bytes(p));
    CheckOutput(expected, Shape() + " [" + kernel.name + "]", [&](int8_t* out) {
      kernel.run(p, input.data(), filter.data(), folded.data(), packed.get(), scratch.get(), out);
    });
    ASSERT_TRUE(scratch.GuardIntact()) << Shape() << ": run wrote past scratch_bytes";
  }

 private:
  DepthwiseConv2DParams p_ = [] {
    DepthwiseConv2DParams p;
    p.input_height = p.input_width = 5;
    p.input_channels = 4;
    p.kernel_height = p.kernel_width = 3;
    return p;
  }();
  int pad_bottom_ = 0, pad_right_ = 0;
  uint32_t seed_ = 1;
  double mult_lo_ = 0, mult_hi_ = 0;
  int32_t bias_range_ = 5000;
};

class FullyConnectedKernelTester {
 public:
  FullyConnectedKernelTester& batch(int m) { p_.batch = m; return *this; }
  FullyConnectedKernelTester& input_features(int k) { p_.input_features = k; return *this; }
  FullyConnectedKernelTester& output_features(int n) { p_.output_features = n; return *this; }
  FullyConnectedKernelTester& input_zero_point(int32_t z) { p_.input_zero_point = z; return *this; }
  FullyConnectedKernelTester& output_zero_point(int32_t z) { p_.requant.output_zero_point = z; return *this; }
  FullyConnectedKernelTester& qmin(int32_t q) { p_.requant.qmin = q; return *this; }
  FullyConnectedKernelTester& qmax(int32_t q) { p_.requant.qmax = q; return *this; }
  FullyConnectedKernelTester& seed(uint32_t s) { seed_ = s; return *this; }
  FullyConnectedKernelTester& bias_range(int32_t lo, int32_t hi) { bias_lo_ = lo; bias_hi_ = hi; return *this; }
  FullyConnectedKernelTester& multiplier_range(double lo, double hi) { mul_lo_ = lo; mul_hi_ = hi; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "fully connected m " << p_.batch << " k " << p_.input_features << " n "
       << p_.output_features << " z_in " << p_.input_zero_point << " z_out "
       << p_.requant.output_zero_point << " q [" << p_.requant.qmin << "," << p_.requant.qmax
       << "] seed " << seed_;
    return os.str();
  }

  void Test(const FullyConnectedKernel& kernel) {
    FullyConnectedParams p = p_;
    Random rng(seed_);
    const int k = p.input_features, n = p.output_features;
    const auto input = RandomBytes(rng, size_t(p.batch) * k);
    const auto filter = RandomBytes(rng, size_t(n) * k, -127, 127);
    std::vector<int32_t> bias(n), folded(n), m, s;
    for (auto& b : bias) b = static_cast<int32_t>(rng.Range(bias_lo_, bias_hi_));
    FoldInputZeroPoint(filter.data(), bias.data(), n, k, p.input_zero_point, folded.data());
    RandomMultipliers(rng, n, mul_lo_ / k, mul_hi_ / k, &m, &s);
    p.requant.multiplier = m.data();
    p.requant.shift = s.data();

    std::vector<int8_t> expected(size_t(p.batch) * n);
    qs8_fully_connected__scalar(p, input.data(), filter.data(), folded.data(), expected.data());

    GuardedBuffer packed(kernel.packed_bytes(p));
    kernel.pack(p, filter.data(), folded.data(), packed.get());
    ASSERT_TRUE(packed.GuardIntact()) << Shape() << ": pack wrote past packed_bytes";
    GuardedBuffer scratch(kernel.scratch_bytes(p));
    CheckOutput(expected, Shape() + " [" + kernel.name + "]", [&](int8_t* out) {
      kernel.run(p, input.data(), filter.data(), folded.data(), packed.get(), scratch.get(), out);
    });
    ASSERT_TRUE(scratch.GuardIntact()) << Shape() << ": run wrote past scratch_bytes";
  }

 private:
  FullyConnectedParams p_ = [] {
    FullyConnectedParams p;
    p.input_features = 16;
    p.output_features = 8;
    return p;
  }();
  int32_t bias_lo_ = -20000, bias_hi_ = 20000;
  double mul_lo_ = 1.0 / 16.0, mul_hi_ = 4.0;
  uint32_t seed_ = 1;
};

class AddKernelTester {
 public:
  AddKernelTester& size(size_t n) { n_ = n; return *this; }
  AddKernelTester& scales(float a, float b, float out) { sa_ = a; sb_ = b; so_ = out; return *this; }
  AddKernelTester& zero_points(int32_t a, int32_t b, int32_t out) { za_ = a; zb_ = b; zo_ = out; return *this; }
  AddKernelTester& qmin(int32_t q) { qmin_ = q; return *this; }
  AddKernelTester& qmax(int32_t q) { qmax_ = q; return *this; }
  AddKernelTester& seed(uint32_t s) { seed_ = s; return *this; }
  // Inputs: every (a, b) pair once, in a seeded random order (size 65536),
  // so that every element the x86 fast path flags as near a tie occurs.
  AddKernelTester& all_pairs() { all_pairs_ = true; n_ = 65536; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "add n " << n_ << (all_pairs_ ? " (all pairs)" : "") << " scales " << sa_ << "," << sb_ << "," << so_ << " zero points "
       << za_ << "," << zb_ << "," << zo_ << " q [" << qmin_ << "," << qmax_ << "] seed " << seed_;
    return os.str();
  }

  void Test(const AddKernel& kernel) {
    AddParams p;
    ASSERT_TRUE(ComputeAddParams(sa_, za_, sb_, zb_, so_, zo_, &p)) << Shape();
    p.qmin = qmin_;
    p.qmax = qmax_;
    Random rng(seed_);
    std::vector<int8_t> a, b;
    if (all_pairs_) {
      std::vector<uint16_t> pairs(65536);
      for (size_t i = 0; i < pairs.size(); ++i) pairs[i] = static_cast<uint16_t>(i);
      for (size_t i = pairs.size() - 1; i > 0; --i) {
        std::swap(pairs[i], pairs[static_cast<size_t>(rng.Range(0, static_cast<int64_t>(i)))]);
      }
      for (uint16_t v : pairs) {
        a.push_back(static_cast<int8_t>(v & 0xFF));
        b.push_back(static_cast<int8_t>(v >> 8));
      }
    } else {
      a = RandomBytes(rng, n_);
      b = RandomBytes(rng, n_);
    }
    std::vector<int8_t> expected(n_);
    qs8_add__scalar(p, n_, a.data(), b.data(), expected.data());
    CheckOutput(expected, Shape() + " [" + kernel.name + "]",
                [&](int8_t* out) { kernel.run(p, n_, a.data(), b.data(), out); });
  }

 private:
  size_t n_ = 16;
  float sa_ = 0.05f, sb_ = 0.07f, so_ = 0.1f;
  int32_t za_ = 0, zb_ = 0, zo_ = 0, qmin_ = -128, qmax_ = 127;
  uint32_t seed_ = 1;
  bool all_pairs_ = false;
};


// MAX_POOL_2D: random NHWC input; geometry, padding, stride and clamp set by
// the caller (padding must stay below the filter size on each side).
class MaxPoolKernelTester {
 public:
  MaxPoolKernelTester& batch(int n) { p_.batch = n; return *this; }
  MaxPoolKernelTester& input(int h, int w, int c) {
    p_.input_height = h; p_.input_width = w; p_.channels = c; return *this;
  }
  MaxPoolKernelTester& filter(int h, int w) { p_.filter_height = h; p_.filter_width = w; return *this; }
  MaxPoolKernelTester& stride(int h, int w) { p_.stride_height = h; p_.stride_width = w; return *this; }
  MaxPoolKernelTester& pad(int top, int left, int bottom, int right) {
    p_.pad_top = top; p_.pad_left = left; pad_bottom_ = bottom; pad_right_ = right; return *this;
  }
  MaxPoolKernelTester& qmin(int32_t q) { p_.qmin = q; return *this; }
  MaxPoolKernelTester& qmax(int32_t q) { p_.qmax = q; return *this; }
  MaxPoolKernelTester& input_range(int lo, int hi) { lo_ = lo; hi_ = hi; return *this; }
  MaxPoolKernelTester& seed(uint32_t s) { seed_ = s; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "maxpool n " << p_.batch << " in " << p_.input_height << "x" << p_.input_width << "x"
       << p_.channels << " filter " << p_.filter_height << "x" << p_.filter_width << " stride "
       << p_.stride_height << "x" << p_.stride_width << " pad " << p_.pad_top << ","
       << p_.pad_left << "," << pad_bottom_ << "," << pad_right_ << " q [" << p_.qmin << ","
       << p_.qmax << "] input [" << lo_ << "," << hi_ << "] seed " << seed_;
    return os.str();
  }

  void Test(const MaxPool2DKernel& kernel) {
    Pool2DParams p = p_;
    p.output_height =
        (p.input_height + p.pad_top + pad_bottom_ - p.filter_height) / p.stride_height + 1;
    p.output_width =
        (p.input_width + p.pad_left + pad_right_ - p.filter_width) / p.stride_width + 1;
    ASSERT_GT(p.output_height, 0) << Shape();
    ASSERT_GT(p.output_width, 0) << Shape();
    Random rng(seed_);
    const auto x = RandomBytes(
        rng, size_t(p.batch) * p.input_height * p.input_width * p.channels, lo_, hi_);
    std::vector<int8_t> expected(size_t(p.batch) * p.output_height * p.output_width *
                                 p.channels);
    qs8_maxpool2d__scalar(p, x.data(), expected.data());
    CheckOutput(expected, Shape() + " [" + kernel.name + "]",
                [&](int8_t* out) { kernel.run(p, x.data(), out); });
  }

 private:
  Pool2DParams p_;
  int pad_bottom_ = 0, pad_right_ = 0;
  int lo_ = -128, hi_ = 127;
  uint32_t seed_ = 1;
};

// AVERAGE_POOL_2D: random NHWC input; geometry as MaxPoolKernelTester, plus
// count_include_pad, zero points and the real ratio s_x / s_y, from which the
// multiplier of every tap count n is made as the runtime makes it
// (ComputeScaledMultiplier(ratio / n, 255 * area)).
class AvgPoolKernelTester {
 public:
  AvgPoolKernelTester& batch(int n) { p_.batch = n; return *this; }
  AvgPoolKernelTester& input(int h, int w, int c) {
    p_.input_height = h; p_.input_width = w; p_.channels = c; return *this;
  }
  AvgPoolKernelTester& filter(int h, int w) { p_.filter_height = h; p_.filter_width = w; return *this; }
  AvgPoolKernelTester& stride(int h, int w) { p_.stride_height = h; p_.stride_width = w; return *this; }
  AvgPoolKernelTester& pad(int top, int left, int bottom, int right) {
    p_.pad_top = top; p_.pad_left = left; pad_bottom_ = bottom; pad_right_ = right; return *this;
  }
  AvgPoolKernelTester& count_include_pad(bool b) { include_pad_ = b; return *this; }
  AvgPoolKernelTester& zero_points(int32_t in, int32_t out) { z_in_ = in; z_out_ = out; return *this; }
  AvgPoolKernelTester& ratio(double r) { ratio_ = r; return *this; }
  AvgPoolKernelTester& qmin(int32_t q) { p_.qmin = q; return *this; }
  AvgPoolKernelTester& qmax(int32_t q) { p_.qmax = q; return *this; }
  AvgPoolKernelTester& input_range(int lo, int hi) { lo_ = lo; hi_ = hi; return *this; }
  AvgPoolKernelTester& seed(uint32_t s) { seed_ = s; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "avgpool n " << p_.batch << " in " << p_.input_height << "x" << p_.input_width << "x"
       << p_.channels << " filter " << p_.filter_height << "x" << p_.filter_width << " stride "
       << p_.stride_height << "x" << p_.stride_width << " pad " << p_.pad_top << ","
       << p_.pad_left << "," << pad_bottom_ << "," << pad_right_ << " include_pad "
       << include_pad_ << " z " << z_in_ << "," << z_out_ << " ratio " << ratio_ << " q ["
       << p_.qmin << "," << p_.qmax << "] input [" << lo_ << "," << hi_ << "] seed " << seed_;
    return os.str();
  }

  void Test(const AvgPool2DKernel& kernel) {
    AvgPool2DParams ap;
    ap.pool = p_;
    Pool2DParams& p = ap.pool;
    p.output_height =
        (p.input_height + p.pad_top + pad_bottom_ - p.filter_height) / p.stride_height + 1;
    p.output_width =
        (p.input_width + p.pad_left + pad_right_ - p.filter_width) / p.stride_width + 1;
    ASSERT_GT(p.output_height, 0) << Shape();
    ASSERT_GT(p.output_width, 0) << Shape();
    const int area = p.filter_height * p.filter_width;
    std::vector<ScaledMultiplier> m(size_t(area) + 1);
    for (int n = 1; n <= area; ++n) {
      ASSERT_TRUE(ComputeScaledMultiplier(ratio_ / n, int64_t{255} * area, &m[size_t(n)]))
          << Shape();
    }
    ap.count_include_pad = include_pad_;
    ap.input_zero_point = z_in_;
    ap.output_zero_point = z_out_;
    ap.multiplier = m.data();
    Random rng(seed_);
    const auto x = RandomBytes(
        rng, size_t(p.batch) * p.input_height * p.input_width * p.channels, lo_, hi_);
    std::vector<int8_t> expected(size_t(p.batch) * p.output_height * p.output_width *
                                 p.channels);
    qs8_avgpool2d__scalar(ap, x.data(), expected.data());
    CheckOutput(expected, Shape() + " [" + kernel.name + "]",
                [&](int8_t* out) { kernel.run(ap, x.data(), out); });
  }

 private:
  Pool2DParams p_;
  int pad_bottom_ = 0, pad_right_ = 0;
  bool include_pad_ = false;
  int32_t z_in_ = -3, z_out_ = 5;
  double ratio_ = 1.0;
  int lo_ = -128, hi_ = 127;
  uint32_t seed_ = 1;
};

// GLOBAL_AVERAGE_POOL_2D: random [batch, pixels, channels] input; the
// multiplier is ComputeScaledMultiplier(ratio / pixels, 255 * pixels), as the
// runtime makes it.
class GlobalAvgPoolKernelTester {
 public:
  GlobalAvgPoolKernelTester& batch(int n) { p_.batch = n; return *this; }
  GlobalAvgPoolKernelTester& pixels(int n) { p_.pixels = n; return *this; }
  GlobalAvgPoolKernelTester& channels(int c) { p_.channels = c; return *this; }
  GlobalAvgPoolKernelTester& zero_points(int32_t in, int32_t out) {
    p_.input_zero_point = in; p_.output_zero_point = out; return *this;
  }
  GlobalAvgPoolKernelTester& ratio(double r) { ratio_ = r; return *this; }
  GlobalAvgPoolKernelTester& qmin(int32_t q) { p_.qmin = q; return *this; }
  GlobalAvgPoolKernelTester& qmax(int32_t q) { p_.qmax = q; return *this; }
  GlobalAvgPoolKernelTester& input_range(int lo, int hi) { lo_ = lo; hi_ = hi; return *this; }
  GlobalAvgPoolKernelTester& seed(uint32_t s) { seed_ = s; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "global avgpool n " << p_.batch << " pixels " << p_.pixels << " c " << p_.channels
       << " z " << p_.input_zero_point << "," << p_.output_zero_point << " ratio " << ratio_
       << " q [" << p_.qmin << "," << p_.qmax << "] input [" << lo_ << "," << hi_ << "] seed "
       << seed_;
    return os.str();
  }

  void Test(const GlobalAvgPoolKernel& kernel) {
    GlobalAvgPoolParams p = p_;
    ASSERT_TRUE(ComputeScaledMultiplier(ratio_ / p.pixels, int64_t{255} * p.pixels,
                                        &p.multiplier))
        << Shape();
    Random rng(seed_);
    const auto x = RandomBytes(rng, size_t(p.batch) * p.pixels * p.channels, lo_, hi_);
    std::vector<int8_t> expected(size_t(p.batch) * p.channels);
    qs8_global_avgpool__scalar(p, x.data(), expected.data());
    CheckOutput(expected, Shape() + " [" + kernel.name + "]",
                [&](int8_t* out) { kernel.run(p, x.data(), out); });
  }

 private:
  GlobalAvgPoolParams p_;
  double ratio_ = 1.0;
  int lo_ = -128, hi_ = 127;
  uint32_t seed_ = 1;
};

// Strided gather: a random input just large enough for the highest address
// the given shape, strides (all >= 0) and offset read.
class StridedCopyKernelTester {
 public:
  // Outermost first, up to kMaxKernelRank dims (right-aligned).
  StridedCopyKernelTester& shape(std::vector<int64_t> n) { shape_ = std::move(n); return *this; }
  StridedCopyKernelTester& strides(std::vector<int64_t> s) { stride_ = std::move(s); return *this; }
  StridedCopyKernelTester& offset(int64_t o) { offset_ = o; return *this; }
  StridedCopyKernelTester& seed(uint32_t s) { seed_ = s; return *this; }

  void Test(const StridedCopyKernel& kernel) {
    std::ostringstream os;
    os << "strided copy shape";
    for (int64_t d : shape_) os << " " << d;
    os << " strides";
    for (int64_t d : stride_) os << " " << d;
    os << " offset " << offset_ << " seed " << seed_ << " [" << kernel.name << "]";
    ASSERT_EQ(shape_.size(), stride_.size()) << os.str();
    StridedCopyParams p;
    const size_t first = kMaxKernelRank - shape_.size();
    int64_t reach = offset_, count = 1;
    for (size_t d = 0; d < shape_.size(); ++d) {
      p.shape[first + d] = shape_[d];
      p.stride[first + d] = stride_[d];
      reach += (shape_[d] - 1) * stride_[d];
      count *= shape_[d];
    }
    p.offset = offset_;
    Random rng(seed_);
    const auto x = RandomBytes(rng, size_t(reach) + 1);
    std::vector<int8_t> expected(static_cast<size_t>(count));
    x8_strided_copy__scalar(p, x.data(), expected.data());
    CheckOutput(expected, os.str(), [&](int8_t* out) { kernel.run(p, x.data(), out); });
  }

 private:
  std::vector<int64_t> shape_ = {16}, stride_ = {1};
  int64_t offset_ = 0;
  uint32_t seed_ = 1;
};

// QUANTIZE: `values` (specials, ties, ...) placed at random positions among
// random floats of about `range` quantization steps.
class QuantizeKernelTester {
 public:
  QuantizeKernelTester& size(size_t n) { n_ = n; return *this; }
  QuantizeKernelTester& scale(float s) { scale_ = s; return *this; }
  QuantizeKernelTester& zero_point(int32_t z) { zero_point_ = z; return *this; }
  QuantizeKernelTester& range(double r) { range_ = r; return *this; }
  QuantizeKernelTester& values(std::vector<float> v) { values_ = std::move(v); return *this; }
  QuantizeKernelTester& seed(uint32_t s) { seed_ = s; return *this; }

  std::string Shape() const {
    std::ostringstream os;
    os << "quantize n " << n_ << " scale " << scale_ << " zero point " << zero_point_
       << " range " << range_ << " specials " << values_.size() << " seed " << seed_;
    return os.str();
  }

  void Test(const QuantizeKernel& kernel) {
    Random rng(seed_);
    std::vector<float> x(n_);
    for (auto& v : x) v = static_cast<float>(rng.Uniform(-range_, range_) * scale_);
    for (size_t i = 0; i < values_.size() && n_ > 0; ++i) {
      x[size_t(rng.Range(0, int64_t(n_) - 1))] = values_[i];
    }
    std::vector<int8_t> expected(n_);
    qs8_quantize__scalar(n_, scale_, zero_point_, x.data(), expected.data());
    CheckOutput(expected, Shape() + " [" + kernel.name + "]",
                [&](int8_t* out) { kernel.run(n_, scale_, zero_point_, x.data(), out); });
  }

 private:
  size_t n_ = 16;
  float scale_ = 0.05f;
  int32_t zero_point_ = 0;
  double range_ = 300.0;
  std::vector<float> values_;
  uint32_t seed_ = 1;
};

// DEQUANTIZE: random int8 (every value when n >= 256), compared bit for bit.
class DequantizeKernelTester {
 public:
  DequantizeKernelTester& size(size_t n) { n_ = n; return *this; }
  DequantizeKernelTester& scale(float s) { scale_ = s; return *this; }
  DequantizeKernelTester& zero_point(int32_t z) { zero_point_ = z; return *this; }
  DequantizeKernelTester& seed(uint32_t s) { seed_ = s; return *this; }

  void Test(const DequantizeKernel& kernel) {
    std::ostringstream os;
    os << "dequantize n " << n_ << " scale " << scale_ << " zero point " << zero_point_
       << " seed " << seed_ << " [" << kernel.name << "]";
    Random rng(seed_);
    auto x = RandomBytes(rng, n_);
    for (size_t i = 0; i < n_ && i < 256; ++i) x[i] = static_cast<int8_t>(i - 128);
    std::vector<float> expected(n_);
    qs8_dequantize__scalar(n_, scale_, zero_point_, x.data(), expected.data());
    std::vector<float> buffer(n_ + 32, 12345.0f);
    kernel.run(n_, scale_, zero_point_, x.data(), buffer.data() + 16);
    for (size_t i = 0; i < 16; ++i) {
      ASSERT_EQ(buffer[i], 12345.0f) << os.str() << ": wrote before the output";
      ASSERT_EQ(buffer[n_ + 16 + i], 12345.0f) << os.str() << ": wrote past the output";
    }
    ASSERT_EQ(std::memcmp(buffer.data() + 16, expected.data(), n_ * sizeof(float)), 0)
        << os.str();
  }

 private:
  size_t n_ = 16;
  float scale_ = 0.05f;
  int32_t zero_point_ = 0;
  uint32_t seed_ = 1;
};


}  // namespace testing_util
}  // namespace octet
