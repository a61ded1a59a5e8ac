// octet-run: runs an .octet model on .npy inputs and writes .npy outputs,
// through the public C API only.
//
// Each --input is matched to the model's inputs in order and must have the
// input's dtype and shape, except that its first axis may be any positive
// multiple k of the model's first axis (the batch): the model then runs k
// times, on consecutive slices, and every output is the k results stacked
// along its first axis. So a whole test set is one command.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "npy.h"
#include "octet/octet.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitError = 1;
constexpr int kExitUsage = 2;

const char kUsage[] =
    "usage: octet-run --model M.octet --input X.npy [--input ...] --output Y.npy [--output ...]\n"
    "                 [--isa NAME] [--quiet]\n"
    "  --model PATH    model file to run (required)\n"
    "  --input PATH    .npy file for the model's next input, in order (one per input)\n"
    "  --output PATH   .npy file for the model's next output, in order (one per output)\n"
    "  --isa NAME      kernel level: auto|scalar|sse41|avx2|avx512vnni|neon|neondot\n"
    "                  (default auto: the best this CPU has, or $OCTET_ISA)\n"
    "  --quiet         print nothing on success\n"
    "An input must have the model input's dtype and shape, except that its first\n"
    "axis may be k times the model's (a batch of k runs; the outputs are stacked\n"
    "along their first axis). float64 data for a float32 input is converted.\n"
    "Exit status: 0 ok, 1 error, 2 bad usage.\n";

struct Options {
  std::string model_path;
  std::vector<std::string> inputs, outputs;
  const char* isa_name = "auto";
  octet_isa isa = OCTET_ISA_AUTO;
  bool quiet = false;
};

int ParseArgs(int argc, char** argv, Options* options, bool* done) {
  *done = false;
  auto usage_error = [](const std::string& why) {
    std::fprintf(stderr, "octet-run: %s\n%s", why.c_str(), kUsage);
    return kExitUsage;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      *done = true;
      return kExitOk;
    }
    if (flag == "--quiet" || flag == "-q") {
      options->quiet = true;
      continue;
    }
    if (flag != "--model" && flag != "--input" && flag != "--output" && flag != "--isa") {
      return usage_error(flag.rfind("-", 0) == 0 ? "unknown flag '" + flag + "'"
                                                 : "unexpected argument '" + flag + "'");
    }
    if (i + 1 >= argc) return usage_error(flag + " needs a value");
    const char* value = argv[++i];
    if (flag == "--model") {
      options->model_path = value;
    } else if (flag == "--input") {
      options->inputs.push_back(value);
    } else if (flag == "--output") {
      options->outputs.push_back(value);
    } else {
      if (octet_isa_from_name(value, &options->isa) != OCTET_OK) {
        return usage_error(std::string("unknown ISA name '") + value +
                           "' (expected auto, scalar, sse41, avx2, avx512vnni, neon or neondot)");
      }
      options->isa_name = value;
    }
  }
  if (options->model_path.empty()) return usage_error("--model is required");
  if (options->inputs.empty()) return usage_error("at least one --input is required");
  if (options->outputs.empty()) return usage_error("at least one --output is required");
  return kExitOk;
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

int Error(const std::string& message) {
  std::fprintf(stderr, "octet-run: %s\n", message.c_str());
  return kExitError;
}

int StatusError(const std::string& what, octet_status status, const char* message) {
  return Error(what + ": " + octet_status_name(status) + ": " +
               (message && *message ? message : "(no message)"));
}

// The .npy dtype that holds a tensor of this type; false if none does.
bool NpyType(octet_type type, octet::npy::DType* dtype) {
  switch (type) {
    case OCTET_TYPE_FLOAT32: *dtype = octet::npy::DType::kFloat32; return true;
    case OCTET_TYPE_INT8: *dtype = octet::npy::DType::kInt8; return true;
    case OCTET_TYPE_UINT8: *dtype = octet::npy::DType::kUInt8; return true;
    case OCTET_TYPE_INT16: *dtype = octet::npy::DType::kInt16; return true;
    case OCTET_TYPE_INT32: *dtype = octet::npy::DType::kInt32; return true;
  }
  return false;
}

struct Port {  // one model input or output
  octet_tensor* tensor = nullptr;
  std::string name;
  octet::npy::DType dtype = octet::npy::DType::kFloat32;
  std::vector<int64_t> shape;
  size_t bytes = 0;
};

int Describe(octet_interpreter* interpreter, bool input, int index, Port* port) {
  const char* kind = input ? "input" : "output";
  const octet_status status = input ? octet_interpreter_input(interpreter, index, &port->tensor)
                                    : octet_interpreter_output(interpreter, index, &port->tensor);
  if (status != OCTET_OK) {
    return StatusError(std::string(kind) + " " + std::to_string(index), status,
                       octet_interpreter_error(interpreter));
  }
  const char* name = octet_tensor_name(port->tensor);
  port->name = name ? name : "";
  for (int d = 0; d < octet_tensor_num_dims(port->tensor); ++d) {
    port->shape.push_back(octet_tensor_dim(port->tensor, d));
  }
  port->bytes = octet_tensor_byte_size(port->tensor);
  if (!NpyType(octet_tensor_type(port->tensor), &port->dtype)) {
    return Error(std::string("model ") + kind + " " + std::to_string(index) + " '" + port->name +
                 "' has a type that .npy cannot hold");
  }
  return kExitOk;
}

std::string Label(const char* kind, int index, const Port& port) {
  return std::string(kind) + " " + std::to_string(index) + " '" + port.name + "'";
}

// Checks `array` (from `path`) against the model input and converts float64
// to float32; sets *runs to the number of batches it holds.
int CheckInput(const std::string& path, int index, const Port& port, bool quiet,
               octet::npy::Array* array, int64_t* runs) {
  using octet::npy::DType;
  const std::string label = Label("input", index, port);
  if (array->dtype != port.dtype) {
    if (array->dtype == DType::kFloat64 && port.dtype == DType::kFloat32) {
      std::vector<uint8_t> converted(static_cast<size_t>(array->NumElements()) * sizeof(float));
      for (int64_t i = 0; i < array->NumElements(); ++i) {
        double value;
        std::memcpy(&value, array->data.data() + i * sizeof(double), sizeof(double));
        const float narrowed = static_cast<float>(value);
        std::memcpy(converted.data() + i * sizeof(float), &narrowed, sizeof(float));
      }
      array->data.swap(converted);
      array->dtype = DType::kFloat32;
      if (!quiet) {
        std::fprintf(stderr, "octet-run: note: %s: float64 data converted to float32 for %s\n",
                     path.c_str(), label.c_str());
      }
    } else {
      return Error(path + ": dtype " + octet::npy::DTypeName(array->dtype) + ", but model " + label +
                   " is " + octet::npy::DTypeName(port.dtype));
    }
  }
  const std::vector<int64_t>& expected = port.shape;
  const std::vector<int64_t>& got = array->shape;
  bool ok = !expected.empty() && got.size() == expected.size() && expected[0] > 0 && got[0] > 0 &&
            got[0] % expected[0] == 0;
  for (size_t d = 1; ok && d < expected.size(); ++d) ok = got[d] == expected[d];
  if (!ok) {
    std::string allowed = octet::npy::ShapeString(expected);
    if (!expected.empty()) {
      // "(k, 28, 28)": the first axis as a multiple of the model's.
      std::string batched = expected[0] == 1 ? "(k" : "(k*" + std::to_string(expected[0]);
      for (size_t d = 1; d < expected.size(); ++d) batched += ", " + std::to_string(expected[d]);
      allowed += " or a batch " + batched + (expected.size() == 1 ? ",)" : ")");
    }
    return Error(path + ": shape " + octet::npy::ShapeString(got) + " does not fit model " + label +
                 ": expected " + allowed);
  }
  *runs = got[0] / expected[0];
  return kExitOk;
}

int Run(const Options& options) {
  Handles handles;
  octet_status status = octet_model_load_file(options.model_path.c_str(), &handles.model);
  if (status != OCTET_OK) {
    return StatusError("cannot load " + options.model_path, status, octet_last_error());
  }
  octet_interpreter_options interpreter_options;
  octet_interpreter_options_init(&interpreter_options);
  interpreter_options.isa = options.isa;
  status = octet_interpreter_create(handles.model, &interpreter_options, &handles.interpreter);
  if (status != OCTET_OK) {
    return StatusError("cannot prepare " + options.model_path + " (isa " + options.isa_name + ")",
                       status, octet_last_error());
  }
  octet_interpreter* interpreter = handles.interpreter;

  const int num_inputs = octet_interpreter_input_count(interpreter);
  const int num_outputs = octet_interpreter_output_count(interpreter);
  std::vector<Port> inputs(num_inputs), outputs(num_outputs);
  for (int i = 0; i < num_inputs; ++i) {
    if (const int rc = Describe(interpreter, true, i, &inputs[i])) return rc;
  }
  for (int i = 0; i < num_outputs; ++i) {
    if (const int rc = Describe(interpreter, false, i, &outputs[i])) return rc;
  }
  auto list = [](const char* kind, const std::vector<Port>& ports) {
    std::string s;
    for (size_t i = 0; i < ports.size(); ++i) {
      s += std::string(i ? ", " : "") + "'" + ports[i].name + "' " +
           octet::npy::DTypeName(ports[i].dtype) + " " + octet::npy::ShapeString(ports[i].shape);
    }
    return std::to_string(ports.size()) + " " + kind + (ports.size() == 1 ? "" : "s") +
           (ports.empty() ? "" : " (" + s + ")");
  };
  if (options.inputs.size() != inputs.size()) {
    return Error(options.model_path + " has " + list("input", inputs) + "; got " +
                 std::to_string(options.inputs.size()) + " --input");
  }
  if (options.outputs.size() != outputs.size()) {
    return Error(options.model_path + " has " + list("output", outputs) + "; got " +
                 std::to_string(options.outputs.size()) + " --output");
  }

  std::vector<octet::npy::Array> arrays(num_inputs);
  int64_t runs = 0;
  for (int i = 0; i < num_inputs; ++i) {
    std::string error;
    if (!octet::npy::Load(options.inputs[i], &arrays[i], &error)) return Error(error);
    int64_t input_runs = 0;
    if (const int rc = CheckInput(options.inputs[i], i, inputs[i], options.quiet, &arrays[i],
                                  &input_runs)) {
      return rc;
    }
    if (i > 0 && input_runs != runs) {
      return Error(options.inputs[i] + " holds " + std::to_string(input_runs) + " batches, but " +
                   options.inputs[0] + " holds " + std::to_string(runs) +
                   "; every input needs the same number");
    }
    runs = input_runs;
  }

  std::vector<octet::npy::Array> results(num_outputs);
  for (int o = 0; o < num_outputs; ++o) {
    results[o].dtype = outputs[o].dtype;
    results[o].shape = outputs[o].shape;
    if (results[o].shape.empty()) {
      if (runs != 1) {
        return Error("model " + Label("output", o, outputs[o]) +
                     " is a scalar, so batches cannot be stacked; give one batch");
      }
    } else {
      results[o].shape[0] *= runs;
    }
    results[o].data.resize(outputs[o].bytes * static_cast<size_t>(runs));
  }

  const auto start = std::chrono::steady_clock::now();
  for (int64_t r = 0; r < runs; ++r) {
    for (int i = 0; i < num_inputs; ++i) {
      const size_t bytes = inputs[i].bytes;
      status = octet_tensor_copy_from_buffer(inputs[i].tensor, arrays[i].data.data() + r * bytes,
                                             bytes);
      if (status != OCTET_OK) {
        return StatusError("filling " + Label("input", i, inputs[i]), status, octet_last_error());
      }
    }
    status = octet_interpreter_invoke(interpreter);
    if (status != OCTET_OK) {
      return StatusError("run " + std::to_string(r), status, octet_interpreter_error(interpreter));
    }
    for (int o = 0; o < num_outputs; ++o) {
      const size_t bytes = outputs[o].bytes;
      status = octet_tensor_copy_to_buffer(outputs[o].tensor, results[o].data.data() + r * bytes,
                                           bytes);
      if (status != OCTET_OK) {
        return StatusError("reading " + Label("output", o, outputs[o]), status,
                           octet_last_error());
      }
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  for (int o = 0; o < num_outputs; ++o) {
    std::string error;
    if (!octet::npy::Save(options.outputs[o], results[o], &error)) return Error(error);
  }
  if (!options.quiet) {
    std::printf("octet-run: %lld run%s of %s (isa %s) in %.3f s\n", static_cast<long long>(runs),
                runs == 1 ? "" : "s", options.model_path.c_str(), octet_interpreter_isa(interpreter),
                seconds);
    for (int o = 0; o < num_outputs; ++o) {
      std::printf("  wrote %s: %s %s\n", options.outputs[o].c_str(),
                  octet::npy::DTypeName(results[o].dtype),
                  octet::npy::ShapeString(results[o].shape).c_str());
    }
  }
  return kExitOk;
}

int Main(int argc, char** argv) {
  Options options;
  bool done = false;
  const int parse_status = ParseArgs(argc, argv, &options, &done);
  if (parse_status != kExitOk || done) return parse_status;
  return Run(options);
}

}  // namespace

int main(int argc, char** argv) {
  // The C API does not throw; this catches std::bad_alloc from our own
  // buffers so that nothing escapes main.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet-run: %s\n", e.what());
    return kExitError;
  }
}
