// Shared by the per-family op files (ops_elementwise.cc, ops_pool.cc,
// ops_tensor.cc): helpers over verified tensors and the Prepare functions
// that ops.cc's PrepareOp dispatches to.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "dispatch.h"
#include "interpreter.h"
#include "kernels/reference_ops.h"
#include "kernels/requant.h"
#include "model.h"

namespace octet::rt {

// An op whose kernel name and persistent size are fixed at prepare time.
class SimpleOp : public PreparedOp {
 public:
  explicit SimpleOp(const char* kernel) : kernel_(kernel) {}
  const char* kernel_name() const override { return kernel_; }
  size_t persistent_bytes() const override { return persistent_bytes_; }

 protected:
  size_t persistent_bytes_ = 0;

 private:
  const char* kernel_;
};

inline const int8_t* In8(const octet_tensor* t) { return reinterpret_cast<const int8_t*>(t->data); }
inline int8_t* Out8(octet_tensor* t) { return reinterpret_cast<int8_t*>(t->data); }

inline size_t NumElements(const octet_tensor& t) {
  size_t n = 1;
  for (int32_t d : t.shape) n *= static_cast<size_t>(d);
  return n;
}

// Fused activation as a quantized clamp of the output range.
inline void FusedActivationBounds(schema::Activation activation, float clamp_min,
                                  float clamp_max, const octet_tensor& output, int32_t* qmin,
                                  int32_t* qmax) {
  const double inf = std::numeric_limits<double>::infinity();
  double lo = -inf, hi = inf;
  switch (activation) {
    case schema::Activation::NONE: break;
    case schema::Activation::RELU: lo = 0.0; break;
    case schema::Activation::RELU6: lo = 0.0; hi = 6.0; break;
    case schema::Activation::CLAMP: lo = clamp_min; hi = clamp_max; break;
  }
  ActivationRange(lo, hi, output.scale, output.zero_point, qmin, qmax);
}

// A multiplier the verifier has already accepted (so this cannot fail for a
// verified model; the status covers a model changed after verification).
inline Status Multiplier(double real, int32_t* multiplier, int* shift) {
  if (!QuantizeMultiplier(real, multiplier, shift)) {
    return Status::InvalidModel("requantization multiplier " + std::to_string(real) +
                                " cannot be represented");
  }
  return Status::Ok();
}

// The same for a small accumulator bounded by `bound` (headroom shift).
inline Status Scaled(double real, int64_t bound, ScaledMultiplier* out) {
  if (!ComputeScaledMultiplier(real, bound, out)) {
    return Status::InvalidModel("requantization multiplier " + std::to_string(real) +
                                " cannot be represented for accumulators up to " +
                                std::to_string(bound));
  }
  return Status::Ok();
}

using PrepareFn = Status (*)(const Model& model, const schema::Operator& op,
                             std::vector<octet_tensor>& tensors, const KernelTable& kernels,
                             std::unique_ptr<PreparedOp>* out);

// ops_elementwise.cc
Status PrepareBroadcastAdd(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                           const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareMul(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                  const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareSoftmax(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                      const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareLookupTable(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                          const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PreparePRelu(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                    const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareQuantize(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                       const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareDequantize(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                         const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareRequantize(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                         const KernelTable&, std::unique_ptr<PreparedOp>*);
// ops_pool.cc
Status PrepareMaxPool2D(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                        const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareAveragePool2D(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                            const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareGlobalAveragePool2D(const Model&, const schema::Operator&,
                                  std::vector<octet_tensor>&, const KernelTable&,
                                  std::unique_ptr<PreparedOp>*);
// ops_tensor.cc
Status PrepareConcatenation(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                            const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareReshape(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                      const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareTranspose(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                        const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PreparePad(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                  const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareSlice(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                    const KernelTable&, std::unique_ptr<PreparedOp>*);
Status PrepareResizeNearest(const Model&, const schema::Operator&, std::vector<octet_tensor>&,
                            const KernelTable&, std::unique_ptr<PreparedOp>*);

}  // namespace octet::rt
