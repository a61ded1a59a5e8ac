// Float reference executor: straightforward loops, the meaning of each IR op.
#include "converter/float_executor.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace octet {
namespace convert {
namespace {

int64_t BIndex(const Shape& in, const Shape& out, int64_t i) {
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

// Float dot product with eight independent partial sums, so the compiler
// can vectorize it without reassociating (the executor runs every
// calibration sample; plain double accumulation was the bottleneck).
double Dot(const float* a, const float* b, int64_t n) {
  float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int l = 0; l < 8; ++l) s[l] += a[i + l] * b[i + l];
  double r = 0;
  for (; i < n; ++i) r += static_cast<double>(a[i]) * b[i];
  for (float v : s) r += v;
  return r;
}

std::vector<int64_t> Strides(const Shape& s) {
  std::vector<int64_t> st(s.size(), 1);
  for (size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

// ONNX Resize nearest: source coordinate of output index o.
int64_t NearestSource(int64_t o, int64_t in, int64_t out, float scale, int coord, int mode) {
  double x;
  switch (coord) {
    case 0: x = o / static_cast<double>(scale); break;                          // asymmetric
    case 1: x = (o + 0.5) / static_cast<double>(scale) - 0.5; break;            // half_pixel
    case 2: x = out == 1 ? 0 : o * static_cast<double>(in - 1) / static_cast<double>(out - 1); break;
    default: x = out > 1 ? (o + 0.5) / static_cast<double>(scale) - 0.5 : 0; break;  // pytorch_half_pixel
  }
  int64_t r;
  switch (mode) {
    case 0: r = static_cast<int64_t>(std::floor(x)); break;
    case 1: r = (x - std::floor(x) == 0.5) ? static_cast<int64_t>(std::floor(x)) : static_cast<int64_t>(std::round(x)); break;
    case 2: r = (x - std::floor(x) == 0.5) ? static_cast<int64_t>(std::ceil(x)) : static_cast<int64_t>(std::round(x)); break;
    default: r = static_cast<int64_t>(std::ceil(x)); break;
  }
  return std::clamp<int64_t>(r, 0, in - 1);
}

}  // namespace

float LutFunction(const std::string& f, float alpha, float beta, float x) {
  if (f == "Relu") return x > 0 ? x : 0;
  if (f == "Clip") return std::min(std::max(x, alpha), beta);
  if (f == "Sigmoid") return 1.f / (1.f + std::exp(-x));
  if (f == "Tanh") return std::tanh(x);
  if (f == "HardSigmoid") return std::max(0.f, std::min(1.f, alpha * x + beta));
  if (f == "HardSwish") return x * std::max(0.f, std::min(1.f, x / 6.f + 0.5f));
  if (f == "LeakyRelu") return x >= 0 ? x : alpha * x;
  throw ConvertError("unknown lookup function " + f);
}

std::vector<std::vector<float>> RunFloat(const Graph& g, const std::vector<std::vector<float>>& inputs,
                                         const TensorHook& observe) {
  std::vector<std::vector<float>> v(g.tensors.size());
  if (inputs.size() != g.inputs.size()) throw ConvertError("wrong number of inputs");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const int t = g.inputs[i];
    if (static_cast<int64_t>(inputs[i].size()) != NumElements(g.tensors[static_cast<size_t>(t)].shape)) {
      throw ConvertError("input '" + g.tensors[static_cast<size_t>(t)].name + "' has " +
                         std::to_string(inputs[i].size()) + " values, expected " +
                         std::to_string(NumElements(g.tensors[static_cast<size_t>(t)].shape)));
    }
    v[static_cast<size_t>(t)] = inputs[i];
    if (observe) observe(t, v[static_cast<size_t>(t)]);
  }
  auto val = [&](int t) -> const std::vector<float>& {
    const Tensor& tt = g.tensors[static_cast<size_t>(t)];
    return tt.is_const ? tt.data : v[static_cast<size_t>(t)];
  };
  auto shape = [&](int t) -> const Shape& { return g.tensors[static_cast<size_t>(t)].shape; };

  for (const Node& n : g.nodes) {
    const int yt = n.outputs[0];
    const Shape& ys = shape(yt);
    std::vector<float> y(static_cast<size_t>(NumElements(ys)), 0.f);
    const std::vector<float>& x = val(n.inputs[0]);
    const Shape& xs = shape(n.inputs[0]);
    const std::string& op = n.op;
    if (op == "Conv") {
      // x [N,H,W,C], w [OC,KH,KW,C/g], y [N,OH,OW,OC]
      const std::vector<float>& w = val(n.inputs[1]);
      const Shape& ws = shape(n.inputs[1]);
      const int64_t group = n.I("group", 1);
      const auto st = n.Ints("strides"), dl = n.Ints("dilations"), pd = n.Ints("pads");
      const int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3];
      const int64_t OH = ys[1], OW = ys[2], OC = ys[3], KH = ws[1], KW = ws[2], CG = ws[3];
      const int64_t OCG = OC / group;
      for (int64_t b = 0; b < N; ++b)
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox)
            for (int64_t oc = 0; oc < OC; ++oc) {
              const int64_t gi = oc / OCG;
              double acc = n.inputs[2] >= 0 ? val(n.inputs[2])[static_cast<size_t>(oc)] : 0.0;
              for (int64_t ky = 0; ky < KH; ++ky) {
                const int64_t iy = oy * st[0] - pd[0] + ky * dl[0];
                if (iy < 0 || iy >= H) continue;
                for (int64_t kx = 0; kx < KW; ++kx) {
                  const int64_t ix = ox * st[1] - pd[1] + kx * dl[1];
                  if (ix < 0 || ix >= W) continue;
                  const float* xp = &x[static_cast<size_t>(((b * H + iy) * W + ix) * C + gi * CG)];
                  const float* wp = &w[static_cast<size_t>(((oc * KH + ky) * KW + kx) * CG)];
                  acc += Dot(xp, wp, CG);
                }
              }
              y[static_cast<size_t>(((b * OH + oy) * OW + ox) * OC + oc)] = static_cast<float>(acc);
            }
    } else if (op == "FC") {
      const std::vector<float>& w = val(n.inputs[1]);
      const int64_t N = ys[1], K = shape(n.inputs[1])[1], B = ys[0];
      for (int64_t b = 0; b < B; ++b)
        for (int64_t o = 0; o < N; ++o) {
          double acc = n.inputs[2] >= 0 ? val(n.inputs[2])[static_cast<size_t>(o)] : 0.0;
          acc += Dot(&x[static_cast<size_t>(b * K)], &w[static_cast<size_t>(o * K)], K);
          y[static_cast<size_t>(b * N + o)] = static_cast<float>(acc);
        }
    } else if (op == "Add" || op == "Mul" || op == "PRelu") {
      const std::vector<float>& z = val(n.inputs[1]);
      const Shape& zs = shape(n.inputs[1]);
      for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
        const float a = x[static_cast<size_t>(BIndex(xs, ys, i))];
        const float b = z[static_cast<size_t>(BIndex(zs, ys, i))];
        y[static_cast<size_t>(i)] = op == "Add" ? a + b : op == "Mul" ? a * b : (a >= 0 ? a : a * b);
      }
    } else if (op == "Lut") {
      const std::string f = n.S("func");
      const float alpha = n.F("alpha"), beta = n.F("beta");
      for (size_t i = 0; i < y.size(); ++i) y[i] = LutFunction(f, alpha, beta, x[i]);
    } else if (op == "MaxPool" || op == "AvgPool") {
      const auto k = n.Ints("kernel"), st = n.Ints("strides"), pd = n.Ints("pads");
      const bool include = n.I("count_include_pad") != 0;
      const int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2];
      for (int64_t b = 0; b < N; ++b)
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox)
            for (int64_t c = 0; c < C; ++c) {
              double acc = op == "MaxPool" ? -std::numeric_limits<double>::infinity() : 0.0;
              int64_t count = 0;
              for (int64_t ky = 0; ky < k[0]; ++ky)
                for (int64_t kx = 0; kx < k[1]; ++kx) {
                  const int64_t iy = oy * st[0] - pd[0] + ky, ix = ox * st[1] - pd[1] + kx;
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  const double xv = x[static_cast<size_t>(((b * H + iy) * W + ix) * C + c)];
                  acc = op == "MaxPool" ? std::max(acc, xv) : acc + xv;
                  ++count;
                }
              if (op == "AvgPool") {
                if (include) {
                  // Taps inside the padded input (not the ceil-mode overhang).
                  const int64_t y0 = oy * st[0] - pd[0], x0 = ox * st[1] - pd[1];
                  const int64_t y1 = std::min(y0 + k[0], H + pd[2]), x1 = std::min(x0 + k[1], W + pd[3]);
                  count = (y1 - y0) * (x1 - x0);
                }
                acc /= static_cast<double>(std::max<int64_t>(count, 1));
              }
              y[static_cast<size_t>(((b * OH + oy) * OW + ox) * C + c)] = static_cast<float>(acc);
            }
    } else if (op == "GAP") {
      const int64_t N = xs[0], HW = xs[1] * xs[2], C = xs[3];
      for (int64_t b = 0; b < N; ++b)
        for (int64_t c = 0; c < C; ++c) {
          double acc = 0;
          for (int64_t p = 0; p < HW; ++p) acc += x[static_cast<size_t>((b * HW + p) * C + c)];
          y[static_cast<size_t>(b * C + c)] = static_cast<float>(acc / static_cast<double>(HW));
        }
    } else if (op == "Concat") {
      const int64_t axis = n.I("axis");
      const int64_t outer = NumElements(Shape(ys.begin(), ys.begin() + axis));
      size_t pos = 0;
      for (int64_t o = 0; o < outer; ++o)
        for (int in : n.inputs) {
          const Shape& s = shape(in);
          const int64_t chunk = NumElements(Shape(s.begin() + axis, s.end()));
          const std::vector<float>& src = val(in);
          std::copy(src.begin() + o * chunk, src.begin() + (o + 1) * chunk, y.begin() + static_cast<std::ptrdiff_t>(pos));
          pos += static_cast<size_t>(chunk);
        }
    } else if (op == "Reshape") {
      y = x;
    } else if (op == "Transpose") {
      const auto perm = n.Ints("perm");
      const auto st = Strides(xs);
      for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
        int64_t rem = i, src = 0;
        for (size_t d = ys.size(); d-- > 0;) {
          src += (rem % ys[d]) * st[static_cast<size_t>(perm[d])];
          rem /= ys[d];
        }
        y[static_cast<size_t>(i)] = x[static_cast<size_t>(src)];
      }
    } else if (op == "Pad" || op == "Slice") {
      const auto st = Strides(xs);
      const auto pads = n.Ints("pads"), begin = n.Ints("begin"), strides = n.Ints("strides");
      for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
        int64_t rem = i, src = 0;
        bool inside = true;
        for (size_t d = ys.size(); d-- > 0;) {
          int64_t c = rem % ys[d];
          rem /= ys[d];
          if (op == "Pad") {
            c -= pads[2 * d];
            if (c < 0 || c >= xs[d]) inside = false;
          } else {
            c = begin[d] + c * strides[d];
          }
          src += c * st[d];
        }
        y[static_cast<size_t>(i)] = inside ? x[static_cast<size_t>(src)] : n.F("value");
      }
    } else if (op == "Resize") {
      const auto& sc = n.attrs.at("scales").floats;
      const int coord = static_cast<int>(n.I("coord")), mode = static_cast<int>(n.I("nearest"));
      const int64_t N = xs[0], H = xs[1], W = xs[2], C = xs[3], OH = ys[1], OW = ys[2];
      for (int64_t b = 0; b < N; ++b)
        for (int64_t oy = 0; oy < OH; ++oy) {
          const int64_t iy = NearestSource(oy, H, OH, sc[0], coord, mode);
          for (int64_t ox = 0; ox < OW; ++ox) {
            const int64_t ix = NearestSource(ox, W, OW, sc[1], coord, mode);
            for (int64_t c = 0; c < C; ++c)
              y[static_cast<size_t>(((b * OH + oy) * OW + ox) * C + c)] = x[static_cast<size_t>(((b * H + iy) * W + ix) * C + c)];
          }
        }
    } else if (op == "Softmax") {
      const int64_t axis = n.I("axis");
      const int64_t dim = xs[static_cast<size_t>(axis)];
      const int64_t inner = NumElements(Shape(xs.begin() + axis + 1, xs.end()));
      const int64_t outer = NumElements(xs) / (dim * inner);
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t q = 0; q < inner; ++q) {
          float m = -std::numeric_limits<float>::infinity();
          for (int64_t d = 0; d < dim; ++d) m = std::max(m, x[static_cast<size_t>((o * dim + d) * inner + q)]);
          double sum = 0;
          for (int64_t d = 0; d < dim; ++d) sum += std::exp(static_cast<double>(x[static_cast<size_t>((o * dim + d) * inner + q)] - m));
          for (int64_t d = 0; d < dim; ++d) {
            const size_t i = static_cast<size_t>((o * dim + d) * inner + q);
            y[i] = static_cast<float>(std::exp(static_cast<double>(x[i] - m)) / sum);
          }
        }
    } else if (op == "BatchNorm") {
      const auto &sc = val(n.inputs[1]), &bi = val(n.inputs[2]), &mu = val(n.inputs[3]), &var = val(n.inputs[4]);
      const int64_t C = xs[1], inner = NumElements(Shape(xs.begin() + 2, xs.end()));
      for (int64_t i = 0; i < static_cast<int64_t>(y.size()); ++i) {
        const size_t c = static_cast<size_t>((i / inner) % C);
        y[static_cast<size_t>(i)] = (x[static_cast<size_t>(i)] - mu[c]) / std::sqrt(var[c] + n.F("epsilon")) * sc[c] + bi[c];
      }
    } else {
      throw ConvertError("float executor: no implementation of op " + op + " ('" + n.name + "')");
    }
    if (n.HasActivation()) {
      for (float& f : y) f = std::min(std::max(f, n.act_lo), n.act_hi);
    }
    if (observe) observe(yt, y);
    v[static_cast<size_t>(yt)] = std::move(y);
  }
  return v;
}

}  // namespace convert
}  // namespace octet
