// Prepare and invoke of the data-movement operators: CONCATENATION, RESHAPE,
// TRANSPOSE, PAD, SLICE and RESIZE_NEAREST. Strides, offsets, pad values and
// resize index maps are computed here; Invoke() only moves bytes.
#include <cstring>

#include "kernels/reference_ops.h"
#include "ops_common.h"

namespace octet::rt {
namespace {

constexpr int R = kMaxKernelRank;

// Contiguous element strides of a shape.
std::vector<int64_t> Strides(const std::vector<int32_t>& shape) {
  std::vector<int64_t> s(shape.size());
  int64_t n = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    s[d] = n;
    n *= shape[d];
  }
  return s;
}

// Builds a strided gather over `shape` with input strides `stride`: drops
// size-1 dims and merges a dim into the next inner one when the input
// continues contiguously (stride_outer == stride_inner * size_inner), so a
// transpose that keeps the channels innermost copies whole rows.
StridedCopyParams MakeStridedCopy(const std::vector<int64_t>& shape,
                                  const std::vector<int64_t>& stride, int64_t offset) {
  std::vector<int64_t> ks, kst;  // innermost first
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 1) continue;
    if (!ks.empty() && stride[d] == kst.back() * ks.back()) {
      ks.back() *= shape[d];
      continue;
    }
    ks.push_back(shape[d]);
    kst.push_back(stride[d]);
  }
  StridedCopyParams p;
  for (size_t i = 0; i < ks.size(); ++i) {
    p.shape[R - 1 - i] = ks[i];
    p.stride[R - 1 - i] = kst[i];
  }
  if (ks.empty()) p.stride[R - 1] = 1;  // one element
  p.offset = offset;
  return p;
}

class ConcatOp final : public SimpleOp {
 public:
  ConcatOp() : SimpleOp("x8_concat__scalar") {}
  ConcatParams params;
  std::vector<size_t> row_bytes;
  std::vector<const octet_tensor*> inputs;
  std::vector<const int8_t*> data;  // sized at prepare, filled at invoke
  octet_tensor* y = nullptr;
  void Finish() {
    params.inputs = static_cast<int>(inputs.size());
    params.row_bytes = row_bytes.data();
    data.assign(inputs.size(), nullptr);
    persistent_bytes_ = row_bytes.size() * sizeof(size_t) + data.size() * sizeof(void*);
  }
  void Invoke() override {
    for (size_t i = 0; i < inputs.size(); ++i) data[i] = In8(inputs[i]);
    x8_concat__scalar(params, data.data(), Out8(y));
  }
};

// A copy for now: the planner could place x and y in one slot and skip it
// (aliasing is a later optimization).
class ReshapeOp final : public SimpleOp {
 public:
  ReshapeOp() : SimpleOp("memcpy") {}
  size_t bytes = 0;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override {
    if (x->data != y->data) std::memcpy(y->data, x->data, bytes);
  }
};

class StridedCopyOp final : public SimpleOp {
 public:
  explicit StridedCopyOp(const StridedCopyKernel* k) : SimpleOp(k->name), kernel(k) {}
  const StridedCopyKernel* kernel;
  StridedCopyParams params;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { kernel->run(params, In8(x), Out8(y)); }
};

class PadOp final : public SimpleOp {
 public:
  PadOp() : SimpleOp("x8_pad__scalar") {}
  PadParams params;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Invoke() override { x8_pad__scalar(params, In8(x), Out8(y)); }
};

class ResizeNearestOp final : public SimpleOp {
 public:
  ResizeNearestOp() : SimpleOp("x8_resize_nearest__scalar") {}
  ResizeNearestParams params;
  std::vector<int32_t> y_index, x_index;
  const octet_tensor* x = nullptr;
  octet_tensor* y = nullptr;
  void Finish() {
    params.y_index = y_index.data();
    params.x_index = x_index.data();
    persistent_bytes_ = (y_index.size() + x_index.size()) * sizeof(int32_t);
  }
  void Invoke() override { x8_resize_nearest__scalar(params, In8(x), Out8(y)); }
};

}  // namespace

Status PrepareConcatenation(const Model&, const schema::Operator& op,
                            std::vector<octet_tensor>& tensors, const KernelTable&,
                            std::unique_ptr<PreparedOp>* out) {
  auto concat = std::make_unique<ConcatOp>();
  concat->y = &tensors[op.outputs()->Get(0)];
  const std::vector<int32_t>& shape = concat->y->shape;
  const int rank = static_cast<int>(shape.size());
  const int axis = op.options_as_ConcatenationOptions()->axis() < 0
                       ? op.options_as_ConcatenationOptions()->axis() + rank
                       : op.options_as_ConcatenationOptions()->axis();
  size_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= static_cast<size_t>(shape[d]);
  for (int d = axis + 1; d < rank; ++d) inner *= static_cast<size_t>(shape[d]);
  concat->params.outer = outer;
  for (const int t : *op.inputs()) {
    concat->inputs.push_back(&tensors[t]);
    concat->row_bytes.push_back(static_cast<size_t>(tensors[t].shape[axis]) * inner);
  }
  concat->Finish();
  *out = std::move(concat);
  return Status::Ok();
}

Status PrepareReshape(const Model&, const schema::Operator& op,
                      std::vector<octet_tensor>& tensors, const KernelTable&,
                      std::unique_ptr<PreparedOp>* out) {
  auto reshape = std::make_unique<ReshapeOp>();
  reshape->x = &tensors[op.inputs()->Get(0)];
  reshape->y = &tensors[op.outputs()->Get(0)];
  reshape->bytes = reshape->y->bytes;
  *out = std::move(reshape);
  return Status::Ok();
}

Status PrepareTranspose(const Model&, const schema::Operator& op,
                        std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                        std::unique_ptr<PreparedOp>* out) {
  auto transpose = std::make_unique<StridedCopyOp>(kernels.strided_copy);
  transpose->x = &tensors[op.inputs()->Get(0)];
  transpose->y = &tensors[op.outputs()->Get(0)];
  const std::vector<int32_t>& in_shape = transpose->x->shape;
  const std::vector<int64_t> in_stride = Strides(in_shape);
  const auto* perm = op.options_as_TransposeOptions()->perm();
  std::vector<int64_t> shape, stride;
  for (size_t d = 0; d < in_shape.size(); ++d) {
    const int from = perm->Get(static_cast<flatbuffers::uoffset_t>(d));
    shape.push_back(in_shape[size_t(from)]);
    stride.push_back(in_stride[size_t(from)]);
  }
  transpose->params = MakeStridedCopy(shape, stride, 0);
  *out = std::move(transpose);
  return Status::Ok();
}

Status PrepareSlice(const Model&, const schema::Operator& op, std::vector<octet_tensor>& tensors,
                    const KernelTable& kernels, std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_SliceOptions();
  auto slice = std::make_unique<StridedCopyOp>(kernels.strided_copy);
  slice->x = &tensors[op.inputs()->Get(0)];
  slice->y = &tensors[op.outputs()->Get(0)];
  const std::vector<int64_t> in_stride = Strides(slice->x->shape);
  const bool has_strides = o->strides() && o->strides()->size() > 0;
  std::vector<int64_t> shape, stride;
  int64_t offset = 0;
  for (size_t d = 0; d < in_stride.size(); ++d) {
    const auto i = static_cast<flatbuffers::uoffset_t>(d);
    const int64_t step = has_strides ? o->strides()->Get(i) : 1;
    offset += int64_t{o->begin()->Get(i)} * in_stride[d];
    shape.push_back(o->size()->Get(i));
    stride.push_back(step * in_stride[d]);
  }
  slice->params = MakeStridedCopy(shape, stride, offset);
  *out = std::move(slice);
  return Status::Ok();
}

Status PreparePad(const Model&, const schema::Operator& op, std::vector<octet_tensor>& tensors,
                  const KernelTable&, std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_PadOptions();
  auto pad = std::make_unique<PadOp>();
  pad->x = &tensors[op.inputs()->Get(0)];
  pad->y = &tensors[op.outputs()->Get(0)];
  const octet_tensor &x = *pad->x, &y = *pad->y;
  const size_t rank = x.shape.size();
  const size_t first = R - rank;  // right-aligned in R dims
  for (size_t d = 0; d < rank; ++d) {
    pad->params.input_shape[first + d] = x.shape[d];
    pad->params.output_shape[first + d] = y.shape[d];
    pad->params.before[first + d] = o->paddings()->Get(static_cast<flatbuffers::uoffset_t>(2 * d));
  }
  // The pad value quantized exactly as QUANTIZE would.
  const float value = o->constant_value();
  qs8_quantize__scalar(1, y.scale, y.zero_point, &value, &pad->params.value);
  *out = std::move(pad);
  return Status::Ok();
}

Status PrepareResizeNearest(const Model&, const schema::Operator& op,
                            std::vector<octet_tensor>& tensors, const KernelTable&,
                            std::unique_ptr<PreparedOp>* out) {
  const auto* o = op.options_as_ResizeNearestOptions();  // may be null: defaults
  auto resize = std::make_unique<ResizeNearestOp>();
  resize->x = &tensors[op.inputs()->Get(0)];
  resize->y = &tensors[op.outputs()->Get(0)];
  const octet_tensor &x = *resize->x, &y = *resize->y;
  ResizeNearestParams& p = resize->params;
  p.batch = x.shape[0];
  p.input_height = x.shape[1];
  p.input_width = x.shape[2];
  p.channels = x.shape[3];
  p.output_height = y.shape[1];
  p.output_width = y.shape[2];
  const auto transform = static_cast<ResizeCoordinateTransform>(
      o ? o->coordinate_transform() : schema::CoordinateTransform::ASYMMETRIC);
  const auto mode =
      static_cast<ResizeNearestMode>(o ? o->nearest_mode() : schema::NearestMode::FLOOR);
  resize->y_index.resize(size_t(p.output_height));
  resize->x_index.resize(size_t(p.output_width));
  ComputeResizeNearestIndex(p.input_height, p.output_height, transform, mode,
                            resize->y_index.data());
  ComputeResizeNearestIndex(p.input_width, p.output_width, transform, mode,
                            resize->x_index.data());
  resize->Finish();
  *out = std::move(resize);
  return Status::Ok();
}

}  // namespace octet::rt
