// The runtime through its C and C++ APIs: each op prepared from a model gives
// the same bytes as the reference kernel called with hand-made parameters;
// arenas, ISA selection, tensor access and errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <random>
#include <string>
#include <vector>

#include "kernels/reference.h"
#include "kernels/requant.h"
#include "model_builder.h"
#include "octet/octet.h"
#include "octet/octet.hpp"

// Counts operator new calls so a test can check that invoke allocates nothing.
// Sanitizers bring their own allocator, which must not be replaced.
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
using testing::RandomInt32;
using testing::RandomScales;

// Loads `bytes`, runs it on `input` (one int8 input) and returns output 0.
struct RunResult {
  octet_status status = OCTET_OK;
  std::string error;
  std::vector<int8_t> output;
};

RunResult RunModel(const std::vector<uint8_t>& bytes, const std::vector<std::vector<int8_t>>& inputs,
              const octet_interpreter_options* options = nullptr) {
  RunResult r;
  octet_model* model = nullptr;
  r.status = octet_model_load_buffer(bytes.data(), bytes.size(), &model);
  if (r.status != OCTET_OK) {
    r.error = octet_last_error();
    return r;
  }
  octet_interpreter* interp = nullptr;
  r.status = octet_interpreter_create(model, options, &interp);
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
  EXPECT_EQ(octet_interpreter_invoke(interp), OCTET_OK);
  octet_tensor* out = nullptr;
  EXPECT_EQ(octet_interpreter_output(interp, 0, &out), OCTET_OK);
  r.output.resize(octet_tensor_byte_size(out));
  EXPECT_EQ(octet_tensor_copy_to_buffer(out, r.output.data(), r.output.size()), OCTET_OK);
  octet_interpreter_destroy(interp);
  octet_model_destroy(model);
  return r;
}

// Per-channel multipliers for s_in * s_w[c] / s_out, computed here from the
// model's real scales, independently of the runtime's prepare code.
void Multipliers(float s_in, const std::vector<float>& s_w, float s_out,
                 std::vector<int32_t>* m, std::vector<int32_t>* shift) {
  m->resize(s_w.size());
  shift->resize(s_w.size());
  for (size_t c = 0; c < s_w.size(); ++c) {
    int s = 0;
    ASSERT_TRUE(QuantizeMultiplier(double(s_in) * s_w[c] / s_out, &(*m)[c], &s));
    (*shift)[c] = s;
  }
}

struct ConvCase {
  int batch, h, w, cin, cout, kh, kw, stride_h, stride_w, dil_h, dil_w;
  int pad_t, pad_l, pad_b, pad_r, groups;
  int32_t zin, zout;
  schema::Activation act;
  bool bias;
};

class ConvOpTest : public ::testing::TestWithParam<ConvCase> {};

TEST_P(ConvOpTest, MatchesReferenceKernel) {
  const ConvCase c = GetParam();
  std::mt19937 rng(1234 + c.h * 7 + c.cout);
  const int oh = testing::ConvOutputSize(c.h, c.kh, c.stride_h, c.dil_h, c.pad_t, c.pad_b);
  const int ow = testing::ConvOutputSize(c.w, c.kw, c.stride_w, c.dil_w, c.pad_l, c.pad_r);
  const float s_in = 0.03f, s_out = 0.07f;
  const int cin_g = c.cin / c.groups;
  auto w_scales = RandomScales(rng, c.cout, 0.001f, 0.02f);
  auto weights = RandomInt8(rng, size_t(c.cout) * c.kh * c.kw * cin_g, -127, 127);
  auto bias = RandomInt32(rng, c.cout, -5000, 5000);
  auto input = RandomInt8(rng, size_t(c.batch) * c.h * c.w * c.cin);

  ModelBuilder b;
  const int x = b.AddActivation("x", {c.batch, c.h, c.w, c.cin}, s_in, c.zin);
  const int wt = b.AddWeights("w", {c.cout, c.kh, c.kw, cin_g}, weights, w_scales, 0);
  std::vector<float> b_scales(c.cout);
  for (int i = 0; i < c.cout; ++i) b_scales[i] = s_in * w_scales[i];
  const int bt = c.bias ? b.AddBias("b", bias, b_scales) : -1;
  const int y = b.AddActivation("y", {c.batch, oh, ow, c.cout}, s_out, c.zout);
  schema::Conv2DOptionsT o;
  o.stride_h = c.stride_h; o.stride_w = c.stride_w;
  o.dilation_h = c.dil_h; o.dilation_w = c.dil_w;
  o.pad_top = c.pad_t; o.pad_left = c.pad_l; o.pad_bottom = c.pad_b; o.pad_right = c.pad_r;
  o.groups = c.groups;
  o.activation = c.act;
  b.AddConv2D("conv", x, wt, bt, y, o);
  b.SetInputs({x});
  b.SetOutputs({y});
  const RunResult r = RunModel(b.Finish(), {input});
  ASSERT_EQ(r.status, OCTET_OK) << r.error;

  Conv2DParams p;
  p.batch = c.batch; p.input_height = c.h; p.input_width = c.w; p.input_channels = c.cin;
  p.output_height = oh; p.output_width = ow; p.output_channels = c.cout;
  p.kernel_height = c.kh; p.kernel_width = c.kw;
  p.stride_height = c.stride_h; p.stride_width = c.stride_w;
  p.dilation_height = c.dil_h; p.dilation_width = c.dil_w;
  p.pad_top = c.pad_t; p.pad_left = c.pad_l; p.groups = c.groups;
  p.input_zero_point = c.zin;
  std::vector<int32_t> m, sh, folded(c.cout);
  Multipliers(s_in, w_scales, s_out, &m, &sh);
  FoldInputZeroPoint(weights.data(), c.bias ? bias.data() : nullptr, c.cout,
                     c.kh * c.kw * cin_g, c.zin, folded.data());
  p.requant.multiplier = m.data();
  p.requant.shift = sh.data();
  p.requant.output_zero_point = c.zout;
  const double inf = INFINITY;
  ActivationRange(c.act == schema::Activation::NONE ? -inf : 0.0,
                  c.act == schema::Activation::RELU6 ? 6.0 : inf, s_out, c.zout,
                  &p.requant.qmin, &p.requant.qmax);
  std::vector<int8_t> expected(r.output.size());
  qs8_conv2d__scalar(p, input.data(), weights.data(), folded.data(), expected.data());
  EXPECT_EQ(r.output, expected);
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, ConvOpTest,
    ::testing::Values(
        ConvCase{1, 7, 9, 3, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, -128, 127,
                 schema::Activation::NONE, true},
        ConvCase{2, 10, 6, 4, 8, 3, 2, 2, 1, 1, 1, 0, 1, 1, 0, 1, 127, -128,
                 schema::Activation::RELU, false},
        ConvCase{1, 13, 13, 8, 12, 5, 5, 2, 2, 2, 2, 2, 2, 3, 3, 4, 5, -3,
                 schema::Activation::RELU6, true},
        ConvCase{1, 5, 5, 16, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 2, 0, 0,
                 schema::Activation::NONE, true}),
    [](const ::testing::TestParamInfo<ConvCase>& param_info) {
      const ConvCase& c = param_info.param;
      return "h" + std::to_string(c.h) + "w" + std::to_string(c.w) + "c" + std::to_string(c.cin) +
             "to" + std::to_string(c.cout) + "k" + std::to_string(c.kh) + "x" +
             std::to_string(c.kw) + "s" + std::to_string(c.stride_h) + "g" +
             std::to_string(c.groups);
    });

TEST(DepthwiseOp, MatchesReferenceKernel) {
  std::mt19937 rng(7);
  const int h = 11, w = 9, cin = 5, mult = 3, k = 3;
  const int oh = testing::ConvOutputSize(h, k, 2, 1, 1, 1);
  const int ow = testing::ConvOutputSize(w, k, 2, 1, 1, 1);
  const int ch = cin * mult;
  const float s_in = 0.05f, s_out = 0.04f;
  auto w_scales = RandomScales(rng, ch, 0.005f, 0.03f);
  auto weights = RandomInt8(rng, size_t(k) * k * ch, -127, 127);
  auto bias = RandomInt32(rng, ch, -3000, 3000);
  auto input = RandomInt8(rng, size_t(h) * w * cin);
  ModelBuilder b;
  const int x = b.AddActivation("x", {1, h, w, cin}, s_in, -7);
  const int wt = b.AddWeights("w", {1, k, k, ch}, weights, w_scales, 3);
  std::vector<float> b_scales(ch);
  for (int i = 0; i < ch; ++i) b_scales[i] = s_in * w_scales[i];
  const int bt = b.AddBias("b", bias, b_scales);
  const int y = b.AddActivation("y", {1, oh, ow, ch}, s_out, 9);
  schema::DepthwiseConv2DOptionsT o;
  o.stride_h = o.stride_w = 2;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  o.depth_multiplier = mult;
  o.activation = schema::Activation::CLAMP;
  o.clamp_min = -1.5f;
  o.clamp_max = 2.0f;
  b.AddDepthwiseConv2D("dw", x, wt, bt, y, o);
  b.SetInputs({x});
  b.SetOutputs({y});
  const RunResult r = RunModel(b.Finish(), {input});
  ASSERT_EQ(r.status, OCTET_OK) << r.error;

  DepthwiseConv2DParams p;
  p.input_height = h; p.input_width = w; p.input_channels = cin;
  p.output_height = oh; p.output_width = ow; p.depth_multiplier = mult;
  p.kernel_height = p.kernel_width = k;
  p.stride_height = p.stride_width = 2;
  p.pad_top = p.pad_left = 1;
  p.input_zero_point = -7;
  std::vector<int32_t> m, sh, folded(ch);
  Multipliers(s_in, w_scales, s_out, &m, &sh);
  FoldInputZeroPointDepthwise(weights.data(), bias.data(), ch, k * k, -7, folded.data());
  p.requant.multiplier = m.data();
  p.requant.shift = sh.data();
  p.requant.output_zero_point = 9;
  ActivationRange(-1.5, 2.0, s_out, 9, &p.requant.qmin, &p.requant.qmax);
  std::vector<int8_t> expected(r.output.size());
  qs8_dwconv2d__scalar(p, input.data(), weights.data(), folded.data(), expected.data());
  EXPECT_EQ(r.output, expected);
}

TEST(FullyConnectedOp, FlattensInputAndMatchesReferenceKernel) {
  std::mt19937 rng(11);
  const int batch = 3, k = 2 * 3 * 5, n = 13;
  const float s_in = 0.02f, s_out = 0.09f;
  auto w_scales = RandomScales(rng, n, 0.002f, 0.01f);
  auto weights = RandomInt8(rng, size_t(n) * k, -127, 127);
  auto bias = RandomInt32(rng, n, -1000, 1000);
  auto input = RandomInt8(rng, size_t(batch) * k);
  ModelBuilder b;
  const int x = b.AddActivation("x", {batch, 2, 3, 5}, s_in, 100);
  const int wt = b.AddWeights("w", {n, k}, weights, w_scales, 0);
  std::vector<float> b_scales(n);
  for (int i = 0; i < n; ++i) b_scales[i] = s_in * w_scales[i];
  const int bt = b.AddBias("b", bias, b_scales);
  const int y = b.AddActivation("y", {batch, n}, s_out, -20);
  b.AddFullyConnected("fc", x, wt, bt, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  const RunResult r = RunModel(b.Finish(), {input});
  ASSERT_EQ(r.status, OCTET_OK) << r.error;

  FullyConnectedParams p;
  p.batch = batch; p.input_features = k; p.output_features = n; p.input_zero_point = 100;
  std::vector<int32_t> m, sh, folded(n);
  Multipliers(s_in, w_scales, s_out, &m, &sh);
  FoldInputZeroPoint(weights.data(), bias.data(), n, k, 100, folded.data());
  p.requant.multiplier = m.data();
  p.requant.shift = sh.data();
  p.requant.output_zero_point = -20;
  std::vector<int8_t> expected(r.output.size());
  qs8_fully_connected__scalar(p, input.data(), weights.data(), folded.data(), expected.data());
  EXPECT_EQ(r.output, expected);
}

TEST(AddOp, TwoInputsMatchReferenceKernel) {
  std::mt19937 rng(3);
  const std::vector<int32_t> shape = {1, 4, 5, 7};
  auto a = RandomInt8(rng, 140), bv = RandomInt8(rng, 140);
  ModelBuilder b;
  const int ta = b.AddActivation("a", shape, 0.05f, -128);
  const int tb = b.AddActivation("b", shape, 0.11f, 127);
  const int ty = b.AddActivation("y", shape, 0.12f, 4);
  schema::AddOptionsT o;
  o.activation = schema::Activation::RELU;
  b.AddAdd("add", ta, tb, ty, o);
  b.SetInputs({ta, tb});
  b.SetOutputs({ty});
  const RunResult r = RunModel(b.Finish(), {a, bv});
  ASSERT_EQ(r.status, OCTET_OK) << r.error;
  AddParams p;
  ASSERT_TRUE(ComputeAddParams(0.05f, -128, 0.11f, 127, 0.12f, 4, &p));
  ActivationRange(0.0, INFINITY, 0.12f, 4, &p.qmin, &p.qmax);
  std::vector<int8_t> expected(140);
  qs8_add__scalar(p, 140, a.data(), bv.data(), expected.data());
  EXPECT_EQ(r.output, expected);
}

std::vector<int8_t> ExampleInput(int size) {
  std::mt19937 rng(99);
  return RandomInt8(rng, size_t(size) * size * 3);
}

TEST(Interpreter, ExampleModelRunsAndRepeatsWithoutAllocating) {
  const auto bytes = testing::BuildExampleModel(1);
  Model model;
  ASSERT_TRUE(model.LoadBuffer(bytes.data(), bytes.size())) << LastError();
  Interpreter interp;
  ASSERT_TRUE(interp.Create(model)) << LastError();
  // The level in use: the one OCTET_ISA forces, else the best available.
  const char* forced = std::getenv("OCTET_ISA");
  if (forced && *forced) {
    EXPECT_STREQ(interp.isa(), forced);
  }
  ASSERT_EQ(interp.input_count(), 1);
  ASSERT_EQ(interp.output_count(), 1);
  Tensor in = interp.input(0);
  EXPECT_STREQ(in.name(), "input");
  EXPECT_EQ(in.shape(), (std::vector<int32_t>{1, 32, 32, 3}));
  EXPECT_EQ(in.type(), OCTET_TYPE_INT8);
  EXPECT_FLOAT_EQ(in.scale(), 0.02f);
  EXPECT_EQ(in.zero_point(), -10);
  const auto input = ExampleInput(32);
  ASSERT_TRUE(in.CopyFrom(input.data(), input.size()));

  const long before = g_allocations;
  ASSERT_TRUE(interp.Invoke());
  if (OCTET_COUNT_ALLOCATIONS) {
    EXPECT_EQ(g_allocations, before) << "invoke allocated on the heap";
  }
  std::vector<int8_t> first(interp.output(0).byte_size()), second(first.size());
  ASSERT_TRUE(interp.output(0).CopyTo(first.data(), first.size()));
  ASSERT_TRUE(interp.Invoke());  // inputs survive a run
  ASSERT_TRUE(interp.output(0).CopyTo(second.data(), second.size()));
  EXPECT_EQ(first, second);
  // Not a constant output: the logits must vary.
  EXPECT_GT(*std::max_element(first.begin(), first.end()),
            *std::min_element(first.begin(), first.end()));
  EXPECT_GT(interp.arena_bytes(), size_t(32 * 32 * 16));
  EXPECT_GT(interp.persistent_bytes(), 0u);
}

TEST(Interpreter, CallerArenaGivesSameResultsAndIsChecked) {
  const auto bytes = testing::BuildExampleModel(2);
  const auto input = ExampleInput(32);
  const RunResult owned = RunModel(bytes, {input});
  ASSERT_EQ(owned.status, OCTET_OK) << owned.error;

  octet_model* model = nullptr;
  ASSERT_EQ(octet_model_load_buffer(bytes.data(), bytes.size(), &model), OCTET_OK);
  size_t need = 0;
  ASSERT_EQ(octet_model_arena_bytes(model, nullptr, &need), OCTET_OK);
  EXPECT_GT(need, 0u);
  octet_model_destroy(model);

  std::vector<uint8_t> storage(need + 128, 0xAB);
  uint8_t* aligned = storage.data() + (64 - reinterpret_cast<uintptr_t>(storage.data()) % 64) % 64;
  octet_interpreter_options options;
  octet_interpreter_options_init(&options);
  options.arena = aligned;
  options.arena_bytes = need;
  const RunResult caller = RunModel(bytes, {input}, &options);
  ASSERT_EQ(caller.status, OCTET_OK) << caller.error;
  EXPECT_EQ(caller.output, owned.output);

  options.arena_bytes = need - 1;
  const RunResult small = RunModel(bytes, {input}, &options);
  EXPECT_EQ(small.status, OCTET_ERROR_ARENA_TOO_SMALL);
  EXPECT_NE(small.error.find(std::to_string(need)), std::string::npos) << small.error;

  options.arena = aligned + 1;
  options.arena_bytes = need;
  const RunResult misaligned = RunModel(bytes, {input}, &options);
  EXPECT_EQ(misaligned.status, OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(misaligned.error.find("aligned"), std::string::npos) << misaligned.error;
}

TEST(Interpreter, ArenaIsSmallerThanTheSumOfActivations) {
  const auto bytes = testing::BuildExampleModel(3, 32, 32, 16);
  Model model;
  ASSERT_TRUE(model.LoadBuffer(bytes.data(), bytes.size()));
  Interpreter interp;
  ASSERT_TRUE(interp.Create(model));
  // input 3 KiB + four 16 KiB maps + 8 KiB + logits: reuse must beat 80 KiB.
  EXPECT_LT(interp.arena_bytes(), size_t(80 * 1024));
}

TEST(Interpreter, IsaSelection) {
  const auto bytes = testing::BuildExampleModel(4);
  octet_interpreter_options options;
  octet_interpreter_options_init(&options);
  options.isa = OCTET_ISA_SCALAR;
  EXPECT_EQ(RunModel(bytes, {ExampleInput(32)}, &options).status, OCTET_OK);

  // A level this machine cannot run (there is always one: x86 has no NEON,
  // Arm no AVX) is an error naming it, never a silent fallback.
  for (octet_isa isa : {OCTET_ISA_SSE41, OCTET_ISA_AVX2, OCTET_ISA_AVX512VNNI, OCTET_ISA_NEON,
                        OCTET_ISA_NEONDOT}) {
    if (octet_isa_available(isa)) continue;
    options.isa = isa;
    const RunResult missing = RunModel(bytes, {ExampleInput(32)}, &options);
    EXPECT_EQ(missing.status, OCTET_ERROR_UNSUPPORTED) << octet_isa_name(isa);
    EXPECT_NE(missing.error.find(octet_isa_name(isa)), std::string::npos) << missing.error;
  }

  const int bad_isa = 42;  // as a C caller could pass it
  std::memcpy(&options.isa, &bad_isa, sizeof bad_isa);
  EXPECT_EQ(RunModel(bytes, {ExampleInput(32)}, &options).status, OCTET_ERROR_INVALID_ARGUMENT);

  const char* saved = std::getenv("OCTET_ISA");
  const std::string saved_isa = saved ? saved : "";
  setenv("OCTET_ISA", "pentium", 1);
  const RunResult bad_env = RunModel(bytes, {ExampleInput(32)});
  EXPECT_EQ(bad_env.status, OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(bad_env.error.find("pentium"), std::string::npos) << bad_env.error;
  setenv("OCTET_ISA", "scalar", 1);
  EXPECT_EQ(RunModel(bytes, {ExampleInput(32)}).status, OCTET_OK);
  if (saved_isa.empty()) {
    unsetenv("OCTET_ISA");
  } else {
    setenv("OCTET_ISA", saved_isa.c_str(), 1);
  }

  options.isa = OCTET_ISA_AUTO;
  options.num_threads = 0;
  EXPECT_EQ(RunModel(bytes, {ExampleInput(32)}, &options).status, OCTET_ERROR_INVALID_ARGUMENT);
}

TEST(Interpreter, BadCallsAreErrorsNotCrashes) {
  const auto bytes = testing::BuildExampleModel(5);
  octet_model* model = nullptr;
  EXPECT_EQ(octet_model_load_buffer(nullptr, 10, &model), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_model_load_file(nullptr, &model), OCTET_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(octet_model_load_buffer(bytes.data(), bytes.size(), &model), OCTET_OK);
  octet_interpreter* interp = nullptr;
  EXPECT_EQ(octet_interpreter_create(nullptr, nullptr, &interp), OCTET_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(octet_interpreter_create(model, nullptr, &interp), OCTET_OK);
  octet_tensor* t = nullptr;
  EXPECT_EQ(octet_interpreter_input(interp, 1, &t), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(octet_interpreter_error(interp)).find("out of range"), std::string::npos);
  EXPECT_EQ(octet_interpreter_output(interp, -1, &t), OCTET_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(octet_interpreter_input(interp, 0, &t), OCTET_OK);
  std::vector<int8_t> wrong(17);
  EXPECT_EQ(octet_tensor_copy_from_buffer(t, wrong.data(), wrong.size()),
            OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(octet_last_error()).find("3072 bytes, got 17"), std::string::npos)
      << octet_last_error();
  EXPECT_EQ(octet_tensor_copy_to_buffer(t, wrong.data(), wrong.size()),
            OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_tensor_dim(t, 4), -1);
  EXPECT_EQ(octet_tensor_dim(t, 3), 3);
  EXPECT_EQ(octet_interpreter_invoke(nullptr), OCTET_ERROR_INVALID_ARGUMENT);
  octet_interpreter_destroy(interp);
  octet_model_destroy(model);
  EXPECT_STREQ(octet_status_name(OCTET_ERROR_INVALID_MODEL), "INVALID_MODEL");
}

TEST(Interpreter, CorruptBufferIsALoadError) {
  auto bytes = testing::BuildExampleModel(6);
  bytes.resize(bytes.size() / 2);
  Model model;
  const Status status = model.LoadBuffer(bytes.data(), bytes.size());
  EXPECT_EQ(status.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_STRNE(LastError(), "");
}

}  // namespace
}  // namespace octet
