// Prepare and invoke of MAX_POOL_2D, AVERAGE_POOL_2D and
// GLOBAL_AVERAGE_POOL_2D: window geometry, the multiplier of every possible
// tap count and the fused activation are computed here.
#include "kernels/reference_ops.h"
#include "ops_common.h"

namespace octet::rt {
namespace {

class MaxPoolOp final : public SimpleOp {
 public:
  explicit MaxPoolOp(const MaxPool2DKernel* k) : SimpleOp(k->name), kernel(k) {}
  const MaxPool2DKernel* kernel;
  Pool2DParams params;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { kernel->run(params, In8(x), Out8(y)); }
};

// Theory of operation: a window's divisor n is its count of taps inside the
// input (or the full area with count_include_pad), so only n in [1, area]
// occur; the multiplier s_x / (n s_y) of each is precomputed into a table
// indexed by n.
class AvgPoolOp final : public SimpleOp {
 public:
  explicit AvgPoolOp(const AvgPool2DKernel* k) : SimpleOp(k->name), kernel(k) {}
  const AvgPool2DKernel* kernel;
  AvgPool2DParams params;
  std::vector<ScaledMultiplier> multiplier;  // [area + 1]
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Finish() {
    params.multiplier = multiplier.data();
    persistent_bytes_ = multiplier.size() * sizeof(ScaledMultiplier);
  }
  void Invoke() override { kernel->run(params, In8(x), Out8(y)); }
};

class GlobalAvgPoolOp final : public SimpleOp {
 public:
  explicit GlobalAvgPoolOp(const GlobalAvgPoolKernel* k) : SimpleOp(k->name), kernel(k) {}
  const GlobalAvgPoolKernel* kernel;
  GlobalAvgPoolParams params;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { kernel->run(params, In8(x), Out8(y)); }
};

void FillPool(const schema::Pool2DOptions& o, const octet_tensor& x, const octet_tensor& y,
              Pool2DParams* p) {
  p->batch = x.shape[0];
  p->input_height = x.shape[1];
  p->input_width = x.shape[2];
  p->channels = x.shape[3];
  p->output_height = y.shape[1];
  p->output_width = y.shape[2];
  p->filter_height = o.filter_h();
  p->filter_width = o.filter_w();
  p->stride_height = o.stride_h();
  p->stride_width = o.stride_w();
  p->pad_top = o.pad_top();
  p->pad_left = o.pad_left();
  FusedActivationBounds(o.activation(), o.clamp_min(), o.clamp_max(), y, &p->qmin, &p->qmax);
}

}  // namespace

Status PrepareMaxPool2D(const Model&, const schema::Operator& op,
                        std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                        std::unique_ptr<PreparedOp>* out) {
  auto pool = std::make_unique<MaxPoolOp>(kernels.maxpool2d);
  pool->x = &tensors[op.inputs()->Get(0)];
  pool->y = &tensors[op.outputs()->Get(0)];
  FillPool(*op.options_as_Pool2DOptions(), *pool->x, *pool->y, &pool->params);
  *out = std::move(pool);
  return Status::Ok();
}

Status PrepareAveragePool2D(const Model&, const schema::Operator& op,
                            std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                            std::unique_ptr<PreparedOp>* out) {
  const auto& o = *op.options_as_Pool2DOptions();
  auto pool = std::make_unique<AvgPoolOp>(kernels.avgpool2d);
  pool->x = &tensors[op.inputs()->Get(0)];
  pool->y = &tensors[op.outputs()->Get(0)];
  const octet_tensor &x = *pool->x, &y = *pool->y;
  AvgPool2DParams& p = pool->params;
  FillPool(o, x, y, &p.pool);
  p.count_include_pad = o.count_include_pad();
  p.input_zero_point = x.zero_point;
  p.output_zero_point = y.zero_point;
  const int area = p.pool.filter_height * p.pool.filter_width;
  pool->multiplier.assign(size_t(area) + 1, ScaledMultiplier());
  for (int n = 1; n <= area; ++n) {
    OCTET_RETURN_IF_ERROR(Scaled(static_cast<double>(x.scale) / (double(n) * y.scale),
                                 int64_t{255} * area, &pool->multiplier[size_t(n)]));
  }
  pool->Finish();
  *out = std::move(pool);
  return Status::Ok();
}

Status PrepareGlobalAveragePool2D(const Model&, const schema::Operator& op,
                                  std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                                  std::unique_ptr<PreparedOp>* out) {
  auto pool = std::make_unique<GlobalAvgPoolOp>(kernels.global_avgpool);
  pool->x = &tensors[op.inputs()->Get(0)];
  pool->y = &tensors[op.outputs()->Get(0)];
  const octet_tensor &x = *pool->x, &y = *pool->y;
  GlobalAvgPoolParams& p = pool->params;
  p.batch = x.shape[0];
  p.pixels = x.shape[1] * x.shape[2];  // the verifier bounds it by 2^31 / 255
  p.channels = x.shape[3];
  p.input_zero_point = x.zero_point;
  p.output_zero_point = y.zero_point;
  OCTET_RETURN_IF_ERROR(Scaled(static_cast<double>(x.scale) / (double(p.pixels) * y.scale),
                               int64_t{255} * p.pixels, &p.multiplier));
  *out = std::move(pool);
  return Status::Ok();
}

}  // namespace octet::rt
