// octet-make-example: writes the random example CNN (see BuildExampleModel)
// to a file, for the demo, bench_model and the install test.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "model_builder.h"

int main(int argc, char** argv) {
  const char* path = nullptr;
  unsigned seed = 1;
  int size = 32, channels = 16;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) {
      seed = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (!std::strcmp(argv[i], "--size") && i + 1 < argc) {
      size = std::atoi(argv[++i]);
    } else if (!std::strcmp(argv[i], "--channels") && i + 1 < argc) {
      channels = std::atoi(argv[++i]);
    } else if (argv[i][0] != '-' && !path) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (!path || size < 2 || size > 1024 || channels < 1 || channels > 1024) {
    std::fprintf(stderr,
                 "usage: octet-make-example OUT.octet [--seed N] [--size HW (2..1024)] "
                 "[--channels C (1..1024)]\n");
    return 2;
  }
  const auto bytes = octet::testing::BuildExampleModel(seed, size, size, channels);
  std::FILE* f = std::fopen(path, "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::fprintf(stderr, "octet-make-example: cannot write %s\n", path);
    return 1;
  }
  std::printf("wrote %s (%zu bytes, %dx%dx3 input, %d channels)\n", path, bytes.size(), size, size,
              channels);
  return 0;
}
