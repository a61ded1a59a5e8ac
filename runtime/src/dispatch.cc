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
  bool (*built)();      // were this level's kernels compiled into the library?
  bool (*supported)();  // does this CPU run them?
  void (*fill)(KernelTable*);
};

bool CpuinfoReady() {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] { ready = cpuinfo_initialize(); });
  return ready;
}

bool Always() { return true; }
bool Never() { return false; }

bool HasSse41() { return CpuinfoReady() && cpuinfo_has_x86_sse4_1(); }
bool HasAvx2() { return CpuinfoReady() && cpuinfo_has_x86_avx2(); }
bool HasAvx512Vnni() {
  return CpuinfoReady() && cpuinfo_has_x86_avx512bw() && cpuinfo_has_x86_avx512vl() &&
         cpuinfo_has_x86_avx512vnni();
}
bool HasNeon() { return CpuinfoReady() && cpuinfo_has_arm_neon(); }
bool HasNeonDot() { return CpuinfoReady() && cpuinfo_has_arm_neon_dot(); }

void FillScalar(KernelTable* t) {
  t->conv2d = qs8_conv2d__scalar;
  t->conv2d_name = "qs8_conv2d__scalar";
  t->dwconv2d = qs8_dwconv2d__scalar;
  t->dwconv2d_name = "qs8_dwconv2d__scalar";
  t->fully_connected = qs8_fully_connected__scalar;
  t->fully_connected_name = "qs8_fully_connected__scalar";
  t->add = qs8_add__scalar;
  t->add_name = "qs8_add__scalar";
}

// Best first, ending with scalar. A SIMD level's `built` answers whether its
// kernel files were compiled in; none are yet, so only scalar can be chosen.
const IsaLevel kLevels[] = {
    {OCTET_ISA_AVX512VNNI, "avx512vnni", Never, HasAvx512Vnni, nullptr},
    {OCTET_ISA_AVX2, "avx2", Never, HasAvx2, nullptr},
    {OCTET_ISA_SSE41, "sse41", Never, HasSse41, nullptr},
    {OCTET_ISA_NEONDOT, "neondot", Never, HasNeonDot, nullptr},
    {OCTET_ISA_NEON, "neon", Never, HasNeon, nullptr},
    {OCTET_ISA_SCALAR, "scalar", Always, Always, FillScalar},
};

std::string BuiltLevels() {
  std::string names;
  for (const IsaLevel& level : kLevels) {
    if (!level.built()) continue;
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
    if (!level.built()) {
      if (requested == OCTET_ISA_AUTO) continue;
      return Status::Unsupported(std::string("ISA level ") + level.name + " (forced by " + source +
                                 ") was not built into this octet; built: " + BuiltLevels());
    }
    if (!level.supported()) {
      if (requested == OCTET_ISA_AUTO) continue;
      return Status::Unsupported(std::string("ISA level ") + level.name + " (forced by " + source +
                                 ") is not supported by this CPU (" + CpuName() + ")");
    }
    *table = KernelTable();
    table->isa = level.isa;
    table->isa_name = level.name;
    level.fill(table);
    return Status::Ok();
  }
  return Status::Error(OCTET_ERROR_INTERNAL, "no kernel level available");
}

const char* CpuName() {
  if (!CpuinfoReady()) return "unknown";
  const cpuinfo_package* package = cpuinfo_get_package(0);
  if (package && package->name[0]) return package->name;
  return "unknown";
}

}  // namespace octet::rt
