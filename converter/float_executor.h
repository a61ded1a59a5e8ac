// Float reference executor of the converter IR (NHWC after Optimize).
#pragma once

#include <functional>
#include <vector>

#include "converter/ir.h"

namespace octet {
namespace convert {

// Theory of operation: runs the nodes in order on float32 values, one
// buffer per tensor (constants are read from the graph). `observe`, when
// set, is called on each node output as soon as it is computed and may
// modify it in place (the quantization simulation fake-quantizes there).
// Returns every tensor's value (empty for constants).
using TensorHook = std::function<void(int tensor, std::vector<float>& value)>;
std::vector<std::vector<float>> RunFloat(const Graph& g, const std::vector<std::vector<float>>& inputs,
                                         const TensorHook& observe = nullptr);

// Pure functions of the lookup-table ops (Relu, Clip, Sigmoid, Tanh,
// HardSigmoid, HardSwish, LeakyRelu) with the node's alpha/beta.
float LutFunction(const std::string& func, float alpha, float beta, float x);

}  // namespace convert
}  // namespace octet
