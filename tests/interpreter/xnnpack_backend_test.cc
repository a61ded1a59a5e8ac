// The XNNPACK backend against octet's kernels.
//
// The bound: XNNPACK requantizes in float (acc * (s_in * s_w[c] / s_out),
// rounded to nearest even) where octet uses gemmlowp's fixed point with
// ties away from zero, so for the same int8 inputs each output of CONV_2D,
// DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD may differ by at most 1 LSB,
// and only where the real value lies within float rounding of a tie. This
// checks that bound on single-op models over the kernel tests' shapes
// (tests/kernels/kernel_sets_test.cc) and on every operator of the example
// model fed with octet's own activations, and prints the fraction of outputs
// that differ. Whole models are not bounded by 1 LSB: a 1 LSB difference
// early on is amplified by later layers; the whole example model's figures
// are printed for information.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "model_builder.h"
#include "octet/octet.h"

namespace octet {
namespace {

using testing::ModelBuilder;

struct Agreement {
  size_t total = 0, differ = 0;
  int max_diff = 0;
  void Add(const Agreement& o) {
    total += o.total;
    differ += o.differ;
    max_diff = std::max(max_diff, o.max_diff);
  }
  double fraction() const { return total ? static_cast<double>(differ) / total : 0; }
};

// Per-category totals, printed when the suite ends.
std::map<std::string, Agreement>& Totals() {
  static std::map<std::string, Agreement> totals;
  return totals;
}

class XnnpackBackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!octet_backend_available(OCTET_BACKEND_XNNPACK)) {
      GTEST_SKIP() << "the XNNPACK backend is not built (OCTET_WITH_XNNPACK=OFF)";
    }
  }
  static void TearDownTestSuite() {
    for (const auto& [name, a] : Totals()) {
      std::printf("[ xnnpack  ] %-28s %9zu outputs, %7zu differ (%.3f%%), max |diff| %d LSB\n",
                  name.c_str(), a.total, a.differ, 100 * a.fraction(), a.max_diff);
    }
  }
};

// Runs `bytes` on `backend` with int8 inputs; returns every output.
std::vector<std::vector<int8_t>> RunModel(const std::vector<uint8_t>& bytes, octet_backend backend,
                                          const std::vector<std::vector<int8_t>>& inputs) {
  std::vector<std::vector<int8_t>> outputs;
  octet_model* model = nullptr;
  EXPECT_EQ(octet_model_load_buffer(bytes.data(), bytes.size(), &model), OCTET_OK)
      << octet_last_error();
  if (!model) return outputs;
  octet_interpreter_options options;
  octet_interpreter_options_init(&options);
  options.backend = backend;
  octet_interpreter* interp = nullptr;
  EXPECT_EQ(octet_interpreter_create(model, &options, &interp), OCTET_OK) << octet_last_error();
  if (interp) {
    for (size_t i = 0; i < inputs.size(); ++i) {
      octet_tensor* t = nullptr;
      EXPECT_EQ(octet_interpreter_input(interp, static_cast<int>(i), &t), OCTET_OK);
      EXPECT_EQ(octet_tensor_copy_from_buffer(t, inputs[i].data(), inputs[i].size()), OCTET_OK)
          << octet_last_error();
    }
    EXPECT_EQ(octet_interpreter_invoke(interp), OCTET_OK);
    for (int i = 0; i < octet_interpreter_output_count(interp); ++i) {
      octet_tensor* t = nullptr;
      EXPECT_EQ(octet_interpreter_output(interp, i, &t), OCTET_OK);
      std::vector<int8_t> v(octet_tensor_byte_size(t));
      EXPECT_EQ(octet_tensor_copy_to_buffer(t, v.data(), v.size()), OCTET_OK);
      outputs.push_back(std::move(v));
    }
    if (backend == OCTET_BACKEND_XNNPACK) {
      // Every op of these models is one XNNPACK runs: none may fall back.
      for (int i = 0; i < octet_interpreter_op_count(interp); ++i) {
        octet_op_info info;
        EXPECT_EQ(octet_interpreter_op_info(interp, i, &info), OCTET_OK);
        EXPECT_EQ(std::string(info.kernel).rfind("xnnpack_", 0), 0u)
            << info.type << " \"" << info.name << "\" ran on " << info.kernel;
      }
    }
  }
  octet_interpreter_destroy(interp);
  octet_model_destroy(model);
  return outputs;
}

Agreement Compare(const std::vector<std::vector<int8_t>>& a,
                  const std::vector<std::vector<int8_t>>& b) {
  Agreement r;
  EXPECT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    EXPECT_EQ(a[i].size(), b[i].size());
    for (size_t k = 0; k < a[i].size() && k < b[i].size(); ++k) {
      const int d = std::abs(a[i][k] - b[i][k]);
      r.differ += d != 0;
      r.max_diff = std::max(r.max_diff, d);
    }
    r.total += a[i].size();
  }
  return r;
}

// Runs a single-op model on both backends with random inputs and checks the
// 1 LSB bound; adds to the category's totals.
void CheckModel(const std::string& category, const std::string& what,
                const std::vector<uint8_t>& bytes, const std::vector<size_t>& input_sizes,
                uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::vector<int8_t>> inputs;
  for (const size_t n : input_sizes) inputs.push_back(testing::RandomInt8(rng, n));
  const auto octet_out = RunModel(bytes, OCTET_BACKEND_OCTET, inputs);
  const auto xnn_out = RunModel(bytes, OCTET_BACKEND_XNNPACK, inputs);
  const Agreement a = Compare(octet_out, xnn_out);
  EXPECT_LE(a.max_diff, 1) << what << ": " << a.differ << " of " << a.total << " outputs differ";
  // Sanity: the outputs are not all clamped to one value.
  if (!octet_out.empty() && octet_out[0].size() > 8) {
    const auto [lo, hi] = std::minmax_element(octet_out[0].begin(), octet_out[0].end());
    EXPECT_LT(*lo, *hi) << what << ": constant output";
  }
  Totals()[category].Add(a);
}

struct ConvCase {
  int batch = 1, h = 1, w = 1, c = 1, oc = 1, kh = 1, kw = 1, sh = 1, sw = 1, dil = 1;
  int pt = 0, pl = 0, pb = 0, pr = 0, groups = 1;
  int z_in = -10, z_out = 3;
  schema::Activation act = schema::Activation::NONE;
  std::string Name() const {
    return "conv " + std::to_string(batch) + "x" + std::to_string(h) + "x" + std::to_string(w) +
           "x" + std::to_string(c) + "->" + std::to_string(oc) + " k" + std::to_string(kh) + "x" +
           std::to_string(kw) + " s" + std::to_string(sh) + "," + std::to_string(sw) + " d" +
           std::to_string(dil) + " p" + std::to_string(pt) + std::to_string(pl) +
           std::to_string(pb) + std::to_string(pr) + " g" + std::to_string(groups) + " z" +
           std::to_string(z_in) + "," + std::to_string(z_out);
  }
};

// Output scale giving outputs a spread of ~40 LSB for `taps` random taps
// (x uniform int8, w uniform in [-127, 127]: each product has std ~5400).
float OutputScale(float s_in, float s_w, int taps) {
  return s_in * s_w * 5400.0f * std::sqrt(static_cast<float>(taps)) / 40.0f;
}

std::vector<uint8_t> ConvModel(const ConvCase& k, bool depthwise, uint32_t seed, size_t* input_size) {
  std::mt19937 rng(seed);
  ModelBuilder b;
  const float s_in = 0.02f;
  const int taps = depthwise ? k.kh * k.kw : k.kh * k.kw * k.c / k.groups;
  const int oh = testing::ConvOutputSize(k.h, k.kh, k.sh, k.dil, k.pt, k.pb);
  const int ow = testing::ConvOutputSize(k.w, k.kw, k.sw, k.dil, k.pl, k.pr);
  const int channels = depthwise ? k.oc : k.oc;
  const auto scales = testing::RandomScales(rng, channels, 0.002f, 0.01f);
  const int x = b.AddActivation("x", {k.batch, k.h, k.w, k.c}, s_in, k.z_in);
  std::vector<float> bias_scales(channels);
  for (int c = 0; c < channels; ++c) bias_scales[c] = s_in * scales[c];
  const int bias = b.AddBias("b", testing::RandomInt32(rng, channels, -20000, 20000), bias_scales);
  const int y = b.AddActivation("y", {k.batch, oh, ow, channels}, OutputScale(s_in, 0.006f, taps),
                                k.z_out);
  if (depthwise) {
    const int w = b.AddWeights("w", {1, k.kh, k.kw, channels},
                               testing::RandomInt8(rng, size_t(k.kh) * k.kw * channels, -127, 127),
                               scales, 3);
    schema::DepthwiseConv2DOptionsT o;
    o.stride_h = k.sh; o.stride_w = k.sw; o.dilation_h = o.dilation_w = k.dil;
    o.pad_top = k.pt; o.pad_left = k.pl; o.pad_bottom = k.pb; o.pad_right = k.pr;
    o.depth_multiplier = channels / k.c;
    o.activation = k.act;
    b.AddDepthwiseConv2D("dw", x, w, bias, y, o);
  } else {
    const int w = b.AddWeights("w", {k.oc, k.kh, k.kw, k.c / k.groups},
                               testing::RandomInt8(rng, size_t(k.oc) * taps, -127, 127), scales, 0);
    schema::Conv2DOptionsT o;
    o.stride_h = k.sh; o.stride_w = k.sw; o.dilation_h = o.dilation_w = k.dil;
    o.pad_top = k.pt; o.pad_left = k.pl; o.pad_bottom = k.pb; o.pad_right = k.pr;
    o.groups = k.groups;
    o.activation = k.act;
    b.AddConv2D("conv", x, w, bias, y, o);
  }
  b.SetInputs({x});
  b.SetOutputs({y});
  *input_size = size_t(k.batch) * k.h * k.w * k.c;
  return b.Finish();
}

TEST_F(XnnpackBackendTest, Conv2DWithinOneLsb) {
  uint32_t seed = 1;
  std::vector<ConvCase> cases;
  for (int c : {1, 3, 4, 8, 13, 16, 24}) {
    for (int oc : {1, 8, 13, 16, 32}) {
      ConvCase k; k.h = 7; k.w = 6; k.c = c; k.oc = oc; k.kh = k.kw = 3;
      k.pt = k.pl = k.pb = k.pr = 1;
      cases.push_back(k);
      ConvCase p; p.h = 3; p.w = 5; p.c = c; p.oc = oc;
      cases.push_back(p);
    }
  }
  for (int hw : {1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33}) {
    ConvCase k; k.h = 1; k.w = hw; k.c = 24; k.oc = 144;
    cases.push_back(k);
  }
  { ConvCase k; k.h = k.w = 4; k.c = 384; k.oc = 64; cases.push_back(k); }
  { ConvCase k; k.h = k.w = 9; k.c = 3; k.oc = 32; k.kh = k.kw = 3; k.sh = k.sw = 2;
    k.pt = k.pl = k.pb = k.pr = 1; k.act = schema::Activation::RELU; cases.push_back(k); }
  { ConvCase k; k.h = 10; k.w = 7; k.c = 5; k.oc = 9; k.kh = k.kw = 5; k.sh = 2;
    k.pt = k.pl = k.pb = k.pr = 2; cases.push_back(k); }
  { ConvCase k; k.h = k.w = 9; k.c = 8; k.oc = 8; k.kh = k.kw = 3; k.dil = 2;
    k.pt = k.pl = k.pb = k.pr = 2; cases.push_back(k); }
  { ConvCase k; k.h = k.w = 8; k.c = 16; k.oc = 24; k.kh = 3; k.kw = 2; k.pl = 1; k.pb = 1;
    cases.push_back(k); }
  { ConvCase k; k.h = k.w = 6; k.c = 16; k.oc = 16; k.kh = k.kw = 3; k.groups = 4;
    k.pt = k.pl = k.pb = k.pr = 1; cases.push_back(k); }
  { ConvCase k; k.batch = 3; k.h = 5; k.w = 4; k.c = 6; k.oc = 10; k.kh = k.kw = 2;
    k.sh = k.sw = 2; cases.push_back(k); }
  for (int zin : {-128, 127, 0}) {
    for (int zout : {-128, 127, 5}) {
      ConvCase k; k.h = k.w = 5; k.c = 13; k.oc = 16; k.kh = k.kw = 3;
      k.pt = k.pl = k.pb = k.pr = 1; k.z_in = zin; k.z_out = zout;
      k.act = zout == 5 ? schema::Activation::RELU6 : schema::Activation::NONE;
      cases.push_back(k);
    }
  }
  for (const ConvCase& k : cases) {
    size_t n = 0;
    const auto bytes = ConvModel(k, false, seed, &n);
    CheckModel("kernel shapes: CONV_2D", k.Name(), bytes, {n}, seed++);
  }
}

TEST_F(XnnpackBackendTest, DepthwiseWithinOneLsb) {
  uint32_t seed = 300;
  std::vector<ConvCase> cases;
  for (int c : {1, 4, 8, 12, 13, 15, 16, 24}) {
    for (int k : {3, 5}) {
      for (int s : {1, 2}) {
        ConvCase d; d.h = 9; d.w = 8; d.c = d.oc = c; d.kh = d.kw = k; d.sh = d.sw = s;
        d.pt = d.pl = d.pb = d.pr = k / 2;
        cases.push_back(d);
      }
    }
  }
  for (int hw : {1, 2, 3, 5, 8, 10, 17}) {
    ConvCase d; d.h = d.w = hw; d.c = d.oc = 16; d.kh = d.kw = 3; d.pt = d.pl = d.pb = d.pr = 1;
    cases.push_back(d);
    ConvCase e; e.h = hw; e.w = hw + 2; e.c = e.oc = 24; e.kh = e.kw = 3; e.sh = e.sw = 2;
    e.pb = e.pr = 1;
    if (hw + 1 >= 3) cases.push_back(e);  // the padded input must hold the kernel
  }
  { ConvCase d; d.h = d.w = 7; d.c = 8; d.oc = 16; d.kh = d.kw = 3; d.pt = d.pl = d.pb = d.pr = 1;
    cases.push_back(d); }
  { ConvCase d; d.h = d.w = 7; d.c = 3; d.oc = 9; d.kh = d.kw = 3; d.pt = d.pl = d.pb = d.pr = 1;
    cases.push_back(d); }
  { ConvCase d; d.h = d.w = 9; d.c = d.oc = 16; d.kh = d.kw = 3; d.dil = 2;
    d.pt = d.pl = d.pb = d.pr = 2; cases.push_back(d); }
  { ConvCase d; d.h = d.w = 8; d.c = d.oc = 16; d.kh = 2; d.kw = 4; d.pl = 1; d.pb = 1; d.pr = 2;
    cases.push_back(d); }
  { ConvCase d; d.batch = 2; d.h = d.w = 5; d.c = d.oc = 12; d.kh = d.kw = 3;
    d.pt = d.pl = d.pb = d.pr = 1; cases.push_back(d); }
  for (int zin : {-128, 127}) {
    for (int zout : {-128, 127}) {
      ConvCase d; d.h = d.w = 6; d.c = d.oc = 24; d.kh = d.kw = 3; d.pt = d.pl = d.pb = d.pr = 1;
      d.z_in = zin; d.z_out = zout;
      // ReLU6 with z_out = 127 would clamp every output to 127.
      if (zout == -128) d.act = schema::Activation::RELU6;
      cases.push_back(d);
    }
  }
  for (const ConvCase& k : cases) {
    size_t n = 0;
    const auto bytes = ConvModel(k, true, seed, &n);
    CheckModel("kernel shapes: DEPTHWISE", "dw" + k.Name().substr(4), bytes, {n}, seed++);
  }
}

std::vector<uint8_t> FullyConnectedModel(int m, int k, int n, bool per_channel, int z_in,
                                         int z_out, uint32_t seed) {
  std::mt19937 rng(seed);
  ModelBuilder b;
  const float s_in = 0.02f;
  auto scales = testing::RandomScales(rng, n, 0.002f, 0.01f);
  if (!per_channel) std::fill(scales.begin(), scales.end(), scales[0]);
  const int x = b.AddActivation("x", {m, k}, s_in, z_in);
  const int w = b.AddWeights("w", {n, k}, testing::RandomInt8(rng, size_t(n) * k, -127, 127),
                             scales, 0);
  std::vector<float> bias_scales(n);
  for (int c = 0; c < n; ++c) bias_scales[c] = s_in * scales[c];
  const int bias = b.AddBias("b", testing::RandomInt32(rng, n, -20000, 20000), bias_scales);
  const int y = b.AddActivation("y", {m, n}, OutputScale(s_in, 0.006f, k), z_out);
  b.AddFullyConnected("fc", x, w, bias, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

TEST_F(XnnpackBackendTest, FullyConnectedWithinOneLsb) {
  uint32_t seed = 400;
  for (int m : {1, 2, 3, 4, 5, 8, 9, 17}) {
    for (int k : {1, 3, 8, 16, 17, 64, 100}) {
      for (int n : {1, 7, 16, 33}) {
        for (bool per_channel : {true, false}) {
          CheckModel(per_channel ? "kernel shapes: FC (qc8 1x1)" : "kernel shapes: FC (qs8)",
                     "fc " + std::to_string(m) + "x" + std::to_string(k) + "->" + std::to_string(n),
                     FullyConnectedModel(m, k, n, per_channel, -10, 3, seed), {size_t(m) * k},
                     seed);
          ++seed;
        }
      }
    }
  }
  CheckModel("kernel shapes: FC (qc8 1x1)", "fc 1x1280->100",
             FullyConnectedModel(1, 1280, 100, true, -10, 3, seed), {1280}, seed);
  ++seed;
  CheckModel("kernel shapes: FC (qc8 1x1)", "fc 5x1024->40 z -128,127",
             FullyConnectedModel(5, 1024, 40, true, -128, 127, seed), {5 * 1024}, seed);
}

std::vector<uint8_t> AddModel(size_t n, float sa, float sb, float sy, int za, int zb, int zy,
                              schema::Activation act) {
  ModelBuilder b;
  const int a = b.AddActivation("a", {1, static_cast<int32_t>(n)}, sa, za);
  const int c = b.AddActivation("b", {1, static_cast<int32_t>(n)}, sb, zb);
  const int y = b.AddActivation("y", {1, static_cast<int32_t>(n)}, sy, zy);
  schema::AddOptionsT o;
  o.activation = act;
  b.AddAdd("add", a, c, y, o);
  b.SetInputs({a, c});
  b.SetOutputs({y});
  return b.Finish();
}

TEST_F(XnnpackBackendTest, AddWithinOneLsb) {
  uint32_t seed = 500;
  for (size_t n : {1, 7, 16, 17, 33, 64, 129, 1000, 75264}) {
    CheckModel("kernel shapes: ADD", "add " + std::to_string(n),
               AddModel(n, 0.05f, 0.04f, 0.07f, 3, -7, -5, schema::Activation::NONE), {n, n},
               seed++);
  }
  CheckModel("kernel shapes: ADD", "add equal scales",
             AddModel(333, 0.05f, 0.05f, 0.05f, -128, 127, 0, schema::Activation::NONE),
             {333, 333}, seed++);
  CheckModel("kernel shapes: ADD", "add 0.5/0.01/0.3",
             AddModel(333, 0.5f, 0.01f, 0.3f, 127, -128, -128, schema::Activation::NONE),
             {333, 333}, seed++);
  CheckModel("kernel shapes: ADD", "add 0.01/0.02/0.01",
             AddModel(333, 0.01f, 0.02f, 0.01f, 3, -7, 20, schema::Activation::NONE), {333, 333},
             seed++);
  CheckModel("kernel shapes: ADD", "add relu",
             AddModel(333, 0.05f, 0.04f, 0.07f, 0, 0, -128, schema::Activation::RELU), {333, 333},
             seed++);
}

// Every operator of a model on its own, fed with the activations octet's
// kernels compute for a random model input: the per-op bound on real layers.
void CheckEveryOp(const std::string& category, const std::vector<uint8_t>& bytes, uint32_t seed) {
  const auto base = schema::UnPackModel(bytes.data());
  ASSERT_TRUE(base);
  // 1. octet's value of every activation.
  schema::ModelT all(*base);
  std::vector<int32_t> produced;
  for (const auto& op : all.operators) {
    for (const int32_t t : op->outputs) produced.push_back(t);
  }
  all.outputs = produced;
  std::mt19937 rng(seed);
  std::vector<std::vector<int8_t>> model_inputs;
  for (const int32_t t : base->inputs) {
    size_t n = 1;
    for (const int32_t d : base->tensors[t]->shape) n *= static_cast<size_t>(d);
    model_inputs.push_back(testing::RandomInt8(rng, n));
  }
  auto pack = [](const schema::ModelT& m) {
    flatbuffers::FlatBufferBuilder fbb;
    fbb.Finish(schema::Model::Pack(fbb, &m), schema::ModelIdentifier());
    return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  };
  const auto values = RunModel(pack(all), OCTET_BACKEND_OCTET, model_inputs);
  ASSERT_EQ(values.size(), produced.size());
  std::map<int32_t, std::vector<int8_t>> value_of;
  for (size_t i = 0; i < produced.size(); ++i) value_of[produced[i]] = values[i];
  for (size_t i = 0; i < base->inputs.size(); ++i) value_of[base->inputs[i]] = model_inputs[i];

  // 2. Each operator alone, on both backends, on those values.
  for (size_t i = 0; i < base->operators.size(); ++i) {
    schema::ModelT one(*base);
    std::unique_ptr<schema::OperatorT> op = std::move(one.operators[i]);
    one.operators.clear();
    std::vector<int32_t> inputs;
    std::vector<std::vector<int8_t>> input_values;
    for (const int32_t t : op->inputs) {
      if (t < 0 || base->tensors[t]->buffer != 0) continue;
      if (std::find(inputs.begin(), inputs.end(), t) != inputs.end()) continue;
      inputs.push_back(t);
      input_values.push_back(value_of[t]);
    }
    one.inputs = inputs;
    one.outputs = op->outputs;
    const std::string what = category + " op " + std::to_string(i) + " \"" + op->name + "\"";
    one.operators.push_back(std::move(op));
    const auto bytes_one = pack(one);
    const auto octet_out = RunModel(bytes_one, OCTET_BACKEND_OCTET, input_values);
    const auto xnn_out = RunModel(bytes_one, OCTET_BACKEND_XNNPACK, input_values);
    const Agreement a = Compare(octet_out, xnn_out);
    EXPECT_LE(a.max_diff, 1) << what << ": " << a.differ << " of " << a.total << " differ";
    Totals()[category + ": every op"].Add(a);
  }
}

TEST_F(XnnpackBackendTest, ExampleModelEveryOpWithinOneLsb) {
  for (uint32_t seed : {1u, 2u, 3u}) {
    CheckEveryOp("example 32x32x16", testing::BuildExampleModel(seed), seed);
  }
  CheckEveryOp("example 56x56x32", testing::BuildExampleModel(4, 56, 56, 32), 4);
}

TEST_F(XnnpackBackendTest, ExampleModelEndToEnd) {
  // Not bounded by 1 LSB (differences propagate); printed for information,
  // and checked to stay close: the logits mostly agree to a few LSB.
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const auto bytes = testing::BuildExampleModel(seed);
    std::mt19937 rng(seed);
    const std::vector<std::vector<int8_t>> in = {testing::RandomInt8(rng, 32 * 32 * 3)};
    const Agreement a = Compare(RunModel(bytes, OCTET_BACKEND_OCTET, in), RunModel(bytes, OCTET_BACKEND_XNNPACK, in));
    EXPECT_LE(a.max_diff, 16) << "seed " << seed;
    Totals()["example model end to end"].Add(a);
  }
}

TEST(XnnpackBackend, UnavailableIsUnsupportedAndBadValuesAreRejected) {
  const auto bytes = testing::BuildExampleModel(1);
  octet_model* model = nullptr;
  ASSERT_EQ(octet_model_load_buffer(bytes.data(), bytes.size(), &model), OCTET_OK);
  octet_interpreter_options options;
  octet_interpreter_options_init(&options);
  EXPECT_EQ(options.backend, OCTET_BACKEND_OCTET);
  options.backend = OCTET_BACKEND_XNNPACK;
  octet_interpreter* interp = nullptr;
  const octet_status st = octet_interpreter_create(model, &options, &interp);
  if (octet_backend_available(OCTET_BACKEND_XNNPACK)) {
    EXPECT_EQ(st, OCTET_OK) << octet_last_error();
  } else {
    EXPECT_EQ(st, OCTET_ERROR_UNSUPPORTED);
    EXPECT_NE(std::string(octet_last_error()).find("XNNPACK"), std::string::npos);
  }
  octet_interpreter_destroy(interp);
  interp = nullptr;
  int bad = 7;
  std::memcpy(&options.backend, &bad, sizeof bad);
  EXPECT_EQ(octet_interpreter_create(model, &options, &interp), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(interp, nullptr);
  octet_model_destroy(model);

  octet_backend b;
  EXPECT_EQ(octet_backend_from_name("xnnpack", &b), OCTET_OK);
  EXPECT_EQ(b, OCTET_BACKEND_XNNPACK);
  EXPECT_STREQ(octet_backend_name(OCTET_BACKEND_OCTET), "octet");
  EXPECT_EQ(octet_backend_from_name("tflite", &b), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_backend_available(OCTET_BACKEND_OCTET), 1);
}

}  // namespace
}  // namespace octet
