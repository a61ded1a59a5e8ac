// bench_model: whole-model latency and memory of one .octet file, through
// the public C API only (what an app sees).
//
// Theory of operation: main() parses the command line into BenchOptions,
// RunBenchmark() fills a BenchResult (load, prepare, one first run, warmup,
// then timed runs on seeded random inputs), and PrintReport() prints it. A
// later --json or --profile adds a printer or a field to BenchResult; a later
// --backend swaps what RunBenchmark drives, not the parsing or the report.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <random>
#include <string>
#include <vector>

#include "octet/octet.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;
constexpr uint32_t kInputSeed = 20240521;  // fixed: every run sees the same inputs

const char kUsage[] =
    "usage: bench_model --model M.octet [--warmup N] [--runs N] [--isa NAME] [--threads N]\n"
    "  --model PATH   model file to load (required)\n"
    "  --warmup N     untimed runs after the first one (default 10, 0..1000000)\n"
    "  --runs N       timed runs (default 50, 1..1000000)\n"
    "  --isa NAME     kernel level: auto|scalar|sse41|avx2|avx512vnni|neon|neondot\n"
    "                 (default auto: the best this CPU has, or $OCTET_ISA)\n"
    "  --threads N    interpreter threads (default 1, 1..256)\n"
    "Inputs are seeded random values valid for their type (int8: any byte;\n"
    "float32: uniform in [-1, 1]). Exit status: 0 ok, 1 error, 2 bad usage.\n";

struct BenchOptions {
  std::string model_path;
  int warmup = 10;
  int runs = 50;
  const char* isa_name = "auto";
  octet_isa isa = OCTET_ISA_AUTO;
  int threads = 1;
};

struct TensorInfo {
  std::string name;
  octet_type type = OCTET_TYPE_INT8;
  std::vector<int32_t> shape;
  size_t bytes = 0;
  float scale = 0;
  int32_t zero_point = 0;
  uint64_t checksum = 0;  // outputs only: FNV-1a of the bytes after the last run
};

struct BenchResult {
  long long model_bytes = -1;  // -1 when the size cannot be read
  double load_us = 0;
  double prepare_us = 0;
  double first_run_us = 0;
  std::string isa;
  size_t arena_bytes = 0;
  size_t persistent_bytes = 0;
  std::vector<TensorInfo> inputs, outputs;
  std::vector<double> run_us;  // one per timed run, in order
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

uint64_t Fnv1a(const std::vector<uint8_t>& data) {
  uint64_t hash = 1469598103934665603ull;
  for (const uint8_t byte : data) hash = (hash ^ byte) * 1099511628211ull;
  return hash;
}

int RunBenchmark(const BenchOptions& options, BenchResult* result) {
  Handles handles;
  const char* path = options.model_path.c_str();

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
  start = Clock::now();
  status = octet_interpreter_create(handles.model, &interpreter_options, &handles.interpreter);
  result->prepare_us = MicrosecondsSince(start);
  if (status != OCTET_OK) {
    return Fail("cannot prepare " + options.model_path + " (isa " + options.isa_name + ")", status,
                octet_last_error());
  }
  octet_interpreter* interpreter = handles.interpreter;
  result->isa = octet_interpreter_isa(interpreter);
  result->arena_bytes = octet_interpreter_arena_bytes(interpreter);
  result->persistent_bytes = octet_interpreter_persistent_bytes(interpreter);

  std::mt19937 rng(kInputSeed);
  const int num_inputs = octet_interpreter_input_count(interpreter);
  for (int i = 0; i < num_inputs; ++i) {
    octet_tensor* tensor = nullptr;
    status = octet_interpreter_input(interpreter, i, &tensor);
    if (status != OCTET_OK) {
      return Fail("input " + std::to_string(i), status, octet_interpreter_error(interpreter));
    }
    result->inputs.push_back(Describe(tensor));
    const std::vector<uint8_t> data = RandomInput(octet_tensor_type(tensor),
                                                  octet_tensor_byte_size(tensor), rng);
    status = octet_tensor_copy_from_buffer(tensor, data.data(), data.size());
    if (status != OCTET_OK) {
      return Fail("filling input " + std::to_string(i), status,
                  octet_interpreter_error(interpreter));
    }
  }
  std::vector<const octet_tensor*> outputs;
  const int num_outputs = octet_interpreter_output_count(interpreter);
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
  for (int i = 0; i < options.runs; ++i) {
    start = Clock::now();
    status = octet_interpreter_invoke(interpreter);
    result->run_us.push_back(MicrosecondsSince(start));
    if (status != OCTET_OK) return Fail("timed run", status, octet_interpreter_error(interpreter));
  }

  // Same inputs every run, so the outputs identify the arithmetic: equal
  // checksums across --isa levels mean bit-identical kernels.
  for (size_t i = 0; i < outputs.size(); ++i) {
    std::vector<uint8_t> data(octet_tensor_byte_size(outputs[i]));
    status = octet_tensor_copy_to_buffer(outputs[i], data.data(), data.size());
    if (status != OCTET_OK) {
      return Fail("reading output " + std::to_string(i), status,
                  octet_interpreter_error(interpreter));
    }
    result->outputs[i].checksum = Fnv1a(data);
  }
  return kExitOk;
}

// --- report --------------------------------------------------------------------

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

void PrintTensor(const char* kind, size_t index, const TensorInfo& info, bool with_checksum) {
  std::string shape = "[";
  for (size_t d = 0; d < info.shape.size(); ++d) {
    shape += (d ? ", " : "") + std::to_string(info.shape[d]);
  }
  shape += "]";
  std::printf("%-6s %zu   \"%s\" %s %s, %zu bytes", kind, index, info.name.c_str(),
              TypeName(info.type), shape.c_str(), info.bytes);
  if (info.type != OCTET_TYPE_FLOAT32) {
    std::printf(", scale %.6g, zero point %d", static_cast<double>(info.scale),
                static_cast<int>(info.zero_point));
  }
  if (with_checksum) {
    std::printf(", checksum %016llx", static_cast<unsigned long long>(info.checksum));
  }
  std::printf("\n");
}

void PrintReport(const BenchOptions& options, const BenchResult& result) {
  std::vector<double> sorted = result.run_us;
  std::sort(sorted.begin(), sorted.end());
  const size_t n = sorted.size();
  const double median = n % 2 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  double sum = 0;
  for (const double us : sorted) sum += us;

  std::printf("octet %s bench_model\n", octet_version());
  std::printf("model        %s (%lld bytes)\n", options.model_path.c_str(), result.model_bytes);
  std::printf("cpu          %s\n", octet_cpu_name());
  std::printf("isa          %s (requested %s), threads %d\n", result.isa.c_str(),
              options.isa_name, options.threads);
  std::printf("load         %.1f us\n", result.load_us);
  std::printf("prepare      %.1f us\n", result.prepare_us);
  std::printf("first run    %.1f us\n", result.first_run_us);
  std::printf("arena        %zu bytes\n", result.arena_bytes);
  std::printf("persistent   %zu bytes\n", result.persistent_bytes);
  for (size_t i = 0; i < result.inputs.size(); ++i) PrintTensor("input", i, result.inputs[i], false);
  for (size_t i = 0; i < result.outputs.size(); ++i) {
    PrintTensor("output", i, result.outputs[i], true);
  }
  std::printf("latency over %zu runs after %d warmup, us:\n", n, options.warmup);
  std::printf("  min        %.1f\n", sorted.front());
  std::printf("  median     %.1f\n", median);
  std::printf("  mean       %.1f\n", sum / static_cast<double>(n));
  std::printf("  max        %.1f\n", sorted.back());
}

int Main(int argc, char** argv) {
  BenchOptions options;
  bool done = false;
  const int parse_status = ParseArgs(argc, argv, &options, &done);
  if (parse_status != kExitOk || done) return parse_status;
  BenchResult result;
  const int run_status = RunBenchmark(options, &result);
  if (run_status != kExitOk) return run_status;
  PrintReport(options, result);
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
