// The XNNPACK backend (see xnnpack_backend.h): CONV_2D and DEPTHWISE_CONV_2D
// as qc8 convolutions (per-channel weight scales), FULLY_CONNECTED as a qs8
// fully-connected operator (one weight scale) or a qc8 1x1 convolution over
// the batch rows (per-channel scales), ADD as qs8 add_nd (with broadcasting).
//
// Theory of operation: PrepareXnnpackOp creates the XNNPACK operator from the
// model's raw weights, bias and real scales (XNNPACK packs its own copy and
// folds the zero points itself), so octet's folded bias and multipliers are
// not used. Bind() runs XNNPACK's setup once the arena is placed: XNNPACK
// keeps the input and output pointers (and builds a convolution's
// indirection buffer there), so Invoke() is one xnn_run_operator call and
// allocates nothing. XNNPACK requantizes in float (scale = s_in * s_w / s_out,
// rounded to nearest even) where octet uses gemmlowp's fixed point, so
// outputs may differ by 1 in the last place (tests/interpreter/
// xnnpack_backend_test.cc states and checks that bound).
//
// Memory: XNNPACK is initialized once per process with an allocator that
// counts, per thread, the bytes it hands out, so an operator's packed weights
// and indirection buffer show in persistent_bytes(). If the application had
// initialized XNNPACK first with its own allocator, the count stays 0.
#include "xnnpack_backend.h"

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <string>

#include "kernels/requant.h"

namespace octet::rt {

class XnnpackContext {
 public:
  ~XnnpackContext() {
    if (pool) pthreadpool_destroy(pool);
  }
  pthreadpool_t pool = nullptr;  // null: run on the calling thread
};

namespace {

// XNNPACK may read XNN_EXTRA_BYTES past the end of an input; the arena's tail
// padding (and 64-byte rounding of every tensor) covers that.
static_assert(kArenaTailPadding >= XNN_EXTRA_BYTES, "arena tail padding below XNNPACK's over-read");

// --- counting allocator ---------------------------------------------------------

thread_local size_t t_xnnpack_bytes = 0;

void* CountedAllocate(void*, size_t size) {
  t_xnnpack_bytes += size;
  return std::malloc(size);
}
void* CountedReallocate(void*, void* pointer, size_t size) {
  t_xnnpack_bytes += size;  // an upper bound: growth counts the whole new block
  return std::realloc(pointer, size);
}
void CountedDeallocate(void*, void* pointer) { std::free(pointer); }
void* CountedAlignedAllocate(void*, size_t alignment, size_t size) {
  t_xnnpack_bytes += size;
  void* p = nullptr;
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  return posix_memalign(&p, alignment, size) == 0 ? p : nullptr;
}
void CountedAlignedDeallocate(void*, void* pointer) { std::free(pointer); }

const xnn_allocator kCountingAllocator = {nullptr, CountedAllocate, CountedReallocate,
                                          CountedDeallocate, CountedAlignedAllocate,
                                          CountedAlignedDeallocate};

// XNNPACK's own initialization, once per process; never deinitialized (an
// application may keep interpreters until exit).
xnn_status InitializeXnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_uninitialized;
  std::call_once(once, [] { status = xnn_initialize(&kCountingAllocator); });
  return status;
}

// --- one operator -----------------------------------------------------------------

enum class Kind { kConv, kFullyConnected, kAdd };

class XnnpackOp final : public PreparedOp {
 public:
  XnnpackOp(Kind kind, const char* name, pthreadpool_t pool) : kind_(kind), name_(name), pool_(pool) {}
  ~XnnpackOp() override {
    if (op_) xnn_delete_operator(op_);
  }

  // Filled by PrepareXnnpackOp.
  xnn_operator_t op_ = nullptr;
  const octet_tensor* a_ = nullptr;  // input (first input of ADD)
  const octet_tensor* b_ = nullptr;  // second input of ADD
  octet_tensor* y_ = nullptr;
  size_t batch_ = 1, height_ = 1, width_ = 1;  // conv: NHW of the input; FC: batch rows
  uint64_t macs_ = 0;
  size_t bytes_ = 0;  // XNNPACK's allocations for this operator

  Status Bind() override {
    const size_t before = t_xnnpack_bytes;
    const auto* a = reinterpret_cast<const int8_t*>(a_->data);
    auto* y = reinterpret_cast<int8_t*>(y_->data);
    xnn_status status = xnn_status_success;
    switch (kind_) {
      case Kind::kConv:
        status = xnn_setup_convolution2d_nhwc_qc8(op_, batch_, height_, width_, a, y, pool_);
        break;
      case Kind::kFullyConnected:
        status = xnn_setup_fully_connected_nc_qs8(op_, batch_, a, y, pool_);
        break;
      case Kind::kAdd: {
        size_t a_shape[XNN_MAX_TENSOR_DIMS], b_shape[XNN_MAX_TENSOR_DIMS];
        for (size_t d = 0; d < a_->shape.size(); ++d) a_shape[d] = static_cast<size_t>(a_->shape[d]);
        for (size_t d = 0; d < b_->shape.size(); ++d) b_shape[d] = static_cast<size_t>(b_->shape[d]);
        status = xnn_setup_add_nd_qs8(op_, a_->shape.size(), a_shape, b_->shape.size(), b_shape, a,
                                      reinterpret_cast<const int8_t*>(b_->data), y, pool_);
        break;
      }
    }
    bytes_ += t_xnnpack_bytes - before;
    if (status != xnn_status_success) {
      return Status::Error(OCTET_ERROR_INTERNAL, std::string(name_) + ": XNNPACK setup failed (status " +
                                                     std::to_string(static_cast<int>(status)) + ")");
    }
    return Status::Ok();
  }

  void Invoke() override {
    // Cannot fail once setup succeeded: XNNPACK checks everything there.
    const xnn_status status = xnn_run_operator(op_, pool_);
    OCTET_DCHECK(status == xnn_status_success);
    (void)status;
  }
  const char* kernel_name() const override { return name_; }
  size_t persistent_bytes() const override { return bytes_; }
  uint64_t macs() const override { return macs_; }

 private:
  Kind kind_;
  const char* name_;
  pthreadpool_t pool_;
};

// --- parameters from the model ------------------------------------------------------

const schema::Tensor& SchemaTensor(const Model& model, int index) {
  return *model.graph().tensors()->Get(index);
}

float TensorScale(const schema::Tensor& t) {
  const auto* q = t.quantization();
  return q && q->scale() && q->scale()->size() > 0 ? q->scale()->Get(0) : 0.0f;
}

// Per-channel weight scales (a per-tensor scale repeated).
std::vector<float> ChannelScales(const schema::Tensor& w, int channels) {
  const auto* scales = w.quantization()->scale();
  std::vector<float> out(channels);
  for (int c = 0; c < channels; ++c) out[c] = scales->size() == 1 ? scales->Get(0) : scales->Get(c);
  return out;
}

// The model's raw int32 bias (XNNPACK folds the input zero point itself), or
// zeros when the operator has none.
std::vector<int32_t> RawBias(const Model& model, const schema::Operator& op, int channels) {
  std::vector<int32_t> bias(channels, 0);
  if (op.inputs()->size() > 2 && op.inputs()->Get(2) >= 0) {
    std::memcpy(bias.data(), model.TensorData(op.inputs()->Get(2)), channels * sizeof(int32_t));
  }
  return bias;
}

// Fused activation as an int8 output range, as ops.cc computes it.
void OutputRange(schema::Activation activation, float clamp_min, float clamp_max,
                 const octet_tensor& y, int8_t* qmin, int8_t* qmax) {
  const double inf = std::numeric_limits<double>::infinity();
  double lo = -inf, hi = inf;
  switch (activation) {
    case schema::Activation::NONE: break;
    case schema::Activation::RELU: lo = 0.0; break;
    case schema::Activation::RELU6: lo = 0.0; hi = 6.0; break;
    case schema::Activation::CLAMP: lo = clamp_min; hi = clamp_max; break;
  }
  int32_t min32 = -128, max32 = 127;
  ActivationRange(lo, hi, y.scale, y.zero_point, &min32, &max32);
  *qmin = static_cast<int8_t>(min32);
  *qmax = static_cast<int8_t>(max32);
}

struct ConvShape {
  uint32_t pad_top, pad_right, pad_bottom, pad_left;
  uint32_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  uint32_t groups;
  size_t group_in, group_out;
  schema::Activation activation;
  float clamp_min, clamp_max;
  uint32_t flags;
};

// Creates a qc8 convolution; returns false (and creates nothing) when XNNPACK
// rejects the parameters, so octet's kernel runs the op instead.
bool CreateQc8Conv(const Model& model, const schema::Operator& op,
                   const std::vector<octet_tensor>& tensors, const ConvShape& s, XnnpackOp* xop) {
  const int in = op.inputs()->Get(0), w = op.inputs()->Get(1), y = op.outputs()->Get(0);
  const int channels = static_cast<int>(s.groups * s.group_out);
  const std::vector<float> w_scales = ChannelScales(SchemaTensor(model, w), channels);
  const std::vector<int32_t> bias = RawBias(model, op, channels);
  int8_t qmin, qmax;
  OutputRange(s.activation, s.clamp_min, s.clamp_max, tensors[y], &qmin, &qmax);
  const xnn_status status = xnn_create_convolution2d_nhwc_qc8(
      s.pad_top, s.pad_right, s.pad_bottom, s.pad_left, s.kernel_h, s.kernel_w, s.stride_h,
      s.stride_w, s.dilation_h, s.dilation_w, s.groups, s.group_in, s.group_out,
      s.groups * s.group_in, s.groups * s.group_out,
      static_cast<int8_t>(tensors[in].zero_point), TensorScale(SchemaTensor(model, in)),
      w_scales.data(), reinterpret_cast<const int8_t*>(model.TensorData(w)), bias.data(),
      static_cast<int8_t>(tensors[y].zero_point), TensorScale(SchemaTensor(model, y)), qmin, qmax,
      s.flags, &xop->op_);
  return status == xnn_status_success;
}

bool AllEqual(const std::vector<float>& v) {
  for (const float x : v) {
    if (x != v[0]) return false;
  }
  return true;
}

Status CreateOperator(const Model& model, const schema::Operator& op, std::vector<octet_tensor>& tensors,
                 pthreadpool_t pool, std::unique_ptr<PreparedOp>* out) {
  const int y = op.outputs()->Get(0);
  const octet_tensor& out_t = tensors[y];
  std::unique_ptr<XnnpackOp> xop;
  switch (op.type()) {
    case schema::OpType::CONV_2D: {
      const auto* o = op.options_as_Conv2DOptions();
      const octet_tensor& x = tensors[op.inputs()->Get(0)];
      const octet_tensor& f = tensors[op.inputs()->Get(1)];
      ConvShape s{};
      s.pad_top = o->pad_top(); s.pad_right = o->pad_right();
      s.pad_bottom = o->pad_bottom(); s.pad_left = o->pad_left();
      s.kernel_h = f.shape[1]; s.kernel_w = f.shape[2];
      s.stride_h = o->stride_h(); s.stride_w = o->stride_w();
      s.dilation_h = o->dilation_h(); s.dilation_w = o->dilation_w();
      s.groups = o->groups();
      s.group_in = static_cast<size_t>(x.shape[3]) / s.groups;
      s.group_out = static_cast<size_t>(out_t.shape[3]) / s.groups;
      s.activation = o->activation(); s.clamp_min = o->clamp_min(); s.clamp_max = o->clamp_max();
      xop = std::make_unique<XnnpackOp>(Kind::kConv, "xnnpack_qc8_conv2d", pool);
      if (!CreateQc8Conv(model, op, tensors, s, xop.get())) return Status::Ok();
      xop->batch_ = x.shape[0]; xop->height_ = x.shape[1]; xop->width_ = x.shape[2];
      xop->a_ = &x;
      xop->macs_ = uint64_t(out_t.shape[0]) * out_t.shape[1] * out_t.shape[2] * out_t.shape[3] *
                   s.kernel_h * s.kernel_w * s.group_in;
      break;
    }
    case schema::OpType::DEPTHWISE_CONV_2D: {
      const auto* o = op.options_as_DepthwiseConv2DOptions();
      const octet_tensor& x = tensors[op.inputs()->Get(0)];
      const octet_tensor& f = tensors[op.inputs()->Get(1)];
      ConvShape s{};
      s.pad_top = o->pad_top(); s.pad_right = o->pad_right();
      s.pad_bottom = o->pad_bottom(); s.pad_left = o->pad_left();
      s.kernel_h = f.shape[1]; s.kernel_w = f.shape[2];
      s.stride_h = o->stride_h(); s.stride_w = o->stride_w();
      s.dilation_h = o->dilation_h(); s.dilation_w = o->dilation_w();
      s.groups = x.shape[3];
      s.group_in = 1;
      s.group_out = o->depth_multiplier();
      s.activation = o->activation(); s.clamp_min = o->clamp_min(); s.clamp_max = o->clamp_max();
      // [1, kh, kw, C*m] is XNNPACK's depthwise layout: one flag, no repacking.
      s.flags = XNN_FLAG_DEPTHWISE_CONVOLUTION;
      xop = std::make_unique<XnnpackOp>(Kind::kConv, "xnnpack_qc8_dwconv2d", pool);
      if (!CreateQc8Conv(model, op, tensors, s, xop.get())) return Status::Ok();
      xop->batch_ = x.shape[0]; xop->height_ = x.shape[1]; xop->width_ = x.shape[2];
      xop->a_ = &x;
      xop->macs_ = uint64_t(out_t.shape[0]) * out_t.shape[1] * out_t.shape[2] * out_t.shape[3] *
                   s.kernel_h * s.kernel_w;
      break;
    }
    case schema::OpType::FULLY_CONNECTED: {
      const auto* o = op.options_as_FullyConnectedOptions();  // may be null: defaults
      const int in = op.inputs()->Get(0), w = op.inputs()->Get(1);
      const int n = tensors[w].shape[0], k = tensors[w].shape[1];
      const size_t batch = static_cast<size_t>(out_t.shape[0]);
      const std::vector<float> w_scales = ChannelScales(SchemaTensor(model, w), n);
      if (AllEqual(w_scales)) {
        const std::vector<int32_t> bias = RawBias(model, op, n);
        int8_t qmin, qmax;
        OutputRange(o ? o->activation() : schema::Activation::NONE, o ? o->clamp_min() : 0.0f,
                    o ? o->clamp_max() : 0.0f, out_t, &qmin, &qmax);
        xop = std::make_unique<XnnpackOp>(Kind::kFullyConnected, "xnnpack_qs8_fully_connected", pool);
        const xnn_status status = xnn_create_fully_connected_nc_qs8(
            k, n, k, n, static_cast<int8_t>(tensors[in].zero_point),
            TensorScale(SchemaTensor(model, in)), w_scales[0],
            reinterpret_cast<const int8_t*>(model.TensorData(w)), bias.data(),
            static_cast<int8_t>(out_t.zero_point), TensorScale(SchemaTensor(model, y)), qmin, qmax,
            0, &xop->op_);
        if (status != xnn_status_success) return Status::Ok();
        xop->batch_ = batch;
      } else {
        // Per-channel scales: XNNPACK's qs8 FC has one weight scale, so run
        // a qc8 1x1 convolution over a 1 x batch "image" of K channels.
        ConvShape s{};
        s.kernel_h = s.kernel_w = s.stride_h = s.stride_w = s.dilation_h = s.dilation_w = 1;
        s.groups = 1;
        s.group_in = k;
        s.group_out = n;
        s.activation = o ? o->activation() : schema::Activation::NONE;
        s.clamp_min = o ? o->clamp_min() : 0.0f;
        s.clamp_max = o ? o->clamp_max() : 0.0f;
        xop = std::make_unique<XnnpackOp>(Kind::kConv, "xnnpack_qc8_conv1x1_fc", pool);
        if (!CreateQc8Conv(model, op, tensors, s, xop.get())) return Status::Ok();
        xop->batch_ = 1; xop->height_ = 1; xop->width_ = batch;
      }
      xop->a_ = &tensors[in];
      xop->macs_ = uint64_t(batch) * n * k;
      break;
    }
    case schema::OpType::ADD: {
      const auto* o = op.options_as_AddOptions();  // may be null: defaults
      const octet_tensor& a = tensors[op.inputs()->Get(0)];
      const octet_tensor& b = tensors[op.inputs()->Get(1)];
      if (a.shape.size() > XNN_MAX_TENSOR_DIMS || b.shape.size() > XNN_MAX_TENSOR_DIMS) {
        return Status::Ok();
      }
      int8_t qmin, qmax;
      OutputRange(o ? o->activation() : schema::Activation::NONE, o ? o->clamp_min() : 0.0f,
                  o ? o->clamp_max() : 0.0f, out_t, &qmin, &qmax);
      xop = std::make_unique<XnnpackOp>(Kind::kAdd, "xnnpack_qs8_add_nd", pool);
      const xnn_status status = xnn_create_add_nd_qs8(
          static_cast<int8_t>(a.zero_point), a.scale, static_cast<int8_t>(b.zero_point), b.scale,
          static_cast<int8_t>(out_t.zero_point), out_t.scale, qmin, qmax, 0, &xop->op_);
      if (status != xnn_status_success) return Status::Ok();
      xop->a_ = &a;
      xop->b_ = &b;
      break;
    }
    default:
      return Status::Ok();
  }
  xop->y_ = &tensors[y];
  *out = std::move(xop);
  return Status::Ok();
}

}  // namespace

bool XnnpackBuilt() { return true; }

Status CreateXnnpackContext(int num_threads, std::shared_ptr<XnnpackContext>* out) {
  const xnn_status status = InitializeXnnpack();
  if (status != xnn_status_success) {
    return Status::Unsupported("XNNPACK cannot initialize on this CPU (xnn_initialize status " +
                               std::to_string(static_cast<int>(status)) + ")");
  }
  auto context = std::make_shared<XnnpackContext>();
  if (num_threads > 1) {
    context->pool = pthreadpool_create(static_cast<size_t>(num_threads));
    if (!context->pool) {
      return Status::Error(OCTET_ERROR_OUT_OF_MEMORY,
                           "cannot create a pool of " + std::to_string(num_threads) + " threads");
    }
  }
  *out = std::move(context);
  return Status::Ok();
}

Status PrepareXnnpackOp(const Model& model, int index, std::vector<octet_tensor>& tensors,
                        XnnpackContext* context, std::unique_ptr<PreparedOp>* out) {
  out->reset();
  const schema::Operator& op = *model.graph().operators()->Get(index);
  const size_t before = t_xnnpack_bytes;
  OCTET_RETURN_IF_ERROR(CreateOperator(model, op, tensors, context->pool, out));
  if (*out) static_cast<XnnpackOp*>(out->get())->bytes_ = t_xnnpack_bytes - before;
  return Status::Ok();
}

}  // namespace octet::rt
