// Builds .octet models in memory for tests, benchmarks and examples.
#include "model_builder.h"

#include <algorithm>
#include <cstring>

namespace octet {
namespace testing {

ModelBuilder::ModelBuilder() {
  model_.format_version = 1;
  model_.buffers.push_back(std::make_unique<schema::BufferT>());  // buffer 0: empty
}

uint32_t ModelBuilder::AddBuffer(const void* data, size_t bytes) {
  auto buffer = std::make_unique<schema::BufferT>();
  buffer->data.resize(bytes);
  if (bytes) std::memcpy(buffer->data.data(), data, bytes);
  model_.buffers.push_back(std::move(buffer));
  return static_cast<uint32_t>(model_.buffers.size() - 1);
}

int ModelBuilder::AddTensor(const std::string& name, const std::vector<int32_t>& shape,
                            schema::TensorType type, const std::vector<float>& scales,
                            const std::vector<int32_t>& zero_points, int quantized_dimension,
                            uint32_t buffer) {
  auto tensor = std::make_unique<schema::TensorT>();
  tensor->name = name;
  tensor->shape = shape;
  tensor->type = type;
  tensor->buffer = buffer;
  if (!scales.empty() || !zero_points.empty()) {
    tensor->quantization = std::make_unique<schema::QuantizationT>();
    tensor->quantization->scale = scales;
    tensor->quantization->zero_point = zero_points;
    tensor->quantization->quantized_dimension = quantized_dimension;
  }
  model_.tensors.push_back(std::move(tensor));
  return static_cast<int>(model_.tensors.size() - 1);
}

int ModelBuilder::AddActivation(const std::string& name, const std::vector<int32_t>& shape,
                                float scale, int32_t zero_point) {
  return AddTensor(name, shape, schema::TensorType::INT8, {scale}, {zero_point});
}

int ModelBuilder::AddFloatActivation(const std::string& name, const std::vector<int32_t>& shape) {
  return AddTensor(name, shape, schema::TensorType::FLOAT32);
}

int ModelBuilder::AddWeights(const std::string& name, const std::vector<int32_t>& shape,
                             const std::vector<int8_t>& data, const std::vector<float>& scales,
                             int quantized_dimension) {
  const uint32_t buffer = AddBuffer(data.data(), data.size());
  return AddTensor(name, shape, schema::TensorType::INT8, scales,
                   std::vector<int32_t>(scales.size(), 0),
                   scales.size() > 1 ? quantized_dimension : -1, buffer);
}

int ModelBuilder::AddBias(const std::string& name, const std::vector<int32_t>& data,
                          const std::vector<float>& scales) {
  const uint32_t buffer = AddBuffer(data.data(), data.size() * sizeof(int32_t));
  return AddTensor(name, {static_cast<int32_t>(data.size())}, schema::TensorType::INT32, scales,
                   std::vector<int32_t>(scales.size(), 0), scales.size() > 1 ? 0 : -1, buffer);
}

void ModelBuilder::AddOperator(schema::OpType type, const std::string& name,
                               const std::vector<int32_t>& inputs,
                               const std::vector<int32_t>& outputs,
                               schema::OpOptionsUnion options) {
  auto op = std::make_unique<schema::OperatorT>();
  op->type = type;
  op->name = name;
  op->inputs = inputs;
  op->outputs = outputs;
  op->options = std::move(options);
  model_.operators.push_back(std::move(op));
}

void ModelBuilder::AddConv2D(const std::string& name, int input, int filter, int bias, int output,
                             const schema::Conv2DOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::Conv2DOptionsT(options));
  AddOperator(schema::OpType::CONV_2D, name, {input, filter, bias}, {output}, std::move(u));
}

void ModelBuilder::AddDepthwiseConv2D(const std::string& name, int input, int filter, int bias,
                                      int output,
                                      const schema::DepthwiseConv2DOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::DepthwiseConv2DOptionsT(options));
  AddOperator(schema::OpType::DEPTHWISE_CONV_2D, name, {input, filter, bias}, {output},
              std::move(u));
}

void ModelBuilder::AddFullyConnected(const std::string& name, int input, int filter, int bias,
                                     int output, const schema::FullyConnectedOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::FullyConnectedOptionsT(options));
  AddOperator(schema::OpType::FULLY_CONNECTED, name, {input, filter, bias}, {output},
              std::move(u));
}

void ModelBuilder::AddAdd(const std::string& name, int a, int b, int output,
                          const schema::AddOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::AddOptionsT(options));
  AddOperator(schema::OpType::ADD, name, {a, b}, {output}, std::move(u));
}

void ModelBuilder::AddMul(const std::string& name, int a, int b, int output,
                          const schema::MulOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::MulOptionsT(options));
  AddOperator(schema::OpType::MUL, name, {a, b}, {output}, std::move(u));
}

void ModelBuilder::AddPool2D(schema::OpType type, const std::string& name, int input, int output,
                             const schema::Pool2DOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::Pool2DOptionsT(options));
  AddOperator(type, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddGlobalAveragePool2D(const std::string& name, int input, int output,
                                          bool keep_dims) {
  schema::GlobalAveragePool2DOptionsT o;
  o.keep_dims = keep_dims;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::GLOBAL_AVERAGE_POOL_2D, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddConcatenation(const std::string& name, const std::vector<int32_t>& inputs,
                                    int output, int axis) {
  schema::ConcatenationOptionsT o;
  o.axis = axis;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::CONCATENATION, name, inputs, {output}, std::move(u));
}

void ModelBuilder::AddReshape(const std::string& name, int input, int output,
                              const std::vector<int32_t>& new_shape) {
  schema::ReshapeOptionsT o;
  o.new_shape = new_shape;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::RESHAPE, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddTranspose(const std::string& name, int input, int output,
                                const std::vector<int32_t>& perm) {
  schema::TransposeOptionsT o;
  o.perm = perm;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::TRANSPOSE, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddPad(const std::string& name, int input, int output,
                          const std::vector<int32_t>& paddings, float constant_value) {
  schema::PadOptionsT o;
  o.paddings = paddings;
  o.constant_value = constant_value;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::PAD, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddSlice(const std::string& name, int input, int output,
                            const std::vector<int32_t>& begin, const std::vector<int32_t>& size,
                            const std::vector<int32_t>& strides) {
  schema::SliceOptionsT o;
  o.begin = begin;
  o.size = size;
  o.strides = strides;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::SLICE, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddResizeNearest(const std::string& name, int input, int output,
                                    const schema::ResizeNearestOptionsT& options) {
  schema::OpOptionsUnion u;
  u.Set(schema::ResizeNearestOptionsT(options));
  AddOperator(schema::OpType::RESIZE_NEAREST, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddSoftmax(const std::string& name, int input, int exp_table, int output,
                              float beta) {
  schema::SoftmaxOptionsT o;
  o.beta = beta;
  schema::OpOptionsUnion u;
  u.Set(std::move(o));
  AddOperator(schema::OpType::SOFTMAX, name, {input, exp_table}, {output}, std::move(u));
}

int ModelBuilder::AddSoftmaxExpTable(const std::string& name, const std::vector<int32_t>& table) {
  const uint32_t buffer = AddBuffer(table.data(), table.size() * sizeof(int32_t));
  return AddTensor(name, {static_cast<int32_t>(table.size())}, schema::TensorType::INT32, {}, {},
                   -1, buffer);
}

int ModelBuilder::AddLookupTableData(const std::string& name, const std::vector<int8_t>& table) {
  const uint32_t buffer = AddBuffer(table.data(), table.size());
  return AddTensor(name, {static_cast<int32_t>(table.size())}, schema::TensorType::INT8, {}, {},
                   -1, buffer);
}

void ModelBuilder::AddLookupTable(const std::string& name, int input, int table, int output) {
  schema::OpOptionsUnion u;
  u.Set(schema::LookupTableOptionsT());
  AddOperator(schema::OpType::LOOKUP_TABLE, name, {input, table}, {output}, std::move(u));
}

void ModelBuilder::AddPRelu(const std::string& name, int input, int alpha, int output) {
  schema::OpOptionsUnion u;
  u.Set(schema::PReluOptionsT());
  AddOperator(schema::OpType::PRELU, name, {input, alpha}, {output}, std::move(u));
}

void ModelBuilder::AddQuantize(const std::string& name, int input, int output) {
  schema::OpOptionsUnion u;
  u.Set(schema::QuantizeOptionsT());
  AddOperator(schema::OpType::QUANTIZE, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddDequantize(const std::string& name, int input, int output) {
  schema::OpOptionsUnion u;
  u.Set(schema::DequantizeOptionsT());
  AddOperator(schema::OpType::DEQUANTIZE, name, {input}, {output}, std::move(u));
}

void ModelBuilder::AddRequantize(const std::string& name, int input, int output) {
  schema::OpOptionsUnion u;
  u.Set(schema::RequantizeOptionsT());
  AddOperator(schema::OpType::REQUANTIZE, name, {input}, {output}, std::move(u));
}

std::vector<uint8_t> ModelBuilder::Finish() const {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(schema::Model::Pack(fbb, &model_), schema::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::vector<float> RandomScales(std::mt19937& rng, int count, float lo, float hi) {
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> scales(count);
  for (float& s : scales) s = dist(rng);
  return scales;
}

std::vector<int8_t> RandomInt8(std::mt19937& rng, size_t count, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int8_t> values(count);
  for (int8_t& v : values) v = static_cast<int8_t>(dist(rng));
  return values;
}

std::vector<int32_t> RandomInt32(std::mt19937& rng, size_t count, int32_t lo, int32_t hi) {
  std::uniform_int_distribution<int32_t> dist(lo, hi);
  std::vector<int32_t> values(count);
  for (int32_t& v : values) v = dist(rng);
  return values;
}

int ConvOutputSize(int input, int kernel, int stride, int dilation, int pad_before, int pad_after) {
  const int effective = dilation * (kernel - 1) + 1;
  return (input + pad_before + pad_after - effective) / stride + 1;
}

namespace {

// Bias scales s_in * s_w[c] and random bias values of a plausible size.
int AddRandomBias(ModelBuilder& b, std::mt19937& rng, const std::string& name, float input_scale,
                  const std::vector<float>& weight_scales) {
  std::vector<float> scales(weight_scales.size());
  for (size_t c = 0; c < scales.size(); ++c) scales[c] = input_scale * weight_scales[c];
  return b.AddBias(name, RandomInt32(rng, scales.size(), -2000, 2000), scales);
}

}  // namespace

std::vector<uint8_t> BuildExampleModel(uint32_t seed, int height, int width, int channels,
                                       int classes) {
  std::mt19937 rng(seed);
  ModelBuilder b;
  const int c = channels;
  const float s_in = 0.02f, s_act = 0.05f;

  const int input = b.AddActivation("input", {1, height, width, 3}, s_in, -10);

  // conv 3x3 stride 1 pad 1, 3 -> c, ReLU
  auto w0_scales = RandomScales(rng, c, 0.002f, 0.01f);
  const int w0 = b.AddWeights("conv0/weights", {c, 3, 3, 3}, RandomInt8(rng, c * 27, -127, 127),
                              w0_scales, 0);
  const int b0 = AddRandomBias(b, rng, "conv0/bias", s_in, w0_scales);
  const int a0 = b.AddActivation("conv0", {1, height, width, c}, s_act, -128);
  schema::Conv2DOptionsT conv3;
  conv3.pad_top = conv3.pad_left = conv3.pad_bottom = conv3.pad_right = 1;
  conv3.activation = schema::Activation::RELU;
  b.AddConv2D("conv0", input, w0, b0, a0, conv3);

  // depthwise 3x3 pad 1, ReLU6
  auto w1_scales = RandomScales(rng, c, 0.005f, 0.02f);
  const int w1 = b.AddWeights("dw1/weights", {1, 3, 3, c}, RandomInt8(rng, 9 * c, -127, 127),
                              w1_scales, 3);
  const int b1 = AddRandomBias(b, rng, "dw1/bias", s_act, w1_scales);
  const int a1 = b.AddActivation("dw1", {1, height, width, c}, s_act, -128);
  schema::DepthwiseConv2DOptionsT dw;
  dw.pad_top = dw.pad_left = dw.pad_bottom = dw.pad_right = 1;
  dw.activation = schema::Activation::RELU6;
  b.AddDepthwiseConv2D("dw1", a0, w1, b1, a1, dw);

  // conv 1x1, c -> c, no activation
  auto w2_scales = RandomScales(rng, c, 0.002f, 0.01f);
  const int w2 = b.AddWeights("pw2/weights", {c, 1, 1, c}, RandomInt8(rng, c * c, -127, 127),
                              w2_scales, 0);
  const int b2 = AddRandomBias(b, rng, "pw2/bias", s_act, w2_scales);
  const int a2 = b.AddActivation("pw2", {1, height, width, c}, 0.08f, 3);
  b.AddConv2D("pw2", a1, w2, b2, a2, schema::Conv2DOptionsT());

  // residual add with the first conv's output
  const int a3 = b.AddActivation("add3", {1, height, width, c}, 0.1f, -5);
  b.AddAdd("add3", a2, a0, a3);

  // conv 3x3 stride 2, dilation 1, c -> 2c, ReLU
  const int h4 = ConvOutputSize(height, 3, 2, 1, 1, 1);
  const int w4 = ConvOutputSize(width, 3, 2, 1, 1, 1);
  auto w4_scales = RandomScales(rng, 2 * c, 0.001f, 0.005f);
  const int wt4 = b.AddWeights("conv4/weights", {2 * c, 3, 3, c},
                               RandomInt8(rng, 2 * c * 9 * c, -127, 127), w4_scales, 0);
  const int b4 = AddRandomBias(b, rng, "conv4/bias", 0.1f, w4_scales);
  const int a4 = b.AddActivation("conv4", {1, h4, w4, 2 * c}, 0.06f, -128);
  schema::Conv2DOptionsT conv4 = conv3;
  conv4.stride_h = conv4.stride_w = 2;
  b.AddConv2D("conv4", a3, wt4, b4, a4, conv4);

  // fully connected head over the flattened feature map
  const int k = h4 * w4 * 2 * c;
  auto w5_scales = RandomScales(rng, classes, 0.0005f, 0.002f);
  const int wt5 = b.AddWeights("fc5/weights", {classes, k},
                               RandomInt8(rng, static_cast<size_t>(classes) * k, -127, 127),
                               w5_scales, 0);
  const int b5 = AddRandomBias(b, rng, "fc5/bias", 0.06f, w5_scales);
  const int a5 = b.AddActivation("logits", {1, classes}, 0.15f, 0);
  b.AddFullyConnected("fc5", a4, wt5, b5, a5);

  b.SetInputs({input});
  b.SetOutputs({a5});
  auto& meta = b.model().metadata;
  meta = std::make_unique<schema::MetadataT>();
  meta->producer = "octet model builder";
  meta->producer_version = "0.1.0";
  meta->source_model = "random example CNN (seed " + std::to_string(seed) + ")";
  meta->calibration_method = "none (random weights)";
  return b.Finish();
}

}  // namespace testing
}  // namespace octet
