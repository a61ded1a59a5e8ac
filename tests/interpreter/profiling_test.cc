// Introspection and profiling through the C API: operator descriptions
// (type, name, output shape, kernel, MACs) and the profiled invoke, which must
// give the same outputs as the plain one.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "model_builder.h"
#include "octet/octet.h"

namespace octet {
namespace {

struct Loaded {
  std::vector<uint8_t> bytes;
  octet_model* model = nullptr;
  octet_interpreter* interp = nullptr;
  ~Loaded() {
    octet_interpreter_destroy(interp);
    octet_model_destroy(model);
  }
};

void Load(Loaded* l, uint32_t seed = 3) {
  l->bytes = testing::BuildExampleModel(seed);
  ASSERT_EQ(octet_model_load_buffer(l->bytes.data(), l->bytes.size(), &l->model), OCTET_OK)
      << octet_last_error();
  ASSERT_EQ(octet_interpreter_create(l->model, nullptr, &l->interp), OCTET_OK)
      << octet_last_error();
  octet_tensor* in = nullptr;
  ASSERT_EQ(octet_interpreter_input(l->interp, 0, &in), OCTET_OK);
  std::mt19937 rng(5);
  const auto data = testing::RandomInt8(rng, octet_tensor_byte_size(in));
  ASSERT_EQ(octet_tensor_copy_from_buffer(in, data.data(), data.size()), OCTET_OK);
}

std::vector<int8_t> Output(octet_interpreter* interp) {
  octet_tensor* out = nullptr;
  EXPECT_EQ(octet_interpreter_output(interp, 0, &out), OCTET_OK);
  std::vector<int8_t> v(octet_tensor_byte_size(out));
  EXPECT_EQ(octet_tensor_copy_to_buffer(out, v.data(), v.size()), OCTET_OK);
  return v;
}

TEST(Profiling, OpInfoDescribesTheExampleModel) {
  Loaded l;
  ASSERT_NO_FATAL_FAILURE(Load(&l));
  ASSERT_EQ(octet_interpreter_op_count(l.interp), 6);
  // conv0 3x3 3->16 on 32x32; dw1 3x3 on 32x32x16; pw2 1x1 16->16; add3;
  // conv4 3x3 s2 16->32 to 16x16; fc5 8192->10.
  struct Expected {
    const char* type;
    const char* name;
    std::vector<int32_t> shape;
    uint64_t macs;
    const char* kernel_prefix;  // <type>_<op>_: a tile may follow (kernels/README.md)
  };
  const Expected expected[] = {
      {"CONV_2D", "conv0", {1, 32, 32, 16}, 32ull * 32 * 16 * 27, "qs8_conv2d_"},
      {"DEPTHWISE_CONV_2D", "dw1", {1, 32, 32, 16}, 32ull * 32 * 16 * 9, "qs8_dwconv2d_"},
      {"CONV_2D", "pw2", {1, 32, 32, 16}, 32ull * 32 * 16 * 16, "qs8_conv2d_"},
      {"ADD", "add3", {1, 32, 32, 16}, 0, "qs8_add_"},
      {"CONV_2D", "conv4", {1, 16, 16, 32}, 16ull * 16 * 32 * 144, "qs8_conv2d_"},
      {"FULLY_CONNECTED", "fc5", {1, 10}, 8192ull * 10, "qs8_fully_connected_"},
  };
  for (int i = 0; i < 6; ++i) {
    SCOPED_TRACE("operator " + std::to_string(i));
    octet_op_info info;
    ASSERT_EQ(octet_interpreter_op_info(l.interp, i, &info), OCTET_OK);
    EXPECT_STREQ(info.type, expected[i].type);
    EXPECT_STREQ(info.name, expected[i].name);
    EXPECT_STREQ(info.output_name, i == 5 ? "logits" : expected[i].name);
    ASSERT_EQ(info.output_num_dims, static_cast<int>(expected[i].shape.size()));
    EXPECT_EQ(std::vector<int32_t>(info.output_dims, info.output_dims + info.output_num_dims),
              expected[i].shape);
    EXPECT_EQ(info.macs, expected[i].macs);
    EXPECT_EQ(std::string(info.kernel).rfind(expected[i].kernel_prefix, 0), 0u) << info.kernel;
  }
}

TEST(Profiling, ProfiledInvokeGivesTheSameOutputsAndTimesEveryOp) {
  Loaded l;
  ASSERT_NO_FATAL_FAILURE(Load(&l));
  ASSERT_EQ(octet_interpreter_invoke(l.interp), OCTET_OK);
  const auto plain = Output(l.interp);
  std::vector<uint64_t> ns(6, ~uint64_t{0});
  ASSERT_EQ(octet_interpreter_invoke_profiled(l.interp, ns.data(), ns.size()), OCTET_OK);
  EXPECT_EQ(Output(l.interp), plain);
  for (int i = 0; i < 6; ++i) {
    EXPECT_NE(ns[i], ~uint64_t{0}) << "operator " << i << " not timed";
    EXPECT_LT(ns[i], uint64_t{10} * 1000 * 1000 * 1000) << "operator " << i;
  }
  // The 3x3 conv to 32 channels does ~2.7x the MACs of any other op: it
  // must be measurable at all.
  EXPECT_GT(ns[4], 0u);
}

TEST(Profiling, BadCallsAreErrors) {
  Loaded l;
  ASSERT_NO_FATAL_FAILURE(Load(&l));
  octet_op_info info;
  EXPECT_EQ(octet_interpreter_op_info(l.interp, 6, &info), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(octet_interpreter_error(l.interp)).find("out of range"), std::string::npos);
  EXPECT_EQ(octet_interpreter_op_info(l.interp, -1, &info), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_interpreter_op_info(nullptr, 0, &info), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_interpreter_op_info(l.interp, 0, nullptr), OCTET_ERROR_INVALID_ARGUMENT);
  uint64_t ns[5];
  EXPECT_EQ(octet_interpreter_invoke_profiled(l.interp, ns, 5), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::string(octet_interpreter_error(l.interp)).find("6 operators"), std::string::npos);
  EXPECT_EQ(octet_interpreter_invoke_profiled(l.interp, nullptr, 6), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_interpreter_invoke_profiled(nullptr, ns, 5), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(octet_interpreter_op_count(nullptr), 0);
}

}  // namespace
}  // namespace octet
