// Interpreter: tensor table, operator preparation, arena placement, invoke.
#include "interpreter.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "ops.h"
#include "xnnpack_backend.h"

namespace octet::rt {
namespace {

octet_type ToPublicType(schema::TensorType type) {
  switch (type) {
    case schema::TensorType::FLOAT32: return OCTET_TYPE_FLOAT32;
    case schema::TensorType::INT8: return OCTET_TYPE_INT8;
    case schema::TensorType::INT32: return OCTET_TYPE_INT32;
    case schema::TensorType::UINT8: return OCTET_TYPE_UINT8;
    case schema::TensorType::INT16: return OCTET_TYPE_INT16;
  }
  return OCTET_TYPE_INT8;
}

size_t ElementSize(octet_type type) {
  switch (type) {
    case OCTET_TYPE_FLOAT32: case OCTET_TYPE_INT32: return 4;
    case OCTET_TYPE_INT16: return 2;
    case OCTET_TYPE_INT8: case OCTET_TYPE_UINT8: return 1;
  }
  return 1;
}

void FreeAligned(uint8_t* p) { std::free(p); }

// A rank-0 (scalar) tensor is stored without a shape vector.
std::vector<int32_t> ShapeOf(const schema::Tensor& t) {
  if (!t.shape()) return {};
  return std::vector<int32_t>(t.shape()->begin(), t.shape()->end());
}

}  // namespace

ActivationLifetimes ComputeLifetimes(const Model& model) {
  const schema::Model& g = model.graph();
  const int tensor_count = static_cast<int>(g.tensors()->size());
  const int op_count = static_cast<int>(g.operators()->size());
  const int last = std::max(op_count - 1, 0);
  std::vector<int> first(tensor_count, -1), end(tensor_count, -1);

  // Model inputs and outputs span the whole run.
  for (int t : *g.inputs()) { first[t] = 0; end[t] = last; }
  for (int op = 0; op < op_count; ++op) {
    const schema::Operator& o = *g.operators()->Get(op);
    for (int t : *o.outputs()) {
      if (first[t] < 0) first[t] = op;
      end[t] = std::max(end[t], op);
    }
    for (int t : *o.inputs()) {
      if (t < 0 || g.tensors()->Get(t)->buffer() != 0) continue;
      end[t] = std::max(end[t], op);
    }
  }
  for (int t : *g.outputs()) end[t] = last;

  ActivationLifetimes lifetimes;
  for (int t = 0; t < tensor_count; ++t) {
    if (first[t] < 0) continue;  // constant, or an activation nothing touches
    const schema::Tensor& tensor = *g.tensors()->Get(t);
    // The verifier bounds every tensor to INT32_MAX bytes: no overflow here.
    size_t bytes = ElementSize(ToPublicType(tensor.type()));
    for (int d : ShapeOf(tensor)) bytes *= static_cast<size_t>(d);
    lifetimes.requests.push_back({bytes, first[t], end[t]});
    lifetimes.tensor_index.push_back(t);
  }
  return lifetimes;
}

Status Interpreter::Create(const Model& model, const InterpreterOptions& options,
                           std::unique_ptr<Interpreter>* out) {
  if (options.num_threads < 1) {
    return Status::InvalidArgument("num_threads is " + std::to_string(options.num_threads) +
                                   ", expected >= 1");
  }
  if (options.arena && reinterpret_cast<uintptr_t>(options.arena) % kArenaAlignment != 0) {
    return Status::InvalidArgument("caller arena is not " + std::to_string(kArenaAlignment) +
                                   "-byte aligned");
  }
  std::unique_ptr<Interpreter> interp(new Interpreter());
  OCTET_RETURN_IF_ERROR(SelectKernels(options.isa, &interp->kernels_));

  // Tensor table.
  const schema::Model& g = model.graph();
  interp->tensors_.resize(g.tensors()->size());
  for (int i = 0; i < static_cast<int>(g.tensors()->size()); ++i) {
    const schema::Tensor& src = *g.tensors()->Get(i);
    octet_tensor& t = interp->tensors_[i];
    t.name = src.name() ? src.name()->str() : std::string();
    t.type = ToPublicType(src.type());
    t.shape = ShapeOf(src);
    t.bytes = ElementSize(t.type);
    for (int32_t d : t.shape) t.bytes *= static_cast<size_t>(d);
    if (const schema::Quantization* q = src.quantization()) {
      if (q->scale() && q->scale()->size() > 0) t.scale = q->scale()->Get(0);
      if (q->zero_point() && q->zero_point()->size() > 0) t.zero_point = q->zero_point()->Get(0);
    }
    if (src.buffer() != 0) {
      t.is_constant = true;
      t.data = const_cast<uint8_t*>(model.TensorData(i));  // never written through
    }
  }
  interp->inputs_.assign(g.inputs()->begin(), g.inputs()->end());
  interp->outputs_.assign(g.outputs()->begin(), g.outputs()->end());

  // Operators. The XNNPACK backend takes the ops it runs; octet's kernels
  // run the rest.
  if (options.backend == OCTET_BACKEND_XNNPACK) {
    OCTET_RETURN_IF_ERROR(CreateXnnpackContext(options.num_threads, &interp->xnnpack_));
  }
  for (int i = 0; i < static_cast<int>(g.operators()->size()); ++i) {
    std::unique_ptr<PreparedOp> op;
    if (interp->xnnpack_) {
      OCTET_RETURN_IF_ERROR(PrepareXnnpackOp(model, i, interp->tensors_, interp->xnnpack_.get(), &op));
    }
    if (!op) OCTET_RETURN_IF_ERROR(PrepareOp(model, i, interp->tensors_, interp->kernels_, &op));
    interp->persistent_bytes_ += op->persistent_bytes();
    interp->ops_.push_back(std::move(op));
    const schema::Operator& o = *g.operators()->Get(i);
    OpInfo info;
    info.type = schema::EnumNameOpType(o.type());
    info.name = o.name() ? o.name()->str() : std::string();
    info.output = o.outputs()->size() > 0 ? o.outputs()->Get(0) : -1;
    interp->op_info_.push_back(std::move(info));
  }

  // Arena: activations by lifetime, plus each op's scratch for its own step.
  ActivationLifetimes lifetimes = ComputeLifetimes(model);
  const size_t activation_count = lifetimes.requests.size();
  std::vector<int> scratch_op;
  for (int i = 0; i < static_cast<int>(interp->ops_.size()); ++i) {
    if (const size_t bytes = interp->ops_[i]->scratch_bytes()) {
      lifetimes.requests.push_back({bytes, i, i});
      scratch_op.push_back(i);
    }
  }
  const ArenaPlan plan = PlanArena(lifetimes.requests);
  interp->arena_bytes_ = plan.arena_bytes;
  interp->arena_lower_bound_bytes_ = plan.lower_bound_bytes;
  if (options.plan_only) {
    *out = std::move(interp);
    return Status::Ok();
  }
  if (options.arena) {
    if (options.arena_bytes < plan.arena_bytes) {
      return Status::Error(OCTET_ERROR_ARENA_TOO_SMALL,
                           "caller arena has " + std::to_string(options.arena_bytes) +
                               " bytes, the model needs " + std::to_string(plan.arena_bytes));
    }
    interp->arena_ = static_cast<uint8_t*>(options.arena);
  } else if (plan.arena_bytes > 0) {
    // arena_bytes is a multiple of kArenaAlignment (aligned_alloc needs
    // that); SIZE_MAX means the plan itself overflowed.
    auto* p = plan.arena_bytes == SIZE_MAX
                  ? nullptr
                  : static_cast<uint8_t*>(std::aligned_alloc(kArenaAlignment, plan.arena_bytes));
    if (!p) {
      return Status::Error(OCTET_ERROR_OUT_OF_MEMORY, "cannot allocate an arena of " +
                                                          std::to_string(plan.arena_bytes) +
                                                          " bytes");
    }
    interp->owned_arena_ = {p, FreeAligned};
    interp->arena_ = p;
  }
  for (size_t r = 0; r < activation_count; ++r) {
    interp->tensors_[lifetimes.tensor_index[r]].data = interp->arena_ + plan.offsets[r];
  }
  for (size_t r = activation_count; r < lifetimes.requests.size(); ++r) {
    interp->ops_[scratch_op[r - activation_count]]->set_scratch(interp->arena_ + plan.offsets[r]);
  }
  // Ops that bind data pointers ahead of time may allocate doing so (the
  // XNNPACK backend's indirection buffers): count that as persistent too.
  interp->persistent_bytes_ = 0;
  for (auto& op : interp->ops_) {
    OCTET_RETURN_IF_ERROR(op->Bind());
    interp->persistent_bytes_ += op->persistent_bytes();
  }
  *out = std::move(interp);
  return Status::Ok();
}

void Interpreter::Invoke() {
  for (auto& op : ops_) op->Invoke();
}

void Interpreter::InvokeProfiled(uint64_t* op_ns) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point start = Clock::now();
  for (size_t i = 0; i < ops_.size(); ++i) {
    ops_[i]->Invoke();
    const Clock::time_point end = Clock::now();
    op_ns[i] = static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(end - start).count());
    start = end;
  }
}

}  // namespace octet::rt
