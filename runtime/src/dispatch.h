// Start-up kernel selection: one const table of function pointers per ISA level.
#pragma once

#include "kernels/reference.h"
#include "octet/octet.h"
#include "status.h"

namespace octet::rt {

// The kernels one interpreter calls, all of one ISA level, with their names
// (for logs and profiles). Filled once by SelectKernels; read-only afterwards.
struct KernelTable {
  octet_isa isa = OCTET_ISA_SCALAR;
  const char* isa_name = "scalar";

  void (*conv2d)(const Conv2DParams&, const int8_t*, const int8_t*, const int32_t*,
                 int8_t*) = nullptr;
  const char* conv2d_name = nullptr;
  void (*dwconv2d)(const DepthwiseConv2DParams&, const int8_t*, const int8_t*, const int32_t*,
                   int8_t*) = nullptr;
  const char* dwconv2d_name = nullptr;
  void (*fully_connected)(const FullyConnectedParams&, const int8_t*, const int8_t*,
                          const int32_t*, int8_t*) = nullptr;
  const char* fully_connected_name = nullptr;
  void (*add)(const AddParams&, size_t, const int8_t*, const int8_t*, int8_t*) = nullptr;
  const char* add_name = nullptr;
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

// CPU name as cpuinfo reports it ("unknown" if it cannot tell).
const char* CpuName();

}  // namespace octet::rt
