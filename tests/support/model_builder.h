// Builds .octet models in memory for tests, benchmarks and examples.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "octet/schema/octet_generated.h"

namespace octet {
namespace testing {

// Theory of operation: a thin layer over the generated FlatBuffers builder.
// Tensors and buffers are collected as plain structs and serialized by
// Finish(), so a test may build deliberately broken models (any index, any
// size, any scale) — the builder checks nothing.
class ModelBuilder {
 public:
  ModelBuilder();

  // Adds a constant buffer; returns its index (0 is the reserved empty one).
  uint32_t AddBuffer(const void* data, size_t bytes);

  // Generic tensor. Empty `scales` means no quantization table.
  int AddTensor(const std::string& name, const std::vector<int32_t>& shape,
                schema::TensorType type, const std::vector<float>& scales = {},
                const std::vector<int32_t>& zero_points = {}, int quantized_dimension = -1,
                uint32_t buffer = 0);

  // An int8 activation with per-tensor quantization.
  int AddActivation(const std::string& name, const std::vector<int32_t>& shape, float scale,
                    int32_t zero_point);
  // A float32 activation (model inputs/outputs around QUANTIZE/DEQUANTIZE).
  int AddFloatActivation(const std::string& name, const std::vector<int32_t>& shape);

  // Constant int8 weights, per-channel along `quantized_dimension` (one scale
  // per channel, zero points 0) or per tensor when scales has one entry.
  int AddWeights(const std::string& name, const std::vector<int32_t>& shape,
                 const std::vector<int8_t>& data, const std::vector<float>& scales,
                 int quantized_dimension);
  // Constant int32 bias with per-channel scales (s_in * s_w[c]).
  int AddBias(const std::string& name, const std::vector<int32_t>& data,
              const std::vector<float>& scales);

  void AddConv2D(const std::string& name, int input, int filter, int bias, int output,
                 const schema::Conv2DOptionsT& options);
  void AddDepthwiseConv2D(const std::string& name, int input, int filter, int bias, int output,
                          const schema::DepthwiseConv2DOptionsT& options);
  void AddFullyConnected(const std::string& name, int input, int filter, int bias, int output,
                         const schema::FullyConnectedOptionsT& options = {});
  void AddAdd(const std::string& name, int a, int b, int output,
              const schema::AddOptionsT& options = {});
  void AddMul(const std::string& name, int a, int b, int output,
              const schema::MulOptionsT& options = {});
  // MAX_POOL_2D or AVERAGE_POOL_2D.
  void AddPool2D(schema::OpType type, const std::string& name, int input, int output,
                 const schema::Pool2DOptionsT& options);
  void AddGlobalAveragePool2D(const std::string& name, int input, int output,
                              bool keep_dims = true);
  void AddConcatenation(const std::string& name, const std::vector<int32_t>& inputs, int output,
                        int axis);
  void AddReshape(const std::string& name, int input, int output,
                  const std::vector<int32_t>& new_shape = {});
  void AddTranspose(const std::string& name, int input, int output,
                    const std::vector<int32_t>& perm);
  void AddPad(const std::string& name, int input, int output, const std::vector<int32_t>& paddings,
              float constant_value = 0.0f);
  void AddSlice(const std::string& name, int input, int output, const std::vector<int32_t>& begin,
                const std::vector<int32_t>& size, const std::vector<int32_t>& strides = {});
  void AddResizeNearest(const std::string& name, int input, int output,
                        const schema::ResizeNearestOptionsT& options = {});
  // SOFTMAX with its exp table (input 1, a constant INT32 [256]).
  void AddSoftmax(const std::string& name, int input, int exp_table, int output, float beta = 1.0f);
  // A constant INT32 [256] softmax exp table / INT8 [256] lookup table.
  int AddSoftmaxExpTable(const std::string& name, const std::vector<int32_t>& table);
  int AddLookupTableData(const std::string& name, const std::vector<int8_t>& table);
  void AddLookupTable(const std::string& name, int input, int table, int output);
  void AddPRelu(const std::string& name, int input, int alpha, int output);
  void AddQuantize(const std::string& name, int input, int output);
  void AddDequantize(const std::string& name, int input, int output);
  void AddRequantize(const std::string& name, int input, int output);
  // Any operator with its options already packed as a union.
  void AddOperator(schema::OpType type, const std::string& name, const std::vector<int32_t>& inputs,
                   const std::vector<int32_t>& outputs, schema::OpOptionsUnion options);

  void SetInputs(const std::vector<int32_t>& inputs) { model_.inputs = inputs; }
  void SetOutputs(const std::vector<int32_t>& outputs) { model_.outputs = outputs; }
  void SetFormatVersion(uint32_t version) { model_.format_version = version; }
  // Direct access for tests that break things on purpose.
  schema::ModelT& model() { return model_; }

  // Serializes with the "OCT1" identifier.
  std::vector<uint8_t> Finish() const;

 private:
  schema::ModelT model_;
};

// Per-channel scales for weights, drawn so that M = s_in * s_w / s_out stays
// in a realistic range.
std::vector<float> RandomScales(std::mt19937& rng, int count, float lo, float hi);
std::vector<int8_t> RandomInt8(std::mt19937& rng, size_t count, int lo = -128, int hi = 127);
std::vector<int32_t> RandomInt32(std::mt19937& rng, size_t count, int32_t lo, int32_t hi);

// Output size of a convolution/pool along one axis (floor mode).
int ConvOutputSize(int input, int kernel, int stride, int dilation, int pad_before, int pad_after);

// A small random CNN (conv 3x3 -> depthwise 3x3 -> conv 1x1, residual add,
// global reshape-free fully connected head) used by the demo, bench and
// install tests. Deterministic for a given seed.
std::vector<uint8_t> BuildExampleModel(uint32_t seed, int height = 32, int width = 32,
                                       int channels = 16, int classes = 10);

}  // namespace testing
}  // namespace octet
