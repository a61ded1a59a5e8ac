// ONNX import: protobuf -> IR, with constant folding of the shape arithmetic
// exporters emit (Shape/Gather/Concat/Reshape/Unsqueeze ...) and lowering of
// every supported ONNX op to the IR ops listed in ir.h.
#include "converter/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <set>
#include <sstream>

namespace octet {
namespace convert {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

// ---------------------------------------------------------------------------
// Constants as plain values, for folding.

struct Value {
  Shape shape;
  std::vector<double> v;
  bool is_int = false;
};

Value ToValue(const Tensor& t) {
  Value r;
  r.shape = t.shape;
  r.is_int = t.is_int;
  if (t.is_int) {
    r.v.assign(t.idata.begin(), t.idata.end());
  } else {
    r.v.assign(t.data.begin(), t.data.end());
  }
  return r;
}

Tensor FromValue(const std::string& name, const Value& v) {
  Tensor t;
  t.name = name;
  t.shape = v.shape;
  t.is_const = true;
  t.is_int = v.is_int;
  if (v.is_int) {
    t.idata.reserve(v.v.size());
    for (double x : v.v) t.idata.push_back(static_cast<int64_t>(x));
  } else {
    t.data.reserve(v.v.size());
    for (double x : v.v) t.data.push_back(static_cast<float>(x));
  }
  return t;
}

std::vector<int64_t> AsInts(const Tensor& t) {
  if (t.is_int) return t.idata;
  std::vector<int64_t> r;
  for (float f : t.data) r.push_back(static_cast<int64_t>(f));
  return r;
}

std::vector<float> AsFloats(const Tensor& t) {
  if (!t.is_int) return t.data;
  std::vector<float> r;
  for (int64_t i : t.idata) r.push_back(static_cast<float>(i));
  return r;
}

// numpy broadcasting of two shapes.
Shape BroadcastShapes(const Shape& a, const Shape& b, const std::string& where) {
  const size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    const int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      throw ConvertError(where + ": shapes " + ShapeString(a) + " and " + ShapeString(b) +
                         " do not broadcast");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

// Index into a tensor of shape `in` broadcast to `out`, for flat output index i.
int64_t BroadcastIndex(const Shape& in, const Shape& out, int64_t i) {
  int64_t index = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    const int64_t coord = i % out[d];
    i /= out[d];
    const size_t k = d + in.size();
    if (k >= out.size()) {
      const size_t di = k - out.size();
      if (in[di] != 1) index += coord * stride;
      stride *= in[di];
    }
  }
  return index;
}

int64_t NormAxis(int64_t axis, size_t rank, const std::string& where) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    throw ConvertError(where + ": axis " + std::to_string(axis) + " out of range for rank " +
                       std::to_string(rank));
  }
  return axis < 0 ? axis + r : axis;
}

// Resolves a Reshape target (0 = copy, -1 = infer).
Shape ReshapeTarget(const Shape& in, std::vector<int64_t> target, bool allowzero,
                    const std::string& where) {
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == 0 && !allowzero) {
      if (i >= in.size()) throw ConvertError(where + ": reshape 0 beyond the input rank");
      target[i] = in[i];
    }
    if (target[i] == -1) {
      if (infer >= 0) throw ConvertError(where + ": reshape with two -1");
      infer = static_cast<int>(i);
    } else {
      known *= target[i];
    }
  }
  if (infer >= 0) target[static_cast<size_t>(infer)] = known ? NumElements(in) / known : 0;
  if (NumElements(target) != NumElements(in)) {
    throw ConvertError(where + ": cannot reshape " + ShapeString(in) + " to " +
                       ShapeString(target));
  }
  return target;
}

// ---------------------------------------------------------------------------
// The importer.

class Importer {
 public:
  explicit Importer(const onnx::ModelProto& model, std::string source)
      : model_(model) {
    g_.source = std::move(source);
  }

  Graph Run();

 private:
  const onnx::ModelProto& model_;
  Graph g_;
  std::map<std::string, int> names_;

  Tensor ReadTensor(const onnx::TensorProto& p, const std::string& where);
  int Lookup(const std::string& name, const std::string& where) {
    auto it = names_.find(name);
    if (it == names_.end()) throw ConvertError(where + ": input '" + name + "' is not defined");
    return it->second;
  }
  const Tensor& T(int i) const { return g_.tensors[static_cast<size_t>(i)]; }
  bool IsConst(int i) const { return i >= 0 && T(i).is_const; }
  int Out(const onnx::NodeProto& node, size_t k, Shape shape) {
    const int t = g_.AddActivation(node.output(static_cast<int>(k)), std::move(shape));
    names_[node.output(static_cast<int>(k))] = t;
    return t;
  }
  void DefineConst(const std::string& name, const Value& v) {
    names_[name] = g_.AddTensor(FromValue(name, v));
  }
  const Tensor& ConstInput(const std::vector<int>& in, size_t k, const std::string& where,
                           const char* what) {
    if (k >= in.size() || in[k] < 0) throw ConvertError(where + ": missing " + what);
    if (!IsConst(in[k])) {
      throw ConvertError(where + ": " + what + " '" + T(in[k]).name +
                         "' must be a constant (initializer)");
    }
    return T(in[k]);
  }

  bool Fold(const onnx::NodeProto& node, const std::string& op, const std::vector<int>& in,
            const std::string& where);
  void Lower(const onnx::NodeProto& node, const std::string& op, const std::vector<int>& in,
             const std::string& where);
  Node& Add(const std::string& op, const std::string& name, std::vector<int> inputs,
            std::vector<int> outputs) {
    Node n;
    n.op = op;
    n.name = name;
    n.inputs = std::move(inputs);
    n.outputs = std::move(outputs);
    g_.nodes.push_back(std::move(n));
    return g_.nodes.back();
  }
};

struct Attrs {
  std::map<std::string, const onnx::AttributeProto*> m;
  explicit Attrs(const onnx::NodeProto& node) {
    for (const auto& a : node.attribute()) m[a.name()] = &a;
  }
  bool Has(const std::string& k) const { return m.count(k) != 0; }
  int64_t I(const std::string& k, int64_t d) const {
    auto it = m.find(k);
    return it == m.end() ? d : it->second->i();
  }
  float F(const std::string& k, float d) const {
    auto it = m.find(k);
    return it == m.end() ? d : it->second->f();
  }
  std::string S(const std::string& k, const std::string& d) const {
    auto it = m.find(k);
    return it == m.end() ? d : it->second->s();
  }
  std::vector<int64_t> Ints(const std::string& k, std::vector<int64_t> d = {}) const {
    auto it = m.find(k);
    if (it == m.end()) return d;
    return std::vector<int64_t>(it->second->ints().begin(), it->second->ints().end());
  }
};

Tensor Importer::ReadTensor(const onnx::TensorProto& p, const std::string& where) {
  Tensor t;
  t.name = p.name();
  t.is_const = true;
  for (int64_t d : p.dims()) t.shape.push_back(d);
  const int64_t n = NumElements(t.shape);
  if (p.data_location() == onnx::TensorProto::EXTERNAL) {
    throw ConvertError(where + ": tensor '" + p.name() +
                       "' uses external data; save the model with its weights inside");
  }
  const std::string& raw = p.raw_data();
  const bool has_raw = p.has_raw_data();
  auto need = [&](size_t elem) {
    if (has_raw && raw.size() != static_cast<size_t>(n) * elem) {
      throw ConvertError(where + ": tensor '" + p.name() + "' has " +
                         std::to_string(raw.size()) + " bytes of data, expected " +
                         std::to_string(n * static_cast<int64_t>(elem)));
    }
  };
  switch (p.data_type()) {
    case onnx::TensorProto::FLOAT: {
      need(4);
      t.data.resize(static_cast<size_t>(n));
      if (has_raw) {
        std::memcpy(t.data.data(), raw.data(), raw.size());
      } else {
        if (p.float_data_size() != n) throw ConvertError(where + ": bad float data in '" + p.name() + "'");
        std::copy(p.float_data().begin(), p.float_data().end(), t.data.begin());
      }
      break;
    }
    case onnx::TensorProto::DOUBLE: {
      need(8);
      t.data.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) {
        double d;
        if (has_raw) {
          std::memcpy(&d, raw.data() + 8 * i, 8);
        } else {
          d = p.double_data(static_cast<int>(i));
        }
        t.data[static_cast<size_t>(i)] = static_cast<float>(d);
      }
      break;
    }
    case onnx::TensorProto::INT64:
    case onnx::TensorProto::INT32:
    case onnx::TensorProto::INT8:
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::BOOL: {
      t.is_int = true;
      t.idata.resize(static_cast<size_t>(n));
      const int type = p.data_type();
      const size_t elem = type == onnx::TensorProto::INT64 ? 8 : type == onnx::TensorProto::INT32 ? 4 : 1;
      need(elem);
      for (int64_t i = 0; i < n; ++i) {
        int64_t v = 0;
        if (has_raw) {
          const char* ptr = raw.data() + static_cast<int64_t>(elem) * i;
          if (elem == 8) { std::memcpy(&v, ptr, 8); }
          else if (elem == 4) { int32_t x; std::memcpy(&x, ptr, 4); v = x; }
          else if (type == onnx::TensorProto::INT8) { v = static_cast<int8_t>(*ptr); }
          else { v = static_cast<uint8_t>(*ptr); }
        } else if (type == onnx::TensorProto::INT64) {
          v = p.int64_data(static_cast<int>(i));
        } else {
          v = p.int32_data(static_cast<int>(i));
          if (type == onnx::TensorProto::INT8) v = static_cast<int8_t>(v);
        }
        t.idata[static_cast<size_t>(i)] = v;
      }
      break;
    }
    default:
      throw ConvertError(where + ": tensor '" + p.name() + "' has unsupported data type " +
                         onnx::TensorProto::DataType_Name(
                             static_cast<onnx::TensorProto::DataType>(p.data_type())));
  }
  return t;
}

// Ops the importer knows; anything else is collected into one error.
const std::set<std::string>& SupportedOps() {
  static const std::set<std::string> ops = {
      "Conv", "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Clip", "MaxPool",
      "AveragePool", "GlobalAveragePool", "Concat", "Reshape", "Flatten", "Transpose", "Pad",
      "Slice", "Resize", "Softmax", "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "LeakyRelu",
      "PRelu", "BatchNormalization", "Identity", "Dropout", "Constant", "Shape", "Gather",
      "Unsqueeze", "Squeeze", "Cast", "ConstantOfShape", "ReduceMean"};
  return ops;
}

Graph Importer::Run() {
  const auto& graph = model_.graph();
  for (const auto& opset : model_.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") g_.opset = static_cast<int>(opset.version());
  }
  // Every unsupported op type with all its node names, in one message.
  std::map<std::string, std::vector<std::string>> unsupported;
  for (int k = 0; k < graph.node_size(); ++k) {
    const auto& node = graph.node(k);
    const bool onnx_domain = node.domain().empty() || node.domain() == "ai.onnx";
    if (!onnx_domain || !SupportedOps().count(node.op_type())) {
      const std::string type = onnx_domain ? node.op_type() : node.domain() + "." + node.op_type();
      unsupported[type].push_back(node.name().empty() ? "#" + std::to_string(k) : node.name());
    }
  }
  if (!unsupported.empty()) {
    std::ostringstream s;
    s << "unsupported ONNX operators (" << unsupported.size() << " types): ";
    bool first = true;
    for (const auto& [type, names] : unsupported) {
      s << (first ? "" : "; ") << type << " (" << names.size() << " node"
        << (names.size() > 1 ? "s" : "") << ": ";
      for (size_t i = 0; i < names.size(); ++i) s << (i ? ", " : "") << names[i];
      s << ")";
      first = false;
    }
    throw ConvertError(s.str());
  }

  for (const auto& init : graph.initializer()) {
    names_[init.name()] = g_.AddTensor(ReadTensor(init, "initializer"));
  }
  for (const auto& input : graph.input()) {
    if (names_.count(input.name())) continue;  // an initializer listed as input
    const auto& type = input.type();
    if (!type.has_tensor_type()) throw ConvertError("input '" + input.name() + "' is not a tensor");
    if (type.tensor_type().elem_type() != onnx::TensorProto::FLOAT) {
      throw ConvertError("input '" + input.name() + "' has element type " +
                         onnx::TensorProto::DataType_Name(static_cast<onnx::TensorProto::DataType>(
                             type.tensor_type().elem_type())) +
                         "; only float32 inputs are supported");
    }
    Shape shape;
    for (const auto& d : type.tensor_type().shape().dim()) {
      // A symbolic or unknown dimension (the batch) is fixed to 1.
      shape.push_back(d.has_dim_value() && d.dim_value() > 0 ? d.dim_value() : 1);
    }
    const int t = g_.AddActivation(input.name(), shape);
    names_[input.name()] = t;
    g_.inputs.push_back(t);
  }

  for (int k = 0; k < graph.node_size(); ++k) {
    const auto& node = graph.node(k);
    const std::string name = node.name().empty() ? node.op_type() + "#" + std::to_string(k) : node.name();
    const std::string where = node.op_type() + " '" + name + "'";
    std::vector<int> in;
    for (const auto& i : node.input()) in.push_back(i.empty() ? -1 : Lookup(i, where));
    const std::string& op = node.op_type();
    if (op == "Identity" || op == "Dropout") {
      names_[node.output(0)] = in.at(0);
      continue;
    }
    if (Fold(node, op, in, where)) continue;
    Lower(node, op, in, where);
  }
  for (const auto& output : graph.output()) {
    const int t = Lookup(output.name(), "graph output");
    if (T(t).is_const) throw ConvertError("graph output '" + output.name() + "' is a constant");
    g_.outputs.push_back(t);
  }
  // Keep the ONNX names of graph outputs on the tensors that carry them
  // (Identity aliases may have renamed them).
  for (int i = 0; i < graph.output_size(); ++i) {
    g_.tensors[static_cast<size_t>(g_.outputs[static_cast<size_t>(i)])].name = graph.output(i).name();
  }
  g_.RemoveDeadNodes();
  return std::move(g_);
}

// Constant folding. Returns true when the node's outputs became constants.
bool Importer::Fold(const onnx::NodeProto& node, const std::string& op, const std::vector<int>& in,
                    const std::string& where) {
  Attrs a(node);
  if (op == "Constant") {
    Value v;
    if (a.Has("value")) {
      v = ToValue(ReadTensor(a.m.at("value")->t(), where));
    } else if (a.Has("value_float")) {
      v.v = {a.F("value_float", 0)};
    } else if (a.Has("value_floats")) {
      for (float f : a.m.at("value_floats")->floats()) v.v.push_back(f);
      v.shape = {static_cast<int64_t>(v.v.size())};
    } else if (a.Has("value_int")) {
      v.is_int = true;
      v.v = {static_cast<double>(a.I("value_int", 0))};
    } else if (a.Has("value_ints")) {
      v.is_int = true;
      for (int64_t i : a.Ints("value_ints")) v.v.push_back(static_cast<double>(i));
      v.shape = {static_cast<int64_t>(v.v.size())};
    } else {
      throw ConvertError(where + ": Constant without a supported value attribute");
    }
    DefineConst(node.output(0), v);
    return true;
  }
  if (op == "Shape") {
    const Shape& s = T(in.at(0)).shape;
    const int64_t r = static_cast<int64_t>(s.size());
    int64_t start = a.I("start", 0), end = a.I("end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<int64_t>(start, 0, r);
    end = std::clamp<int64_t>(end, 0, r);
    Value v;
    v.is_int = true;
    for (int64_t i = start; i < end; ++i) v.v.push_back(static_cast<double>(s[static_cast<size_t>(i)]));
    v.shape = {static_cast<int64_t>(v.v.size())};
    DefineConst(node.output(0), v);
    return true;
  }
  for (int i : in) {
    if (i >= 0 && !IsConst(i)) return false;
  }
  std::vector<Value> x;
  for (int i : in) x.push_back(i >= 0 ? ToValue(T(i)) : Value{});
  Value y;
  if (op == "Gather") {
    const Value& data = x.at(0);
    const Value& idx = x.at(1);
    const int64_t axis = NormAxis(a.I("axis", 0), data.shape.size(), where);
    const int64_t outer = NumElements(Shape(data.shape.begin(), data.shape.begin() + axis));
    const int64_t dim = data.shape[static_cast<size_t>(axis)];
    const int64_t inner = NumElements(Shape(data.shape.begin() + axis + 1, data.shape.end()));
    y.is_int = data.is_int;
    y.shape = Shape(data.shape.begin(), data.shape.begin() + axis);
    y.shape.insert(y.shape.end(), idx.shape.begin(), idx.shape.end());
    y.shape.insert(y.shape.end(), data.shape.begin() + axis + 1, data.shape.end());
    for (int64_t o = 0; o < outer; ++o)
      for (double id : idx.v) {
        int64_t j = static_cast<int64_t>(id);
        if (j < 0) j += dim;
        if (j < 0 || j >= dim) throw ConvertError(where + ": index out of range");
        for (int64_t q = 0; q < inner; ++q) y.v.push_back(data.v[static_cast<size_t>((o * dim + j) * inner + q)]);
      }
  } else if (op == "Concat") {
    const int64_t axis = NormAxis(a.I("axis", 0), x.at(0).shape.size(), where);
    y.shape = x[0].shape;
    y.is_int = x[0].is_int;
    y.shape[static_cast<size_t>(axis)] = 0;
    for (const Value& v : x) y.shape[static_cast<size_t>(axis)] += v.shape[static_cast<size_t>(axis)];
    const int64_t outer = NumElements(Shape(y.shape.begin(), y.shape.begin() + axis));
    for (int64_t o = 0; o < outer; ++o)
      for (const Value& v : x) {
        const int64_t chunk = NumElements(Shape(v.shape.begin() + axis, v.shape.end()));
        for (int64_t q = 0; q < chunk; ++q) y.v.push_back(v.v[static_cast<size_t>(o * chunk + q)]);
      }
  } else if (op == "Unsqueeze" || op == "Squeeze") {
    std::vector<int64_t> axes = a.Ints("axes");
    if (in.size() > 1 && in[1] >= 0) axes = AsInts(T(in[1]));
    y = x.at(0);
    if (op == "Unsqueeze") {
      const size_t rank = y.shape.size() + axes.size();
      for (int64_t& ax : axes) ax = NormAxis(ax, rank, where);
      std::sort(axes.begin(), axes.end());
      for (int64_t ax : axes) y.shape.insert(y.shape.begin() + ax, 1);
    } else {
      Shape s;
      for (size_t d = 0; d < y.shape.size(); ++d) {
        bool drop = false;
        for (int64_t ax : axes) drop |= NormAxis(ax, y.shape.size(), where) == static_cast<int64_t>(d);
        if (axes.empty()) drop = y.shape[d] == 1;
        if (!drop) s.push_back(y.shape[d]);
      }
      y.shape = s;
    }
  } else if (op == "Reshape") {
    y = x.at(0);
    std::vector<int64_t> target;
    for (double d : x.at(1).v) target.push_back(static_cast<int64_t>(d));
    y.shape = ReshapeTarget(y.shape, target, a.I("allowzero", 0) != 0, where);
  } else if (op == "Flatten") {
    y = x.at(0);
    int64_t axis = a.I("axis", 1);
    if (axis < 0) axis += static_cast<int64_t>(y.shape.size());
    axis = std::clamp<int64_t>(axis, 0, static_cast<int64_t>(y.shape.size()));
    const int64_t outer = NumElements(Shape(y.shape.begin(), y.shape.begin() + axis));
    y.shape = {outer, NumElements(y.shape) / std::max<int64_t>(outer, 1)};
  } else if (op == "Cast") {
    y = x.at(0);
    const int64_t to = a.I("to", onnx::TensorProto::FLOAT);
    y.is_int = !(to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE ||
                 to == onnx::TensorProto::FLOAT16);
    if (y.is_int) for (double& d : y.v) d = std::trunc(d);
  } else if (op == "ConstantOfShape") {
    Shape s;
    for (double d : x.at(0).v) s.push_back(static_cast<int64_t>(d));
    y.shape = s;
    double fill = 0;
    y.is_int = false;
    if (a.Has("value")) {
      Value v = ToValue(ReadTensor(a.m.at("value")->t(), where));
      if (!v.v.empty()) fill = v.v[0];
      y.is_int = v.is_int;
    }
    y.v.assign(static_cast<size_t>(NumElements(s)), fill);
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    y.shape = BroadcastShapes(x.at(0).shape, x.at(1).shape, where);
    y.is_int = x[0].is_int && x[1].is_int;
    const int64_t n = NumElements(y.shape);
    for (int64_t i = 0; i < n; ++i) {
      const double p = x[0].v[static_cast<size_t>(BroadcastIndex(x[0].shape, y.shape, i))];
      const double q = x[1].v[static_cast<size_t>(BroadcastIndex(x[1].shape, y.shape, i))];
      double r = op == "Add" ? p + q : op == "Sub" ? p - q : op == "Mul" ? p * q : p / q;
      if (op == "Div" && y.is_int) r = std::floor(p / q);  // exporters divide non-negative sizes
      y.v.push_back(r);
    }
  } else if (op == "Transpose") {
    const Value& v = x.at(0);
    std::vector<int64_t> perm = a.Ints("perm");
    if (perm.empty()) for (size_t d = v.shape.size(); d-- > 0;) perm.push_back(static_cast<int64_t>(d));
    y.is_int = v.is_int;
    for (int64_t p : perm) y.shape.push_back(v.shape[static_cast<size_t>(p)]);
    const int64_t n = NumElements(y.shape);
    y.v.resize(static_cast<size_t>(n));
    std::vector<int64_t> in_strides(v.shape.size(), 1);
    for (size_t d = v.shape.size(); d-- > 1;) in_strides[d - 1] = in_strides[d] * v.shape[d];
    for (int64_t i = 0; i < n; ++i) {
      int64_t rem = i, src = 0;
      for (size_t d = y.shape.size(); d-- > 0;) {
        src += (rem % y.shape[d]) * in_strides[static_cast<size_t>(perm[d])];
        rem /= y.shape[d];
      }
      y.v[static_cast<size_t>(i)] = v.v[static_cast<size_t>(src)];
    }
  } else if (op == "Slice" && x.at(0).shape.size() == 1) {
    const Value& v = x.at(0);
    int64_t start = static_cast<int64_t>(x.at(1).v.at(0)), end = static_cast<int64_t>(x.at(2).v.at(0));
    const int64_t n = v.shape[0];
    int64_t step = in.size() > 4 && in[4] >= 0 ? static_cast<int64_t>(x[4].v.at(0)) : 1;
    if (step != 1) return false;
    if (start < 0) start += n;
    if (end < 0) end += n;
    start = std::clamp<int64_t>(start, 0, n);
    end = std::clamp<int64_t>(end, 0, n);
    y.is_int = v.is_int;
    for (int64_t i = start; i < end; ++i) y.v.push_back(v.v[static_cast<size_t>(i)]);
    y.shape = {static_cast<int64_t>(y.v.size())};
  } else {
    return false;  // lowered, and run by the float executor if constant
  }
  DefineConst(node.output(0), y);
  return true;
}

void PoolPads(const Attrs& a, const Shape& x, const std::vector<int64_t>& kernel,
              const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
              const std::string& where, std::vector<int64_t>* pads) {
  const std::string auto_pad = a.S("auto_pad", "NOTSET");
  *pads = a.Ints("pads", {0, 0, 0, 0});
  if (pads->size() != 4) throw ConvertError(where + ": expected 4 pads");
  if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (int d = 0; d < 2; ++d) {
      const int64_t in = x[static_cast<size_t>(2 + d)];
      const int64_t out = (in + strides[d] - 1) / strides[d];
      const int64_t eff = dilations[d] * (kernel[d] - 1) + 1;
      const int64_t total = std::max<int64_t>(0, (out - 1) * strides[d] + eff - in);
      const int64_t small = total / 2, big = total - small;
      (*pads)[d] = auto_pad == "SAME_UPPER" ? small : big;
      (*pads)[d + 2] = auto_pad == "SAME_UPPER" ? big : small;
    }
  } else if (auto_pad == "VALID") {
    *pads = {0, 0, 0, 0};
  } else if (auto_pad != "NOTSET") {
    throw ConvertError(where + ": unknown auto_pad " + auto_pad);
  }
}

void Importer::Lower(const onnx::NodeProto& node, const std::string& op,
                     const std::vector<int>& in, const std::string& where) {
  Attrs a(node);
  const std::string& name = node.name().empty() ? node.output(0) : node.name();
  // By value: adding tensors below may reallocate the tensor table.
  auto x_shape = [&]() -> Shape {
    if (in.empty() || in[0] < 0) throw ConvertError(where + ": missing input");
    return T(in[0]).shape;
  };
  auto require_rank4 = [&](const Shape& s) {
    if (s.size() != 4) {
      throw ConvertError(where + ": input shape " + ShapeString(s) +
                         "; only 2-D spatial (rank 4, NCHW) tensors are supported");
    }
  };
  // A second output (MaxPool Indices, BatchNorm running stats, ...) that
  // anything reads cannot be produced.
  for (int k = 1; k < node.output_size(); ++k) {
    if (node.output(k).empty()) continue;
    for (const auto& other : model_.graph().node())
      for (const auto& i : other.input())
        if (i == node.output(k)) throw ConvertError(where + ": output " + std::to_string(k) + " ('" + node.output(k) + "') is not supported");
    for (const auto& o : model_.graph().output())
      if (o.name() == node.output(k)) throw ConvertError(where + ": output " + std::to_string(k) + " is not supported");
  }

  if (op == "Conv") {
    const Shape& x = x_shape();
    require_rank4(x);
    const Tensor w = ConstInput(in, 1, where, "weight");
    if (w.shape.size() != 4) throw ConvertError(where + ": weight must be rank 4");
    const int64_t group = a.I("group", 1);
    if (w.shape[1] * group != x[1] || w.shape[0] % group) {
      throw ConvertError(where + ": weight shape " + ShapeString(w.shape) + " does not match input " +
                         ShapeString(x) + " with group " + std::to_string(group));
    }
    std::vector<int64_t> kernel = {w.shape[2], w.shape[3]};
    std::vector<int64_t> strides = a.Ints("strides", {1, 1}), dil = a.Ints("dilations", {1, 1});
    std::vector<int64_t> pads;
    PoolPads(a, x, kernel, strides, dil, where, &pads);
    Shape y = {x[0], w.shape[0], 0, 0};
    for (int d = 0; d < 2; ++d) {
      const int64_t eff = dil[d] * (kernel[d] - 1) + 1;
      y[static_cast<size_t>(2 + d)] = (x[static_cast<size_t>(2 + d)] + pads[d] + pads[d + 2] - eff) / strides[d] + 1;
    }
    int bias = in.size() > 2 ? in[2] : -1;
    if (bias >= 0) ConstInput(in, 2, where, "bias");
    Node& n = Add("Conv", name, {in[0], in[1], bias}, {Out(node, 0, y)});
    n.SetInts("strides", strides);
    n.SetInts("dilations", dil);
    n.SetInts("pads", {pads[0], pads[1], pads[2], pads[3]});  // top, left, bottom, right
    n.SetI("group", group);
    n.SetS("layout", "OIHW");
  } else if (op == "Gemm" || op == "MatMul") {
    const Shape& x = x_shape();
    if (IsConst(in[0])) throw ConvertError(where + ": a constant first input (A) is not supported");
    const Tensor b = ConstInput(in, 1, where, "second input (B)");
    if (b.shape.size() != 2) throw ConvertError(where + ": B must be a 2-D constant");
    const bool trans_b = op == "Gemm" && a.I("transB", 0) != 0;
    if (op == "Gemm" && a.I("transA", 0) != 0) throw ConvertError(where + ": transA=1 is not supported");
    const float alpha = op == "Gemm" ? a.F("alpha", 1) : 1.f;
    const float beta = op == "Gemm" ? a.F("beta", 1) : 1.f;
    const int64_t K = trans_b ? b.shape[1] : b.shape[0];
    const int64_t N = trans_b ? b.shape[0] : b.shape[1];
    if (x.empty() || x.back() != K) {
      throw ConvertError(where + ": input " + ShapeString(x) + " does not match B " + ShapeString(b.shape));
    }
    if (op == "Gemm" && x.size() != 2) throw ConvertError(where + ": A must be 2-D");
    std::vector<float> bw = AsFloats(b), w(static_cast<size_t>(N * K));
    for (int64_t nn = 0; nn < N; ++nn)
      for (int64_t k = 0; k < K; ++k)
        w[static_cast<size_t>(nn * K + k)] = alpha * bw[static_cast<size_t>(trans_b ? nn * K + k : k * N + nn)];
    const int wt = g_.AddConst(name + "/weight", {N, K}, w);
    int bt = -1;
    const int64_t rows = NumElements(x) / K;
    if (op == "Gemm" && in.size() > 2 && in[2] >= 0) {
      const Tensor& c = ConstInput(in, 2, where, "C");
      std::vector<float> cv = AsFloats(c), bias(static_cast<size_t>(N));
      const Shape cs = c.shape;
      if (NumElements(cs) == N && (cs.size() == 1 || cs[0] == 1 || cs.size() == 0)) {
        for (int64_t nn = 0; nn < N; ++nn) bias[static_cast<size_t>(nn)] = beta * cv[static_cast<size_t>(nn)];
      } else if (NumElements(cs) == 1) {
        for (float& f : bias) f = beta * cv[0];
      } else {
        // A [M,N] bias is a per-row bias only if all rows are equal.
        BroadcastShapes(cs, {rows, N}, where);
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t nn = 0; nn < N; ++nn) {
            const float v = beta * cv[static_cast<size_t>(BroadcastIndex(cs, {rows, N}, r * N + nn))];
            if (r == 0) bias[static_cast<size_t>(nn)] = v;
            else if (bias[static_cast<size_t>(nn)] != v) throw ConvertError(where + ": a bias C that differs between rows is not supported");
          }
      }
      bt = g_.AddConst(name + "/bias", {N}, bias);
    }
    if (x.size() <= 2) {
      Add("FC", name, {in[0], wt, bt}, {Out(node, 0, {rows, N})});
    } else {
      const int mid = g_.AddActivation(name + "/fc", {rows, N});
      Add("FC", name, {in[0], wt, bt}, {mid});
      Shape y = x;
      y.back() = N;
      Add("Reshape", name + "/reshape", {mid}, {Out(node, 0, y)});
    }
  } else if (op == "Add" || op == "Sub" || op == "Mul" || op == "Div") {
    int p = in.at(0), q = in.at(1);
    if ((op == "Sub" || op == "Div") && !IsConst(q)) {
      throw ConvertError(where + ": " + op + " with a non-constant second input is not supported");
    }
    const Shape y = BroadcastShapes(T(p).shape, T(q).shape, where);
    std::string ir = op;
    if (op == "Sub" || op == "Div") {
      std::vector<float> v = AsFloats(T(q));
      for (float& f : v) f = op == "Sub" ? -f : 1.f / f;
      q = g_.AddConst(name + "/rhs", T(q).shape, v);
      ir = op == "Sub" ? "Add" : "Mul";
    } else if (IsConst(p)) {
      std::swap(p, q);  // the constant goes second
    }
    if (IsConst(q) && T(q).is_int) q = g_.AddConst(T(q).name + "/f", T(q).shape, AsFloats(T(q)));
    Add(ir, name, {p, q}, {Out(node, 0, y)});
  } else if (op == "Relu" || op == "Sigmoid" || op == "Tanh" || op == "HardSigmoid" ||
             op == "HardSwish" || op == "LeakyRelu" || op == "Clip") {
    Node& n = Add("Lut", name, {in.at(0)}, {Out(node, 0, x_shape())});
    n.SetS("func", op);
    if (op == "HardSigmoid") {
      n.SetF("alpha", a.F("alpha", 0.2f));
      n.SetF("beta", a.F("beta", 0.5f));
    } else if (op == "LeakyRelu") {
      n.SetF("alpha", a.F("alpha", 0.01f));
    } else if (op == "Clip") {
      float lo = -kInf, hi = kInf;
      if (g_.opset < 11) {
        lo = a.F("min", -kInf);
        hi = a.F("max", kInf);
      } else {
        if (in.size() > 1 && in[1] >= 0) lo = AsFloats(ConstInput(in, 1, where, "min")).at(0);
        if (in.size() > 2 && in[2] >= 0) hi = AsFloats(ConstInput(in, 2, where, "max")).at(0);
      }
      n.SetF("alpha", lo);
      n.SetF("beta", hi);
    }
  } else if (op == "PRelu") {
    const Tensor s = ConstInput(in, 1, where, "slope");
    const int st = s.is_int ? g_.AddConst(s.name + "/f", s.shape, AsFloats(s)) : in[1];
    const Shape y = BroadcastShapes(x_shape(), s.shape, where);
    if (y != x_shape()) throw ConvertError(where + ": slope must broadcast to the input");
    Add("PRelu", name, {in[0], st}, {Out(node, 0, y)});
  } else if (op == "MaxPool" || op == "AveragePool") {
    const Shape& x = x_shape();
    require_rank4(x);
    std::vector<int64_t> kernel = a.Ints("kernel_shape"), strides = a.Ints("strides", {1, 1}),
                         dil = a.Ints("dilations", {1, 1});
    if (kernel.size() != 2) throw ConvertError(where + ": kernel_shape must have 2 entries");
    if (dil != std::vector<int64_t>{1, 1}) throw ConvertError(where + ": dilated pooling is not supported");
    std::vector<int64_t> pads;
    PoolPads(a, x, kernel, strides, dil, where, &pads);
    const bool ceil = a.I("ceil_mode", 0) != 0;
    Shape y = {x[0], x[1], 0, 0};
    for (int d = 0; d < 2; ++d) {
      const int64_t span = x[static_cast<size_t>(2 + d)] + pads[d] + pads[d + 2] - kernel[d];
      int64_t out = (ceil ? (span + strides[d] - 1) / strides[d] : span / strides[d]) + 1;
      // ceil mode: the last window must start inside the input or left padding.
      if (ceil && (out - 1) * strides[d] >= x[static_cast<size_t>(2 + d)] + pads[d]) --out;
      // Expressed as extra bottom/right padding so floor arithmetic gives `out`.
      const int64_t needed = (out - 1) * strides[d] + kernel[d] - x[static_cast<size_t>(2 + d)] - pads[d];
      pads[d + 2] = std::max(pads[d + 2], needed);
      y[static_cast<size_t>(2 + d)] = out;
    }
    const bool include_pad = a.I("count_include_pad", 0) != 0;
    if (ceil && include_pad && op == "AveragePool") {
      throw ConvertError(where + ": ceil_mode with count_include_pad is not supported");
    }
    Node& n = Add(op == "MaxPool" ? "MaxPool" : "AvgPool", name, {in[0]}, {Out(node, 0, y)});
    n.SetInts("kernel", kernel);
    n.SetInts("strides", strides);
    n.SetInts("pads", pads);
    n.SetI("count_include_pad", include_pad);
  } else if (op == "GlobalAveragePool") {
    const Shape& x = x_shape();
    require_rank4(x);
    Add("GAP", name, {in[0]}, {Out(node, 0, {x[0], x[1], 1, 1})});
  } else if (op == "ReduceMean") {
    // Only the spatial mean of an NCHW tensor (a global average pool).
    const Shape& x = x_shape();
    std::vector<int64_t> axes = a.Ints("axes");
    if (in.size() > 1 && in[1] >= 0) axes = AsInts(ConstInput(in, 1, where, "axes"));
    for (int64_t& ax : axes) ax = NormAxis(ax, x.size(), where);
    std::sort(axes.begin(), axes.end());
    if (x.size() != 4 || axes != std::vector<int64_t>{2, 3}) {
      throw ConvertError(where + ": only the mean over axes [2, 3] of a 4-D tensor is supported");
    }
    if (a.I("keepdims", 1) != 0) {
      Add("GAP", name, {in[0]}, {Out(node, 0, {x[0], x[1], 1, 1})});
    } else {
      const int mid = g_.AddActivation(name + "/keepdims", {x[0], x[1], 1, 1});
      Add("GAP", name, {in[0]}, {mid});
      Add("Reshape", name + "/squeeze", {mid}, {Out(node, 0, {x[0], x[1]})});
    }
  } else if (op == "Concat") {
    const Shape& x = x_shape();
    const int64_t axis = NormAxis(a.I("axis", 0), x.size(), where);
    Shape y = x;
    y[static_cast<size_t>(axis)] = 0;
    std::vector<int> ins;
    for (int i : in) {
      if (IsConst(i)) throw ConvertError(where + ": constant inputs to Concat are not supported");
      y[static_cast<size_t>(axis)] += T(i).shape[static_cast<size_t>(axis)];
      ins.push_back(i);
    }
    Node& n = Add("Concat", name, ins, {Out(node, 0, y)});
    n.SetI("axis", axis);
  } else if (op == "Reshape" || op == "Flatten" || op == "Squeeze" || op == "Unsqueeze") {
    const Shape& x = x_shape();
    Shape y;
    if (op == "Reshape") {
      y = ReshapeTarget(x, AsInts(ConstInput(in, 1, where, "shape")), a.I("allowzero", 0) != 0, where);
    } else if (op == "Flatten") {
      int64_t axis = a.I("axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(x.size());
      axis = std::clamp<int64_t>(axis, 0, static_cast<int64_t>(x.size()));
      const int64_t outer = NumElements(Shape(x.begin(), x.begin() + axis));
      y = {outer, NumElements(x) / outer};
    } else {
      std::vector<int64_t> axes = a.Ints("axes");
      if (in.size() > 1 && in[1] >= 0) axes = AsInts(ConstInput(in, 1, where, "axes"));
      if (op == "Unsqueeze") {
        y = x;
        const size_t rank = x.size() + axes.size();
        for (int64_t& ax : axes) ax = NormAxis(ax, rank, where);
        std::sort(axes.begin(), axes.end());
        for (int64_t ax : axes) y.insert(y.begin() + ax, 1);
      } else {
        for (size_t d = 0; d < x.size(); ++d) {
          bool drop = axes.empty() && x[d] == 1;
          for (int64_t ax : axes) drop |= NormAxis(ax, x.size(), where) == static_cast<int64_t>(d);
          if (!drop) y.push_back(x[d]);
        }
      }
    }
    Add("Reshape", name, {in[0]}, {Out(node, 0, y)});
  } else if (op == "Transpose") {
    const Shape& x = x_shape();
    std::vector<int64_t> perm = a.Ints("perm");
    if (perm.empty()) for (size_t d = x.size(); d-- > 0;) perm.push_back(static_cast<int64_t>(d));
    Shape y;
    for (int64_t p : perm) y.push_back(x.at(static_cast<size_t>(p)));
    Node& n = Add("Transpose", name, {in[0]}, {Out(node, 0, y)});
    n.SetInts("perm", perm);
  } else if (op == "Pad") {
    const Shape& x = x_shape();
    if (a.S("mode", "constant") != "constant") {
      throw ConvertError(where + ": only constant padding is supported (mode " + a.S("mode", "") + ")");
    }
    std::vector<int64_t> pads = g_.opset < 11 ? a.Ints("pads") : AsInts(ConstInput(in, 1, where, "pads"));
    float value = g_.opset < 11 ? a.F("value", 0) : 0.f;
    if (in.size() > 2 && in[2] >= 0) value = AsFloats(ConstInput(in, 2, where, "constant_value")).at(0);
    if (in.size() > 3 && in[3] >= 0) throw ConvertError(where + ": the axes input is not supported");
    if (pads.size() != 2 * x.size()) throw ConvertError(where + ": pads must have 2 * rank entries");
    std::vector<int64_t> inter;
    Shape y = x;
    for (size_t d = 0; d < x.size(); ++d) {
      const int64_t b = pads[d], e = pads[d + x.size()];
      if (b < 0 || e < 0) throw ConvertError(where + ": negative pads are not supported");
      inter.push_back(b);
      inter.push_back(e);
      y[d] += b + e;
    }
    Node& n = Add("Pad", name, {in[0]}, {Out(node, 0, y)});
    n.SetInts("pads", inter);
    n.SetF("value", value);
  } else if (op == "Slice") {
    const Shape& x = x_shape();
    const std::vector<int64_t> starts = AsInts(ConstInput(in, 1, where, "starts"));
    const std::vector<int64_t> ends = AsInts(ConstInput(in, 2, where, "ends"));
    std::vector<int64_t> axes, steps;
    if (in.size() > 3 && in[3] >= 0) axes = AsInts(ConstInput(in, 3, where, "axes"));
    if (in.size() > 4 && in[4] >= 0) steps = AsInts(ConstInput(in, 4, where, "steps"));
    if (axes.empty()) for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    if (steps.empty()) steps.assign(starts.size(), 1);
    std::vector<int64_t> begin(x.size(), 0), size(x.begin(), x.end()), stride(x.size(), 1);
    for (size_t i = 0; i < starts.size(); ++i) {
      const size_t d = static_cast<size_t>(NormAxis(axes.at(i), x.size(), where));
      const int64_t n = x[d], step = steps.at(i);
      if (step < 1) throw ConvertError(where + ": steps < 1 are not supported");
      int64_t s = starts[i], e = ends.at(i);
      if (s < 0) s += n;
      if (e < 0) e += n;
      s = std::clamp<int64_t>(s, 0, n);
      e = std::clamp<int64_t>(e, 0, n);
      begin[d] = s;
      stride[d] = step;
      size[d] = e > s ? (e - s + step - 1) / step : 0;
    }
    Shape y(size.begin(), size.end());
    if (NumElements(y) == 0) throw ConvertError(where + ": empty slices are not supported");
    Node& n = Add("Slice", name, {in[0]}, {Out(node, 0, y)});
    n.SetInts("begin", begin);
    n.SetInts("size", size);
    n.SetInts("strides", stride);
  } else if (op == "Resize") {
    const Shape& x = x_shape();
    require_rank4(x);
    if (a.S("mode", "nearest") != "nearest") {
      throw ConvertError(where + ": only nearest Resize is supported (mode " + a.S("mode", "") + ")");
    }
    std::vector<float> scales;
    Shape y = x;
    if (in.size() > 3 && in[3] >= 0) {
      const std::vector<int64_t> sizes = AsInts(ConstInput(in, 3, where, "sizes"));
      if (sizes.size() != 4) throw ConvertError(where + ": sizes must have 4 entries");
      for (size_t d = 0; d < 4; ++d) {
        y[d] = sizes[d];
        scales.push_back(static_cast<float>(sizes[d]) / static_cast<float>(x[d]));
      }
    } else {
      scales = AsFloats(ConstInput(in, 2, where, "scales"));
      if (scales.size() != 4) throw ConvertError(where + ": scales must have 4 entries");
      for (size_t d = 0; d < 4; ++d) y[d] = static_cast<int64_t>(std::floor(static_cast<float>(x[d]) * scales[d]));
    }
    if (y[0] != x[0] || y[1] != x[1]) throw ConvertError(where + ": resizing N or C is not supported");
    const std::string ct = a.S("coordinate_transformation_mode", "half_pixel");
    const std::string nm = a.S("nearest_mode", "round_prefer_floor");
    static const std::map<std::string, int64_t> cts = {
        {"asymmetric", 0}, {"half_pixel", 1}, {"align_corners", 2}, {"pytorch_half_pixel", 3}};
    static const std::map<std::string, int64_t> nms = {
        {"floor", 0}, {"round_prefer_floor", 1}, {"round_prefer_ceil", 2}, {"ceil", 3}};
    if (!cts.count(ct)) throw ConvertError(where + ": coordinate_transformation_mode " + ct + " is not supported");
    if (!nms.count(nm)) throw ConvertError(where + ": nearest_mode " + nm + " is not supported");
    Node& n = Add("Resize", name, {in[0]}, {Out(node, 0, y)});
    n.SetI("coord", cts.at(ct));
    n.SetI("nearest", nms.at(nm));
    n.attrs["scales"].floats = {scales[2], scales[3]};
  } else if (op == "Softmax") {
    const Shape& x = x_shape();
    int64_t axis = NormAxis(a.I("axis", g_.opset < 13 ? 1 : -1), x.size(), where);
    if (g_.opset < 13) {
      // Older Softmax flattens [axis:]; equal to one-axis softmax only if the
      // trailing dims after the first non-1 one are 1.
      int64_t last = axis;
      for (size_t d = static_cast<size_t>(axis); d < x.size(); ++d) if (x[d] != 1) last = static_cast<int64_t>(d);
      for (int64_t d = axis; d < last; ++d) if (x[static_cast<size_t>(d)] != 1) throw ConvertError(where + ": opset < 13 Softmax over several axes is not supported");
      axis = last;
    }
    Node& n = Add("Softmax", name, {in[0]}, {Out(node, 0, x)});
    n.SetI("axis", axis);
  } else if (op == "BatchNormalization") {
    if (a.I("training_mode", 0) != 0) throw ConvertError(where + ": training_mode is not supported");
    const Shape& x = x_shape();
    if (x.size() < 2) throw ConvertError(where + ": input must have a channel axis");
    for (size_t k = 1; k < 5; ++k) {
      const Tensor& c = ConstInput(in, k, where, "BatchNormalization parameter");
      if (NumElements(c.shape) != x[1]) throw ConvertError(where + ": parameter size mismatch");
    }
    Node& n = Add("BatchNorm", name, {in[0], in[1], in[2], in[3], in[4]}, {Out(node, 0, x)});
    n.SetF("epsilon", a.F("epsilon", 1e-5f));
  } else {
    throw ConvertError(where + ": cannot be converted (its inputs are not constant)");
  }
}

}  // namespace

Graph ImportOnnxBytes(const std::string& bytes, const std::string& source) {
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    throw ConvertError(source + ": not an ONNX model (protobuf parse failed)");
  }
  if (!model.has_graph() || model.graph().node_size() == 0) {
    throw ConvertError(source + ": not an ONNX model (no graph)");
  }
  for (const auto& opset : model.opset_import()) {
    if ((opset.domain().empty() || opset.domain() == "ai.onnx") &&
        opset.version() > 18) {
      throw ConvertError(source + ": ONNX opset " + std::to_string(opset.version()) +
                         " is newer than this converter knows (11-17 are tested)");
    }
  }
  Importer importer(model, source);
  Graph g = importer.Run();
  if (g.inputs.empty()) throw ConvertError(source + ": the model has no inputs");
  return g;
}

Graph ImportOnnxFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw ConvertError(path + ": cannot open file");
  std::ostringstream s;
  s << f.rdbuf();
  const std::string slash = path.substr(path.find_last_of('/') + 1);
  return ImportOnnxBytes(s.str(), slash);
}

}  // namespace convert
}  // namespace octet
