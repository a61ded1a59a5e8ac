// Start-up kernel selection from cpuinfo, with the OCTET_ISA override.
#include "dispatch.h"

#include <cpuinfo.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

namespace octet::rt {
namespace {

struct IsaLevel {
  octet_isa isa;
  const char* name;
  Isa kernels;          // the kernel set's own name for the level
  bool (*supported)();  // does this CPU run it?
};

bool CpuinfoReady() {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] { ready = cpuinfo_initialize(); });
  return ready;
}

bool Always() { return true; }
bool HasSse41() { return CpuinfoReady() && cpuinfo_has_x86_sse4_1(); }
bool HasAvx2() { return CpuinfoReady() && cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3(); }
bool HasAvx512Vnni() {
  return CpuinfoReady() && cpuinfo_has_x86_avx512f() && cpuinfo_has_x86_avx512bw() &&
         cpuinfo_has_x86_avx512vl() && cpuinfo_has_x86_avx512dq() && cpuinfo_has_x86_avx512vnni();
}
bool HasNeon() { return CpuinfoReady() && cpuinfo_has_arm_neon(); }
bool HasNeonDot() { return CpuinfoReady() && cpuinfo_has_arm_neon_dot(); }

// Best first, ending with scalar.
const IsaLevel kLevels[] = {
    {OCTET_ISA_AVX512VNNI, "avx512vnni", Isa::kAvx512Vnni, HasAvx512Vnni},
    {OCTET_ISA_AVX2, "avx2", Isa::kAvx2, HasAvx2},
    {OCTET_ISA_SSE41, "sse41", Isa::kSse41, HasSse41},
    {OCTET_ISA_NEONDOT, "neondot", Isa::kNeonDot, HasNeonDot},
    {OCTET_ISA_NEON, "neon", Isa::kNeon, HasNeon},
    {OCTET_ISA_SCALAR, "scalar", Isa::kScalar, Always},
};

const IsaLevel* FindLevel(octet_isa isa) {
  for (const IsaLevel& level : kLevels) {
    if (level.isa == isa) return &level;
  }
  return nullptr;
}

bool Built(const IsaLevel& level) { return BuiltKernelSet(level.kernels) != nullptr; }

void FillTable(const IsaLevel& chosen, KernelTable* table) {
  const KernelSet set = ResolveKernelSet(chosen.kernels);
  *table = KernelTable();
  table->isa = chosen.isa;
  table->isa_name = chosen.name;
  table->conv2d = set.conv2d;
  table->dwconv2d = set.dwconv2d;
  table->fully_connected = set.fully_connected;
  table->add = set.add;
  table->maxpool2d = set.maxpool2d;
  table->quantize = set.quantize;
  table->dequantize = set.dequantize;
  table->strided_copy = set.strided_copy;
  table->avgpool2d = set.avgpool2d;
  table->global_avgpool = set.global_avgpool;
}

std::string BuiltLevels() {
  std::string names;
  for (const IsaLevel& level : kLevels) {
    if (!Built(level)) continue;
    if (!names.empty()) names += ", ";
    names += level.name;
  }
  return names;
}

}  // namespace

const char* IsaName(octet_isa isa) {
  if (isa == OCTET_ISA_AUTO) return "auto";
  for (const IsaLevel& level : kLevels) {
    if (level.isa == isa) return level.name;
  }
  return "unknown";
}

bool ParseIsaName(const char* name, octet_isa* isa) {
  if (!name) return false;
  if (!std::strcmp(name, "auto")) {
    *isa = OCTET_ISA_AUTO;
    return true;
  }
  for (const IsaLevel& level : kLevels) {
    if (!std::strcmp(name, level.name)) {
      *isa = level.isa;
      return true;
    }
  }
  return false;
}

Status SelectKernels(octet_isa requested, KernelTable* table) {
  if (requested != OCTET_ISA_AUTO && !std::strcmp(IsaName(requested), "unknown")) {
    return Status::InvalidArgument("ISA option " + std::to_string(static_cast<int>(requested)) +
                                   " is not an octet_isa value");
  }
  const char* source = "option";
  if (requested == OCTET_ISA_AUTO) {
    const char* env = std::getenv("OCTET_ISA");
    if (env && *env) {
      if (!ParseIsaName(env, &requested)) {
        return Status::InvalidArgument(std::string("OCTET_ISA=\"") + env +
                                       "\" is not an ISA level (auto, scalar, sse41, avx2, "
                                       "avx512vnni, neon, neondot)");
      }
      source = "OCTET_ISA";
    }
  }
  for (const IsaLevel& level : kLevels) {
    if (requested != OCTET_ISA_AUTO && level.isa != requested) continue;
    if (!Built(level)) {
      if (requested == OCTET_ISA_AUTO) continue;
      return Status::Unsupported(std::string("ISA level ") + level.name + " (forced by " + source +
                                 ") was not built into this octet; built: " + BuiltLevels());
    }
    if (!level.supported()) {
      if (requested == OCTET_ISA_AUTO) continue;
      return Status::Unsupported(std::string("ISA level ") + level.name + " (forced by " + source +
                                 ") is not supported by this CPU (" + CpuName() + ")");
    }
    FillTable(level, table);
    return Status::Ok();
  }
  return Status::Error(OCTET_ERROR_INTERNAL, "no kernel level available");
}

bool IsaAvailable(octet_isa isa) {
  if (isa == OCTET_ISA_AUTO) return true;
  const IsaLevel* level = FindLevel(isa);
  return level && Built(*level) && level->supported();
}

const char* CpuName() {
  if (!CpuinfoReady()) return "unknown";
  const cpuinfo_package* package = cpuinfo_get_package(0);
  if (package && package->name[0]) return package->name;
  return "unknown";
}

}  // namespace octet::rt
