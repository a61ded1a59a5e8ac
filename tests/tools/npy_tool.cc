// npy_tool: makes and compares .npy files for the octet-run tests, so they
// need no Python.
//
//   npy_tool random OUT DTYPE D0,D1,... SEED   seeded random values
//   npy_tool concat OUT IN...                  IN stacked along axis 0
//   npy_tool equal A B                         exit 0 iff same dtype, shape and bytes
//   npy_tool truncate OUT IN N                 IN without its last N bytes
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "npy.h"

namespace {

int Fail(const std::string& message) {
  std::fprintf(stderr, "npy_tool: %s\n", message.c_str());
  return 1;
}

int Random(const std::string& out, const std::string& dtype_text, const std::string& shape_text,
           unsigned seed) {
  octet::npy::Array array;
  if (!octet::npy::ParseDType(dtype_text, &array.dtype)) return Fail("bad dtype " + dtype_text);
  size_t pos = 0;
  while (pos < shape_text.size()) {
    const size_t comma = shape_text.find(',', pos);
    const std::string dim =
        shape_text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    array.shape.push_back(std::atoll(dim.c_str()));
    pos = comma == std::string::npos ? shape_text.size() : comma + 1;
  }
  std::mt19937 rng(seed);
  const size_t n = static_cast<size_t>(array.NumElements());
  const size_t size = octet::npy::ElementSize(array.dtype);
  array.data.resize(n * size);
  for (size_t i = 0; i < n; ++i) {
    if (array.dtype == octet::npy::DType::kFloat32) {
      const float value = std::uniform_real_distribution<float>(-1.0f, 1.0f)(rng);
      std::memcpy(&array.data[i * size], &value, size);
    } else if (array.dtype == octet::npy::DType::kFloat64) {
      const double value = std::uniform_real_distribution<double>(-1.0, 1.0)(rng);
      std::memcpy(&array.data[i * size], &value, size);
    } else {
      for (size_t b = 0; b < size; ++b) array.data[i * size + b] = static_cast<uint8_t>(rng());
    }
  }
  std::string error;
  return octet::npy::Save(out, array, &error) ? 0 : Fail(error);
}

int Concat(const std::string& out, const std::vector<std::string>& ins) {
  octet::npy::Array result;
  std::string error;
  for (size_t i = 0; i < ins.size(); ++i) {
    octet::npy::Array part;
    if (!octet::npy::Load(ins[i], &part, &error)) return Fail(error);
    if (part.shape.empty()) return Fail(ins[i] + " is 0-d");
    if (i == 0) {
      result = part;
      continue;
    }
    std::vector<int64_t> a = result.shape, b = part.shape;
    a[0] = b[0] = 0;
    if (part.dtype != result.dtype || a != b) return Fail(ins[i] + " does not match " + ins[0]);
    result.shape[0] += part.shape[0];
    result.data.insert(result.data.end(), part.data.begin(), part.data.end());
  }
  return octet::npy::Save(out, result, &error) ? 0 : Fail(error);
}

int Equal(const std::string& a_path, const std::string& b_path) {
  octet::npy::Array a, b;
  std::string error;
  if (!octet::npy::Load(a_path, &a, &error) || !octet::npy::Load(b_path, &b, &error)) {
    return Fail(error);
  }
  if (a.dtype != b.dtype || a.shape != b.shape) {
    return Fail(a_path + " is " + octet::npy::DTypeName(a.dtype) + " " +
                octet::npy::ShapeString(a.shape) + ", " + b_path + " is " +
                octet::npy::DTypeName(b.dtype) + " " + octet::npy::ShapeString(b.shape));
  }
  if (a.data != b.data) return Fail(a_path + " and " + b_path + " differ");
  std::printf("equal: %s %s\n", octet::npy::DTypeName(a.dtype), octet::npy::ShapeString(a.shape).c_str());
  return 0;
}

int Truncate(const std::string& out, const std::string& in, long drop) {
  std::FILE* f = std::fopen(in.c_str(), "rb");
  if (!f) return Fail("cannot open " + in);
  std::vector<char> bytes;
  int c;
  while ((c = std::fgetc(f)) != EOF) bytes.push_back(static_cast<char>(c));
  std::fclose(f);
  if (drop < 0 || static_cast<size_t>(drop) > bytes.size()) return Fail("bad byte count");
  bytes.resize(bytes.size() - static_cast<size_t>(drop));
  f = std::fopen(out.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    return Fail("cannot write " + out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "random" && argc == 6) {
    return Random(argv[2], argv[3], argv[4], static_cast<unsigned>(std::strtoul(argv[5], nullptr, 10)));
  }
  if (command == "concat" && argc >= 4) return Concat(argv[2], std::vector<std::string>(argv + 3, argv + argc));
  if (command == "equal" && argc == 4) return Equal(argv[2], argv[3]);
  if (command == "truncate" && argc == 5) return Truncate(argv[2], argv[3], std::atol(argv[4]));
  std::fprintf(stderr,
               "usage: npy_tool random OUT DTYPE D0,D1,... SEED | concat OUT IN... | equal A B |"
               " truncate OUT IN N\n");
  return 2;
}
