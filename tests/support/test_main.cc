// main() for octet's GoogleTest binaries: honours OCTET_ISA so CTest can run
// a whole suite once per forced ISA level, and skips the suite (rather than
// failing it) when this machine cannot run the requested level.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "octet/octet.h"

namespace {

class IsaEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    const char* name = std::getenv("OCTET_ISA");
    if (!name || !*name) return;
    octet_isa isa = OCTET_ISA_AUTO;
    if (octet_isa_from_name(name, &isa) != OCTET_OK) {
      FAIL() << "OCTET_ISA=" << name << " is not an ISA level";
    }
    if (!octet_isa_available(isa)) {
      GTEST_SKIP() << "OCTET_ISA=" << name << ": not built or not supported by this CPU ("
                   << octet_cpu_name() << ")";
    }
    std::printf("[ octet    ] OCTET_ISA=%s on %s\n", name, octet_cpu_name());
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new IsaEnvironment);
  return RUN_ALL_TESTS();
}
