/* octet C API: load an int8 model, run it, read its outputs.
 *
 * Every function that can fail returns an octet_status. Failures of calls
 * that have no interpreter to report to (loading, creating, tensor copies)
 * leave a message readable with octet_last_error() on the calling thread; an
 * interpreter's own failures are read with octet_interpreter_error(). Nothing here throws or aborts on bad
 * input: a corrupt model file is an error status with a message.
 *
 * Lifetimes: a model must outlive every interpreter created from it; a buffer
 * given to octet_model_load_buffer must outlive the model; tensor handles are
 * owned by their interpreter. Handles are not thread-safe: use one
 * interpreter per thread (several interpreters may share one model).
 */
#ifndef OCTET_OCTET_H_
#define OCTET_OCTET_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define OCTET_API
#else
#define OCTET_API __attribute__((visibility("default")))
#endif

#define OCTET_VERSION_MAJOR 0
#define OCTET_VERSION_MINOR 1
#define OCTET_VERSION_PATCH 0

typedef enum octet_status {
  OCTET_OK = 0,
  OCTET_ERROR_INVALID_ARGUMENT = 1, /* a null pointer, an index out of range, a wrong size */
  OCTET_ERROR_IO = 2,               /* the file cannot be opened, read or mapped */
  OCTET_ERROR_INVALID_MODEL = 3,    /* the model file is corrupt or breaks a format rule */
  OCTET_ERROR_UNSUPPORTED = 4,      /* valid, but this build cannot run it (op, type, ISA) */
  OCTET_ERROR_OUT_OF_MEMORY = 5,
  OCTET_ERROR_ARENA_TOO_SMALL = 6,  /* the caller's arena is smaller than the plan needs */
  OCTET_ERROR_INTERNAL = 7
} octet_status;

typedef enum octet_type {
  OCTET_TYPE_FLOAT32 = 0,
  OCTET_TYPE_INT8 = 1,
  OCTET_TYPE_INT32 = 2,
  OCTET_TYPE_UINT8 = 3,
  OCTET_TYPE_INT16 = 4
} octet_type;

/* Kernel instruction-set levels. AUTO picks the best this CPU has (or the
 * OCTET_ISA environment variable's choice); any other value forces that level
 * and is an error (OCTET_ERROR_UNSUPPORTED) if it was not built or the CPU
 * lacks it. */
typedef enum octet_isa {
  OCTET_ISA_AUTO = 0,
  OCTET_ISA_SCALAR = 1,
  OCTET_ISA_SSE41 = 2,
  OCTET_ISA_AVX2 = 3,
  OCTET_ISA_AVX512VNNI = 4,
  OCTET_ISA_NEON = 5,
  OCTET_ISA_NEONDOT = 6
} octet_isa;

/* Execution backends. OCTET runs every operator on octet's own kernels.
 * XNNPACK (a build option, OCTET_WITH_XNNPACK, for comparison) runs CONV_2D,
 * DEPTHWISE_CONV_2D, FULLY_CONNECTED and ADD through XNNPACK's qc8/qs8
 * operators and everything else on octet's kernels, in the same arena. XNNPACK
 * requantizes in float, so its outputs may differ from octet's by 1 in the
 * last place; requesting it from a build without it is
 * OCTET_ERROR_UNSUPPORTED. */
typedef enum octet_backend {
  OCTET_BACKEND_OCTET = 0,
  OCTET_BACKEND_XNNPACK = 1
} octet_backend;

typedef struct octet_model octet_model;
typedef struct octet_interpreter octet_interpreter;
typedef struct octet_tensor octet_tensor;

typedef struct octet_interpreter_options {
  octet_isa isa;     /* default OCTET_ISA_AUTO */
  int num_threads;   /* default 1; octet's kernels run on the calling thread only,
                        the XNNPACK backend uses a pool of this many threads */
  void* arena;       /* optional caller-owned activation arena, 64-byte aligned */
  size_t arena_bytes;/* its size; octet_model_arena_bytes() tells what is needed */
  octet_backend backend; /* default OCTET_BACKEND_OCTET */
} octet_interpreter_options;

/* Fills *options with the defaults. */
OCTET_API void octet_interpreter_options_init(octet_interpreter_options* options);

/* Library version string, e.g. "0.1.0". */
OCTET_API const char* octet_version(void);

/* Message of the last failed call on this thread that had no interpreter to
 * report to (load, create, tensor copies). Never null. */
OCTET_API const char* octet_last_error(void);

/* Loads and verifies a model file (memory-mapped, read-only). */
OCTET_API octet_status octet_model_load_file(const char* path, octet_model** model);

/* Loads and verifies a model from memory. The buffer is used in place and
 * must stay valid and unchanged until octet_model_destroy. If it is not
 * 64-byte aligned, the model keeps an aligned private copy instead. */
OCTET_API octet_status octet_model_load_buffer(const void* data, size_t size, octet_model** model);

OCTET_API void octet_model_destroy(octet_model* model);

/* Bytes of caller arena an interpreter of this model needs with these
 * options (the ISA level matters: kernels may need scratch). Prepares the
 * model without allocating an arena. options may be null. */
OCTET_API octet_status octet_model_arena_bytes(const octet_model* model,
                                               const octet_interpreter_options* options,
                                               size_t* bytes);

/* Prepares the model for execution: shapes, requantization parameters,
 * weights, kernel choice, arena plan. options may be null. */
OCTET_API octet_status octet_interpreter_create(const octet_model* model,
                                                const octet_interpreter_options* options,
                                                octet_interpreter** interpreter);

OCTET_API void octet_interpreter_destroy(octet_interpreter* interpreter);

/* Message of the interpreter's last failure; "" when there was none. */
OCTET_API const char* octet_interpreter_error(const octet_interpreter* interpreter);

OCTET_API int octet_interpreter_input_count(const octet_interpreter* interpreter);
OCTET_API int octet_interpreter_output_count(const octet_interpreter* interpreter);
OCTET_API octet_status octet_interpreter_input(octet_interpreter* interpreter, int index,
                                               octet_tensor** tensor);
OCTET_API octet_status octet_interpreter_output(octet_interpreter* interpreter, int index,
                                                octet_tensor** tensor);

/* Runs the model once on the current input tensors. Allocates nothing. */
OCTET_API octet_status octet_interpreter_invoke(octet_interpreter* interpreter);

/* Size of the activation arena in use, and of the persistent data built at
 * prepare time (packed weights, requantization tables). */
OCTET_API size_t octet_interpreter_arena_bytes(const octet_interpreter* interpreter);
OCTET_API size_t octet_interpreter_persistent_bytes(const octet_interpreter* interpreter);
/* Name of the kernel level in use: "scalar", "avx2", "neondot", ... */
OCTET_API const char* octet_interpreter_isa(const octet_interpreter* interpreter);

/* Tensor accessors. Handles stay valid for the interpreter's lifetime. */
OCTET_API const char* octet_tensor_name(const octet_tensor* tensor);
OCTET_API octet_type octet_tensor_type(const octet_tensor* tensor);
OCTET_API int octet_tensor_num_dims(const octet_tensor* tensor);
/* Size of dimension `dim`, or -1 if dim is out of range. */
OCTET_API int32_t octet_tensor_dim(const octet_tensor* tensor, int dim);
OCTET_API size_t octet_tensor_byte_size(const octet_tensor* tensor);
/* Quantization of int8 tensors (scale 0 and zero point 0 for float ones). */
OCTET_API float octet_tensor_scale(const octet_tensor* tensor);
OCTET_API int32_t octet_tensor_zero_point(const octet_tensor* tensor);

/* Copies exactly octet_tensor_byte_size() bytes in or out; any other size is
 * OCTET_ERROR_INVALID_ARGUMENT. */
OCTET_API octet_status octet_tensor_copy_from_buffer(octet_tensor* tensor, const void* data,
                                                     size_t size);
OCTET_API octet_status octet_tensor_copy_to_buffer(const octet_tensor* tensor, void* data,
                                                   size_t size);

/* ISA level names as OCTET_ISA and --isa take them: "auto", "scalar",
 * "sse41", "avx2", "avx512vnni", "neon", "neondot". octet_isa_name returns
 * "unknown" for a value outside the enum; octet_isa_from_name returns
 * OCTET_ERROR_INVALID_ARGUMENT for an unknown name. */
OCTET_API const char* octet_isa_name(octet_isa isa);
OCTET_API octet_status octet_isa_from_name(const char* name, octet_isa* isa);

/* 1 if `isa` was built into this library and this CPU runs it, else 0
 * (OCTET_ISA_AUTO: 1). */
OCTET_API int octet_isa_available(octet_isa isa);

/* Name of the CPU as cpuinfo reports it ("unknown" if it cannot tell). */
OCTET_API const char* octet_cpu_name(void);

/* Short name of a status code, e.g. "INVALID_MODEL". */
OCTET_API const char* octet_status_name(octet_status status);

/* Backend names as --backend takes them: "octet", "xnnpack". The same
 * conventions as the ISA names above. octet_backend_available: 1 if the
 * backend was built into this library. */
OCTET_API const char* octet_backend_name(octet_backend backend);
OCTET_API octet_status octet_backend_from_name(const char* name, octet_backend* backend);
OCTET_API int octet_backend_available(octet_backend backend);

/* ---- Introspection and profiling --------------------------------------------
 * For benchmarks and tools. None of this adds work to octet_interpreter_invoke:
 * profiling is a separate entry point. Strings in octet_op_info are owned by
 * the interpreter and stay valid for its lifetime. */

#define OCTET_OP_INFO_MAX_DIMS 8

typedef struct octet_op_info {
  const char* type;        /* operator type as in schema/OPS.md, e.g. "CONV_2D" */
  const char* name;        /* node name from the model ("" if it has none) */
  const char* kernel;      /* kernel chosen at prepare, e.g. "qs8_conv2d__avx2" */
  const char* output_name; /* name of the first output tensor ("" if none) */
  int output_num_dims;     /* rank of the first output (dims past OCTET_OP_INFO_MAX_DIMS are left out) */
  int32_t output_dims[OCTET_OP_INFO_MAX_DIMS];
  uint64_t macs;           /* multiply-accumulates per invoke; 0 for ops without weights */
} octet_op_info;

/* Number of operators, in execution order (0 for a null interpreter). */
OCTET_API int octet_interpreter_op_count(const octet_interpreter* interpreter);

/* Describes operator `index` (0 <= index < op_count). */
OCTET_API octet_status octet_interpreter_op_info(const octet_interpreter* interpreter, int index,
                                                 octet_op_info* info);

/* Runs the model once like octet_interpreter_invoke and writes each
 * operator's wall time in nanoseconds (steady clock) to op_ns[0..op_count).
 * op_ns_count must be at least octet_interpreter_op_count(). Allocates
 * nothing; costs one clock reading per operator. */
OCTET_API octet_status octet_interpreter_invoke_profiled(octet_interpreter* interpreter,
                                                         uint64_t* op_ns, size_t op_ns_count);

#ifdef __cplusplus
}
#endif

#endif /* OCTET_OCTET_H_ */
