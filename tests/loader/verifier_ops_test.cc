// VerifyModel on the operators beyond conv / fc / add: one valid model that
// uses every one of them, and a corpus of hand-made broken variants, each
// failing with the right status and a message naming the operator and the
// rule it broke.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "kernels/reference_ops.h"
#include "loader_test_util.h"

namespace octet {
namespace testing {
namespace {

using schema::ModelT;
using schema::OpType;

// x_f FLOAT32 [1,8,8,4] -quantize-> q [1,8,8,4]
//   q -maxpool 2x2/2-> mp [1,4,4,4]      q -avgpool 3x3/2 pad 1-> ap [1,4,4,4]
//   mp -gap-> gp [1,1,1,4]               mp + gp -add-> add [1,4,4,4]
//   mp * ap -mul-> mul                    (mp, mp) -concat axis 3-> cat [1,4,4,8]
//   cat -reshape-> rs [1,16,8] -transpose [0,2,1]-> tr [1,8,16]
//   tr -pad [0,0,1,1,0,2]-> pd [1,10,18] -slice-> sl [1,4,9] -softmax-> sm
//   mp -resize-> rz [1,8,8,4]            mul -lut-> lt
//   add -prelu-> pr -requantize-> rq -dequantize-> out_f FLOAT32
std::vector<uint8_t> BuildAllOps() {
  ModelBuilder b;
  const int x = b.AddFloatActivation("x_f", {1, 8, 8, 4});
  const int q = b.AddActivation("q", {1, 8, 8, 4}, 0.05f, 0);
  b.AddQuantize("quantize", x, q);
  const int mp = b.AddActivation("mp", {1, 4, 4, 4}, 0.05f, 0);
  schema::Pool2DOptionsT mo;
  mo.filter_h = mo.filter_w = mo.stride_h = mo.stride_w = 2;
  b.AddPool2D(OpType::MAX_POOL_2D, "maxpool", q, mp, mo);
  const int ap = b.AddActivation("ap", {1, 4, 4, 4}, 0.04f, 1);
  schema::Pool2DOptionsT ao;
  ao.filter_h = ao.filter_w = 3;
  ao.stride_h = ao.stride_w = 2;
  ao.pad_top = ao.pad_left = ao.pad_bottom = ao.pad_right = 1;
  b.AddPool2D(OpType::AVERAGE_POOL_2D, "avgpool", q, ap, ao);
  const int gp = b.AddActivation("gp", {1, 1, 1, 4}, 0.05f, 0);
  b.AddGlobalAveragePool2D("gap", mp, gp);
  const int add = b.AddActivation("add", {1, 4, 4, 4}, 0.1f, 0);
  b.AddAdd("add", mp, gp, add);
  const int mul = b.AddActivation("mul", {1, 4, 4, 4}, 0.01f, 0);
  b.AddMul("mul", mp, ap, mul);
  const int cat = b.AddActivation("cat", {1, 4, 4, 8}, 0.05f, 0);
  b.AddConcatenation("concat", {mp, mp}, cat, 3);
  const int rs = b.AddActivation("rs", {1, 16, 8}, 0.05f, 0);
  b.AddReshape("reshape", cat, rs, {1, 16, 8});
  const int tr = b.AddActivation("tr", {1, 8, 16}, 0.05f, 0);
  b.AddTranspose("transpose", rs, tr, {0, 2, 1});
  const int pd = b.AddActivation("pd", {1, 10, 18}, 0.05f, 0);
  b.AddPad("pad", tr, pd, {0, 0, 1, 1, 0, 2});
  const int sl = b.AddActivation("sl", {1, 4, 9}, 0.05f, 0);
  b.AddSlice("slice", pd, sl, {0, 1, 0}, {1, 4, 9}, {1, 2, 2});
  std::vector<int32_t> table(256);
  ComputeSoftmaxExpTable(1.0f, 0.05f, table.data());
  const int exp_table = b.AddSoftmaxExpTable("exp_table", table);
  const int sm = b.AddActivation("sm", {1, 4, 9}, 1.0f / 256, -128);
  b.AddSoftmax("softmax", sl, exp_table, sm);
  const int rz = b.AddActivation("rz", {1, 8, 8, 4}, 0.05f, 0);
  b.AddResizeNearest("resize", mp, rz);
  std::vector<int8_t> lut(256);
  for (int i = 0; i < 256; ++i) lut[size_t(i)] = int8_t(i - 128);
  const int lut_table = b.AddLookupTableData("lut_table", lut);
  const int lt = b.AddActivation("lt", {1, 4, 4, 4}, 0.01f, 0);
  b.AddLookupTable("lut", mul, lut_table, lt);
  const std::vector<int8_t> alpha_data = {10, 20, -30, 127};
  const int alpha = b.AddTensor("alpha", {4}, schema::TensorType::INT8,
                                {0.01f, 0.02f, 0.01f, 0.005f}, {0, 0, 0, 0}, 0,
                                b.AddBuffer(alpha_data.data(), 4));
  const int pr = b.AddActivation("pr", {1, 4, 4, 4}, 0.1f, -5);
  b.AddPRelu("prelu", add, alpha, pr);
  const int rq = b.AddActivation("rq", {1, 4, 4, 4}, 0.2f, 3);
  b.AddRequantize("requantize", pr, rq);
  const int out = b.AddFloatActivation("out_f", {1, 4, 4, 4});
  b.AddDequantize("dequantize", rq, out);
  b.SetInputs({x});
  b.SetOutputs({out, sm, rz, lt});
  return b.Finish();
}

TEST(VerifierOpsValid, EveryOperator) {
  const Status s = Verify(BuildAllOps());
  EXPECT_TRUE(s.ok()) << s.message();
}

struct BrokenCase {
  std::string name;
  std::function<void(ModelT&)> mutate;
  octet_status code;
  std::vector<std::string> phrases;
};

schema::TensorT& Tn(ModelT& m, const std::string& name) { return *m.tensors[FindTensor(m, name)]; }
schema::OperatorT& Op(ModelT& m, const std::string& name) {
  return *m.operators[FindOperator(m, name)];
}
schema::Pool2DOptionsT& PoolOptions(ModelT& m, const std::string& name) {
  return *Op(m, name).options.AsPool2DOptions();
}
void SetScale(ModelT& m, const std::string& tensor, float value) {
  Tn(m, tensor).quantization->scale[0] = value;
}

constexpr octet_status kInvalid = OCTET_ERROR_INVALID_MODEL;
constexpr octet_status kUnsupported = OCTET_ERROR_UNSUPPORTED;

std::vector<BrokenCase> BrokenCases() {
  std::vector<BrokenCase> c;
  auto add = [&](std::string name, std::function<void(ModelT&)> f, octet_status code,
                 std::vector<std::string> phrases) {
    c.push_back({std::move(name), std::move(f), code, std::move(phrases)});
  };

  // QUANTIZE / DEQUANTIZE / REQUANTIZE.
  add("QuantizeInputNotFloat", [](ModelT& m) { Tn(m, "x_f").type = schema::TensorType::INT32; },
      kInvalid, {"QUANTIZE \"quantize\"", "has type INT32, expected FLOAT32"});
  add("QuantizeShapeDiffers", [](ModelT& m) { Tn(m, "x_f").shape = {1, 8, 8, 5}; }, kInvalid,
      {"QUANTIZE \"quantize\"", "expected the input's [1,8,8,5]"});
  add("DequantizeOutputNotFloat",
      [](ModelT& m) { Tn(m, "out_f").type = schema::TensorType::INT32; }, kInvalid,
      {"DEQUANTIZE \"dequantize\"", "\"out_f\" has type INT32, expected FLOAT32"});
  add("RequantizeMultiplierTooLarge", [](ModelT& m) { SetScale(m, "rq", 1e-9f); }, kInvalid,
      {"REQUANTIZE \"requantize\"", "too large to represent for accumulators up to 255"});
  add("QuantizeWrongOptions",
      [](ModelT& m) { Op(m, "quantize").options.Set(schema::DequantizeOptionsT()); }, kInvalid,
      {"has DequantizeOptions options, expected QuantizeOptions"});

  // Pooling.
  add("MaxPoolQuantizationDiffers", [](ModelT& m) { SetScale(m, "mp", 0.06f); }, kInvalid,
      {"MAX_POOL_2D \"maxpool\"", "must have the same scale and zero point"});
  add("MaxPoolPaddingNotSmallerThanFilter", [](ModelT& m) { PoolOptions(m, "maxpool").pad_top = 2; },
      kInvalid, {"\"maxpool\"", "must be smaller than the filter 2x2"});
  add("MaxPoolFilterZero", [](ModelT& m) { PoolOptions(m, "maxpool").filter_w = 0; }, kInvalid,
      {"filter 2x0, filters must be >= 1"});
  add("MaxPoolMissingOptions", [](ModelT& m) { Op(m, "maxpool").options.Reset(); }, kInvalid,
      {"\"maxpool\"", "has no options, expected Pool2DOptions"});
  add("MaxPoolOutputSize", [](ModelT& m) { PoolOptions(m, "maxpool").stride_h = 1; }, kInvalid,
      {"output height is 4, expected 7"});
  add("MaxPoolChannels", [](ModelT& m) { Tn(m, "q").shape = {1, 8, 8, 3}; Tn(m, "x_f").shape = {1, 8, 8, 3}; },
      kInvalid, {"MAX_POOL_2D", "expected the input's batch 1 and channels 3"});
  add("AvgPoolMultiplierTooLarge", [](ModelT& m) { SetScale(m, "ap", 1e-12f); }, kInvalid,
      {"AVERAGE_POOL_2D \"avgpool\"", "too large to represent for accumulators up to 2295"});
  add("GlobalPoolOutputShape", [](ModelT& m) { Tn(m, "gp").shape = {1, 4}; }, kInvalid,
      {"GLOBAL_AVERAGE_POOL_2D \"gap\"", "has shape [1,4], expected [1,1,1,4] (keep_dims)"});
  add("GlobalPoolKeepDimsFalse",
      [](ModelT& m) { Op(m, "gap").options.AsGlobalAveragePool2DOptions()->keep_dims = false; },
      kInvalid, {"expected [1,4] (keep_dims false)"});

  // ADD / MUL broadcasting.
  add("AddInputDoesNotBroadcast", [](ModelT& m) { Op(m, "add").inputs[1] = FindTensor(m, "q"); },
      kInvalid, {"ADD \"add\"", "\"q\" has shape [1,8,8,4], which does not broadcast"});
  add("AddOutputIsNotTheBroadcast",
      [](ModelT& m) { Op(m, "add").inputs[0] = FindTensor(m, "gp"); }, kInvalid,
      {"ADD \"add\"", "is not the broadcast of the input shapes [1,1,1,4] and [1,1,1,4]"});
  add("MulMultiplierTooLarge", [](ModelT& m) { SetScale(m, "mul", 1e-9f); }, kInvalid,
      {"MUL \"mul\"", "too large to represent"});
  add("MulWrongOptions", [](ModelT& m) { Op(m, "mul").options.Set(schema::AddOptionsT()); },
      kInvalid, {"MUL \"mul\"", "has AddOptions options, expected MulOptions"});

  // CONCATENATION.
  add("ConcatAxisOutOfRange",
      [](ModelT& m) { Op(m, "concat").options.AsConcatenationOptions()->axis = 4; }, kInvalid,
      {"CONCATENATION \"concat\"", "axis 4 is outside [-4, 4)"});
  add("ConcatQuantizationDiffers", [](ModelT& m) { SetScale(m, "cat", 0.07f); }, kInvalid,
      {"CONCATENATION", "must have the same scale and zero point"});
  add("ConcatAxisSum", [](ModelT& m) { Tn(m, "cat").shape = {1, 4, 4, 9}; }, kInvalid,
      {"inputs sum to 8 along axis 3, the output has 9"});
  add("ConcatOtherDimDiffers",
      [](ModelT& m) { Op(m, "concat").options.AsConcatenationOptions()->axis = 2; }, kInvalid,
      {"differs from the output [1,4,4,8] in dimension 3 (axis is 2)"});
  add("ConcatActivation",
      [](ModelT& m) {
        Op(m, "concat").options.AsConcatenationOptions()->activation = schema::Activation::RELU;
      },
      kInvalid, {"fused activation RELU must be NONE"});
  add("ConcatNoInputs", [](ModelT& m) { Op(m, "concat").inputs.clear(); }, kInvalid,
      {"CONCATENATION \"concat\": has no inputs list"});  // FlatBuffers drops empty vectors

  // RESHAPE / TRANSPOSE.
  add("ReshapeElementCount", [](ModelT& m) { Tn(m, "rs").shape = {1, 16, 9}; }, kInvalid,
      {"RESHAPE \"reshape\"", "has 128 elements, the output shape [1,16,9] has 144"});
  add("ReshapeNewShapeDiffers",
      [](ModelT& m) { Op(m, "reshape").options.AsReshapeOptions()->new_shape = {1, 8, 16}; },
      kInvalid, {"new_shape [1,8,16] differs from the output shape [1,16,8]"});
  add("TransposeNotAPermutation",
      [](ModelT& m) { Op(m, "transpose").options.AsTransposeOptions()->perm = {0, 1, 1}; },
      kInvalid, {"TRANSPOSE \"transpose\"", "perm [0,1,1] is not a permutation of [0, 3)"});
  add("TransposeShape",
      [](ModelT& m) { Op(m, "transpose").options.AsTransposeOptions()->perm = {0, 1, 2}; },
      kInvalid, {"has shape [1,8,16], expected [1,16,8]"});
  add("TransposeQuantization", [](ModelT& m) { Tn(m, "tr").quantization->zero_point[0] = 1; },
      kInvalid, {"TRANSPOSE", "must have the same scale and zero point"});

  // PAD / SLICE.
  add("PadNegative", [](ModelT& m) { Op(m, "pad").options.AsPadOptions()->paddings[2] = -1; },
      kInvalid, {"PAD \"pad\"", "paddings[2] is -1, paddings must be >= 0"});
  add("PadCount", [](ModelT& m) { Op(m, "pad").options.AsPadOptions()->paddings.resize(4); },
      kInvalid, {"paddings has 4 entries, expected 6"});
  add("PadOutputDim", [](ModelT& m) { Op(m, "pad").options.AsPadOptions()->paddings[5] = 3; },
      kInvalid, {"output dimension 2 is 18, expected 19 = 16 + 0 + 3"});
  add("PadValueNotFinite",
      [](ModelT& m) {
        Op(m, "pad").options.AsPadOptions()->constant_value =
            std::numeric_limits<float>::infinity();
      },
      kInvalid, {"constant_value inf must be finite"});
  add("SliceOutOfRange", [](ModelT& m) { Op(m, "slice").options.AsSliceOptions()->begin[1] = 4; },
      kInvalid,
      {"SLICE \"slice\"", "dimension 1: begin 4, size 4, stride 2 do not lie inside the input's 10"});
  add("SliceStrideZero",
      [](ModelT& m) { Op(m, "slice").options.AsSliceOptions()->strides[2] = 0; }, kInvalid,
      {"strides[2] is 0, strides must be >= 1"});
  add("SliceOutputShape", [](ModelT& m) { Op(m, "slice").options.AsSliceOptions()->size[2] = 8; },
      kInvalid, {"has shape [1,4,9], expected size [1,4,8]"});
  add("SliceBeginCount", [](ModelT& m) { Op(m, "slice").options.AsSliceOptions()->begin = {0}; },
      kInvalid, {"begin, size and strides have 1, 3 and 3 entries, expected 3"});

  // RESIZE_NEAREST.
  add("ResizeChannels", [](ModelT& m) { Tn(m, "rz").shape = {1, 8, 8, 5}; }, kInvalid,
      {"RESIZE_NEAREST \"resize\"", "expected the input's batch 1 and channels 4"});
  add("ResizeUnknownMode",
      [](ModelT& m) {
        schema::ResizeNearestOptionsT o;
        o.nearest_mode = static_cast<schema::NearestMode>(9);
        Op(m, "resize").options.Set(std::move(o));
      },
      kInvalid, {"unknown nearest_mode 9"});

  // SOFTMAX.
  add("SoftmaxOutputScale", [](ModelT& m) { SetScale(m, "sm", 0.01f); }, kInvalid,
      {"SOFTMAX \"softmax\"", "expected 0.00390625 (1/256) and -128"});
  add("SoftmaxTableEntryZero",
      [](ModelT& m) {
        auto& data = m.buffers[Tn(m, "exp_table").buffer]->data;
        std::memset(data.data(), 0, 4);
      },
      kInvalid, {"exp table entry 0 is 0", "entry 0 > 0"});
  add("SoftmaxTableEntryTooLarge",
      [](ModelT& m) {
        auto& data = m.buffers[Tn(m, "exp_table").buffer]->data;
        const int32_t v = (1 << 30) + 1;
        std::memcpy(data.data() + 20, &v, 4);
      },
      kInvalid, {"exp table entry 5 is 1073741825"});
  add("SoftmaxTableNotInt32", [](ModelT& m) { Op(m, "softmax").inputs[1] = FindTensor(m, "lut_table"); },
      kInvalid, {"exp table tensor", "\"lut_table\" has type INT8, expected INT32"});
  add("SoftmaxAxis",
      [](ModelT& m) {
        schema::SoftmaxOptionsT o;
        o.axis = 1;
        Op(m, "softmax").options.Set(std::move(o));
      },
      kUnsupported, {"axis 1 is not supported; softmax runs along the last axis (-1 or 2)"});
  add("SoftmaxMissingTable", [](ModelT& m) { Op(m, "softmax").inputs.pop_back(); }, kInvalid,
      {"has 1 inputs and 1 outputs, expected 2 and 1"});

  // LOOKUP_TABLE.
  add("LutTableType", [](ModelT& m) { Tn(m, "lut_table").type = schema::TensorType::UINT8; },
      kInvalid, {"LOOKUP_TABLE \"lut\"", "has type UINT8, expected INT8"});
  add("LutTableIsActivation", [](ModelT& m) { Op(m, "lut").inputs[1] = FindTensor(m, "mp"); },
      kInvalid, {"table tensor", "\"mp\" is an activation; it must be constant"});
  add("LutShape", [](ModelT& m) { Tn(m, "lt").shape = {1, 4, 4, 2, 2}; }, kInvalid,
      {"LOOKUP_TABLE", "has shape [1,4,4,2,2], expected the input's [1,4,4,4]"});

  // PRELU.
  add("PReluAlphaZeroPoint", [](ModelT& m) { Tn(m, "alpha").quantization->zero_point[2] = 1; },
      kInvalid, {"PRELU \"prelu\"", "has zero_point[2] = 1, expected 0"});
  add("PReluAlphaIsActivation", [](ModelT& m) { Op(m, "prelu").inputs[1] = FindTensor(m, "mp"); },
      kInvalid, {"PRELU", "and is an activation, expected a constant INT8"});
  add("PReluAlphaShape",
      [](ModelT& m) {
        Tn(m, "alpha").shape = {2, 2};
        Tn(m, "alpha").quantization->scale = {0.01f};
        Tn(m, "alpha").quantization->zero_point = {0};
        Tn(m, "alpha").quantization->quantized_dimension = -1;
      },
      kInvalid, {"has shape [2,2], expected [4] (one per channel) or [1]"});
  add("PReluSlopeMultiplier",
      [](ModelT& m) { Tn(m, "alpha").quantization->scale[1] = 1e9f; }, kInvalid,
      {"channel 1 negative-slope multiplier", "too large to represent"});
  return c;
}

class VerifierOpsBroken : public ::testing::TestWithParam<BrokenCase> {};

TEST_P(VerifierOpsBroken, FailsNamingTheRule) {
  const BrokenCase& c = GetParam();
  auto model = Unpack(BuildAllOps());
  ASSERT_TRUE(Verify(Pack(*model)).ok()) << "the unbroken model must verify";
  c.mutate(*model);
  const Status s = Verify(Pack(*model));
  EXPECT_EQ(CodeName(s.code()), std::string(CodeName(c.code))) << s.message();
  for (const std::string& phrase : c.phrases) {
    EXPECT_NE(s.message().find(phrase), std::string::npos)
        << "message: " << s.message() << "\nmissing: " << phrase;
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, VerifierOpsBroken, ::testing::ValuesIn(BrokenCases()),
                         [](const ::testing::TestParamInfo<BrokenCase>& p) {
                           return p.param.name;
                         });

}  // namespace
}  // namespace testing
}  // namespace octet
