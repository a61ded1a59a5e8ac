// ONNX node tests (Debian's libonnx-testdata) run through octet's scalar int8
// kernels: ConvInteger, MatMulInteger, QLinearConv and QLinearMatMul.
//
// How the ONNX tests map onto octet's numeric contract (DESIGN.md):
// - Activations: ONNX uses uint8 x with zero point zx; octet uses int8. The
//   map x -> x - 128, zx -> zx - 128 is exact (x - zx is unchanged), padding
//   included (both pad with the zero point). Outputs likewise: uint8 y with
//   zero point zy is int8 y - 128 with zero point zy - 128, clamp [0, 255] is
//   clamp [-128, 127].
// - Weights: octet weights are symmetric int8 in [-127, 127]. The ONNX weight
//   w with zero point zw becomes the integer w - zw ("effective weight"), in
//   [-255, 255]. Two kernel paths use it:
//     * accumulator path (every case): the exact int32 accumulator
//       sum (x - zx) * (w - zw) is read back through the kernel itself:
//       the effective weights are split into parts in [-127, 127] (their sum),
//       the kernel runs with the identity requantization (M0 = 2^30, shift 1,
//       output zero point 0) and the bias (from octet::FoldInputZeroPoint)
//       offset by multiples of 254, so that every accumulator lands, in one of
//       those runs, strictly inside (-128, 127) where the int8 output equals
//       the accumulator minus the offset. ConvInteger/MatMulInteger compare
//       these accumulators with the ONNX int32 output; QLinear* requantize them
//       with octet::RequantizeToInt8 and the multiplier from
//       octet::QuantizeMultiplier(x_scale * w_scale / y_scale).
//     * end-to-end path (QLinear*, output channels whose effective weights are
//       g * v with all v in [-127, 127] for some integer g >= 1): the kernel
//       runs once with weights v, multiplier QuantizeMultiplier(g * M) and the
//       real output zero point, so its own fused requantization is tested.
//       The accumulator is exactly acc / g; the real multiplier differs only by
//       the representation of g * M instead of M.
// - Requantization: ONNX rounds the real product acc * M half to even in
//   floating point; octet rounds twice in fixed point (gemmlowp). They can
//   differ by one LSB only when acc * M is (within float rounding) a tie; such
//   elements are counted and listed, any other difference fails.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/reference.h"
#include "kernels/requant.h"

namespace {

// ---------------------------------------------------------------------------
// Loading the test data.

std::string DataRoot() {
  if (const char* env = std::getenv("OCTET_ONNX_NODE_DATA")) return env;
  return OCTET_ONNX_NODE_DATA;
}

struct Tensor {
  std::vector<int64_t> dims;
  int32_t data_type = 0;
  std::vector<int64_t> ints;   // UINT8, INT8 and INT32 elements
  std::vector<double> floats;  // FLOAT elements
  bool present = false;

  int64_t NumElements() const {
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    return n;
  }
  // Offset that maps this tensor's 8-bit values onto int8 (uint8 -> -128).
  int32_t Int8Offset() const { return data_type == onnx::TensorProto::UINT8 ? 128 : 0; }
};

uint32_t LoadLE32(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

bool ParseTensor(const std::string& path, Tensor* t, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  onnx::TensorProto proto;
  if (!in || !proto.ParseFromIstream(&in)) {
    *error = "cannot parse TensorProto " + path;
    return false;
  }
  t->dims.assign(proto.dims().begin(), proto.dims().end());
  t->data_type = proto.data_type();
  t->present = true;
  const int64_t n = t->NumElements();
  const std::string& raw = proto.raw_data();
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  switch (t->data_type) {
    case onnx::TensorProto::UINT8:
    case onnx::TensorProto::INT8:
      if (proto.has_raw_data()) {
        if (static_cast<int64_t>(raw.size()) != n) break;
        for (int64_t i = 0; i < n; ++i) {
          t->ints.push_back(t->data_type == onnx::TensorProto::UINT8
                                ? int64_t{bytes[i]}
                                : int64_t{static_cast<int8_t>(bytes[i])});
        }
      } else {
        t->ints.assign(proto.int32_data().begin(), proto.int32_data().end());
      }
      break;
    case onnx::TensorProto::INT32:
      if (proto.has_raw_data()) {
        if (static_cast<int64_t>(raw.size()) != 4 * n) break;
        for (int64_t i = 0; i < n; ++i) {
          t->ints.push_back(static_cast<int32_t>(LoadLE32(bytes + 4 * i)));
        }
      } else {
        t->ints.assign(proto.int32_data().begin(), proto.int32_data().end());
      }
      break;
    case onnx::TensorProto::FLOAT:
      if (proto.has_raw_data()) {
        if (static_cast<int64_t>(raw.size()) != 4 * n) break;
        for (int64_t i = 0; i < n; ++i) {
          const uint32_t u = LoadLE32(bytes + 4 * i);
          float f;
          std::memcpy(&f, &u, sizeof f);
          t->floats.push_back(f);
        }
      } else {
        t->floats.assign(proto.float_data().begin(), proto.float_data().end());
      }
      break;
    default:
      *error = path + ": unsupported data type " + std::to_string(t->data_type);
      return false;
  }
  const size_t got = t->data_type == onnx::TensorProto::FLOAT ? t->floats.size() : t->ints.size();
  if (static_cast<int64_t>(got) != n) {
    *error = path + ": element count does not match dims";
    return false;
  }
  return true;
}

// One ONNX node test: the model's single node, its inputs by name and the
// expected output (test_data_set_0).
struct NodeCase {
  onnx::NodeProto node;
  std::vector<std::pair<std::string, Tensor>> values;
  Tensor expected;

  // The tensor fed to node input `index`, or an absent tensor when the input
  // is optional and not given.
  const Tensor& Input(int index) const {
    static const Tensor kAbsent;
    if (index >= node.input_size() || node.input(index).empty()) return kAbsent;
    for (const auto& v : values) {
      if (v.first == node.input(index)) return v.second;
    }
    return kAbsent;
  }
};

bool LoadNodeCase(const std::string& dir, NodeCase* c, std::string* error) {
  onnx::ModelProto model;
  {
    std::ifstream in(dir + "/model.onnx", std::ios::binary);
    if (!in || !model.ParseFromIstream(&in)) {
      *error = "cannot parse " + dir + "/model.onnx";
      return false;
    }
  }
  if (model.graph().node_size() != 1) {
    *error = dir + ": expected a single-node graph";
    return false;
  }
  c->node = model.graph().node(0);
  // input_<i>.pb holds graph input i (these graphs have no initializers).
  for (int i = 0; i < model.graph().input_size(); ++i) {
    Tensor t;
    const std::string path = dir + "/test_data_set_0/input_" + std::to_string(i) + ".pb";
    if (!ParseTensor(path, &t, error)) return false;
    c->values.emplace_back(model.graph().input(i).name(), std::move(t));
  }
  return ParseTensor(dir + "/test_data_set_0/output_0.pb", &c->expected, error);
}

const onnx::AttributeProto* FindAttr(const onnx::NodeProto& node, const char* name) {
  for (const auto& a : node.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

std::vector<int64_t> IntsAttr(const onnx::NodeProto& node, const char* name,
                              std::vector<int64_t> fallback) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

int64_t IntAttr(const onnx::NodeProto& node, const char* name, int64_t fallback) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  return a ? a->i() : fallback;
}

std::string StringAttr(const onnx::NodeProto& node, const char* name, const std::string& fallback) {
  const onnx::AttributeProto* a = FindAttr(node, name);
  return a ? a->s() : fallback;
}

// Loads `name` into `c`, or skips the test when the data is not installed.
#define LOAD_CASE_OR_SKIP(name, c)                                                     \
  NodeCase c;                                                                          \
  do {                                                                                 \
    const std::string dir_ = DataRoot() + "/" + (name);                                \
    if (!std::filesystem::exists(dir_ + "/model.onnx")) {                              \
      GTEST_SKIP() << dir_ << " not found (install libonnx-testdata)";                 \
    }                                                                                  \
    std::string error_;                                                                \
    ASSERT_TRUE(LoadNodeCase(dir_, &c, &error_)) << error_;                            \
  } while (0)

// ---------------------------------------------------------------------------
// Problems in ONNX terms (integer domain) and their naive oracles.

// 2-D convolution shape from a ConvInteger / QLinearConv node.
struct ConvShape {
  int n = 0, c = 0, h = 0, w = 0;  // input NCHW
  int o = 0, kh = 0, kw = 0;       // filter OIHW (I = c / groups)
  int sh = 1, sw = 1, dh = 1, dw = 1;
  int pt = 0, pl = 0, pb = 0, pr = 0;
  int groups = 1;
  int oh = 0, ow = 0;
  int FilterSize() const { return kh * kw * (c / groups); }
};

bool ReadConvShape(const onnx::NodeProto& node, const Tensor& x, const Tensor& w, ConvShape* s,
                   std::string* error) {
  if (x.dims.size() != 4 || w.dims.size() != 4) {
    *error = "only 2-D convolutions (4-D tensors) are mapped";
    return false;
  }
  s->n = static_cast<int>(x.dims[0]);
  s->c = static_cast<int>(x.dims[1]);
  s->h = static_cast<int>(x.dims[2]);
  s->w = static_cast<int>(x.dims[3]);
  s->o = static_cast<int>(w.dims[0]);
  s->kh = static_cast<int>(w.dims[2]);
  s->kw = static_cast<int>(w.dims[3]);
  s->groups = static_cast<int>(IntAttr(node, "group", 1));
  const auto kernel_shape = IntsAttr(node, "kernel_shape", {s->kh, s->kw});
  const auto strides = IntsAttr(node, "strides", {1, 1});
  const auto dilations = IntsAttr(node, "dilations", {1, 1});
  const auto pads = IntsAttr(node, "pads", {0, 0, 0, 0});  // top, left, bottom, right
  const std::string auto_pad = StringAttr(node, "auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "VALID") {
    *error = "auto_pad " + auto_pad + " is not mapped";
    return false;
  }
  if (kernel_shape.size() != 2 || kernel_shape[0] != s->kh || kernel_shape[1] != s->kw ||
      strides.size() != 2 || dilations.size() != 2 || pads.size() != 4 || s->groups < 1 ||
      s->c % s->groups != 0 || s->o % s->groups != 0 || w.dims[1] != s->c / s->groups) {
    *error = "inconsistent convolution attributes";
    return false;
  }
  s->sh = static_cast<int>(strides[0]);
  s->sw = static_cast<int>(strides[1]);
  s->dh = static_cast<int>(dilations[0]);
  s->dw = static_cast<int>(dilations[1]);
  if (auto_pad == "NOTSET") {
    s->pt = static_cast<int>(pads[0]);
    s->pl = static_cast<int>(pads[1]);
    s->pb = static_cast<int>(pads[2]);
    s->pr = static_cast<int>(pads[3]);
  }
  s->oh = (s->h + s->pt + s->pb - s->dh * (s->kh - 1) - 1) / s->sh + 1;
  s->ow = (s->w + s->pl + s->pr - s->dw * (s->kw - 1) - 1) / s->sw + 1;
  return s->oh > 0 && s->ow > 0;
}

// ONNX ConvInteger in plain int32: sum over taps of (x - zx) * w_eff, padded
// taps contributing 0. x is NCHW, w_eff OIHW (= w - zw); result NCHW.
std::vector<int32_t> NaiveConvAccumulators(const ConvShape& s, const std::vector<int64_t>& x,
                                           int32_t zx, const std::vector<int32_t>& w_eff) {
  std::vector<int32_t> acc(static_cast<size_t>(s.n) * s.o * s.oh * s.ow, 0);
  const int cin_g = s.c / s.groups, cout_g = s.o / s.groups;
  for (int b = 0; b < s.n; ++b)
    for (int oc = 0; oc < s.o; ++oc)
      for (int y = 0; y < s.oh; ++y)
        for (int xo = 0; xo < s.ow; ++xo) {
          int32_t sum = 0;
          const int g = oc / cout_g;
          for (int ic = 0; ic < cin_g; ++ic)
            for (int ky = 0; ky < s.kh; ++ky)
              for (int kx = 0; kx < s.kw; ++kx) {
                const int iy = y * s.sh - s.pt + ky * s.dh;
                const int ix = xo * s.sw - s.pl + kx * s.dw;
                if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
                const int64_t xv =
                    x[((static_cast<size_t>(b) * s.c + g * cin_g + ic) * s.h + iy) * s.w + ix];
                const int32_t wv =
                    w_eff[((static_cast<size_t>(oc) * cin_g + ic) * s.kh + ky) * s.kw + kx];
                sum += static_cast<int32_t>(xv - zx) * wv;
              }
          acc[((static_cast<size_t>(b) * s.o + oc) * s.oh + y) * s.ow + xo] = sum;
        }
  return acc;
}

// A batch of matrix products A[b] (M x K) * B[b] (K x N), as MatMulInteger
// and QLinearMatMul define them (numpy broadcasting of a shared operand).
struct MatMulShape {
  int batch = 1, m = 0, k = 0, n = 0;
  bool a_batched = false, b_batched = false;
};

bool ReadMatMulShape(const Tensor& a, const Tensor& b, MatMulShape* s, std::string* error) {
  if (a.dims.size() < 2 || b.dims.size() < 2) {
    *error = "only matrices (rank >= 2) are mapped";
    return false;
  }
  s->m = static_cast<int>(a.dims[a.dims.size() - 2]);
  s->k = static_cast<int>(a.dims.back());
  s->n = static_cast<int>(b.dims.back());
  if (b.dims[b.dims.size() - 2] != s->k) {
    *error = "inner dimensions differ";
    return false;
  }
  const int64_t a_batch = a.NumElements() / (int64_t{s->m} * s->k);
  const int64_t b_batch = b.NumElements() / (int64_t{s->k} * s->n);
  if (a_batch != b_batch && a_batch != 1 && b_batch != 1) {
    *error = "batch broadcasting other than a shared operand is not mapped";
    return false;
  }
  s->batch = static_cast<int>(std::max(a_batch, b_batch));
  s->a_batched = a_batch > 1;
  s->b_batched = b_batch > 1;
  return true;
}

// ---------------------------------------------------------------------------
// Running octet's kernels.

// One int8 linear op as octet runs it: `channels` output channels, each the
// dot product of a channel-major filter row of `filter_size` weights with
// input taps, `positions` outputs per channel laid out [positions][channels].
struct KernelOp {
  int channels = 0;
  int filter_size = 0;
  size_t positions = 0;
  int32_t input_zero_point = 0;  // int8 domain
  std::function<void(const int8_t* filter, const int32_t* bias, const octet::RequantParams& rq,
                     int8_t* out)>
      run;
};

// octet::qs8_conv2d__scalar on input x (NCHW, ONNX values) converted to int8 NHWC.
KernelOp ConvOp(const ConvShape& s, const Tensor& x, int32_t zx) {
  const int32_t offset = x.Int8Offset();
  auto input = std::make_shared<std::vector<int8_t>>(x.ints.size());
  for (int b = 0; b < s.n; ++b)
    for (int c = 0; c < s.c; ++c)
      for (int y = 0; y < s.h; ++y)
        for (int xi = 0; xi < s.w; ++xi) {
          const int64_t v = x.ints[((static_cast<size_t>(b) * s.c + c) * s.h + y) * s.w + xi];
          (*input)[((static_cast<size_t>(b) * s.h + y) * s.w + xi) * s.c + c] =
              static_cast<int8_t>(v - offset);
        }
  octet::Conv2DParams p;
  p.batch = s.n;
  p.input_height = s.h;
  p.input_width = s.w;
  p.input_channels = s.c;
  p.output_height = s.oh;
  p.output_width = s.ow;
  p.output_channels = s.o;
  p.kernel_height = s.kh;
  p.kernel_width = s.kw;
  p.stride_height = s.sh;
  p.stride_width = s.sw;
  p.dilation_height = s.dh;
  p.dilation_width = s.dw;
  p.pad_top = s.pt;
  p.pad_left = s.pl;
  p.groups = s.groups;
  p.input_zero_point = zx - offset;
  KernelOp op;
  op.channels = s.o;
  op.filter_size = s.FilterSize();
  op.positions = static_cast<size_t>(s.n) * s.oh * s.ow;
  op.input_zero_point = p.input_zero_point;
  op.run = [p, input](const int8_t* filter, const int32_t* bias, const octet::RequantParams& rq,
                      int8_t* out) {
    octet::Conv2DParams q = p;
    q.requant = rq;
    octet::qs8_conv2d__scalar(q, input->data(), filter, bias, out);
  };
  return op;
}

// octet::qs8_fully_connected__scalar on rows [row0, row0 + m) of A (M x K, ONNX values).
KernelOp FullyConnectedOp(const Tensor& a, size_t a_offset, int m, int k, int n, int32_t za) {
  const int32_t offset = a.Int8Offset();
  auto input = std::make_shared<std::vector<int8_t>>(static_cast<size_t>(m) * k);
  for (size_t i = 0; i < input->size(); ++i) {
    (*input)[i] = static_cast<int8_t>(a.ints[a_offset + i] - offset);
  }
  octet::FullyConnectedParams p;
  p.batch = m;
  p.input_features = k;
  p.output_features = n;
  p.input_zero_point = za - offset;
  KernelOp op;
  op.channels = n;
  op.filter_size = k;
  op.positions = static_cast<size_t>(m);
  op.input_zero_point = p.input_zero_point;
  op.run = [p, input](const int8_t* filter, const int32_t* bias, const octet::RequantParams& rq,
                      int8_t* out) {
    octet::FullyConnectedParams q = p;
    q.requant = rq;
    octet::qs8_fully_connected__scalar(q, input->data(), filter, bias, out);
  };
  return op;
}

constexpr int kWeightMax = 127;  // octet weights are int8 in [-127, 127]

// Exact int32 accumulators sum_t (x_t - zx) * w_eff[c, t] (+ bias[c]) of
// `op`, read back through the kernel: w_eff (channel-major, any int32 values)
// is split into parts in [-127, 127]; for each part the kernel runs with the
// identity requantization and the folded bias offset by -254 * j, which
// returns acc - 254 * j exactly for the accumulators inside the window
// acc - 254 * j in [-127, 126] (outputs there are not clamped). Windows
// j = 0, 1, -1, 2, -2, ... run until every accumulator is resolved.
// Returns [positions][channels]; counts kernel calls in *runs.
bool AccumulatorsThroughKernel(const KernelOp& op, const std::vector<int32_t>& w_eff,
                               const std::vector<int32_t>& bias, std::vector<int32_t>* acc,
                               int* runs, std::string* error) {
  const size_t channels = static_cast<size_t>(op.channels);
  const size_t outputs = op.positions * channels;
  int32_t identity_multiplier = 0;
  int identity_shift = 0;
  if (!octet::QuantizeMultiplier(1.0, &identity_multiplier, &identity_shift) ||
      identity_multiplier != (int32_t{1} << 30) || identity_shift != 1) {
    *error = "QuantizeMultiplier(1.0) is not (2^30, 1)";
    return false;
  }
  const std::vector<int32_t> multipliers(channels, identity_multiplier);
  const std::vector<int32_t> shifts(channels, identity_shift);
  octet::RequantParams rq;
  rq.multiplier = multipliers.data();
  rq.shift = shifts.data();
  rq.output_zero_point = 0;
  rq.qmin = -128;
  rq.qmax = 127;

  acc->assign(outputs, 0);
  *runs = 0;
  std::vector<int32_t> remaining = w_eff;
  bool first_part = true;
  std::vector<int8_t> filter(w_eff.size());
  std::vector<int32_t> folded(channels), biased(channels);
  std::vector<int8_t> out(outputs);
  while (first_part || std::any_of(remaining.begin(), remaining.end(), [](int32_t v) { return v; })) {
    int32_t part_max = 0;
    for (size_t i = 0; i < remaining.size(); ++i) {
      const int32_t part = std::clamp(remaining[i], -kWeightMax, kWeightMax);
      filter[i] = static_cast<int8_t>(part);
      remaining[i] -= part;
      part_max = std::max(part_max, std::abs(part));
    }
    const int32_t* part_bias = first_part && !bias.empty() ? bias.data() : nullptr;
    octet::FoldInputZeroPoint(filter.data(), part_bias, op.channels, op.filter_size,
                              op.input_zero_point, folded.data());
    first_part = false;
    // |acc| <= filter_size * 255 * part_max + |bias|: the windows to try.
    int64_t bound = int64_t{op.filter_size} * 255 * part_max;
    for (int32_t b : bias) bound += std::abs(int64_t{b});
    const int64_t max_window = bound / 254 + 2;
    std::vector<bool> resolved(outputs, false);
    size_t unresolved = outputs;
    for (int64_t step = 0; unresolved > 0 && step <= 2 * max_window; ++step) {
      const int64_t j = step % 2 ? (step + 1) / 2 : -(step / 2);  // 0, 1, -1, 2, -2, ...
      for (size_t c = 0; c < channels; ++c) {
        biased[c] = static_cast<int32_t>(folded[c] - 254 * j);
      }
      op.run(filter.data(), biased.data(), rq, out.data());
      ++*runs;
      for (size_t i = 0; i < outputs; ++i) {
        if (!resolved[i] && out[i] > -128 && out[i] < 127) {
          (*acc)[i] += static_cast<int32_t>(out[i] + 254 * j);
          resolved[i] = true;
          --unresolved;
        }
      }
    }
    if (unresolved > 0) {
      *error = std::to_string(unresolved) + " accumulators never landed inside a window";
      return false;
    }
  }
  return true;
}

// Smallest g >= 1 per channel with every w_eff[c, t] = g * v, v in [-127, 127]
// (0 when there is none): the channel then runs end to end with weights v and
// a multiplier g times larger.
std::vector<int32_t> ChannelFactors(const std::vector<int32_t>& w_eff, int channels,
                                    int filter_size, const std::vector<int32_t>& bias) {
  std::vector<int32_t> factors(channels, 0);
  for (int c = 0; c < channels; ++c) {
    int32_t gcd = 0, max_abs = 0;
    for (int t = 0; t < filter_size; ++t) {
      const int32_t v = std::abs(w_eff[static_cast<size_t>(c) * filter_size + t]);
      gcd = std::gcd(gcd, v);
      max_abs = std::max(max_abs, v);
    }
    if (gcd == 0) gcd = 1;
    for (int32_t g = 1; g <= gcd; ++g) {
      if (gcd % g == 0 && max_abs / g <= kWeightMax &&
          (bias.empty() || bias[c] % g == 0)) {
        factors[c] = g;
        break;
      }
    }
  }
  return factors;
}

// ---------------------------------------------------------------------------
// Comparing requantized outputs with ONNX.

struct Tally {
  size_t compared = 0, exact = 0, ties = 0;
  std::vector<std::string> notes;
};

// Compares octet's int8 output with ONNX's (already shifted to int8). `real`
// is acc * M. A one-LSB difference is accepted only at a tie of the real
// product (fractional part 0.5 within float32 rounding of the scales).
void CompareRequantized(const char* what, size_t index, int32_t octet_q, int32_t onnx_q,
                        int32_t acc, double real, Tally* tally) {
  ++tally->compared;
  if (octet_q == onnx_q) {
    ++tally->exact;
    return;
  }
  const double frac = real - std::floor(real);
  const bool tie = std::abs(octet_q - onnx_q) == 1 && std::abs(frac - 0.5) <= 1e-4;
  std::ostringstream note;
  note << what << "[" << index << "]: octet " << octet_q << ", onnx " << onnx_q << ", acc " << acc
       << ", acc*M = " << real << (tie ? " (tie)" : " (NOT a tie)");
  tally->notes.push_back(note.str());
  if (tie) {
    ++tally->ties;
  } else {
    ADD_FAILURE() << note.str();
  }
}

void Report(const char* test, const char* path, const Tally& t) {
  std::printf("[   onnx   ] %s, %s: %zu/%zu exact, %zu tie(s) off by one\n", test, path, t.exact,
              t.compared, t.ties);
  for (const auto& n : t.notes) std::printf("[   onnx   ]   %s\n", n.c_str());
}

// Per-output-channel zero point of a weight tensor (scalar or [channels]).
bool ChannelZeroPoints(const Tensor& zp, int channels, std::vector<int32_t>* out,
                       std::string* error) {
  if (!zp.present) {
    out->assign(channels, 0);
    return true;
  }
  if (zp.ints.size() == 1) {
    out->assign(channels, static_cast<int32_t>(zp.ints[0]));
  } else if (static_cast<int>(zp.ints.size()) == channels) {
    out->assign(zp.ints.begin(), zp.ints.end());
  } else {
    *error = "weight zero point is neither per tensor nor per output channel";
    return false;
  }
  return true;
}

bool TensorZeroPoint(const Tensor& zp, int32_t* out, std::string* error) {
  if (!zp.present) {
    *out = 0;
    return true;
  }
  if (zp.ints.size() != 1) {
    *error = "activation zero point must be per tensor (octet's contract)";
    return false;
  }
  *out = static_cast<int32_t>(zp.ints[0]);
  return true;
}

bool ChannelScales(const Tensor& scale, int channels, std::vector<double>* out,
                   std::string* error) {
  if (scale.floats.size() == 1) {
    out->assign(channels, scale.floats[0]);
  } else if (static_cast<int>(scale.floats.size()) == channels) {
    *out = scale.floats;
  } else {
    *error = "scale is neither per tensor nor per output channel";
    return false;
  }
  return true;
}

// Effective conv weights w - zw, OIHW -> OHWI (octet's [O][kh][kw][I/groups]).
std::vector<int32_t> ConvWeightsOHWI(const ConvShape& s, const Tensor& w,
                                     const std::vector<int32_t>& zw) {
  const int cin_g = s.c / s.groups;
  std::vector<int32_t> out(w.ints.size());
  for (int oc = 0; oc < s.o; ++oc)
    for (int ic = 0; ic < cin_g; ++ic)
      for (int ky = 0; ky < s.kh; ++ky)
        for (int kx = 0; kx < s.kw; ++kx) {
          const size_t oihw = ((static_cast<size_t>(oc) * cin_g + ic) * s.kh + ky) * s.kw + kx;
          const size_t ohwi = ((static_cast<size_t>(oc) * s.kh + ky) * s.kw + kx) * cin_g + ic;
          out[ohwi] = static_cast<int32_t>(w.ints[oihw]) - zw[oc];
        }
  return out;
}

std::vector<int32_t> ConvWeightsOIHW(const Tensor& w, int out_channels,
                                     const std::vector<int32_t>& zw) {
  std::vector<int32_t> out(w.ints.size());
  const size_t per_channel = w.ints.size() / out_channels;
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<int32_t>(w.ints[i]) - zw[i / per_channel];
  }
  return out;
}

size_t NhwcToNchw(const ConvShape& s, size_t nhwc) {
  const size_t oc = nhwc % s.o;
  size_t rest = nhwc / s.o;
  const size_t xo = rest % s.ow;
  rest /= s.ow;
  const size_t y = rest % s.oh;
  const size_t b = rest / s.oh;
  return ((b * s.o + oc) * s.oh + y) * s.ow + xo;
}

// Effective weights of batch `b` of a matrix B (K x N): w - zw, transposed to
// octet's [N][K] filter.
std::vector<int32_t> MatMulFilter(const MatMulShape& s, const Tensor& bt, int batch,
                                  const std::vector<int32_t>& zw) {
  const size_t base = s.b_batched ? static_cast<size_t>(batch) * s.k * s.n : 0;
  std::vector<int32_t> out(static_cast<size_t>(s.k) * s.n);
  for (int kk = 0; kk < s.k; ++kk)
    for (int nn = 0; nn < s.n; ++nn) {
      out[static_cast<size_t>(nn) * s.k + kk] =
          static_cast<int32_t>(bt.ints[base + static_cast<size_t>(kk) * s.n + nn]) - zw[nn];
    }
  return out;
}

// ---------------------------------------------------------------------------
// ConvInteger: the kernel's exact int32 accumulators against ONNX's int32 output.

void RunConvInteger(const char* name) {
  LOAD_CASE_OR_SKIP(name, c);
  ASSERT_EQ(c.node.op_type(), "ConvInteger");
  const Tensor& x = c.Input(0);
  const Tensor& w = c.Input(1);
  ConvShape s;
  std::string error;
  ASSERT_TRUE(ReadConvShape(c.node, x, w, &s, &error)) << error;
  int32_t zx = 0;
  std::vector<int32_t> zw;
  ASSERT_TRUE(TensorZeroPoint(c.Input(2), &zx, &error)) << error;
  ASSERT_TRUE(ChannelZeroPoints(c.Input(3), s.o, &zw, &error)) << error;
  ASSERT_EQ(c.expected.data_type, onnx::TensorProto::INT32);
  ASSERT_EQ(c.expected.dims, (std::vector<int64_t>{s.n, s.o, s.oh, s.ow}));

  const std::vector<int32_t> w_ohwi = ConvWeightsOHWI(s, w, zw);
  const std::vector<int32_t> factors = ChannelFactors(w_ohwi, s.o, s.FilterSize(), {});
  const bool direct = std::all_of(factors.begin(), factors.end(), [](int32_t g) { return g == 1; });

  std::vector<int32_t> acc_nhwc;
  int runs = 0;
  ASSERT_TRUE(AccumulatorsThroughKernel(ConvOp(s, x, zx), w_ohwi, {}, &acc_nhwc, &runs, &error))
      << error;
  const std::vector<int32_t> naive =
      NaiveConvAccumulators(s, x.ints, zx, ConvWeightsOIHW(w, s.o, zw));
  size_t exact = 0;
  for (size_t i = 0; i < acc_nhwc.size(); ++i) {
    const size_t j = NhwcToNchw(s, i);
    EXPECT_EQ(naive[j], c.expected.ints[j]) << "test harness oracle, element " << j;
    EXPECT_EQ(acc_nhwc[i], c.expected.ints[j]) << "qs8_conv2d__scalar accumulator, element " << j;
    exact += acc_nhwc[i] == c.expected.ints[j];
  }
  std::printf("[   onnx   ] %s: qs8_conv2d__scalar accumulators (%s weights, %d kernel runs): "
              "%zu/%zu exact\n",
              name, direct ? "int8" : "split", runs, exact, acc_nhwc.size());
}

TEST(OnnxNode, BasicConvInteger) { RunConvInteger("test_basic_convinteger"); }
TEST(OnnxNode, ConvIntegerWithPadding) { RunConvInteger("test_convinteger_with_padding"); }
TEST(OnnxNode, ConvIntegerWithoutPadding) { RunConvInteger("test_convinteger_without_padding"); }

// ---------------------------------------------------------------------------
// MatMulInteger: the same through qs8_fully_connected__scalar.

TEST(OnnxNode, MatMulInteger) {
  const char* name = "test_matmulinteger";
  LOAD_CASE_OR_SKIP(name, c);
  ASSERT_EQ(c.node.op_type(), "MatMulInteger");
  const Tensor& a = c.Input(0);
  const Tensor& b = c.Input(1);
  MatMulShape s;
  std::string error;
  ASSERT_TRUE(ReadMatMulShape(a, b, &s, &error)) << error;
  int32_t za = 0;
  std::vector<int32_t> zb;
  ASSERT_TRUE(TensorZeroPoint(c.Input(2), &za, &error)) << error;
  ASSERT_TRUE(ChannelZeroPoints(c.Input(3), s.n, &zb, &error)) << error;
  ASSERT_EQ(c.expected.data_type, onnx::TensorProto::INT32);
  ASSERT_EQ(c.expected.ints.size(), static_cast<size_t>(s.batch) * s.m * s.n);

  size_t exact = 0;
  int total_runs = 0;
  for (int bi = 0; bi < s.batch; ++bi) {
    const size_t a_offset = s.a_batched ? static_cast<size_t>(bi) * s.m * s.k : 0;
    const std::vector<int32_t> filter = MatMulFilter(s, b, bi, zb);
    std::vector<int32_t> acc;
    int runs = 0;
    ASSERT_TRUE(AccumulatorsThroughKernel(FullyConnectedOp(a, a_offset, s.m, s.k, s.n, za), filter,
                                          {}, &acc, &runs, &error))
        << error;
    total_runs += runs;
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        // Oracle in the ONNX domain: sum_k (a - za) * (b - zb).
        int32_t naive = 0;
        for (int kk = 0; kk < s.k; ++kk) {
          naive += static_cast<int32_t>(a.ints[a_offset + static_cast<size_t>(i) * s.k + kk] - za) *
                   filter[static_cast<size_t>(j) * s.k + kk];
        }
        const size_t o = (static_cast<size_t>(bi) * s.m + i) * s.n + j;
        const size_t r = static_cast<size_t>(i) * s.n + j;
        EXPECT_EQ(naive, c.expected.ints[o]) << "test harness oracle, element " << o;
        EXPECT_EQ(acc[r], c.expected.ints[o]) << "qs8_fully_connected__scalar accumulator " << o;
        exact += acc[r] == c.expected.ints[o];
      }
  }
  std::printf("[   onnx   ] %s: qs8_fully_connected__scalar accumulators (%d kernel runs): "
              "%zu/%zu exact\n",
              name, total_runs, exact, c.expected.ints.size());
}

// ---------------------------------------------------------------------------
// QLinearConv / QLinearMatMul: octet requantization against ONNX's.

// Everything the QLinear comparisons need about one op instance.
struct QLinearCheck {
  KernelOp op;
  std::vector<int32_t> w_eff;    // [channels][filter_size]
  std::vector<int32_t> bias;     // [channels] or empty
  std::vector<double> real_m;    // per channel x_scale * w_scale / y_scale
  int32_t y_zero_point = 0;      // int8 domain
  std::vector<int32_t> expected; // ONNX outputs in the int8 domain, [positions][channels]
  std::vector<int32_t> oracle;   // test's own int32 accumulators, [positions][channels]
};

// Runs both paths on one op instance and tallies them.
void CheckQLinear(const QLinearCheck& q, Tally* via_acc, Tally* end_to_end, int* runs,
                  size_t* channels_end_to_end) {
  const size_t channels = static_cast<size_t>(q.op.channels);
  std::string error;

  // Accumulator path.
  std::vector<int32_t> acc;
  int acc_runs = 0;
  ASSERT_TRUE(AccumulatorsThroughKernel(q.op, q.w_eff, q.bias, &acc, &acc_runs, &error)) << error;
  *runs += acc_runs;
  std::vector<int32_t> multiplier(channels), shift(channels);
  for (size_t c = 0; c < channels; ++c) {
    int sh = 0;
    ASSERT_TRUE(octet::QuantizeMultiplier(q.real_m[c], &multiplier[c], &sh)) << q.real_m[c];
    shift[c] = sh;
  }
  for (size_t i = 0; i < acc.size(); ++i) {
    const size_t c = i % channels;
    ASSERT_EQ(acc[i], q.oracle[i]) << "kernel accumulator differs from the int32 oracle at " << i;
    const int32_t mine =
        octet::RequantizeToInt8(acc[i], multiplier[c], shift[c], q.y_zero_point, -128, 127);
    CompareRequantized("acc path", i, mine, q.expected[i], acc[i], acc[i] * q.real_m[c], via_acc);
  }

  // End-to-end path for the channels whose weights factor into int8.
  const std::vector<int32_t> factors =
      ChannelFactors(q.w_eff, q.op.channels, q.op.filter_size, q.bias);
  if (std::none_of(factors.begin(), factors.end(), [](int32_t g) { return g > 0; })) return;
  std::vector<int8_t> filter(q.w_eff.size(), 0);
  std::vector<int32_t> bias(channels, 0), folded(channels);
  std::vector<int32_t> mult_g(channels, 0), shift_g(channels, 0);
  for (size_t c = 0; c < channels; ++c) {
    const int32_t g = factors[c];
    if (g == 0) continue;  // left at zero weights; its outputs are ignored
    ++*channels_end_to_end;
    for (int t = 0; t < q.op.filter_size; ++t) {
      const size_t i = c * q.op.filter_size + t;
      filter[i] = static_cast<int8_t>(q.w_eff[i] / g);
    }
    if (!q.bias.empty()) bias[c] = q.bias[c] / g;
    int sh = 0;
    ASSERT_TRUE(octet::QuantizeMultiplier(g * q.real_m[c], &mult_g[c], &sh));
    shift_g[c] = sh;
  }
  octet::FoldInputZeroPoint(filter.data(), bias.data(), q.op.channels, q.op.filter_size,
                            q.op.input_zero_point, folded.data());
  octet::RequantParams rq;
  rq.multiplier = mult_g.data();
  rq.shift = shift_g.data();
  rq.output_zero_point = q.y_zero_point;
  std::vector<int8_t> out(acc.size());
  q.op.run(filter.data(), folded.data(), rq, out.data());
  ++*runs;
  for (size_t i = 0; i < out.size(); ++i) {
    const size_t c = i % channels;
    const int32_t g = factors[c];
    if (g == 0) continue;
    // The kernel's fused requantization is the contract's, bit for bit.
    ASSERT_EQ(acc[i] % g, 0);
    const int32_t spec = octet::RequantizeToInt8(acc[i] / g, mult_g[c], shift_g[c],
                                                 q.y_zero_point, -128, 127);
    EXPECT_EQ(out[i], spec) << "fused requantization differs from RequantizeToInt8 at " << i;
    CompareRequantized("end-to-end", i, out[i], q.expected[i], acc[i], acc[i] * q.real_m[c],
                       end_to_end);
  }
}

TEST(OnnxNode, QLinearConv) {
  const char* name = "test_qlinearconv";
  LOAD_CASE_OR_SKIP(name, c);
  ASSERT_EQ(c.node.op_type(), "QLinearConv");
  const Tensor& x = c.Input(0);
  const Tensor& w = c.Input(3);
  ConvShape s;
  std::string error;
  ASSERT_TRUE(ReadConvShape(c.node, x, w, &s, &error)) << error;
  ASSERT_EQ(c.Input(1).floats.size(), 1u);
  ASSERT_EQ(c.Input(6).floats.size(), 1u);
  const double x_scale = c.Input(1).floats[0], y_scale = c.Input(6).floats[0];
  int32_t zx = 0, zy = 0;
  std::vector<int32_t> zw;
  std::vector<double> w_scale;
  ASSERT_TRUE(TensorZeroPoint(c.Input(2), &zx, &error)) << error;
  ASSERT_TRUE(ChannelZeroPoints(c.Input(5), s.o, &zw, &error)) << error;
  ASSERT_TRUE(ChannelScales(c.Input(4), s.o, &w_scale, &error)) << error;
  ASSERT_TRUE(TensorZeroPoint(c.Input(7), &zy, &error)) << error;
  const Tensor& y = c.expected;
  ASSERT_EQ(y.dims, (std::vector<int64_t>{s.n, s.o, s.oh, s.ow}));

  QLinearCheck q;
  q.op = ConvOp(s, x, zx);
  q.w_eff = ConvWeightsOHWI(s, w, zw);
  if (c.Input(8).present) q.bias.assign(c.Input(8).ints.begin(), c.Input(8).ints.end());
  for (int oc = 0; oc < s.o; ++oc) q.real_m.push_back(x_scale * w_scale[oc] / y_scale);
  q.y_zero_point = zy - y.Int8Offset();
  const std::vector<int32_t> naive =
      NaiveConvAccumulators(s, x.ints, zx, ConvWeightsOIHW(w, s.o, zw));
  q.expected.resize(y.ints.size());
  q.oracle.resize(y.ints.size());
  for (size_t i = 0; i < q.expected.size(); ++i) {
    const size_t j = NhwcToNchw(s, i);
    q.expected[i] = static_cast<int32_t>(y.ints[j]) - y.Int8Offset();
    q.oracle[i] = naive[j] + (q.bias.empty() ? 0 : q.bias[i % s.o]);
  }
  int32_t w_min = 0, w_max = 0;
  for (int32_t v : q.w_eff) {
    w_min = std::min(w_min, v);
    w_max = std::max(w_max, v);
  }

  Tally via_acc, end_to_end;
  int runs = 0;
  size_t channels_e2e = 0;
  CheckQLinear(q, &via_acc, &end_to_end, &runs, &channels_e2e);
  std::printf("[   onnx   ] %s: qs8_conv2d__scalar, w - zw in [%d, %d], %d kernel runs, "
              "%zu/%d channels end to end\n",
              name, w_min, w_max, runs, channels_e2e, s.o);
  Report(name, "accumulators + RequantizeToInt8", via_acc);
  Report(name, "end to end (factored weights)", end_to_end);
}

void RunQLinearMatMul(const char* name) {
  LOAD_CASE_OR_SKIP(name, c);
  ASSERT_EQ(c.node.op_type(), "QLinearMatMul");
  const Tensor& a = c.Input(0);
  const Tensor& b = c.Input(3);
  MatMulShape s;
  std::string error;
  ASSERT_TRUE(ReadMatMulShape(a, b, &s, &error)) << error;
  ASSERT_EQ(c.Input(1).floats.size(), 1u);
  ASSERT_EQ(c.Input(6).floats.size(), 1u);
  const double a_scale = c.Input(1).floats[0], y_scale = c.Input(6).floats[0];
  int32_t za = 0, zy = 0;
  std::vector<int32_t> zb;
  std::vector<double> b_scale;
  ASSERT_TRUE(TensorZeroPoint(c.Input(2), &za, &error)) << error;
  ASSERT_TRUE(ChannelZeroPoints(c.Input(5), s.n, &zb, &error)) << error;
  ASSERT_TRUE(ChannelScales(c.Input(4), s.n, &b_scale, &error)) << error;
  ASSERT_TRUE(TensorZeroPoint(c.Input(7), &zy, &error)) << error;
  const Tensor& y = c.expected;
  ASSERT_EQ(y.ints.size(), static_cast<size_t>(s.batch) * s.m * s.n);

  Tally via_acc, end_to_end;
  int runs = 0;
  size_t channels_e2e = 0;
  int32_t w_min = 0, w_max = 0;
  for (int bi = 0; bi < s.batch; ++bi) {
    const size_t a_offset = s.a_batched ? static_cast<size_t>(bi) * s.m * s.k : 0;
    QLinearCheck q;
    q.op = FullyConnectedOp(a, a_offset, s.m, s.k, s.n, za);
    q.w_eff = MatMulFilter(s, b, bi, zb);
    for (int j = 0; j < s.n; ++j) q.real_m.push_back(a_scale * b_scale[j] / y_scale);
    q.y_zero_point = zy - y.Int8Offset();
    for (int i = 0; i < s.m; ++i)
      for (int j = 0; j < s.n; ++j) {
        const size_t o = (static_cast<size_t>(bi) * s.m + i) * s.n + j;
        q.expected.push_back(static_cast<int32_t>(y.ints[o]) - y.Int8Offset());
        int32_t naive = 0;  // sum_k (a - za) * (b - zb) in the ONNX domain
        for (int kk = 0; kk < s.k; ++kk) {
          naive += static_cast<int32_t>(a.ints[a_offset + static_cast<size_t>(i) * s.k + kk] - za) *
                   q.w_eff[static_cast<size_t>(j) * s.k + kk];
        }
        q.oracle.push_back(naive);
      }
    for (int32_t v : q.w_eff) {
      w_min = std::min(w_min, v);
      w_max = std::max(w_max, v);
    }
    CheckQLinear(q, &via_acc, &end_to_end, &runs, &channels_e2e);
    if (::testing::Test::HasFatalFailure()) return;
  }
  std::printf("[   onnx   ] %s: qs8_fully_connected__scalar, b - zb in [%d, %d], %d kernel runs, "
              "%zu/%d channels end to end\n",
              name, w_min, w_max, runs, channels_e2e, s.batch * s.n);
  Report(name, "accumulators + RequantizeToInt8", via_acc);
  Report(name, "end to end (factored weights)", end_to_end);
}

TEST(OnnxNode, QLinearMatMul2D) { RunQLinearMatMul("test_qlinearmatmul_2D"); }
TEST(OnnxNode, QLinearMatMul3D) { RunQLinearMatMul("test_qlinearmatmul_3D"); }

}  // namespace
