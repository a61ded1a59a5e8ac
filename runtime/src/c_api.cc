// The C API: handles over the runtime's C++ classes. Nothing throws past
// this file: every entry point converts failures into a status and message.
#include <cstring>
#include <memory>
#include <new>
#include <string>

#include "interpreter.h"
#include "model.h"
#include "octet/octet.h"
#include "xnnpack_backend.h"

struct octet_model {
  std::unique_ptr<octet::rt::Model> model;
};

struct octet_interpreter {
  std::unique_ptr<octet::rt::Interpreter> interp;
};

namespace {

thread_local std::string g_last_error;

octet_status Fail(const octet::rt::Status& status) {
  g_last_error = status.message();
  return status.code();
}

// Runs `body` and turns an escaping exception (only std::bad_alloc can come
// out of the runtime's preparation code) into a status.
template <typename F>
octet_status Guard(std::string* error, F&& body) {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    if (error) *error = "out of memory";
    return OCTET_ERROR_OUT_OF_MEMORY;
  } catch (...) {
    if (error) *error = "internal error";
    return OCTET_ERROR_INTERNAL;
  }
}

}  // namespace

extern "C" {

void octet_interpreter_options_init(octet_interpreter_options* options) {
  if (!options) return;
  options->isa = OCTET_ISA_AUTO;
  options->num_threads = 1;
  options->arena = nullptr;
  options->arena_bytes = 0;
  options->backend = OCTET_BACKEND_OCTET;
}

const char* octet_version(void) { return "0.1.0"; }

const char* octet_last_error(void) { return g_last_error.c_str(); }

const char* octet_status_name(octet_status status) {
  switch (status) {
    case OCTET_OK: return "OK";
    case OCTET_ERROR_INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case OCTET_ERROR_IO: return "IO";
    case OCTET_ERROR_INVALID_MODEL: return "INVALID_MODEL";
    case OCTET_ERROR_UNSUPPORTED: return "UNSUPPORTED";
    case OCTET_ERROR_OUT_OF_MEMORY: return "OUT_OF_MEMORY";
    case OCTET_ERROR_ARENA_TOO_SMALL: return "ARENA_TOO_SMALL";
    case OCTET_ERROR_INTERNAL: return "INTERNAL";
  }
  return "UNKNOWN";
}

const char* octet_isa_name(octet_isa isa) { return octet::rt::IsaName(isa); }

octet_status octet_isa_from_name(const char* name, octet_isa* isa) {
  if (!isa || !octet::rt::ParseIsaName(name, isa)) {
    g_last_error = std::string("\"") + (name ? name : "(null)") +
                   "\" is not an ISA level (auto, scalar, sse41, avx2, avx512vnni, neon, neondot)";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  return OCTET_OK;
}

const char* octet_cpu_name(void) { return octet::rt::CpuName(); }

const char* octet_backend_name(octet_backend backend) {
  int value = 0;
  std::memcpy(&value, &backend, sizeof value);
  switch (value) {
    case OCTET_BACKEND_OCTET: return "octet";
    case OCTET_BACKEND_XNNPACK: return "xnnpack";
  }
  return "unknown";
}

octet_status octet_backend_from_name(const char* name, octet_backend* backend) {
  if (name && backend) {
    for (const octet_backend b : {OCTET_BACKEND_OCTET, OCTET_BACKEND_XNNPACK}) {
      if (std::strcmp(name, octet_backend_name(b)) == 0) {
        *backend = b;
        return OCTET_OK;
      }
    }
  }
  g_last_error = std::string("\"") + (name ? name : "(null)") +
                 "\" is not a backend (octet, xnnpack)";
  return OCTET_ERROR_INVALID_ARGUMENT;
}

int octet_backend_available(octet_backend backend) {
  int value = 0;
  std::memcpy(&value, &backend, sizeof value);
  if (value == OCTET_BACKEND_OCTET) return 1;
  if (value == OCTET_BACKEND_XNNPACK) return octet::rt::XnnpackBuilt() ? 1 : 0;
  return 0;
}

int octet_isa_available(octet_isa isa) {
  int value = 0;
  std::memcpy(&value, &isa, sizeof value);
  if (value < OCTET_ISA_AUTO || value > OCTET_ISA_NEONDOT) return 0;
  return octet::rt::IsaAvailable(isa) ? 1 : 0;
}

static octet_status WrapModel(std::unique_ptr<octet::rt::Model> m, octet_model** model) {
  *model = new octet_model{std::move(m)};
  g_last_error.clear();
  return OCTET_OK;
}

octet_status octet_model_load_file(const char* path, octet_model** model) {
  return Guard(&g_last_error, [&] {
    if (!path || !model) {
      g_last_error = "octet_model_load_file: path and model must not be null";
      return OCTET_ERROR_INVALID_ARGUMENT;
    }
    *model = nullptr;
    std::unique_ptr<octet::rt::Model> m;
    const octet::rt::Status status = octet::rt::Model::FromFile(path, &m);
    if (!status.ok()) return Fail(status);
    return WrapModel(std::move(m), model);
  });
}

octet_status octet_model_load_buffer(const void* data, size_t size, octet_model** model) {
  return Guard(&g_last_error, [&] {
    if (!data || !model) {
      g_last_error = "octet_model_load_buffer: data and model must not be null";
      return OCTET_ERROR_INVALID_ARGUMENT;
    }
    *model = nullptr;
    std::unique_ptr<octet::rt::Model> m;
    const octet::rt::Status status = octet::rt::Model::FromBuffer(data, size, &m);
    if (!status.ok()) return Fail(status);
    return WrapModel(std::move(m), model);
  });
}

void octet_model_destroy(octet_model* model) { delete model; }


// Converts the C options (null: defaults) into the runtime's.
static octet_status ConvertOptions(const octet_interpreter_options* options,
                                   octet::rt::InterpreterOptions* out) {
  octet::rt::InterpreterOptions& opts = *out;
  if (!options) return OCTET_OK;
  // Read the enum as an integer first: a C caller may pass any value, and
  // loading an out-of-range enum is undefined in C++.
  int isa = 0;
  static_assert(sizeof(octet_isa) == sizeof(int), "octet_isa is an int-sized enum");
  std::memcpy(&isa, &options->isa, sizeof isa);
  if (isa < OCTET_ISA_AUTO || isa > OCTET_ISA_NEONDOT) {
    g_last_error = "octet_interpreter_options.isa is " + std::to_string(isa) +
                   ", not an octet_isa value";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  opts.isa = static_cast<octet_isa>(isa);
  int backend = 0;
  static_assert(sizeof(octet_backend) == sizeof(int), "octet_backend is an int-sized enum");
  std::memcpy(&backend, &options->backend, sizeof backend);
  if (backend < OCTET_BACKEND_OCTET || backend > OCTET_BACKEND_XNNPACK) {
    g_last_error = "octet_interpreter_options.backend is " + std::to_string(backend) +
                   ", not an octet_backend value";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  opts.backend = static_cast<octet_backend>(backend);
  opts.num_threads = options->num_threads;
  opts.arena = options->arena;
  opts.arena_bytes = options->arena_bytes;
  return OCTET_OK;
}

octet_status octet_model_arena_bytes(const octet_model* model,
                                     const octet_interpreter_options* options, size_t* bytes) {
  return Guard(&g_last_error, [&] {
    if (!model || !bytes) {
      g_last_error = "octet_model_arena_bytes: model and bytes must not be null";
      return OCTET_ERROR_INVALID_ARGUMENT;
    }
    octet::rt::InterpreterOptions opts;
    if (const octet_status st = ConvertOptions(options, &opts); st != OCTET_OK) return st;
    opts.arena = nullptr;
    opts.plan_only = true;
    std::unique_ptr<octet::rt::Interpreter> interp;
    const octet::rt::Status status = octet::rt::Interpreter::Create(*model->model, opts, &interp);
    if (!status.ok()) return Fail(status);
    *bytes = interp->arena_bytes();
    return OCTET_OK;
  });
}

octet_status octet_interpreter_create(const octet_model* model,
                                      const octet_interpreter_options* options,
                                      octet_interpreter** interpreter) {
  return Guard(&g_last_error, [&] {
    if (!model || !interpreter) {
      g_last_error = "octet_interpreter_create: model and interpreter must not be null";
      return OCTET_ERROR_INVALID_ARGUMENT;
    }
    *interpreter = nullptr;
    octet::rt::InterpreterOptions opts;
    if (const octet_status st = ConvertOptions(options, &opts); st != OCTET_OK) return st;
    std::unique_ptr<octet::rt::Interpreter> interp;
    const octet::rt::Status status = octet::rt::Interpreter::Create(*model->model, opts, &interp);
    if (!status.ok()) return Fail(status);
    *interpreter = new octet_interpreter{std::move(interp)};
    g_last_error.clear();
    return OCTET_OK;
  });
}

void octet_interpreter_destroy(octet_interpreter* interpreter) { delete interpreter; }

const char* octet_interpreter_error(const octet_interpreter* interpreter) {
  if (!interpreter) return "octet_interpreter_error: null interpreter";
  return interpreter->interp->error().c_str();
}

int octet_interpreter_input_count(const octet_interpreter* interpreter) {
  return interpreter ? interpreter->interp->input_count() : 0;
}

int octet_interpreter_output_count(const octet_interpreter* interpreter) {
  return interpreter ? interpreter->interp->output_count() : 0;
}

static octet_status GetTensor(octet_interpreter* interpreter, int index, octet_tensor** tensor,
                              bool input) {
  if (!interpreter || !tensor) {
    g_last_error = "interpreter and tensor must not be null";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  octet::rt::Interpreter& interp = *interpreter->interp;
  const int count = input ? interp.input_count() : interp.output_count();
  if (index < 0 || index >= count) {
    interp.error() = std::string(input ? "input" : "output") + " index " + std::to_string(index) +
                     " is out of range (the model has " + std::to_string(count) + ")";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  *tensor = input ? interp.input(index) : interp.output(index);
  return OCTET_OK;
}

octet_status octet_interpreter_input(octet_interpreter* interpreter, int index,
                                     octet_tensor** tensor) {
  return GetTensor(interpreter, index, tensor, true);
}

octet_status octet_interpreter_output(octet_interpreter* interpreter, int index,
                                      octet_tensor** tensor) {
  return GetTensor(interpreter, index, tensor, false);
}

octet_status octet_interpreter_invoke(octet_interpreter* interpreter) {
  if (!interpreter) {
    g_last_error = "octet_interpreter_invoke: null interpreter";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  interpreter->interp->Invoke();
  return OCTET_OK;
}

size_t octet_interpreter_arena_bytes(const octet_interpreter* interpreter) {
  return interpreter ? interpreter->interp->arena_bytes() : 0;
}

size_t octet_interpreter_persistent_bytes(const octet_interpreter* interpreter) {
  return interpreter ? interpreter->interp->persistent_bytes() : 0;
}

const char* octet_interpreter_isa(const octet_interpreter* interpreter) {
  return interpreter ? interpreter->interp->kernels().isa_name : "";
}

const char* octet_tensor_name(const octet_tensor* tensor) {
  return tensor ? tensor->name.c_str() : "";
}

octet_type octet_tensor_type(const octet_tensor* tensor) {
  return tensor ? tensor->type : OCTET_TYPE_INT8;
}

int octet_tensor_num_dims(const octet_tensor* tensor) {
  return tensor ? static_cast<int>(tensor->shape.size()) : 0;
}

int32_t octet_tensor_dim(const octet_tensor* tensor, int dim) {
  if (!tensor || dim < 0 || dim >= static_cast<int>(tensor->shape.size())) return -1;
  return tensor->shape[dim];
}

size_t octet_tensor_byte_size(const octet_tensor* tensor) { return tensor ? tensor->bytes : 0; }

float octet_tensor_scale(const octet_tensor* tensor) { return tensor ? tensor->scale : 0.0f; }

int32_t octet_tensor_zero_point(const octet_tensor* tensor) {
  return tensor ? tensor->zero_point : 0;
}

octet_status octet_tensor_copy_from_buffer(octet_tensor* tensor, const void* data, size_t size) {
  if (!tensor || !data) {
    g_last_error = "octet_tensor_copy_from_buffer: tensor and data must not be null";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  if (size != tensor->bytes) {
    g_last_error = "tensor \"" + tensor->name + "\" holds " + std::to_string(tensor->bytes) +
                   " bytes, got " + std::to_string(size);
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  if (tensor->is_constant || !tensor->data) {
    g_last_error = "tensor \"" + tensor->name + "\" is not writable";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  std::memcpy(tensor->data, data, size);
  return OCTET_OK;
}

octet_status octet_tensor_copy_to_buffer(const octet_tensor* tensor, void* data, size_t size) {
  if (!tensor || !data) {
    g_last_error = "octet_tensor_copy_to_buffer: tensor and data must not be null";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  if (size != tensor->bytes) {
    g_last_error = "tensor \"" + tensor->name + "\" holds " + std::to_string(tensor->bytes) +
                   " bytes, got " + std::to_string(size);
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  if (!tensor->data) {
    g_last_error = "tensor \"" + tensor->name + "\" has no data";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  std::memcpy(data, tensor->data, size);
  return OCTET_OK;
}

// --- introspection and profiling ---------------------------------------------

int octet_interpreter_op_count(const octet_interpreter* interpreter) {
  return interpreter ? interpreter->interp->op_count() : 0;
}

octet_status octet_interpreter_op_info(const octet_interpreter* interpreter, int index,
                                       octet_op_info* info) {
  if (!interpreter || !info) {
    g_last_error = "octet_interpreter_op_info: interpreter and info must not be null";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  octet::rt::Interpreter& interp = *interpreter->interp;
  if (index < 0 || index >= interp.op_count()) {
    interp.error() = "operator index " + std::to_string(index) +
                     " is out of range (the model has " + std::to_string(interp.op_count()) + ")";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  const octet::rt::Interpreter::OpInfo& op = interp.op_info(index);
  *info = octet_op_info{};
  info->type = op.type;
  info->name = op.name.c_str();
  info->kernel = interp.op(index).kernel_name();
  info->output_name = "";
  if (op.output >= 0) {
    const octet_tensor& out = *interp.tensor(op.output);
    info->output_name = out.name.c_str();
    info->output_num_dims = static_cast<int>(out.shape.size());
    for (int d = 0; d < info->output_num_dims && d < OCTET_OP_INFO_MAX_DIMS; ++d) {
      info->output_dims[d] = out.shape[d];
    }
  }
  info->macs = interp.op(index).macs();
  return OCTET_OK;
}

octet_status octet_interpreter_invoke_profiled(octet_interpreter* interpreter, uint64_t* op_ns,
                                               size_t op_ns_count) {
  if (!interpreter || !op_ns) {
    g_last_error = "octet_interpreter_invoke_profiled: interpreter and op_ns must not be null";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  octet::rt::Interpreter& interp = *interpreter->interp;
  if (op_ns_count < static_cast<size_t>(interp.op_count())) {
    interp.error() = "op_ns holds " + std::to_string(op_ns_count) + " entries, the model has " +
                     std::to_string(interp.op_count()) + " operators";
    return OCTET_ERROR_INVALID_ARGUMENT;
  }
  interp.InvokeProfiled(op_ns);
  return OCTET_OK;
}

}  // extern "C"
