// bench_model: whole-model latency, per-op profile and memory of one .octet
// file, on one or several backends in the same process, through the public C
// API only (what an app sees).
//
// Theory of operation: main() parses the command line into BenchOptions and
// reads the --input and --compare arrays once. For each backend in --backend,
// RunBenchmark() fills a BenchResult: load, prepare, inputs, one first run,
// warmup, timed runs (until --runs or --max-secs), then with --profile as
// many profiled runs again (so the per-op clock readings never touch the
// latency figures), the outputs and their comparison with the references.
// Each backend's interpreter is destroyed before the next one loads, and the
// peak-RSS counter is reset in between where Linux allows it. PrintReport()
// and WriteJson() print the results; with two backends the report ends with
// the ratio of their medians and how far their outputs differ.
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "npy.h"  // tools/npy.h: the project's one .npy reader and writer
#include "octet/octet.h"

namespace {

using NpyArray = octet::npy::Array;
using octet::npy::DType;

// Element i of a .npy array as a double (exact for every dtype but 64-bit
// integers beyond 2^53).
double NpyValue(const NpyArray& a, size_t i) {
  const uint8_t* p = a.data.data() + i * octet::npy::ElementSize(a.dtype);
  switch (a.dtype) {
    case DType::kFloat32: { float v; std::memcpy(&v, p, 4); return v; }
    case DType::kFloat64: { double v; std::memcpy(&v, p, 8); return v; }
    case DType::kInt8: return static_cast<int8_t>(*p);
    case DType::kUInt8: return *p;
    case DType::kInt16: { int16_t v; std::memcpy(&v, p, 2); return v; }
    case DType::kInt32: { int32_t v; std::memcpy(&v, p, 4); return v; }
    case DType::kInt64: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  }
  return 0;
}

bool IsFloat(DType t) { return t == DType::kFloat32 || t == DType::kFloat64; }

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr uint32_t kInputSeed = 20240521;  // fixed: every run sees the same inputs

const char kUsage[] =
    "usage: bench_model --model M.octet [options]\n"
    "  --model PATH        model file to load (required)\n"
    "  --warmup N          untimed runs after the first one (default 10, 0..1000000)\n"
    "  --runs N            timed runs (default 50, 1..1000000)\n"
    "  --max-secs S        stop the timed runs after S seconds (at least one run)\n"
    "  --threads N         threads (default 1, 1..256; octet's kernels use one,\n"
    "                      the XNNPACK backend a pool of N)\n"
    "  --isa NAME          octet kernel level: auto|scalar|sse41|avx2|avx512vnni|neon|neondot\n"
    "                      (default auto: the best this CPU has, or $OCTET_ISA)\n"
    "  --backend LIST      octet|xnnpack, or a comma list run back to back (default octet)\n"
    "  --input A.npy[,B]   input values, one .npy per model input, in its exact shape;\n"
    "                      int8 inputs take int8 arrays, or float arrays that are then\n"
    "                      quantized with the input's scale and zero point\n"
    "                      (default: seeded random values over the input's whole range)\n"
    "  --profile           per-op table (median of as many profiled runs as timed ones)\n"
    "  --json FILE         write the results as JSON\n"
    "  --compare R.npy[,S] compare each output (dequantized unless R is int8) with a\n"
    "                      reference: max abs diff and SQNR\n"
    "  --save-output F.npy write output 0 of the last backend as .npy\n"
    "Exit status: 0 ok, 1 error, 2 bad usage.\n";

struct BenchOptions {
  std::string model_path;
  int warmup = 10;
  int runs = 50;
  double max_secs = 0;  // 0: no time limit
  const char* isa_name = "auto";
  octet_isa isa = OCTET_ISA_AUTO;
  int threads = 1;
  std::vector<octet_backend> backends{OCTET_BACKEND_OCTET};
  std::vector<std::string> input_paths;
  std::vector<std::string> compare_paths;
  bool profile = false;
  std::string json_path;
  std::string save_output_path;
};

struct TensorInfo {
  std::string name;
  octet_type type = OCTET_TYPE_INT8;
  std::vector<int32_t> shape;
  size_t bytes = 0;
  float scale = 0;
  int32_t zero_point = 0;
  std::vector<uint8_t> data;  // outputs only: the bytes after the last run
  uint64_t checksum = 0;      // outputs only: FNV-1a of data
};

struct Comparison {
  std::string reference;
  bool quantized = false;  // compared in int8 units (reference was int8)
  double max_abs_diff = 0;
  double mean_abs_diff = 0;
  double sqnr_db = 0;  // +inf when equal
};

struct OpRow {
  int index = 0;
  std::string type, name, kernel, shape;
  uint64_t macs = 0;
  double median_us = -1;  // -1: not profiled
};

struct Latency {
  double min = 0, median = 0, mean = 0, p90 = 0, max = 0;
};

struct BenchResult {
  std::string backend;
  long long model_bytes = -1;  // -1 when the size cannot be read
  double load_us = 0;
  double prepare_us = 0;
  double first_run_us = 0;
  std::string isa;
  size_t arena_bytes = 0;
  size_t persistent_bytes = 0;
  long long peak_rss_bytes = -1;
  std::vector<TensorInfo> inputs, outputs;
  std::vector<double> run_us;  // one per timed run, in order
  Latency latency;
  std::vector<OpRow> ops;
  int profiled_runs = 0;
  std::vector<Comparison> comparisons;  // one per output when --compare
};

// --- command line ------------------------------------------------------------

// Parses a whole decimal integer in [min, max]; false for anything else
// (empty, trailing characters, out of range).
bool ParseInt(const char* text, long min, long max, int* out) {
  if (!text || !*text) return false;
  errno = 0;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || value < min || value > max) return false;
  *out = static_cast<int>(value);
  return true;
}

bool ParseSeconds(const char* text, double* out) {
  if (!text || !*text) return false;
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(text, &end);
  if (errno != 0 || *end != '\0' || !(value > 0) || value > 1e6) return false;
  *out = value;
  return true;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return parts;
    start = comma + 1;
  }
}

// Returns kExitOk with *options filled, or a usage exit code after printing
// why (kExitOk with *done for --help).
int ParseArgs(int argc, char** argv, BenchOptions* options, bool* done) {
  *done = false;
  auto usage_error = [](const std::string& why) {
    std::fprintf(stderr, "bench_model: %s\n%s", why.c_str(), kUsage);
    return kExitUsage;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      *done = true;
      return kExitOk;
    }
    if (flag == "--profile") {
      options->profile = true;
      continue;
    }
    if (i + 1 >= argc) {
      return usage_error(flag.rfind("--", 0) == 0 ? flag + " needs a value"
                                                    : "unexpected argument '" + flag + "'");
    }
    const char* value = argv[++i];
    if (flag == "--model") {
      options->model_path = value;
    } else if (flag == "--warmup") {
      if (!ParseInt(value, 0, 1000000, &options->warmup)) {
        return usage_error(std::string("--warmup '") + value + "' is not an integer in 0..1000000");
      }
    } else if (flag == "--runs") {
      if (!ParseInt(value, 1, 1000000, &options->runs)) {
        return usage_error(std::string("--runs '") + value + "' is not an integer in 1..1000000");
      }
    } else if (flag == "--max-secs") {
      if (!ParseSeconds(value, &options->max_secs)) {
        return usage_error(std::string("--max-secs '") + value + "' is not a number of seconds > 0");
      }
    } else if (flag == "--threads") {
      if (!ParseInt(value, 1, 256, &options->threads)) {
        return usage_error(std::string("--threads '") + value + "' is not an integer in 1..256");
      }
    } else if (flag == "--isa") {
      if (octet_isa_from_name(value, &options->isa) != OCTET_OK) {
        return usage_error(std::string("unknown ISA name '") + value +
                           "' (expected auto, scalar, sse41, avx2, avx512vnni, neon or neondot)");
      }
      options->isa_name = value;
    } else if (flag == "--backend") {
      options->backends.clear();
      for (const std::string& name : SplitCommas(value)) {
        octet_backend backend;
        if (octet_backend_from_name(name.c_str(), &backend) != OCTET_OK) {
          return usage_error("unknown backend '" + name + "' (expected octet or xnnpack, or a comma list)");
        }
        options->backends.push_back(backend);
      }
    } else if (flag == "--input") {
      options->input_paths = SplitCommas(value);
    } else if (flag == "--compare") {
      options->compare_paths = SplitCommas(value);
    } else if (flag == "--json") {
      options->json_path = value;
    } else if (flag == "--save-output") {
      options->save_output_path = value;
    } else {
      return usage_error("unknown flag '" + flag + "'");
    }
  }
  if (options->model_path.empty()) return usage_error("--model is required");
  return kExitOk;
}

// --- benchmark -----------------------------------------------------------------

using Clock = std::chrono::steady_clock;

double MicrosecondsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

// RAII for the two C handles, so every early return releases them.
struct Handles {
  octet_model* model = nullptr;
  octet_interpreter* interpreter = nullptr;
  ~Handles() {
    if (interpreter) octet_interpreter_destroy(interpreter);
    if (model) octet_model_destroy(model);
  }
};

int Fail(const std::string& what, octet_status status, const char* message) {
  std::fprintf(stderr, "bench_model: %s: %s: %s\n", what.c_str(), octet_status_name(status),
               message && *message ? message : "(no message)");
  return kExitError;
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "bench_model: %s\n", what.c_str());
  return kExitError;
}

const char* TypeName(octet_type type) {
  switch (type) {
    case OCTET_TYPE_FLOAT32: return "float32";
    case OCTET_TYPE_INT8: return "int8";
    case OCTET_TYPE_INT32: return "int32";
    case OCTET_TYPE_UINT8: return "uint8";
    case OCTET_TYPE_INT16: return "int16";
  }
  return "unknown";
}

template <typename T>
std::string ShapeString(const std::vector<T>& shape) {
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

size_t ElementCount(const TensorInfo& t) {
  size_t n = 1;
  for (const int32_t d : t.shape) n *= static_cast<size_t>(d);
  return n;
}

TensorInfo Describe(const octet_tensor* tensor) {
  TensorInfo info;
  const char* name = octet_tensor_name(tensor);
  info.name = name ? name : "";
  info.type = octet_tensor_type(tensor);
  const int dims = octet_tensor_num_dims(tensor);
  for (int d = 0; d < dims; ++d) info.shape.push_back(octet_tensor_dim(tensor, d));
  info.bytes = octet_tensor_byte_size(tensor);
  info.scale = octet_tensor_scale(tensor);
  info.zero_point = octet_tensor_zero_point(tensor);
  return info;
}

// Seeded values valid for `type`: any bit pattern is a valid integer, and
// float inputs get uniform values in [-1, 1] (a typical normalized range).
std::vector<uint8_t> RandomInput(octet_type type, size_t bytes, std::mt19937& rng) {
  std::vector<uint8_t> data(bytes);
  if (type == OCTET_TYPE_FLOAT32) {
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (size_t i = 0; i + sizeof(float) <= bytes; i += sizeof(float)) {
      const float value = dist(rng);
      std::memcpy(&data[i], &value, sizeof(float));
    }
  } else {
    std::uniform_int_distribution<int> dist(0, 255);
    for (uint8_t& byte : data) byte = static_cast<uint8_t>(dist(rng));
  }
  return data;
}

// The bytes for input `info` from a .npy array, or an error message. The
// array must have the tensor's exact shape (NHWC for images). Same-type
// arrays are copied; float arrays for int8 inputs are quantized as OPS.md's
// QUANTIZE does (round half away from zero, clamp).
bool InputFromNpy(const NpyArray& a, const std::string& path, const TensorInfo& info,
                  std::vector<uint8_t>* bytes, std::string* error) {
  std::vector<int64_t> want(info.shape.begin(), info.shape.end());
  if (a.shape != want) {
    *error = path + ": shape " + ShapeString(a.shape) + " does not match input \"" + info.name +
             "\" " + ShapeString(info.shape) + " (octet's activations are NHWC)";
    return false;
  }
  const size_t n = static_cast<size_t>(a.NumElements());
  bytes->assign(info.bytes, 0);
  const bool same_int8 = info.type == OCTET_TYPE_INT8 && a.dtype == DType::kInt8;
  const bool same_uint8 = info.type == OCTET_TYPE_UINT8 && a.dtype == DType::kUInt8;
  const bool same_float = info.type == OCTET_TYPE_FLOAT32 && a.dtype == DType::kFloat32;
  if (same_int8 || same_uint8 || same_float) {
    std::memcpy(bytes->data(), a.data.data(), info.bytes);
    return true;
  }
  if (info.type == OCTET_TYPE_INT8 && IsFloat(a.dtype) && info.scale > 0) {
    for (size_t i = 0; i < n; ++i) {
      const double q = std::round(NpyValue(a, i) / info.scale) + info.zero_point;
      (*bytes)[i] = static_cast<uint8_t>(static_cast<int8_t>(std::min(127.0, std::max(-128.0, q))));
    }
    return true;
  }
  if (info.type == OCTET_TYPE_FLOAT32 && IsFloat(a.dtype)) {
    for (size_t i = 0; i < n; ++i) {
      const float v = static_cast<float>(NpyValue(a, i));
      std::memcpy(bytes->data() + 4 * i, &v, 4);
    }
    return true;
  }
  *error = path + ": " + octet::npy::DTypeName(a.dtype) + " values cannot feed " + TypeName(info.type) +
           " input \"" + info.name + "\" (int8 inputs take int8 or float arrays, float inputs float)";
  return false;
}

// Output element i as a real value (dequantized for integer types).
double RealValue(const TensorInfo& t, size_t i) {
  switch (t.type) {
    case OCTET_TYPE_FLOAT32: {
      float v;
      std::memcpy(&v, t.data.data() + 4 * i, 4);
      return v;
    }
    case OCTET_TYPE_INT8:
      return static_cast<double>(t.scale) * (static_cast<int8_t>(t.data[i]) - t.zero_point);
    case OCTET_TYPE_UINT8:
      return static_cast<double>(t.scale) * (t.data[i] - t.zero_point);
    case OCTET_TYPE_INT32: {
      int32_t v;
      std::memcpy(&v, t.data.data() + 4 * i, 4);
      return static_cast<double>(t.scale) * (static_cast<double>(v) - t.zero_point);
    }
    case OCTET_TYPE_INT16: {
      int16_t v;
      std::memcpy(&v, t.data.data() + 2 * i, 2);
      return static_cast<double>(t.scale) * (v - t.zero_point);
    }
  }
  return 0;
}

double RawValue(const TensorInfo& t, size_t i) {
  return t.type == OCTET_TYPE_INT8 ? static_cast<int8_t>(t.data[i]) : RealValue(t, i);
}

bool Compare(const NpyArray& ref, const std::string& path, const TensorInfo& out, Comparison* c,
             std::string* error) {
  const size_t n = ElementCount(out);
  if (static_cast<size_t>(ref.NumElements()) != n) {
    *error = path + ": " + std::to_string(ref.NumElements()) + " values " + ShapeString(ref.shape) +
             ", output \"" + out.name + "\" has " + std::to_string(n) + " " + ShapeString(out.shape);
    return false;
  }
  c->reference = path;
  // An int8 reference (e.g. another engine's quantized output) is compared
  // in quantized units; anything else against the dequantized output.
  c->quantized = out.type == OCTET_TYPE_INT8 && ref.dtype == DType::kInt8;
  double signal = 0, noise = 0, sum_abs = 0, max_abs = 0;
  for (size_t i = 0; i < n; ++i) {
    const double r = NpyValue(ref, i);
    const double v = c->quantized ? RawValue(out, i) : RealValue(out, i);
    const double e = v - r;
    signal += r * r;
    noise += e * e;
    sum_abs += std::fabs(e);
    max_abs = std::max(max_abs, std::fabs(e));
  }
  c->max_abs_diff = max_abs;
  c->mean_abs_diff = n ? sum_abs / static_cast<double>(n) : 0;
  c->sqnr_db = noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
  return true;
}

uint64_t Fnv1a(const std::vector<uint8_t>& data) {
  uint64_t hash = 1469598103934665603ull;
  for (const uint8_t byte : data) hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  if (n == 0) return 0;
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

Latency Summarize(const std::vector<double>& run_us) {
  std::vector<double> sorted = run_us;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  Latency l;
  l.min = sorted.front();
  l.max = sorted.back();
  l.median = Median(sorted);
  double sum = 0;
  for (const double us : sorted) sum += us;
  l.mean = sum / static_cast<double>(n);
  // Nearest rank: the smallest value with at least 90% of runs at or below.
  const size_t rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(n)));
  l.p90 = sorted[std::max<size_t>(rank, 1) - 1];
  return l;
}

// Resets the kernel's peak-RSS mark so the next backend's figure is its own
// (Linux >= 4.0; elsewhere a no-op, and the figure covers the process).
void ResetPeakRss() {
  if (std::FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    std::fputs("5", f);
    std::fclose(f);
  }
}

long long PeakRssBytes() {
  struct rusage usage;
  if (getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<long long>(usage.ru_maxrss) * 1024;  // kilobytes on Linux
}

int RunBenchmark(const BenchOptions& options, octet_backend backend,
                 const std::vector<NpyArray>& input_arrays,
                 const std::vector<NpyArray>& reference_arrays, BenchResult* result) {
  Handles handles;
  const char* path = options.model_path.c_str();
  result->backend = octet_backend_name(backend);
  ResetPeakRss();

  Clock::time_point start = Clock::now();
  octet_status status = octet_model_load_file(path, &handles.model);
  result->load_us = MicrosecondsSince(start);
  if (status != OCTET_OK) return Fail("cannot load " + options.model_path, status, octet_last_error());
  struct stat file_stat;
  if (stat(path, &file_stat) == 0) result->model_bytes = static_cast<long long>(file_stat.st_size);

  octet_interpreter_options interpreter_options;
  octet_interpreter_options_init(&interpreter_options);
  interpreter_options.isa = options.isa;
  interpreter_options.num_threads = options.threads;
  interpreter_options.backend = backend;
  start = Clock::now();
  status = octet_interpreter_create(handles.model, &interpreter_options, &handles.interpreter);
  result->prepare_us = MicrosecondsSince(start);
  if (status != OCTET_OK) {
    return Fail("cannot prepare " + options.model_path + " (backend " + result->backend + ", isa " +
                    options.isa_name + ")",
                status, octet_last_error());
  }
  octet_interpreter* interpreter = handles.interpreter;
  result->isa = octet_interpreter_isa(interpreter);
  result->arena_bytes = octet_interpreter_arena_bytes(interpreter);
  result->persistent_bytes = octet_interpreter_persistent_bytes(interpreter);

  const int op_count = octet_interpreter_op_count(interpreter);
  for (int i = 0; i < op_count; ++i) {
    octet_op_info info;
    status = octet_interpreter_op_info(interpreter, i, &info);
    if (status != OCTET_OK) {
      return Fail("operator " + std::to_string(i), status, octet_interpreter_error(interpreter));
    }
    OpRow row;
    row.index = i;
    row.type = info.type;
    row.name = info.name;
    row.kernel = info.kernel;
    row.shape = ShapeString(std::vector<int32_t>(
        info.output_dims, info.output_dims + std::min(info.output_num_dims, OCTET_OP_INFO_MAX_DIMS)));
    row.macs = info.macs;
    result->ops.push_back(row);
  }

  std::mt19937 rng(kInputSeed);
  const int num_inputs = octet_interpreter_input_count(interpreter);
  if (!input_arrays.empty() && static_cast<int>(input_arrays.size()) != num_inputs) {
    return Fail("--input gives " + std::to_string(input_arrays.size()) + " arrays, the model has " +
                std::to_string(num_inputs) + " inputs");
  }
  for (int i = 0; i < num_inputs; ++i) {
    octet_tensor* tensor = nullptr;
    status = octet_interpreter_input(interpreter, i, &tensor);
    if (status != OCTET_OK) {
      return Fail("input " + std::to_string(i), status, octet_interpreter_error(interpreter));
    }
    result->inputs.push_back(Describe(tensor));
    std::vector<uint8_t> data;
    if (input_arrays.empty()) {
      data = RandomInput(octet_tensor_type(tensor), octet_tensor_byte_size(tensor), rng);
    } else {
      std::string error;
      if (!InputFromNpy(input_arrays[i], options.input_paths[i], result->inputs.back(), &data,
                        &error)) {
        return Fail(error);
      }
    }
    status = octet_tensor_copy_from_buffer(tensor, data.data(), data.size());
    if (status != OCTET_OK) {
      return Fail("filling input " + std::to_string(i), status, octet_last_error());
    }
  }
  std::vector<const octet_tensor*> outputs;
  const int num_outputs = octet_interpreter_output_count(interpreter);
  if (!reference_arrays.empty() && static_cast<int>(reference_arrays.size()) != num_outputs) {
    return Fail("--compare gives " + std::to_string(reference_arrays.size()) +
                " arrays, the model has " + std::to_string(num_outputs) + " outputs");
  }
  for (int i = 0; i < num_outputs; ++i) {
    octet_tensor* tensor = nullptr;
    status = octet_interpreter_output(interpreter, i, &tensor);
    if (status != OCTET_OK) {
      return Fail("output " + std::to_string(i), status, octet_interpreter_error(interpreter));
    }
    outputs.push_back(tensor);
    result->outputs.push_back(Describe(tensor));
  }

  start = Clock::now();
  status = octet_interpreter_invoke(interpreter);
  result->first_run_us = MicrosecondsSince(start);
  if (status != OCTET_OK) return Fail("first run", status, octet_interpreter_error(interpreter));
  for (int i = 0; i < options.warmup; ++i) {
    status = octet_interpreter_invoke(interpreter);
    if (status != OCTET_OK) return Fail("warmup run", status, octet_interpreter_error(interpreter));
  }
  result->run_us.reserve(options.runs);
  const Clock::time_point timed_start = Clock::now();
  for (int i = 0; i < options.runs; ++i) {
    start = Clock::now();
    status = octet_interpreter_invoke(interpreter);
    result->run_us.push_back(MicrosecondsSince(start));
    if (status != OCTET_OK) return Fail("timed run", status, octet_interpreter_error(interpreter));
    if (options.max_secs > 0 && MicrosecondsSince(timed_start) > options.max_secs * 1e6) break;
  }
  result->latency = Summarize(result->run_us);

  if (options.profile && op_count > 0) {
    const int runs = static_cast<int>(result->run_us.size());
    std::vector<uint64_t> op_ns(op_count);
    std::vector<std::vector<double>> samples(op_count, std::vector<double>(runs));
    for (int r = 0; r < runs; ++r) {
      status = octet_interpreter_invoke_profiled(interpreter, op_ns.data(), op_ns.size());
      if (status != OCTET_OK) return Fail("profiled run", status, octet_interpreter_error(interpreter));
      for (int i = 0; i < op_count; ++i) samples[i][r] = static_cast<double>(op_ns[i]) / 1000.0;
    }
    for (int i = 0; i < op_count; ++i) result->ops[i].median_us = Median(samples[i]);
    result->profiled_runs = runs;
  }

  // Same inputs every run, so the outputs identify the arithmetic: equal
  // checksums across --isa levels mean bit-identical kernels.
  for (size_t i = 0; i < outputs.size(); ++i) {
    TensorInfo& out = result->outputs[i];
    out.data.resize(octet_tensor_byte_size(outputs[i]));
    status = octet_tensor_copy_to_buffer(outputs[i], out.data.data(), out.data.size());
    if (status != OCTET_OK) {
      return Fail("reading output " + std::to_string(i), status, octet_last_error());
    }
    out.checksum = Fnv1a(out.data);
    if (!reference_arrays.empty()) {
      Comparison c;
      std::string error;
      if (!Compare(reference_arrays[i], options.compare_paths[i], out, &c, &error)) return Fail(error);
      result->comparisons.push_back(c);
    }
  }
  result->peak_rss_bytes = PeakRssBytes();
  return kExitOk;
}

// --- report --------------------------------------------------------------------

void PrintTensor(const char* kind, size_t index, const TensorInfo& info, bool with_checksum) {
  std::printf("%-6s %zu   \"%s\" %s %s, %zu bytes", kind, index, info.name.c_str(),
              TypeName(info.type), ShapeString(info.shape).c_str(), info.bytes);
  if (info.type != OCTET_TYPE_FLOAT32) {
    std::printf(", scale %.6g, zero point %d", static_cast<double>(info.scale),
                static_cast<int>(info.zero_point));
  }
  if (with_checksum) {
    std::printf(", checksum %016llx", static_cast<unsigned long long>(info.checksum));
  }
  std::printf("\n");
}

std::string Gops(uint64_t macs, double us) {
  if (macs == 0 || us <= 0) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", 2.0 * static_cast<double>(macs) / (us * 1e3));
  return text;
}

std::string Fit(const std::string& s, size_t width) {
  return s.size() <= width ? s : s.substr(0, width - 1) + "~";
}

void PrintProfile(const BenchResult& r) {
  double total = 0;
  for (const OpRow& op : r.ops) total += op.median_us;
  std::printf("profile      median of %d profiled runs per op; sum of op medians %.1f us "
              "(whole-run median %.1f us)\n",
              r.profiled_runs, total, r.latency.median);
  std::printf("  %4s %-18s %-20s %-18s %-28s %10s %6s %12s %7s\n", "#", "type", "name", "shape",
              "kernel", "median_us", "%", "MACs", "GOPS");
  for (const OpRow& op : r.ops) {
    std::printf("  %4d %-18s %-20s %-18s %-28s %10.1f %6.1f %12llu %7s\n", op.index,
                Fit(op.type, 18).c_str(), Fit(op.name, 20).c_str(), Fit(op.shape, 18).c_str(),
                Fit(op.kernel, 28).c_str(), op.median_us, total > 0 ? 100 * op.median_us / total : 0,
                static_cast<unsigned long long>(op.macs), Gops(op.macs, op.median_us).c_str());
  }
  struct TypeSum {
    int count = 0;
    double us = 0;
    uint64_t macs = 0;
  };
  std::map<std::string, TypeSum> by_type;
  for (const OpRow& op : r.ops) {
    TypeSum& s = by_type[op.type];
    ++s.count;
    s.us += op.median_us;
    s.macs += op.macs;
  }
  std::vector<std::pair<std::string, TypeSum>> sorted(by_type.begin(), by_type.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.second.us > b.second.us; });
  std::printf("  by op type:\n  %-18s %5s %10s %6s %14s %7s\n", "type", "count", "total_us", "%",
              "MACs", "GOPS");
  for (const auto& [type, s] : sorted) {
    std::printf("  %-18s %5d %10.1f %6.1f %14llu %7s\n", type.c_str(), s.count, s.us,
                total > 0 ? 100 * s.us / total : 0, static_cast<unsigned long long>(s.macs),
                Gops(s.macs, s.us).c_str());
  }
  std::vector<const OpRow*> top;
  for (const OpRow& op : r.ops) top.push_back(&op);
  std::sort(top.begin(), top.end(), [](const OpRow* a, const OpRow* b) { return a->median_us > b->median_us; });
  std::printf("  top %zu ops:", std::min<size_t>(5, top.size()));
  for (size_t i = 0; i < top.size() && i < 5; ++i) {
    std::printf("%s #%d %s %.1f us (%.1f%%)", i ? "," : "", top[i]->index, top[i]->name.c_str(),
                top[i]->median_us, total > 0 ? 100 * top[i]->median_us / total : 0);
  }
  std::printf("\n");
}

void PrintReport(const BenchOptions& options, const BenchResult& r) {
  std::printf("== backend %s\n", r.backend.c_str());
  std::printf("model        %s (%lld bytes)\n", options.model_path.c_str(), r.model_bytes);
  std::printf("cpu          %s\n", octet_cpu_name());
  std::printf("isa          %s (requested %s), threads %d\n", r.isa.c_str(), options.isa_name,
              options.threads);
  std::printf("load         %.1f us\n", r.load_us);
  std::printf("prepare      %.1f us\n", r.prepare_us);
  std::printf("first run    %.1f us\n", r.first_run_us);
  std::printf("arena        %zu bytes\n", r.arena_bytes);
  std::printf("persistent   %zu bytes\n", r.persistent_bytes);
  std::printf("peak rss     %lld bytes\n", r.peak_rss_bytes);
  for (size_t i = 0; i < r.inputs.size(); ++i) PrintTensor("input", i, r.inputs[i], false);
  for (size_t i = 0; i < r.outputs.size(); ++i) PrintTensor("output", i, r.outputs[i], true);
  for (size_t i = 0; i < r.comparisons.size(); ++i) {
    const Comparison& c = r.comparisons[i];
    std::printf("compare %zu    vs %s (%s): max abs diff %.6g, mean abs diff %.6g, SQNR %s dB\n", i,
                c.reference.c_str(), c.quantized ? "int8 units" : "real values", c.max_abs_diff,
                c.mean_abs_diff,
                std::isinf(c.sqnr_db) ? "inf" : std::to_string(c.sqnr_db).c_str());
  }
  std::printf("latency over %zu runs after %d warmup, us:\n", r.run_us.size(), options.warmup);
  std::printf("  min        %.1f\n", r.latency.min);
  std::printf("  median     %.1f\n", r.latency.median);
  std::printf("  mean       %.1f\n", r.latency.mean);
  std::printf("  p90        %.1f\n", r.latency.p90);
  std::printf("  max        %.1f\n", r.latency.max);
  if (!r.ops.empty() && r.ops[0].median_us >= 0) PrintProfile(r);
}

// Compares each later backend with the first: median ratio and how many
// output values differ (in stored units) and by how much.
void PrintComparison(const std::vector<BenchResult>& results) {
  const BenchResult& base = results[0];
  for (size_t b = 1; b < results.size(); ++b) {
    const BenchResult& other = results[b];
    std::printf("== %s vs %s: median %.1f us vs %.1f us, ratio %s/%s = %.3f\n",
                other.backend.c_str(), base.backend.c_str(), other.latency.median,
                base.latency.median, other.backend.c_str(), base.backend.c_str(),
                other.latency.median / base.latency.median);
    for (size_t i = 0; i < base.outputs.size() && i < other.outputs.size(); ++i) {
      const TensorInfo& x = base.outputs[i];
      const TensorInfo& y = other.outputs[i];
      if (x.type != OCTET_TYPE_INT8 || y.data.size() != x.data.size()) continue;
      size_t differ = 0;
      int max_diff = 0;
      for (size_t k = 0; k < x.data.size(); ++k) {
        const int d = std::abs(static_cast<int8_t>(x.data[k]) - static_cast<int8_t>(y.data[k]));
        differ += d != 0;
        max_diff = std::max(max_diff, d);
      }
      std::printf("   output %zu: %zu of %zu values differ (%.2f%%), max |diff| %d LSB\n", i,
                  differ, x.data.size(), 100.0 * static_cast<double>(differ) / x.data.size(),
                  max_diff);
    }
  }
}

// --- JSON ------------------------------------------------------------------------

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (const char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char esc[8];
      std::snprintf(esc, sizeof esc, "\\u%04x", c);
      out += esc;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string JsonNumber(double v) {
  if (!std::isfinite(v)) return "null";
  char text[40];
  std::snprintf(text, sizeof text, "%.6g", v);
  return text;
}

std::string JsonResult(const BenchOptions& options, const BenchResult& r, const char* indent) {
  const std::string in = indent;
  std::string j = in + "{\n";
  auto field = [&](const char* key, const std::string& value, bool last = false) {
    j += in + "  " + JsonString(key) + ": " + value + (last ? "\n" : ",\n");
  };
  field("backend", JsonString(r.backend));
  field("model", JsonString(options.model_path));
  field("cpu", JsonString(octet_cpu_name()));
  field("octet_version", JsonString(octet_version()));
  field("isa", JsonString(r.isa));
  field("threads", std::to_string(options.threads));
  field("model_bytes", std::to_string(r.model_bytes));
  field("load_us", JsonNumber(r.load_us));
  field("prepare_us", JsonNumber(r.prepare_us));
  field("first_run_us", JsonNumber(r.first_run_us));
  field("arena_bytes", std::to_string(r.arena_bytes));
  field("persistent_bytes", std::to_string(r.persistent_bytes));
  field("peak_rss_bytes", std::to_string(r.peak_rss_bytes));
  field("warmup", std::to_string(options.warmup));
  field("runs", std::to_string(r.run_us.size()));
  field("latency_us", "{\"min\": " + JsonNumber(r.latency.min) + ", \"median\": " +
                          JsonNumber(r.latency.median) + ", \"mean\": " + JsonNumber(r.latency.mean) +
                          ", \"p90\": " + JsonNumber(r.latency.p90) + ", \"max\": " +
                          JsonNumber(r.latency.max) + "}");
  std::string outs = "[";
  for (size_t i = 0; i < r.outputs.size(); ++i) {
    const TensorInfo& o = r.outputs[i];
    char checksum[20];
    std::snprintf(checksum, sizeof checksum, "%016llx", static_cast<unsigned long long>(o.checksum));
    outs += std::string(i ? ", " : "") + "{\"name\": " + JsonString(o.name) + ", \"type\": " +
            JsonString(TypeName(o.type)) + ", \"shape\": " + ShapeString(o.shape) +
            ", \"checksum\": " + JsonString(checksum);
    if (i < r.comparisons.size()) {
      const Comparison& c = r.comparisons[i];
      outs += ", \"compare\": {\"reference\": " + JsonString(c.reference) +
              ", \"units\": " + JsonString(c.quantized ? "int8" : "real") +
              ", \"max_abs_diff\": " + JsonNumber(c.max_abs_diff) +
              ", \"mean_abs_diff\": " + JsonNumber(c.mean_abs_diff) +
              ", \"sqnr_db\": " + JsonNumber(c.sqnr_db) + "}";
    }
    outs += "}";
  }
  field("outputs", outs + "]");
  double total = 0;
  for (const OpRow& op : r.ops) total += std::max(op.median_us, 0.0);
  std::string ops = "[";
  for (size_t i = 0; i < r.ops.size(); ++i) {
    const OpRow& op = r.ops[i];
    ops += std::string(i ? "," : "") + "\n" + in + "    {\"index\": " + std::to_string(op.index) +
           ", \"type\": " + JsonString(op.type) + ", \"name\": " + JsonString(op.name) +
           ", \"shape\": " + op.shape + ", \"kernel\": " + JsonString(op.kernel) +
           ", \"macs\": " + std::to_string(op.macs);
    if (op.median_us >= 0) {
      ops += ", \"median_us\": " + JsonNumber(op.median_us) +
             ", \"percent\": " + JsonNumber(total > 0 ? 100 * op.median_us / total : 0) +
             ", \"gops\": " +
             JsonNumber(op.macs && op.median_us > 0 ? 2.0 * op.macs / (op.median_us * 1e3) : 0);
    }
    ops += "}";
  }
  field("ops", ops + (r.ops.empty() ? "]" : "\n" + in + "  ]"), true);
  return j + in + "}";
}

// One backend: the result object itself. Several: {"backends": [...],
// "median_ratio": {"xnnpack/octet": r}} with every later backend over the first.
bool WriteJson(const BenchOptions& options, const std::vector<BenchResult>& results) {
  std::string j;
  if (results.size() == 1) {
    j = JsonResult(options, results[0], "") + "\n";
  } else {
    j = "{\n  \"backends\": [\n";
    for (size_t b = 0; b < results.size(); ++b) {
      j += JsonResult(options, results[b], "    ") + (b + 1 < results.size() ? ",\n" : "\n");
    }
    j += "  ],\n  \"median_ratio\": {";
    for (size_t b = 1; b < results.size(); ++b) {
      j += std::string(b > 1 ? ", " : "") +
           JsonString(results[b].backend + "/" + results[0].backend) + ": " +
           JsonNumber(results[b].latency.median / results[0].latency.median);
    }
    j += "}\n}\n";
  }
  std::FILE* f = std::fopen(options.json_path.c_str(), "w");
  if (!f || std::fwrite(j.data(), 1, j.size(), f) != j.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "bench_model: cannot write %s: %s\n", options.json_path.c_str(),
                 std::strerror(errno));
    return false;
  }
  return true;
}

bool SaveOutput(const std::string& path, const TensorInfo& out) {
  NpyArray a;
  a.dtype = out.type == OCTET_TYPE_INT8      ? DType::kInt8
            : out.type == OCTET_TYPE_UINT8   ? DType::kUInt8
            : out.type == OCTET_TYPE_FLOAT32 ? DType::kFloat32
            : out.type == OCTET_TYPE_INT32   ? DType::kInt32
                                             : DType::kInt16;
  a.shape.assign(out.shape.begin(), out.shape.end());
  a.data = out.data;
  std::string error;
  if (!octet::npy::Save(path, a, &error)) {
    std::fprintf(stderr, "bench_model: %s\n", error.c_str());
    return false;
  }
  return true;
}

bool ReadArrays(const std::vector<std::string>& paths, const char* flag,
                std::vector<NpyArray>* arrays) {
  for (const std::string& p : paths) {
    NpyArray a;
    std::string error;
    if (p.empty() || !octet::npy::Load(p, &a, &error)) {
      std::fprintf(stderr, "bench_model: %s: %s\n", flag, p.empty() ? "empty file name" : error.c_str());
      return false;
    }
    arrays->push_back(std::move(a));
  }
  return true;
}

int Main(int argc, char** argv) {
  BenchOptions options;
  bool done = false;
  const int parse_status = ParseArgs(argc, argv, &options, &done);
  if (parse_status != kExitOk || done) return parse_status;
  // Before any run: a backend this build lacks fails the whole command.
  for (const octet_backend backend : options.backends) {
    if (!octet_backend_available(backend)) {
      return Fail(std::string("backend ") + octet_backend_name(backend) +
                  ": UNSUPPORTED: not built into this octet (configure with OCTET_WITH_XNNPACK=ON "
                  "and libxnnpack-dev, libpthreadpool-dev installed)");
    }
  }
  std::vector<NpyArray> inputs, references;
  if (!ReadArrays(options.input_paths, "--input", &inputs) ||
      !ReadArrays(options.compare_paths, "--compare", &references)) {
    return kExitError;
  }
  std::printf("octet %s bench_model\n", octet_version());
  std::vector<BenchResult> results;
  for (const octet_backend backend : options.backends) {
    BenchResult result;
    const int run_status = RunBenchmark(options, backend, inputs, references, &result);
    if (run_status != kExitOk) return run_status;
    PrintReport(options, result);
    std::fflush(stdout);
    results.push_back(std::move(result));
  }
  if (results.size() > 1) PrintComparison(results);
  if (!options.json_path.empty() && !WriteJson(options, results)) return kExitError;
  if (!options.save_output_path.empty() && !results.back().outputs.empty() &&
      !SaveOutput(options.save_output_path, results.back().outputs[0])) {
    return kExitError;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  // The C API does not throw; this catches std::bad_alloc from our own
  // buffers so that nothing escapes main.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_model: %s\n", e.what());
    return kExitError;
  }
}
