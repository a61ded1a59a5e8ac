// Tests of VerifyModel: valid variants pass, and each hand-made broken model
// fails with the right status and a message naming the rule it broke.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loader_test_util.h"
#include "model.h"

namespace octet {
namespace testing {
namespace {

using schema::ModelT;

// --- small single-op models for the valid variants --------------------------

struct ConvSpec {
  int h = 7, w = 6, c = 4, oc = 6, kh = 3, kw = 2, groups = 1;
  schema::Conv2DOptionsT options;
  bool bias = true;
  bool per_channel = true;
};

std::vector<uint8_t> BuildConv(ConvSpec s) {
  std::mt19937 rng(11);
  ModelBuilder b;
  const int x = b.AddActivation("x", {1, s.h, s.w, s.c}, 0.02f, 3);
  const int cin = s.c / s.groups;
  const std::vector<float> scales =
      s.per_channel ? RandomScales(rng, s.oc, 0.001f, 0.01f) : std::vector<float>{0.005f};
  const int w = b.AddWeights(
      "w", {s.oc, s.kh, s.kw, cin},
      RandomInt8(rng, static_cast<size_t>(s.oc * s.kh * s.kw * cin), -127, 127), scales, 0);
  const int bias = s.bias ? b.AddBias("b", RandomInt32(rng, static_cast<size_t>(s.oc), -100, 100),
                                      std::vector<float>(static_cast<size_t>(s.oc), 0.0001f))
                          : -1;
  const auto& o = s.options;
  const int oh = ConvOutputSize(s.h, s.kh, o.stride_h, o.dilation_h, o.pad_top, o.pad_bottom);
  const int ow = ConvOutputSize(s.w, s.kw, o.stride_w, o.dilation_w, o.pad_left, o.pad_right);
  const int y = b.AddActivation("y", {1, oh, ow, s.oc}, 0.05f, -1);
  s.options.groups = s.groups;
  b.AddConv2D("conv", x, w, bias, y, s.options);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

std::vector<uint8_t> BuildDepthwise(int multiplier,
                                    const schema::DepthwiseConv2DOptionsT& options) {
  std::mt19937 rng(12);
  ModelBuilder b;
  const int c = 3, oc = c * multiplier;
  const int x = b.AddActivation("x", {2, 5, 5, c}, 0.02f, 0);
  const int w = b.AddWeights("w", {1, 3, 3, oc}, RandomInt8(rng, 9 * oc, -127, 127),
                             RandomScales(rng, oc, 0.001f, 0.01f), 3);
  const int bias = b.AddBias("b", RandomInt32(rng, oc, -100, 100), std::vector<float>(oc, 1e-4f));
  const int oh = ConvOutputSize(5, 3, options.stride_h, options.dilation_h, options.pad_top,
                                options.pad_bottom);
  const int ow = ConvOutputSize(5, 3, options.stride_w, options.dilation_w, options.pad_left,
                                options.pad_right);
  const int y = b.AddActivation("y", {2, oh, ow, oc}, 0.05f, 0);
  schema::DepthwiseConv2DOptionsT o = options;
  o.depth_multiplier = multiplier;
  b.AddDepthwiseConv2D("dw", x, w, bias, y, o);
  b.SetInputs({x});
  b.SetOutputs({y});
  return b.Finish();
}

// a [1,4,4,2] + b (shape given) -> y [1,4,4,2]
std::vector<uint8_t> BuildAdd(const std::vector<int32_t>& b_shape, bool with_options = true) {
  ModelBuilder b;
  const int x = b.AddActivation("a", {1, 4, 4, 2}, 0.1f, 1);
  const int z = b.AddActivation("b", b_shape, 0.2f, -3);
  const int y = b.AddActivation("y", {1, 4, 4, 2}, 0.25f, 0);
  if (with_options) {
    b.AddAdd("add", x, z, y);
  } else {
    b.AddOperator(schema::OpType::ADD, "add", {x, z}, {y}, schema::OpOptionsUnion());
  }
  b.SetInputs({x, z});
  b.SetOutputs({y});
  return b.Finish();
}

void ExpectValid(const std::vector<uint8_t>& bytes, const char* what) {
  const Status s = Verify(bytes);
  EXPECT_TRUE(s.ok()) << what << ": " << s.message();
}

TEST(VerifierValid, ExampleModels) {
  ExpectValid(SmallExampleModel(), "small example");
  ExpectValid(BuildExampleModel(5), "default example");
  ExpectValid(BuildExampleModel(6, 1, 1, 1, 1), "1x1 input, 1 channel");
}

TEST(VerifierValid, ConvVariants) {
  ExpectValid(BuildConv({}), "plain");
  ConvSpec s;
  s.bias = false;
  ExpectValid(BuildConv(s), "no bias (-1)");
  s = {};
  s.per_channel = false;
  ExpectValid(BuildConv(s), "per-tensor weight scale");
  s = {};
  s.groups = 2;
  ExpectValid(BuildConv(s), "groups 2");
  s = {};
  s.c = 6;
  s.groups = 6;
  s.oc = 12;
  ExpectValid(BuildConv(s), "groups == channels");
  s = {};
  s.options.stride_h = 2;
  s.options.stride_w = 3;
  s.options.pad_top = 1;
  s.options.pad_bottom = 2;
  s.options.pad_right = 1;
  ExpectValid(BuildConv(s), "strided, asymmetric padding");
  s = {};
  s.options.dilation_h = 2;
  s.options.dilation_w = 3;
  ExpectValid(BuildConv(s), "dilated");
  s = {};
  s.kh = 7;
  s.kw = 6;
  ExpectValid(BuildConv(s), "kernel == input");
  s = {};
  s.options.activation = schema::Activation::CLAMP;
  s.options.clamp_min = -1.5f;
  s.options.clamp_max = 1.5f;
  ExpectValid(BuildConv(s), "CLAMP");
  s.options.clamp_min = s.options.clamp_max = 0.0f;
  ExpectValid(BuildConv(s), "CLAMP to a point");
  s.options.activation = schema::Activation::RELU6;
  s.options.clamp_min = NAN;  // ignored unless CLAMP
  ExpectValid(BuildConv(s), "RELU6 ignores clamp bounds");
}

TEST(VerifierValid, DepthwiseVariants) {
  schema::DepthwiseConv2DOptionsT o;
  ExpectValid(BuildDepthwise(1, o), "multiplier 1");
  ExpectValid(BuildDepthwise(2, o), "multiplier 2");
  o.stride_h = 2;
  o.pad_top = o.pad_left = o.pad_bottom = o.pad_right = 1;
  o.dilation_w = 2;
  ExpectValid(BuildDepthwise(3, o), "multiplier 3, strided, dilated");
}

TEST(VerifierValid, AddWithoutOptionsAndFullyConnectedDefaults) {
  ExpectValid(BuildAdd({1, 4, 4, 2}), "add");
  ExpectValid(BuildAdd({1, 4, 4, 2}, false), "add without options (defaults)");
  auto m = Unpack(SmallExampleModel());
  m->operators[FindOperator(*m, "fc5")]->options.Reset();
  ExpectValid(Pack(*m), "fully connected without options (defaults)");
}

TEST(VerifierValid, TinyMultiplierRoundsToZero) {
  // M < 2^-32 becomes multiplier 0 (every product rounds to 0): allowed.
  auto m = Unpack(SmallExampleModel());
  m->tensors[FindTensor(*m, "conv0/weights")]->quantization->scale[1] = 1e-30f;
  ExpectValid(Pack(*m), "tiny weight scale");
}

TEST(VerifierValid, ScalarTensorsAreAllowed) {
  // Rank 0 is a valid rank; FlatBuffers stores the empty shape as an absent
  // vector (shape() == nullptr), which readers must handle.
  ModelBuilder b;
  const int x = b.AddActivation("x", {}, 0.1f, 0);
  const int w = b.AddWeights("w", {2, 1}, {3, -4}, {0.01f, 0.02f}, 0);
  const int y = b.AddActivation("y", {1, 2}, 0.05f, 0);
  b.AddFullyConnected("fc", x, w, -1, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  const auto bytes = b.Finish();
  ASSERT_EQ(schema::GetModel(bytes.data())->tensors()->Get(0)->shape(), nullptr);
  ExpectValid(bytes, "fully connected over a scalar input");
}

TEST(VerifierValid, UnreferencedActivationIsAllowed) {
  auto m = Unpack(SmallExampleModel());
  auto t = std::make_unique<schema::TensorT>(*m->tensors[FindTensor(*m, "dw1")]);
  t->name = "unused";
  m->tensors.push_back(std::move(t));
  ExpectValid(Pack(*m), "dead activation");
}

// --- raw-byte failures -------------------------------------------------------

TEST(VerifierBytes, WrongIdentifier) {
  auto bytes = SmallExampleModel();
  std::memcpy(bytes.data() + 4, "ABCD", 4);
  const Status s = Verify(bytes);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_EQ(s.message(), "not an octet model: file identifier is 'ABCD', expected 'OCT1'");
  bytes[5] = 0;
  bytes[6] = '\n';
  EXPECT_EQ(Verify(bytes).message(),
            "not an octet model: file identifier is 'A\\x00\\x0aD', expected 'OCT1'");
}

TEST(VerifierBytes, TooSmallTooLargeAndNull) {
  const std::vector<uint8_t> tiny = {4, 0, 0, 0, 'O', 'C', 'T'};
  Status s = Verify(tiny);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_NE(s.message().find("too small"), std::string::npos) << s.message();
  // Only the size is looked at before rejecting, so no 2 GiB buffer is needed.
  const auto bytes = SmallExampleModel();
  s = VerifyModel(bytes.data(), size_t{1} << 31);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_NE(s.message().find("larger than"), std::string::npos) << s.message();
  s = VerifyModel(nullptr, 100);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_ARGUMENT);
}

TEST(VerifierBytes, StructurallyCorrupt) {
  auto bytes = SmallExampleModel();
  bytes[0] = 0xff;  // root offset far out of bounds
  bytes[1] = 0xff;
  const Status s = Verify(bytes);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_NE(s.message().find("FlatBuffers verifier"), std::string::npos) << s.message();
}

// --- ADD shapes (own models) ---------------------------------------------------

TEST(VerifierAdd, BroadcastIsValid) {
  ExpectValid(BuildAdd({1, 1, 1, 2}), "b [1,1,1,2]");
  ExpectValid(BuildAdd({2}), "b [2]");
  ExpectValid(BuildAdd({4, 1, 2}), "b [4,1,2]");
  ExpectValid(BuildAdd({}), "b scalar");
}

TEST(VerifierAdd, IncompatibleShapesAreInvalid) {
  for (const std::vector<int32_t>& shape :
       std::vector<std::vector<int32_t>>{{1, 4, 4, 3}, {1, 1, 4, 4, 2}, {3}}) {
    const Status s = Verify(BuildAdd(shape));
    EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL) << s.message();
    EXPECT_NE(s.message().find("does not broadcast to the output shape [1,4,4,2]"),
              std::string::npos)
        << s.message();
  }
}

// --- hand-made broken models, one rule each ------------------------------------

struct BrokenCase {
  std::string name;
  std::function<void(ModelT&)> mutate;
  octet_status code;
  std::vector<std::string> phrases;  // each must appear in the message
};

schema::TensorT& Tn(ModelT& m, const std::string& name) { return *m.tensors[FindTensor(m, name)]; }
schema::OperatorT& Op(ModelT& m, const std::string& name) {
  return *m.operators[FindOperator(m, name)];
}
schema::Conv2DOptionsT& ConvOptions(ModelT& m, const std::string& name) {
  return *Op(m, name).options.AsConv2DOptions();
}
schema::DepthwiseConv2DOptionsT& DwOptions(ModelT& m, const std::string& name) {
  return *Op(m, name).options.AsDepthwiseConv2DOptions();
}
std::vector<uint8_t>& Data(ModelT& m, const std::string& tensor) {
  return m.buffers[Tn(m, tensor).buffer]->data;
}
void SetScale(ModelT& m, const std::string& tensor, size_t i, float value) {
  Tn(m, tensor).quantization->scale[i] = value;
}
int AddTensorCopy(ModelT& m, const std::string& from, const std::string& name) {
  auto t = std::make_unique<schema::TensorT>(Tn(m, from));
  t->name = name;
  m.tensors.push_back(std::move(t));
  return static_cast<int>(m.tensors.size() - 1);
}

constexpr octet_status kInvalid = OCTET_ERROR_INVALID_MODEL;
constexpr octet_status kUnsupported = OCTET_ERROR_UNSUPPORTED;
const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

// Small example (c = 4, 3 classes, 8x8 input), tensors:
//   input [1,8,8,3]  conv0/weights [4,3,3,3]  conv0 [1,8,8,4]  dw1/weights [1,3,3,4]
//   pw2/weights [4,1,1,4]  add3  conv4/weights [8,3,3,4]  conv4 [1,4,4,8]
//   fc5/weights [3,128]  logits [1,3]; operators conv0 dw1 pw2 add3 conv4 fc5.
std::vector<BrokenCase> BrokenCases() {
  std::vector<BrokenCase> c;
  auto add = [&](std::string name, std::function<void(ModelT&)> f, octet_status code,
                 std::vector<std::string> phrases) {
    c.push_back({std::move(name), std::move(f), code, std::move(phrases)});
  };

  // Model-level fields.
  add("FormatVersionNewer", [](ModelT& m) { m.format_version = 2; }, kUnsupported,
      {"format version 2 is newer than this runtime (1)"});
  add("FormatVersionZero", [](ModelT& m) { m.format_version = 0; }, kInvalid,
      {"format version 0 is invalid"});
  add("Buffer0NotEmpty",
      [](ModelT& m) {
        m.buffers[0]->data = {1, 2, 3};
      },
      kInvalid, {"buffers[0] holds 3 bytes", "must be empty"});
  add("NoBuffers", [](ModelT& m) { m.buffers.clear(); }, kInvalid, {"no buffers"});
  add("NoTensors", [](ModelT& m) { m.tensors.clear(); }, kInvalid, {"no tensors"});
  add("NoOperators", [](ModelT& m) { m.operators.clear(); }, kInvalid, {"no operators"});
  add("NoInputs", [](ModelT& m) { m.inputs.clear(); }, kInvalid, {"no inputs"});
  add("NoOutputs", [](ModelT& m) { m.outputs.clear(); }, kInvalid, {"no outputs"});

  // Index ranges.
  add("OpInputOutOfRange", [](ModelT& m) { Op(m, "conv0").inputs[0] = 999; }, kInvalid,
      {"operator 0 CONV_2D \"conv0\"", "input 0 is tensor 999, out of range"});
  add("OpInputNegative", [](ModelT& m) { Op(m, "dw1").inputs[2] = -2; }, kInvalid,
      {"input 2 is tensor -2, out of range"});
  add("OpOutputOutOfRange",
      [](ModelT& m) { Op(m, "fc5").outputs[0] = static_cast<int>(m.tensors.size()); }, kInvalid,
      {"output 0 is tensor 17, out of range (model has 17 tensors)"});
  add("OpOutputMinusOne", [](ModelT& m) { Op(m, "add3").outputs[0] = -1; }, kInvalid,
      {"output 0 is tensor -1, out of range"});
  add("ModelInputOutOfRange", [](ModelT& m) { m.inputs = {-1}; }, kInvalid,
      {"model input 0 is tensor -1, out of range"});
  add("ModelOutputOutOfRange", [](ModelT& m) { m.outputs = {1000}; }, kInvalid,
      {"model output 0 is tensor 1000, out of range"});
  add("TensorBufferOutOfRange", [](ModelT& m) { Tn(m, "conv0/weights").buffer = 100; }, kInvalid,
      {"\"conv0/weights\"", "buffer index 100 out of range"});

  // Tensors.
  add("ShapeBufferMismatch",
      [](ModelT& m) {
        Tn(m, "conv0/weights").shape = {4, 3, 3, 2};
      },
      kInvalid, {"\"conv0/weights\"", "holds 108 bytes, expected 72"});
  add("ConstantBufferEmpty", [](ModelT& m) { Data(m, "conv0/bias").clear(); }, kInvalid,
      {"\"conv0/bias\"", "holds 0 bytes, expected 16"});
  add("ConstantBufferOneByteShort", [](ModelT& m) { Data(m, "fc5/weights").pop_back(); }, kInvalid,
      {"holds 383 bytes, expected 384"});
  add("RankTooLarge", [](ModelT& m) { Tn(m, "input").shape = {1, 1, 1, 1, 1, 8, 8, 3}; }, kInvalid,
      {"\"input\"", "rank 8 exceeds the maximum of 6"});
  add("DimensionZero", [](ModelT& m) { Tn(m, "dw1").shape[1] = 0; }, kInvalid,
      {"\"dw1\"", "dimension 1 is 0, every dimension must be >= 1"});
  add("DimensionNegative", [](ModelT& m) { Tn(m, "logits").shape[1] = -3; }, kInvalid,
      {"dimension 1 is -3"});
  add("ByteSizeOverflow",
      [](ModelT& m) {
        Tn(m, "dw1").shape = {65536, 65536, 65536, 65536};
      },
      kInvalid, {"larger than 2147483647 bytes"});
  add("ByteSizeJustOver",
      [](ModelT& m) {
        Tn(m, "dw1").shape = {1, 2, 32768, 32768};
      },
      kInvalid, {"larger than 2147483647 bytes"});
  add("UnknownTensorType",
      [](ModelT& m) { Tn(m, "dw1").type = static_cast<schema::TensorType>(9); }, kInvalid,
      {"\"dw1\"", "unknown tensor type 9"});
  add("Int8ActivationWithoutQuantization", [](ModelT& m) { Tn(m, "dw1").quantization.reset(); },
      kInvalid, {"\"dw1\"", "an int8 activation needs exactly one scale, it has 0"});
  add("Int8ActivationPerChannel",
      [](ModelT& m) {
        auto& q = *Tn(m, "dw1").quantization;
        q.scale = {0.1f, 0.1f, 0.1f, 0.1f};
        q.zero_point = {0, 0, 0, 0};
        q.quantized_dimension = 3;
      },
      kInvalid, {"an int8 activation needs exactly one scale, it has 4"});

  // Quantization.
  add("ActivationScaleZero", [](ModelT& m) { SetScale(m, "conv0", 0, 0.0f); }, kInvalid,
      {"\"conv0\"", "scale[0] is 0, scales must be finite and > 0"});
  add("ActivationScaleNegative", [](ModelT& m) { SetScale(m, "add3", 0, -0.1f); }, kInvalid,
      {"scale[0] is -0.1"});
  add("ActivationScaleNaN", [](ModelT& m) { SetScale(m, "input", 0, kNaN); }, kInvalid,
      {"scale[0] is nan"});
  add("ActivationScaleInf", [](ModelT& m) { SetScale(m, "logits", 0, kInf); }, kInvalid,
      {"scale[0] is inf"});
  add("WeightScaleNaN", [](ModelT& m) { SetScale(m, "conv4/weights", 5, kNaN); }, kInvalid,
      {"\"conv4/weights\"", "scale[5] is nan"});
  add("WeightScaleNegativeInf", [](ModelT& m) { SetScale(m, "dw1/weights", 2, -kInf); }, kInvalid,
      {"scale[2] is -inf"});
  add("BiasScaleZero", [](ModelT& m) { SetScale(m, "fc5/bias", 1, 0.0f); }, kInvalid,
      {"\"fc5/bias\"", "scale[1] is 0"});
  add("ZeroPointCountMismatch",
      [](ModelT& m) {
        Tn(m, "conv0/weights").quantization->zero_point = {0, 0};
      },
      kInvalid, {"has 2 zero points for 4 scales"});
  add("ZeroPointsWithoutScales", [](ModelT& m) { Tn(m, "conv0/bias").quantization->scale.clear(); },
      kInvalid, {"\"conv0/bias\"", "has 4 zero points but no scales"});
  add("ZeroPointAboveInt8", [](ModelT& m) { Tn(m, "conv0").quantization->zero_point[0] = 128; },
      kInvalid, {"\"conv0\"", "zero_point[0] is 128, outside the INT8 range [-128, 127]"});
  add("ZeroPointBelowInt8", [](ModelT& m) { Tn(m, "input").quantization->zero_point[0] = -129; },
      kInvalid, {"zero_point[0] is -129"});
  add("ZeroPointOutsideUint8", [](ModelT& m) { Tn(m, "input").type = schema::TensorType::UINT8; },
      kInvalid, {"zero_point[0] is -10, outside the UINT8 range [0, 255]"});
  add("PerTensorWithManyScales",
      [](ModelT& m) { Tn(m, "conv0/weights").quantization->quantized_dimension = -1; }, kInvalid,
      {"has 4 scales but quantized_dimension -1 (per tensor) needs 1"});
  add("QuantizedDimensionOutOfRange",
      [](ModelT& m) { Tn(m, "conv0/weights").quantization->quantized_dimension = 4; }, kInvalid,
      {"quantized_dimension 4 is not -1 or an axis of the rank-4 shape"});
  add("QuantizedDimensionNegative",
      [](ModelT& m) { Tn(m, "pw2/weights").quantization->quantized_dimension = -2; }, kInvalid,
      {"quantized_dimension -2"});
  add("WeightScaleCountWrong",
      [](ModelT& m) {
        auto& q = *Tn(m, "conv4/weights").quantization;
        q.scale.resize(3);
        q.zero_point.resize(3);
      },
      kInvalid, {"\"conv4/weights\"", "has 3 scales, expected 1 or 8"});
  add("DepthwiseWeightScaleCountWrong",
      [](ModelT& m) {
        auto& q = *Tn(m, "dw1/weights").quantization;
        q.scale.resize(2);
        q.zero_point.resize(2);
      },
      kInvalid, {"\"dw1/weights\"", "has 2 scales, expected 1 or 4"});
  add("ConvWeightsPerChannelOnWrongAxis",
      [](ModelT& m) { Tn(m, "pw2/weights").quantization->quantized_dimension = 3; }, kInvalid,
      {"operator 2 CONV_2D \"pw2\"", "quantized along dimension 3, expected 0 (output channel)"});
  add("WeightsWithoutQuantization", [](ModelT& m) { Tn(m, "conv0/weights").quantization.reset(); },
      kInvalid,
      {"weight tensor 1 \"conv0/weights\" has 0 scales, expected 4 (one per output channel)"});
  add("WeightZeroPointNonZero",
      [](ModelT& m) { Tn(m, "conv0/weights").quantization->zero_point[1] = 3; }, kInvalid,
      {"zero_point[1] = 3; weights are symmetric (zero point 0)"});
  add("ConvWeightValueMinus128", [](ModelT& m) { Data(m, "conv4/weights")[10] = 0x80; }, kInvalid,
      {"operator 4 CONV_2D \"conv4\"", "\"conv4/weights\" element 10 is -128",
       "symmetric range [-127, 127]"});
  add("DepthwiseWeightValueMinus128", [](ModelT& m) { Data(m, "dw1/weights").back() = 0x80; },
      kInvalid, {"element 35 is -128"});
  add("FcWeightValueMinus128", [](ModelT& m) { Data(m, "fc5/weights")[0] = 0x80; }, kInvalid,
      {"\"fc5/weights\" element 0 is -128"});

  // Graph.
  add("ReadBeforeWritten", [](ModelT& m) { std::swap(m.operators[0], m.operators[1]); }, kInvalid,
      {"operator 0 DEPTHWISE_CONV_2D \"dw1\"",
       "reads activation tensor 3 \"conv0\" before it is written"});
  add("WrittenTwiceByOperators",
      [](ModelT& m) { Op(m, "pw2").outputs[0] = FindTensor(m, "conv0"); }, kInvalid,
      {"\"pw2\"", "writes tensor 3 \"conv0\" a second time (operator 0 already writes it"});
  add("WrittenByOperatorAndModelInput",
      [](ModelT& m) { Op(m, "conv0").outputs[0] = FindTensor(m, "input"); }, kInvalid,
      {"a second time (it is a model input"});
  add("ModelInputListedTwice",
      [](ModelT& m) {
        m.inputs = {0, 0};
      },
      kInvalid, {"listed twice as a model input"});
  add("ReadsOwnOutput", [](ModelT& m) { Op(m, "add3").inputs[1] = FindTensor(m, "add3"); },
      kInvalid, {"operator 3 ADD \"add3\"", "input 1 is its own output"});
  add("ModelOutputNeverWritten",
      [](ModelT& m) { m.outputs.push_back(AddTensorCopy(m, "logits", "orphan")); }, kInvalid,
      {"model output 1 is tensor 17 \"orphan\", which no model input or operator writes"});
  add("OperatorWritesConstant",
      [](ModelT& m) { Op(m, "fc5").outputs[0] = FindTensor(m, "fc5/bias"); }, kInvalid,
      {"operator outputs must be activations"});
  add("ModelInputIsConstant", [](ModelT& m) { m.inputs = {FindTensor(m, "conv0/weights")}; },
      kInvalid, {"model input 0 is constant", "must be activations"});
  add("ConstantDataInputUnsupported",
      [](ModelT& m) {
        const int t = AddTensorCopy(m, "conv0", "constant_addend");
        auto buffer = std::make_unique<schema::BufferT>();
        buffer->data.assign(8 * 8 * 4, 1);
        m.buffers.push_back(std::move(buffer));
        m.tensors[t]->buffer = static_cast<uint32_t>(m.buffers.size() - 1);
        Op(m, "add3").inputs[1] = t;
      },
      kUnsupported, {"\"constant_addend\"", "constant data inputs are not supported yet"});

  // Operator types and options.
  add("SoftmaxInPlaceOfFc",
      [](ModelT& m) {
        Op(m, "fc5").type = schema::OpType::SOFTMAX;
        Op(m, "fc5").options.Reset();
      },
      kInvalid, {"operator 5 SOFTMAX \"fc5\"", "has 3 inputs and 1 outputs, expected 2 and 1"});
  add("MulWithAddOptions", [](ModelT& m) { Op(m, "add3").type = schema::OpType::MUL; }, kInvalid,
      {"MUL \"add3\"", "has AddOptions options, expected MulOptions"});
  add("UnknownOpType", [](ModelT& m) { Op(m, "dw1").type = static_cast<schema::OpType>(999); },
      kInvalid, {"operator 1 (type 999) \"dw1\"", "unknown operator type 999"});
  add("ConvMissingOptions", [](ModelT& m) { Op(m, "conv0").options.Reset(); }, kInvalid,
      {"\"conv0\"", "has no options, expected Conv2DOptions"});
  add("DepthwiseMissingOptions", [](ModelT& m) { Op(m, "dw1").options.Reset(); }, kInvalid,
      {"has no options, expected DepthwiseConv2DOptions"});
  add("ConvWrongOptionsType",
      [](ModelT& m) { Op(m, "conv4").options.Set(schema::DepthwiseConv2DOptionsT()); }, kInvalid,
      {"has DepthwiseConv2DOptions options, expected Conv2DOptions"});
  add("FcWrongOptionsType", [](ModelT& m) { Op(m, "fc5").options.Set(schema::AddOptionsT()); },
      kInvalid, {"\"fc5\"", "has AddOptions options, expected FullyConnectedOptions"});
  add("UnknownOptionsType",
      [](ModelT& m) {
        Op(m, "add3").options.Reset();
        Op(m, "add3").options.type = static_cast<schema::OpOptions>(99);
      },
      kInvalid, {"has options of unknown type 99, expected AddOptions"});

  // Arity.
  add("ConvTwoInputs", [](ModelT& m) { Op(m, "conv0").inputs.pop_back(); }, kInvalid,
      {"has 2 inputs and 1 outputs, expected 3 and 1"});
  add("AddThreeInputs", [](ModelT& m) { Op(m, "add3").inputs.push_back(0); }, kInvalid,
      {"has 3 inputs and 1 outputs, expected 2 and 1"});
  add("ConvTwoOutputs",
      [](ModelT& m) { Op(m, "conv0").outputs.push_back(AddTensorCopy(m, "conv0", "extra")); },
      kInvalid, {"has 3 inputs and 2 outputs, expected 3 and 1"});
  add("ConvMissingWeights", [](ModelT& m) { Op(m, "conv4").inputs[1] = -1; }, kInvalid,
      {"input 1 is missing (-1) but required"});
  add("AddMissingInput", [](ModelT& m) { Op(m, "add3").inputs[1] = -1; }, kInvalid,
      {"input 1 is missing (-1) but required"});

  // CONV_2D.
  add("ConvInputNotInt8",
      [](ModelT& m) {
        Tn(m, "input").type = schema::TensorType::UINT8;
        Tn(m, "input").quantization->zero_point[0] = 0;
      },
      kInvalid, {"input tensor 0 \"input\" has type UINT8, expected INT8"});
  add("ConvInputWrongRank",
      [](ModelT& m) {
        Tn(m, "input").shape = {8, 8, 3};
      },
      kInvalid, {"input tensor 0 \"input\" has shape [8,8,3], expected rank 4"});
  add("ConvWeightsNotInt8",
      [](ModelT& m) { Tn(m, "conv0/weights").type = schema::TensorType::UINT8; }, kInvalid,
      {"weight tensor 1 \"conv0/weights\" has type UINT8, expected INT8"});
  add("ConvWeightsWrongRank",
      [](ModelT& m) {
        Tn(m, "conv0/weights").shape = {4, 27};
      },
      kInvalid, {"expected rank 4 [out_c, kh, kw, in_c / groups]"});
  add("ConvOutputHeightMismatch", [](ModelT& m) { Tn(m, "conv0").shape[1] = 7; }, kInvalid,
      {"operator 0 CONV_2D \"conv0\"", "output height is 7, expected 8 = (8 + 1 + 1 - 3) / 1 + 1"});
  add("ConvOutputWidthMismatch", [](ModelT& m) { Tn(m, "conv4").shape[2] = 5; }, kInvalid,
      {"\"conv4\"", "output width is 5, expected 4 = (8 + 1 + 1 - 3) / 2 + 1"});
  add("ConvOutputChannelsMismatch", [](ModelT& m) { Tn(m, "conv0").shape[3] = 5; }, kInvalid,
      {"weight tensor 1 \"conv0/weights\" has shape [4,3,3,3], expected [5,3,3,3]"});
  add("ConvInputChannelsMismatch", [](ModelT& m) { Tn(m, "input").shape[3] = 4; }, kInvalid,
      {"has shape [4,3,3,3], expected [4,3,3,4]"});
  add("ConvOutputBatchMismatch", [](ModelT& m) { Tn(m, "conv0").shape[0] = 2; }, kInvalid,
      {"output batch 2 differs from the input batch 1"});
  add("ConvGroupsNotDividing", [](ModelT& m) { ConvOptions(m, "pw2").groups = 3; }, kInvalid,
      {"\"pw2\"", "groups 3 must be >= 1 and divide the input channels 4 and output channels 4"});
  add("ConvGroupsZero", [](ModelT& m) { ConvOptions(m, "pw2").groups = 0; }, kInvalid,
      {"groups 0 must be >= 1"});
  add("ConvGroupsWeightShape", [](ModelT& m) { ConvOptions(m, "pw2").groups = 2; }, kInvalid,
      {"has shape [4,1,1,4], expected [4,1,1,2]"});
  add("ConvStrideZero", [](ModelT& m) { ConvOptions(m, "conv4").stride_w = 0; }, kInvalid,
      {"stride 2x0, strides must be >= 1"});
  add("ConvDilationZero", [](ModelT& m) { ConvOptions(m, "conv0").dilation_h = 0; }, kInvalid,
      {"dilation 0x1, dilations must be >= 1"});
  add("ConvNegativePadding", [](ModelT& m) { ConvOptions(m, "conv0").pad_left = -1; }, kInvalid,
      {"padding (top 1, left -1, bottom 1, right 1) must be >= 0"});
  add("ConvKernelLargerThanInput", [](ModelT& m) { ConvOptions(m, "conv0").dilation_w = 5; },
      kInvalid, {"kernel width 3 with dilation 5 spans 11, more than the padded input width 10"});
  add("ConvPaddedSizeOverflow",
      [](ModelT& m) { ConvOptions(m, "conv0").pad_bottom = std::numeric_limits<int32_t>::max(); },
      kInvalid, {"padded input height 2147483656 does not fit in int32"});
  add("ConvBiasShapeWrong",
      [](ModelT& m) {
        Tn(m, "conv0/bias").shape = {5};
        Data(m, "conv0/bias").resize(20);
        Tn(m, "conv0/bias").quantization.reset();
      },
      kInvalid,
      {"bias tensor 2 \"conv0/bias\" has shape [5], expected [4] (one per output channel)"});
  add("ConvBiasRank2",
      [](ModelT& m) {
        Tn(m, "conv4/bias").shape = {2, 4};
        Tn(m, "conv4/bias").quantization.reset();
      },
      kInvalid, {"has shape [2,4], expected [8]"});
  add("ConvBiasWrongType",
      [](ModelT& m) { Tn(m, "conv0/bias").type = schema::TensorType::FLOAT32; }, kInvalid,
      {"bias tensor 2 \"conv0/bias\" has type FLOAT32, expected INT32"});
  add("ConvBiasZeroPointNonZero",
      [](ModelT& m) { Tn(m, "conv0/bias").quantization->zero_point[3] = 7; }, kInvalid,
      {"bias tensor 2 \"conv0/bias\" has zero_point[3] = 7, expected 0"});
  add("ConvMultiplierUnrepresentable", [](ModelT& m) { SetScale(m, "conv0/weights", 2, 1e30f); },
      kInvalid,
      {"\"conv0\"", "requantization multiplier of output channel 2", "too large to represent"});
  add("ConvClampMinAboveMax",
      [](ModelT& m) {
        auto& o = ConvOptions(m, "conv0");
        o.activation = schema::Activation::CLAMP;
        o.clamp_min = 1.0f;
        o.clamp_max = 0.0f;
      },
      kInvalid, {"CLAMP activation bounds [1, 0] must be finite with clamp_min <= clamp_max"});
  add("ConvClampNaN",
      [](ModelT& m) {
        auto& o = ConvOptions(m, "conv4");
        o.activation = schema::Activation::CLAMP;
        o.clamp_min = kNaN;
        o.clamp_max = 6.0f;
      },
      kInvalid, {"CLAMP activation bounds [nan, 6]"});
  add("ConvClampInfinite",
      [](ModelT& m) {
        auto& o = ConvOptions(m, "pw2");
        o.activation = schema::Activation::CLAMP;
        o.clamp_min = 0.0f;
        o.clamp_max = kInf;
      },
      kInvalid, {"CLAMP activation bounds [0, inf]"});
  add("ConvUnknownActivation",
      [](ModelT& m) { ConvOptions(m, "conv0").activation = static_cast<schema::Activation>(9); },
      kInvalid, {"unknown fused activation 9"});

  // DEPTHWISE_CONV_2D.
  add("DepthwiseMultiplierMismatch", [](ModelT& m) { DwOptions(m, "dw1").depth_multiplier = 2; },
      kInvalid,
      {"operator 1 DEPTHWISE_CONV_2D \"dw1\"",
       "has 4 channels, expected 8 = 4 input channels * depth_multiplier 2"});
  add("DepthwiseMultiplierZero", [](ModelT& m) { DwOptions(m, "dw1").depth_multiplier = 0; },
      kInvalid, {"depth_multiplier 0 must be >= 1"});
  add("DepthwiseWeightShape",
      [](ModelT& m) {
        Tn(m, "dw1/weights").shape = {4, 3, 3, 1};
        Tn(m, "dw1/weights").quantization->quantized_dimension = 0;
      },
      kInvalid, {"weight tensor 4 \"dw1/weights\" has shape [4,3,3,1], expected [1,3,3,4]"});
  add("DepthwiseBiasShape",
      [](ModelT& m) {
        Tn(m, "dw1/bias").shape = {2, 2};
        Tn(m, "dw1/bias").quantization.reset();
      },
      kInvalid, {"bias tensor 5 \"dw1/bias\" has shape [2,2], expected [4]"});
  add("DepthwiseOutputHeight", [](ModelT& m) { DwOptions(m, "dw1").stride_h = 2; }, kInvalid,
      {"output height is 8, expected 4"});
  add("DepthwiseMultiplierUnrepresentable", [](ModelT& m) { SetScale(m, "dw1", 0, 1e-20f); },
      kInvalid, {"\"dw1\"", "too large to represent"});
  add("DepthwiseClampBroken",
      [](ModelT& m) {
        auto& o = DwOptions(m, "dw1");
        o.activation = schema::Activation::CLAMP;
        o.clamp_min = -kInf;
        o.clamp_max = 0.0f;
      },
      kInvalid, {"CLAMP activation bounds [-inf, 0]"});

  // FULLY_CONNECTED.
  add("FcElementCountMismatch",
      [](ModelT& m) {
        Tn(m, "logits").shape = {2, 3};
      },
      kInvalid,
      {"operator 5 FULLY_CONNECTED \"fc5\"",
       "has 128 elements, expected batch 2 * in_units 128 = 256"});
  add("FcOutputRank", [](ModelT& m) { Tn(m, "logits").shape = {3}; }, kInvalid,
      {"output tensor 16 \"logits\" has shape [3], expected rank 2"});
  add("FcWeightsShape",
      [](ModelT& m) {
        auto& w = Tn(m, "fc5/weights");
        w.shape = {6, 64};
        w.quantization->scale = {0.001f};  // per tensor, so only the op rule fails
        w.quantization->zero_point = {0};
        w.quantization->quantized_dimension = -1;
      },
      kInvalid, {"has shape [6,64], expected [3,64]"});
  add("FcBiasShape",
      [](ModelT& m) {
        Tn(m, "fc5/bias").shape = {1, 3};
        Tn(m, "fc5/bias").quantization.reset();
      },
      kInvalid, {"bias tensor 15 \"fc5/bias\" has shape [1,3], expected [3]"});
  add("FcMultiplierUnrepresentable", [](ModelT& m) { SetScale(m, "logits", 0, 1e-30f); }, kInvalid,
      {"\"fc5\"", "too large to represent"});
  add("FcClampBroken",
      [](ModelT& m) {
        schema::FullyConnectedOptionsT o;
        o.activation = schema::Activation::CLAMP;
        o.clamp_min = 2.0f;
        o.clamp_max = -2.0f;
        Op(m, "fc5").options.Set(std::move(o));
      },
      kInvalid, {"\"fc5\"", "CLAMP activation bounds [2, -2]"});

  // ADD.
  add("AddMultiplierUnrepresentable", [](ModelT& m) { SetScale(m, "add3", 0, 1e-30f); }, kInvalid,
      {"operator 3 ADD \"add3\"", "too large to represent"});
  add("AddInputNotInt8", [](ModelT& m) { Tn(m, "pw2").type = schema::TensorType::INT16; }, kInvalid,
      {"has type INT16, expected INT8"});
  add("AddClampBroken",
      [](ModelT& m) {
        schema::AddOptionsT o;
        o.activation = schema::Activation::CLAMP;
        o.clamp_min = kNaN;
        o.clamp_max = kNaN;
        Op(m, "add3").options.Set(std::move(o));
      },
      kInvalid, {"\"add3\"", "CLAMP activation bounds [nan, nan]"});

  // Names from the file are escaped in messages.
  add("OperatorNameEscaped",
      [](ModelT& m) {
        Op(m, "pw2").name = "bad\nname\"q";
        ConvOptions(m, "bad\nname\"q").groups = 0;
      },
      kInvalid, {"CONV_2D \"bad\\x0aname\\\"q\""});
  add("LongNameShortened",
      [](ModelT& m) {
        Tn(m, "dw1").shape[2] = 0;
        Tn(m, "dw1").name = std::string(500, 'n');
      },
      kInvalid, {std::string(80, 'n') + "...\""});
  return c;
}

class VerifierBroken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(VerifierBroken, FailsNamingTheRule) {
  const BrokenCase& c = GetParam();
  auto model = Unpack(SmallExampleModel());
  ASSERT_TRUE(Verify(Pack(*model)).ok()) << "the unbroken model must verify";
  c.mutate(*model);
  const std::vector<uint8_t> bytes = Pack(*model);
  const Status s = Verify(bytes);
  EXPECT_EQ(CodeName(s.code()), std::string(CodeName(c.code))) << s.message();
  ASSERT_FALSE(s.message().empty());
  for (const std::string& phrase : c.phrases) {
    EXPECT_NE(s.message().find(phrase), std::string::npos)
        << "message: " << s.message() << "\nmissing: " << phrase;
  }
  // The same through the Model loader.
  std::unique_ptr<Model> loaded;
  const Status t = Model::FromBuffer(bytes.data(), bytes.size(), &loaded);
  EXPECT_EQ(t.code(), s.code());
  EXPECT_EQ(t.message(), s.message());
  EXPECT_EQ(loaded, nullptr);
}

INSTANTIATE_TEST_SUITE_P(Corpus, VerifierBroken, ::testing::ValuesIn(BrokenCases()),
                         [](const ::testing::TestParamInfo<BrokenCase>& p) {
                           return p.param.name;
                         });

}  // namespace
}  // namespace testing
}  // namespace octet
