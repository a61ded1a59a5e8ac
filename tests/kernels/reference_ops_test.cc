// Tests of the scalar reference kernels (conv, depthwise conv, fully
// connected, add) against float-domain goldens: random int8 tensors are
// dequantized, the op is computed in double, and the result is quantized
// with round-half-away and clamped to the fused activation's range. The
// kernels must be within 1 LSB everywhere and exact on >= 95% of outputs
// (the rest are double-rounding ties and the 2^-31 error of the Q31
// multiplier). The zero-point folding helpers are checked against naive sums.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/reference.h"
#include "kernels/requant.h"
#include "test_random.h"

namespace octet {
namespace {

using testing_util::Random;

// ---------------------------------------------------------------------------
// Statistics per op, printed per test and (when the whole binary runs in one
// process) in total at the end.

struct OpStats {
  uint64_t outputs = 0;
  uint64_t exact = 0;
  uint64_t unclamped = 0;        // golden strictly inside (qmin, qmax)
  uint64_t unclamped_exact = 0;
  int max_diff = 0;
};

std::map<std::string, OpStats>& GlobalStats() {
  static std::map<std::string, OpStats> stats;
  return stats;
}

void PrintStats(const std::string& label, const OpStats& s) {
  std::cout << "[  golden  ] " << label << ": " << s.exact << "/" << s.outputs << " exact ("
            << (s.outputs ? 100.0 * s.exact / s.outputs : 100.0) << "%), unclamped "
            << s.unclamped_exact << "/" << s.unclamped << " exact ("
            << (s.unclamped ? 100.0 * s.unclamped_exact / s.unclamped : 100.0)
            << "%), max |diff| " << s.max_diff << " LSB\n";
}

class StatsEnvironment : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const auto& [op, s] : GlobalStats()) PrintStats("total " + op, s);
  }
};
::testing::Environment* const kStatsEnvironment =
    ::testing::AddGlobalTestEnvironment(new StatsEnvironment);

// ---------------------------------------------------------------------------
// Quantization helpers.

enum class Activation { kNone, kReLU, kReLU6, kClamp };

const char* ActivationName(Activation a) {
  switch (a) {
    case Activation::kNone: return "none";
    case Activation::kReLU: return "relu";
    case Activation::kReLU6: return "relu6";
    case Activation::kClamp: return "clamp";
  }
  return "?";
}

struct OutputQuantization {
  float scale = 1.0f;
  int32_t zero_point = 0;
  int32_t qmin = -128, qmax = 127;
};

// Picks the output scale from the golden's real range (including 0) unless
// one is given, and the zero point that maps that range onto [-128, 127]
// unless one is given; then the clamp bounds of the fused activation.
OutputQuantization ChooseOutputQuantization(const std::vector<double>& golden,
                                            std::optional<float> scale,
                                            std::optional<int32_t> zero_point,
                                            Activation activation, double clamp_lo,
                                            double clamp_hi) {
  double lo = 0.0, hi = 0.0;
  for (double v : golden) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  OutputQuantization q;
  if (scale) {
    q.scale = *scale;
  } else if (zero_point) {
    // A given (possibly extreme) zero point: the scale covers the larger side.
    q.scale = static_cast<float>(std::max(std::max(hi, -lo), 1e-6) / 255.0);
  } else {
    q.scale = static_cast<float>(std::max(hi - lo, 1e-6) / 255.0);
  }
  if (zero_point) {
    q.zero_point = *zero_point;
  } else {
    const double zp = std::round(-128.0 - lo / q.scale);
    q.zero_point = static_cast<int32_t>(std::clamp(zp, -128.0, 127.0));
  }
  const double inf = std::numeric_limits<double>::infinity();
  switch (activation) {
    case Activation::kNone: ActivationRange(-inf, inf, q.scale, q.zero_point, &q.qmin, &q.qmax); break;
    case Activation::kReLU: ActivationRange(0.0, inf, q.scale, q.zero_point, &q.qmin, &q.qmax); break;
    case Activation::kReLU6: ActivationRange(0.0, 6.0, q.scale, q.zero_point, &q.qmin, &q.qmax); break;
    case Activation::kClamp:
      ActivationRange(clamp_lo, clamp_hi, q.scale, q.zero_point, &q.qmin, &q.qmax);
      break;
  }
  return q;
}

// The float golden's quantization: round half away from zero, then clamp.
int32_t QuantizeGolden(double real, const OutputQuantization& q) {
  const double v = std::round(real / static_cast<double>(q.scale)) + q.zero_point;
  return static_cast<int32_t>(std::clamp(v, static_cast<double>(q.qmin), static_cast<double>(q.qmax)));
}

std::vector<int8_t> RandomInt8(Random& rng, size_t n, int lo = -128, int hi = 127) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(rng.Range(lo, hi));
  return v;
}

// Per-channel weight scales (or one shared scale), in [0.003, 0.03).
std::vector<float> RandomWeightScales(Random& rng, int channels, bool per_channel) {
  std::vector<float> s(channels);
  const float shared = static_cast<float>(rng.Uniform(0.003, 0.03));
  for (auto& v : s) v = per_channel ? static_cast<float>(rng.Uniform(0.003, 0.03)) : shared;
  return s;
}

// Real bias in [-2, 2), quantized to the accumulator scale s_in * s_w[c].
std::vector<int32_t> RandomBias(Random& rng, float input_scale, const std::vector<float>& w_scales) {
  std::vector<int32_t> b(w_scales.size());
  for (size_t c = 0; c < b.size(); ++c) {
    const double real = rng.Uniform(-2.0, 2.0);
    b[c] = static_cast<int32_t>(
        std::round(real / (static_cast<double>(input_scale) * static_cast<double>(w_scales[c]))));
  }
  return b;
}

// Per-channel requantization multipliers M = s_in * s_w[c] / s_out.
struct ChannelRequant {
  std::vector<int32_t> multiplier, shift;
};
ChannelRequant MakeRequant(float input_scale, const std::vector<float>& w_scales, float output_scale) {
  ChannelRequant r;
  for (float sw : w_scales) {
    int32_t m = 0;
    int s = 0;
    const double real = static_cast<double>(input_scale) * sw / output_scale;
    EXPECT_TRUE(QuantizeMultiplier(real, &m, &s)) << "multiplier " << real;
    r.multiplier.push_back(m);
    r.shift.push_back(s);
  }
  return r;
}

RequantParams ToParams(const ChannelRequant& r, const OutputQuantization& q) {
  RequantParams p;
  p.multiplier = r.multiplier.data();
  p.shift = r.shift.data();
  p.output_zero_point = q.zero_point;
  p.qmin = q.qmin;
  p.qmax = q.qmax;
  return p;
}

// The kernel's folded bias: FoldInputZeroPoint*(), and a null pointer when
// there is neither a bias nor an input zero point (the kernels' null path).
struct FoldedBias {
  std::vector<int32_t> values;
  const int32_t* data() const { return values.empty() ? nullptr : values.data(); }
};

// Runs `kernel(out)` twice into guarded buffers pre-filled with different
// sentinels: the guards must survive and both runs must agree (so every
// output element was written).
template <typename Kernel>
std::vector<int8_t> RunGuarded(size_t n, const std::string& shape, Kernel kernel) {
  constexpr size_t kGuard = 64;
  std::vector<int8_t> results[2];
  const int8_t sentinels[2] = {int8_t{0x5A}, int8_t{-0x5B}};
  for (int run = 0; run < 2; ++run) {
    std::vector<int8_t> buffer(n + 2 * kGuard, sentinels[run]);
    kernel(buffer.data() + kGuard);
    for (size_t i = 0; i < kGuard; ++i) {
      EXPECT_EQ(buffer[i], sentinels[run]) << "write before the output, " << shape;
      EXPECT_EQ(buffer[kGuard + n + i], sentinels[run]) << "write after the output, " << shape;
    }
    results[run].assign(buffer.begin() + kGuard, buffer.begin() + kGuard + n);
  }
  EXPECT_EQ(results[0], results[1]) << "some outputs were not written, " << shape;
  return results[0];
}

// Compares kernel outputs with the quantized golden and records statistics.
// `where(i)` describes output i (its coordinates).
template <typename Where>
void CompareWithGolden(const std::string& op, const std::string& shape,
                       const std::vector<int8_t>& actual, const std::vector<double>& golden,
                       const OutputQuantization& q, Where where) {
  ASSERT_EQ(actual.size(), golden.size()) << shape;
  OpStats s;
  int reported = 0;
  for (size_t i = 0; i < actual.size(); ++i) {
    const int32_t expected = QuantizeGolden(golden[i], q);
    const int diff = std::abs(static_cast<int>(actual[i]) - expected);
    const bool inside = expected > q.qmin && expected < q.qmax;
    ++s.outputs;
    s.exact += diff == 0;
    s.unclamped += inside;
    s.unclamped_exact += inside && diff == 0;
    s.max_diff = std::max(s.max_diff, diff);
    if (diff > 1 && reported++ < 5) {
      ADD_FAILURE() << op << " output " << where(i) << " = " << int{actual[i]} << ", golden "
                    << expected << " (real " << golden[i] << ", scale " << q.scale << ", zp "
                    << q.zero_point << ", clamp [" << q.qmin << ", " << q.qmax << "]), " << shape;
    }
  }
  EXPECT_LE(s.max_diff, 1) << shape;
  // With few outputs one double-rounding tie would already be > 5%.
  if (s.outputs >= 20) {
    EXPECT_GE(static_cast<double>(s.exact), 0.95 * static_cast<double>(s.outputs))
        << s.exact << "/" << s.outputs << " exact, " << shape;
  }
  OpStats& g = GlobalStats()[op];
  g.outputs += s.outputs;
  g.exact += s.exact;
  g.unclamped += s.unclamped;
  g.unclamped_exact += s.unclamped_exact;
  g.max_diff = std::max(g.max_diff, s.max_diff);
  PrintStats(shape, s);
}

// TF "SAME" padding: output ceil(in / stride), the odd extra pad after.
void SamePadding(int in, int kernel, int stride, int dilation, int* before, int* after) {
  const int out = (in + stride - 1) / stride;
  const int effective = (kernel - 1) * dilation + 1;
  const int total = std::max((out - 1) * stride + effective - in, 0);
  *before = total / 2;
  *after = total - total / 2;
}

int OutputSize(int in, int pad_before, int pad_after, int kernel, int stride, int dilation) {
  const int effective = (kernel - 1) * dilation + 1;
  return (in + pad_before + pad_after - effective) / stride + 1;
}

// Settings shared by the conv-like testers.
struct CommonSettings {
  int batch = 1;
  float input_scale = 0.02f;
  int32_t input_zero_point = 0;
  std::optional<int32_t> output_zero_point;
  std::optional<float> output_scale;
  bool has_bias = true;
  bool per_channel = true;
  Activation activation = Activation::kNone;
  double clamp_lo = -3.0, clamp_hi = 4.0;
  int iterations = 4;
  uint32_t seed = 0x0C7E7;

  std::string Describe() const {
    std::ostringstream s;
    s << "batch=" << batch << " s_in=" << input_scale << " z_in=" << input_zero_point << " z_out="
      << (output_zero_point ? std::to_string(*output_zero_point) : std::string("auto"))
      << " bias=" << (has_bias ? "yes" : "no") << " scales=" << (per_channel ? "per-channel" : "shared")
      << " act=" << ActivationName(activation);
    if (activation == Activation::kClamp) s << "[" << clamp_lo << "," << clamp_hi << "]";
    return s.str();
  }
};

// Builder methods common to all testers (CRTP so they chain).
template <typename Derived>
class TesterBase {
 public:
  Derived& batch(int n) { c_.batch = n; return self(); }
  Derived& input_scale(float s) { c_.input_scale = s; return self(); }
  Derived& input_zero_point(int32_t z) { c_.input_zero_point = z; return self(); }
  Derived& output_zero_point(int32_t z) { c_.output_zero_point = z; return self(); }
  Derived& output_scale(float s) { c_.output_scale = s; return self(); }
  Derived& bias(bool present) { c_.has_bias = present; return self(); }
  Derived& per_channel_scales(bool on) { c_.per_channel = on; return self(); }
  Derived& relu() { c_.activation = Activation::kReLU; return self(); }
  Derived& relu6() { c_.activation = Activation::kReLU6; return self(); }
  Derived& clamp(double lo, double hi) {
    c_.activation = Activation::kClamp;
    c_.clamp_lo = lo;
    c_.clamp_hi = hi;
    return self();
  }
  Derived& iterations(int n) { c_.iterations = n; return self(); }
  Derived& seed(uint32_t s) { c_.seed = s; return self(); }

 protected:
  Derived& self() { return static_cast<Derived&>(*this); }
  CommonSettings c_;
};

// ---------------------------------------------------------------------------
// Convolution.

class ConvTester : public TesterBase<ConvTester> {
 public:
  ConvTester& input_size(int h, int w) { ih_ = h; iw_ = w; return *this; }
  ConvTester& channels(int in, int out) { cin_ = in; cout_ = out; return *this; }
  ConvTester& kernel(int h, int w) { kh_ = h; kw_ = w; return *this; }
  ConvTester& stride(int h, int w) { sh_ = h; sw_ = w; return *this; }
  ConvTester& dilation(int h, int w) { dh_ = h; dw_ = w; return *this; }
  // Explicit padding, in the order top, left, bottom, right.
  ConvTester& pad(int top, int left, int bottom, int right) {
    pt_ = top; pl_ = left; pb_ = bottom; pr_ = right; same_ = false;
    return *this;
  }
  // TF "SAME" padding (asymmetric when the total is odd), applied in Test().
  ConvTester& same_padding() { same_ = true; return *this; }
  ConvTester& groups(int g) { groups_ = g; return *this; }

  void Test() {
    if (same_) {
      SamePadding(ih_, kh_, sh_, dh_, &pt_, &pb_);
      SamePadding(iw_, kw_, sw_, dw_, &pl_, &pr_);
    }
    ASSERT_EQ(cin_ % groups_, 0);
    ASSERT_EQ(cout_ % groups_, 0);
    const int oh = OutputSize(ih_, pt_, pb_, kh_, sh_, dh_);
    const int ow = OutputSize(iw_, pl_, pr_, kw_, sw_, dw_);
    ASSERT_GT(oh, 0);
    ASSERT_GT(ow, 0);
    const int cin_g = cin_ / groups_, cout_g = cout_ / groups_;
    const int filter_size = kh_ * kw_ * cin_g;
    Random rng(c_.seed);
    for (int it = 0; it < c_.iterations; ++it) {
      std::ostringstream shape_s;
      shape_s << "conv2d input=" << c_.batch << "x" << ih_ << "x" << iw_ << "x" << cin_
              << " output=" << oh << "x" << ow << "x" << cout_ << " kernel=" << kh_ << "x" << kw_
              << " stride=" << sh_ << "x" << sw_ << " dilation=" << dh_ << "x" << dw_
              << " pad(t,l,b,r)=" << pt_ << "," << pl_ << "," << pb_ << "," << pr_
              << " groups=" << groups_ << " " << c_.Describe() << " iteration=" << it;
      const std::string shape = shape_s.str();

      const auto input = RandomInt8(rng, static_cast<size_t>(c_.batch) * ih_ * iw_ * cin_);
      const auto filter = RandomInt8(rng, static_cast<size_t>(cout_) * filter_size, -127, 127);
      const auto w_scales = RandomWeightScales(rng, cout_, c_.per_channel);
      const auto bias = c_.has_bias ? RandomBias(rng, c_.input_scale, w_scales)
                                    : std::vector<int32_t>(cout_, 0);

      // Float golden, from the dequantized tensors.
      const double s_in = c_.input_scale;
      std::vector<double> golden(static_cast<size_t>(c_.batch) * oh * ow * cout_);
      for (int n = 0; n < c_.batch; ++n)
        for (int oy = 0; oy < oh; ++oy)
          for (int ox = 0; ox < ow; ++ox)
            for (int oc = 0; oc < cout_; ++oc) {
              const int g = oc / cout_g;
              const double s_w = w_scales[oc];
              double y = s_in * s_w * bias[oc];
              for (int ky = 0; ky < kh_; ++ky)
                for (int kx = 0; kx < kw_; ++kx) {
                  const int iy = oy * sh_ - pt_ + ky * dh_;
                  const int ix = ox * sw_ - pl_ + kx * dw_;
                  if (iy < 0 || iy >= ih_ || ix < 0 || ix >= iw_) continue;  // real 0
                  for (int ic = 0; ic < cin_g; ++ic) {
                    const int8_t x = input[((static_cast<size_t>(n) * ih_ + iy) * iw_ + ix) * cin_ +
                                           g * cin_g + ic];
                    const int8_t w = filter[((static_cast<size_t>(oc) * kh_ + ky) * kw_ + kx) * cin_g + ic];
                    y += (s_in * (x - c_.input_zero_point)) * (s_w * w);
                  }
                }
              golden[((static_cast<size_t>(n) * oh + oy) * ow + ox) * cout_ + oc] = y;
            }
      const OutputQuantization q = ChooseOutputQuantization(
          golden, c_.output_scale, c_.output_zero_point, c_.activation, c_.clamp_lo, c_.clamp_hi);

      // Kernel.
      const ChannelRequant rq = MakeRequant(c_.input_scale, w_scales, q.scale);
      FoldedBias folded;
      if (c_.has_bias || c_.input_zero_point != 0) {
        folded.values.resize(cout_);
        FoldInputZeroPoint(filter.data(), c_.has_bias ? bias.data() : nullptr, cout_, filter_size,
                           c_.input_zero_point, folded.values.data());
      }
      Conv2DParams p;
      p.batch = c_.batch;
      p.input_height = ih_; p.input_width = iw_; p.input_channels = cin_;
      p.output_height = oh; p.output_width = ow; p.output_channels = cout_;
      p.kernel_height = kh_; p.kernel_width = kw_;
      p.stride_height = sh_; p.stride_width = sw_;
      p.dilation_height = dh_; p.dilation_width = dw_;
      p.pad_top = pt_; p.pad_left = pl_;
      p.groups = groups_;
      p.input_zero_point = c_.input_zero_point;
      p.requant = ToParams(rq, q);
      const auto actual = RunGuarded(golden.size(), shape, [&](int8_t* out) {
        qs8_conv2d__scalar(p, input.data(), filter.data(), folded.data(), out);
      });
      CompareWithGolden("conv2d", shape, actual, golden, q, [&](size_t i) {
        std::ostringstream s;
        s << "[n=" << i / (static_cast<size_t>(oh) * ow * cout_) << ", y=" << i / (ow * cout_) % oh
          << ", x=" << i / cout_ % ow << ", c=" << i % cout_ << "]";
        return s.str();
      });
    }
  }

 private:
  int ih_ = 5, iw_ = 5, cin_ = 1, cout_ = 1, kh_ = 1, kw_ = 1, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1;
  int pt_ = 0, pl_ = 0, pb_ = 0, pr_ = 0, groups_ = 1;
  bool same_ = false;
};

TEST(QS8Conv2DScalar, Kernel1x1) {
  ConvTester().input_size(7, 9).channels(8, 16).kernel(1, 1).Test();
}
TEST(QS8Conv2DScalar, Kernel1x1Stride2) {
  ConvTester().input_size(9, 7).channels(13, 12).kernel(1, 1).stride(2, 2).Test();
}
TEST(QS8Conv2DScalar, Kernel3x3NoPadding) {
  ConvTester().input_size(9, 11).channels(4, 8).kernel(3, 3).Test();
}
TEST(QS8Conv2DScalar, Kernel3x3SymmetricPadding) {
  ConvTester().input_size(8, 8).channels(8, 8).kernel(3, 3).pad(1, 1, 1, 1).Test();
}
TEST(QS8Conv2DScalar, Kernel3x3SameStride2Asymmetric) {
  // 8 wide, stride 2: total padding 1, all of it after (bottom/right).
  ConvTester().input_size(8, 8).channels(3, 15).kernel(3, 3).stride(2, 2).same_padding().Test();
}
TEST(QS8Conv2DScalar, Kernel5x5Same) {
  ConvTester().input_size(9, 10).channels(4, 8).kernel(5, 5).same_padding().Test();
}
TEST(QS8Conv2DScalar, Kernel5x5SameStride2Asymmetric) {
  // 8 wide, stride 2, kernel 5: total padding 3 -> 1 before, 2 after.
  ConvTester().input_size(8, 8).channels(3, 4).kernel(5, 5).stride(2, 2).same_padding().Test();
}
TEST(QS8Conv2DScalar, NonSquareKernels) {
  ConvTester().input_size(7, 9).channels(4, 5).kernel(1, 3).pad(0, 1, 0, 1).Test();
  ConvTester().input_size(7, 9).channels(4, 5).kernel(3, 1).pad(1, 0, 1, 0).Test();
  ConvTester().input_size(6, 11).channels(3, 4).kernel(2, 5).same_padding().Test();
}
TEST(QS8Conv2DScalar, Stride3) {
  ConvTester().input_size(10, 11).channels(4, 8).kernel(3, 3).stride(3, 3).Test();
  ConvTester().input_size(10, 11).channels(4, 8).kernel(3, 3).stride(3, 3).same_padding().Test();
}
TEST(QS8Conv2DScalar, Dilation2) {
  ConvTester().input_size(9, 9).channels(4, 8).kernel(3, 3).dilation(2, 2).Test();
  ConvTester().input_size(9, 9).channels(4, 8).kernel(3, 3).dilation(2, 2).same_padding().Test();
}
TEST(QS8Conv2DScalar, MixedStrideDilationAsymmetricPad) {
  ConvTester()
      .input_size(7, 9).channels(3, 5).kernel(3, 3).stride(2, 1).dilation(1, 2)
      .pad(1, 0, 1, 2).groups(1).input_zero_point(-128).Test();
}
TEST(QS8Conv2DScalar, KernelLargerThanInput) {
  ConvTester().input_size(2, 3).channels(4, 4).kernel(5, 5).pad(2, 2, 2, 2).input_zero_point(37).Test();
}
TEST(QS8Conv2DScalar, Groups) {
  ConvTester().input_size(6, 7).channels(8, 12).kernel(3, 3).pad(1, 1, 1, 1).groups(2).Test();
  ConvTester().input_size(6, 7).channels(12, 24).kernel(3, 3).groups(4).input_zero_point(-7).Test();
  // groups == channels: a depthwise convolution expressed as a grouped one.
  ConvTester().input_size(7, 7).channels(8, 16).kernel(3, 3).same_padding().groups(8).Test();
}
TEST(QS8Conv2DScalar, ChannelSweep) {
  for (int c : {1, 4, 8, 12, 13, 15, 16, 24}) {
    ConvTester().input_size(5, 6).channels(c, 7).kernel(3, 3).pad(1, 1, 1, 1).input_zero_point(3).Test();
    ConvTester().input_size(5, 6).channels(5, c).kernel(3, 3).pad(1, 1, 1, 1).input_zero_point(3).Test();
  }
}
TEST(QS8Conv2DScalar, SizeSweep) {
  for (int s : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 17}) {
    ConvTester().input_size(s, s + 1).channels(3, 4).kernel(3, 3).same_padding().iterations(1).Test();
  }
}
TEST(QS8Conv2DScalar, Batch2) {
  ConvTester().batch(2).input_size(6, 5).channels(4, 8).kernel(3, 3).pad(1, 1, 1, 1).Test();
}
TEST(QS8Conv2DScalar, LargeK) {
  ConvTester().input_size(5, 5).channels(256, 16).kernel(3, 3).pad(1, 1, 1, 1).iterations(1).Test();
}
TEST(QS8Conv2DScalar, FusedActivations) {
  ConvTester().input_size(7, 7).channels(8, 16).kernel(3, 3).pad(1, 1, 1, 1).relu().Test();
  ConvTester().input_size(7, 7).channels(8, 16).kernel(3, 3).pad(1, 1, 1, 1).relu6().Test();
  ConvTester().input_size(7, 7).channels(8, 16).kernel(3, 3).pad(1, 1, 1, 1).clamp(-3.0, 4.0).Test();
}
TEST(QS8Conv2DScalar, ExtremeZeroPoints) {
  for (int32_t zin : {-128, 127}) {
    for (int32_t zout : {-128, 127}) {
      ConvTester().input_size(6, 7).channels(4, 8).kernel(3, 3).pad(1, 1, 1, 1)
          .input_zero_point(zin).output_zero_point(zout).Test();
    }
    ConvTester().input_size(6, 7).channels(4, 8).kernel(3, 3).pad(1, 1, 1, 1).input_zero_point(zin).relu().Test();
  }
}
TEST(QS8Conv2DScalar, NoBias) {
  ConvTester().input_size(6, 7).channels(4, 8).kernel(3, 3).pad(1, 1, 1, 1).bias(false).Test();  // null bias
  ConvTester().input_size(6, 7).channels(4, 8).kernel(3, 3).pad(1, 1, 1, 1).bias(false).input_zero_point(-128).Test();
}
TEST(QS8Conv2DScalar, SharedWeightScale) {
  ConvTester().input_size(6, 7).channels(4, 8).kernel(3, 3).per_channel_scales(false).Test();
}

// ---------------------------------------------------------------------------
// Depthwise convolution.

class DWConvTester : public TesterBase<DWConvTester> {
 public:
  DWConvTester& input_size(int h, int w) { ih_ = h; iw_ = w; return *this; }
  DWConvTester& channels(int c) { c_in_ = c; return *this; }
  DWConvTester& depth_multiplier(int m) { m_ = m; return *this; }
  DWConvTester& kernel(int h, int w) { kh_ = h; kw_ = w; return *this; }
  DWConvTester& stride(int h, int w) { sh_ = h; sw_ = w; return *this; }
  DWConvTester& dilation(int h, int w) { dh_ = h; dw_ = w; return *this; }
  DWConvTester& pad(int top, int left, int bottom, int right) {
    pt_ = top; pl_ = left; pb_ = bottom; pr_ = right; same_ = false;
    return *this;
  }
  DWConvTester& same_padding() { same_ = true; return *this; }

  void Test() {
    if (same_) {
      SamePadding(ih_, kh_, sh_, dh_, &pt_, &pb_);
      SamePadding(iw_, kw_, sw_, dw_, &pl_, &pr_);
    }
    const int oh = OutputSize(ih_, pt_, pb_, kh_, sh_, dh_);
    const int ow = OutputSize(iw_, pl_, pr_, kw_, sw_, dw_);
    ASSERT_GT(oh, 0);
    ASSERT_GT(ow, 0);
    const int cout = c_in_ * m_;
    Random rng(c_.seed);
    for (int it = 0; it < c_.iterations; ++it) {
      std::ostringstream shape_s;
      shape_s << "dwconv2d input=" << c_.batch << "x" << ih_ << "x" << iw_ << "x" << c_in_
              << " multiplier=" << m_ << " output=" << oh << "x" << ow << "x" << cout
              << " kernel=" << kh_ << "x" << kw_ << " stride=" << sh_ << "x" << sw_
              << " dilation=" << dh_ << "x" << dw_ << " pad(t,l,b,r)=" << pt_ << "," << pl_ << ","
              << pb_ << "," << pr_ << " " << c_.Describe() << " iteration=" << it;
      const std::string shape = shape_s.str();

      const auto input = RandomInt8(rng, static_cast<size_t>(c_.batch) * ih_ * iw_ * c_in_);
      const auto filter = RandomInt8(rng, static_cast<size_t>(kh_) * kw_ * cout, -127, 127);
      const auto w_scales = RandomWeightScales(rng, cout, c_.per_channel);
      const auto bias = c_.has_bias ? RandomBias(rng, c_.input_scale, w_scales)
                                    : std::vector<int32_t>(cout, 0);

      const double s_in = c_.input_scale;
      std::vector<double> golden(static_cast<size_t>(c_.batch) * oh * ow * cout);
      for (int n = 0; n < c_.batch; ++n)
        for (int oy = 0; oy < oh; ++oy)
          for (int ox = 0; ox < ow; ++ox)
            for (int oc = 0; oc < cout; ++oc) {
              const int ic = oc / m_;
              const double s_w = w_scales[oc];
              double y = s_in * s_w * bias[oc];
              for (int ky = 0; ky < kh_; ++ky)
                for (int kx = 0; kx < kw_; ++kx) {
                  const int iy = oy * sh_ - pt_ + ky * dh_;
                  const int ix = ox * sw_ - pl_ + kx * dw_;
                  if (iy < 0 || iy >= ih_ || ix < 0 || ix >= iw_) continue;
                  const int8_t x = input[((static_cast<size_t>(n) * ih_ + iy) * iw_ + ix) * c_in_ + ic];
                  const int8_t w = filter[(static_cast<size_t>(ky) * kw_ + kx) * cout + oc];
                  y += (s_in * (x - c_.input_zero_point)) * (s_w * w);
                }
              golden[((static_cast<size_t>(n) * oh + oy) * ow + ox) * cout + oc] = y;
            }
      const OutputQuantization q = ChooseOutputQuantization(
          golden, c_.output_scale, c_.output_zero_point, c_.activation, c_.clamp_lo, c_.clamp_hi);

      const ChannelRequant rq = MakeRequant(c_.input_scale, w_scales, q.scale);
      FoldedBias folded;
      if (c_.has_bias || c_.input_zero_point != 0) {
        folded.values.resize(cout);
        FoldInputZeroPointDepthwise(filter.data(), c_.has_bias ? bias.data() : nullptr, cout,
                                    kh_ * kw_, c_.input_zero_point, folded.values.data());
      }
      DepthwiseConv2DParams p;
      p.batch = c_.batch;
      p.input_height = ih_; p.input_width = iw_; p.input_channels = c_in_;
      p.output_height = oh; p.output_width = ow;
      p.depth_multiplier = m_;
      p.kernel_height = kh_; p.kernel_width = kw_;
      p.stride_height = sh_; p.stride_width = sw_;
      p.dilation_height = dh_; p.dilation_width = dw_;
      p.pad_top = pt_; p.pad_left = pl_;
      p.input_zero_point = c_.input_zero_point;
      p.requant = ToParams(rq, q);
      const auto actual = RunGuarded(golden.size(), shape, [&](int8_t* out) {
        qs8_dwconv2d__scalar(p, input.data(), filter.data(), folded.data(), out);
      });
      CompareWithGolden("dwconv2d", shape, actual, golden, q, [&](size_t i) {
        std::ostringstream s;
        s << "[n=" << i / (static_cast<size_t>(oh) * ow * cout) << ", y=" << i / (ow * cout) % oh
          << ", x=" << i / cout % ow << ", c=" << i % cout << "]";
        return s.str();
      });
    }
  }

 private:
  int ih_ = 5, iw_ = 5, c_in_ = 1, m_ = 1, kh_ = 3, kw_ = 3, sh_ = 1, sw_ = 1, dh_ = 1, dw_ = 1;
  int pt_ = 0, pl_ = 0, pb_ = 0, pr_ = 0;
  bool same_ = false;
};

TEST(QS8DWConv2DScalar, Kernel3x3) {
  DWConvTester().input_size(9, 8).channels(16).kernel(3, 3).pad(1, 1, 1, 1).Test();
  DWConvTester().input_size(9, 8).channels(16).kernel(3, 3).Test();
}
TEST(QS8DWConv2DScalar, Kernel1x1) {
  DWConvTester().input_size(5, 7).channels(12).kernel(1, 1).Test();
}
TEST(QS8DWConv2DScalar, Kernel5x5Same) {
  DWConvTester().input_size(9, 9).channels(8).kernel(5, 5).same_padding().Test();
}
TEST(QS8DWConv2DScalar, NonSquareKernels) {
  DWConvTester().input_size(7, 6).channels(8).kernel(3, 1).pad(1, 0, 1, 0).Test();
  DWConvTester().input_size(7, 6).channels(8).kernel(1, 5).same_padding().Test();
}
TEST(QS8DWConv2DScalar, Strides) {
  for (int s : {1, 2, 3}) {
    DWConvTester().input_size(10, 11).channels(8).kernel(3, 3).stride(s, s).same_padding().Test();
    DWConvTester().input_size(10, 11).channels(8).kernel(3, 3).stride(s, s).Test();
  }
  DWConvTester().input_size(8, 8).channels(4).kernel(5, 5).stride(2, 1).same_padding().Test();
}
TEST(QS8DWConv2DScalar, Dilation2) {
  DWConvTester().input_size(9, 9).channels(8).kernel(3, 3).dilation(2, 2).same_padding().Test();
  DWConvTester().input_size(9, 9).channels(8).kernel(3, 3).dilation(2, 1).pad(2, 0, 1, 1).Test();
}
TEST(QS8DWConv2DScalar, DepthMultipliers) {
  for (int m : {1, 2, 3}) {
    DWConvTester().input_size(6, 7).channels(5).depth_multiplier(m).kernel(3, 3).same_padding()
        .input_zero_point(-20).Test();
  }
}
TEST(QS8DWConv2DScalar, ChannelSweep) {
  for (int c : {1, 4, 8, 12, 13, 15, 16, 24}) {
    DWConvTester().input_size(5, 6).channels(c).kernel(3, 3).pad(1, 1, 1, 1).input_zero_point(9).Test();
  }
}
TEST(QS8DWConv2DScalar, SizeSweep) {
  for (int s : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 17}) {
    DWConvTester().input_size(s + 1, s).channels(8).kernel(3, 3).same_padding().iterations(1).Test();
  }
}
TEST(QS8DWConv2DScalar, Batch2) {
  DWConvTester().batch(2).input_size(6, 5).channels(8).depth_multiplier(2).kernel(3, 3).same_padding().Test();
}
TEST(QS8DWConv2DScalar, FusedActivations) {
  // Few taps give small outputs: a larger input scale makes ReLU6 bite.
  DWConvTester().input_size(7, 7).channels(16).kernel(3, 3).same_padding().input_scale(0.1f).relu().Test();
  DWConvTester().input_size(7, 7).channels(16).kernel(3, 3).same_padding().input_scale(0.1f).relu6().Test();
  DWConvTester().input_size(7, 7).channels(16).kernel(3, 3).same_padding().input_scale(0.1f).clamp(-2.0, 1.5).Test();
}
TEST(QS8DWConv2DScalar, ExtremeZeroPoints) {
  for (int32_t zin : {-128, 127}) {
    for (int32_t zout : {-128, 127}) {
      DWConvTester().input_size(6, 7).channels(8).kernel(3, 3).same_padding()
          .input_zero_point(zin).output_zero_point(zout).Test();
    }
  }
}
TEST(QS8DWConv2DScalar, NoBias) {
  DWConvTester().input_size(6, 7).channels(8).kernel(3, 3).same_padding().bias(false).Test();
  DWConvTester().input_size(6, 7).channels(8).kernel(3, 3).same_padding().bias(false).input_zero_point(127).Test();
}
TEST(QS8DWConv2DScalar, SharedWeightScale) {
  DWConvTester().input_size(6, 7).channels(8).kernel(3, 3).per_channel_scales(false).Test();
}

// ---------------------------------------------------------------------------
// Fully connected.

class FCTester : public TesterBase<FCTester> {
 public:
  FCTester& input_features(int k) { k_ = k; return *this; }
  FCTester& output_features(int n) { n_ = n; return *this; }

  void Test() {
    Random rng(c_.seed);
    for (int it = 0; it < c_.iterations; ++it) {
      std::ostringstream shape_s;
      shape_s << "fully_connected input=" << c_.batch << "x" << k_ << " filter=" << n_ << "x" << k_
              << " " << c_.Describe() << " iteration=" << it;
      const std::string shape = shape_s.str();

      const auto input = RandomInt8(rng, static_cast<size_t>(c_.batch) * k_);
      const auto filter = RandomInt8(rng, static_cast<size_t>(n_) * k_, -127, 127);
      const auto w_scales = RandomWeightScales(rng, n_, c_.per_channel);
      const auto bias = c_.has_bias ? RandomBias(rng, c_.input_scale, w_scales)
                                    : std::vector<int32_t>(n_, 0);

      const double s_in = c_.input_scale;
      std::vector<double> golden(static_cast<size_t>(c_.batch) * n_);
      for (int b = 0; b < c_.batch; ++b)
        for (int nc = 0; nc < n_; ++nc) {
          const double s_w = w_scales[nc];
          double y = s_in * s_w * bias[nc];
          for (int k = 0; k < k_; ++k) {
            const int8_t x = input[static_cast<size_t>(b) * k_ + k];
            const int8_t w = filter[static_cast<size_t>(nc) * k_ + k];
            y += (s_in * (x - c_.input_zero_point)) * (s_w * w);
          }
          golden[static_cast<size_t>(b) * n_ + nc] = y;
        }
      const OutputQuantization q = ChooseOutputQuantization(
          golden, c_.output_scale, c_.output_zero_point, c_.activation, c_.clamp_lo, c_.clamp_hi);

      const ChannelRequant rq = MakeRequant(c_.input_scale, w_scales, q.scale);
      FoldedBias folded;
      if (c_.has_bias || c_.input_zero_point != 0) {
        folded.values.resize(n_);
        FoldInputZeroPoint(filter.data(), c_.has_bias ? bias.data() : nullptr, n_, k_,
                           c_.input_zero_point, folded.values.data());
      }
      FullyConnectedParams p;
      p.batch = c_.batch;
      p.input_features = k_;
      p.output_features = n_;
      p.input_zero_point = c_.input_zero_point;
      p.requant = ToParams(rq, q);
      const auto actual = RunGuarded(golden.size(), shape, [&](int8_t* out) {
        qs8_fully_connected__scalar(p, input.data(), filter.data(), folded.data(), out);
      });
      CompareWithGolden("fully_connected", shape, actual, golden, q, [&](size_t i) {
        std::ostringstream s;
        s << "[row=" << i / n_ << ", n=" << i % n_ << "]";
        return s.str();
      });
    }
  }

 private:
  int k_ = 1, n_ = 1;
};

TEST(QS8FullyConnectedScalar, KSweep) {
  for (int k : {1, 3, 64, 1000}) {
    FCTester().batch(3).input_features(k).output_features(16).input_zero_point(-5).Test();
  }
}
TEST(QS8FullyConnectedScalar, OutputFeatureSweep) {
  for (int n : {1, 4, 8, 12, 13, 15, 16, 24}) {
    FCTester().batch(5).input_features(37).output_features(n).input_zero_point(11).Test();
  }
}
TEST(QS8FullyConnectedScalar, Batch) {
  FCTester().batch(1).input_features(64).output_features(24).Test();
  FCTester().batch(2).input_features(64).output_features(24).Test();
  FCTester().batch(7).input_features(17).output_features(13).Test();
}
TEST(QS8FullyConnectedScalar, FusedActivations) {
  FCTester().batch(4).input_features(64).output_features(24).relu().Test();
  FCTester().batch(4).input_features(64).output_features(24).relu6().Test();
  FCTester().batch(4).input_features(64).output_features(24).clamp(-1.0, 2.5).Test();
}
TEST(QS8FullyConnectedScalar, ExtremeZeroPoints) {
  for (int32_t zin : {-128, 127}) {
    for (int32_t zout : {-128, 127}) {
      FCTester().batch(4).input_features(100).output_features(16).input_zero_point(zin)
          .output_zero_point(zout).Test();
    }
  }
}
TEST(QS8FullyConnectedScalar, NoBias) {
  FCTester().batch(4).input_features(64).output_features(16).bias(false).Test();
  FCTester().batch(4).input_features(64).output_features(16).bias(false).input_zero_point(-128).Test();
}
TEST(QS8FullyConnectedScalar, SharedWeightScale) {
  FCTester().batch(4).input_features(64).output_features(16).per_channel_scales(false).Test();
}

// ---------------------------------------------------------------------------
// Add.

class AddTester {
 public:
  AddTester& size(size_t n) { n_ = n; return *this; }
  AddTester& a(float scale, int32_t zero_point) { sa_ = scale; za_ = zero_point; return *this; }
  AddTester& b(float scale, int32_t zero_point) { sb_ = scale; zb_ = zero_point; return *this; }
  AddTester& output_scale(float s) { so_ = s; return *this; }
  AddTester& output_zero_point(int32_t z) { zo_ = z; return *this; }
  AddTester& relu() { act_ = Activation::kReLU; return *this; }
  AddTester& relu6() { act_ = Activation::kReLU6; return *this; }
  AddTester& clamp(double lo, double hi) { act_ = Activation::kClamp; lo_ = lo; hi_ = hi; return *this; }
  AddTester& iterations(int n) { iterations_ = n; return *this; }
  AddTester& seed(uint32_t s) { seed_ = s; return *this; }

  void Test() {
    Random rng(seed_);
    for (int it = 0; it < iterations_; ++it) {
      std::ostringstream shape_s;
      shape_s << "add n=" << n_ << " a(s=" << sa_ << ",z=" << za_ << ") b(s=" << sb_ << ",z=" << zb_
              << ") out(s=" << (so_ ? std::to_string(*so_) : std::string("auto")) << ",z="
              << (zo_ ? std::to_string(*zo_) : std::string("auto")) << ") act=" << ActivationName(act_)
              << " iteration=" << it;
      const std::string shape = shape_s.str();

      const auto a = RandomInt8(rng, n_);
      const auto b = RandomInt8(rng, n_);
      std::vector<double> golden(n_);
      for (size_t i = 0; i < n_; ++i) {
        golden[i] = static_cast<double>(sa_) * (a[i] - za_) + static_cast<double>(sb_) * (b[i] - zb_);
      }
      const OutputQuantization q = ChooseOutputQuantization(golden, so_, zo_, act_, lo_, hi_);

      AddParams p;
      ASSERT_TRUE(ComputeAddParams(sa_, za_, sb_, zb_, q.scale, q.zero_point, &p)) << shape;
      EXPECT_LE(p.a_shift, 0) << shape;
      EXPECT_LE(p.b_shift, 0) << shape;
      EXPECT_EQ(p.qmin, -128) << shape;
      EXPECT_EQ(p.qmax, 127) << shape;
      p.qmin = q.qmin;
      p.qmax = q.qmax;
      const auto actual = RunGuarded(n_, shape, [&](int8_t* out) {
        qs8_add__scalar(p, n_, a.data(), b.data(), out);
      });
      CompareWithGolden("add", shape, actual, golden, q, [&](size_t i) {
        std::ostringstream s;
        s << "[" << i << "] (a=" << int{a[i]} << ", b=" << int{b[i]} << ")";
        return s.str();
      });
    }
  }

 private:
  size_t n_ = 1000;
  float sa_ = 0.05f, sb_ = 0.05f;
  int32_t za_ = 0, zb_ = 0;
  std::optional<float> so_;
  std::optional<int32_t> zo_;
  Activation act_ = Activation::kNone;
  double lo_ = -1.0, hi_ = 1.0;
  int iterations_ = 4;
  uint32_t seed_ = 0xADD;
};

TEST(QS8AddScalar, EqualScales) {
  AddTester().a(0.05f, 3).b(0.05f, -7).Test();
  // Output scale equal to the inputs': sums are exact integers.
  AddTester().a(0.05f, 0).b(0.05f, 0).output_scale(0.05f).output_zero_point(0).Test();
  // Twice the inputs' scale: every odd sum is an exact tie, rounded away.
  AddTester().a(0.05f, 0).b(0.05f, 0).output_scale(0.1f).output_zero_point(0).Test();
}
TEST(QS8AddScalar, DifferentScales) {
  AddTester().a(0.05f, 3).b(0.02f, -7).Test();
  AddTester().a(0.013f, -100).b(0.2f, 50).Test();
  AddTester().a(1.0f, 0).b(0.001f, 0).Test();    // b almost vanishes
  AddTester().a(0.0007f, 0).b(0.9f, 12).Test();
}
TEST(QS8AddScalar, Sizes) {
  for (size_t n : {1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65}) {
    AddTester().size(n).a(0.05f, 3).b(0.03f, -7).iterations(1).Test();
  }
}
TEST(QS8AddScalar, ExtremeZeroPoints) {
  for (int32_t z : {-128, 127}) {
    AddTester().a(0.05f, z).b(0.03f, z).Test();
    AddTester().a(0.05f, z).b(0.03f, -z - 1).output_zero_point(z).Test();
  }
}
TEST(QS8AddScalar, FusedActivations) {
  AddTester().a(0.05f, 3).b(0.03f, -7).relu().Test();
  AddTester().a(0.05f, 3).b(0.03f, -7).relu6().Test();
  AddTester().a(0.05f, 3).b(0.03f, -7).clamp(-2.0, 3.0).Test();
}
TEST(QS8AddScalar, ComputeAddParamsRejectsInvalidScales) {
  AddParams p;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_FALSE(ComputeAddParams(0.0f, 0, 0.1f, 0, 0.1f, 0, &p));
  EXPECT_FALSE(ComputeAddParams(0.1f, 0, -0.1f, 0, 0.1f, 0, &p));
  EXPECT_FALSE(ComputeAddParams(0.1f, 0, 0.1f, 0, nan, 0, &p));
  EXPECT_FALSE(ComputeAddParams(inf, 0, 0.1f, 0, 0.1f, 0, &p));
  // Output multiplier 2 * 1 / (2^20 * 1e-20) is far beyond 2^30.
  EXPECT_FALSE(ComputeAddParams(1.0f, 0, 1.0f, 0, 1e-20f, 0, &p));
  // 2 / (2^20 * 1e-7) ~= 19 needs shift 5: the shifted sum could wrap.
  EXPECT_FALSE(ComputeAddParams(1.0f, 0, 1.0f, 0, 1e-7f, 0, &p));
  // 2 / (2^20 * 2^-21) = 4 is shift 3, the largest accepted; the extreme sums
  // must saturate, not wrap.
  ASSERT_TRUE(ComputeAddParams(1.0f, -128, 1.0f, -128, std::ldexp(1.0f, -21), 0, &p));
  EXPECT_EQ(p.output_shift, 3);
  {
    const int8_t a[4] = {127, -128, 127, -127};
    const int8_t b[4] = {127, -128, -128, -128};
    int8_t out[4] = {0, 0, 0, 0};
    qs8_add__scalar(p, 4, a, b, out);
    EXPECT_EQ(out[0], 127);   // 255 + 255 -> saturates high
    EXPECT_EQ(out[1], 0);     // 0 + 0
    EXPECT_EQ(out[2], 127);   // 255 + 0
    EXPECT_EQ(out[3], 127);   // 1 + 0 is 2^21 output steps
  }
  ASSERT_TRUE(ComputeAddParams(1.0f, 127, 1.0f, 127, std::ldexp(1.0f, -21), 0, &p));
  {
    const int8_t a[2] = {-128, 126};
    const int8_t b[2] = {-128, 127};
    int8_t out[2] = {0, 0};
    qs8_add__scalar(p, 2, a, b, out);
    EXPECT_EQ(out[0], -128);  // -255 - 255 -> saturates low
    EXPECT_EQ(out[1], -128);  // -1 + 0 is -2^21 output steps
  }
  ASSERT_TRUE(ComputeAddParams(0.5f, 1, 0.25f, 2, 0.75f, 3, &p));
  // a: 0.5 / 1.0 = 0.5 -> (2^30, 0); b: 0.25 -> (2^30, -1).
  EXPECT_EQ(p.a_multiplier, int32_t{1} << 30);
  EXPECT_EQ(p.a_shift, 0);
  EXPECT_EQ(p.b_multiplier, int32_t{1} << 30);
  EXPECT_EQ(p.b_shift, -1);
  EXPECT_EQ(p.left_shift, 20);
  EXPECT_EQ(p.a_zero_point, 1);
  EXPECT_EQ(p.b_zero_point, 2);
  EXPECT_EQ(p.output_zero_point, 3);
}

// ---------------------------------------------------------------------------
// Zero-point folding.

TEST(FoldInputZeroPoint, MatchesNaiveSum) {
  Random rng(11);
  for (int32_t zp : {-128, -1, 0, 5, 127}) {
    for (bool with_bias : {true, false}) {
      for (int filter_size : {1, 9, 27, 1000}) {
        const int channels = 13;
        const auto filter = RandomInt8(rng, static_cast<size_t>(channels) * filter_size, -127, 127);
        std::vector<int32_t> bias(channels);
        for (auto& b : bias) b = static_cast<int32_t>(rng.Range(-1000000, 1000000));
        std::vector<int32_t> folded(channels, 0x12345678);
        FoldInputZeroPoint(filter.data(), with_bias ? bias.data() : nullptr, channels, filter_size,
                           zp, folded.data());
        for (int c = 0; c < channels; ++c) {
          int64_t sum = 0;
          for (int t = 0; t < filter_size; ++t) sum += filter[static_cast<size_t>(c) * filter_size + t];
          const int64_t expected = (with_bias ? bias[c] : 0) - int64_t{zp} * sum;
          EXPECT_EQ(folded[c], expected) << "channel " << c << " filter_size " << filter_size
                                         << " zp " << zp << " bias " << with_bias;
        }
      }
    }
  }
}

TEST(FoldInputZeroPoint, DepthwiseMatchesNaiveSum) {
  Random rng(12);
  for (int32_t zp : {-128, -1, 0, 5, 127}) {
    for (bool with_bias : {true, false}) {
      for (int taps : {1, 9, 25}) {
        for (int channels : {1, 8, 13, 24}) {
          const auto filter = RandomInt8(rng, static_cast<size_t>(taps) * channels, -127, 127);
          std::vector<int32_t> bias(channels);
          for (auto& b : bias) b = static_cast<int32_t>(rng.Range(-1000000, 1000000));
          std::vector<int32_t> folded(channels, 0x12345678);
          FoldInputZeroPointDepthwise(filter.data(), with_bias ? bias.data() : nullptr, channels,
                                      taps, zp, folded.data());
          for (int c = 0; c < channels; ++c) {
            int64_t sum = 0;
            for (int t = 0; t < taps; ++t) sum += filter[static_cast<size_t>(t) * channels + c];
            const int64_t expected = (with_bias ? bias[c] : 0) - int64_t{zp} * sum;
            EXPECT_EQ(folded[c], expected) << "channel " << c << "/" << channels << " taps " << taps
                                           << " zp " << zp << " bias " << with_bias;
          }
        }
      }
    }
  }
}

// Folding is exact: the kernel with the folded bias equals the direct
// sum_t (x_t - z_in) * w_t + b, requantized (padded taps contributing 0).
TEST(FoldInputZeroPoint, ConvWithFoldedBiasEqualsDirectAccumulation) {
  Random rng(13);
  const int ih = 5, iw = 6, cin = 3, cout = 4, k = 3;
  for (int32_t zp : {-128, 0, 77, 127}) {
    const auto input = RandomInt8(rng, static_cast<size_t>(ih) * iw * cin);
    const auto filter = RandomInt8(rng, static_cast<size_t>(cout) * k * k * cin, -127, 127);
    std::vector<int32_t> bias(cout);
    for (auto& b : bias) b = static_cast<int32_t>(rng.Range(-50000, 50000));
    std::vector<int32_t> folded(cout);
    FoldInputZeroPoint(filter.data(), bias.data(), cout, k * k * cin, zp, folded.data());
    std::vector<int32_t> mult(cout), shift(cout);
    for (int c = 0; c < cout; ++c) ASSERT_TRUE(QuantizeMultiplier(0.001 * (c + 1), &mult[c], &shift[c]));
    Conv2DParams p;
    p.input_height = ih; p.input_width = iw; p.input_channels = cin;
    p.output_height = ih; p.output_width = iw; p.output_channels = cout;
    p.kernel_height = k; p.kernel_width = k; p.pad_top = 1; p.pad_left = 1;
    p.input_zero_point = zp;
    p.requant.multiplier = mult.data();
    p.requant.shift = shift.data();
    p.requant.output_zero_point = -3;
    std::vector<int8_t> out(static_cast<size_t>(ih) * iw * cout);
    qs8_conv2d__scalar(p, input.data(), filter.data(), folded.data(), out.data());
    for (int oy = 0; oy < ih; ++oy)
      for (int ox = 0; ox < iw; ++ox)
        for (int oc = 0; oc < cout; ++oc) {
          int32_t acc = bias[oc];
          for (int ky = 0; ky < k; ++ky)
            for (int kx = 0; kx < k; ++kx) {
              const int iy = oy - 1 + ky, ix = ox - 1 + kx;
              if (iy < 0 || iy >= ih || ix < 0 || ix >= iw) continue;
              for (int ic = 0; ic < cin; ++ic) {
                acc += (input[(static_cast<size_t>(iy) * iw + ix) * cin + ic] - zp) *
                       filter[((static_cast<size_t>(oc) * k + ky) * k + kx) * cin + ic];
              }
            }
          const int8_t expected = RequantizeToInt8(acc, mult[oc], shift[oc], -3, -128, 127);
          ASSERT_EQ(out[(static_cast<size_t>(oy) * iw + ox) * cout + oc], expected)
              << "y=" << oy << " x=" << ox << " c=" << oc << " zp=" << zp;
        }
  }
}

}  // namespace
}  // namespace octet
