// Tests of the scalar reference kernels of kernels/reference_ops.h against
// float goldens (within 1 LSB of the real result quantized with
// round-half-away, and mostly exact), or exactly where the kernel moves
// bytes; plus the prepare-time helpers (broadcast shapes, scaled
// multipliers, resize index maps, the softmax exp table).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "kernels/reference_ops.h"
#include "kernels/requant.h"
#include "test_random.h"

namespace octet {
namespace {

using testing_util::Random;

std::vector<int8_t> RandomInt8(Random& rng, size_t n, int lo = -128, int hi = 127) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(rng.Range(lo, hi));
  return v;
}

// Golden comparison: |actual - round(real / s) - z| <= 1 after clamping,
// and at least `min_exact` of the outputs exact.
class GoldenCheck {
 public:
  GoldenCheck(std::string what, float scale, int32_t zero_point, int32_t qmin = -128,
              int32_t qmax = 127)
      : what_(std::move(what)), scale_(scale), zp_(zero_point), qmin_(qmin), qmax_(qmax) {}
  void Check(int8_t actual, double real, const std::string& where) {
    const double q = std::clamp(std::round(real / double(scale_)) + zp_, double(qmin_),
                                double(qmax_));
    const double diff = std::abs(actual - q);
    ++count_;
    exact_ += diff == 0;
    if (diff > 1 && failures_++ < 5) {
      ADD_FAILURE() << what_ << " " << where << ": " << int{actual} << ", golden " << q
                    << " (real " << real << ")";
    }
  }
  ~GoldenCheck() {
    EXPECT_GE(double(exact_), min_exact_ * double(count_))
        << what_ << ": " << exact_ << "/" << count_ << " exact";
    std::cout << "[  golden  ] " << what_ << ": " << exact_ << "/" << count_ << " exact\n";
  }
  GoldenCheck& min_exact(double f) {
    min_exact_ = f;
    return *this;
  }

 private:
  std::string what_;
  float scale_;
  int32_t zp_, qmin_, qmax_;
  long count_ = 0, exact_ = 0, failures_ = 0;
  double min_exact_ = 0.99;
};

// ---------------------------------------------------------------------------
// ScaledMultiplier.

TEST(ScaledMultiplier, HeadroomMakesSmallAccumulatorsCorrectlyRounded) {
  Random rng(1);
  for (const int64_t bound : {int64_t{255}, int64_t{255 * 128}, int64_t{255 * 255},
                              int64_t{255 * 49}}) {
    for (int t = 0; t < 200; ++t) {
      const double real = std::exp(rng.Uniform(std::log(1e-4), std::log(20.0)));
      ScaledMultiplier m;
      ASSERT_TRUE(ComputeScaledMultiplier(real, bound, &m)) << real;
      ASSERT_GE(m.shift, -31);
      if (m.shift <= 0) {
        ASSERT_LT(bound << m.left_shift, int64_t{1} << 31);
      }
      for (int k = 0; k < 20; ++k) {
        const int32_t acc = static_cast<int32_t>(rng.Range(-bound, bound));
        const double exact = acc * real;
        const int8_t q = RequantizeScaled(acc, m, 0, -128, 127);
        const double golden = std::clamp(std::round(exact), -128.0, 127.0);
        const double frac = std::abs(exact - std::trunc(exact));
        // Off by one only within ~2^-20 of a tie (or of the Q31 error).
        if (std::abs(frac - 0.5) > 1e-5) {
          ASSERT_EQ(q, golden) << "acc " << acc << " real " << real << " bound " << bound;
        } else {
          ASSERT_LE(std::abs(q - golden), 1.0);
        }
      }
    }
  }
}

TEST(ScaledMultiplier, RejectsShiftsThatWouldWrap) {
  ScaledMultiplier m;
  EXPECT_TRUE(ComputeScaledMultiplier(1000.0, 255, &m));  // 255 * 2^10 fits
  EXPECT_EQ(m.left_shift, 0);
  EXPECT_EQ(m.shift, 10);
  EXPECT_FALSE(ComputeScaledMultiplier(1e7, 255, &m));    // 255 * 2^24 does not
  EXPECT_FALSE(ComputeScaledMultiplier(-1.0, 255, &m));
  EXPECT_FALSE(ComputeScaledMultiplier(std::nan(""), 255, &m));
  EXPECT_TRUE(ComputeScaledMultiplier(0.0, 255, &m));
  EXPECT_EQ(m.multiplier, 0);
  // 0.5 for bound 255: 23 bits of headroom (255 * 2^23 < 2^31 <= 255 * 2^24).
  ASSERT_TRUE(ComputeScaledMultiplier(0.5, 255, &m));
  EXPECT_EQ(m.left_shift, 23);
  EXPECT_EQ(m.shift, -23);
  EXPECT_EQ(RequantizeScaled(255, m, 0, -128, 127), 127);
  EXPECT_EQ(RequantizeScaled(-255, m, 0, -128, 127), -128);
  EXPECT_EQ(RequantizeScaled(3, m, 0, -128, 127), 2);   // 1.5 -> 2
  EXPECT_EQ(RequantizeScaled(-3, m, 0, -128, 127), -2);  // -1.5 -> -2
}

// ---------------------------------------------------------------------------
// Broadcasting.

TEST(MakeBroadcastShape, CollapsesDims) {
  BroadcastShape s;
  const int32_t y[] = {2, 5, 6, 8}, b[] = {2, 1, 1, 8};
  ASSERT_TRUE(MakeBroadcastShape(y, 4, y, 4, b, 4, &s));
  EXPECT_EQ(s.rank, 3);
  EXPECT_EQ(s.shape[3], 2);
  EXPECT_EQ(s.shape[4], 30);
  EXPECT_EQ(s.shape[5], 8);
  EXPECT_EQ(s.a_stride[3], 240);
  EXPECT_EQ(s.a_stride[4], 8);
  EXPECT_EQ(s.a_stride[5], 1);
  EXPECT_EQ(s.b_stride[3], 8);
  EXPECT_EQ(s.b_stride[4], 0);
  EXPECT_EQ(s.b_stride[5], 1);
  // Equal shapes collapse to one dim.
  ASSERT_TRUE(MakeBroadcastShape(y, 4, y, 4, y, 4, &s));
  EXPECT_EQ(s.rank, 1);
  EXPECT_EQ(s.shape[5], 480);
  // A scalar.
  ASSERT_TRUE(MakeBroadcastShape(y, 4, y, 4, nullptr, 0, &s));
  EXPECT_EQ(s.rank, 1);
  EXPECT_EQ(s.b_stride[5], 0);
  // Not broadcastable.
  const int32_t bad[] = {3, 8};
  EXPECT_FALSE(MakeBroadcastShape(y, 4, y, 4, bad, 2, &s));
  EXPECT_FALSE(MakeBroadcastShape(b, 4, y, 4, b, 4, &s));
}

struct Shapes {
  std::vector<int32_t> a, b, y;
};
const std::vector<Shapes> kBroadcastShapes = {
    {{1, 5, 6, 8}, {1, 5, 6, 8}, {1, 5, 6, 8}}, {{2, 4, 4, 13}, {2, 1, 1, 13}, {2, 4, 4, 13}},
    {{3, 1, 5}, {1, 4, 1}, {3, 4, 5}},          {{7, 9}, {}, {7, 9}},
    {{1}, {4, 3, 2}, {4, 3, 2}}};

size_t Numel(const std::vector<int32_t>& s) {
  size_t n = 1;
  for (int32_t d : s) n *= size_t(d);
  return n;
}
size_t SourceIndex(const std::vector<int32_t>& y, size_t i, const std::vector<int32_t>& x) {
  std::vector<size_t> idx(y.size());
  for (size_t d = y.size(); d-- > 0;) {
    idx[d] = i % size_t(y[d]);
    i /= size_t(y[d]);
  }
  size_t flat = 0;
  const size_t off = y.size() - x.size();
  for (size_t d = 0; d < x.size(); ++d) flat = flat * size_t(x[d]) + (x[d] == 1 ? 0 : idx[off + d]);
  return flat;
}

TEST(QS8AddBroadcastScalar, FloatGolden) {
  Random rng(2);
  for (const Shapes& sh : kBroadcastShapes) {
    BroadcastShape s;
    ASSERT_TRUE(MakeBroadcastShape(sh.y.data(), int(sh.y.size()), sh.a.data(), int(sh.a.size()),
                                   sh.b.data(), int(sh.b.size()), &s));
    AddParams p;
    ASSERT_TRUE(ComputeAddParams(0.05f, 3, 0.02f, -7, 0.06f, 1, &p));
    const auto a = RandomInt8(rng, Numel(sh.a)), b = RandomInt8(rng, Numel(sh.b));
    std::vector<int8_t> out(Numel(sh.y));
    qs8_add_broadcast__scalar(p, s, a.data(), b.data(), out.data());
    GoldenCheck g("add broadcast", 0.06f, 1);
    g.min_exact(0.95);
    for (size_t i = 0; i < out.size(); ++i) {
      const double real = double(0.05f) * (a[SourceIndex(sh.y, i, sh.a)] - 3) +
                          double(0.02f) * (b[SourceIndex(sh.y, i, sh.b)] + 7);
      g.Check(out[i], real, std::to_string(i));
    }
  }
}

TEST(QS8MulScalar, FloatGoldenSameShapeAndBroadcast) {
  Random rng(3);
  struct Q {
    float sa, sb, sy;
    int32_t za, zb, zy;
  };
  for (const Q q : {Q{0.05f, 0.02f, 0.01f, 3, -7, -2}, Q{0.5f, 0.5f, 30.0f, 0, 0, 0},
                    Q{0.01f, 0.004f, 0.00005f, -128, 127, 5}, Q{1.0f, 1.0f, 600.0f, 10, -10, -128}}) {
    MulParams p;
    ASSERT_TRUE(ComputeMulParams(q.sa, q.za, q.sb, q.zb, q.sy, q.zy, &p));
    for (const Shapes& sh : kBroadcastShapes) {
      const auto a = RandomInt8(rng, Numel(sh.a)), b = RandomInt8(rng, Numel(sh.b));
      std::vector<int8_t> out(Numel(sh.y));
      if (sh.a == sh.y && sh.b == sh.y) {
        qs8_mul__scalar(p, out.size(), a.data(), b.data(), out.data());
      } else {
        BroadcastShape s;
        ASSERT_TRUE(MakeBroadcastShape(sh.y.data(), int(sh.y.size()), sh.a.data(),
                                       int(sh.a.size()), sh.b.data(), int(sh.b.size()), &s));
        qs8_mul_broadcast__scalar(p, s, a.data(), b.data(), out.data());
      }
      GoldenCheck g("mul", q.sy, q.zy);
      for (size_t i = 0; i < out.size(); ++i) {
        const double real = double(q.sa) * (a[SourceIndex(sh.y, i, sh.a)] - q.za) * double(q.sb) *
                            (b[SourceIndex(sh.y, i, sh.b)] - q.zb);
        g.Check(out[i], real, std::to_string(i));
      }
    }
  }
  MulParams p;
  EXPECT_FALSE(ComputeMulParams(1.0f, 0, 1.0f, 0, 1e-5f, 0, &p));  // M = 1e5 > 2^15
  EXPECT_FALSE(ComputeMulParams(0.0f, 0, 1.0f, 0, 1.0f, 0, &p));
}

// ---------------------------------------------------------------------------
// Pooling.

struct PoolShape {
  int n, h, w, c, fh, fw, sh, sw, pt, pl, pb, pr;
};
const std::vector<PoolShape> kPools = {
    {1, 8, 8, 3, 2, 2, 2, 2, 0, 0, 0, 0},  {2, 7, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1},
    {1, 6, 5, 16, 3, 2, 1, 1, 2, 0, 1, 1}, {1, 5, 5, 8, 5, 5, 1, 1, 0, 0, 0, 0},
    {1, 1, 1, 4, 1, 1, 1, 1, 0, 0, 0, 0},  {1, 10, 3, 1, 7, 3, 3, 1, 3, 1, 3, 1}};

Pool2DParams MakePool(const PoolShape& s) {
  Pool2DParams p;
  p.batch = s.n; p.input_height = s.h; p.input_width = s.w; p.channels = s.c;
  p.output_height = (s.h + s.pt + s.pb - s.fh) / s.sh + 1;
  p.output_width = (s.w + s.pl + s.pr - s.fw) / s.sw + 1;
  p.filter_height = s.fh; p.filter_width = s.fw; p.stride_height = s.sh; p.stride_width = s.sw;
  p.pad_top = s.pt; p.pad_left = s.pl;
  return p;
}

// Visits the in-input taps of output (n, oy, ox, c): f(value).
template <typename F>
void ForTaps(const Pool2DParams& p, const std::vector<int8_t>& x, int n, int oy, int ox, int c,
             F f) {
  for (int ky = 0; ky < p.filter_height; ++ky)
    for (int kx = 0; kx < p.filter_width; ++kx) {
      const int iy = oy * p.stride_height - p.pad_top + ky;
      const int ix = ox * p.stride_width - p.pad_left + kx;
      if (iy < 0 || iy >= p.input_height || ix < 0 || ix >= p.input_width) continue;
      f(x[((size_t(n) * p.input_height + iy) * p.input_width + ix) * p.channels + c]);
    }
}

TEST(QS8MaxPool2DScalar, ExactWithClamp) {
  Random rng(4);
  for (const PoolShape& s : kPools) {
    for (const int32_t qmin : {-128, -20}) {
      Pool2DParams p = MakePool(s);
      p.qmin = qmin;
      p.qmax = qmin == -128 ? 127 : 50;
      const auto x = RandomInt8(rng, size_t(s.n) * s.h * s.w * s.c);
      std::vector<int8_t> out(size_t(s.n) * p.output_height * p.output_width * s.c);
      qs8_maxpool2d__scalar(p, x.data(), out.data());
      size_t i = 0;
      for (int n = 0; n < s.n; ++n)
        for (int oy = 0; oy < p.output_height; ++oy)
          for (int ox = 0; ox < p.output_width; ++ox)
            for (int c = 0; c < s.c; ++c, ++i) {
              int m = -1000;
              ForTaps(p, x, n, oy, ox, c, [&](int v) { m = std::max(m, v); });
              ASSERT_EQ(out[i], std::clamp(m, p.qmin, p.qmax)) << i;
            }
    }
  }
}

TEST(QS8AvgPool2DScalar, FloatGolden) {
  Random rng(5);
  for (const PoolShape& s : kPools) {
    for (const bool include_pad : {false, true}) {
      for (const float s_out : {0.1f, 0.07f, 0.02f}) {
        const float s_in = 0.1f;
        const int32_t z_in = -5, z_out = 9;
        AvgPool2DParams p;
        p.pool = MakePool(s);
        p.count_include_pad = include_pad;
        p.input_zero_point = z_in;
        p.output_zero_point = z_out;
        const int area = s.fh * s.fw;
        std::vector<ScaledMultiplier> m(size_t(area) + 1);
        for (int k = 1; k <= area; ++k) {
          ASSERT_TRUE(ComputeScaledMultiplier(double(s_in) / (k * double(s_out)), 255 * area,
                                              &m[size_t(k)]));
        }
        p.multiplier = m.data();
        const auto x = RandomInt8(rng, size_t(s.n) * s.h * s.w * s.c);
        std::vector<int8_t> out(size_t(s.n) * p.pool.output_height * p.pool.output_width * s.c);
        qs8_avgpool2d__scalar(p, x.data(), out.data());
        GoldenCheck g("avgpool", s_out, z_out);
        size_t i = 0;
        for (int n = 0; n < s.n; ++n)
          for (int oy = 0; oy < p.pool.output_height; ++oy)
            for (int ox = 0; ox < p.pool.output_width; ++ox)
              for (int c = 0; c < s.c; ++c, ++i) {
                double sum = 0.0;
                int count = 0;
                ForTaps(p.pool, x, n, oy, ox, c, [&](int v) {
                  sum += double(s_in) * (v - z_in);
                  ++count;
                });
                g.Check(out[i], sum / (include_pad ? area : count), std::to_string(i));
              }
      }
    }
  }
}

TEST(QS8GlobalAvgPoolScalar, FloatGolden) {
  Random rng(6);
  for (const int pixels : {1, 4, 49, 196, 3136}) {
    for (const int channels : {1, 8, 13}) {
      GlobalAvgPoolParams p;
      p.batch = 2;
      p.pixels = pixels;
      p.channels = channels;
      p.input_zero_point = -128;
      p.output_zero_point = -100;
      ASSERT_TRUE(ComputeScaledMultiplier(0.05 / (pixels * double(0.03f)), 255 * pixels,
                                          &p.multiplier));
      const auto x = RandomInt8(rng, size_t(2) * pixels * channels);
      std::vector<int8_t> out(size_t(2) * channels);
      qs8_global_avgpool__scalar(p, x.data(), out.data());
      GoldenCheck g("global avgpool", 0.03f, -100);
      g.min_exact(0.95);
      for (int n = 0; n < 2; ++n)
        for (int c = 0; c < channels; ++c) {
          double sum = 0;
          for (int i = 0; i < pixels; ++i) sum += x[(size_t(n) * pixels + i) * channels + c] + 128;
          g.Check(out[size_t(n) * channels + c], 0.05 * sum / pixels, std::to_string(c));
        }
    }
  }
}

// ---------------------------------------------------------------------------
// Byte moves.

TEST(X8ConcatScalar, Exact) {
  const std::vector<int8_t> a = {1, 2, 3, 4, 5, 6}, b = {7, 8}, c = {9, 10, 11, 12};
  const size_t rows[] = {3, 1, 2};
  const int8_t* in[] = {a.data(), b.data(), c.data()};
  ConcatParams p;
  p.inputs = 3;
  p.outer = 2;
  p.row_bytes = rows;
  std::vector<int8_t> out(12);
  x8_concat__scalar(p, in, out.data());
  EXPECT_EQ(out, (std::vector<int8_t>{1, 2, 3, 7, 9, 10, 4, 5, 6, 8, 11, 12}));
}

TEST(X8StridedCopyScalar, TransposeAndSlice) {
  // x [2,3,4] transposed to [4,2,3]: y[i][j][k] = x[j][k][i].
  std::vector<int8_t> x(24);
  for (int i = 0; i < 24; ++i) x[size_t(i)] = int8_t(i);
  StridedCopyParams p;
  p.shape[3] = 4; p.shape[4] = 2; p.shape[5] = 3;
  p.stride[3] = 1; p.stride[4] = 12; p.stride[5] = 4;
  std::vector<int8_t> y(24);
  x8_strided_copy__scalar(p, x.data(), y.data());
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 2; ++j)
      for (int k = 0; k < 3; ++k) ASSERT_EQ(y[size_t(i * 6 + j * 3 + k)], x[size_t(j * 12 + k * 4 + i)]);
  // Slice x[1, 0:3:2, 1:4] = offset 12 + 1, shape [2, 3], strides [8, 1].
  StridedCopyParams s;
  s.shape[4] = 2; s.shape[5] = 3;
  s.stride[4] = 8; s.stride[5] = 1;
  s.offset = 13;
  std::vector<int8_t> z(6);
  x8_strided_copy__scalar(s, x.data(), z.data());
  EXPECT_EQ(z, (std::vector<int8_t>{13, 14, 15, 21, 22, 23}));
}

TEST(X8PadScalar, Exact) {
  PadParams p;
  p.input_shape[4] = 2; p.input_shape[5] = 3;
  p.output_shape[4] = 4; p.output_shape[5] = 4;
  p.before[4] = 1; p.before[5] = 0;
  p.value = -9;
  const std::vector<int8_t> x = {1, 2, 3, 4, 5, 6};
  std::vector<int8_t> y(16);
  x8_pad__scalar(p, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{-9, -9, -9, -9, 1, 2, 3, -9, 4, 5, 6, -9, -9, -9, -9, -9}));
}

TEST(ComputeResizeNearestIndex, KnownValues) {
  using T = ResizeCoordinateTransform;
  using M = ResizeNearestMode;
  auto index = [](int in, int out, T t, M m) {
    std::vector<int32_t> v(static_cast<size_t>(out));
    ComputeResizeNearestIndex(in, out, t, m, v.data());
    return v;
  };
  using V = std::vector<int32_t>;
  EXPECT_EQ(index(2, 4, T::kAsymmetric, M::kFloor), (V{0, 0, 1, 1}));
  EXPECT_EQ(index(2, 4, T::kHalfPixel, M::kRoundPreferFloor), (V{0, 0, 1, 1}));
  EXPECT_EQ(index(3, 2, T::kAsymmetric, M::kRoundPreferFloor), (V{0, 1}));  // 1.5 exactly
  EXPECT_EQ(index(3, 2, T::kAsymmetric, M::kRoundPreferCeil), (V{0, 2}));
  EXPECT_EQ(index(3, 2, T::kAsymmetric, M::kCeil), (V{0, 2}));
  EXPECT_EQ(index(4, 3, T::kAlignCorners, M::kRoundPreferCeil), (V{0, 2, 3}));  // 0, 1.5, 3
  EXPECT_EQ(index(4, 1, T::kPytorchHalfPixel, M::kFloor), (V{0}));
  EXPECT_EQ(index(4, 1, T::kHalfPixel, M::kFloor), (V{1}));  // (0.5) * 4 - 0.5 = 1.5
  EXPECT_EQ(index(5, 2, T::kHalfPixel, M::kCeil), (V{1, 4}));  // 0.75, 3.25
  EXPECT_EQ(index(2, 5, T::kHalfPixel, M::kRoundPreferCeil), (V{0, 0, 1, 1, 1}));  // -0.3, 0.1, 0.5, 0.9, 1.3
}

TEST(X8ResizeNearestScalar, CopiesIndexedPixels) {
  Random rng(7);
  ResizeNearestParams p;
  p.batch = 2; p.input_height = 3; p.input_width = 2; p.channels = 5;
  p.output_height = 4; p.output_width = 3;
  const int32_t yi[] = {0, 2, 1, 2}, xi[] = {1, 0, 1};
  p.y_index = yi;
  p.x_index = xi;
  const auto x = RandomInt8(rng, 2 * 3 * 2 * 5);
  std::vector<int8_t> y(2 * 4 * 3 * 5);
  x8_resize_nearest__scalar(p, x.data(), y.data());
  for (int n = 0; n < 2; ++n)
    for (int oy = 0; oy < 4; ++oy)
      for (int ox = 0; ox < 3; ++ox)
        for (int c = 0; c < 5; ++c)
          ASSERT_EQ(y[((size_t(n) * 4 + oy) * 3 + ox) * 5 + c],
                    x[((size_t(n) * 3 + yi[oy]) * 2 + xi[ox]) * 5 + c]);
}

// ---------------------------------------------------------------------------
// Softmax, lookup table, requantize, PReLU, quantize, dequantize.

TEST(ComputeSoftmaxExpTable, Values) {
  int32_t t[256];
  ComputeSoftmaxExpTable(1.0f, 0.1f, t);
  EXPECT_EQ(t[0], 1 << 30);
  for (int d = 1; d < 256; ++d) {
    EXPECT_LE(t[d], t[d - 1]);
    EXPECT_EQ(t[d], int32_t(std::round(std::ldexp(std::exp(-double(0.1f) * d), 30))));
  }
  ComputeSoftmaxExpTable(0.0f, 0.1f, t);
  for (int d = 0; d < 256; ++d) EXPECT_EQ(t[d], 1 << 30);
  ComputeSoftmaxExpTable(1.0f, 10.0f, t);
  EXPECT_EQ(t[0], 1 << 30);
  EXPECT_EQ(t[255], 0);
}

TEST(QS8SoftmaxScalar, FloatGolden) {
  Random rng(8);
  for (const float s_in : {0.01f, 0.1f, 0.5f}) {
    for (const int depth : {1, 2, 5, 10, 100, 1000}) {
      int32_t table[256];
      ComputeSoftmaxExpTable(1.0f, s_in, table);
      SoftmaxParams p;
      p.outer = 4;
      p.depth = depth;
      auto x = RandomInt8(rng, size_t(4) * depth);
      if (depth > 1) x[1] = 127;  // one row with a dominant maximum
      std::vector<int8_t> y(x.size());
      qs8_softmax__scalar(p, table, x.data(), y.data());
      GoldenCheck g("softmax", 1.0f / 256, -128);
      g.min_exact(0.95);
      for (int r = 0; r < 4; ++r) {
        const int8_t* row = x.data() + r * depth;
        const int mx = *std::max_element(row, row + depth);
        double sum = 0;
        for (int i = 0; i < depth; ++i) sum += std::exp(double(s_in) * (row[i] - mx));
        for (int i = 0; i < depth; ++i) {
          g.Check(y[size_t(r * depth + i)], std::exp(double(s_in) * (row[i] - mx)) / sum,
                  "depth " + std::to_string(depth) + " row " + std::to_string(r));
        }
      }
    }
  }
}

TEST(X8LutScalar, Exact) {
  std::vector<int8_t> table(256), x(256), y(256);
  for (int i = 0; i < 256; ++i) {
    table[size_t(i)] = int8_t((i * 37) & 0xff);
    x[size_t(i)] = int8_t(i - 128);
  }
  x8_lut__scalar(256, table.data(), x.data(), y.data());
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[size_t(i)], table[size_t(i)]);
}

TEST(QS8RequantizeScalar, FloatGoldenAllInputs) {
  std::vector<int8_t> x(256), y(256);
  for (int i = 0; i < 256; ++i) x[size_t(i)] = int8_t(i - 128);
  for (const float s_x : {0.1f, 0.02f, 1.0f}) {
    for (const float s_y : {0.1f, 0.07f, 0.3f, 0.001f, 2.5f}) {
      for (const int32_t zx : {-128, 0, 17, 127}) {
        for (const int32_t zy : {-128, -3, 127}) {
          RequantizeParams p;
          p.input_zero_point = zx;
          p.output_zero_point = zy;
          ASSERT_TRUE(ComputeScaledMultiplier(double(s_x) / s_y, 255, &p.multiplier));
          qs8_requantize__scalar(p, 256, x.data(), y.data());
          GoldenCheck g("requantize", s_y, zy);
          for (int i = 0; i < 256; ++i) {
            g.Check(y[size_t(i)], double(s_x) * (x[size_t(i)] - zx), std::to_string(i));
          }
        }
      }
    }
  }
}

TEST(QS8PReluScalar, FloatGolden) {
  Random rng(9);
  const int channels = 7;
  const std::vector<float> s_a = {0.01f, 0.002f, 0.02f, 0.005f, 0.03f, 0.0078125f, 0.001f};
  const auto alpha = RandomInt8(rng, channels);
  for (const float s_y : {0.05f, 0.02f, 0.2f}) {
    const float s_x = 0.05f;
    PReluParams p;
    p.outer = 40;
    p.channels = channels;
    p.input_zero_point = 10;
    p.output_zero_point = -3;
    ASSERT_TRUE(ComputeScaledMultiplier(double(s_x) / s_y, 255, &p.positive));
    std::vector<ScaledMultiplier> neg(channels);
    for (int c = 0; c < channels; ++c) {
      ASSERT_TRUE(ComputeScaledMultiplier(double(s_x) * s_a[size_t(c)] / s_y, 255 * 128,
                                          &neg[size_t(c)]));
    }
    p.alpha = alpha.data();
    p.negative = neg.data();
    const auto x = RandomInt8(rng, 40 * channels);
    std::vector<int8_t> y(x.size());
    qs8_prelu__scalar(p, x.data(), y.data());
    GoldenCheck g("prelu", s_y, -3);
    for (size_t i = 0; i < x.size(); ++i) {
      const size_t c = i % channels;
      const double v = double(s_x) * (x[i] - 10);
      g.Check(y[i], v >= 0 ? v : v * alpha[c] * double(s_a[c]), std::to_string(i));
    }
  }
}

TEST(QS8QuantizeScalar, RoundsHalfAwayInFloat32AndSaturates) {
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> x = {0.0f, 0.25f, -0.25f, 0.75f, 63.0f, 64.0f, -64.5f, -65.0f,
                                1e30f, -1e30f, inf, -inf, std::nanf(""), -0.0f, 3.3f, 0.2499f};
  std::vector<int8_t> y(x.size());
  qs8_quantize__scalar(x.size(), 0.5f, -1, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<int8_t>{-1, 0, -2, 1, 125, 127, -128, -128, 127, -128, 127, -128, -1,
                                    -1, 6, -1}));
  // Random values against the formula in float.
  Random rng(10);
  for (int i = 0; i < 10000; ++i) {
    const float v = float(rng.Uniform(-10, 10));
    const float s = float(rng.Uniform(0.01, 0.2));
    const int32_t z = int32_t(rng.Range(-128, 127));
    int8_t q = 0;
    qs8_quantize__scalar(1, s, z, &v, &q);
    ASSERT_EQ(q, int8_t(std::clamp(std::round(v / s) + float(z), -128.0f, 127.0f)));
  }
}

TEST(QS8DequantizeScalar, Exact) {
  std::vector<int8_t> x(256);
  for (int i = 0; i < 256; ++i) x[size_t(i)] = int8_t(i - 128);
  std::vector<float> y(256);
  qs8_dequantize__scalar(256, 0.037f, 5, x.data(), y.data());
  for (int i = 0; i < 256; ++i) ASSERT_EQ(y[size_t(i)], 0.037f * float(i - 128 - 5));
}

}  // namespace
}  // namespace octet
