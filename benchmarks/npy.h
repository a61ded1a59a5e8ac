// A small reader and writer of NumPy .npy files (format versions 1-3) for
// bench_model's --input, --compare and --save-output.
//
// Written by hand because no Debian package offers a C++ .npy reader that is
// small enough to ship with a benchmark for embedded boards (cnpy is not
// packaged; xtensor's reader pulls in xtensor). Another branch has a reader
// for octet-run; the two are to be unified.
//
// Supported: little-endian (or byte-order-free) integers i1 u1 i2 u2 i4 u4
// i8 u8, bool, and floats f4 f8, C order (or any order for rank <= 1).
// Anything else is an error with a message naming the file and the rule.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace octet::bench {

struct NpyArray {
  char kind = 'f';        // 'i' signed, 'u' unsigned (and bool), 'f' float
  int item_size = 4;      // bytes per element
  std::vector<int64_t> shape;
  std::vector<uint8_t> data;  // count() * item_size bytes, little-endian

  size_t count() const;
  // Element i as a double (exact for every supported type but 64-bit ints
  // beyond 2^53).
  double at(size_t i) const;
  // "int8", "float32", ...
  std::string type_name() const;
  // "[1, 224, 224, 3]"
  std::string shape_string() const;
};

// Reads `path`. On failure returns false and sets *error.
bool ReadNpy(const std::string& path, NpyArray* out, std::string* error);

// Writes a C-order array; `descr` is a NumPy type string such as "|i1" or "<f4".
bool WriteNpy(const std::string& path, const char* descr, const std::vector<int64_t>& shape,
              const void* data, size_t bytes, std::string* error);

}  // namespace octet::bench
