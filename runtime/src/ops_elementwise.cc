// Prepare and invoke of the elementwise operators: broadcasting ADD, MUL,
// SOFTMAX, LOOKUP_TABLE, PRELU, QUANTIZE, DEQUANTIZE and REQUANTIZE. All
// parameters are computed here; Invoke() calls one kernel.
#include <algorithm>

#include "kernels/reference_ops.h"
#include "ops_common.h"

namespace octet::rt {
namespace {

const schema::Tensor& SchemaTensor(const Model& model, int index) {
  return *model.graph().tensors()->Get(index);
}

// Scale of channel c of a per-tensor or per-channel quantized tensor.
float ScaleOf(const schema::Tensor& t, int c) {
  const auto* s = t.quantization()->scale();
  return s->Get(s->size() == 1 ? 0 : static_cast<flatbuffers::uoffset_t>(c));
}

bool SameShape(const octet_tensor& a, const octet_tensor& b) { return a.shape == b.shape; }

Status MakeShape(const octet_tensor& a, const octet_tensor& b, const octet_tensor& y,
                 BroadcastShape* s) {
  if (!MakeBroadcastShape(y.shape.data(), static_cast<int>(y.shape.size()), a.shape.data(),
                          static_cast<int>(a.shape.size()), b.shape.data(),
                          static_cast<int>(b.shape.size()), s)) {
    return Status::InvalidModel("input shapes do not broadcast to the output shape");
  }
  return Status::Ok();
}

class BroadcastAddOp final : public SimpleOp {
 public:
  BroadcastAddOp() : SimpleOp("qs8_add_broadcast__scalar") {}
  AddParams params;
  BroadcastShape shape;
  const octet_tensor *a = nullptr, *b = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { qs8_add_broadcast__scalar(params, shape, In8(a), In8(b), Out8(y)); }
};

// Same shapes take qs8_mul__scalar over the flat arrays.
class MulOp final : public SimpleOp {
 public:
  explicit MulOp(bool broadcast)
      : SimpleOp(broadcast ? "qs8_mul_broadcast__scalar" : "qs8_mul__scalar"),
        broadcast_(broadcast) {}
  MulParams params;
  BroadcastShape shape;
  size_t count = 0;
  const octet_tensor *a = nullptr, *b = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override {
    if (broadcast_) {
      qs8_mul_broadcast__scalar(params, shape, In8(a), In8(b), Out8(y));
    } else {
      qs8_mul__scalar(params, count, In8(a), In8(b), Out8(y));
    }
  }

 private:
  bool broadcast_;
};

class SoftmaxOp final : public SimpleOp {
 public:
  SoftmaxOp() : SimpleOp("qs8_softmax__scalar") {}
  SoftmaxParams params;
  const int32_t* table = nullptr;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { qs8_softmax__scalar(params, table, In8(x), Out8(y)); }
};

class LookupTableOp final : public SimpleOp {
 public:
  LookupTableOp() : SimpleOp("x8_lut__scalar") {}
  size_t count = 0;
  const int8_t* table = nullptr;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { x8_lut__scalar(count, table, In8(x), Out8(y)); }
};

class PReluOp final : public SimpleOp {
 public:
  PReluOp() : SimpleOp("qs8_prelu__scalar") {}
  PReluParams params;
  std::vector<int8_t> alpha;
  std::vector<ScaledMultiplier> negative;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Finish() {
    params.alpha = alpha.data();
    params.negative = negative.data();
    persistent_bytes_ = alpha.size() + negative.size() * sizeof(ScaledMultiplier);
  }
  void Invoke() override { qs8_prelu__scalar(params, In8(x), Out8(y)); }
};

class QuantizeOp final : public SimpleOp {
 public:
  explicit QuantizeOp(const QuantizeKernel* k) : SimpleOp(k->name), kernel(k) {}
  const QuantizeKernel* kernel;
  size_t count = 0;
  float scale = 1.0f;
  int32_t zero_point = 0;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override {
    kernel->run(count, scale, zero_point, reinterpret_cast<const float*>(x->data), Out8(y));
  }
};

class DequantizeOp final : public SimpleOp {
 public:
  explicit DequantizeOp(const DequantizeKernel* k) : SimpleOp(k->name), kernel(k) {}
  const DequantizeKernel* kernel;
  size_t count = 0;
  float scale = 1.0f;
  int32_t zero_point = 0;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override {
    kernel->run(count, scale, zero_point, In8(x), reinterpret_cast<float*>(y->data));
  }
};

class RequantizeOp final : public SimpleOp {
 public:
  RequantizeOp() : SimpleOp("qs8_requantize__scalar") {}
  RequantizeParams params;
  size_t count = 0;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { qs8_requantize__scalar(params, count, In8(x), Out8(y)); }
};

}  // namespace

Status PrepareBroadcastAdd(const Model&, const schema::Operator& op,
                           std::vector<octet_tensor>& tensors, const KernelTable&,
                           std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_AddOptions();  // may be null: defaults
  auto add = std::make_unique<BroadcastAddOp>();
  add->a = &tensors[op.inputs()->Get(0)];
  add->b = &tensors[op.inputs()->Get(1)];
  add->y = &tensors[op.outputs()->Get(0)];
  const octet_tensor &a = *add->a, &b = *add->b, &y = *add->y;
  if (!ComputeAddParams(a.scale, a.zero_point, b.scale, b.zero_point, y.scale, y.zero_point,
                        &add->params)) {
    return Status::InvalidModel("add multipliers cannot be represented");
  }
  FusedActivationBounds(o ? o->activation() : schema::Activation::NONE, o ? o->clamp_min() : 0.0f,
                        o ? o->clamp_max() : 0.0f, y, &add->params.qmin, &add->params.qmax);
  OCTET_RETURN_IF_ERROR(MakeShape(a, b, y, &add->shape));
  *out = std::move(add);
  return Status::Ok();
}

Status PrepareMul(const Model&, const schema::Operator& op, std::vector<octet_tensor>& tensors,
                  const KernelTable&, std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_MulOptions();  // may be null: defaults
  const octet_tensor& a = tensors[op.inputs()->Get(0)];
  const octet_tensor& b = tensors[op.inputs()->Get(1)];
  octet_tensor& y = tensors[op.outputs()->Get(0)];
  const bool broadcast = !SameShape(a, y) || !SameShape(b, y);
  auto mul = std::make_unique<MulOp>(broadcast);
  if (!ComputeMulParams(a.scale, a.zero_point, b.scale, b.zero_point, y.scale, y.zero_point,
                        &mul->params)) {
    return Status::InvalidModel("mul multiplier cannot be represented");
  }
  FusedActivationBounds(o ? o->activation() : schema::Activation::NONE, o ? o->clamp_min() : 0.0f,
                        o ? o->clamp_max() : 0.0f, y, &mul->params.qmin, &mul->params.qmax);
  if (broadcast) OCTET_RETURN_IF_ERROR(MakeShape(a, b, y, &mul->shape));
  mul->count = NumElements(y);
  mul->a = &a;
  mul->b = &b;
  mul->y = &y;
  *out = std::move(mul);
  return Status::Ok();
}

Status PrepareSoftmax(const Model& model, const schema::Operator& op,
                      std::vector<octet_tensor>& tensors, const KernelTable&,
                      std::unique_ptr<PreparedOp>* out) {
  auto softmax = std::make_unique<SoftmaxOp>();
  softmax->x = &tensors[op.inputs()->Get(0)];
  softmax->y = &tensors[op.outputs()->Get(0)];
  // Constant buffers are 64-byte aligned in the file and in memory.
  softmax->table = reinterpret_cast<const int32_t*>(model.TensorData(op.inputs()->Get(1)));
  const octet_tensor& x = *softmax->x;
  softmax->params.depth = x.shape.back();
  softmax->params.outer = NumElements(x) / static_cast<size_t>(x.shape.back());
  *out = std::move(softmax);
  return Status::Ok();
}

Status PrepareLookupTable(const Model& model, const schema::Operator& op,
                          std::vector<octet_tensor>& tensors, const KernelTable&,
                          std::unique_ptr<PreparedOp>* out) {
  auto lut = std::make_unique<LookupTableOp>();
  lut->x = &tensors[op.inputs()->Get(0)];
  lut->y = &tensors[op.outputs()->Get(0)];
  lut->table = reinterpret_cast<const int8_t*>(model.TensorData(op.inputs()->Get(1)));
  lut->count = NumElements(*lut->x);
  *out = std::move(lut);
  return Status::Ok();
}

Status PreparePRelu(const Model& model, const schema::Operator& op,
                    std::vector<octet_tensor>& tensors, const KernelTable&,
                    std::unique_ptr<PreparedOp>* out) {
  auto prelu = std::make_unique<PReluOp>();
  const int alpha_index = op.inputs()->Get(1);
  prelu->x = &tensors[op.inputs()->Get(0)];
  prelu->y = &tensors[op.outputs()->Get(0)];
  const octet_tensor &x = *prelu->x, &y = *prelu->y;
  const octet_tensor& alpha = tensors[alpha_index];
  const schema::Tensor& alpha_schema = SchemaTensor(model, alpha_index);
  const int channels = x.shape.empty() ? 1 : x.shape.back();
  PReluParams& p = prelu->params;
  p.channels = channels;
  p.outer = NumElements(x) / static_cast<size_t>(channels);
  p.input_zero_point = x.zero_point;
  p.output_zero_point = y.zero_point;
  OCTET_RETURN_IF_ERROR(Scaled(static_cast<double>(x.scale) / y.scale, 255, &p.positive));
  // A [1] alpha is expanded to one entry per channel.
  const int alpha_count = alpha.shape[0];
  const int8_t* alpha_data = reinterpret_cast<const int8_t*>(alpha.data);
  prelu->alpha.resize(size_t(channels));
  prelu->negative.resize(size_t(channels));
  for (int c = 0; c < channels; ++c) {
    const int k = alpha_count == 1 ? 0 : c;
    prelu->alpha[size_t(c)] = alpha_data[k];
    OCTET_RETURN_IF_ERROR(Scaled(static_cast<double>(x.scale) * ScaleOf(alpha_schema, k) / y.scale,
                                 255 * 128, &prelu->negative[size_t(c)]));
  }
  prelu->Finish();
  *out = std::move(prelu);
  return Status::Ok();
}

Status PrepareQuantize(const Model&, const schema::Operator& op,
                       std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                       std::unique_ptr<PreparedOp>* out) {
  auto q = std::make_unique<QuantizeOp>(kernels.quantize);
  q->x = &tensors[op.inputs()->Get(0)];
  q->y = &tensors[op.outputs()->Get(0)];
  q->count = NumElements(*q->y);
  q->scale = q->y->scale;
  q->zero_point = q->y->zero_point;
  *out = std::move(q);
  return Status::Ok();
}

Status PrepareDequantize(const Model&, const schema::Operator& op,
                         std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                         std::unique_ptr<PreparedOp>* out) {
  auto d = std::make_unique<DequantizeOp>(kernels.dequantize);
  d->x = &tensors[op.inputs()->Get(0)];
  d->y = &tensors[op.outputs()->Get(0)];
  d->count = NumElements(*d->x);
  d->scale = d->x->scale;
  d->zero_point = d->x->zero_point;
  *out = std::move(d);
  return Status::Ok();
}

Status PrepareRequantize(const Model&, const schema::Operator& op,
                         std::vector<octet_tensor>& tensors, const KernelTable&,
                         std::unique_ptr<PreparedOp>* out) {
  auto r = std::make_unique<RequantizeOp>();
  r->x = &tensors[op.inputs()->Get(0)];
  r->y = &tensors[op.outputs()->Get(0)];
  r->count = NumElements(*r->x);
  r->params.input_zero_point = r->x->zero_point;
  r->params.output_zero_point = r->y->zero_point;
  OCTET_RETURN_IF_ERROR(
      Scaled(static_cast<double>(r->x->scale) / r->y->scale, 255, &r->params.multiplier));
  *out = std::move(r);
  return Status::Ok();
}

}  // namespace octet::rt
