// Every kernel of every ISA level built into this binary and runnable on this
// CPU, compared with the scalar reference at tolerance 0 over shapes at the
// SIMD tile edges: channels 1, 4, 8, 12, 13, 15, 16, 24 (and more), sizes 1-10
// and 2^k +- 1, K below and above any unroll, strides, dilation, padding,
// groups, extreme zero points and clamps.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "kernel_tester.h"
#include "octet/octet.h"
// Plain C++ (no ISA headers): the add fast paths' set-ups, checked on every host.
#include "kernels/arm/qs8_add_neon_setup.h"
#include "kernels/x86/qs8_add_fast.h"

namespace octet {
namespace {

using testing_util::AddKernelTester;
using testing_util::AvgPoolKernelTester;
using testing_util::ConvKernelTester;
using testing_util::DepthwiseKernelTester;
using testing_util::DequantizeKernelTester;
using testing_util::FullyConnectedKernelTester;
using testing_util::GlobalAvgPoolKernelTester;
using testing_util::MaxPoolKernelTester;
using testing_util::QuantizeKernelTester;
using testing_util::StridedCopyKernelTester;

struct Level {
  Isa isa;
  octet_isa api;
  const char* name;
};

void PrintTo(const Level& level, std::ostream* os) { *os << level.name; }

const Level kAllLevels[] = {
    {Isa::kScalar, OCTET_ISA_SCALAR, "scalar"},
    {Isa::kSse41, OCTET_ISA_SSE41, "sse41"},
    {Isa::kAvx2, OCTET_ISA_AVX2, "avx2"},
    {Isa::kAvx512Vnni, OCTET_ISA_AVX512VNNI, "avx512vnni"},
    {Isa::kNeon, OCTET_ISA_NEON, "neon"},
    {Isa::kNeonDot, OCTET_ISA_NEONDOT, "neondot"},
};

class KernelSetTest : public ::testing::TestWithParam<Level> {
 protected:
  void SetUp() override {
    set_ = BuiltKernelSet(GetParam().isa);
    if (!set_) GTEST_SKIP() << GetParam().name << " was not built";
    if (!octet_isa_available(GetParam().api)) {
      GTEST_SKIP() << GetParam().name << " is not supported by this CPU (" << octet_cpu_name()
                   << ")";
    }
  }
  const KernelSet* set_ = nullptr;
};

const int kChannels[] = {1, 4, 8, 12, 13, 15, 16, 24, 31, 32, 33, 64, 72};

TEST_P(KernelSetTest, Conv1x1) {
  if (!set_->conv2d) GTEST_SKIP() << "no conv2d kernel at this level";
  uint32_t seed = 1;
  for (int cin : kChannels) {
    for (int cout : {1, 4, 8, 13, 16, 24, 33, 64}) {
      ConvKernelTester().input(3, 5, cin).output_channels(cout).kernel(1, 1).seed(seed++)
          .Test(*set_->conv2d);
    }
  }
  // Pixel counts around tile sizes (M), and one large K.
  for (int hw : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33}) {
    ConvKernelTester().input(1, hw, 24).output_channels(144).kernel(1, 1).seed(seed++)
        .Test(*set_->conv2d);
  }
  ConvKernelTester().input(4, 4, 384).output_channels(64).kernel(1, 1).seed(seed++)
      .Test(*set_->conv2d);
  ConvKernelTester().batch(2).input(3, 3, 20).output_channels(17).kernel(1, 1).stride(2)
      .seed(seed++).Test(*set_->conv2d);
  // Output channels around 8- and 16-wide tiles, with M tails.
  for (int cout : {7, 9, 15, 17, 23, 25, 31, 32, 47, 48, 49}) {
    ConvKernelTester().input(3, 3, 13).output_channels(cout).kernel(1, 1).seed(seed++)
        .Test(*set_->conv2d);
  }
  ConvKernelTester().input(1, 1, 1).output_channels(1).kernel(1, 1).seed(seed++)
      .Test(*set_->conv2d);
  ConvKernelTester().input(5, 5, 8).output_channels(16).kernel(1, 1).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->conv2d);
}

TEST_P(KernelSetTest, ConvGeneral) {
  if (!set_->conv2d) GTEST_SKIP() << "no conv2d kernel at this level";
  uint32_t seed = 100;
  for (int cin : {1, 3, 4, 8, 13, 16, 24}) {
    for (int cout : {1, 8, 13, 16, 32}) {
      ConvKernelTester().input(7, 6, cin).output_channels(cout).kernel(3, 3).pad(1, 1, 1, 1)
          .seed(seed++).Test(*set_->conv2d);
    }
  }
  ConvKernelTester().input(9, 9, 3).output_channels(32).kernel(3, 3).stride(2).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(10, 7, 5).output_channels(9).kernel(5, 5).stride(2, 1).pad(2, 2, 2, 2)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(9, 9, 8).output_channels(8).kernel(3, 3).dilation(2).pad(2, 2, 2, 2)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(8, 8, 16).output_channels(24).kernel(3, 2).pad(0, 1, 1, 0)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(6, 6, 16).output_channels(16).kernel(3, 3).groups(4).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(1, 1, 7).output_channels(5).kernel(1, 1).seed(seed++)
      .Test(*set_->conv2d);
  ConvKernelTester().batch(3).input(5, 4, 6).output_channels(10).kernel(2, 2).stride(2)
      .seed(seed++).Test(*set_->conv2d);
  // Channels a multiple of 4 (kernels may read interior pixels in place and
  // gather only the border): interior runs longer than a row tile, batches,
  // strides, dilation, no padding, one-sided padding.
  ConvKernelTester().batch(2).input(9, 11, 8).output_channels(24).kernel(3, 3).stride(2)
      .pad(1, 1, 1, 1).seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(5, 30, 16).output_channels(20).kernel(3, 3).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().batch(2).input(6, 20, 4).output_channels(16).kernel(1, 1).stride(2)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(7, 19, 12).output_channels(8).kernel(3, 3).dilation(2).stride(1, 2)
      .pad(0, 2, 2, 0).seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().batch(2).input(6, 26, 64).output_channels(64).kernel(3, 3).pad(1, 1, 1, 1)
      .input_zero_point(-128).seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(4, 4, 8).output_channels(8).kernel(5, 5).pad(2, 2, 2, 2)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(8, 8, 8).output_channels(12).kernel(3, 3).groups(2).stride(2)
      .pad(1, 1, 1, 1).input_zero_point(-128).seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(6, 6, 12).output_channels(12).kernel(3, 3).groups(12).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(7, 7, 3).output_channels(17).kernel(7, 7).stride(2).pad(3, 3, 3, 3)
      .input_zero_point(127).seed(seed++).Test(*set_->conv2d);
}

TEST_P(KernelSetTest, ConvZeroPointsAndClamps) {
  if (!set_->conv2d) GTEST_SKIP() << "no conv2d kernel at this level";
  uint32_t seed = 200;
  for (int zin : {-128, 127, 0, -3}) {
    for (int zout : {-128, 127, 5}) {
      ConvKernelTester().input(5, 5, 13).output_channels(16).kernel(3, 3).pad(1, 1, 1, 1)
          .input_zero_point(zin).output_zero_point(zout).seed(seed++).Test(*set_->conv2d);
      ConvKernelTester().input(4, 4, 24).output_channels(24).kernel(1, 1)
          .input_zero_point(zin).output_zero_point(zout).seed(seed++).Test(*set_->conv2d);
    }
  }
  ConvKernelTester().input(5, 5, 16).output_channels(16).kernel(3, 3).pad(1, 1, 1, 1)
      .qmin(-20).qmax(30).seed(seed++).Test(*set_->conv2d);
  ConvKernelTester().input(5, 5, 16).output_channels(16).kernel(1, 1).qmin(0).qmax(0)
      .seed(seed++).Test(*set_->conv2d);
}

// Randomized shapes: every parameter drawn, so combinations nobody listed
// (odd K with groups, dilation with stride, tails in M and N together) run.
TEST_P(KernelSetTest, ConvRandomShapes) {
  if (!set_->conv2d) GTEST_SKIP() << "no conv2d kernel at this level";
  testing_util::Random rng(2026);
  for (int i = 0; i < 150; ++i) {
    const int groups = rng.Range(0, 3) == 0 ? static_cast<int>(rng.Range(2, 4)) : 1;
    const int cin = groups * static_cast<int>(rng.Range(1, 20));
    const int cout = groups * static_cast<int>(rng.Range(1, 40));
    const int kh = static_cast<int>(rng.Range(1, 4)), kw = static_cast<int>(rng.Range(1, 4));
    const int sh = static_cast<int>(rng.Range(1, 3)), sw = static_cast<int>(rng.Range(1, 3));
    const int dil = rng.Range(0, 4) == 0 ? 2 : 1;
    const int ih = static_cast<int>(rng.Range(dil * (kh - 1) + 1, 12));
    const int iw = static_cast<int>(rng.Range(dil * (kw - 1) + 1, 12));
    const int pt = static_cast<int>(rng.Range(0, kh - 1)), pl = static_cast<int>(rng.Range(0, kw - 1));
    const int pb = static_cast<int>(rng.Range(0, kh - 1)), pr = static_cast<int>(rng.Range(0, kw - 1));
    ConvKernelTester()
        .batch(static_cast<int>(rng.Range(1, 2)))
        .input(ih, iw, cin).output_channels(cout).kernel(kh, kw).stride(sh, sw).dilation(dil)
        .pad(pt, pl, pb, pr).groups(groups)
        .input_zero_point(static_cast<int32_t>(rng.Range(-128, 127)))
        .output_zero_point(static_cast<int32_t>(rng.Range(-128, 127)))
        .seed(static_cast<uint32_t>(1000 + i))
        .Test(*set_->conv2d);
  }
}

TEST_P(KernelSetTest, FullyConnectedRandomShapes) {
  if (!set_->fully_connected) GTEST_SKIP() << "no fully-connected kernel at this level";
  testing_util::Random rng(2027);
  for (int i = 0; i < 150; ++i) {
    FullyConnectedKernelTester()
        .batch(static_cast<int>(rng.Range(1, 20)))
        .input_features(static_cast<int>(rng.Range(1, 300)))
        .output_features(static_cast<int>(rng.Range(1, 70)))
        .input_zero_point(static_cast<int32_t>(rng.Range(-128, 127)))
        .output_zero_point(static_cast<int32_t>(rng.Range(-128, 127)))
        .seed(static_cast<uint32_t>(2000 + i))
        .Test(*set_->fully_connected);
  }
}

TEST_P(KernelSetTest, Depthwise) {
  if (!set_->dwconv2d) GTEST_SKIP() << "no depthwise kernel at this level";
  uint32_t seed = 300;
  for (int c : kChannels) {
    for (int k : {3, 5}) {
      for (int stride : {1, 2}) {
        DepthwiseKernelTester().input(9, 8, c).kernel(k, k).stride(stride)
            .pad(k / 2, k / 2, k / 2, k / 2).seed(seed++).Test(*set_->dwconv2d);
      }
    }
  }
  for (int hw : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 15, 17}) {
    DepthwiseKernelTester().input(hw, hw, 16).kernel(3, 3).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(hw, hw + 2, 24).kernel(3, 3).stride(2).pad(0, 0, 1, 1)
        .seed(seed++).Test(*set_->dwconv2d);
  }
  DepthwiseKernelTester().input(7, 7, 8).depth_multiplier(2).kernel(3, 3).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(7, 7, 3).depth_multiplier(3).kernel(3, 3).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(9, 9, 16).kernel(3, 3).dilation(2).pad(2, 2, 2, 2)
      .seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(8, 8, 16).kernel(2, 4).pad(0, 1, 1, 2).seed(seed++)
      .Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(6, 6, 16).kernel(3, 3).seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().batch(2).input(5, 5, 12).kernel(3, 3).pad(1, 1, 1, 1).seed(seed++)
      .Test(*set_->dwconv2d);
  for (int zin : {-128, 127}) {
    for (int zout : {-128, 127}) {
      DepthwiseKernelTester().input(6, 6, 24).kernel(3, 3).pad(1, 1, 1, 1).input_zero_point(zin)
          .output_zero_point(zout).seed(seed++).Test(*set_->dwconv2d);
    }
  }
  DepthwiseKernelTester().input(6, 6, 24).kernel(3, 3).pad(1, 1, 1, 1).qmin(-128).qmax(6)
      .seed(seed++).Test(*set_->dwconv2d);
}

// The x86 kernels' edges: 64-channel blocks with ymm/xmm last blocks,
// column tiles of 32 outputs, paired output rows (3x3, stride 1), row quads
// (kernel heights 4k +- 1), the bounded requantization and its fallbacks.
TEST_P(KernelSetTest, DepthwiseBlocksAndTiles) {
  if (!set_->dwconv2d) GTEST_SKIP() << "no depthwise kernel at this level";
  uint32_t seed = 600;
  for (int c : {48, 63, 64, 65, 80, 96, 112, 127, 128, 129, 144, 160, 200}) {
    DepthwiseKernelTester().input(5, 6, c).kernel(3, 3).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(7, 9, c).kernel(3, 3).stride(2).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->dwconv2d);
  }
  // Widths around the 32-output tile, odd and even heights (row pairs).
  for (int w : {31, 32, 33, 63, 64, 65, 70}) {
    for (int h : {1, 2, 3, 4, 7}) {
      DepthwiseKernelTester().input(h, w, 24).kernel(3, 3).pad(1, 1, 1, 1).seed(seed++)
          .Test(*set_->dwconv2d);
    }
    DepthwiseKernelTester().input(5, 2 * w + 1, 40).kernel(3, 3).stride(2).pad(1, 1, 1, 1)
        .seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(6, w, 72).kernel(5, 5).pad(2, 2, 2, 2).seed(seed++)
        .Test(*set_->dwconv2d);
  }
  // Kernel heights across row quads and pairs, asymmetric and no padding.
  for (int kh : {1, 2, 4, 5, 7, 8, 9}) {
    DepthwiseKernelTester().input(11, 10, 20).kernel(kh, 3).pad(kh / 2, 1, kh / 2, 1)
        .seed(seed++).Test(*set_->dwconv2d);
  }
  DepthwiseKernelTester().input(4, 12, 33).kernel(1, 9).pad(0, 4, 0, 4).seed(seed++)
      .Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(12, 12, 70).kernel(3, 3).dilation(3).pad(3, 3, 3, 3)
      .seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(12, 12, 70).kernel(3, 3).stride(1, 2).pad(1, 0, 1, 2)
      .seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(12, 12, 70).kernel(3, 3).stride(2, 1).pad(0, 1, 2, 1)
      .seed(seed++).Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(9, 9, 40).kernel(5, 5).stride(2).pad(2, 2, 2, 2).seed(seed++)
      .Test(*set_->dwconv2d);
  DepthwiseKernelTester().batch(3).input(6, 35, 65).kernel(3, 3).pad(1, 1, 1, 1).seed(seed++)
      .Test(*set_->dwconv2d);
  DepthwiseKernelTester().input(6, 6, 130).depth_multiplier(2).kernel(3, 3).pad(1, 1, 1, 1)
      .seed(seed++).Test(*set_->dwconv2d);
}

// The AVX-512 last block of at most 16 (32) channels puts 4 (2) output
// columns side by side in each zmm: every tail size, after 0, 1 or 2 full
// blocks; output widths that are not whole zmms, around the 32-output tile;
// strides 1 and 2 (column phases), 3 and dilations; padding on every side;
// row pairs (odd and even heights); the general requantization; extreme
// zero points and clamps.
TEST_P(KernelSetTest, DepthwiseTailColumns) {
  if (!set_->dwconv2d) GTEST_SKIP() << "no depthwise kernel at this level";
  uint32_t seed = 1900;
  const int kPads[][4] = {{1, 1, 1, 1}, {0, 2, 2, 0}, {2, 0, 0, 2}, {1, 0, 0, 1}};
  for (int t = 1; t <= 32; ++t) {
    const int c = (t % 3) * 64 + t;
    for (int stride : {1, 2}) {
      for (int ow : {1, 3, 6, 7, 35}) {
        const int* pad = kPads[(t + ow + stride) % 4];
        const int w = (ow - 1) * stride + 3 - pad[1] - pad[3];
        DepthwiseKernelTester().input(3 + (t + ow) % 2, w, c).kernel(3, 3).stride(stride)
            .pad(pad[0], pad[1], pad[2], pad[3]).seed(seed++).Test(*set_->dwconv2d);
      }
    }
  }
  for (int c : {5, 16, 64 + 20, 32}) {
    for (int zin : {-128, 127}) {
      for (int zout : {-128, 127}) {
        DepthwiseKernelTester().input(4, 11, c).kernel(3, 3).pad(1, 1, 1, 1)
            .input_zero_point(zin).output_zero_point(zout).seed(seed++).Test(*set_->dwconv2d);
        DepthwiseKernelTester().input(5, 13, c).kernel(3, 3).stride(2).pad(1, 0, 1, 2)
            .input_zero_point(zin).output_zero_point(zout).qmin(-100).qmax(90).seed(seed++)
            .Test(*set_->dwconv2d);
      }
    }
    DepthwiseKernelTester().input(4, 9, c).kernel(3, 3).pad(1, 1, 1, 1).qmin(-128).qmax(6)
        .seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(4, 9, c).kernel(3, 3).pad(1, 1, 1, 1).qmin(-5).qmax(127)
        .seed(seed++).Test(*set_->dwconv2d);
    // 5x5 (two row quads), general kernel sizes, strides 3, dilations.
    DepthwiseKernelTester().input(7, 10, c).kernel(5, 5).pad(2, 2, 2, 2).seed(seed++)
        .Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(9, 15, c).kernel(5, 5).stride(2).pad(2, 1, 2, 2).seed(seed++)
        .Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(5, 14, c).kernel(2, 7).pad(0, 3, 1, 2).seed(seed++)
        .Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(6, 17, c).kernel(3, 3).stride(3).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(9, 16, c).kernel(3, 3).dilation(3).stride(2).pad(3, 3, 3, 2)
        .seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(8, 12, c).kernel(3, 3).dilation(2).pad(2, 2, 2, 2)
        .seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(6, 9, c).kernel(9, 1).stride(1, 2).pad(4, 0, 4, 1)
        .seed(seed++).Test(*set_->dwconv2d);
    // The general requantization: left shifts, shift 0, long right shifts,
    // accumulators beyond the bounded path.
    for (auto range : {std::pair<double, double>{1.0, 3.0}, {0.5, 0.99}, {1e-9, 1e-7}}) {
      DepthwiseKernelTester().input(4, 10, c).kernel(3, 3).pad(1, 1, 1, 1)
          .multipliers(range.first, range.second).seed(seed++).Test(*set_->dwconv2d);
      DepthwiseKernelTester().input(5, 11, c).kernel(3, 3).stride(2).pad(1, 1, 1, 1)
          .multipliers(range.first, range.second).seed(seed++).Test(*set_->dwconv2d);
    }
    DepthwiseKernelTester().input(4, 10, c).kernel(3, 3).pad(1, 1, 1, 1).bias_range(1 << 30)
        .multipliers(1e-9, 1e-6).seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().batch(2).input(5, 70, c).kernel(3, 3).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->dwconv2d);
  }
}

// 3x3 kernels with vertical stride 2 (the shape of MobileNet's downsampling
// depthwise layers): output heights 1..9, top and bottom padding 0/1 in
// every combination, full blocks, masked blocks and both AVX-512 tail
// widths, one to three column tiles, horizontal strides 1-3 and horizontal
// dilation 2, batches, both requantization forms, extreme zero points and
// clamps.
TEST_P(KernelSetTest, DepthwiseStride2Pairs) {
  if (!set_->dwconv2d) GTEST_SKIP() << "no depthwise kernel at this level";
  uint32_t seed = 2600;
  const int kChannelCounts[] = {16, 24, 64, 96, 100, 136, 160, 5};
  int n = 0;
  for (int oh = 1; oh <= 9; ++oh) {
    for (int top = 0; top <= 1; ++top) {
      for (int bottom = 0; bottom <= 1; ++bottom, ++n) {
        // Input height giving oh output rows: (h + top + bottom - 3) / 2 + 1 == oh.
        const int h = 2 * (oh - 1) + 3 - top - bottom + (n % 2);
        const int c = kChannelCounts[n % 8];
        const int ow = (n % 3 == 0) ? 33 : (n % 3 == 1) ? 7 : 70;
        const int w = 2 * (ow - 1) + 3 - 2;
        DepthwiseKernelTester().input(h, w, c).kernel(3, 3).stride(2).pad(top, 1, bottom, 1)
            .seed(seed++).Test(*set_->dwconv2d);
        DepthwiseKernelTester().input(h, 2 * ow + 1, c).kernel(3, 3).stride(2, 1 + n % 3)
            .pad(top, n % 2, bottom, 1 - n % 2).multipliers(1.0, 3.0).seed(seed++)
            .Test(*set_->dwconv2d);
      }
    }
  }
  for (int c : {40, 96, 130}) {
    for (int zin : {-128, 127}) {
      for (int zout : {-128, 127}) {
        DepthwiseKernelTester().input(9, 21, c).kernel(3, 3).stride(2).pad(1, 1, 1, 1)
            .input_zero_point(zin).output_zero_point(zout).qmin(-100).qmax(90).seed(seed++)
            .Test(*set_->dwconv2d);
        DepthwiseKernelTester().input(10, 21, c).kernel(3, 3).stride(2).pad(0, 0, 1, 1)
            .input_zero_point(zin).output_zero_point(zout).multipliers(0.5, 0.99).seed(seed++)
            .Test(*set_->dwconv2d);
      }
    }
    DepthwiseKernelTester().input(11, 15, c).kernel(3, 3).stride(2).pad(1, 1, 1, 1).qmin(-128)
        .qmax(6).seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(11, 15, c).kernel(3, 3).stride(2).pad(1, 1, 1, 1)
        .bias_range(1 << 30).multipliers(1e-9, 1e-6).seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(13, 17, c).kernel(3, 3).stride(2).dilation(1, 2)
        .pad(1, 2, 1, 2).seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().batch(3).input(8, 67, c).kernel(3, 3).stride(2).pad(1, 1, 1, 1)
        .seed(seed++).Test(*set_->dwconv2d);
  }
}

TEST_P(KernelSetTest, DepthwiseRequantization) {
  if (!set_->dwconv2d) GTEST_SKIP() << "no depthwise kernel at this level";
  uint32_t seed = 700;
  for (int c : {16, 64, 80}) {
    // Multipliers >= 1 (left shifts), near 1 (shift 0: not the bounded
    // path), tiny (shifts beyond -22), and a typical range.
    for (auto range : {std::pair<double, double>{1.0, 3.0}, {0.5, 0.99}, {1e-9, 1e-7},
                       {1e-6, 1e-2}, {0.01, 0.2}}) {
      DepthwiseKernelTester().input(6, 7, c).kernel(3, 3).pad(1, 1, 1, 1)
          .multipliers(range.first, range.second).seed(seed++).Test(*set_->dwconv2d);
    }
    // Biases too large for the bounded path (|acc| may reach 2^30).
    DepthwiseKernelTester().input(6, 7, c).kernel(3, 3).pad(1, 1, 1, 1).bias_range(1 << 30)
        .multipliers(1e-9, 1e-6).seed(seed++).Test(*set_->dwconv2d);
    DepthwiseKernelTester().input(6, 7, c).kernel(3, 3).pad(1, 1, 1, 1).bias_range(1 << 29)
        .seed(seed++).Test(*set_->dwconv2d);
    for (int zin : {-128, 127}) {
      for (int zout : {-128, 127}) {
        DepthwiseKernelTester().input(5, 40, c).kernel(3, 3).pad(1, 1, 1, 1)
            .input_zero_point(zin).output_zero_point(zout).seed(seed++).Test(*set_->dwconv2d);
        DepthwiseKernelTester().input(5, 9, c).kernel(5, 5).stride(2).pad(2, 2, 2, 2)
            .input_zero_point(zin).output_zero_point(zout).qmin(-100).qmax(90).seed(seed++)
            .Test(*set_->dwconv2d);
      }
    }
  }
}

TEST_P(KernelSetTest, AddParameters) {
  if (!set_->add) GTEST_SKIP() << "no add kernel at this level";
  uint32_t seed = 800;
  // Scales from near-equal to 2^-20 apart, output scales giving output
  // shifts from about -30 up to +3, the bench's scales (many exact ties),
  // irregular scales (few ties), and clamps.
  const float kScales[][3] = {
      {0.05f, 0.07f, 0.1f},   {0.0413f, 0.0727f, 0.0931f}, {1.0f, 1.0f, 1.0f},
      {0.5f, 0.5f, 2.0f},     {1.0f, 1e-6f, 0.5f},         {1e-6f, 1.0f, 0.3f},
      {0.02f, 0.03f, 1e-7f},  {0.02f, 0.03f, 200.0f},      {0.123f, 0.0456f, 0.0789f},
      {0.25f, 0.125f, 0.0625f}};
  for (const auto& sc : kScales) {
    for (size_t n : {1, 63, 64, 65, 4096, 5000}) {
      AddKernelTester().size(n).scales(sc[0], sc[1], sc[2]).zero_points(-7, 12, 3)
          .seed(seed++).Test(*set_->add);
    }
    AddKernelTester().size(1000).scales(sc[0], sc[1], sc[2]).zero_points(127, -128, -128)
        .seed(seed++).Test(*set_->add);
    AddKernelTester().size(1000).scales(sc[0], sc[1], sc[2]).zero_points(-128, 127, 127)
        .qmin(-50).qmax(60).seed(seed++).Test(*set_->add);
  }
}

TEST_P(KernelSetTest, FullyConnected) {
  if (!set_->fully_connected) GTEST_SKIP() << "no fully-connected kernel at this level";
  uint32_t seed = 400;
  for (int m : {1, 2, 3, 4, 5, 7, 8, 9, 16, 17}) {
    for (int k : {1, 3, 4, 8, 15, 16, 17, 31, 64, 100}) {
      for (int n : {1, 7, 8, 16, 17, 33}) {
        FullyConnectedKernelTester().batch(m).input_features(k).output_features(n).seed(seed++)
            .Test(*set_->fully_connected);
      }
    }
  }
  FullyConnectedKernelTester().batch(1).input_features(1280).output_features(100).seed(seed++)
      .Test(*set_->fully_connected);
  FullyConnectedKernelTester().batch(5).input_features(1024).output_features(40).seed(seed++)
      .input_zero_point(-128).output_zero_point(127).Test(*set_->fully_connected);
  FullyConnectedKernelTester().batch(3).input_features(64).output_features(24).seed(seed++)
      .input_zero_point(127).output_zero_point(-128).qmin(-100).qmax(100)
      .Test(*set_->fully_connected);
}

// Accumulators near the bounds the SIMD epilogues rely on (the bounded fast
// path up to |acc| < 2^30, the general one up to 2^31), right shifts up to
// 31 and left shifts (multipliers >= 1).
TEST_P(KernelSetTest, RequantizationEdges) {
  if (!set_->fully_connected || !set_->conv2d) GTEST_SKIP() << "no GEMM kernels at this level";
  uint32_t seed = 450;
  const int32_t near30 = (1 << 30) - (1 << 18), near31 = 2147483647 - (1 << 21);
  for (int k : {1, 7, 16}) {
    for (int m : {1, 5}) {
      // Real multipliers 2^-32 .. 2^-20: right shifts 20 .. 31.
      FullyConnectedKernelTester().batch(m).input_features(k).output_features(33)
          .bias_range(-near30, near30).multiplier_range(k * 0x1p-32, k * 0x1p-20).seed(seed++)
          .Test(*set_->fully_connected);
      FullyConnectedKernelTester().batch(m).input_features(k).output_features(33)
          .bias_range(-near31, near31).multiplier_range(k * 0x1p-32, k * 0x1p-22).seed(seed++)
          .Test(*set_->fully_connected);
      FullyConnectedKernelTester().batch(m).input_features(k).output_features(17)
          .bias_range(-near31, near31).multiplier_range(k * 0x1p-12, k * 0x1p-4)
          .output_zero_point(-7).seed(seed++).Test(*set_->fully_connected);
      FullyConnectedKernelTester().batch(m).input_features(k).output_features(16)
          .bias_range(-near30, near30).multiplier_range(k * 0x1p-33, k * 0x1p-30).seed(seed++)
          .Test(*set_->fully_connected);
      // Multipliers 0.5 .. 40 (shift 0 .. 6) on small accumulators.
      FullyConnectedKernelTester().batch(m).input_features(k).output_features(24)
          .bias_range(-3000, 3000).multiplier_range(k * 0.5, k * 40.0).seed(seed++)
          .Test(*set_->fully_connected);
    }
  }
  ConvKernelTester().input(6, 6, 5).output_channels(19).kernel(3, 3).pad(1, 1, 1, 1)
      .bias_range(-near30, near30).multiplier_range(45 * 0x1p-31, 45 * 0x1p-20).seed(seed++)
      .Test(*set_->conv2d);
  ConvKernelTester().input(6, 6, 5).output_channels(19).kernel(3, 3).pad(1, 1, 1, 1)
      .bias_range(-near31, near31).multiplier_range(45 * 0x1p-31, 45 * 0x1p-20).seed(seed++)
      .Test(*set_->conv2d);
  ConvKernelTester().input(4, 4, 3).output_channels(9).kernel(1, 1).bias_range(-100, 100)
      .multiplier_range(3 * 0.3, 3 * 20.0).seed(seed++).Test(*set_->conv2d);
}

TEST_P(KernelSetTest, Add) {
  if (!set_->add) GTEST_SKIP() << "no add kernel at this level";
  uint32_t seed = 500;
  for (size_t n : {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 1000,
                   75264}) {
    AddKernelTester().size(n).seed(seed++).Test(*set_->add);
  }
  AddKernelTester().size(333).scales(0.05f, 0.05f, 0.05f).zero_points(-128, 127, 0).seed(seed++)
      .Test(*set_->add);
  AddKernelTester().size(333).scales(0.5f, 0.01f, 0.3f).zero_points(127, -128, -128).seed(seed++)
      .Test(*set_->add);
  AddKernelTester().size(333).scales(0.01f, 0.02f, 0.001f).zero_points(3, -7, 127).seed(seed++)
      .Test(*set_->add);
  AddKernelTester().size(333).zero_points(0, 0, -128).qmin(-128).qmax(0).seed(seed++)
      .Test(*set_->add);
}

TEST_P(KernelSetTest, MaxPool2D) {
  if (!set_->maxpool2d) GTEST_SKIP() << "no max-pool kernel at this level";
  uint32_t seed = 900;
  // Channels around every vector width (16, 32, 64) and their tails.
  for (int c : {1, 3, 4, 8, 12, 13, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 72, 127, 128,
                130}) {
    MaxPoolKernelTester().input(7, 8, c).filter(3, 3).stride(2, 2).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->maxpool2d);
    MaxPoolKernelTester().input(5, 6, c).filter(2, 2).stride(2, 2).seed(seed++)
        .Test(*set_->maxpool2d);
  }
  // Random geometry: filters 1..5, strides 1..3, any padding below the filter
  // (one-sided too), batches, clamps and inputs at the int8 extremes.
  testing_util::Random rng(77);
  for (int i = 0; i < 60; ++i) {
    const int fh = int(rng.Range(1, 5)), fw = int(rng.Range(1, 5));
    const int h = int(rng.Range(fh, 12)), w = int(rng.Range(fw, 12));
    MaxPoolKernelTester t;
    t.batch(int(rng.Range(1, 3))).input(h, w, int(rng.Range(1, 100))).filter(fh, fw)
        .stride(int(rng.Range(1, 3)), int(rng.Range(1, 3)))
        .pad(int(rng.Range(0, fh - 1)), int(rng.Range(0, fw - 1)), int(rng.Range(0, fh - 1)),
             int(rng.Range(0, fw - 1)))
        .seed(seed++);
    if (i % 4 == 1) t.qmin(int32_t(rng.Range(-128, 0))).qmax(int32_t(rng.Range(1, 127)));
    if (i % 4 == 2) t.input_range(-128, -120);  // many -128 maxima (the initial value)
    if (i % 4 == 3) t.input_range(120, 127);
    t.Test(*set_->maxpool2d);
  }
  MaxPoolKernelTester().input(1, 1, 70).filter(1, 1).seed(seed++).Test(*set_->maxpool2d);
  MaxPoolKernelTester().input(3, 3, 64).filter(3, 3).pad(2, 2, 2, 2).seed(seed++)
      .Test(*set_->maxpool2d);
  MaxPoolKernelTester().input(12, 12, 64).filter(3, 3).stride(2, 2).pad(1, 1, 1, 1).qmin(0)
      .seed(seed++).Test(*set_->maxpool2d);  // fused ReLU
  MaxPoolKernelTester().input(9, 9, 40).filter(3, 3).stride(1, 1).pad(1, 1, 1, 1).qmin(-128)
      .qmax(-128).seed(seed++).Test(*set_->maxpool2d);
  MaxPoolKernelTester().input(9, 9, 40).filter(3, 3).qmin(127).qmax(127).seed(seed++)
      .Test(*set_->maxpool2d);
}

// Floats whose quotient by `scale` hits every rounding and saturation edge
// of QUANTIZE (the scale is a power of two, so x / scale is exact).
std::vector<float> QuantizeSpecials(float scale) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float denorm = std::numeric_limits<float>::denorm_min();
  std::vector<float> v = {nan, -nan, inf, -inf, 0.0f, -0.0f, denorm, -denorm,
                          std::numeric_limits<float>::min(), -std::numeric_limits<float>::min(),
                          std::numeric_limits<float>::max(), -std::numeric_limits<float>::max()};
  for (float q : {0.5f, 1.5f, 2.5f, 126.5f, 127.5f, 128.5f, 255.5f, 256.0f, 256.5f, 257.0f,
                  383.5f, 0x1p22f + 0.5f, 0x1p23f, 0x1p23f + 1.0f, 0x1p24f, 0x1p31f, 0x1p40f}) {
    v.push_back(q * scale);
    v.push_back(-q * scale);
    v.push_back(std::nextafter(q, 0.0f) * scale);
    v.push_back(-std::nextafter(q, 0.0f) * scale);
    v.push_back(std::nextafter(q, 1e30f) * scale);
    v.push_back(-std::nextafter(q, 1e30f) * scale);
  }
  for (int k = -300; k <= 300; ++k) v.push_back((float(k) + 0.5f) * scale);  // every tie
  return v;
}

TEST_P(KernelSetTest, Quantize) {
  if (!set_->quantize) GTEST_SKIP() << "no quantize kernel at this level";
  uint32_t seed = 1000;
  // Sizes around 16/32/64-value steps and their tails.
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129,
                   1000, 150528}) {
    QuantizeKernelTester().size(n).seed(seed++).Test(*set_->quantize);
  }
  for (float scale : {0.25f, 1.0f, 0x1p-10f}) {  // exact quotients: ties and thresholds
    for (int32_t z : {-128, -1, 0, 3, 127}) {
      QuantizeKernelTester().size(2000).scale(scale).zero_point(z).values(QuantizeSpecials(scale))
          .seed(seed++).Test(*set_->quantize);
    }
  }
  // Inexact quotients; 0x1.8p-140 is a denormal scale (the quotients of
  // normal inputs are then far from it).
  for (float scale : {0.0186584f, 0.05f, 1e-30f, 1e36f, 7.0f, 0x1.8p-140f}) {
    for (int32_t z : {-128, 0, 127}) {
      QuantizeKernelTester().size(777).scale(scale).zero_point(z).values(QuantizeSpecials(scale))
          .seed(seed++).Test(*set_->quantize);
      QuantizeKernelTester().size(500).scale(scale).zero_point(z).range(2.0).seed(seed++)
          .Test(*set_->quantize);
    }
  }
  // Specials in the tail (sizes below one step: every value in the tail).
  QuantizeKernelTester().size(13).scale(0.25f).values(QuantizeSpecials(0.25f)).seed(seed++)
      .Test(*set_->quantize);
  // Random bit patterns: every exponent, NaN payloads, denormals.
  testing_util::Random rng(4242);
  std::vector<float> bits(3000);
  for (float& f : bits) {
    const uint32_t u = rng.Bits();
    std::memcpy(&f, &u, sizeof(f));
  }
  for (float scale : {1.0f, 0.05f, 1e-20f, 1e20f}) {
    QuantizeKernelTester().size(3001).scale(scale).zero_point(-5).values(bits).seed(seed++)
        .Test(*set_->quantize);
  }
}

TEST_P(KernelSetTest, Dequantize) {
  if (!set_->dequantize) GTEST_SKIP() << "no dequantize kernel at this level";
  uint32_t seed = 1100;
  for (size_t n : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129,
                   256, 1000, 1001}) {
    DequantizeKernelTester().size(n).seed(seed++).Test(*set_->dequantize);
  }
  // Normal and denormal scales, either side of FLT_MIN (armv7 NEON flushes
  // denormals: its kernel takes the scalar path below FLT_MIN).
  for (float scale : {0.0186584f, 1.0f, 1e-38f, 3e38f, 0x1p-149f,
                      std::numeric_limits<float>::min(),
                      std::nextafter(std::numeric_limits<float>::min(), 0.0f), 0x1p-120f}) {
    for (int32_t z : {-128, 0, 127}) {
      DequantizeKernelTester().size(300).scale(scale).zero_point(z).seed(seed++)
          .Test(*set_->dequantize);
    }
  }
}

TEST_P(KernelSetTest, StridedCopy) {
  if (!set_->strided_copy) GTEST_SKIP() << "no strided-copy kernel at this level";
  uint32_t seed = 1200;
  // NCHW -> NHWC as the runtime merges it: [N, H*W, C] with input strides
  // [C*H*W, 1, H*W] (the interleave of C planes; SIMD for C in 2..4 when
  // H*W >= 16), pixel counts around 16-pixel steps, batches.
  for (int64_t c : {1, 2, 3, 4, 5, 8}) {
    for (int64_t hw : {1, 7, 15, 16, 17, 31, 32, 33, 50, 224 * 224}) {
      for (int64_t n : {1, 2}) {
        StridedCopyKernelTester().shape({n, hw, c}).strides({c * hw, 1, hw}).seed(seed++)
            .Test(*set_->strided_copy);
      }
    }
  }
  // Planes further apart than their length (a slice of a larger tensor), with
  // an offset; and NHWC -> NCHW ([C, H*W] with strides [1, C]).
  StridedCopyKernelTester().shape({3, 100, 3}).strides({1000, 1, 300}).offset(7).seed(seed++)
      .Test(*set_->strided_copy);
  StridedCopyKernelTester().shape({2, 5, 40, 2}).strides({900, 90, 1, 45}).offset(3).seed(seed++)
      .Test(*set_->strided_copy);
  for (int64_t c : {2, 3, 4, 16}) {
    StridedCopyKernelTester().shape({c, 70}).strides({1, c}).seed(seed++)
        .Test(*set_->strided_copy);
  }
  // Other layouts (the reference loop): contiguous rows, 6-D permutations,
  // slices with steps.
  StridedCopyKernelTester().shape({4, 5, 6}).strides({60, 1, 5}).seed(seed++)
      .Test(*set_->strided_copy);
  StridedCopyKernelTester().shape({2, 3, 2, 2, 3, 4}).strides({144, 4, 72, 1, 24, 2 * 2 * 3})
      .seed(seed++).Test(*set_->strided_copy);
  StridedCopyKernelTester().shape({7, 9}).strides({40, 3}).offset(5).seed(seed++)
      .Test(*set_->strided_copy);
  StridedCopyKernelTester().shape({3, 64}).strides({100, 1}).offset(2).seed(seed++)
      .Test(*set_->strided_copy);
}

// The add parameters whose paths the x86 and NEON kernels treat differently
// (see AddFastPathRule below for which path each takes).
struct AddScales {
  float a, b, out;
  int32_t za, zb, zo;
};
const AddScales kAddPeers = {0.05f, 0.04f, 0.07f, 3, -7, -5};      // the bench's; no pair near a tie
const AddScales kAddSomeTies = {0.137f, 0.085f, 0.188f, 3, -7, -5}; // ~0.5% of pairs near a tie
const AddScales kAddTies = {0.05f, 0.07f, 0.1f, -5, 7, 3};         // ~10% exact ties
const AddScales kAddIrregular = {0.0413f, 0.0727f, 0.0931f, 0, 0, 0};
const AddScales kAddRefused = {0.02f, 0.03f, 1e-7f, 0, 0, 0};      // bounded exact scheme only
const AddScales kAddRefusedGeneral = {0.02f, 0.03f, 1e-8f, 0, 0, 0};  // general exact scheme only
// Output scales that shrink the fraction bits k of the fast form (its |t| <
// 2^30 bound): the NEON kernel has one code path per k in [17, 22] and
// refuses k < 17 (x86 takes it down to 12). AddFastPathRule checks that these
// reach every k in 16..22.
const AddScales kAddShrinkingK[] = {
    {0.05f, 0.04f, 0.03f, 3, -7, -5},     {0.05f, 0.04f, 0.015f, 3, -7, -5},
    {0.05f, 0.04f, 0.0075f, 3, -7, -5},   {0.05f, 0.04f, 0.00375f, 3, -7, -5},
    {0.05f, 0.04f, 0.001875f, 3, -7, -5}, {0.05f, 0.04f, 0.0009375f, 3, -7, -5},
};

// Every path of the x86 and NEON add kernels: fast blocks, blocks redone with
// exact vectors, the switch to the exact scheme on tie-heavy scales,
// parameters the fast path refuses, every NEON shift (k), tails of every
// length around the 16/32/64/128 element steps, clamps and extreme zero
// points. all_pairs() inputs contain every (a, b) pair, so every element the
// fast path flags (AddFastPathRule checks there are some) is in them.
TEST_P(KernelSetTest, AddPaths) {
  if (!set_->add) GTEST_SKIP() << "no add kernel at this level";
  uint32_t seed = 900;
  for (const AddScales& s : {kAddPeers, kAddSomeTies, kAddTies, kAddIrregular, kAddRefused,
                             kAddRefusedGeneral}) {
    for (size_t n : {15, 16, 17, 31, 33, 63, 64, 65, 100, 127, 128, 129, 191, 192, 193, 255, 256,
                     257, 1000, 4099, 75264, 75301}) {
      AddKernelTester().size(n).scales(s.a, s.b, s.out).zero_points(s.za, s.zb, s.zo)
          .seed(seed++).Test(*set_->add);
    }
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(s.za, s.zb, s.zo)
        .seed(seed++).Test(*set_->add);
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(s.za, s.zb, s.zo)
        .qmin(-50).qmax(60).seed(seed++).Test(*set_->add);
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(s.za, s.zb, s.zo)
        .qmin(-128).qmax(0).seed(seed++).Test(*set_->add);
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(127, -128, -128)
        .seed(seed++).Test(*set_->add);
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(-128, 127, 127)
        .qmin(-100).qmax(100).seed(seed++).Test(*set_->add);
  }
  for (const AddScales& s : kAddShrinkingK) {
    for (size_t n : {33, 4099}) {
      AddKernelTester().size(n).scales(s.a, s.b, s.out).zero_points(s.za, s.zb, s.zo)
          .seed(seed++).Test(*set_->add);
    }
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(s.za, s.zb, s.zo)
        .seed(seed++).Test(*set_->add);
    AddKernelTester().all_pairs().scales(s.a, s.b, s.out).zero_points(-128, 127, 127)
        .qmin(-100).qmax(100).seed(seed++).Test(*set_->add);
  }
}

TEST_P(KernelSetTest, AvgPool2D) {
  if (!set_->avgpool2d) GTEST_SKIP() << "no average-pool kernel at this level";
  uint32_t seed = 1300;
  // Channels around every vector width (8, 16, 32, 64) and their tails;
  // padded windows with and without count_include_pad (different n per pixel).
  for (int c : {1, 3, 4, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 72, 80,
                127, 128, 130}) {
    AvgPoolKernelTester().input(7, 8, c).filter(3, 3).stride(2, 2).pad(1, 1, 1, 1).seed(seed++)
        .Test(*set_->avgpool2d);
    AvgPoolKernelTester().input(6, 5, c).filter(3, 3).stride(1, 1).pad(1, 1, 1, 1)
        .count_include_pad(true).seed(seed++).Test(*set_->avgpool2d);
    AvgPoolKernelTester().input(5, 6, c).filter(2, 2).stride(2, 2).seed(seed++)
        .Test(*set_->avgpool2d);
  }
  // Real ratios s_x / s_y: equal scales (multiplier 1/n, the most headroom),
  // above 1, tiny (multiplier 0 below 2^-32) and between.
  for (double ratio : {1.0, 0.37, 3.0, 1e-11, 0.0123, 25.0}) {
    for (int32_t zx : {-128, 0, 127}) {
      for (int32_t zy : {-128, 3, 127}) {
        AvgPoolKernelTester().input(6, 7, 37).filter(3, 3).stride(2, 1).pad(1, 2, 1, 2)
            .ratio(ratio).zero_points(zx, zy).seed(seed++).Test(*set_->avgpool2d);
      }
    }
  }
  // Random geometry: filters 1..5, strides 1..3, any padding below the filter
  // (one-sided too), batches, clamps, extreme inputs.
  testing_util::Random rng(91);
  for (int i = 0; i < 60; ++i) {
    const int fh = int(rng.Range(1, 5)), fw = int(rng.Range(1, 5));
    const int h = int(rng.Range(fh, 12)), w = int(rng.Range(fw, 12));
    AvgPoolKernelTester t;
    t.batch(int(rng.Range(1, 3))).input(h, w, int(rng.Range(1, 100))).filter(fh, fw)
        .stride(int(rng.Range(1, 3)), int(rng.Range(1, 3)))
        .pad(int(rng.Range(0, fh - 1)), int(rng.Range(0, fw - 1)), int(rng.Range(0, fh - 1)),
             int(rng.Range(0, fw - 1)))
        .count_include_pad(i % 2 == 1)
        .zero_points(int32_t(rng.Range(-128, 127)), int32_t(rng.Range(-128, 127)))
        .ratio(rng.Uniform(0.05, 4.0)).seed(seed++);
    if (i % 4 == 1) t.qmin(int32_t(rng.Range(-128, 0))).qmax(int32_t(rng.Range(1, 127)));
    if (i % 4 == 2) t.input_range(-128, -120);
    if (i % 4 == 3) t.input_range(120, 127);
    t.Test(*set_->avgpool2d);
  }
  // Windows of more than 256 taps (the int16 partial sums are flushed) and a
  // whole-image window; saturation to the clamps from extreme sums.
  for (int c : {40, 130}) {  // every block width's flush path
    AvgPoolKernelTester().input(18, 17, c).filter(17, 16).stride(1, 1).seed(seed++)
        .Test(*set_->avgpool2d);
  }
  AvgPoolKernelTester().input(17, 17, 19).filter(16, 16).stride(1, 1).pad(8, 8, 8, 8)
      .count_include_pad(true).seed(seed++).Test(*set_->avgpool2d);
  AvgPoolKernelTester().input(20, 20, 33).filter(20, 20).input_range(-128, -128)
      .zero_points(127, 0).seed(seed++).Test(*set_->avgpool2d);
  AvgPoolKernelTester().input(20, 20, 33).filter(20, 20).input_range(127, 127)
      .zero_points(-128, 0).ratio(0.9).seed(seed++).Test(*set_->avgpool2d);
  AvgPoolKernelTester().input(9, 9, 40).filter(3, 3).pad(1, 1, 1, 1).qmin(0).qmax(6)
      .seed(seed++).Test(*set_->avgpool2d);
  AvgPoolKernelTester().input(9, 9, 40).filter(3, 3).qmin(-128).qmax(-128).seed(seed++)
      .Test(*set_->avgpool2d);
  AvgPoolKernelTester().input(9, 9, 40).filter(3, 3).qmin(127).qmax(127).seed(seed++)
      .Test(*set_->avgpool2d);
}

TEST_P(KernelSetTest, GlobalAvgPool) {
  if (!set_->global_avgpool) GTEST_SKIP() << "no global average-pool kernel at this level";
  uint32_t seed = 1400;
  for (int c : {1, 3, 4, 7, 8, 9, 12, 13, 15, 16, 17, 24, 31, 32, 33, 47, 48, 63, 64, 65, 72, 80,
                127, 128, 130, 1280}) {
    for (int pixels : {1, 7, 49}) {
      GlobalAvgPoolKernelTester().channels(c).pixels(pixels).seed(seed++)
          .Test(*set_->global_avgpool);
    }
  }
  // Pixel counts around the 256-pixel int16 flush, and large images.
  for (int pixels : {255, 256, 257, 511, 512, 513, 1000, 56 * 56}) {
    GlobalAvgPoolKernelTester().channels(37).pixels(pixels).batch(2).seed(seed++)
        .Test(*set_->global_avgpool);
    GlobalAvgPoolKernelTester().channels(64).pixels(pixels).input_range(-128, -128)
        .zero_points(127, -128).seed(seed++).Test(*set_->global_avgpool);
    GlobalAvgPoolKernelTester().channels(64).pixels(pixels).input_range(127, 127)
        .zero_points(-128, 127).ratio(0.99).seed(seed++).Test(*set_->global_avgpool);
  }
  for (double ratio : {1.0, 0.37, 3.0, 1e-11, 0.0123, 25.0}) {
    for (int32_t zx : {-128, 0, 127}) {
      for (int32_t zy : {-128, 3, 127}) {
        GlobalAvgPoolKernelTester().channels(70).pixels(9).batch(3).ratio(ratio)
            .zero_points(zx, zy).seed(seed++).Test(*set_->global_avgpool);
      }
    }
  }
  GlobalAvgPoolKernelTester().channels(100).pixels(49).qmin(0).qmax(6).seed(seed++)
      .Test(*set_->global_avgpool);
  GlobalAvgPoolKernelTester().channels(100).pixels(49).qmin(127).seed(seed++)
      .Test(*set_->global_avgpool);
  GlobalAvgPoolKernelTester().channels(100).pixels(49).qmax(-128).seed(seed++)
      .Test(*set_->global_avgpool);
}

INSTANTIATE_TEST_SUITE_P(Levels, KernelSetTest, ::testing::ValuesIn(kAllLevels),
                         [](const ::testing::TestParamInfo<Level>& param_info) {
                           return std::string(param_info.param.name);
                         });

// The add kernels' fast paths (x86 and NEON splits of P and Q) in plain
// integer arithmetic: for every (a, b) pair, t = a P + b Q + D fits int32,
// and every element the rule calls safe ((t & band) != 0) has floor(t / 2^k),
// saturated and clamped, equal to the reference. Also pins down which
// parameters take which path, so AddPaths provably exercises both the fast
// and the exact schemes. Checked on every host (plain C++ set-ups).
struct LinearRule {
  int64_t p, q;
  int32_t d, k, band;
};

// Checks the rule for every (a, b) pair; returns the fraction flagged unsafe.
double CheckLinearRule(const AddParams& p, const LinearRule& r, const std::string& what) {
  size_t unsafe = 0;
  for (int a = -128; a <= 127; ++a) {
    for (int b = -128; b <= 127; ++b) {
      const int64_t t = a * r.p + b * r.q + r.d;
      EXPECT_GE(t, INT32_MIN) << what;
      EXPECT_LE(t, INT32_MAX) << what;
      if ((t & r.band) == 0) {
        ++unsafe;
        continue;
      }
      const int64_t out = std::min<int64_t>(127, std::max<int64_t>(-128, t >> r.k));
      const int8_t ai = static_cast<int8_t>(a), bi = static_cast<int8_t>(b);
      int8_t expected;
      qs8_add__scalar(p, 1, &ai, &bi, &expected);
      if (out != expected) {
        ADD_FAILURE() << "a " << a << " b " << b << " " << what;
        return 1.0;
      }
    }
  }
  return unsafe / 65536.0;
}

TEST(AddFastPathRule, SafeElementsMatchReference) {
  struct Case {
    AddScales s;
    bool fast;                     // SetUpFastAdd and SetUpNeonFastAdd accept
    double min_unsafe, max_unsafe; // fraction of pairs flagged
  };
  const Case kCases[] = {
      {kAddPeers, true, 0, 1e-3},        {kAddSomeTies, true, 1e-3, 1e-2},
      {kAddTies, true, 0.05, 0.2},       {kAddIrregular, true, 0, 1e-3},
      {kAddRefused, false, 0, 0},        {kAddRefusedGeneral, false, 0, 0},
  };
  for (const Case& c : kCases) {
    bool own_zero_points = true;  // the fraction bounds are for these only
    for (const auto& z : {std::array<int32_t, 3>{c.s.za, c.s.zb, c.s.zo},
                          std::array<int32_t, 3>{127, -128, -128},
                          std::array<int32_t, 3>{-128, 127, 127}}) {
      AddParams p;
      ASSERT_TRUE(ComputeAddParams(c.s.a, z[0], c.s.b, z[1], c.s.out, z[2], &p));
      std::ostringstream what;
      what << "scales " << c.s.a << "," << c.s.b << "," << c.s.out << " zero points " << z[0]
           << "," << z[1] << "," << z[2];
      x86::FastAdd f{};
      ASSERT_EQ(x86::SetUpFastAdd(p, &f), c.fast) << "x86 " << what.str();
      arm::NeonFastAdd g{};
      ASSERT_EQ(arm::SetUpNeonFastAdd(p, &g), c.fast) << "NEON " << what.str();
      if (!c.fast) continue;
      const double fx = CheckLinearRule(
          p, {int64_t{f.ph} * 256 + f.pl, int64_t{f.qh} * 256 + f.ql, f.d, f.k, f.band},
          "x86 " + what.str());
      const double fn = CheckLinearRule(
          p, {int64_t{g.ph} * 256 + g.pl, int64_t{g.qh} * 256 + g.ql, g.d, g.k, g.band},
          "NEON " + what.str());
      if (own_zero_points) {
        for (double fraction : {fx, fn}) {
          EXPECT_GE(fraction, c.min_unsafe) << what.str();
          EXPECT_LE(fraction, c.max_unsafe) << what.str();
        }
      }
      own_zero_points = false;
    }
  }
}

// The NEON split: Pl, Ql in [-128, 128) and never both -128, so the int16
// a Pl + b Ql (vmull_s8 + vmlal_s8) cannot wrap; k in [17, 22], so t >> k is
// (t >> 16) >> (k - 16) with a shift of 1..6 (one code path each). The
// kAddShrinkingK cases reach every k from 16 (NEON refuses, x86 takes) to 22.
TEST(AddFastPathRule, NeonSplitAndShifts) {
  std::vector<int> ks;
  std::vector<AddScales> cases(std::begin(kAddShrinkingK), std::end(kAddShrinkingK));
  cases.push_back(kAddPeers);
  for (const AddScales& s : cases) {
    AddParams p;
    ASSERT_TRUE(ComputeAddParams(s.a, s.za, s.b, s.zb, s.out, s.zo, &p));
    x86::FastAdd f{};
    ASSERT_TRUE(x86::SetUpFastAdd(p, &f)) << s.out;
    arm::NeonFastAdd g{};
    if (!arm::SetUpNeonFastAdd(p, &g)) {
      EXPECT_LT(f.k, arm::kNeonAddMinK) << s.out;  // refused only for lack of fraction bits
      ks.push_back(f.k);
      continue;
    }
    EXPECT_EQ(g.k, f.k) << s.out;  // the same form, only split differently
    EXPECT_GE(g.k, arm::kNeonAddMinK);
    EXPECT_LE(g.k, arm::kNeonAddMaxK);
    EXPECT_FALSE(g.pl == -128 && g.ql == -128);
    int32_t lo_min = 0, lo_max = 0;
    for (int a = -128; a <= 127; ++a) {
      for (int b = -128; b <= 127; ++b) {
        const int32_t lo = a * g.pl + b * g.ql;
        lo_min = std::min(lo_min, lo);
        lo_max = std::max(lo_max, lo);
      }
    }
    EXPECT_GE(lo_min, -32768);
    EXPECT_LE(lo_max, 32767);
    std::ostringstream what;
    what << "NEON out scale " << s.out;
    EXPECT_LE(CheckLinearRule(p, {int64_t{g.ph} * 256 + g.pl, int64_t{g.qh} * 256 + g.ql, g.d, g.k,
                                  g.band}, what.str()), 1e-3);
    ks.push_back(g.k);
  }
  std::sort(ks.begin(), ks.end());
  EXPECT_EQ(ks, (std::vector<int>{16, 17, 18, 19, 20, 21, 22}));
}

}  // namespace
}  // namespace octet
