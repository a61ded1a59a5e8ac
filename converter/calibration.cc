// Calibration: loading sample inputs and choosing activation ranges.
#include "converter/calibration.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include "converter/float_executor.h"
#include "npy.h"  // tools/npy.h: the one .npy reader and writer

// Decoding and resizing come from Debian's libstb (linked, not compiled here).
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

namespace octet {
namespace convert {
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// .npy, through the project's one reader and writer (tools/npy.h), as float.

NpyArray ReadNpy(const std::string& path) {
  npy::Array raw;
  std::string error;
  if (!npy::Load(path, &raw, &error)) throw ConvertError(error);
  NpyArray a;
  a.shape = raw.shape;
  const size_t n = static_cast<size_t>(raw.NumElements());
  const size_t width = npy::ElementSize(raw.dtype);
  a.data.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = raw.data.data() + i * width;
    double v = 0;
    switch (raw.dtype) {
      case npy::DType::kFloat32: { float x; std::memcpy(&x, p, 4); v = x; break; }
      case npy::DType::kFloat64: std::memcpy(&v, p, 8); break;
      case npy::DType::kUInt8: v = *p; break;
      case npy::DType::kInt8: v = static_cast<int8_t>(*p); break;
      case npy::DType::kInt16: { int16_t x; std::memcpy(&x, p, 2); v = x; break; }
      case npy::DType::kInt32: { int32_t x; std::memcpy(&x, p, 4); v = x; break; }
      case npy::DType::kInt64: { int64_t x; std::memcpy(&x, p, 8); v = static_cast<double>(x); break; }
    }
    a.data[i] = static_cast<float>(v);
  }
  return a;
}

void WriteNpy(const std::string& path, const Shape& shape, const std::vector<float>& data) {
  npy::Array raw;
  raw.dtype = npy::DType::kFloat32;
  raw.shape.assign(shape.begin(), shape.end());
  raw.data.resize(data.size() * sizeof(float));
  std::memcpy(raw.data.data(), data.data(), raw.data.size());
  std::string error;
  if (!npy::Save(path, raw, &error)) throw ConvertError(error);
}

// ---------------------------------------------------------------------------
// Samples.

namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

bool IsImage(const fs::path& p) {
  const std::string e = Lower(p.extension().string());
  return e == ".png" || e == ".jpg" || e == ".jpeg" || e == ".bmp";
}

// Splits an array into model invocations of input shape `in`.
void AddNpySamples(const std::string& path, const Shape& in, std::vector<Sample>* out) {
  const NpyArray a = ReadNpy(path);
  const int64_t per = NumElements(in);
  const Shape item(in.begin() + 1, in.end());
  bool ok = false;
  if (a.shape == in) {
    ok = true;
  } else if (a.shape.size() == in.size() && Shape(a.shape.begin() + 1, a.shape.end()) == item &&
             a.shape[0] % in[0] == 0) {
    ok = true;  // a batch along axis 0
  } else if (in[0] == 1 && a.shape == item) {
    ok = true;  // one sample without the batch axis
  }
  if (!ok) {
    throw ConvertError(path + ": calibration array has shape " + ShapeString(a.shape) +
                       ", expected " + ShapeString(in) + " or [K" +
                       ShapeString(item).replace(0, 1, item.empty() ? "" : ",") + " (a batch along axis 0)");
  }
  for (int64_t i = 0; i + per <= static_cast<int64_t>(a.data.size()); i += per) {
    out->emplace_back(a.data.begin() + i, a.data.begin() + i + per);
  }
}

Sample LoadImage(const std::string& path, const Shape& in, const CalibrationOptions& o) {
  // NCHW with C in {1, 3} (the layout of exported vision models).
  if (in.size() != 4 || (in[1] != 1 && in[1] != 3) || in[0] != 1) {
    throw ConvertError(path + ": images need a model input of shape [1,1|3,H,W]; this model's is " +
                       ShapeString(in) + " (give .npy calibration data instead)");
  }
  const int C = static_cast<int>(in[1]), H = static_cast<int>(in[2]), W = static_cast<int>(in[3]);
  int w = 0, h = 0, c = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &c, C);
  if (!pixels) {
    throw ConvertError(path + ": cannot decode image (" + std::string(stbi_failure_reason()) + ")");
  }
  std::vector<unsigned char> resized(static_cast<size_t>(C * H * W));
  if (w == W && h == H) {
    std::memcpy(resized.data(), pixels, resized.size());
  } else if (!stbir_resize_uint8(pixels, w, h, 0, resized.data(), W, H, 0, C)) {
    stbi_image_free(pixels);
    throw ConvertError(path + ": cannot resize image to " + std::to_string(W) + "x" + std::to_string(H));
  }
  // HWC bytes -> CHW floats.
  Sample s(static_cast<size_t>(C * H * W));
  for (int ch = 0; ch < C; ++ch) {
    const float mean = o.mean.empty() ? 0.f : o.mean[static_cast<size_t>(ch) % o.mean.size()];
    const float sd = o.std.empty() ? 1.f : o.std[static_cast<size_t>(ch) % o.std.size()];
    for (int p = 0; p < H * W; ++p) {
      const float v = resized[static_cast<size_t>(p * C + ch)];
      s[static_cast<size_t>(ch * H * W + p)] = (v * o.scale - mean) / sd;
    }
  }
  stbi_image_free(pixels);
  return s;
}

}  // namespace

std::vector<Sample> LoadCalibration(const Graph& g, const CalibrationOptions& o) {
  if (g.inputs.size() != 1) {
    throw ConvertError("calibration supports single-input models; this one has " +
                       std::to_string(g.inputs.size()) + " inputs");
  }
  const Shape in = g.tensors[static_cast<size_t>(g.inputs[0])].shape;
  std::vector<Sample> samples;
  if (o.paths.empty()) {
    if (!o.random) {
      throw ConvertError("no calibration data: give --calib FILE.npy or --calib FOLDER (of .npy or "
                         ".png/.jpg images, with --mean/--std/--scale) holding typical inputs of shape " +
                         ShapeString(in) + "; --calib-random exists for smoke tests only");
    }
    const int n = o.limit > 0 ? o.limit : 8;
    std::mt19937 rng(o.seed);
    std::normal_distribution<float> dist(0.f, 1.f);
    for (int i = 0; i < n; ++i) {
      Sample s(static_cast<size_t>(NumElements(in)));
      for (float& v : s) v = dist(rng);
      samples.push_back(std::move(s));
    }
    return samples;
  }
  auto full = [&]() { return o.limit > 0 && static_cast<int>(samples.size()) >= o.limit; };
  for (const std::string& path : o.paths) {
    if (full()) break;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<fs::path> files;
      for (const auto& e : fs::directory_iterator(path)) {
        const std::string ext = Lower(e.path().extension().string());
        if (ext == ".npy" || IsImage(e.path())) files.push_back(e.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw ConvertError(path + ": folder holds no .npy, .png or .jpg files");
      for (const auto& f : files) {
        if (full()) break;
        if (IsImage(f)) {
          samples.push_back(LoadImage(f.string(), in, o));
        } else {
          AddNpySamples(f.string(), in, &samples);
        }
      }
    } else if (fs::exists(path, ec)) {
      if (IsImage(path)) {
        samples.push_back(LoadImage(path, in, o));
      } else {
        AddNpySamples(path, in, &samples);
      }
    } else {
      throw ConvertError(path + ": calibration path does not exist");
    }
  }
  if (o.limit > 0 && static_cast<int>(samples.size()) > o.limit) samples.resize(static_cast<size_t>(o.limit));
  if (samples.empty()) throw ConvertError("calibration data holds no samples");
  return samples;
}

// ---------------------------------------------------------------------------
// Observers.

Method ParseMethod(const std::string& name) {
  if (name == "minmax") return Method::kMinMax;
  if (name == "percentile") return Method::kPercentile;
  if (name == "entropy") return Method::kEntropy;
  if (name == "mse") return Method::kMse;
  throw ConvertError("unknown calibration method '" + name + "' (minmax, percentile, entropy, mse)");
}

const char* MethodName(Method m) {
  switch (m) {
    case Method::kMinMax: return "minmax";
    case Method::kPercentile: return "percentile";
    case Method::kEntropy: return "entropy";
    case Method::kMse: return "mse";
  }
  return "?";
}

namespace {

constexpr int kBins = 2048;

// A redrawn bar on a terminal; on a pipe or file only the finished line.
void Progress(bool quiet, const char* what, size_t done, size_t total) {
  if (quiet) return;
  static const bool tty = isatty(fileno(stderr)) != 0;
  if (!tty && done != total) return;
  const int width = 30;
  const int filled = static_cast<int>(width * done / std::max<size_t>(total, 1));
  std::fprintf(stderr, "\r%-22s [%s%s] %zu/%zu", what, std::string(static_cast<size_t>(filled), '#').c_str(),
               std::string(static_cast<size_t>(width - filled), ' ').c_str(), done, total);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

}  // namespace

float PercentileThreshold(const std::vector<double>& hist, float amax, float percentile) {
  double total = 0;
  for (double h : hist) total += h;
  if (total <= 0) return amax;
  const double target = total * percentile / 100.0;
  double acc = 0;
  for (size_t i = 0; i < hist.size(); ++i) {
    acc += hist[i];
    if (acc >= target) return amax * static_cast<float>(i + 1) / static_cast<float>(hist.size());
  }
  return amax;
}

// TensorRT's entropy calibration: for each candidate threshold bin i, the
// reference distribution P is the histogram clipped at i (outliers added to
// the last bin); Q merges P's bins into `levels` groups and spreads each
// group's mass evenly over its non-empty bins; the threshold with the
// smallest KL(P || Q) wins.
float EntropyThreshold(const std::vector<double>& hist, float amax, int levels) {
  const int n = static_cast<int>(hist.size());
  double best = std::numeric_limits<double>::infinity();
  int best_i = n;
  std::vector<double> p, q;
  for (int i = levels; i <= n; ++i) {
    p.assign(hist.begin(), hist.begin() + i);
    double outliers = 0;
    for (int k = i; k < n; ++k) outliers += hist[static_cast<size_t>(k)];
    p.back() += outliers;
    q.assign(static_cast<size_t>(i), 0.0);
    const double per = static_cast<double>(i) / levels;
    for (int j = 0; j < levels; ++j) {
      const int start = static_cast<int>(std::floor(j * per));
      const int stop = j == levels - 1 ? i : static_cast<int>(std::floor((j + 1) * per));
      double sum = 0;
      int nonzero = 0;
      for (int k = start; k < stop; ++k) {
        sum += hist[static_cast<size_t>(k)];
        nonzero += hist[static_cast<size_t>(k)] != 0;
      }
      for (int k = start; k < stop; ++k) {
        if (hist[static_cast<size_t>(k)] != 0) q[static_cast<size_t>(k)] = sum / nonzero;
      }
    }
    double ps = 0, qs = 0;
    for (int k = 0; k < i; ++k) { ps += p[static_cast<size_t>(k)]; qs += q[static_cast<size_t>(k)]; }
    if (ps <= 0 || qs <= 0) continue;
    double kl = 0;
    for (int k = 0; k < i; ++k) {
      const double pk = p[static_cast<size_t>(k)] / ps;
      if (pk == 0) continue;
      const double qk = q[static_cast<size_t>(k)] / qs;
      kl += qk > 0 ? pk * std::log(pk / qk) : pk * std::log(pk / 1e-12);  // empty Q bin: heavy penalty
    }
    if (kl < best) {
      best = kl;
      best_i = i;
    }
  }
  return amax * (static_cast<float>(best_i) + 0.5f) / static_cast<float>(n);
}

// Expected squared error of uniform quantization with `levels` steps over
// [0, t], with values above t clipped, estimated from the histogram.
float MseThreshold(const std::vector<double>& hist, float amax, int levels) {
  const int n = static_cast<int>(hist.size());
  const double w = static_cast<double>(amax) / n;
  double best = std::numeric_limits<double>::infinity();
  int best_i = n;
  for (int i = 16; i <= n; ++i) {
    const double t = i * w, step = t / levels;
    double err = 0;
    for (int k = 0; k < n; ++k) {
      const double c = (k + 0.5) * w;
      err += hist[static_cast<size_t>(k)] * (c <= t ? step * step / 12.0 : (c - t) * (c - t));
    }
    if (err < best) {
      best = err;
      best_i = i;
    }
  }
  return static_cast<float>(best_i * w);
}

// One pass: every tensor keeps its min/max and a 2048-bin histogram of |x|
// over [0, R]. When a sample exceeds R, R doubles (as often as needed) and
// bins merge pairwise, so no second run over the data is needed; the range
// then spans at least 1024 bins of the data's own extent.
std::vector<Range> Calibrate(const Graph& g, const std::vector<Sample>& samples, Method method,
                             float percentile, bool quiet) {
  std::vector<Range> r(g.tensors.size());
  const bool histograms = method != Method::kMinMax;
  std::vector<std::vector<double>> hist(g.tensors.size());
  std::vector<float> extent(g.tensors.size(), 0.f);
  size_t done = 0;
  for (const Sample& s : samples) {
    RunFloat(g, {s}, [&](int t, std::vector<float>& v) {
      const size_t ti = static_cast<size_t>(t);
      Range& x = r[ti];
      float amax = 0;
      for (float f : v) {
        if (!std::isfinite(f)) continue;
        if (!x.seen) { x.lo = x.hi = f; x.seen = true; }
        x.lo = std::min(x.lo, f);
        x.hi = std::max(x.hi, f);
        amax = std::max(amax, std::fabs(f));
      }
      if (!histograms) return;
      std::vector<double>& h = hist[ti];
      if (h.empty()) h.assign(kBins, 0.0);
      float& R = extent[ti];
      if (R == 0) {
        R = amax;  // values seen so far were all 0: they stay in bin 0
      } else if (amax > R) {
        int factor = 1;
        while (R * static_cast<float>(factor) < amax) factor *= 2;
        std::vector<double> merged(kBins, 0.0);
        for (int i = 0; i < kBins; ++i) merged[static_cast<size_t>(i / factor)] += h[static_cast<size_t>(i)];
        h.swap(merged);
        R *= static_cast<float>(factor);
      }
      const float inv = R > 0 ? kBins / R : 0.f;
      for (float f : v) {
        if (!std::isfinite(f)) continue;
        h[static_cast<size_t>(std::min(kBins - 1, static_cast<int>(std::fabs(f) * inv)))] += 1;
      }
    });
    Progress(quiet, "calibrating", ++done, samples.size());
  }
  if (!histograms) return r;
  for (size_t t = 0; t < r.size(); ++t) {
    if (hist[t].empty() || extent[t] <= 0) continue;
    // A non-negative tensor spends all 256 levels on [0, T]; a signed one
    // about half of them on each side.
    const bool non_negative = r[t].lo >= 0;
    float th = extent[t];
    switch (method) {
      case Method::kPercentile: th = PercentileThreshold(hist[t], extent[t], percentile); break;
      case Method::kEntropy: th = EntropyThreshold(hist[t], extent[t], non_negative ? 256 : 128); break;
      case Method::kMse: th = MseThreshold(hist[t], extent[t], non_negative ? 255 : 127); break;
      default: break;
    }
    r[t].lo = std::max(r[t].lo, -th);
    r[t].hi = std::min(r[t].hi, th);
  }
  return r;
}

}  // namespace convert
}  // namespace octet
