// The prepared, runnable form of a model: tensors, operators, arena.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arena_planner.h"
#include "dispatch.h"
#include "model.h"
#include "octet/octet.h"
#include "status.h"

// The public opaque tensor handle: one per model tensor.
struct octet_tensor {
  std::string name;
  octet_type type = OCTET_TYPE_INT8;
  std::vector<int32_t> shape;
  size_t bytes = 0;
  float scale = 0.0f;  // per-tensor quantization (first scale for per-channel)
  int32_t zero_point = 0;
  bool is_constant = false;
  // Constant data inside the model, or this tensor's place in the arena;
  // null for a tensor no operator uses.
  uint8_t* data = nullptr;
};

namespace octet::rt {

// One prepared operator: everything precomputed; Invoke only calls a kernel.
class PreparedOp {
 public:
  virtual ~PreparedOp() = default;
  virtual void Invoke() = 0;
  // Kernel chosen at prepare time, e.g. "qs8_conv2d__scalar".
  virtual const char* kernel_name() const = 0;
  // Bytes of persistent data (requantization tables, folded bias, packed weights).
  virtual size_t persistent_bytes() const = 0;
  // Bytes of arena scratch the kernel needs while this op runs, and where
  // the planner put it (called once, after planning, when the size is > 0).
  virtual size_t scratch_bytes() const { return 0; }
  virtual void set_scratch(void* scratch) { (void)scratch; }
  // Multiply-accumulates per invoke, for profiles (0: an op without weights).
  virtual uint64_t macs() const { return 0; }
  // Called once after every tensor has its place in the arena, for ops
  // that bind data pointers ahead of time (the XNNPACK backend's setup).
  virtual Status Bind() { return Status::Ok(); }
};

class XnnpackContext;

struct InterpreterOptions {
  octet_isa isa = OCTET_ISA_AUTO;
  int num_threads = 1;
  void* arena = nullptr;
  size_t arena_bytes = 0;
  octet_backend backend = OCTET_BACKEND_OCTET;
  // Prepare and plan only, allocating no arena (for octet_model_arena_bytes).
  bool plan_only = false;
};

// Lifetimes of the activation tensors of a verified model, in the planner's
// terms: request i describes tensor tensor_index[i]. Model inputs and outputs
// live for the whole run (so invoke can be repeated on the same inputs and
// outputs read afterwards); other activations from their producer to their
// last reader.
struct ActivationLifetimes {
  std::vector<ArenaRequest> requests;
  std::vector<int> tensor_index;
};
ActivationLifetimes ComputeLifetimes(const Model& model);

// Theory of operation: Create() builds a tensor table from the verified
// model, prepares every operator (shapes, per-channel requantization, folded
// biases, kernel choice from the dispatch table), and places all activations
// in one arena (caller-owned or owned here). Invoke() runs the operators in
// order and allocates nothing.
//
// Lifetime: the Model must outlive the Interpreter (constant tensors point
// into it); a caller arena must outlive it too.
class Interpreter {
 public:
  static Status Create(const Model& model, const InterpreterOptions& options,
                       std::unique_ptr<Interpreter>* out);

  void Invoke();
  // Invoke with a steady-clock reading around each operator: op_ns[i] gets
  // operator i's nanoseconds. A separate loop, so Invoke() gains no work.
  void InvokeProfiled(uint64_t* op_ns);

  int input_count() const { return static_cast<int>(inputs_.size()); }
  int output_count() const { return static_cast<int>(outputs_.size()); }
  octet_tensor* input(int i) { return &tensors_[inputs_[i]]; }
  octet_tensor* output(int i) { return &tensors_[outputs_[i]]; }
  octet_tensor* tensor(int i) { return &tensors_[i]; }
  int tensor_count() const { return static_cast<int>(tensors_.size()); }
  int op_count() const { return static_cast<int>(ops_.size()); }
  const PreparedOp& op(int i) const { return *ops_[i]; }
  // What profiles print about operator i (from the model, kept at prepare).
  struct OpInfo {
    const char* type = "";  // schema enum name, static storage
    std::string name;
    int output = -1;        // first output tensor, -1 if none
  };
  const OpInfo& op_info(int i) const { return op_info_[i]; }

  size_t arena_bytes() const { return arena_bytes_; }
  size_t arena_lower_bound_bytes() const { return arena_lower_bound_bytes_; }
  size_t persistent_bytes() const { return persistent_bytes_; }
  const KernelTable& kernels() const { return kernels_; }

  // Last error of the C API calls on this interpreter.
  std::string& error() { return error_; }

 private:
  Interpreter() = default;

  KernelTable kernels_;
  // XNNPACK backend state (thread pool), null for the octet backend. Declared
  // before ops_ so the operators are destroyed first.
  std::shared_ptr<XnnpackContext> xnnpack_;
  std::vector<octet_tensor> tensors_;
  std::vector<int> inputs_, outputs_;
  std::vector<std::unique_ptr<PreparedOp>> ops_;
  std::vector<OpInfo> op_info_;
  std::unique_ptr<uint8_t[], void (*)(uint8_t*)> owned_arena_{nullptr, nullptr};
  uint8_t* arena_ = nullptr;
  size_t arena_bytes_ = 0;
  size_t arena_lower_bound_bytes_ = 0;
  size_t persistent_bytes_ = 0;
  std::string error_;
};

}  // namespace octet::rt
