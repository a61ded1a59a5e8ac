// The op-level kernel interface every ISA implements, and the per-ISA sets.
//
// An operator's kernel is a small struct of functions. At prepare time the
// runtime asks how many bytes of packed data the kernel wants, lets it pack
// the weights (and anything derived from them: folded or corrected bias,
// requantization tables in SIMD-friendly form) into 64-byte-aligned memory
// it owns, and asks how much scratch the kernel needs while it runs (an
// im2col or indirection buffer, say), which the arena planner places for the
// duration of that one operator. At invoke time it calls `run`.
//
// `run` receives both the model's own filter and folded bias and the packed
// data: the scalar kernels use the former, SIMD kernels the latter. Kernels
// never allocate, log or fail; the runtime has checked everything.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/reference.h"
#include "kernels/reference_ops.h"

namespace octet {

enum class Isa { kScalar, kSse41, kAvx2, kAvx512Vnni, kNeon, kNeonDot };

struct Conv2DKernel {
  const char* name;
  size_t (*packed_bytes)(const Conv2DParams& p);
  // filter [oc, kh, kw, ic/groups]; bias: folded int32 [oc] (never null here).
  void (*pack)(const Conv2DParams& p, const int8_t* filter, const int32_t* bias, void* packed);
  size_t (*scratch_bytes)(const Conv2DParams& p);
  void (*run)(const Conv2DParams& p, const int8_t* input, const int8_t* filter,
              const int32_t* bias, const void* packed, void* scratch, int8_t* output);
};

struct DepthwiseConv2DKernel {
  const char* name;
  size_t (*packed_bytes)(const DepthwiseConv2DParams& p);
  void (*pack)(const DepthwiseConv2DParams& p, const int8_t* filter, const int32_t* bias,
               void* packed);
  size_t (*scratch_bytes)(const DepthwiseConv2DParams& p);
  void (*run)(const DepthwiseConv2DParams& p, const int8_t* input, const int8_t* filter,
              const int32_t* bias, const void* packed, void* scratch, int8_t* output);
};

struct FullyConnectedKernel {
  const char* name;
  size_t (*packed_bytes)(const FullyConnectedParams& p);
  void (*pack)(const FullyConnectedParams& p, const int8_t* filter, const int32_t* bias,
               void* packed);
  size_t (*scratch_bytes)(const FullyConnectedParams& p);
  void (*run)(const FullyConnectedParams& p, const int8_t* input, const int8_t* filter,
              const int32_t* bias, const void* packed, void* scratch, int8_t* output);
};

struct AddKernel {
  const char* name;
  void (*run)(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out);
};

// MAX_POOL_2D (NHWC): max over the window's taps inside the input, clamped
// to [qmin, qmax] (as qs8_maxpool2d__scalar).
struct MaxPool2DKernel {
  const char* name;
  void (*run)(const Pool2DParams& p, const int8_t* input, int8_t* output);
};

// QUANTIZE: n float32 values to int8 (as qs8_quantize__scalar).
struct QuantizeKernel {
  const char* name;
  void (*run)(size_t n, float scale, int32_t zero_point, const float* input, int8_t* output);
};

// DEQUANTIZE: n int8 values to float32 (as qs8_dequantize__scalar).
struct DequantizeKernel {
  const char* name;
  void (*run)(size_t n, float scale, int32_t zero_point, const int8_t* input, float* output);
};

// Strided gather (TRANSPOSE, SLICE; as x8_strided_copy__scalar).
struct StridedCopyKernel {
  const char* name;
  void (*run)(const StridedCopyParams& p, const int8_t* input, int8_t* output);
};

// AVERAGE_POOL_2D (NHWC): per window, requant_h of the sum of (x - z_x) over
// the taps inside the input with the multiplier of its tap count (as
// qs8_avgpool2d__scalar).
struct AvgPool2DKernel {
  const char* name;
  void (*run)(const AvgPool2DParams& p, const int8_t* input, int8_t* output);
};

// GLOBAL_AVERAGE_POOL_2D: per image and channel, requant_h of the sum over
// H*W of (x - z_x) (as qs8_global_avgpool__scalar).
struct GlobalAvgPoolKernel {
  const char* name;
  void (*run)(const GlobalAvgPoolParams& p, const int8_t* input, int8_t* output);
};

// What one ISA level provides. A null member means "not provided at this
// level": the runtime then takes the next lower level's kernel, down to
// scalar, which provides every family.
struct KernelSet {
  const Conv2DKernel* conv2d = nullptr;
  const DepthwiseConv2DKernel* dwconv2d = nullptr;
  const FullyConnectedKernel* fully_connected = nullptr;
  const AddKernel* add = nullptr;
  const MaxPool2DKernel* maxpool2d = nullptr;
  const QuantizeKernel* quantize = nullptr;
  const DequantizeKernel* dequantize = nullptr;
  const StridedCopyKernel* strided_copy = nullptr;
  const AvgPool2DKernel* avgpool2d = nullptr;
  const GlobalAvgPoolKernel* global_avgpool = nullptr;
};

// The kernels of `isa` compiled into this build, or null if that level was
// not built (e.g. NEON on x86). Defined once per target architecture
// (kernels/<arch>/kernel_sets.cc), so selection code needs no #if.
const KernelSet* BuiltKernelSet(Isa isa);

// The next lower level of the same architecture (scalar for scalar).
Isa FallbackIsa(Isa isa);

// The kernels the runtime uses at level `isa` (which must be built): each
// family from `isa` itself or, where it provides none, from the first lower
// level that does, ending with scalar. Every member of the result is non-null.
KernelSet ResolveKernelSet(Isa isa);

// The scalar set (the specification), defined in kernels/scalar/.
extern const KernelSet kScalarKernelSet;

}  // namespace octet
