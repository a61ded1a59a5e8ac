// The XNNPACK backend: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD
// through XNNPACK's qc8/qs8 operators, for comparison with octet's kernels.
//
// Built only with OCTET_WITH_XNNPACK (xnnpack_backend.cc); otherwise
// xnnpack_backend_none.cc answers "not built", so callers need no #if.
#pragma once

#include <memory>
#include <vector>

#include "interpreter.h"
#include "model.h"
#include "status.h"

namespace octet::rt {

// True if this library was built with XNNPACK.
bool XnnpackBuilt();

// One interpreter's XNNPACK state: the thread pool its operators run on
// (none for one thread). Initializes XNNPACK once per process.
Status CreateXnnpackContext(int num_threads, std::shared_ptr<XnnpackContext>* out);

// Prepares operator `index` as an XNNPACK operator (created here, once; its
// data pointers are bound by PreparedOp::Bind after arena planning). Leaves
// *out null for an operator XNNPACK does not run here (other op types, or
// parameters XNNPACK rejects): octet's kernels then run it.
Status PrepareXnnpackOp(const Model& model, int index, std::vector<octet_tensor>& tensors,
                        XnnpackContext* context, std::unique_ptr<PreparedOp>* out);

}  // namespace octet::rt
