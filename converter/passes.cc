// Graph rewrites after import: BatchNorm folding, bias and activation
// fusion, NCHW -> NHWC layout, transpose cancellation.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "converter/onnx_import.h"

namespace octet {
namespace convert {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

Tensor& T(Graph& g, int i) { return g.tensors[static_cast<size_t>(i)]; }

// BatchNorm after a Conv/FC whose output nothing else reads: scale the
// weights per output channel and fold the shift into the bias. Any other
// BatchNorm becomes a 1x1 depthwise Conv (4-D) or Mul + Add (other ranks).
void FoldBatchNorm(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (g.nodes[k].op != "BatchNorm") continue;
    Node bn = g.nodes[k];
    const int x = bn.inputs[0];
    const std::vector<float> gamma = T(g, bn.inputs[1]).data, beta = T(g, bn.inputs[2]).data,
                             mean = T(g, bn.inputs[3]).data, var = T(g, bn.inputs[4]).data;
    const size_t C = gamma.size();
    std::vector<float> scale(C), shift(C);
    for (size_t c = 0; c < C; ++c) {
      scale[c] = gamma[c] / std::sqrt(var[c] + bn.F("epsilon"));
      shift[c] = beta[c] - mean[c] * scale[c];
    }
    const int p = g.Producer(x);
    const bool foldable = p >= 0 && g.Uses(x) == 1 &&
                          (g.nodes[static_cast<size_t>(p)].op == "Conv" ||
                           (g.nodes[static_cast<size_t>(p)].op == "FC" && T(g, x).shape.size() == 2));
    if (foldable) {
      Node& prod = g.nodes[static_cast<size_t>(p)];
      const Tensor& w0 = T(g, prod.inputs[1]);
      std::vector<float> w = w0.data;
      const size_t per = w.size() / C;
      for (size_t c = 0; c < C; ++c)
        for (size_t i = 0; i < per; ++i) w[c * per + i] *= scale[c];
      std::vector<float> b(C, 0.f);
      if (prod.inputs[2] >= 0) b = T(g, prod.inputs[2]).data;
      for (size_t c = 0; c < C; ++c) b[c] = b[c] * scale[c] + shift[c];
      const Shape ws = w0.shape;
      prod.inputs[1] = g.AddConst(prod.name + "/weight_bn", ws, w);
      prod.inputs[2] = g.AddConst(prod.name + "/bias_bn", {static_cast<int64_t>(C)}, b);
      prod.outputs[0] = bn.outputs[0];
      g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
      --k;
      continue;
    }
    const Shape xs = T(g, x).shape;
    if (xs.size() == 4) {
      Node conv;
      conv.op = "Conv";
      conv.name = bn.name;
      conv.inputs = {x, g.AddConst(bn.name + "/weight", {static_cast<int64_t>(C), 1, 1, 1}, scale),
                     g.AddConst(bn.name + "/bias", {static_cast<int64_t>(C)}, shift)};
      conv.outputs = bn.outputs;
      conv.SetInts("strides", {1, 1});
      conv.SetInts("dilations", {1, 1});
      conv.SetInts("pads", {0, 0, 0, 0});
      conv.SetI("group", static_cast<int64_t>(C));
      conv.SetS("layout", "OIHW");
      g.nodes[k] = conv;
    } else {
      // Channel axis 1: constants of shape [C, 1, ...] broadcast over the rest.
      Shape cs(xs.size() - 1, 1);
      cs[0] = static_cast<int64_t>(C);
      const int mid = g.AddActivation(bn.name + "/scaled", xs);
      Node mul, add;
      mul.op = "Mul";
      mul.name = bn.name + "/mul";
      mul.inputs = {x, g.AddConst(bn.name + "/scale", cs, scale)};
      mul.outputs = {mid};
      add.op = "Add";
      add.name = bn.name;
      add.inputs = {mid, g.AddConst(bn.name + "/shift", cs, shift)};
      add.outputs = bn.outputs;
      g.nodes[k] = mul;
      g.nodes.insert(g.nodes.begin() + static_cast<std::ptrdiff_t>(k) + 1, add);
    }
  }
}

// Conv/FC followed by Add of a per-channel constant: fold into the bias.
void FuseBias(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& add = g.nodes[k];
    if (add.op != "Add" || !T(g, add.inputs[1]).is_const) continue;
    const int x = add.inputs[0];
    const int p = g.Producer(x);
    if (p < 0 || g.Uses(x) != 1) continue;
    Node& prod = g.nodes[static_cast<size_t>(p)];
    if ((prod.op != "Conv" && prod.op != "FC") || prod.HasActivation()) continue;
    const Tensor& c = T(g, add.inputs[1]);
    const Shape& xs = T(g, x).shape;
    const int64_t C = xs[1];
    if (NumElements(c.shape) != C) continue;
    // The constant must vary along the channel axis only (axis 1 of NCHW or of [B,N]).
    bool along_channel;
    if (prod.op == "FC") {
      along_channel = xs.size() == 2 && (c.shape.size() <= 2) && (c.shape.empty() || c.shape.back() == C);
    } else {
      along_channel = c.shape.size() >= 3 && c.shape[c.shape.size() - 3] == C &&
                      c.shape[c.shape.size() - 1] == 1 && c.shape[c.shape.size() - 2] == 1;
    }
    if (!along_channel || T(g, add.outputs[0]).shape != xs) continue;
    std::vector<float> b(static_cast<size_t>(C), 0.f);
    if (prod.inputs[2] >= 0) b = T(g, prod.inputs[2]).data;
    for (int64_t i = 0; i < C; ++i) b[static_cast<size_t>(i)] += c.data[static_cast<size_t>(i)];
    prod.inputs[2] = g.AddConst(prod.name + "/bias_add", {C}, b);
    prod.outputs[0] = add.outputs[0];
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
    --k;
  }
}

bool IsClampLut(const Node& n) {
  return n.op == "Lut" && (n.S("func") == "Relu" || n.S("func") == "Clip");
}

// Relu/Clip after an op with a fused activation: becomes its output clamp.
void FuseActivations(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    const Node& act = g.nodes[k];
    if (!IsClampLut(act)) continue;
    const int x = act.inputs[0];
    const int p = g.Producer(x);
    if (p < 0 || g.Uses(x) != 1) continue;
    Node& prod = g.nodes[static_cast<size_t>(p)];
    // Not Concat: OPS.md makes it a byte copy with no activation.
    static const char* kFusable[] = {"Conv", "FC", "Add", "Mul", "MaxPool", "AvgPool"};
    if (std::find(std::begin(kFusable), std::end(kFusable), prod.op) == std::end(kFusable)) continue;
    const float lo = act.S("func") == "Relu" ? 0.f : act.F("alpha", -kInf);
    const float hi = act.S("func") == "Relu" ? kInf : act.F("beta", kInf);
    prod.act_lo = std::max(prod.act_lo, lo);
    prod.act_hi = std::min(prod.act_hi, hi);
    prod.outputs[0] = act.outputs[0];
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
    --k;
  }
}

// Reshape [N,C,H,W] -> [N,g,C/g,H,W], Transpose(0,2,1,3,4), Reshape back to
// [N,C,H,W] (a channel shuffle, as ShuffleNet exports it) becomes one
// "Shuffle" node, which the layout pass expands in whichever layout its
// input has, so NHWC models need no transposes around it.
void FuseChannelShuffle(Graph& g) {
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    Node& tr = g.nodes[k];
    if (tr.op != "Transpose" || tr.Ints("perm") != std::vector<int64_t>{0, 2, 1, 3, 4}) continue;
    const int p = g.Producer(tr.inputs[0]);
    if (p < 0 || g.nodes[static_cast<size_t>(p)].op != "Reshape" || g.Uses(tr.inputs[0]) != 1) continue;
    const int x = g.nodes[static_cast<size_t>(p)].inputs[0];
    const Shape xs = T(g, x).shape, mid = T(g, tr.inputs[0]).shape;
    if (xs.size() != 4 || mid != Shape{xs[0], mid[1], xs[1] / std::max<int64_t>(mid[1], 1), xs[2], xs[3]} ||
        mid[1] * mid[2] != xs[1]) {
      continue;
    }
    int consumer = -1;
    for (size_t c = 0; c < g.nodes.size(); ++c)
      for (int i : g.nodes[c].inputs)
        if (i == tr.outputs[0]) consumer = static_cast<int>(c);
    if (consumer < 0 || g.Uses(tr.outputs[0]) != 1) continue;
    Node& back = g.nodes[static_cast<size_t>(consumer)];
    if (back.op != "Reshape" || T(g, back.outputs[0]).shape != xs) continue;
    Node shuffle;
    shuffle.op = "Shuffle";
    shuffle.name = tr.name;
    shuffle.inputs = {x};
    shuffle.outputs = back.outputs;
    shuffle.SetI("groups", mid[1]);
    back = shuffle;  // in the position of the last Reshape
    g.RemoveDeadNodes();
    k = 0;
  }
}

// ---------------------------------------------------------------------------
// Layout: 4-D activations are stored NHWC. Constants that broadcast against
// them are permuted; axis attributes are remapped; ops that need the ONNX
// order (Reshape of a tensor with spatial extent, FC, graph outputs) get a
// Transpose back.

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};   // NHWC[d] = NCHW[kToNhwc[d]]
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};
int64_t NchwAxisToNhwc(int64_t axis) {
  static const int64_t map[4] = {0, 3, 1, 2};  // N->0, C->3, H->1, W->2
  return map[axis];
}

Shape Permute(const Shape& s, const std::vector<int64_t>& perm) {
  Shape r;
  for (int64_t p : perm) r.push_back(s[static_cast<size_t>(p)]);
  return r;
}

std::vector<float> PermuteData(const std::vector<float>& v, const Shape& s, const std::vector<int64_t>& perm) {
  const Shape out = Permute(s, perm);
  std::vector<int64_t> strides(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) strides[d - 1] = strides[d] * s[d];
  std::vector<float> r(v.size());
  const int64_t n = NumElements(out);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, src = 0;
    for (size_t d = out.size(); d-- > 0;) {
      src += (rem % out[d]) * strides[static_cast<size_t>(perm[d])];
      rem /= out[d];
    }
    r[static_cast<size_t>(i)] = v[static_cast<size_t>(src)];
  }
  return r;
}

class Layout {
 public:
  explicit Layout(Graph& g) : g_(g) {}
  void Run();

 private:
  Graph& g_;
  std::vector<Node> out_;

  bool Nhwc(int t) { return t >= 0 && T(g_, t).nhwc; }
  // A new tensor holding t in the other layout, with the Transpose node.
  int ToNchw(int t, const std::string& name) {
    Tensor n = T(g_, t);
    n.name = n.name + "/nchw";
    n.shape = Permute(n.shape, kToNchw);
    n.nhwc = false;
    const int r = g_.AddTensor(n);
    Node tr;
    tr.op = "Transpose";
    tr.name = name;
    tr.inputs = {t};
    tr.outputs = {r};
    tr.SetInts("perm", kToNchw);
    out_.push_back(tr);
    return r;
  }
  int ToNhwc(int t, const std::string& name) {
    Tensor n = T(g_, t);
    n.name = n.name + "/nhwc";
    n.shape = Permute(n.shape, kToNhwc);
    n.nhwc = true;
    const int r = g_.AddTensor(n);
    Node tr;
    tr.op = "Transpose";
    tr.name = name;
    tr.inputs = {t};
    tr.outputs = {r};
    tr.SetInts("perm", kToNhwc);
    out_.push_back(tr);
    return r;
  }
  // Ensures input k of n is in ONNX (NCHW) order.
  void NeedNchw(Node& n, size_t k) {
    const int t = n.inputs[k];
    if (!Nhwc(t)) return;
    const Shape& s = T(g_, t).shape;  // NHWC
    // With H*W == 1 or C == 1 both orders have the same memory layout; a
    // Reshape reading it needs no transpose.
    if (n.op == "Reshape" && (s[1] * s[2] == 1 || s[3] == 1)) {
      Tensor alias = T(g_, t);
      alias.name += "/as_nchw";
      alias.shape = Permute(s, kToNchw);
      alias.nhwc = false;
      const int r = g_.AddTensor(alias);
      Node re;
      re.op = "Reshape";
      re.name = n.name + "/as_nchw";
      re.inputs = {t};
      re.outputs = {r};
      out_.push_back(re);
      n.inputs[k] = r;
      return;
    }
    n.inputs[k] = ToNchw(t, n.name + "/to_nchw");
  }
  void NeedNhwc(Node& n, size_t k) {
    const int t = n.inputs[k];
    if (Nhwc(t) || T(g_, t).shape.size() != 4) return;
    n.inputs[k] = ToNhwc(t, n.name + "/to_nhwc");
  }
  void OutNhwc(Node& n) {
    Tensor& t = T(g_, n.outputs[0]);
    t.shape = Permute(t.shape, kToNhwc);
    t.nhwc = true;
  }
  // A constant that broadcasts against a 4-D NCHW tensor, re-laid for NHWC.
  int ConstToNhwc(int c) {
    Tensor t = T(g_, c);
    Shape s = t.shape;
    while (s.size() < 4) s.insert(s.begin(), 1);
    t.data = PermuteData(t.data, s, kToNhwc);
    t.shape = Permute(s, kToNhwc);
    t.name += "/nhwc";
    return g_.AddTensor(t);
  }
};

void Layout::Run() {
  std::vector<Node> nodes = std::move(g_.nodes);
  g_.nodes.clear();
  // Graph inputs keep the ONNX layout; 4-D ones are transposed once.
  for (int& in : g_.inputs) {
    (void)in;
  }
  std::vector<int> inputs = g_.inputs;
  for (int in : inputs) {
    if (T(g_, in).shape.size() != 4) continue;
    Node dummy;
    dummy.name = T(g_, in).name;
    const int r = ToNhwc(in, T(g_, in).name + "/to_nhwc");
    for (Node& n : nodes)
      for (int& i : n.inputs)
        if (i == in) i = r;
    for (int& o : g_.outputs)
      if (o == in) o = r;
  }
  for (Node n : nodes) {
    const std::string& op = n.op;
    if (op == "Conv" || op == "MaxPool" || op == "AvgPool" || op == "GAP" || op == "Resize") {
      NeedNhwc(n, 0);
      OutNhwc(n);
      if (op == "Conv") {
        Tensor w = T(g_, n.inputs[1]);  // OIHW -> OHWI
        w.data = PermuteData(w.data, w.shape, {0, 2, 3, 1});
        w.shape = Permute(w.shape, {0, 2, 3, 1});
        w.name += "/ohwi";
        n.inputs[1] = g_.AddTensor(w);
        n.SetS("layout", "OHWI");
      }
    } else if (op == "Add" || op == "Mul" || op == "PRelu" || op == "Lut") {
      const bool out4 = T(g_, n.outputs[0]).shape.size() == 4;
      bool any_nhwc = false;
      for (int i : n.inputs) any_nhwc |= Nhwc(i);
      if (out4 && any_nhwc) {
        for (size_t k = 0; k < n.inputs.size(); ++k) {
          const int t = n.inputs[k];
          if (T(g_, t).is_const) {
            n.inputs[k] = ConstToNhwc(t);
          } else if (!Nhwc(t)) {
            if (T(g_, t).shape.size() == 4) {
              NeedNhwc(n, k);
            } else {
              throw ConvertError(n.op + " '" + n.name + "': broadcasting a rank-" +
                                 std::to_string(T(g_, t).shape.size()) +
                                 " activation against a 4-D one is not supported");
            }
          }
        }
        OutNhwc(n);
      } else {
        for (size_t k = 0; k < n.inputs.size(); ++k) NeedNchw(n, k);
      }
    } else if (op == "Concat" || op == "Softmax" || op == "Pad" || op == "Slice") {
      bool all = true;
      for (int i : n.inputs) all &= Nhwc(i);
      if (all) {
        if (op == "Concat" || op == "Softmax") {
          n.SetI("axis", NchwAxisToNhwc(n.I("axis")));
        } else if (op == "Pad") {
          const std::vector<int64_t> p = n.Ints("pads");
          std::vector<int64_t> q;
          for (int64_t d : kToNhwc) {
            q.push_back(p[static_cast<size_t>(2 * d)]);
            q.push_back(p[static_cast<size_t>(2 * d + 1)]);
          }
          n.SetInts("pads", q);
        } else {
          n.SetInts("begin", Permute(n.Ints("begin"), kToNhwc));
          n.SetInts("size", Permute(n.Ints("size"), kToNhwc));
          n.SetInts("strides", Permute(n.Ints("strides"), kToNhwc));
        }
        OutNhwc(n);
      } else {
        for (size_t k = 0; k < n.inputs.size(); ++k) NeedNchw(n, k);
      }
    } else if (op == "Shuffle") {
      // y[c' * g + j] = x[j * (C/g) + c']: split C into [g, C/g], swap, merge.
      const int x = n.inputs[0];
      const bool nhwc = Nhwc(x);
      const Shape xs = T(g_, x).shape;
      const int64_t groups = n.I("groups");
      const size_t c_axis = nhwc ? 3 : 1;
      Shape split, swapped;
      std::vector<int64_t> perm;
      if (nhwc) {
        split = {xs[0], xs[1], xs[2], groups, xs[3] / groups};
        perm = {0, 1, 2, 4, 3};
      } else {
        split = {xs[0], groups, xs[1] / groups, xs[2], xs[3]};
        perm = {0, 2, 1, 3, 4};
      }
      (void)c_axis;
      swapped = Permute(split, perm);
      const int a = g_.AddActivation(n.name + "/split", split);
      const int b = g_.AddActivation(n.name + "/swapped", swapped);
      Node r1, tr, r2;
      r1.op = "Reshape"; r1.name = n.name + "/split"; r1.inputs = {x}; r1.outputs = {a};
      tr.op = "Transpose"; tr.name = n.name; tr.inputs = {a}; tr.outputs = {b}; tr.SetInts("perm", perm);
      r2.op = "Reshape"; r2.name = n.name + "/merge"; r2.inputs = {b}; r2.outputs = n.outputs;
      out_.push_back(r1);
      out_.push_back(tr);
      if (nhwc) OutNhwc(r2);
      out_.push_back(r2);
      continue;
    } else if (op == "Transpose" && Nhwc(n.inputs[0])) {
      // y = transpose(x_nchw, perm) = transpose(x_nhwc, kToNchw o perm)
      std::vector<int64_t> perm = n.Ints("perm"), composed;
      for (int64_t p : perm) composed.push_back(kToNchw[static_cast<size_t>(p)]);
      n.SetInts("perm", composed);
    } else {
      for (size_t k = 0; k < n.inputs.size(); ++k) {
        if (n.inputs[k] >= 0 && !T(g_, n.inputs[k]).is_const) NeedNchw(n, k);
      }
    }
    out_.push_back(n);
  }
  // Outputs in the ONNX layout, under their ONNX names.
  for (int& o : g_.outputs) {
    if (!Nhwc(o)) continue;
    const std::string name = T(g_, o).name;
    T(g_, o).name = name + "/nhwc";
    const int r = ToNchw(o, name + "/to_nchw");
    T(g_, r).name = name;
    o = r;
  }
  g_.nodes = std::move(out_);
}

bool IsIdentityPerm(const std::vector<int64_t>& p) {
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Transpose(Transpose(x)) -> one Transpose or nothing; identity transposes
// and Reshapes to the same shape vanish (unless they make a graph output).
void CancelTransposes(Graph& g) {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t k = 0; k < g.nodes.size(); ++k) {
      Node& n = g.nodes[k];
      if (n.op == "Transpose") {
        const int p = g.Producer(n.inputs[0]);
        if (p >= 0 && g.nodes[static_cast<size_t>(p)].op == "Transpose") {
          const std::vector<int64_t> first = g.nodes[static_cast<size_t>(p)].Ints("perm");
          std::vector<int64_t> composed;
          for (int64_t q : n.Ints("perm")) composed.push_back(first[static_cast<size_t>(q)]);
          n.inputs[0] = g.nodes[static_cast<size_t>(p)].inputs[0];
          n.SetInts("perm", composed);
          changed = true;
        }
      }
      if (n.op == "Reshape") {
        const int p = g.Producer(n.inputs[0]);
        if (p >= 0 && g.nodes[static_cast<size_t>(p)].op == "Reshape" && g.Uses(n.inputs[0]) == 1) {
          n.inputs[0] = g.nodes[static_cast<size_t>(p)].inputs[0];
          changed = true;
        }
      }
      const bool identity = (n.op == "Transpose" && IsIdentityPerm(n.Ints("perm"))) ||
                            (n.op == "Reshape" && T(g, n.inputs[0]).shape == T(g, n.outputs[0]).shape);
      const bool is_input = std::find(g.inputs.begin(), g.inputs.end(), n.inputs[0]) != g.inputs.end();
      const bool is_output = std::find(g.outputs.begin(), g.outputs.end(), n.outputs[0]) != g.outputs.end();
      if (identity && !(is_input && is_output)) {
        const int from = n.outputs[0], to = n.inputs[0];
        if (is_output) {
          // Keep the output's name on the surviving tensor.
          T(g, to).name = T(g, from).name;
        }
        T(g, to).nhwc = T(g, to).nhwc;
        g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
        g.ReplaceUses(from, to);
        changed = true;
        break;
      }
    }
    g.RemoveDeadNodes();
  }
}

// FULLY_CONNECTED reads any input whose element count is B*K in row-major
// order, so a Reshape that keeps the batch in front is a no-op for it, and a
// Transpose NHWC -> NCHW in front of it (an ONNX Flatten after a conv) is a
// permutation of the weight columns: W'[n, (h*W + w)*C + c] = W[n, (c*H + h)*W + w].
void FoldIntoFullyConnected(Graph& g) {
  for (bool changed = true; changed;) {
    changed = false;
    for (Node& n : g.nodes) {
      if (n.op != "FC") continue;
      const int64_t batch = T(g, n.outputs[0]).shape[0];
      const int x = n.inputs[0];
      const int p = g.Producer(x);
      if (p < 0 || g.Uses(x) != 1) continue;
      const Node& prod = g.nodes[static_cast<size_t>(p)];
      const Shape& src = T(g, prod.inputs[0]).shape;
      if (prod.op == "Reshape" && !src.empty() && src[0] == batch) {
        n.inputs[0] = prod.inputs[0];
        changed = true;
      } else if (prod.op == "Transpose" && prod.Ints("perm") == kToNchw && src[0] == batch) {
        const int64_t H = src[1], W = src[2], C = src[3];
        const Tensor& w = T(g, n.inputs[1]);
        const int64_t N = w.shape[0], K = w.shape[1];
        if (K != H * W * C) continue;
        std::vector<float> nw(w.data.size());
        for (int64_t o = 0; o < N; ++o)
          for (int64_t c = 0; c < C; ++c)
            for (int64_t h = 0; h < H; ++h)
              for (int64_t ww = 0; ww < W; ++ww)
                nw[static_cast<size_t>(o * K + (h * W + ww) * C + c)] =
                    w.data[static_cast<size_t>(o * K + (c * H + h) * W + ww)];
        const Shape ws = w.shape;
        const int new_w = g.AddConst(n.name + "/weight_nhwc", ws, nw);
        n.inputs[1] = new_w;
        n.inputs[0] = prod.inputs[0];
        changed = true;
      }
      if (changed) break;
    }
    g.RemoveDeadNodes();
  }
}

}  // namespace

void Optimize(Graph& g) {
  FoldBatchNorm(g);
  FuseBias(g);
  FuseActivations(g);
  FuseChannelShuffle(g);
  Layout(g).Run();
  CancelTransposes(g);
  FoldIntoFullyConnected(g);
  g.RemoveDeadNodes();
}

}  // namespace convert
}  // namespace octet
