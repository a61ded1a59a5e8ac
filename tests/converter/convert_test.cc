// End-to-end converter tests: small ONNX models built with the protobuf API,
// imported, rewritten, calibrated (seeded), quantized, written, loaded by the
// runtime and compared with the float executor.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "converter/calibration.h"
#include "converter/float_executor.h"
#include "converter/onnx_import.h"
#include "converter/quantizer.h"
#include "converter/report.h"
#include "kernels/reference_ops.h"
#include "octet/schema/octet_generated.h"

namespace {

using namespace octet::convert;
namespace sc = octet::schema;

// Builds an ONNX model with the protobuf API.
class OnnxBuilder {
 public:
  explicit OnnxBuilder(int opset = 13) {
    model_.set_ir_version(8);
    auto* op = model_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    graph_ = model_.mutable_graph();
    graph_->set_name("test");
  }
  OnnxBuilder& Input(const std::string& name, const std::vector<int64_t>& shape) {
    ValueInfo(graph_->add_input(), name, shape);
    return *this;
  }
  OnnxBuilder& Output(const std::string& name) {
    auto* v = graph_->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
    return *this;
  }
  OnnxBuilder& Init(const std::string& name, const std::vector<int64_t>& shape, const std::vector<float>& data) {
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) t->add_dims(d);
    for (float f : data) t->add_float_data(f);
    return *this;
  }
  OnnxBuilder& InitInt(const std::string& name, const std::vector<int64_t>& shape, const std::vector<int64_t>& data) {
    auto* t = graph_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (int64_t d : shape) t->add_dims(d);
    for (int64_t v : data) t->add_int64_data(v);
    return *this;
  }
  // Random normal initializer, seeded.
  OnnxBuilder& Random(const std::string& name, const std::vector<int64_t>& shape, float sd, float mean = 0) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::normal_distribution<float> dist(mean, sd);
    std::vector<float> v(static_cast<size_t>(n));
    for (float& f : v) f = dist(rng_);
    return Init(name, shape, v);
  }
  onnx::NodeProto* Node(const std::string& op, const std::string& name, const std::vector<std::string>& in,
                        const std::vector<std::string>& out) {
    auto* n = graph_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : in) n->add_input(i);
    for (const auto& o : out) n->add_output(o);
    return n;
  }
  static void Ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void Int(onnx::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  std::string Bytes() const {
    std::string s;
    model_.SerializeToString(&s);
    return s;
  }

 private:
  static void ValueInfo(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& shape) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) tt->mutable_shape()->add_dim()->set_dim_value(d);
  }
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
  std::mt19937 rng_{42};
};

std::vector<Sample> RandomSamples(const Graph& g, int n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, 1.f);
  std::vector<Sample> s;
  const int64_t size = NumElements(g.tensors[static_cast<size_t>(g.inputs[0])].shape);
  for (int i = 0; i < n; ++i) {
    Sample x(static_cast<size_t>(size));
    for (float& f : x) f = dist(rng);
    s.push_back(x);
  }
  return s;
}

bool HasOp(const Graph& g, const std::string& op) {
  for (const auto& n : g.nodes)
    if (n.op == op) return true;
  return false;
}

// conv(3x3) + BN + ReLU -> depthwise 3x3 + ReLU6 -> conv 1x1 -> residual add
// -> Flatten -> Gemm: every op the runtime runs today, once imported.
std::string SmallCnn(int height = 8, int width = 8) {
  OnnxBuilder b;
  b.Input("x", {1, 3, height, width}).Output("logits");
  b.Random("w1", {8, 3, 3, 3}, 0.3f).Random("b1", {8}, 0.1f);
  b.Random("gamma", {8}, 0.1f, 1.f).Random("beta", {8}, 0.1f).Random("mean", {8}, 0.1f);
  b.Random("var", {8}, 0.05f, 1.f);
  b.Random("wd", {8, 1, 3, 3}, 0.3f).Random("w2", {8, 8, 1, 1}, 0.3f).Random("b2", {8}, 0.1f);
  b.Random("fw", {10, 8 * height * width}, 0.05f).Random("fb", {10}, 0.1f);
  b.Init("six", {}, {6.f}).Init("zero", {}, {0.f});
  auto* c1 = b.Node("Conv", "conv1", {"x", "w1", "b1"}, {"c1"});
  OnnxBuilder::Ints(c1, "pads", {1, 1, 1, 1});
  b.Node("BatchNormalization", "bn1", {"c1", "gamma", "beta", "mean", "var"}, {"bn1"});
  b.Node("Relu", "relu1", {"bn1"}, {"r1"});
  auto* dw = b.Node("Conv", "dw", {"r1", "wd"}, {"d"});
  OnnxBuilder::Ints(dw, "pads", {1, 1, 1, 1});
  OnnxBuilder::Int(dw, "group", 8);
  b.Node("Clip", "relu6", {"d", "zero", "six"}, {"d6"});
  b.Node("Conv", "pw", {"d6", "w2", "b2"}, {"c2"});
  b.Node("Add", "residual", {"c2", "r1"}, {"s"});
  b.Node("Flatten", "flatten", {"s"}, {"f"});
  auto* fc = b.Node("Gemm", "fc", {"f", "fw", "fb"}, {"logits"});
  OnnxBuilder::Int(fc, "transB", 1);
  return b.Bytes();
}

const sc::Model* Parse(const std::vector<uint8_t>& bytes) {
  flatbuffers::Verifier v(bytes.data(), bytes.size());
  EXPECT_TRUE(sc::VerifyModelBuffer(v));
  return sc::GetModel(bytes.data());
}

TEST(Convert, RewritesFoldBatchNormAndFuseActivations) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small");
  EXPECT_TRUE(HasOp(g, "BatchNorm"));
  Optimize(g);
  EXPECT_FALSE(HasOp(g, "BatchNorm"));
  EXPECT_FALSE(HasOp(g, "Lut")) << OpSummary(g);  // Relu and Clip(0,6) fused
  EXPECT_FALSE(HasOp(g, "Reshape")) << OpSummary(g);  // Flatten folded into the FC
  int convs = 0;
  for (const auto& n : g.nodes) {
    if (n.op != "Conv") continue;
    ++convs;
    if (n.name == "conv1") { EXPECT_EQ(n.act_lo, 0.f); EXPECT_TRUE(std::isinf(n.act_hi)); }
    if (n.name == "dw") { EXPECT_EQ(n.act_lo, 0.f); EXPECT_EQ(n.act_hi, 6.f); }
  }
  EXPECT_EQ(convs, 3);
}

TEST(Convert, SmallCnnRunsInTheRuntimeWithInt8Io) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small");
  Optimize(g);
  const auto samples = RandomSamples(g, 16, 7);
  for (const Method m : {Method::kMinMax, Method::kPercentile, Method::kEntropy, Method::kMse}) {
    SCOPED_TRACE(MethodName(m));
    const auto ranges = Calibrate(g, samples, m, 99.99f, true);
    QuantOptions o;
    o.int8_io = true;
    const QuantResult q = Quantize(g, ranges, o);
    const sc::Model* model = Parse(q.model);
    for (const auto* op : *model->operators()) {
      EXPECT_TRUE(op->type() == sc::OpType::CONV_2D || op->type() == sc::OpType::DEPTHWISE_CONV_2D ||
                  op->type() == sc::OpType::FULLY_CONNECTED || op->type() == sc::OpType::ADD)
          << sc::EnumNameOpType(op->type());
    }
    const AccuracyReport r = MeasureAccuracy(g, q, samples, true);
    ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
    ASSERT_EQ(r.runtime.size(), 1u);
    // Entropy (KL) clips hard on 16 samples' sparse histograms (ReLU outputs
    // lose their tail, which the residual add then needs): measured, not hidden.
    EXPECT_GT(r.runtime[0].sqnr_db, m == Method::kEntropy ? 5.0 : 25.0);
    // The simulation predicts the runtime within a dB or so.
    EXPECT_NEAR(r.runtime[0].sqnr_db, r.simulated[0].sqnr_db, 2.0);
    if (m != Method::kEntropy) {
      EXPECT_GT(r.runtime[0].top1_agreement, 0.8);
    }
  }
}

TEST(Convert, PerTensorWeightsAlsoRun) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small");
  Optimize(g);
  const auto samples = RandomSamples(g, 8, 3);
  QuantOptions o;
  o.int8_io = true;
  o.per_tensor = true;
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMinMax, 99.99f, true), o);
  const AccuracyReport r = MeasureAccuracy(g, q, samples, true);
  ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
  EXPECT_GT(r.runtime[0].sqnr_db, 20.0);
}

TEST(Convert, MatMulPlusAddBecomesFullyConnectedWithBias) {
  OnnxBuilder b;
  b.Input("x", {4, 16}).Output("y");
  b.Random("w", {16, 5}, 0.3f).Random("bias", {5}, 0.5f);
  b.Node("MatMul", "mm", {"x", "w"}, {"m"});
  b.Node("Add", "add", {"m", "bias"}, {"a"});
  b.Node("Relu", "relu", {"a"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes(), "mm");
  Optimize(g);
  ASSERT_EQ(g.nodes.size(), 1u) << OpSummary(g);
  EXPECT_EQ(g.nodes[0].op, "FC");
  EXPECT_GE(g.nodes[0].inputs[2], 0);
  const auto samples = RandomSamples(g, 8, 5);
  QuantOptions o;
  o.int8_io = true;
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMinMax, 99.99f, true), o);
  const AccuracyReport r = MeasureAccuracy(g, q, samples, true);
  ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
  EXPECT_GT(r.runtime[0].sqnr_db, 30.0);
}

TEST(Convert, ShapeArithmeticIsFolded) {
  // Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): a torch Flatten.
  OnnxBuilder b;
  b.Input("x", {2, 3, 4, 4}).Output("y");
  b.InitInt("zero", {}, {0}).InitInt("axes", {1}, {0}).InitInt("minus1", {1}, {-1});
  b.Node("Shape", "shape", {"x"}, {"s"});
  OnnxBuilder::Int(b.Node("Gather", "gather", {"s", "zero"}, {"n"}), "axis", 0);
  b.Node("Unsqueeze", "unsqueeze", {"n", "axes"}, {"nu"});
  OnnxBuilder::Int(b.Node("Concat", "concat", {"nu", "minus1"}, {"shape2"}), "axis", 0);
  b.Node("Reshape", "reshape", {"x", "shape2"}, {"r"});
  b.Node("Identity", "identity", {"r"}, {"i"});
  b.Node("Sigmoid", "sigmoid", {"i"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes(), "fold");
  ASSERT_EQ(g.nodes.size(), 2u) << OpSummary(g);
  EXPECT_EQ(g.nodes[0].op, "Reshape");
  EXPECT_EQ(g.tensors[static_cast<size_t>(g.nodes[0].outputs[0])].shape, (Shape{2, 48}));
  Optimize(g);
  const auto samples = RandomSamples(g, 2, 1);
  const auto v = RunFloat(g, samples[0].empty() ? std::vector<Sample>{} : std::vector<Sample>{samples[0]});
  // The NCHW flatten order is preserved through the NHWC layout.
  const auto& y = v[static_cast<size_t>(g.outputs[0])];
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], 1.f / (1.f + std::exp(-samples[0][i])), 1e-6f);
}

TEST(Convert, UnsupportedOpsAreAllListed) {
  OnnxBuilder b;
  b.Input("x", {1, 4}).Output("y");
  b.Node("Erf", "erf_a", {"x"}, {"a"});
  b.Node("Relu", "relu", {"a"}, {"b"});
  b.Node("Erf", "erf_b", {"b"}, {"c"});
  b.Node("Cos", "cosine", {"c"}, {"y"});
  try {
    ImportOnnxBytes(b.Bytes(), "bad");
    FAIL() << "no error";
  } catch (const ConvertError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("unsupported ONNX operators (2 types)"), std::string::npos) << m;
    EXPECT_NE(m.find("Erf (2 nodes: erf_a, erf_b)"), std::string::npos) << m;
    EXPECT_NE(m.find("Cos (1 node: cosine)"), std::string::npos) << m;
  }
}

TEST(Convert, NotAnOnnxFileIsAnError) {
  EXPECT_THROW(ImportOnnxBytes("this is not protobuf", "junk"), ConvertError);
  EXPECT_THROW(ImportOnnxFile("/nonexistent/model.onnx"), ConvertError);
}

TEST(Convert, MissingCalibrationIsAnErrorThatSaysWhatToDo) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small");
  Optimize(g);
  CalibrationOptions o;
  try {
    LoadCalibration(g, o);
    FAIL() << "no error";
  } catch (const ConvertError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("no calibration data"), std::string::npos) << m;
    EXPECT_NE(m.find("--calib"), std::string::npos) << m;
    EXPECT_NE(m.find("[1,3,8,8]"), std::string::npos) << m;
  }
  o.random = true;
  o.limit = 3;
  EXPECT_EQ(LoadCalibration(g, o).size(), 3u);
}

TEST(Convert, NpyCalibrationBatchesAndShapeErrors) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small");
  Optimize(g);
  const std::string dir = ::testing::TempDir();
  std::vector<float> data(5 * 3 * 8 * 8);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<float>(i % 17) / 17.f;
  WriteNpy(dir + "/batch.npy", {5, 3, 8, 8}, data);
  const NpyArray back = ReadNpy(dir + "/batch.npy");
  EXPECT_EQ(back.shape, (Shape{5, 3, 8, 8}));
  EXPECT_EQ(back.data, data);
  CalibrationOptions o;
  o.paths = {dir + "/batch.npy"};
  EXPECT_EQ(LoadCalibration(g, o).size(), 5u);
  o.limit = 2;
  EXPECT_EQ(LoadCalibration(g, o).size(), 2u);
  WriteNpy(dir + "/wrong.npy", {2, 8, 8, 3}, std::vector<float>(2 * 8 * 8 * 3));
  o.paths = {dir + "/wrong.npy"};
  try {
    LoadCalibration(g, o);
    FAIL() << "no error";
  } catch (const ConvertError& e) {
    EXPECT_NE(std::string(e.what()).find("has shape [2,8,8,3], expected [1,3,8,8]"), std::string::npos) << e.what();
  }
}

TEST(Convert, FloatIoModelKeepsOnnxShapesAndMetadata) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small.onnx");
  Optimize(g);
  const auto samples = RandomSamples(g, 4, 9);
  QuantOptions o;
  o.source_model = "small.onnx";
  o.calibration_method = "minmax";
  o.calibration_samples = 4;
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMinMax, 99.99f, true), o);
  const sc::Model* m = Parse(q.model);
  ASSERT_EQ(m->inputs()->size(), 1u);
  const auto* in = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(m->inputs()->Get(0)));
  EXPECT_EQ(in->type(), sc::TensorType::FLOAT32);
  EXPECT_EQ(std::vector<int>(in->shape()->begin(), in->shape()->end()), (std::vector<int>{1, 3, 8, 8}));
  EXPECT_EQ(in->name()->str(), "x");
  const auto* out = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(m->outputs()->Get(0)));
  EXPECT_EQ(out->type(), sc::TensorType::FLOAT32);
  EXPECT_EQ(out->name()->str(), "logits");
  EXPECT_EQ(m->operators()->Get(0)->type(), sc::OpType::QUANTIZE);
  EXPECT_EQ(m->operators()->Get(1)->type(), sc::OpType::TRANSPOSE);
  EXPECT_EQ(m->operators()->Get(m->operators()->size() - 1)->type(), sc::OpType::DEQUANTIZE);
  EXPECT_EQ(m->metadata()->producer()->str(), "octet-convert");
  EXPECT_EQ(m->metadata()->source_model()->str(), "small.onnx");
  EXPECT_EQ(m->metadata()->calibration_samples(), 4);
  // Every conv weight is symmetric int8 in [-127, 127] with one scale per channel.
  for (const auto* op : *m->operators()) {
    if (op->type() != sc::OpType::CONV_2D) continue;
    const auto* w = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(op->inputs()->Get(1)));
    EXPECT_EQ(w->quantization()->scale()->size(), static_cast<size_t>(w->shape()->Get(0)));
    for (uint8_t byte : *m->buffers()->Get(w->buffer())->data()) EXPECT_NE(static_cast<int8_t>(byte), -128);
  }
}

TEST(Convert, SharedScalesForConcatAndPools) {
  // Two convs concatenated, max-pooled, then averaged: concat inputs, concat
  // output and the max-pool output share one scale and zero point.
  OnnxBuilder b;
  b.Input("x", {1, 2, 6, 6}).Output("y");
  b.Random("wa", {3, 2, 1, 1}, 0.5f).Random("wb", {4, 2, 1, 1}, 2.f);
  b.Node("Conv", "a", {"x", "wa"}, {"ca"});
  b.Node("Conv", "b", {"x", "wb"}, {"cb"});
  OnnxBuilder::Int(b.Node("Concat", "cat", {"ca", "cb"}, {"cat"}), "axis", 1);
  auto* mp = b.Node("MaxPool", "pool", {"cat"}, {"p"});
  OnnxBuilder::Ints(mp, "kernel_shape", {2, 2});
  OnnxBuilder::Ints(mp, "strides", {2, 2});
  b.Node("GlobalAveragePool", "gap", {"p"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes(), "cat");
  Optimize(g);
  const auto samples = RandomSamples(g, 4, 2);
  QuantOptions o;
  o.int8_io = true;
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMinMax, 99.99f, true), o);
  const sc::Model* m = Parse(q.model);
  auto params = [&](int t) {
    const auto* tq = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(t))->quantization();
    return std::make_pair(tq->scale()->Get(0), tq->zero_point()->Get(0));
  };
  int checked = 0;
  for (const auto* op : *m->operators()) {
    if (op->type() == sc::OpType::CONCATENATION || op->type() == sc::OpType::MAX_POOL_2D) {
      for (int in : *op->inputs()) EXPECT_EQ(params(in), params(op->outputs()->Get(0)));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2);
  // The simulated int8 model still tracks float, and so does the runtime.
  const AccuracyReport r = MeasureAccuracy(g, q, samples, true);
  EXPECT_GT(r.simulated[0].sqnr_db, 30.0);
  ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
  EXPECT_GT(r.runtime[0].sqnr_db, 30.0);
}

TEST(Convert, LookupTablesAndSoftmax) {
  OnnxBuilder b;
  b.Input("x", {2, 6}).Output("y");
  b.Random("w", {6, 6}, 0.5f);
  b.Node("MatMul", "mm", {"x", "w"}, {"m"});
  b.Node("HardSwish", "hs", {"m"}, {"h"});
  b.Node("Tanh", "tanh", {"h"}, {"t"});
  b.Node("Softmax", "softmax", {"t"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes(), "lut");
  Optimize(g);
  const auto samples = RandomSamples(g, 16, 4);
  QuantOptions o;
  o.int8_io = true;
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMinMax, 99.99f, true), o);
  const sc::Model* m = Parse(q.model);
  int luts = 0, softmax = 0;
  for (const auto* op : *m->operators()) {
    luts += op->type() == sc::OpType::LOOKUP_TABLE;
    if (op->type() == sc::OpType::SOFTMAX) {
      ++softmax;
      const auto* y = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(op->outputs()->Get(0)));
      EXPECT_EQ(y->quantization()->scale()->Get(0), 1.f / 256.f);
      EXPECT_EQ(y->quantization()->zero_point()->Get(0), -128);
      const auto* table = m->tensors()->Get(static_cast<flatbuffers::uoffset_t>(op->inputs()->Get(1)));
      EXPECT_EQ(table->type(), sc::TensorType::INT32);
      int32_t first;
      std::memcpy(&first, m->buffers()->Get(table->buffer())->data()->data(), 4);
      EXPECT_EQ(first, 1 << 30);
    }
  }
  EXPECT_EQ(luts, 2);
  EXPECT_EQ(softmax, 1);
  const AccuracyReport r = MeasureAccuracy(g, q, samples, true);
  EXPECT_GT(r.simulated[0].sqnr_db, 25.0);
  ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
  EXPECT_GT(r.runtime[0].sqnr_db, 25.0);
}

TEST(Convert, ConstantOperandsBecomeTablesOrDepthwise) {
  // (x * 2 + 1) per element, then a per-channel scale and shift of a 4-D
  // tensor: the runtime takes no constant data inputs.
  OnnxBuilder b;
  b.Input("x", {1, 3, 5, 5}).Output("y");
  b.Init("two", {}, {2.f}).Init("one", {1}, {1.f});
  b.Init("scale", {1, 3, 1, 1}, {0.5f, -1.f, 2.f}).Init("shift", {3, 1, 1}, {0.1f, 0.2f, -0.3f});
  b.Node("Mul", "mul2", {"x", "two"}, {"a"});
  b.Node("Add", "add1", {"a", "one"}, {"b"});
  b.Node("Sigmoid", "sig", {"b"}, {"c"});
  b.Node("Mul", "scale", {"c", "scale"}, {"d"});
  b.Node("Add", "shift", {"d", "shift"}, {"y"});
  Graph g = ImportOnnxBytes(b.Bytes(), "const");
  Optimize(g);
  const auto samples = RandomSamples(g, 8, 11);
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMinMax, 99.99f, true), QuantOptions{});
  const sc::Model* m = Parse(q.model);
  int luts = 0, dw = 0;
  for (const auto* op : *m->operators()) {
    luts += op->type() == sc::OpType::LOOKUP_TABLE;
    dw += op->type() == sc::OpType::DEPTHWISE_CONV_2D;
    EXPECT_NE(op->type(), sc::OpType::ADD);
    EXPECT_NE(op->type(), sc::OpType::MUL);
  }
  EXPECT_EQ(luts, 3);
  EXPECT_EQ(dw, 2);
  const AccuracyReport r = MeasureAccuracy(g, q, samples, false);
  ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
  EXPECT_GT(r.runtime[0].sqnr_db, 30.0);
}

TEST(Convert, FloatIoModelRunsInTheRuntime) {
  Graph g = ImportOnnxBytes(SmallCnn(), "small");
  Optimize(g);
  const auto samples = RandomSamples(g, 8, 13);
  const QuantResult q = Quantize(g, Calibrate(g, samples, Method::kMse, 99.99f, true), QuantOptions{});
  const AccuracyReport r = MeasureAccuracy(g, q, samples, false);
  ASSERT_TRUE(r.runtime_ran) << r.runtime_note;
  EXPECT_GT(r.runtime[0].sqnr_db, 25.0);
  EXPECT_NEAR(r.runtime[0].sqnr_db, r.simulated[0].sqnr_db, 1.0);
}

TEST(Observers, ThresholdsOnAGaussianWithOutliers) {
  // |x| of N(0,1) plus a few far outliers, 2048 bins over [0, 20].
  std::vector<double> hist(2048, 0.0);
  std::mt19937 rng(1);
  std::normal_distribution<float> dist(0.f, 1.f);
  for (int i = 0; i < 200000; ++i) {
    const float v = std::fabs(dist(rng));
    hist[static_cast<size_t>(std::min(2047.f, v / 20.f * 2048.f))] += 1;
  }
  hist[2047] += 5;
  const float p = PercentileThreshold(hist, 20.f, 99.99f);
  EXPECT_GT(p, 3.0f);
  EXPECT_LT(p, 5.0f);
  const float e = EntropyThreshold(hist, 20.f, 128);
  EXPECT_GT(e, 2.0f);
  EXPECT_LT(e, 8.0f);
  // Five outliers at 20 are worth keeping for the squared error...
  EXPECT_GT(MseThreshold(hist, 20.f, 127), 10.0f);
  // ...but without them MSE clips the Gaussian tail.
  hist[2047] -= 5;
  const float m = MseThreshold(hist, 20.f, 127);
  EXPECT_GT(m, 2.0f);
  EXPECT_LT(m, 6.0f);
}

TEST(Quantizer, SoftmaxExpTableFollowsOpsMd) {
  int32_t t[256];
  octet::ComputeSoftmaxExpTable(1.f, 0.1f, t);
  EXPECT_EQ(t[0], 1 << 30);
  EXPECT_EQ(t[10], static_cast<int32_t>(std::floor(std::ldexp(std::exp(-10.0 * static_cast<double>(0.1f)), 30) + 0.5)));
  for (int d = 1; d < 256; ++d) EXPECT_LE(t[d], t[d - 1]);
}

TEST(Quantizer, ChooseParamsCoversZeroExactly) {
  const QParams p = ChooseParams(0.f, 6.f);
  EXPECT_EQ(p.zero_point, -128);
  EXPECT_FLOAT_EQ(p.scale, 6.f / 255.f);
  const QParams q = ChooseParams(-1.f, 3.f);
  EXPECT_NEAR(q.scale * (127 - q.zero_point), 3.f, q.scale);
  EXPECT_NEAR(q.scale * (-128 - q.zero_point), -1.f, q.scale);
}

}  // namespace
