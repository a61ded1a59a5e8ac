// Load-time checks of an untrusted .octet file: structure, then meaning.
#pragma once

#include <cstddef>
#include <cstdint>

#include "status.h"

// Runtime internals live in octet::rt; the public C++ wrapper (octet/octet.hpp) owns
// the names octet::Model, octet::Interpreter, octet::Status.
namespace octet::rt {

// Runs the FlatBuffers verifier (identifier "OCT1", bounds, nesting), then
// the semantic rules the interpreter relies on, so that nothing after loading
// re-checks the file:
// - format version known; buffers[0] empty; every index (tensor, buffer,
//   operator input/output, model input/output) in range;
// - every tensor: rank 0..6, dimensions >= 1, a known type, byte size without
//   overflow; a constant's buffer holds exactly numel * element size bytes;
// - quantization: scales finite and > 0, one per tensor or one per channel of
//   quantized_dimension, zero points in the type's range and as many as the
//   scales; int8 activations per tensor;
// - graph: each activation written once (an operator output or a model input),
//   read only after it is written, operator outputs not constants;
// - per operator: options of the right type, inputs/outputs count, types and
//   shapes consistent with the op's rule (kernel sizes, strides, padding,
//   output size, per-channel weight scales, bias shape), fused activation
//   bounds; requantization multipliers representable.
// Errors: OCTET_ERROR_INVALID_MODEL with a message naming the offending
// element and the rule; OCTET_ERROR_UNSUPPORTED for a valid construct this
// runtime does not run (an op type without a kernel, a newer format version).
Status VerifyModel(const uint8_t* data, size_t size);

}  // namespace octet::rt
