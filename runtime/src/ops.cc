// Prepare and invoke for each operator type: all checking and precomputation
// happens here at prepare time; Invoke() only calls the chosen kernel.
#include "ops.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/reference.h"
#include "kernels/requant.h"
#include "ops_common.h"

namespace octet::rt {
namespace {

using schema::Activation;

const schema::Tensor& SchemaTensor(const Model& model, int index) {
  return *model.graph().tensors()->Get(index);
}

float Scale(const schema::Tensor& t, int channel = 0) {
  const auto* scales = t.quantization()->scale();
  return scales->size() == 1 ? scales->Get(0) : scales->Get(channel);
}

// Fused activation as a quantized clamp of the output range.
void ActivationBounds(Activation activation, float clamp_min, float clamp_max,
                      const octet_tensor& output, int32_t* qmin, int32_t* qmax) {
  const double inf = std::numeric_limits<double>::infinity();
  double lo = -inf, hi = inf;
  switch (activation) {
    case Activation::NONE: break;
    case Activation::RELU: lo = 0.0; break;
    case Activation::RELU6: lo = 0.0; hi = 6.0; break;
    case Activation::CLAMP: lo = clamp_min; hi = clamp_max; break;
  }
  ActivationRange(lo, hi, output.scale, output.zero_point, qmin, qmax);
}

// Per-output-channel multipliers M[c] = s_in * s_w[c] / s_out.
Status ChannelMultipliers(const schema::Tensor& input, const schema::Tensor& weights,
                          const schema::Tensor& output, int channels,
                          std::vector<int32_t>* multiplier, std::vector<int32_t>* shift) {
  multiplier->resize(channels);
  shift->resize(channels);
  for (int c = 0; c < channels; ++c) {
    const double m = static_cast<double>(Scale(input)) * Scale(weights, c) / Scale(output);
    int s = 0;
    if (!QuantizeMultiplier(m, &(*multiplier)[c], &s)) {
      return Status::InvalidModel("channel " + std::to_string(c) + ": requantization multiplier " +
                                  std::to_string(m) + " cannot be represented");
    }
    (*shift)[c] = s;
  }
  return Status::Ok();
}

// Input `i` of an operator, or -1 when absent (an optional bias).
int OptionalInput(const schema::Operator& op, unsigned i) {
  return op.inputs()->size() > i ? op.inputs()->Get(i) : -1;
}

const int8_t* Int8Data(const Model& model, int tensor) {
  return reinterpret_cast<const int8_t*>(model.TensorData(tensor));
}
const int32_t* BiasData(const Model& model, int tensor) {
  // Constant buffers are 64-byte aligned in the file and the model's bytes
  // are 64-byte aligned in memory (Model guarantees both).
  return tensor < 0 ? nullptr : reinterpret_cast<const int32_t*>(model.TensorData(tensor));
}

// The kernels accumulate sum(x * w) in int32 and then add the folded bias
// b - z_in * sum(w); the requantization then shifts left by `shift` when the
// multiplier is >= 1. All of it is exact only if, per channel,
//     256 * sum|w| + |b| < 2^31            (|x| <= 128, |z_in| <= 128)
//     (255 * sum|w| + |b|) * 2^shift < 2^31 (|x - z_in| <= 255, shift > 0)
// Checked here once so no kernel ever needs to saturate. `channel_stride` and
// `tap_stride` address weight t of channel c at c * channel_stride + t * tap_stride.
Status CheckAccumulatorBound(const int8_t* filter, const int32_t* bias, int channels, int taps,
                             int channel_stride, int tap_stride, const std::vector<int32_t>& shift) {
  constexpr int64_t kLimit = (int64_t{1} << 31) - 1;
  for (int c = 0; c < channels; ++c) {
    int64_t abs_sum = 0;
    for (int t = 0; t < taps; ++t) {
      abs_sum += std::abs(static_cast<int>(filter[int64_t{c} * channel_stride + int64_t{t} * tap_stride]));
    }
    const int64_t b = bias ? std::abs(static_cast<int64_t>(bias[c])) : 0;
    const int64_t bound = 255 * abs_sum + b;
    const int left = shift[c] > 0 ? shift[c] : 0;
    if (256 * abs_sum + b > kLimit || (bound << left) > kLimit) {
      return Status::InvalidModel("channel " + std::to_string(c) + ": accumulator bound " +
                                  std::to_string(bound) + " (x 2^" + std::to_string(left) +
                                  ") does not fit int32 (sum |w| = " + std::to_string(abs_sum) +
                                  ", |bias| = " + std::to_string(b) + ")");
    }
  }
  return Status::Ok();
}

// State common to the weighted ops: per-channel requantization and the bias
// with the input zero point folded in.
struct ChannelData {
  std::vector<int32_t> multiplier, shift, bias;
  size_t bytes() const {
    return (multiplier.size() + shift.size() + bias.size()) * sizeof(int32_t);
  }
};

void FreeAligned(void* p) { std::free(p); }

// Multiply-accumulates per invoke, for profiles.
uint64_t Macs(const Conv2DParams& p) {
  return uint64_t(p.batch) * p.output_height * p.output_width * p.output_channels *
         p.kernel_height * p.kernel_width * (p.input_channels / p.groups);
}
uint64_t Macs(const DepthwiseConv2DParams& p) {
  return uint64_t(p.batch) * p.output_height * p.output_width * p.input_channels *
         p.depth_multiplier * p.kernel_height * p.kernel_width;
}
uint64_t Macs(const FullyConnectedParams& p) {
  return uint64_t(p.batch) * p.input_features * p.output_features;
}

// Conv, depthwise and fully connected: one input, constant filter and folded
// bias, per-channel requantization, and whatever the chosen kernel packs.
template <typename Params, typename Kernel>
class WeightedOp final : public PreparedOp {
 public:
  Params params;
  ChannelData data;
  const int8_t* filter = nullptr;
  const octet_tensor* input = nullptr;
  octet_tensor* output = nullptr;
  const Kernel* kernel = nullptr;

  // Called once params, data and filter are final: lets the kernel pack
  // into 64-byte-aligned memory owned here.
  Status Pack() {
    packed_bytes_ = kernel->packed_bytes(params);
    if (packed_bytes_ > 0) {
      const size_t rounded = (packed_bytes_ + 63) / 64 * 64;
      packed_.reset(std::aligned_alloc(64, rounded));
      if (!packed_) {
        return Status::Error(OCTET_ERROR_OUT_OF_MEMORY,
                             "cannot allocate " + std::to_string(rounded) + " bytes of packed weights");
      }
      kernel->pack(params, filter, data.bias.data(), packed_.get());
    }
    scratch_bytes_ = kernel->scratch_bytes(params);
    return Status::Ok();
  }

  void Invoke() override {
    kernel->run(params, reinterpret_cast<const int8_t*>(input->data), filter, data.bias.data(),
                packed_.get(), scratch_, reinterpret_cast<int8_t*>(output->data));
  }
  const char* kernel_name() const override { return kernel->name; }
  size_t persistent_bytes() const override { return data.bytes() + packed_bytes_; }
  size_t scratch_bytes() const override { return scratch_bytes_; }
  void set_scratch(void* scratch) override { scratch_ = scratch; }
  uint64_t macs() const override { return Macs(params); }

 private:
  std::unique_ptr<void, void (*)(void*)> packed_{nullptr, FreeAligned};
  size_t packed_bytes_ = 0;
  size_t scratch_bytes_ = 0;
  void* scratch_ = nullptr;
};

using Conv2DOp = WeightedOp<Conv2DParams, Conv2DKernel>;
using DepthwiseConv2DOp = WeightedOp<DepthwiseConv2DParams, DepthwiseConv2DKernel>;
using FullyConnectedOp = WeightedOp<FullyConnectedParams, FullyConnectedKernel>;

class AddOp final : public PreparedOp {
 public:
  AddParams params;
  size_t count = 0;
  const octet_tensor* a = nullptr;
  const octet_tensor* b = nullptr;
  octet_tensor* output = nullptr;
  const KernelTable* kernels = nullptr;

  void Invoke() override {
    kernels->add->run(params, count, reinterpret_cast<const int8_t*>(a->data),
                 reinterpret_cast<const int8_t*>(b->data),
                 reinterpret_cast<int8_t*>(output->data));
  }
  const char* kernel_name() const override { return kernels->add->name; }
  size_t persistent_bytes() const override { return 0; }
};

Status PrepareConv2D(const Model& model, const schema::Operator& op,
                     std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                     std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_Conv2DOptions();
  const int in = op.inputs()->Get(0), w = op.inputs()->Get(1), b = OptionalInput(op, 2);
  const int y = op.outputs()->Get(0);
  const octet_tensor& x = tensors[in];
  const octet_tensor& f = tensors[w];
  auto conv = std::make_unique<Conv2DOp>();
  Conv2DParams& p = conv->params;
  p.batch = x.shape[0];
  p.input_height = x.shape[1];
  p.input_width = x.shape[2];
  p.input_channels = x.shape[3];
  p.output_height = tensors[y].shape[1];
  p.output_width = tensors[y].shape[2];
  p.output_channels = tensors[y].shape[3];
  p.kernel_height = f.shape[1];
  p.kernel_width = f.shape[2];
  p.stride_height = o->stride_h();
  p.stride_width = o->stride_w();
  p.dilation_height = o->dilation_h();
  p.dilation_width = o->dilation_w();
  p.pad_top = o->pad_top();
  p.pad_left = o->pad_left();
  p.groups = o->groups();
  p.input_zero_point = x.zero_point;

  const int oc = p.output_channels;
  OCTET_RETURN_IF_ERROR(ChannelMultipliers(SchemaTensor(model, in), SchemaTensor(model, w),
                                           SchemaTensor(model, y), oc, &conv->data.multiplier,
                                           &conv->data.shift));
  conv->filter = Int8Data(model, w);
  const int filter_size = p.kernel_height * p.kernel_width * (p.input_channels / p.groups);
  OCTET_RETURN_IF_ERROR(CheckAccumulatorBound(conv->filter, BiasData(model, b), oc, filter_size,
                                              filter_size, 1, conv->data.shift));
  conv->data.bias.resize(oc);
  FoldInputZeroPoint(conv->filter, BiasData(model, b), oc, filter_size, p.input_zero_point,
                     conv->data.bias.data());
  p.requant.multiplier = conv->data.multiplier.data();
  p.requant.shift = conv->data.shift.data();
  p.requant.output_zero_point = tensors[y].zero_point;
  ActivationBounds(o->activation(), o->clamp_min(), o->clamp_max(), tensors[y], &p.requant.qmin,
                   &p.requant.qmax);
  conv->input = &x;
  conv->output = &tensors[y];
  conv->kernel = kernels.conv2d;
  OCTET_RETURN_IF_ERROR(conv->Pack());
  *out = std::move(conv);
  return Status::Ok();
}

Status PrepareDepthwiseConv2D(const Model& model, const schema::Operator& op,
                              std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                              std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_DepthwiseConv2DOptions();
  const int in = op.inputs()->Get(0), w = op.inputs()->Get(1), b = OptionalInput(op, 2);
  const int y = op.outputs()->Get(0);
  const octet_tensor& x = tensors[in];
  const octet_tensor& f = tensors[w];
  auto dw = std::make_unique<DepthwiseConv2DOp>();
  DepthwiseConv2DParams& p = dw->params;
  p.batch = x.shape[0];
  p.input_height = x.shape[1];
  p.input_width = x.shape[2];
  p.input_channels = x.shape[3];
  p.output_height = tensors[y].shape[1];
  p.output_width = tensors[y].shape[2];
  p.depth_multiplier = o->depth_multiplier();
  p.kernel_height = f.shape[1];
  p.kernel_width = f.shape[2];
  p.stride_height = o->stride_h();
  p.stride_width = o->stride_w();
  p.dilation_height = o->dilation_h();
  p.dilation_width = o->dilation_w();
  p.pad_top = o->pad_top();
  p.pad_left = o->pad_left();
  p.input_zero_point = x.zero_point;

  const int channels = p.input_channels * p.depth_multiplier;
  OCTET_RETURN_IF_ERROR(ChannelMultipliers(SchemaTensor(model, in), SchemaTensor(model, w),
                                           SchemaTensor(model, y), channels,
                                           &dw->data.multiplier, &dw->data.shift));
  dw->filter = Int8Data(model, w);
  OCTET_RETURN_IF_ERROR(CheckAccumulatorBound(dw->filter, BiasData(model, b), channels,
                                              p.kernel_height * p.kernel_width, 1, channels,
                                              dw->data.shift));
  dw->data.bias.resize(channels);
  FoldInputZeroPointDepthwise(dw->filter, BiasData(model, b), channels,
                              p.kernel_height * p.kernel_width, p.input_zero_point,
                              dw->data.bias.data());
  p.requant.multiplier = dw->data.multiplier.data();
  p.requant.shift = dw->data.shift.data();
  p.requant.output_zero_point = tensors[y].zero_point;
  ActivationBounds(o->activation(), o->clamp_min(), o->clamp_max(), tensors[y], &p.requant.qmin,
                   &p.requant.qmax);
  dw->input = &x;
  dw->output = &tensors[y];
  dw->kernel = kernels.dwconv2d;
  OCTET_RETURN_IF_ERROR(dw->Pack());
  *out = std::move(dw);
  return Status::Ok();
}

Status PrepareFullyConnected(const Model& model, const schema::Operator& op,
                             std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                             std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_FullyConnectedOptions();  // may be null: defaults
  const int in = op.inputs()->Get(0), w = op.inputs()->Get(1), b = OptionalInput(op, 2);
  const int y = op.outputs()->Get(0);
  auto fc = std::make_unique<FullyConnectedOp>();
  FullyConnectedParams& p = fc->params;
  p.batch = tensors[y].shape[0];
  p.output_features = tensors[w].shape[0];
  p.input_features = tensors[w].shape[1];
  p.input_zero_point = tensors[in].zero_point;

  OCTET_RETURN_IF_ERROR(ChannelMultipliers(SchemaTensor(model, in), SchemaTensor(model, w),
                                           SchemaTensor(model, y), p.output_features,
                                           &fc->data.multiplier, &fc->data.shift));
  fc->filter = Int8Data(model, w);
  OCTET_RETURN_IF_ERROR(CheckAccumulatorBound(fc->filter, BiasData(model, b), p.output_features,
                                              p.input_features, p.input_features, 1,
                                              fc->data.shift));
  fc->data.bias.resize(p.output_features);
  FoldInputZeroPoint(fc->filter, BiasData(model, b), p.output_features, p.input_features,
                     p.input_zero_point, fc->data.bias.data());
  p.requant.multiplier = fc->data.multiplier.data();
  p.requant.shift = fc->data.shift.data();
  p.requant.output_zero_point = tensors[y].zero_point;
  ActivationBounds(o ? o->activation() : Activation::NONE, o ? o->clamp_min() : 0.0f,
                   o ? o->clamp_max() : 0.0f, tensors[y], &p.requant.qmin, &p.requant.qmax);
  fc->input = &tensors[in];
  fc->output = &tensors[y];
  fc->kernel = kernels.fully_connected;
  OCTET_RETURN_IF_ERROR(fc->Pack());
  *out = std::move(fc);
  return Status::Ok();
}

Status PrepareAdd(const Model& model, const schema::Operator& op,
                  std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                  std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_AddOptions();  // may be null: defaults
  const octet_tensor& a = tensors[op.inputs()->Get(0)];
  const octet_tensor& b = tensors[op.inputs()->Get(1)];
  octet_tensor& y = tensors[op.outputs()->Get(0)];
  // Equal shapes keep the flat (dispatched) kernel; anything else broadcasts.
  if (a.shape != y.shape || b.shape != y.shape) {
    return PrepareBroadcastAdd(model, op, tensors, kernels, out);
  }
  auto add = std::make_unique<AddOp>();
  if (!ComputeAddParams(a.scale, a.zero_point, b.scale, b.zero_point, y.scale, y.zero_point,
                        &add->params)) {
    return Status::InvalidModel("add multipliers cannot be represented");
  }
  ActivationBounds(o ? o->activation() : Activation::NONE, o ? o->clamp_min() : 0.0f,
                   o ? o->clamp_max() : 0.0f, y, &add->params.qmin, &add->params.qmax);
  add->count = y.bytes;  // int8: one byte per element
  add->a = &a;
  add->b = &b;
  add->output = &y;
  add->kernels = &kernels;
  *out = std::move(add);
  return Status::Ok();
}

}  // namespace

Status PrepareOp(const Model& model, int index, std::vector<octet_tensor>& tensors,
                 const KernelTable& kernels, std::unique_ptr<PreparedOp>* out) {
  const schema::Operator& op = *model.graph().operators()->Get(index);
  Status status;
  switch (op.type()) {
    case schema::OpType::CONV_2D:
      status = PrepareConv2D(model, op, tensors, kernels, out);
      break;
    case schema::OpType::DEPTHWISE_CONV_2D:
      status = PrepareDepthwiseConv2D(model, op, tensors, kernels, out);
      break;
    case schema::OpType::FULLY_CONNECTED:
      status = PrepareFullyConnected(model, op, tensors, kernels, out);
      break;
    case schema::OpType::ADD:
      status = PrepareAdd(model, op, tensors, kernels, out);
      break;
    case schema::OpType::MUL: status = PrepareMul(model, op, tensors, kernels, out); break;
    case schema::OpType::MAX_POOL_2D:
      status = PrepareMaxPool2D(model, op, tensors, kernels, out);
      break;
    case schema::OpType::AVERAGE_POOL_2D:
      status = PrepareAveragePool2D(model, op, tensors, kernels, out);
      break;
    case schema::OpType::GLOBAL_AVERAGE_POOL_2D:
      status = PrepareGlobalAveragePool2D(model, op, tensors, kernels, out);
      break;
    case schema::OpType::CONCATENATION:
      status = PrepareConcatenation(model, op, tensors, kernels, out);
      break;
    case schema::OpType::RESHAPE: status = PrepareReshape(model, op, tensors, kernels, out); break;
    case schema::OpType::TRANSPOSE:
      status = PrepareTranspose(model, op, tensors, kernels, out);
      break;
    case schema::OpType::PAD: status = PreparePad(model, op, tensors, kernels, out); break;
    case schema::OpType::SLICE: status = PrepareSlice(model, op, tensors, kernels, out); break;
    case schema::OpType::RESIZE_NEAREST:
      status = PrepareResizeNearest(model, op, tensors, kernels, out);
      break;
    case schema::OpType::SOFTMAX: status = PrepareSoftmax(model, op, tensors, kernels, out); break;
    case schema::OpType::LOOKUP_TABLE:
      status = PrepareLookupTable(model, op, tensors, kernels, out);
      break;
    case schema::OpType::PRELU: status = PreparePRelu(model, op, tensors, kernels, out); break;
    case schema::OpType::QUANTIZE:
      status = PrepareQuantize(model, op, tensors, kernels, out);
      break;
    case schema::OpType::DEQUANTIZE:
      status = PrepareDequantize(model, op, tensors, kernels, out);
      break;
    case schema::OpType::REQUANTIZE:
      status = PrepareRequantize(model, op, tensors, kernels, out);
      break;
    default:
      status = Status::Unsupported(std::string("op type ") + schema::EnumNameOpType(op.type()) +
                                   " has no kernel in this build");
  }
  if (!status.ok()) {
    const char* name = op.name() ? op.name()->c_str() : "";
    return Status::Error(status.code(), std::string(schema::EnumNameOpType(op.type())) + " \"" +
                                            name + "\" (operator " + std::to_string(index) +
                                            "): " + status.message());
  }
  return Status::Ok();
}

}  // namespace octet::rt
