// The converter's graph IR: float tensors and ops between ONNX import and the int8 writer.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace octet {
namespace convert {

// Every converter failure is reported as one of these; main() prints the
// message on one line and exits non-zero.
struct ConvertError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

using Shape = std::vector<int64_t>;

int64_t NumElements(const Shape& shape);
std::string ShapeString(const Shape& shape);

// Theory of operation: a tensor is either a constant (float `data`, or
// integer `idata` for the shape arithmetic exporters emit) or an activation
// with a static `shape`. After the layout pass, 4-D activations are stored
// NHWC (`nhwc` set, `shape` in stored order); every op reads `shape` as the
// stored order.
struct Tensor {
  std::string name;
  Shape shape;
  bool is_const = false;
  bool is_int = false;          // integer constant (idata) rather than float (data)
  std::vector<float> data;      // float constant
  std::vector<int64_t> idata;   // integer constant
  bool nhwc = false;
};

struct Attr {
  int64_t i = 0;
  float f = 0;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::string s;
};

// Ops after lowering (IR op names; ONNX names only exist during import):
//   Conv       x, w [OC,KH,KW,IC/g] (OHWI after layout), b [OC]   strides, pads(t,l,b,r), dilations, group
//   FC         x (numel B*K), w [N,K], b [N]
//   Add, Mul   a, b (numpy broadcasting; either may be a constant)
//   MaxPool, AvgPool   x  kernel, strides, pads, count_include_pad
//   GAP        x [N,H,W,C] -> [N,1,1,C]
//   Concat     xs  axis
//   Reshape    x   (output shape is the tensor's shape)
//   Transpose  x   perm
//   Pad        x   pads (before_0, after_0, ...), value
//   Slice      x   begin, size, strides
//   Resize     x [N,H,W,C]  coord (CoordinateTransform), nearest (NearestMode)
//   Softmax    x   axis
//   Lut        x   func (Sigmoid, Tanh, HardSigmoid, HardSwish, LeakyRelu, Relu, Clip), alpha, beta
//   PRelu      x, slope (broadcast constant)
//   BatchNorm  x, scale, bias, mean, var (NCHW only; folded or lowered before layout)
// Conv, FC, Add, Mul, MaxPool, AvgPool and Concat carry a fused clamp
// [act_lo, act_hi] (real values; +-inf when none).
struct Node {
  std::string op;
  std::string name;
  std::vector<int> inputs;   // tensor indices; -1 = missing optional input
  std::vector<int> outputs;
  std::map<std::string, Attr> attrs;
  float act_lo = -std::numeric_limits<float>::infinity();
  float act_hi = std::numeric_limits<float>::infinity();

  bool Has(const std::string& key) const { return attrs.count(key) != 0; }
  int64_t I(const std::string& key, int64_t fallback = 0) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.i;
  }
  float F(const std::string& key, float fallback = 0) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.f;
  }
  std::vector<int64_t> Ints(const std::string& key, std::vector<int64_t> fallback = {}) const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.ints;
  }
  std::string S(const std::string& key, const std::string& fallback = "") const {
    auto it = attrs.find(key);
    return it == attrs.end() ? fallback : it->second.s;
  }
  void SetI(const std::string& key, int64_t v) { attrs[key].i = v; }
  void SetF(const std::string& key, float v) { attrs[key].f = v; }
  void SetInts(const std::string& key, std::vector<int64_t> v) { attrs[key].ints = std::move(v); }
  void SetS(const std::string& key, std::string v) { attrs[key].s = std::move(v); }
  bool HasActivation() const {
    return act_lo != -std::numeric_limits<float>::infinity() ||
           act_hi != std::numeric_limits<float>::infinity();
  }
};

// Theory of operation: nodes are kept in execution order; tensors are never
// deleted while passes run (unused ones are simply not referenced), so
// indices stay stable. `inputs`/`outputs` are the model boundary.
struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<int> inputs;
  std::vector<int> outputs;
  int opset = 13;
  std::string source;
  // Shapes of the inputs as ONNX declares them (layout of the source model).
  int AddTensor(Tensor t) {
    tensors.push_back(std::move(t));
    return static_cast<int>(tensors.size()) - 1;
  }
  int AddConst(const std::string& name, Shape shape, std::vector<float> data) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    t.is_const = true;
    t.data = std::move(data);
    return AddTensor(std::move(t));
  }
  int AddActivation(const std::string& name, Shape shape) {
    Tensor t;
    t.name = name;
    t.shape = std::move(shape);
    return AddTensor(std::move(t));
  }
  // Number of node inputs reading tensor t (graph outputs count too).
  int Uses(int t) const;
  // Index of the node producing t, or -1.
  int Producer(int t) const;
  // Replaces every read of `from` (node inputs, graph outputs) by `to`.
  void ReplaceUses(int from, int to);
  // Removes nodes whose outputs are not used (keeps graph outputs).
  void RemoveDeadNodes();
};

// Counts the ops a graph holds, e.g. "Conv x3, Add x1".
std::string OpSummary(const Graph& g);

}  // namespace convert
}  // namespace octet
