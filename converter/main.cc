// octet-convert: float ONNX model + calibration data -> int8 .octet model.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#ifdef OCTET_HAVE_LIBCRYPTO
#include <openssl/evp.h>
#endif

#include "converter/calibration.h"
#include "converter/onnx_import.h"
#include "converter/quantizer.h"
#include "converter/report.h"

namespace {

using namespace octet::convert;

const char kUsage[] =
    "usage: octet-convert MODEL.onnx -o OUT.octet [options]\n"
    "\n"
    "Converts a float ONNX model (opsets 11-17) to an int8 octet model.\n"
    "\n"
    "calibration (required unless --calib-random):\n"
    "  --calib PATH        .npy file (one sample, or a batch along axis 0) or a folder of\n"
    "                      .npy / .png / .jpg files; repeatable\n"
    "  --calib-limit N     use at most N samples\n"
    "  --calib-random      random normal inputs (smoke tests only: ranges will be wrong)\n"
    "  --mean a,b,c        image preprocessing: x = (pixel * scale - mean[c]) / std[c]\n"
    "  --std a,b,c\n"
    "  --scale s           default 1/255\n"
    "  --method M          mse | minmax | percentile | entropy (default mse)\n"
    "  --percentile P      for --method percentile; default 99.99\n"
    "quantization and output:\n"
    "  --per-tensor        one weight scale per tensor (default: per output channel)\n"
    "  --int8-io           int8 NHWC model inputs/outputs (default: float32, ONNX shapes)\n"
    "  --report FILE.json  write the accuracy report\n"
    "  --report-samples N  calibration samples the report runs (default 64; 0 = all)\n"
    "  --quiet             no progress bar or summary\n"
    "  --version, --help\n";

std::vector<float> ParseFloats(const std::string& flag, const std::string& text) {
  std::vector<float> v;
  std::stringstream s(text);
  std::string item;
  while (std::getline(s, item, ',')) {
    char* end = nullptr;
    const float f = std::strtof(item.c_str(), &end);
    if (item.empty() || *end) throw ConvertError(flag + ": '" + text + "' is not a comma-separated list of numbers");
    v.push_back(f);
  }
  return v;
}

int ParseInt(const std::string& flag, const std::string& text) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || v < 0) throw ConvertError(flag + ": '" + text + "' is not a non-negative integer");
  return static_cast<int>(v);
}

std::string Join(const std::vector<float>& v) {
  std::ostringstream s;
  for (size_t i = 0; i < v.size(); ++i) s << (i ? "," : "") << v[i];
  return s.str();
}

// SHA-256 of a file as hex (libcrypto), or "" when built without it.
std::string Sha256Hex(const std::string& path) {
#ifdef OCTET_HAVE_LIBCRYPTO
  std::ifstream f(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr)) return "";
  std::string hex;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02x", digest[i]);
    hex += b;
  }
  return hex;
#else
  (void)path;
  return "";
#endif
}

std::string FormatFloat(float v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", static_cast<double>(v));
  return b;
}

int Run(int argc, char** argv) {
  std::string model_path, out_path, report_path, method_name = "mse";
  CalibrationOptions calib;
  QuantOptions qopt;
  float percentile = 99.99f;
  bool quiet = false;
  bool scale_given = false;
  int report_samples = 64;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw ConvertError(a + " needs a value");
      return argv[++i];
    };
    if (a == "-h" || a == "--help") { std::fputs(kUsage, stdout); return 0; }
    else if (a == "--version") { std::printf("octet-convert %s\n", OCTET_CONVERTER_VERSION); return 0; }
    else if (a == "-o" || a == "--output") out_path = value();
    else if (a == "--calib") calib.paths.push_back(value());
    else if (a == "--calib-limit") calib.limit = ParseInt(a, value());
    else if (a == "--calib-random") calib.random = true;
    else if (a == "--mean") calib.mean = ParseFloats(a, value());
    else if (a == "--std") calib.std = ParseFloats(a, value());
    else if (a == "--scale") { calib.scale = ParseFloats(a, value()).at(0); scale_given = true; }
    else if (a == "--method") method_name = value();
    else if (a == "--percentile") {
      percentile = ParseFloats(a, value()).at(0);
      if (!(percentile > 50 && percentile <= 100)) throw ConvertError("--percentile must be in (50, 100]");
    }
    else if (a == "--per-tensor") qopt.per_tensor = true;
    else if (a == "--int8-io") qopt.int8_io = true;
    else if (a == "--report") report_path = value();
    else if (a == "--report-samples") report_samples = ParseInt(a, value());
    else if (a == "--quiet" || a == "-q") quiet = true;
    else if (!a.empty() && a[0] == '-') throw ConvertError("unknown option " + a + " (see --help)");
    else if (model_path.empty()) model_path = a;
    else throw ConvertError("unexpected argument '" + a + "' (one model at a time)");
  }
  (void)scale_given;
  if (model_path.empty()) throw ConvertError("no model given (usage: octet-convert MODEL.onnx -o OUT.octet)");
  if (out_path.empty()) throw ConvertError("no output given (-o OUT.octet)");
  for (float s : calib.std) {
    if (s == 0) throw ConvertError("--std values must be non-zero");
  }
  const Method method = ParseMethod(method_name);
  calib.quiet = quiet;

  Graph g = ImportOnnxFile(model_path);
  const size_t imported = g.nodes.size();
  Optimize(g);
  if (!quiet) {
    std::fprintf(stderr, "octet-convert %s: %s (opset %d)\n", OCTET_CONVERTER_VERSION, g.source.c_str(), g.opset);
    std::fprintf(stderr, "  graph: %zu ops after import, %zu after rewrites: %s\n", imported, g.nodes.size(),
                 OpSummary(g).c_str());
  }
  if (calib.paths.empty() && calib.random) {
    std::fprintf(stderr,
                 "octet-convert: WARNING: --calib-random: calibrating on random normal inputs. Activation "
                 "ranges will not match real data and the int8 model's accuracy will be poor. Use this "
                 "for smoke tests only; give --calib with real samples for a usable model.\n");
  }
  const std::vector<Sample> samples = LoadCalibration(g, calib);
  const std::vector<Range> ranges = Calibrate(g, samples, method, percentile, quiet);

  bool images = false;
  for (const std::string& p : calib.paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(p)) {
        const std::string ext = e.path().extension().string();
        images |= ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".PNG" || ext == ".JPG";
      }
    } else {
      images |= p.size() > 4 && p.substr(p.size() - 4) != ".npy";
    }
  }
  qopt.source_model = g.source;
  qopt.source_sha256 = Sha256Hex(model_path);
  qopt.calibration_method = std::string(MethodName(method)) +
                            (method == Method::kPercentile ? " " + FormatFloat(percentile) : "") +
                            (calib.paths.empty() ? " (random inputs)" : "");
  qopt.calibration_samples = static_cast<int>(samples.size());
  qopt.images = images;
  qopt.mean = calib.mean;
  qopt.std = calib.std;
  qopt.scale = calib.scale;
  if (!calib.paths.empty()) {
    std::string paths;
    for (const auto& p : calib.paths) paths += (paths.empty() ? "" : ";") + std::filesystem::path(p).filename().string();
    qopt.extra.emplace_back("calibration_data", paths);
  }
  const QuantResult q = Quantize(g, ranges, qopt);
  {
    std::ofstream f(out_path, std::ios::binary);
    if (!f) throw ConvertError(out_path + ": cannot write the model");
    f.write(reinterpret_cast<const char*>(q.model.data()), static_cast<std::streamsize>(q.model.size()));
    if (!f) throw ConvertError(out_path + ": write failed");
  }
  std::map<std::string, int> ops;
  for (const auto& t : q.op_types) ++ops[t];
  std::string op_list;
  for (const auto& [k, v] : ops) op_list += (op_list.empty() ? "" : ", ") + k + " x" + std::to_string(v);
  const auto onnx_bytes = std::filesystem::file_size(model_path);
  if (!quiet) {
    std::fprintf(stderr, "  calibration: %zu sample%s, method %s\n", samples.size(), samples.size() == 1 ? "" : "s",
                 qopt.calibration_method.c_str());
    std::fprintf(stderr, "  wrote %s: %d ops (%s), %zu bytes (ONNX %ju bytes), %s I/O, %s weights\n",
                 out_path.c_str(), q.op_count, op_list.c_str(), q.model.size(),
                 static_cast<uintmax_t>(onnx_bytes), qopt.int8_io ? "int8 NHWC" : "float32",
                 qopt.per_tensor ? "per-tensor" : "per-channel");
  }
  if (!quiet || !report_path.empty()) {
    // The report runs the float model, the simulation and the runtime on
    // each sample: a subset keeps it quick on large calibration sets.
    std::vector<Sample> subset = samples;
    if (report_samples > 0 && subset.size() > static_cast<size_t>(report_samples)) {
      subset.resize(static_cast<size_t>(report_samples));
    }
    const AccuracyReport rep = MeasureAccuracy(g, q, subset, qopt.int8_io);
    if (!quiet) PrintReport(rep, stderr);
    if (!report_path.empty()) {
      WriteReportJson(rep, report_path,
                      {{"model", g.source},
                       {"output", out_path},
                       {"onnx_bytes", std::to_string(onnx_bytes)},
                       {"octet_bytes", std::to_string(q.model.size())},
                       {"method", qopt.calibration_method},
                       {"weights", qopt.per_tensor ? "per-tensor" : "per-channel"},
                       {"io", qopt.int8_io ? "int8" : "float32"},
                       {"mean", Join(calib.mean)},
                       {"std", Join(calib.std)}});
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const ConvertError& e) {
    std::fprintf(stderr, "octet-convert: error: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet-convert: error: %s\n", e.what());
  }
  return 1;
}
