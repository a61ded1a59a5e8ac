// Accuracy report: int8 simulation and runtime runs against the float model.
#include "converter/report.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "converter/float_executor.h"
#include "octet/octet.h"

namespace octet {
namespace convert {

double Sqnr(double signal, double noise) {
  if (noise <= 0) return std::numeric_limits<double>::infinity();
  if (signal <= 0) return -std::numeric_limits<double>::infinity();
  return 10.0 * std::log10(signal / noise);
}

namespace {

bool ClassifierShape(const Shape& s) {
  if (s.size() == 2) return s[1] > 1;
  if (s.size() == 4) return s[1] > 1 && s[2] == 1 && s[3] == 1;
  return false;
}

int64_t Rows(const Shape& s) { return s.empty() ? 1 : s[0]; }

// NCHW <-> NHWC for the runtime's int8 I/O.
std::vector<float> Permute4(const std::vector<float>& v, const Shape& s, bool to_nhwc) {
  const int64_t N = s[0], A = s[1], B = s[2], C = s[3];
  std::vector<float> r(v.size());
  for (int64_t n = 0; n < N; ++n)
    for (int64_t a = 0; a < A; ++a)
      for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c) {
          const size_t src = static_cast<size_t>(((n * A + a) * B + b) * C + c);
          // to_nhwc: s is NCHW (A=C_, B=H, C=W) -> dst [n][b][c][a]
          // else:    s is NHWC (A=H, B=W, C=C_) -> dst [n][c][a][b]
          const size_t dst = to_nhwc ? static_cast<size_t>(((n * B + b) * C + c) * A + a)
                                     : static_cast<size_t>(((n * C + c) * A + a) * B + b);
          r[dst] = v[src];
        }
  return r;
}

struct Acc {
  double signal = 0, noise = 0;
  int64_t rows = 0, agree = 0;
  void Add(const std::vector<float>& ref, const std::vector<float>& got, const Shape& s, bool classifier) {
    for (size_t i = 0; i < ref.size() && i < got.size(); ++i) {
      signal += static_cast<double>(ref[i]) * ref[i];
      const double d = static_cast<double>(ref[i]) - got[i];
      noise += d * d;
    }
    if (!classifier) return;
    const int64_t R = Rows(s), K = static_cast<int64_t>(ref.size()) / std::max<int64_t>(R, 1);
    for (int64_t r = 0; r < R; ++r) {
      auto b = ref.begin() + r * K;
      auto q = got.begin() + r * K;
      agree += (std::max_element(b, b + K) - b) == (std::max_element(q, q + K) - q);
      ++rows;
    }
  }
};

}  // namespace

AccuracyReport MeasureAccuracy(const Graph& g, const QuantResult& q, const std::vector<Sample>& samples,
                               bool int8_io) {
  AccuracyReport rep;
  rep.samples = static_cast<int>(samples.size());
  Graph sim = g;
  for (size_t t = 0; t < sim.tensors.size(); ++t) {
    if (sim.tensors[t].is_const && !q.dequantized_constants[t].empty()) sim.tensors[t].data = q.dequantized_constants[t];
  }
  auto fake = [&](int t, std::vector<float>& v) {
    if (!q.quantized[static_cast<size_t>(t)]) return;
    const QParams& p = q.activation[static_cast<size_t>(t)];
    for (float& f : v) {
      const float r = std::clamp(std::round(f / p.scale) + static_cast<float>(p.zero_point), -128.f, 127.f);
      f = p.scale * (r - static_cast<float>(p.zero_point));
    }
  };

  // Runtime, when it can load the model.
  octet_model* model = nullptr;
  octet_interpreter* interp = nullptr;
  if (octet_model_load_buffer(q.model.data(), q.model.size(), &model) != OCTET_OK) {
    rep.runtime_note = octet_last_error();
  } else if (octet_interpreter_create(model, nullptr, &interp) != OCTET_OK) {
    rep.runtime_note = octet_last_error();
  } else {
    rep.runtime_ran = true;
  }

  std::vector<Acc> layer(g.tensors.size()), sim_out(g.outputs.size()), rt_out(g.outputs.size());
  for (const Sample& s : samples) {
    const auto ref = RunFloat(g, {s});
    const auto got = RunFloat(sim, {s}, fake);
    for (const Node& n : g.nodes) {
      const int t = n.outputs[0];
      layer[static_cast<size_t>(t)].Add(ref[static_cast<size_t>(t)], got[static_cast<size_t>(t)], {}, false);
    }
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      const int t = g.outputs[o];
      const Shape& shape = g.tensors[static_cast<size_t>(t)].shape;
      sim_out[o].Add(ref[static_cast<size_t>(t)], got[static_cast<size_t>(t)], shape, ClassifierShape(shape));
    }
    if (!rep.runtime_ran) continue;
    // Input 0 only (calibration is single-input).
    octet_tensor* in = nullptr;
    octet_interpreter_input(interp, 0, &in);
    const Shape& is = g.tensors[static_cast<size_t>(g.inputs[0])].shape;
    if (octet_tensor_type(in) == OCTET_TYPE_FLOAT32) {
      octet_tensor_copy_from_buffer(in, s.data(), s.size() * 4);
    } else {
      // With --int8-io a 4-D input is NHWC (the boundary transpose is dropped).
      const bool nhwc = int8_io && is.size() == 4 && octet_tensor_num_dims(in) == 4 &&
                        octet_tensor_dim(in, 3) == is[1] && octet_tensor_dim(in, 1) == is[2];
      const std::vector<float> x = nhwc ? Permute4(s, is, true) : s;
      std::vector<int8_t> qx(x.size());
      const float sc = octet_tensor_scale(in);
      const int32_t zp = octet_tensor_zero_point(in);
      for (size_t i = 0; i < x.size(); ++i) {
        qx[i] = static_cast<int8_t>(std::clamp(std::round(x[i] / sc) + static_cast<float>(zp), -128.f, 127.f));
      }
      octet_tensor_copy_from_buffer(in, qx.data(), qx.size());
    }
    if (octet_interpreter_invoke(interp) != OCTET_OK) {
      rep.runtime_ran = false;
      rep.runtime_note = octet_interpreter_error(interp);
      continue;
    }
    for (size_t o = 0; o < g.outputs.size(); ++o) {
      octet_tensor* out = nullptr;
      octet_interpreter_output(interp, static_cast<int>(o), &out);
      const Shape& os = g.tensors[static_cast<size_t>(g.outputs[o])].shape;
      std::vector<float> y(static_cast<size_t>(NumElements(os)));
      if (octet_tensor_type(out) == OCTET_TYPE_FLOAT32) {
        octet_tensor_copy_to_buffer(out, y.data(), y.size() * 4);
      } else {
        std::vector<int8_t> qy(y.size());
        octet_tensor_copy_to_buffer(out, qy.data(), qy.size());
        for (size_t i = 0; i < y.size(); ++i) {
          y[i] = octet_tensor_scale(out) * static_cast<float>(qy[i] - octet_tensor_zero_point(out));
        }
        if (os.size() == 4 && octet_tensor_num_dims(out) == 4 && octet_tensor_dim(out, 3) == os[1] &&
            octet_tensor_dim(out, 1) == os[2]) {
          y = Permute4(y, {os[0], os[2], os[3], os[1]}, false);
        }
      }
      rt_out[o].Add(ref[static_cast<size_t>(g.outputs[o])], y, os, ClassifierShape(os));
    }
  }
  if (interp) octet_interpreter_destroy(interp);
  if (model) octet_model_destroy(model);

  for (const Node& n : g.nodes) {
    const int t = n.outputs[0];
    const Acc& a = layer[static_cast<size_t>(t)];
    rep.layers.push_back({g.tensors[static_cast<size_t>(t)].name, n.op, Sqnr(a.signal, a.noise),
                          static_cast<int>(rep.layers.size())});
  }
  std::stable_sort(rep.layers.begin(), rep.layers.end(),
                   [](const LayerSqnr& a, const LayerSqnr& b) { return a.sqnr_db < b.sqnr_db; });
  for (size_t o = 0; o < g.outputs.size(); ++o) {
    const Shape& os = g.tensors[static_cast<size_t>(g.outputs[o])].shape;
    for (int which = 0; which < 2; ++which) {
      const Acc& a = which == 0 ? sim_out[o] : rt_out[o];
      OutputStats st;
      st.name = g.tensors[static_cast<size_t>(g.outputs[o])].name;
      st.sqnr_db = Sqnr(a.signal, a.noise);
      st.classifier = ClassifierShape(os);
      st.top1_agreement = a.rows ? static_cast<double>(a.agree) / static_cast<double>(a.rows) : 0;
      (which == 0 ? rep.simulated : rep.runtime).push_back(st);
    }
  }
  if (!rep.runtime_ran) rep.runtime.clear();
  return rep;
}

void PrintReport(const AccuracyReport& r, FILE* out, size_t max_layers) {
  std::fprintf(out, "accuracy on %d calibration sample%s (int8 vs float):\n", r.samples, r.samples == 1 ? "" : "s");
  std::fprintf(out, "  %-40s %-10s %10s\n", "layer (worst first, simulated int8)", "op", "SQNR dB");
  for (size_t i = 0; i < r.layers.size() && i < max_layers; ++i) {
    std::fprintf(out, "  %-40s %-10s %10.2f\n", r.layers[i].tensor.substr(0, 40).c_str(), r.layers[i].op.c_str(),
                 r.layers[i].sqnr_db);
  }
  if (r.layers.size() > max_layers) std::fprintf(out, "  ... %zu more in --report\n", r.layers.size() - max_layers);
  for (int which = 0; which < 2; ++which) {
    const auto& v = which == 0 ? r.simulated : r.runtime;
    for (const OutputStats& o : v) {
      std::fprintf(out, "  output %-20s %-9s SQNR %6.2f dB", o.name.c_str(), which == 0 ? "simulated" : "runtime", o.sqnr_db);
      if (o.classifier) std::fprintf(out, ", top-1 agreement %.1f%%", 100 * o.top1_agreement);
      std::fprintf(out, "\n");
    }
  }
  if (!r.runtime_ran) std::fprintf(out, "  runtime not run: %s\n", r.runtime_note.c_str());
}

namespace {
std::string Json(const std::string& s) {
  std::string r = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') { r += '\\'; r += c; }
    else if (static_cast<unsigned char>(c) < 0x20) { char b[8]; std::snprintf(b, sizeof b, "\\u%04x", c); r += b; }
    else r += c;
  }
  return r + "\"";
}
std::string Num(double v) {
  if (std::isinf(v)) return v > 0 ? "1e999" : "-1e999";
  if (std::isnan(v)) return "null";
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}
}  // namespace

void WriteReportJson(const AccuracyReport& r, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& summary) {
  std::ofstream f(path);
  if (!f) throw ConvertError(path + ": cannot write the report");
  f << "{\n";
  for (const auto& [k, v] : summary) f << "  " << Json(k) << ": " << Json(v) << ",\n";
  f << "  \"samples\": " << r.samples << ",\n  \"layer_sqnr_method\": \"simulated int8 (float executor on the int8 grid)\",\n";
  f << "  \"layers\": [\n";
  for (size_t i = 0; i < r.layers.size(); ++i) {
    f << "    {\"index\": " << r.layers[i].index << ", \"tensor\": " << Json(r.layers[i].tensor)
      << ", \"op\": " << Json(r.layers[i].op)
      << ", \"sqnr_db\": " << Num(r.layers[i].sqnr_db) << "}" << (i + 1 < r.layers.size() ? "," : "") << "\n";
  }
  f << "  ],\n";
  for (int which = 0; which < 2; ++which) {
    const auto& v = which == 0 ? r.simulated : r.runtime;
    f << "  " << (which == 0 ? "\"outputs_simulated\"" : "\"outputs_runtime\"") << ": [";
    for (size_t i = 0; i < v.size(); ++i) {
      f << (i ? ", " : "") << "{\"name\": " << Json(v[i].name) << ", \"sqnr_db\": " << Num(v[i].sqnr_db);
      if (v[i].classifier) f << ", \"top1_agreement\": " << Num(v[i].top1_agreement);
      f << "}";
    }
    f << "],\n";
  }
  f << "  \"runtime_ran\": " << (r.runtime_ran ? "true" : "false") << ",\n  \"runtime_note\": " << Json(r.runtime_note) << "\n}\n";
}

}  // namespace convert
}  // namespace octet
