// ONNX (opsets 11-17) -> converter IR: constant folding and lowering to IR ops.
#pragma once

#include <string>

#include "converter/ir.h"

namespace octet {
namespace convert {

// Parses a serialized ONNX ModelProto and lowers it to the IR (ONNX layout,
// NCHW; no rewrites yet). Throws ConvertError; an unsupported model names
// every unsupported op type with all its node names in one message.
Graph ImportOnnxBytes(const std::string& bytes, const std::string& source);
// Reads and imports a file.
Graph ImportOnnxFile(const std::string& path);

// Everything after import: BatchNormalization folding, bias and activation
// fusion, NCHW -> NHWC layout with boundary transposes, transpose
// cancellation, dead node removal.
void Optimize(Graph& g);

}  // namespace convert
}  // namespace octet
