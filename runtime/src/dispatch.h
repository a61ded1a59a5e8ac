// Start-up kernel selection: one const table of function pointers per ISA level.
#pragma once

#include "kernels/kernel_table.h"
#include "octet/octet.h"
#include "status.h"

namespace octet::rt {

// The kernels one interpreter calls, with the ISA level they were chosen
// for. A family the level does not provide comes from the next lower level
// of the same architecture, down to scalar. Filled once by SelectKernels;
// read-only afterwards.
struct KernelTable {
  octet_isa isa = OCTET_ISA_SCALAR;
  const char* isa_name = "scalar";
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

// Picks the kernel table for `requested`. OCTET_ISA_AUTO means: the level
// named by the OCTET_ISA environment variable if set, else the best level that
// was built and that this CPU supports. A forced level (by option or by
// OCTET_ISA) that was not built or that the CPU lacks is an error, never a
// silent fallback. Thread-safe; cpuinfo is initialized once.
Status SelectKernels(octet_isa requested, KernelTable* table);

// "scalar", "sse41", "avx2", "avx512vnni", "neon", "neondot" ("auto" for AUTO).
const char* IsaName(octet_isa isa);
// Parses the names above (and "auto"); false for anything else.
bool ParseIsaName(const char* name, octet_isa* isa);

// True if `isa` was built into this library and this CPU can run it
// (AUTO: always true).
bool IsaAvailable(octet_isa isa);

// CPU name as cpuinfo reports it ("unknown" if it cannot tell).
const char* CpuName();

}  // namespace octet::rt
