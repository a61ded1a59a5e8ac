// Operator preparation: from a verified schema operator to a PreparedOp.
#pragma once

#include <memory>
#include <vector>

#include "dispatch.h"
#include "interpreter.h"
#include "model.h"

namespace octet::rt {

// Prepares operator `index` of the verified model. `tensors` is the
// interpreter's tensor table (its data pointers are filled after planning, so
// a PreparedOp keeps tensor pointers, never data pointers). Fails only for
// things the verifier cannot know, such as an unavailable kernel.
Status PrepareOp(const Model& model, int index, std::vector<octet_tensor>& tensors,
                 const KernelTable& kernels, std::unique_ptr<PreparedOp>* out);

}  // namespace octet::rt
