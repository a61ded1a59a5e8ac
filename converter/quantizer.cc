// Quantizer and writer: turns the optimized float IR plus calibrated ranges
// into an int8 .octet model that satisfies schema/OPS.md.
#include "converter/quantizer.h"

#include <algorithm>
#include <cfloat>
#include <cstring>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "converter/float_executor.h"
#include "kernels/reference_ops.h"
#include "octet/schema/octet_generated.h"

#ifndef OCTET_CONVERTER_VERSION
#define OCTET_CONVERTER_VERSION "0"
#endif

namespace octet {
namespace convert {

namespace sc = ::octet::schema;

QParams ChooseParams(float lo, float hi) {
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  if (!(hi - lo > 1e-8f)) hi = lo + 1e-8f;
  QParams p;
  p.scale = (hi - lo) / 255.f;
  const float z = -128.f - lo / p.scale;
  p.zero_point = static_cast<int32_t>(std::clamp(std::round(z), -128.f, 127.f));
  return p;
}

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int Find(int x) {
    while (parent[static_cast<size_t>(x)] != x) x = parent[static_cast<size_t>(x)] = parent[static_cast<size_t>(parent[static_cast<size_t>(x)])];
    return x;
  }
  void Join(int a, int b) { parent[static_cast<size_t>(Find(a))] = Find(b); }
};

std::vector<int32_t> I32(const Shape& s) {
  std::vector<int32_t> r;
  for (int64_t d : s) r.push_back(static_cast<int32_t>(d));
  return r;
}

int8_t Sat8(double v) { return static_cast<int8_t>(std::clamp(v, -128.0, 127.0)); }

class Writer {
 public:
  Writer(const Graph& g, const std::vector<Range>& ranges, const QuantOptions& o)
      : g_(g), ranges_(ranges), o_(o), map_(g.tensors.size(), -1) {
    m_.format_version = 1;
    m_.buffers.push_back(std::make_unique<sc::BufferT>());
    r_.activation.resize(g.tensors.size());
    r_.quantized.assign(g.tensors.size(), false);
    r_.dequantized_constants.resize(g.tensors.size());
  }
  QuantResult Run();

 private:
  const Graph& g_;
  const std::vector<Range>& ranges_;
  const QuantOptions& o_;
  sc::ModelT m_;
  std::vector<int> map_;
  QuantResult r_;

  const Tensor& T(int i) const { return g_.tensors[static_cast<size_t>(i)]; }
  uint32_t AddBuffer(const void* data, size_t bytes) {
    auto b = std::make_unique<sc::BufferT>();
    b->data.resize(bytes);
    if (bytes) std::memcpy(b->data.data(), data, bytes);
    m_.buffers.push_back(std::move(b));
    return static_cast<uint32_t>(m_.buffers.size() - 1);
  }
  int AddTensor(const std::string& name, const Shape& shape, sc::TensorType type,
                std::vector<float> scales = {}, std::vector<int32_t> zps = {}, int qdim = -1,
                uint32_t buffer = 0) {
    auto t = std::make_unique<sc::TensorT>();
    t->name = name;
    t->shape = I32(shape);
    t->type = type;
    t->buffer = buffer;
    if (!scales.empty()) {
      t->quantization = std::make_unique<sc::QuantizationT>();
      t->quantization->scale = std::move(scales);
      t->quantization->zero_point = std::move(zps);
      t->quantization->quantized_dimension = qdim;
    }
    m_.tensors.push_back(std::move(t));
    return static_cast<int>(m_.tensors.size() - 1);
  }
  // The int8 tensor of IR activation t.
  int Act(int t) {
    if (map_[static_cast<size_t>(t)] < 0) {
      if (!r_.quantized[static_cast<size_t>(t)]) {
        throw ConvertError("internal: tensor '" + T(t).name + "' has no quantization parameters");
      }
      const QParams& p = r_.activation[static_cast<size_t>(t)];
      map_[static_cast<size_t>(t)] = AddTensor(T(t).name, T(t).shape, sc::TensorType::INT8, {p.scale}, {p.zero_point});
    }
    return map_[static_cast<size_t>(t)];
  }
  const QParams& P(int t) const { return r_.activation[static_cast<size_t>(t)]; }
  template <typename Options>
  void Emit(sc::OpType type, const std::string& name, std::vector<int32_t> inputs,
            std::vector<int32_t> outputs, Options options) {
    auto op = std::make_unique<sc::OperatorT>();
    op->type = type;
    op->name = name;
    op->inputs = std::move(inputs);
    op->outputs = std::move(outputs);
    op->options.Set(std::move(options));
    m_.operators.push_back(std::move(op));
    r_.op_types.push_back(sc::EnumNameOpType(type));
  }

  void ChooseActivationParams();
  // Weights [channels, ...] quantized per channel along axis 0 (IR layout);
  // returns int8 data in IR order and the scales; records the dequantized values.
  std::vector<int8_t> QuantizeWeights(int w, int64_t channels, std::vector<float>* scales);
  int Bias(int b, int64_t channels, float s_in, const std::vector<float>& s_w, const std::string& name);
  template <typename Options>
  void SetActivation(const Node& n, Options* o) {
    if (!n.HasActivation()) return;
    if (n.act_lo == 0.f && n.act_hi == kInf) {
      o->activation = sc::Activation::RELU;
    } else if (n.act_lo == 0.f && n.act_hi == 6.f) {
      o->activation = sc::Activation::RELU6;
    } else {
      o->activation = sc::Activation::CLAMP;
      o->clamp_min = std::isinf(n.act_lo) ? -FLT_MAX : n.act_lo;
      o->clamp_max = std::isinf(n.act_hi) ? FLT_MAX : n.act_hi;
    }
  }
  void EmitNode(const Node& n);
};

void Writer::ChooseActivationParams() {
  UnionFind uf(g_.tensors.size());
  static const char* kShared[] = {"MaxPool", "Reshape", "Transpose", "Pad", "Slice", "Resize", "Concat"};
  for (const Node& n : g_.nodes) {
    if (std::find(std::begin(kShared), std::end(kShared), n.op) == std::end(kShared)) continue;
    for (int i : n.inputs) {
      if (i >= 0 && !T(i).is_const) uf.Join(i, n.outputs[0]);
    }
  }
  std::map<int, Range> group;
  std::map<int, QParams> fixed;
  for (size_t t = 0; t < g_.tensors.size(); ++t) {
    if (T(static_cast<int>(t)).is_const || !ranges_[t].seen) continue;
    Range& gr = group[uf.Find(static_cast<int>(t))];
    if (!gr.seen) gr = ranges_[t];
    gr.lo = std::min(gr.lo, ranges_[t].lo);
    gr.hi = std::max(gr.hi, ranges_[t].hi);
    gr.seen = true;
  }
  for (const Node& n : g_.nodes) {
    if (n.op == "Softmax") fixed[uf.Find(n.outputs[0])] = QParams{1.f / 256.f, -128};
  }
  for (size_t t = 0; t < g_.tensors.size(); ++t) {
    if (T(static_cast<int>(t)).is_const) continue;
    const int root = uf.Find(static_cast<int>(t));
    if (fixed.count(root)) {
      r_.activation[t] = fixed[root];
    } else if (group.count(root)) {
      r_.activation[t] = ChooseParams(group[root].lo, group[root].hi);
    } else {
      continue;
    }
    r_.quantized[t] = true;
  }
}

std::vector<int8_t> Writer::QuantizeWeights(int w, int64_t channels, std::vector<float>* scales) {
  const std::vector<float>& v = T(w).data;
  const size_t per = v.size() / static_cast<size_t>(channels);
  scales->assign(static_cast<size_t>(channels), 1.f);
  float all = 0;
  for (float f : v) all = std::max(all, std::fabs(f));
  for (int64_t c = 0; c < channels; ++c) {
    float mx = 0;
    for (size_t i = 0; i < per; ++i) mx = std::max(mx, std::fabs(v[static_cast<size_t>(c) * per + i]));
    if (o_.per_tensor) mx = all;
    (*scales)[static_cast<size_t>(c)] = mx > 0 ? mx / 127.f : 1e-6f;
  }
  std::vector<int8_t> q(v.size());
  std::vector<float>& dq = r_.dequantized_constants[static_cast<size_t>(w)];
  dq.resize(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    const float s = (*scales)[i / per];
    q[i] = static_cast<int8_t>(std::clamp(std::round(v[i] / s), -127.f, 127.f));
    dq[i] = q[i] * s;
  }
  if (o_.per_tensor) scales->resize(1);
  return q;
}

int Writer::Bias(int b, int64_t channels, float s_in, const std::vector<float>& s_w, const std::string& name) {
  if (b < 0) return -1;
  const std::vector<float>& v = T(b).data;
  std::vector<int32_t> q(static_cast<size_t>(channels));
  std::vector<float> scales(static_cast<size_t>(channels));
  std::vector<float>& dq = r_.dequantized_constants[static_cast<size_t>(b)];
  dq.resize(q.size());
  for (size_t c = 0; c < q.size(); ++c) {
    const float s = s_in * s_w[s_w.size() == 1 ? 0 : c];
    scales[c] = s;
    const double x = std::round(static_cast<double>(v[c]) / s);
    q[c] = static_cast<int32_t>(std::clamp(x, -2147483647.0, 2147483647.0));
    dq[c] = static_cast<float>(q[c] * static_cast<double>(s));
  }
  const uint32_t buf = AddBuffer(q.data(), q.size() * 4);
  return AddTensor(name, {channels}, sc::TensorType::INT32, scales,
                   std::vector<int32_t>(q.size(), 0), 0, buf);
}

sc::LookupFunction LutKind(const std::string& f) {
  if (f == "Sigmoid") return sc::LookupFunction::SIGMOID;
  if (f == "Tanh") return sc::LookupFunction::TANH;
  if (f == "HardSigmoid") return sc::LookupFunction::HARD_SIGMOID;
  if (f == "HardSwish") return sc::LookupFunction::HARD_SWISH;
  if (f == "LeakyRelu") return sc::LookupFunction::LEAKY_RELU;
  return sc::LookupFunction::CUSTOM;
}

void Writer::EmitNode(const Node& n) {
  const std::string& op = n.op;
  const int x = n.inputs[0], y = n.outputs[0];
  const std::string where = op + " '" + n.name + "'";
  if (op == "Conv") {
    const Shape& ws = T(n.inputs[1]).shape;  // [OC,KH,KW,IC/g]
    const Shape& xs = T(x).shape;
    const int64_t OC = ws[0], group = n.I("group", 1), IC = xs[3];
    std::vector<float> s_w;
    std::vector<int8_t> q = QuantizeWeights(n.inputs[1], OC, &s_w);
    const int bias = Bias(n.inputs[2], OC, P(x).scale, s_w, n.name + "/bias");
    const auto st = n.Ints("strides"), dl = n.Ints("dilations"), pd = n.Ints("pads");
    if (group > 1 && group == IC && ws[3] == 1) {
      // Depthwise: [OC,KH,KW,1] -> [1,KH,KW,OC].
      const int64_t taps = ws[1] * ws[2];
      std::vector<int8_t> dw(q.size());
      for (int64_t oc = 0; oc < OC; ++oc)
        for (int64_t k = 0; k < taps; ++k) dw[static_cast<size_t>(k * OC + oc)] = q[static_cast<size_t>(oc * taps + k)];
      const int wt = AddTensor(n.name + "/weight", {1, ws[1], ws[2], OC}, sc::TensorType::INT8, s_w,
                               std::vector<int32_t>(s_w.size(), 0), s_w.size() > 1 ? 3 : -1,
                               AddBuffer(dw.data(), dw.size()));
      sc::DepthwiseConv2DOptionsT o;
      o.stride_h = static_cast<int>(st[0]); o.stride_w = static_cast<int>(st[1]);
      o.dilation_h = static_cast<int>(dl[0]); o.dilation_w = static_cast<int>(dl[1]);
      o.pad_top = static_cast<int>(pd[0]); o.pad_left = static_cast<int>(pd[1]);
      o.pad_bottom = static_cast<int>(pd[2]); o.pad_right = static_cast<int>(pd[3]);
      o.depth_multiplier = static_cast<int>(OC / IC);
      SetActivation(n, &o);
      Emit(sc::OpType::DEPTHWISE_CONV_2D, n.name, {Act(x), wt, bias}, {Act(y)}, o);
    } else {
      const int wt = AddTensor(n.name + "/weight", ws, sc::TensorType::INT8, s_w,
                               std::vector<int32_t>(s_w.size(), 0), s_w.size() > 1 ? 0 : -1,
                               AddBuffer(q.data(), q.size()));
      sc::Conv2DOptionsT o;
      o.stride_h = static_cast<int>(st[0]); o.stride_w = static_cast<int>(st[1]);
      o.dilation_h = static_cast<int>(dl[0]); o.dilation_w = static_cast<int>(dl[1]);
      o.pad_top = static_cast<int>(pd[0]); o.pad_left = static_cast<int>(pd[1]);
      o.pad_bottom = static_cast<int>(pd[2]); o.pad_right = static_cast<int>(pd[3]);
      o.groups = static_cast<int>(group);
      SetActivation(n, &o);
      Emit(sc::OpType::CONV_2D, n.name, {Act(x), wt, bias}, {Act(y)}, o);
    }
  } else if (op == "FC") {
    const Shape& ws = T(n.inputs[1]).shape;
    std::vector<float> s_w;
    std::vector<int8_t> q = QuantizeWeights(n.inputs[1], ws[0], &s_w);
    const int bias = Bias(n.inputs[2], ws[0], P(x).scale, s_w, n.name + "/bias");
    const int wt = AddTensor(n.name + "/weight", ws, sc::TensorType::INT8, s_w,
                             std::vector<int32_t>(s_w.size(), 0), s_w.size() > 1 ? 0 : -1,
                             AddBuffer(q.data(), q.size()));
    sc::FullyConnectedOptionsT o;
    SetActivation(n, &o);
    Emit(sc::OpType::FULLY_CONNECTED, n.name, {Act(x), wt, bias}, {Act(y)}, o);
  } else if ((op == "Add" || op == "Mul") && (T(n.inputs[0]).is_const || T(n.inputs[1]).is_const)) {
    // The runtime takes no constant data inputs (OPS.md): x + c and x * c
    // become a lookup table (scalar c) or a 1x1 depthwise convolution
    // (c per channel of a 4-D tensor).
    const int c = T(n.inputs[1]).is_const ? n.inputs[1] : n.inputs[0];
    const int xin = c == n.inputs[1] ? n.inputs[0] : n.inputs[1];
    const std::vector<float>& cv = T(c).data;
    const Shape& xs = T(xin).shape;
    const bool add = op == "Add";
    const int64_t C = xs.empty() ? 1 : xs.back();
    const Shape& cs = T(c).shape;
    bool per_channel = xs.size() == 4 && static_cast<int64_t>(cv.size()) == C &&
                       (cs.empty() || cs.back() == C) && T(y).shape == xs;
    if (cv.size() == 1) {
      const QParams in = P(xin), out = P(y);
      int8_t table[256];
      for (int q = -128; q <= 127; ++q) {
        float v = in.scale * static_cast<float>(q - in.zero_point);
        v = add ? v + cv[0] : v * cv[0];
        v = std::min(std::max(v, n.act_lo), n.act_hi);
        table[q + 128] = Sat8(std::round(v / out.scale) + out.zero_point);
      }
      r_.dequantized_constants[static_cast<size_t>(c)] = cv;
      const int tt = AddTensor(n.name + "/table", {256}, sc::TensorType::INT8, {}, {}, -1, AddBuffer(table, sizeof(table)));
      sc::LookupTableOptionsT o;
      o.function = sc::LookupFunction::CUSTOM;
      o.params = {cv[0]};
      Emit(sc::OpType::LOOKUP_TABLE, n.name, {Act(xin), tt}, {Act(y)}, o);
    } else if (per_channel) {
      // y[c] = x[c] * w[c] + b[c] with w = c, b = 0 (Mul) or w = 1, b = c (Add).
      std::vector<float> w(static_cast<size_t>(C), 1.f), b(static_cast<size_t>(C), 0.f);
      for (int64_t k = 0; k < C; ++k) (add ? b : w)[static_cast<size_t>(k)] = cv[static_cast<size_t>(k)];
      std::vector<float> s_w(static_cast<size_t>(C));
      std::vector<int8_t> q(static_cast<size_t>(C));
      for (int64_t k = 0; k < C; ++k) {
        const float mx = o_.per_tensor ? *std::max_element(w.begin(), w.end(), [](float p, float r) { return std::fabs(p) < std::fabs(r); }) : w[static_cast<size_t>(k)];
        s_w[static_cast<size_t>(k)] = mx != 0 ? std::fabs(mx) / 127.f : 1e-6f;
        q[static_cast<size_t>(k)] = static_cast<int8_t>(std::clamp(std::round(w[static_cast<size_t>(k)] / s_w[static_cast<size_t>(k)]), -127.f, 127.f));
      }
      std::vector<int32_t> qb(static_cast<size_t>(C));
      std::vector<float> bscales(static_cast<size_t>(C));
      std::vector<float>& dq = r_.dequantized_constants[static_cast<size_t>(c)];
      dq.resize(cv.size());
      for (int64_t k = 0; k < C; ++k) {
        const size_t kk = static_cast<size_t>(k);
        bscales[kk] = P(xin).scale * s_w[kk];
        qb[kk] = static_cast<int32_t>(std::clamp(std::round(static_cast<double>(b[kk]) / bscales[kk]), -2147483647.0, 2147483647.0));
        dq[kk] = add ? static_cast<float>(qb[kk] * static_cast<double>(bscales[kk])) : q[kk] * s_w[kk];
      }
      const int wt = AddTensor(n.name + "/weight", {1, 1, 1, C}, sc::TensorType::INT8, s_w,
                               std::vector<int32_t>(s_w.size(), 0), 3, AddBuffer(q.data(), q.size()));
      const int bt = AddTensor(n.name + "/bias", {C}, sc::TensorType::INT32, bscales,
                               std::vector<int32_t>(bscales.size(), 0), 0, AddBuffer(qb.data(), qb.size() * 4));
      sc::DepthwiseConv2DOptionsT o;
      SetActivation(n, &o);
      Emit(sc::OpType::DEPTHWISE_CONV_2D, n.name, {Act(xin), wt, bt}, {Act(y)}, o);
    } else {
      throw ConvertError(where + ": a constant operand of shape " + ShapeString(cs) + " against " +
                         ShapeString(xs) + " is not supported (only scalars and per-channel constants of 4-D tensors)");
    }
  } else if (op == "Add" || op == "Mul") {
    std::vector<int32_t> ins;
    for (int i : n.inputs) ins.push_back(Act(i));
    if (op == "Add") {
      sc::AddOptionsT o;
      SetActivation(n, &o);
      Emit(sc::OpType::ADD, n.name, ins, {Act(y)}, o);
    } else {
      sc::MulOptionsT o;
      SetActivation(n, &o);
      Emit(sc::OpType::MUL, n.name, ins, {Act(y)}, o);
    }
  } else if (op == "MaxPool" || op == "AvgPool") {
    const auto k = n.Ints("kernel"), st = n.Ints("strides"), pd = n.Ints("pads");
    sc::Pool2DOptionsT o;
    o.filter_h = static_cast<int>(k[0]); o.filter_w = static_cast<int>(k[1]);
    o.stride_h = static_cast<int>(st[0]); o.stride_w = static_cast<int>(st[1]);
    o.pad_top = static_cast<int>(pd[0]); o.pad_left = static_cast<int>(pd[1]);
    o.pad_bottom = static_cast<int>(pd[2]); o.pad_right = static_cast<int>(pd[3]);
    o.count_include_pad = n.I("count_include_pad") != 0;
    SetActivation(n, &o);
    Emit(op == "MaxPool" ? sc::OpType::MAX_POOL_2D : sc::OpType::AVERAGE_POOL_2D, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "GAP") {
    sc::GlobalAveragePool2DOptionsT o;
    o.keep_dims = true;
    Emit(sc::OpType::GLOBAL_AVERAGE_POOL_2D, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "Concat") {
    std::vector<int32_t> ins;
    for (int i : n.inputs) ins.push_back(Act(i));
    sc::ConcatenationOptionsT o;
    o.axis = static_cast<int>(n.I("axis"));
    SetActivation(n, &o);
    Emit(sc::OpType::CONCATENATION, n.name, ins, {Act(y)}, o);
  } else if (op == "Reshape") {
    sc::ReshapeOptionsT o;
    o.new_shape = I32(T(y).shape);
    Emit(sc::OpType::RESHAPE, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "Transpose") {
    sc::TransposeOptionsT o;
    o.perm = I32(n.Ints("perm"));
    Emit(sc::OpType::TRANSPOSE, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "Pad") {
    sc::PadOptionsT o;
    o.paddings = I32(n.Ints("pads"));
    o.constant_value = n.F("value");
    Emit(sc::OpType::PAD, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "Slice") {
    sc::SliceOptionsT o;
    o.begin = I32(n.Ints("begin"));
    o.size = I32(n.Ints("size"));
    o.strides = I32(n.Ints("strides"));
    Emit(sc::OpType::SLICE, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "Resize") {
    // The format's resize uses scale = output size / input size.
    const auto& scales = n.attrs.at("scales").floats;
    for (int d = 0; d < 2; ++d) {
      const double exact = static_cast<double>(T(y).shape[static_cast<size_t>(1 + d)]) /
                           static_cast<double>(T(x).shape[static_cast<size_t>(1 + d)]);
      if (std::fabs(scales[static_cast<size_t>(d)] - exact) > 1e-6 * exact) {
        throw ConvertError(where + ": resize scale " + std::to_string(scales[static_cast<size_t>(d)]) +
                           " differs from output/input size " + std::to_string(exact) +
                           "; octet's RESIZE_NEAREST needs scale = output size / input size");
      }
    }
    sc::ResizeNearestOptionsT o;
    o.coordinate_transform = static_cast<sc::CoordinateTransform>(n.I("coord"));
    o.nearest_mode = static_cast<sc::NearestMode>(n.I("nearest"));
    Emit(sc::OpType::RESIZE_NEAREST, n.name, {Act(x)}, {Act(y)}, o);
  } else if (op == "Softmax") {
    if (n.I("axis") != static_cast<int64_t>(T(x).shape.size()) - 1) {
      throw ConvertError(where + ": softmax over axis " + std::to_string(n.I("axis")) + " of " +
                         ShapeString(T(x).shape) + " (stored layout); only the last axis is supported");
    }
    int32_t table[256];
    ::octet::ComputeSoftmaxExpTable(1.f, P(x).scale, table);  // kernels/reference_ops.h
    const int tt = AddTensor(n.name + "/exp_table", {256}, sc::TensorType::INT32, {}, {}, -1, AddBuffer(table, sizeof(table)));
    sc::SoftmaxOptionsT o;
    o.beta = 1.f;
    o.axis = -1;
    Emit(sc::OpType::SOFTMAX, n.name, {Act(x), tt}, {Act(y)}, o);
  } else if (op == "Lut") {
    const std::string f = n.S("func");
    const QParams in = P(x), out = P(y);
    int8_t table[256];
    for (int q = -128; q <= 127; ++q) {
      const float real = in.scale * static_cast<float>(q - in.zero_point);
      const float v = LutFunction(f, n.F("alpha"), n.F("beta"), real);
      table[q + 128] = Sat8(std::round(v / out.scale) + out.zero_point);
    }
    const int tt = AddTensor(n.name + "/table", {256}, sc::TensorType::INT8, {}, {}, -1, AddBuffer(table, sizeof(table)));
    sc::LookupTableOptionsT o;
    o.function = LutKind(f);
    o.params = {n.F("alpha"), n.F("beta")};
    Emit(sc::OpType::LOOKUP_TABLE, n.name, {Act(x), tt}, {Act(y)}, o);
  } else if (op == "PRelu") {
    const Tensor& s = T(n.inputs[1]);
    const Shape& ys = T(y).shape;
    const int64_t C = ys.back();
    std::vector<float> alpha(static_cast<size_t>(C));
    const int64_t sn = NumElements(s.shape);
    if (sn != 1 && !(sn == C && (s.shape.empty() || s.shape.back() == C))) {
      throw ConvertError(where + ": slope of shape " + ShapeString(s.shape) +
                         " does not vary along the last (channel) axis only");
    }
    for (int64_t c = 0; c < C; ++c) alpha[static_cast<size_t>(c)] = s.data[sn == 1 ? 0 : static_cast<size_t>(c)];
    std::vector<float> scales(alpha.size());
    std::vector<int8_t> q(alpha.size());
    std::vector<float>& dq = r_.dequantized_constants[static_cast<size_t>(n.inputs[1])];
    dq.assign(s.data.size(), 0.f);
    for (size_t c = 0; c < alpha.size(); ++c) {
      scales[c] = alpha[c] != 0 ? std::fabs(alpha[c]) / 127.f : 1.f;
      q[c] = static_cast<int8_t>(std::clamp(std::round(alpha[c] / scales[c]), -127.f, 127.f));
    }
    for (size_t i = 0; i < dq.size(); ++i) {
      const size_t c = sn == 1 ? 0 : i;
      dq[i] = q[c] * scales[c];
    }
    const int at = AddTensor(n.name + "/alpha", {C}, sc::TensorType::INT8, scales,
                             std::vector<int32_t>(scales.size(), 0), 0, AddBuffer(q.data(), q.size()));
    Emit(sc::OpType::PRELU, n.name, {Act(x), at}, {Act(y)}, sc::PReluOptionsT{});
  } else {
    throw ConvertError(where + ": the writer has no int8 form of op " + op);
  }
}

QuantResult Writer::Run() {
  ChooseActivationParams();
  std::vector<bool> skip(g_.nodes.size(), false);
  // Model inputs.
  for (int t : g_.inputs) {
    if (o_.int8_io) {
      int target = t;
      for (size_t k = 0; k < g_.nodes.size(); ++k) {
        const Node& n = g_.nodes[k];
        if (n.op == "Transpose" && n.inputs[0] == t && g_.Uses(t) == 1 &&
            n.Ints("perm") == std::vector<int64_t>{0, 2, 3, 1}) {
          skip[k] = true;
          target = n.outputs[0];
        }
      }
      m_.inputs.push_back(Act(target));
    } else {
      const int f = AddTensor(T(t).name, T(t).shape, sc::TensorType::FLOAT32);
      map_[static_cast<size_t>(t)] = -1;
      const int q = Act(t);
      m_.tensors[static_cast<size_t>(q)]->name = T(t).name + "/int8";
      Emit(sc::OpType::QUANTIZE, "quantize " + T(t).name, {f}, {q}, sc::QuantizeOptionsT{});
      m_.inputs.push_back(f);
    }
  }
  // Output boundary decided before emitting, so skipped transposes are known.
  std::vector<int> out_int8(g_.outputs.size());
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    const int t = g_.outputs[i];
    out_int8[i] = t;
    if (!o_.int8_io) continue;
    const int p = g_.Producer(t);
    if (p >= 0 && g_.nodes[static_cast<size_t>(p)].op == "Transpose" &&
        g_.nodes[static_cast<size_t>(p)].Ints("perm") == std::vector<int64_t>{0, 3, 1, 2} &&
        g_.Uses(g_.nodes[static_cast<size_t>(p)].inputs[0]) == 1 && g_.Uses(t) == 1) {
      skip[static_cast<size_t>(p)] = true;
      out_int8[i] = g_.nodes[static_cast<size_t>(p)].inputs[0];
    }
  }
  for (size_t k = 0; k < g_.nodes.size(); ++k) {
    if (!skip[k]) EmitNode(g_.nodes[k]);
  }
  for (size_t i = 0; i < g_.outputs.size(); ++i) {
    const int t = out_int8[i];
    if (o_.int8_io) {
      m_.outputs.push_back(Act(t));
    } else {
      const int q = Act(t);
      m_.tensors[static_cast<size_t>(q)]->name = T(t).name + "/int8";
      const int f = AddTensor(T(t).name, T(t).shape, sc::TensorType::FLOAT32);
      Emit(sc::OpType::DEQUANTIZE, "dequantize " + T(t).name, {q}, {f}, sc::DequantizeOptionsT{});
      m_.outputs.push_back(f);
    }
  }
  // Metadata.
  auto md = std::make_unique<sc::MetadataT>();
  md->producer = "octet-convert";
  md->producer_version = OCTET_CONVERTER_VERSION;
  md->source_model = o_.source_model;
  md->source_sha256 = o_.source_sha256;
  md->calibration_method = o_.calibration_method;
  md->calibration_samples = o_.calibration_samples;
  if (o_.images) {
    auto pp = std::make_unique<sc::PreprocessingT>();
    const Shape& in = T(g_.inputs[0]).shape;
    pp->layout = "NCHW";
    pp->color = in.size() == 4 && in[1] == 1 ? "GRAY" : "RGB";
    pp->scale = o_.scale;
    pp->mean = o_.mean;
    pp->std = o_.std;
    if (in.size() == 4) {
      pp->input_height = static_cast<int>(in[2]);
      pp->input_width = static_cast<int>(in[3]);
    }
    md->preprocessing = std::move(pp);
  }
  std::vector<std::pair<std::string, std::string>> extra = o_.extra;
  extra.emplace_back("weights", o_.per_tensor ? "per-tensor" : "per-channel");
  extra.emplace_back("io", o_.int8_io ? "int8 NHWC" : "float32, ONNX layout");
  std::sort(extra.begin(), extra.end());  // KeyValue.key is a (sorted) key
  for (const auto& [k, v] : extra) {
    auto kv = std::make_unique<sc::KeyValueT>();
    kv->key = k;
    kv->value = v;
    md->extra.push_back(std::move(kv));
  }
  m_.metadata = std::move(md);
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(sc::Model::Pack(fbb, &m_), sc::ModelIdentifier());
  r_.model.assign(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  r_.op_count = static_cast<int>(m_.operators.size());
  return std::move(r_);
}

}  // namespace

QuantResult Quantize(const Graph& g, const std::vector<Range>& ranges, const QuantOptions& options) {
  return Writer(g, ranges, options).Run();
}

}  // namespace convert
}  // namespace octet
