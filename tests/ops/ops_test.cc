// Every operator of schema/OPS.md through the C API: a one-op model per case,
// compared with an independent naive computation (index arithmetic written
// out here, requantization by RequantizeToInt8 with multipliers computed
// here from the model's real scales), float I/O around QUANTIZE and
// DEQUANTIZE, and a small graph mixing them with no allocation in invoke.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference.h"
#include "kernels/reference_ops.h"
#include "kernels/requant.h"
#include "model_builder.h"
#include "octet/octet.h"

// Counts operator new calls so a test can check that invoke allocates nothing.
static thread_local long g_allocations = 0;
#if defined(__SANITIZE_ADDRESS__)
#define OCTET_COUNT_ALLOCATIONS 0
#else
#define OCTET_COUNT_ALLOCATIONS 1
void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace octet {
namespace {

using testing::ModelBuilder;
using testing::RandomInt8;
using Bytes = std::vector<uint8_t>;
using schema::OpType;

template <typename T>
Bytes ToBytes(const std::vector<T>& v) {
  Bytes b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}
template <typename T>
std::vector<T> FromBytes(const Bytes& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!b.empty()) std::memcpy(v.data(), b.data(), b.size());
  return v;
}

// Loads the model, sets the inputs, invokes twice (checking that invoke
// allocates nothing) and returns every output's bytes.
struct RunResult {
  octet_status status = OCTET_OK;
  std::string error;
  std::vector<Bytes> outputs;
};

RunResult RunModel(const Bytes& model_bytes, const std::vector<Bytes>& inputs) {
  RunResult r;
  octet_model* model = nullptr;
  r.status = octet_model_load_buffer(model_bytes.data(), model_bytes.size(), &model);
  if (r.status != OCTET_OK) {
    r.error = octet_last_error();
    return r;
  }
  octet_interpreter* interp = nullptr;
  r.status = octet_interpreter_create(model, nullptr, &interp);
  if (r.status != OCTET_OK) {
    r.error = octet_last_error();
    octet_model_destroy(model);
    return r;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    octet_tensor* t = nullptr;
    EXPECT_EQ(octet_interpreter_input(interp, static_cast<int>(i), &t), OCTET_OK);
    EXPECT_EQ(octet_tensor_copy_from_buffer(t, inputs[i].data(), inputs[i].size()), OCTET_OK)
        << octet_last_error();
  }
  const long before = g_allocations;
  EXPECT_EQ(octet_interpreter_invoke(interp), OCTET_OK);
  if (OCTET_COUNT_ALLOCATIONS) {
    EXPECT_EQ(g_allocations, before) << "invoke allocated";
  }
  for (int i = 0; i < octet_interpreter_output_count(interp); ++i) {
    octet_tensor* out = nullptr;
    EXPECT_EQ(octet_interpreter_output(interp, i, &out), OCTET_OK);
    Bytes bytes(octet_tensor_byte_size(out));
    EXPECT_EQ(octet_tensor_copy_to_buffer(out, bytes.data(), bytes.size()), OCTET_OK);
    r.outputs.push_back(std::move(bytes));
  }
  octet_interpreter_destroy(interp);
  octet_model_destroy(model);
  return r;
}

// One int8 output of a model with int8 inputs.
std::vector<int8_t> RunInt8(const Bytes& model, const std::vector<std::vector<int8_t>>& inputs) {
  std::vector<Bytes> in;
  for (const auto& v : inputs) in.push_back(ToBytes(v));
  const RunResult r = RunModel(model, in);
  EXPECT_EQ(r.status, OCTET_OK) << r.error;
  if (r.outputs.empty()) return {};
  return FromBytes<int8_t>(r.outputs[0]);
}

size_t Numel(const std::vector<int32_t>& shape) {
  size_t n = 1;
  for (int32_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

void QuantizedMultiplier(double real, int32_t* m, int* shift) {
  ASSERT_TRUE(QuantizeMultiplier(real, m, shift)) << real;
}

// requant with the headroom of a bounded accumulator (ScaledMultiplier),
// from the real multiplier.
int8_t Req(int32_t acc, double real, int64_t bound, int32_t zp, int32_t qmin = -128,
           int32_t qmax = 127) {
  ScaledMultiplier m;
  EXPECT_TRUE(ComputeScaledMultiplier(real, bound, &m)) << real;
  return RequantizeScaled(acc, m, zp, qmin, qmax);
}

// Element index of `index` (a multi-index of the output shape) in a tensor
// of `shape` broadcast to it (ranks aligned on the right).
size_t BroadcastIndex(const std::vector<int32_t>& out_shape, const std::vector<size_t>& index,
                      const std::vector<int32_t>& shape) {
  size_t flat = 0;
  const size_t offset = out_shape.size() - shape.size();
  for (size_t d = 0; d < shape.size(); ++d) {
    flat = flat * shape[d] + (shape[d] == 1 ? 0 : index[offset + d]);
  }
  return flat;
}

std::vector<size_t> Unflatten(size_t i, const std::vector<int32_t>& shape) {
  std::vector<size_t> index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = i % shape[d];
    i /= shape[d];
  }
  return index;
}

// ---------------------------------------------------------------------------
// ADD and MUL with broadcasting.

struct BinaryCase {
  std::vector<int32_t> a, b, y;
};

class BroadcastTest : public ::testing::TestWithParam<BinaryCase> {};

TEST_P(BroadcastTest, AddMatchesElementwiseReference) {
  const BinaryCase c = GetParam();
  std::mt19937 rng(5);
  ModelBuilder m;
  const int a = m.AddActivation("a", c.a, 0.05f, 3);
  const int b = m.AddActivation("b", c.b, 0.02f, -7);
  const int y = m.AddActivation("y", c.y, 0.06f, 1);
  m.AddAdd("add", a, b, y);
  m.SetInputs({a, b});
  m.SetOutputs({y});
  const auto va = RandomInt8(rng, Numel(c.a)), vb = RandomInt8(rng, Numel(c.b));
  const auto out = RunInt8(m.Finish(), {va, vb});
  AddParams p;
  ASSERT_TRUE(ComputeAddParams(0.05f, 3, 0.02f, -7, 0.06f, 1, &p));
  ASSERT_EQ(out.size(), Numel(c.y));
  for (size_t i = 0; i < out.size(); ++i) {
    const auto index = Unflatten(i, c.y);
    int8_t expected = 0;
    qs8_add__scalar(p, 1, &va[BroadcastIndex(c.y, index, c.a)],
                    &vb[BroadcastIndex(c.y, index, c.b)], &expected);
    ASSERT_EQ(out[i], expected) << "output " << i;
  }
}

TEST_P(BroadcastTest, MulMatchesNaiveProduct) {
  const BinaryCase c = GetParam();
  std::mt19937 rng(6);
  ModelBuilder m;
  const int a = m.AddActivation("a", c.a, 0.05f, 3);
  const int b = m.AddActivation("b", c.b, 0.02f, -7);
  const int y = m.AddActivation("y", c.y, 0.01f, -2);
  schema::MulOptionsT o;
  o.activation = schema::Activation::RELU;
  m.AddMul("mul", a, b, y, o);
  m.SetInputs({a, b});
  m.SetOutputs({y});
  const auto va = RandomInt8(rng, Numel(c.a)), vb = RandomInt8(rng, Numel(c.b));
  const auto out = RunInt8(m.Finish(), {va, vb});
  const double real = double(0.05f) * double(0.02f) / double(0.01f);
  ASSERT_EQ(out.size(), Numel(c.y));
  for (size_t i = 0; i < out.size(); ++i) {
    const auto index = Unflatten(i, c.y);
    const int32_t pa = va[BroadcastIndex(c.y, index, c.a)] - 3;
    const int32_t pb = vb[BroadcastIndex(c.y, index, c.b)] + 7;
    // ReLU: the quantized zero is the output zero point.
    const int8_t expected = Req(pa * pb, real, 255 * 255, -2, -2, 127);
    ASSERT_EQ(out[i], expected) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, BroadcastTest,
    ::testing::Values(BinaryCase{{1, 5, 6, 8}, {1, 5, 6, 8}, {1, 5, 6, 8}},   // same shape
                      BinaryCase{{2, 4, 4, 13}, {2, 1, 1, 13}, {2, 4, 4, 13}},  // squeeze-excite
                      BinaryCase{{1, 1, 1, 7}, {1, 3, 5, 7}, {1, 3, 5, 7}},    // a broadcast
                      BinaryCase{{3, 1, 5}, {1, 4, 1}, {3, 4, 5}},             // both broadcast
                      BinaryCase{{2, 3, 4, 5}, {5}, {2, 3, 4, 5}},             // lower rank
                      BinaryCase{{4, 6}, {}, {4, 6}},                          // scalar
                      BinaryCase{{2, 1, 3, 1, 2, 3}, {1, 2, 1, 2, 1, 3}, {2, 2, 3, 2, 2, 3}}));

// ---------------------------------------------------------------------------
// Pooling.

struct PoolCase {
  int n, h, w, c, fh, fw, sh, sw, pt, pl, pb, pr;
  bool include_pad;
};

class PoolTest : public ::testing::TestWithParam<PoolCase> {};

Bytes BuildPool(const PoolCase& c, OpType type, float s_in, int32_t z_in, float s_out,
                int32_t z_out, schema::Activation act, std::vector<int32_t>* out_shape) {
  ModelBuilder m;
  const int oh = testing::ConvOutputSize(c.h, c.fh, c.sh, 1, c.pt, c.pb);
  const int ow = testing::ConvOutputSize(c.w, c.fw, c.sw, 1, c.pl, c.pr);
  *out_shape = {c.n, oh, ow, c.c};
  const int x = m.AddActivation("x", {c.n, c.h, c.w, c.c}, s_in, z_in);
  const int y = m.AddActivation("y", *out_shape, s_out, z_out);
  schema::Pool2DOptionsT o;
  o.filter_h = c.fh; o.filter_w = c.fw; o.stride_h = c.sh; o.stride_w = c.sw;
  o.pad_top = c.pt; o.pad_left = c.pl; o.pad_bottom = c.pb; o.pad_right = c.pr;
  o.count_include_pad = c.include_pad;
  o.activation = act;
  m.AddPool2D(type, "pool", x, y, o);
  m.SetInputs({x});
  m.SetOutputs({y});
  return m.Finish();
}

TEST_P(PoolTest, MaxPool) {
  const PoolCase c = GetParam();
  std::mt19937 rng(7);
  std::vector<int32_t> ys;
  const auto bytes = BuildPool(c, OpType::MAX_POOL_2D, 0.1f, 4, 0.1f, 4, schema::Activation::RELU6, &ys);
  const auto x = RandomInt8(rng, size_t(c.n) * c.h * c.w * c.c);
  const auto out = RunInt8(bytes, {x});
  ASSERT_EQ(out.size(), Numel(ys));
  const int32_t qmax = 4 + 60;  // ReLU6 at scale 0.1
  for (size_t i = 0; i < out.size(); ++i) {
    const auto idx = Unflatten(i, ys);
    int m = -1000;
    for (int ky = 0; ky < c.fh; ++ky)
      for (int kx = 0; kx < c.fw; ++kx) {
        const int iy = int(idx[1]) * c.sh - c.pt + ky, ix = int(idx[2]) * c.sw - c.pl + kx;
        if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
        m = std::max<int>(m, x[((idx[0] * c.h + iy) * c.w + ix) * c.c + idx[3]]);
      }
    ASSERT_EQ(out[i], std::clamp(m, 4, qmax)) << "output " << i;
  }
}

TEST_P(PoolTest, AveragePool) {
  const PoolCase c = GetParam();
  std::mt19937 rng(8);
  std::vector<int32_t> ys;
  const float s_in = 0.1f, s_out = 0.07f;
  const auto bytes = BuildPool(c, OpType::AVERAGE_POOL_2D, s_in, -5, s_out, 9,
                               schema::Activation::NONE, &ys);
  const auto x = RandomInt8(rng, size_t(c.n) * c.h * c.w * c.c);
  const auto out = RunInt8(bytes, {x});
  ASSERT_EQ(out.size(), Numel(ys));
  int exact = 0;
  for (size_t i = 0; i < out.size(); ++i) {
    const auto idx = Unflatten(i, ys);
    int32_t acc = 0, count = 0;
    double real = 0.0;
    for (int ky = 0; ky < c.fh; ++ky)
      for (int kx = 0; kx < c.fw; ++kx) {
        const int iy = int(idx[1]) * c.sh - c.pt + ky, ix = int(idx[2]) * c.sw - c.pl + kx;
        if (iy < 0 || iy >= c.h || ix < 0 || ix >= c.w) continue;
        const int v = x[((idx[0] * c.h + iy) * c.w + ix) * c.c + idx[3]] + 5;
        acc += v;
        real += v * double(s_in);
        ++count;
      }
    if (c.include_pad) count = c.fh * c.fw;
    ASSERT_EQ(out[i], Req(acc, double(s_in) / (double(count) * s_out), 255 * c.fh * c.fw, 9))
        << "output " << i;
    // And within 1 LSB of the float mean.
    const double golden = std::clamp(std::round(real / count / s_out) + 9, -128.0, 127.0);
    EXPECT_LE(std::abs(out[i] - golden), 1.0) << "output " << i;
    exact += out[i] == golden;
  }
  EXPECT_GE(exact, int(0.98 * out.size()));
}

INSTANTIATE_TEST_SUITE_P(
    Windows, PoolTest,
    ::testing::Values(PoolCase{1, 8, 8, 3, 2, 2, 2, 2, 0, 0, 0, 0, false},
                      PoolCase{2, 7, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, false},
                      PoolCase{2, 7, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, true},
                      PoolCase{1, 6, 5, 16, 3, 2, 1, 1, 2, 0, 1, 1, false},
                      PoolCase{1, 5, 5, 8, 5, 5, 1, 1, 0, 0, 0, 0, false},
                      PoolCase{1, 13, 13, 1, 3, 3, 3, 3, 0, 0, 2, 2, true}));

TEST(GlobalAveragePool, KeepDimsAndFlat) {
  std::mt19937 rng(9);
  for (const bool keep : {true, false}) {
    const int n = 2, h = 7, w = 5, c = 13;
    ModelBuilder m;
    const int x = m.AddActivation("x", {n, h, w, c}, 0.04f, -20);
    const std::vector<int32_t> ys = keep ? std::vector<int32_t>{n, 1, 1, c} : std::vector<int32_t>{n, c};
    const int y = m.AddActivation("y", ys, 0.03f, 5);
    m.AddGlobalAveragePool2D("gap", x, y, keep);
    m.SetInputs({x});
    m.SetOutputs({y});
    const auto in = RandomInt8(rng, size_t(n) * h * w * c);
    const auto out = RunInt8(m.Finish(), {in});
    ASSERT_EQ(out.size(), size_t(n * c));
    const double real = double(0.04f) / (double(h * w) * double(0.03f));
    for (int b = 0; b < n; ++b)
      for (int ch = 0; ch < c; ++ch) {
        int32_t acc = 0;
        for (int i = 0; i < h * w; ++i) acc += in[(size_t(b) * h * w + i) * c + ch] + 20;
        ASSERT_EQ(out[size_t(b) * c + ch], Req(acc, real, 255 * h * w, 5));
        const double golden =
            std::clamp(std::round(acc * double(0.04f) / (h * w) / double(0.03f)) + 5, -128.0, 127.0);
        EXPECT_LE(std::abs(out[size_t(b) * c + ch] - golden), 1.0);
      }
  }
}

// ---------------------------------------------------------------------------
// Data movement: exact byte moves.

TEST(Concatenation, AlongEachAxis) {
  std::mt19937 rng(10);
  const std::vector<int32_t> base = {2, 3, 4, 5};
  for (int axis = -4; axis < 4; ++axis) {
    const int ax = axis < 0 ? axis + 4 : axis;
    const std::vector<int> sizes = {1, 3, 2};
    ModelBuilder m;
    std::vector<int32_t> ins;
    std::vector<std::vector<int8_t>> data;
    std::vector<std::vector<int32_t>> shapes;
    int total = 0;
    for (size_t k = 0; k < sizes.size(); ++k) {
      auto s = base;
      s[size_t(ax)] = sizes[k];
      total += sizes[k];
      shapes.push_back(s);
      ins.push_back(m.AddActivation("x" + std::to_string(k), s, 0.1f, 2));
      data.push_back(RandomInt8(rng, Numel(s)));
    }
    auto ys = base;
    ys[size_t(ax)] = total;
    const int y = m.AddActivation("y", ys, 0.1f, 2);
    m.AddConcatenation("concat", ins, y, axis);
    m.SetInputs(ins);
    m.SetOutputs({y});
    const auto out = RunInt8(m.Finish(), data);
    ASSERT_EQ(out.size(), Numel(ys));
    for (size_t i = 0; i < out.size(); ++i) {
      auto idx = Unflatten(i, ys);
      size_t k = 0;
      while (idx[size_t(ax)] >= size_t(sizes[k])) idx[size_t(ax)] -= size_t(sizes[k++]);
      size_t flat = 0;
      for (size_t d = 0; d < 4; ++d) flat = flat * shapes[k][d] + idx[d];
      ASSERT_EQ(out[i], data[k][flat]) << "axis " << axis << " output " << i;
    }
  }
}

TEST(Reshape, IsAByteCopy) {
  std::mt19937 rng(11);
  ModelBuilder m;
  const int x = m.AddActivation("x", {1, 4, 4, 6}, 0.1f, 2);
  const int r = m.AddActivation("r", {4, 24}, 0.1f, 2);
  const int y = m.AddActivation("y", {96}, 0.1f, 2);
  m.AddReshape("reshape", x, r, {4, 24});
  m.AddReshape("flatten", r, y);
  m.SetInputs({x});
  m.SetOutputs({y});
  const auto in = RandomInt8(rng, 96);
  EXPECT_EQ(RunInt8(m.Finish(), {in}), in);
}

// Transposes of rank 1..6 with every kind of permutation.
TEST(Transpose, MatchesIndexPermutation) {
  std::mt19937 rng(12);
  const std::vector<std::vector<int32_t>> perms = {
      {0}, {1, 0}, {0, 3, 1, 2}, {0, 2, 3, 1}, {3, 2, 1, 0}, {0, 1, 2, 3},
      {2, 0, 1}, {4, 0, 3, 1, 2}, {5, 3, 1, 0, 2, 4}, {0, 1, 2, 3, 5, 4}};
  for (const auto& perm : perms) {
    std::vector<int32_t> xs;
    for (size_t d = 0; d < perm.size(); ++d) xs.push_back(int32_t(2 + (d * 3 + 1) % 4));
    std::vector<int32_t> ys;
    for (int32_t p : perm) ys.push_back(xs[size_t(p)]);
    ModelBuilder m;
    const int x = m.AddActivation("x", xs, 0.1f, 0);
    const int y = m.AddActivation("y", ys, 0.1f, 0);
    m.AddTranspose("transpose", x, y, perm);
    m.SetInputs({x});
    m.SetOutputs({y});
    const auto in = RandomInt8(rng, Numel(xs));
    const auto out = RunInt8(m.Finish(), {in});
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < out.size(); ++i) {
      const auto idx = Unflatten(i, ys);
      std::vector<size_t> src(xs.size());
      for (size_t d = 0; d < perm.size(); ++d) src[size_t(perm[d])] = idx[d];
      size_t flat = 0;
      for (size_t d = 0; d < xs.size(); ++d) flat = flat * xs[d] + src[d];
      ASSERT_EQ(out[i], in[flat]) << "perm size " << perm.size() << " output " << i;
    }
  }
}

TEST(Pad, ConstantValueQuantizedWithTheOutputScale) {
  std::mt19937 rng(13);
  const std::vector<int32_t> xs = {1, 3, 4, 5};
  const std::vector<int32_t> pads = {0, 1, 2, 0, 1, 3, 0, 2};
  const std::vector<int32_t> ys = {2, 5, 8, 7};
  for (const float value : {0.0f, 0.25f, -100.0f}) {
    ModelBuilder m;
    const int x = m.AddActivation("x", xs, 0.1f, -3);
    const int y = m.AddActivation("y", ys, 0.1f, -3);
    m.AddPad("pad", x, y, pads, value);
    m.SetInputs({x});
    m.SetOutputs({y});
    const auto in = RandomInt8(rng, Numel(xs));
    const auto out = RunInt8(m.Finish(), {in});
    ASSERT_EQ(out.size(), Numel(ys));
    // As QUANTIZE: float32 division (0.25f / 0.1f is exactly 2.5f, though
    // 0.25 / 0.1f in double is below 2.5), rounding half away from zero.
    const int8_t pad_q =
        static_cast<int8_t>(std::clamp(std::round(value / 0.1f) - 3.0f, -128.0f, 127.0f));
    for (size_t i = 0; i < out.size(); ++i) {
      const auto idx = Unflatten(i, ys);
      bool inside = true;
      size_t flat = 0;
      for (size_t d = 0; d < 4; ++d) {
        const long src = long(idx[d]) - pads[2 * d];
        inside = inside && src >= 0 && src < xs[d];
        flat = flat * xs[d] + size_t(std::max(src, 0L));
      }
      ASSERT_EQ(out[i], inside ? in[flat] : pad_q) << "value " << value << " output " << i;
    }
  }
}

TEST(Slice, BeginSizeStrides) {
  std::mt19937 rng(14);
  struct Case {
    std::vector<int32_t> xs, begin, size, strides;
  };
  const std::vector<Case> cases = {
      {{1, 6, 7, 8}, {0, 1, 2, 0}, {1, 4, 3, 8}, {}},
      {{1, 6, 7, 8}, {0, 1, 0, 3}, {1, 3, 4, 2}, {1, 2, 2, 2}},
      {{2, 9, 4}, {1, 8, 0}, {1, 1, 4}, {1, 1, 1}},
      {{10}, {1}, {3}, {4}},
      {{1, 4, 4, 12}, {0, 0, 0, 4}, {1, 4, 4, 4}, {}}};
  for (const Case& c : cases) {
    ModelBuilder m;
    const int x = m.AddActivation("x", c.xs, 0.1f, 1);
    const int y = m.AddActivation("y", c.size, 0.1f, 1);
    m.AddSlice("slice", x, y, c.begin, c.size, c.strides);
    m.SetInputs({x});
    m.SetOutputs({y});
    const auto in = RandomInt8(rng, Numel(c.xs));
    const auto out = RunInt8(m.Finish(), {in});
    ASSERT_EQ(out.size(), Numel(c.size));
    for (size_t i = 0; i < out.size(); ++i) {
      const auto idx = Unflatten(i, c.size);
      size_t flat = 0;
      for (size_t d = 0; d < c.xs.size(); ++d) {
        const size_t step = c.strides.empty() ? 1 : size_t(c.strides[d]);
        flat = flat * c.xs[d] + c.begin[d] + idx[d] * step;
      }
      ASSERT_EQ(out[i], in[flat]) << "output " << i;
    }
  }
}

// ONNX Resize (nearest) source index in double precision: exact for every
// case below (no coordinate lands within 1e-9 of a tie it does not hit
// exactly).
int OnnxNearest(int x, int in, int out, schema::CoordinateTransform t, schema::NearestMode mode) {
  const double scale = double(out) / in;
  double o = 0.0;
  switch (t) {
    case schema::CoordinateTransform::ASYMMETRIC: o = x / scale; break;
    case schema::CoordinateTransform::HALF_PIXEL: o = (x + 0.5) / scale - 0.5; break;
    case schema::CoordinateTransform::PYTORCH_HALF_PIXEL:
      o = out > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
      break;
    case schema::CoordinateTransform::ALIGN_CORNERS:
      o = out > 1 ? x * double(in - 1) / (out - 1) : 0.0;
      break;
  }
  double r = 0.0;
  const double frac = o - std::floor(o);
  switch (mode) {
    case schema::NearestMode::FLOOR: r = std::floor(o); break;
    case schema::NearestMode::CEIL: r = std::ceil(o); break;
    case schema::NearestMode::ROUND_PREFER_FLOOR:
      r = std::abs(frac - 0.5) < 1e-9 ? std::floor(o) : std::round(o);
      break;
    case schema::NearestMode::ROUND_PREFER_CEIL:
      r = std::abs(frac - 0.5) < 1e-9 ? std::ceil(o) : std::round(o);
      break;
  }
  return int(std::clamp(r, 0.0, double(in - 1)));
}

TEST(ResizeNearest, EveryTransformAndMode) {
  std::mt19937 rng(15);
  const std::vector<std::pair<int, int>> sizes = {{4, 8}, {3, 7}, {6, 3}, {5, 5}, {1, 4}, {4, 1}};
  for (int t = 0; t <= 3; ++t) {
    for (int mode = 0; mode <= 3; ++mode) {
      for (const auto& [ih, oh] : sizes) {
        const int iw = 3, ow = 5, c = 3;
        schema::ResizeNearestOptionsT o;
        o.coordinate_transform = static_cast<schema::CoordinateTransform>(t);
        o.nearest_mode = static_cast<schema::NearestMode>(mode);
        ModelBuilder m;
        const int x = m.AddActivation("x", {2, ih, iw, c}, 0.1f, 0);
        const int y = m.AddActivation("y", {2, oh, ow, c}, 0.1f, 0);
        m.AddResizeNearest("resize", x, y, o);
        m.SetInputs({x});
        m.SetOutputs({y});
        const auto in = RandomInt8(rng, size_t(2) * ih * iw * c);
        const auto out = RunInt8(m.Finish(), {in});
        ASSERT_EQ(out.size(), size_t(2) * oh * ow * c);
        for (size_t i = 0; i < out.size(); ++i) {
          const auto idx = Unflatten(i, {2, oh, ow, c});
          const int sy = OnnxNearest(int(idx[1]), ih, oh, o.coordinate_transform, o.nearest_mode);
          const int sx = OnnxNearest(int(idx[2]), iw, ow, o.coordinate_transform, o.nearest_mode);
          ASSERT_EQ(out[i], in[((idx[0] * ih + sy) * iw + sx) * c + idx[3]])
              << "transform " << t << " mode " << mode << " " << ih << "->" << oh << " output "
              << i;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Softmax, lookup table, PReLU, requantize.

TEST(Softmax, WithinOneLsbOfFloat) {
  std::mt19937 rng(16);
  for (const int depth : {1, 2, 10, 1000}) {
    for (const float beta : {1.0f, 0.5f}) {
      const float s_in = 0.1f;
      std::vector<int32_t> table(256);
      ComputeSoftmaxExpTable(beta, s_in, table.data());
      ModelBuilder m;
      const int x = m.AddActivation("x", {3, depth}, s_in, 7);
      const int t = m.AddSoftmaxExpTable("exp", table);
      const int y = m.AddActivation("y", {3, depth}, 1.0f / 256, -128);
      m.AddSoftmax("softmax", x, t, y, beta);
      m.SetInputs({x});
      m.SetOutputs({y});
      const auto in = RandomInt8(rng, size_t(3) * depth);
      const auto out = RunInt8(m.Finish(), {in});
      ASSERT_EQ(out.size(), in.size());
      for (int r = 0; r < 3; ++r) {
        const int8_t* row = in.data() + r * depth;
        const int mx = *std::max_element(row, row + depth);
        double sum = 0.0;
        for (int i = 0; i < depth; ++i) sum += std::exp(double(beta) * s_in * (row[i] - mx));
        for (int i = 0; i < depth; ++i) {
          const double p = std::exp(double(beta) * s_in * (row[i] - mx)) / sum;
          const double golden = std::clamp(std::round(p * 256) - 128, -128.0, 127.0);
          ASSERT_LE(std::abs(out[size_t(r * depth + i)] - golden), 1.0)
              << "depth " << depth << " row " << r << " i " << i << " p " << p;
        }
      }
    }
  }
}

TEST(LookupTable, IndexesByValuePlus128) {
  std::mt19937 rng(17);
  std::vector<int8_t> table(256);
  for (int i = 0; i < 256; ++i) table[size_t(i)] = int8_t(127 - i);
  ModelBuilder m;
  const int x = m.AddActivation("x", {2, 3, 50}, 0.1f, 0);
  const int t = m.AddLookupTableData("lut", table);
  const int y = m.AddActivation("y", {2, 3, 50}, 0.2f, 3);
  m.AddLookupTable("sigmoid", x, t, y);
  m.SetInputs({x});
  m.SetOutputs({y});
  const auto in = RandomInt8(rng, 300);
  const auto out = RunInt8(m.Finish(), {in});
  ASSERT_EQ(out.size(), in.size());
  for (size_t i = 0; i < in.size(); ++i) ASSERT_EQ(out[i], int8_t(127 - (in[i] + 128)));
}

TEST(PRelu, PerChannelAndSharedSlopes) {
  std::mt19937 rng(18);
  for (const bool shared : {false, true}) {
    const int c = 5;
    const float s_x = 0.05f, s_y = 0.04f;
    const std::vector<float> s_a = shared ? std::vector<float>{0.01f}
                                          : std::vector<float>{0.01f, 0.002f, 0.02f, 0.005f, 0.03f};
    const std::vector<int8_t> alpha =
        shared ? std::vector<int8_t>{25} : std::vector<int8_t>{25, -100, 10, 127, -128};
    ModelBuilder m;
    const int x = m.AddActivation("x", {1, 3, 4, c}, s_x, 10);
    const int a = m.AddTensor("alpha", {int32_t(alpha.size())}, schema::TensorType::INT8, s_a,
                              std::vector<int32_t>(s_a.size(), 0), s_a.size() > 1 ? 0 : -1,
                              m.AddBuffer(alpha.data(), alpha.size()));
    const int y = m.AddActivation("y", {1, 3, 4, c}, s_y, -3);
    m.AddPRelu("prelu", x, a, y);
    m.SetInputs({x});
    m.SetOutputs({y});
    const auto in = RandomInt8(rng, 60);
    const auto out = RunInt8(m.Finish(), {in});
    ASSERT_EQ(out.size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const size_t ch = shared ? 0 : i % c;
      const int32_t v = in[i] - 10;
      if (v >= 0) {
        ASSERT_EQ(out[i], Req(v, double(s_x) / s_y, 255, -3));
      } else {
        ASSERT_EQ(out[i], Req(v * alpha[ch], double(s_x) * s_a[ch] / s_y, 255 * 128, -3));
      }
      const double real = v >= 0 ? v * double(s_x) : v * double(s_x) * alpha[ch] * s_a[ch];
      EXPECT_LE(std::abs(out[i] - std::clamp(std::round(real / s_y) - 3, -128.0, 127.0)), 1.0);
    }
  }
}

TEST(Requantize, NewScaleAndZeroPoint) {
  std::vector<int8_t> in(256);
  for (int i = 0; i < 256; ++i) in[size_t(i)] = int8_t(i - 128);
  for (const float s_y : {0.05f, 0.1f, 0.3f, 0.001f}) {
    ModelBuilder m;
    const int x = m.AddActivation("x", {256}, 0.1f, 12);
    const int y = m.AddActivation("y", {256}, s_y, -7);
    m.AddRequantize("requantize", x, y);
    m.SetInputs({x});
    m.SetOutputs({y});
    const auto out = RunInt8(m.Finish(), {in});
    ASSERT_EQ(out.size(), 256u);
    for (size_t i = 0; i < 256; ++i) {
      ASSERT_EQ(out[i], Req(in[i] - 12, double(0.1f) / s_y, 255, -7));
      const double golden = std::clamp(std::round((in[i] - 12) * double(0.1f) / s_y) - 7, -128.0, 127.0);
      EXPECT_LE(std::abs(out[i] - golden), 1.0);
    }
  }
}

// ---------------------------------------------------------------------------
// Float model boundary.

TEST(QuantizeDequantize, FloatInputAndOutputThroughTheCApi) {
  ModelBuilder m;
  const int x = m.AddFloatActivation("x", {2, 8});
  const int q = m.AddActivation("q", {2, 8}, 0.5f, 3);
  const int y = m.AddFloatActivation("y", {2, 8});
  m.AddQuantize("quantize", x, q);
  m.AddDequantize("dequantize", q, y);
  m.SetInputs({x});
  m.SetOutputs({y, q});
  const std::vector<float> in = {0.0f,  0.25f, 0.75f, -0.25f, -0.75f, 1.0f,   1e9f, -1e9f,
                                 NAN,   INFINITY, -INFINITY, 62.0f, 62.4f, -65.5f, -66.0f, 3.3f};
  const RunResult r = RunModel(m.Finish(), {ToBytes(in)});
  ASSERT_EQ(r.status, OCTET_OK) << r.error;
  ASSERT_EQ(r.outputs.size(), 2u);
  ASSERT_EQ(r.outputs[0].size(), 4u * 16);  // FLOAT32: 4 bytes per element
  const auto qv = FromBytes<int8_t>(r.outputs[1]);
  const std::vector<int8_t> expected_q = {3, 4, 5, 2, 1, 5, 127, -128,
                                          3, 127, -128, 127, 127, -128, -128, 10};
  EXPECT_EQ(qv, expected_q);
  const auto yv = FromBytes<float>(r.outputs[0]);
  for (size_t i = 0; i < yv.size(); ++i) EXPECT_EQ(yv[i], 0.5f * float(qv[i] - 3)) << i;

  // Tensor types and sizes as the C API reports them.
  octet_model* model = nullptr;
  const Bytes bytes = m.Finish();
  ASSERT_EQ(octet_model_load_buffer(bytes.data(), bytes.size(), &model), OCTET_OK);
  octet_interpreter* interp = nullptr;
  ASSERT_EQ(octet_interpreter_create(model, nullptr, &interp), OCTET_OK);
  octet_tensor* t = nullptr;
  ASSERT_EQ(octet_interpreter_input(interp, 0, &t), OCTET_OK);
  EXPECT_EQ(octet_tensor_type(t), OCTET_TYPE_FLOAT32);
  EXPECT_EQ(octet_tensor_byte_size(t), 64u);
  EXPECT_NE(octet_tensor_copy_from_buffer(t, in.data(), 16), OCTET_OK);  // wrong size
  octet_interpreter_destroy(interp);
  octet_model_destroy(model);
}

// ---------------------------------------------------------------------------
// A small graph mixing the ops: float input -> QUANTIZE -> conv 3x3 ReLU ->
// max pool 2x2 -> (itself, a channel slice of itself) CONCATENATION ->
// GLOBAL_AVERAGE_POOL -> RESHAPE -> FULLY_CONNECTED -> SOFTMAX -> DEQUANTIZE,
// checked against the same chain of reference kernels called by hand.
TEST(MixedGraph, MatchesHandChainedReferenceKernels) {
  std::mt19937 rng(19);
  const int h = 8, w = 8, cin = 3, c = 8, classes = 10;
  const float s_q = 0.02f, s_conv = 0.05f, s_gap = 0.03f, s_fc = 0.1f;
  const int32_t z_q = -4, z_conv = -128, z_gap = -100, z_fc = 2;
  const auto wc_scales = testing::RandomScales(rng, c, 0.002f, 0.01f);
  const auto wc = RandomInt8(rng, size_t(c) * 9 * cin, -127, 127);
  const auto bc = testing::RandomInt32(rng, c, -2000, 2000);
  const auto wf_scales = testing::RandomScales(rng, classes, 0.002f, 0.01f);
  const auto wf = RandomInt8(rng, size_t(classes) * 12, -127, 127);
  const auto bf = testing::RandomInt32(rng, classes, -500, 500);
  std::vector<int32_t> table(256);
  ComputeSoftmaxExpTable(1.0f, s_fc, table.data());

  ModelBuilder m;
  const int x = m.AddFloatActivation("x", {1, h, w, cin});
  const int q = m.AddActivation("q", {1, h, w, cin}, s_q, z_q);
  m.AddQuantize("quantize", x, q);
  std::vector<float> bc_scales(c);
  for (int i = 0; i < c; ++i) bc_scales[size_t(i)] = s_q * wc_scales[size_t(i)];
  const int wct = m.AddWeights("conv/w", {c, 3, 3, cin}, wc, wc_scales, 0);
  const int bct = m.AddBias("conv/b", bc, bc_scales);
  const int conv = m.AddActivation("conv", {1, h, w, c}, s_conv, z_conv);
  schema::Conv2DOptionsT co;
  co.pad_top = co.pad_left = co.pad_bottom = co.pad_right = 1;
  co.activation = schema::Activation::RELU;
  m.AddConv2D("conv", q, wct, bct, conv, co);
  const int pool = m.AddActivation("pool", {1, h / 2, w / 2, c}, s_conv, z_conv);
  schema::Pool2DOptionsT po;
  po.filter_h = po.filter_w = po.stride_h = po.stride_w = 2;
  m.AddPool2D(OpType::MAX_POOL_2D, "pool", conv, pool, po);
  const int slice = m.AddActivation("slice", {1, h / 2, w / 2, 4}, s_conv, z_conv);
  m.AddSlice("slice", pool, slice, {0, 0, 0, 2}, {1, h / 2, w / 2, 4});
  const int cat = m.AddActivation("concat", {1, h / 2, w / 2, 12}, s_conv, z_conv);
  m.AddConcatenation("concat", {pool, slice}, cat, 3);
  const int gap = m.AddActivation("gap", {1, 1, 1, 12}, s_gap, z_gap);
  m.AddGlobalAveragePool2D("gap", cat, gap);
  const int flat = m.AddActivation("flat", {1, 12}, s_gap, z_gap);
  m.AddReshape("flatten", gap, flat, {1, 12});
  std::vector<float> bf_scales(classes);
  for (int i = 0; i < classes; ++i) bf_scales[size_t(i)] = s_gap * wf_scales[size_t(i)];
  const int wft = m.AddWeights("fc/w", {classes, 12}, wf, wf_scales, 0);
  const int bft = m.AddBias("fc/b", bf, bf_scales);
  const int logits = m.AddActivation("logits", {1, classes}, s_fc, z_fc);
  m.AddFullyConnected("fc", flat, wft, bft, logits);
  const int tt = m.AddSoftmaxExpTable("softmax/exp", table);
  const int probs = m.AddActivation("probs", {1, classes}, 1.0f / 256, -128);
  m.AddSoftmax("softmax", logits, tt, probs);
  const int y = m.AddFloatActivation("y", {1, classes});
  m.AddDequantize("dequantize", probs, y);
  m.SetInputs({x});
  m.SetOutputs({y});

  std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
  std::vector<float> in(size_t(h) * w * cin);
  for (float& v : in) v = dist(rng);
  const RunResult r = RunModel(m.Finish(), {ToBytes(in)});
  ASSERT_EQ(r.status, OCTET_OK) << r.error;
  const auto out = FromBytes<float>(r.outputs.at(0));
  ASSERT_EQ(out.size(), size_t(classes));

  // The same chain by hand.
  std::vector<int8_t> vq(in.size());
  qs8_quantize__scalar(in.size(), s_q, z_q, in.data(), vq.data());
  std::vector<int32_t> mc(c), sc(c), folded(c);
  for (int i = 0; i < c; ++i) {
    int s = 0;
    QuantizedMultiplier(double(s_q) * wc_scales[size_t(i)] / s_conv, &mc[size_t(i)], &s);
    sc[size_t(i)] = s;
  }
  FoldInputZeroPoint(wc.data(), bc.data(), c, 9 * cin, z_q, folded.data());
  Conv2DParams cp;
  cp.input_height = h; cp.input_width = w; cp.input_channels = cin;
  cp.output_height = h; cp.output_width = w; cp.output_channels = c;
  cp.kernel_height = cp.kernel_width = 3; cp.pad_top = cp.pad_left = 1;
  cp.input_zero_point = z_q;
  cp.requant.multiplier = mc.data(); cp.requant.shift = sc.data();
  cp.requant.output_zero_point = z_conv;
  ActivationRange(0.0, INFINITY, s_conv, z_conv, &cp.requant.qmin, &cp.requant.qmax);
  std::vector<int8_t> vconv(size_t(h) * w * c);
  qs8_conv2d__scalar(cp, vq.data(), wc.data(), folded.data(), vconv.data());
  Pool2DParams pp;
  pp.input_height = h; pp.input_width = w; pp.channels = c;
  pp.output_height = h / 2; pp.output_width = w / 2;
  pp.filter_height = pp.filter_width = pp.stride_height = pp.stride_width = 2;
  std::vector<int8_t> vpool(size_t(h / 2) * (w / 2) * c);
  qs8_maxpool2d__scalar(pp, vconv.data(), vpool.data());
  std::vector<int8_t> vcat;
  for (int p = 0; p < (h / 2) * (w / 2); ++p) {
    vcat.insert(vcat.end(), vpool.begin() + p * c, vpool.begin() + (p + 1) * c);
    vcat.insert(vcat.end(), vpool.begin() + p * c + 2, vpool.begin() + p * c + 6);
  }
  GlobalAvgPoolParams gp;
  gp.pixels = (h / 2) * (w / 2);
  gp.channels = 12;
  gp.input_zero_point = z_conv;
  gp.output_zero_point = z_gap;
  ASSERT_TRUE(ComputeScaledMultiplier(double(s_conv) / (gp.pixels * double(s_gap)),
                                      255 * gp.pixels, &gp.multiplier));
  std::vector<int8_t> vgap(12);
  qs8_global_avgpool__scalar(gp, vcat.data(), vgap.data());
  std::vector<int32_t> mf(classes), sf(classes), foldf(classes);
  for (int i = 0; i < classes; ++i) {
    int s = 0;
    QuantizedMultiplier(double(s_gap) * wf_scales[size_t(i)] / s_fc, &mf[size_t(i)], &s);
    sf[size_t(i)] = s;
  }
  FoldInputZeroPoint(wf.data(), bf.data(), classes, 12, z_gap, foldf.data());
  FullyConnectedParams fp;
  fp.input_features = 12;
  fp.output_features = classes;
  fp.input_zero_point = z_gap;
  fp.requant.multiplier = mf.data(); fp.requant.shift = sf.data();
  fp.requant.output_zero_point = z_fc;
  std::vector<int8_t> vfc(classes), vsm(classes);
  qs8_fully_connected__scalar(fp, vgap.data(), wf.data(), foldf.data(), vfc.data());
  SoftmaxParams sp;
  sp.depth = classes;
  qs8_softmax__scalar(sp, table.data(), vfc.data(), vsm.data());
  std::vector<float> expected(classes);
  qs8_dequantize__scalar(classes, 1.0f / 256, -128, vsm.data(), expected.data());
  EXPECT_EQ(out, expected);

  // A probability distribution (each entry within half an LSB of its share).
  const float total = std::accumulate(out.begin(), out.end(), 0.0f);
  EXPECT_NEAR(total, 1.0f, classes * 0.5f / 256 + 1e-6f);
  EXPECT_GT(*std::max_element(vfc.begin(), vfc.end()), *std::min_element(vfc.begin(), vfc.end()));
}

}  // namespace
}  // namespace octet
