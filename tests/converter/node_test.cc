// The converter's float reference executor against Debian's libonnx-testdata
// float node tests: import -> Optimize (NHWC inside, boundary transposes) ->
// RunFloat, compared with the expected outputs.
//
// Inputs that a real model holds as initializers (weights, shapes, pads,
// scales, clip bounds) are baked into the test model as initializers, since
// the converter requires them constant. Cases that use a feature the
// converter rejects (1-D/3-D pooling, training-mode BatchNorm, ...) are
// reported as skipped with the converter's message.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "converter/float_executor.h"
#include "converter/onnx_import.h"

namespace {

namespace fs = std::filesystem;
using octet::convert::ConvertError;

const char* kData = "/usr/share/libonnx-testdata/data/node";

std::string ReadFile(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<float> Floats(const onnx::TensorProto& t) {
  int64_t n = 1;
  for (auto d : t.dims()) n *= d;
  std::vector<float> v(static_cast<size_t>(n));
  if (t.data_type() != onnx::TensorProto::FLOAT) return {};
  if (t.has_raw_data()) {
    std::memcpy(v.data(), t.raw_data().data(), v.size() * 4);
  } else {
    for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = t.float_data(static_cast<int>(i));
  }
  return v;
}

// Ops whose inputs after the first are constant in real models.
const std::set<std::string> kBakeRest = {"Conv", "Gemm", "MatMul", "PRelu", "BatchNormalization",
                                         "Reshape", "Pad", "Slice", "Resize", "Clip"};

std::vector<std::string> Cases() {
  static const char* prefixes[] = {
      "test_conv_", "test_gemm_", "test_matmul_", "test_add", "test_mul", "test_relu", "test_clip",
      "test_maxpool_", "test_averagepool_", "test_globalaveragepool", "test_concat_",
      "test_reshape_", "test_flatten_", "test_transpose_", "test_pad", "test_constant_pad",
      "test_slice", "test_resize_", "test_softmax_", "test_sigmoid", "test_tanh",
      "test_hardsigmoid", "test_hardswish", "test_leakyrelu", "test_prelu", "test_batchnorm_"};
  std::vector<std::string> out;
  if (!fs::exists(kData)) return out;
  for (const auto& e : fs::directory_iterator(kData)) {
    const std::string n = e.path().filename().string();
    for (const char* p : prefixes) {
      if (n.rfind(p, 0) == 0 && n.find("_expanded") == std::string::npos &&
          n.find("uint8") == std::string::npos && n.find("int8") == std::string::npos &&
          n.find("integer") == std::string::npos) {
        out.push_back(n);
        break;
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class NodeTest : public ::testing::TestWithParam<std::string> {};

TEST_P(NodeTest, MatchesOnnx) {
  const fs::path dir = fs::path(kData) / GetParam();
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(ReadFile(dir / "model.onnx")));
  const fs::path set = dir / "test_data_set_0";
  const auto& node = model.graph().node(0);
  const bool bake = kBakeRest.count(node.op_type()) != 0;
  std::vector<std::vector<float>> inputs;
  int k = 0;
  for (const auto& in : model.graph().input()) {
    onnx::TensorProto t;
    ASSERT_TRUE(t.ParseFromString(ReadFile(set / ("input_" + std::to_string(k) + ".pb"))));
    if (bake && k > 0) {
      t.set_name(in.name());
      *model.mutable_graph()->add_initializer() = t;
    } else {
      if (t.data_type() != onnx::TensorProto::FLOAT) GTEST_SKIP() << "non-float input";
      inputs.push_back(Floats(t));
    }
    ++k;
  }
  std::string bytes;
  model.SerializeToString(&bytes);
  octet::convert::Graph g;
  try {
    g = octet::convert::ImportOnnxBytes(bytes, GetParam());
    octet::convert::Optimize(g);
  } catch (const ConvertError& e) {
    GTEST_SKIP() << "converter rejects it: " << e.what();
  }
  const auto values = octet::convert::RunFloat(g, inputs);
  ASSERT_EQ(g.outputs.size(), static_cast<size_t>(model.graph().output_size()));
  for (int o = 0; o < model.graph().output_size(); ++o) {
    onnx::TensorProto t;
    ASSERT_TRUE(t.ParseFromString(ReadFile(set / ("output_" + std::to_string(o) + ".pb"))));
    const std::vector<float> want = Floats(t);
    const auto& got = values[static_cast<size_t>(g.outputs[static_cast<size_t>(o)])];
    std::vector<int64_t> dims(t.dims().begin(), t.dims().end());
    ASSERT_EQ(g.tensors[static_cast<size_t>(g.outputs[static_cast<size_t>(o)])].shape, dims);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      ASSERT_NEAR(got[i], want[i], 1e-5 + 1e-4 * std::fabs(want[i])) << "element " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Onnx, NodeTest, ::testing::ValuesIn(Cases()),
                         [](const auto& param_info) { return param_info.param; });

}  // namespace
