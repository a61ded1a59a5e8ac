#include "npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "npy.cc copies little-endian .npy data as is: add byte swapping for big-endian hosts"
#endif

namespace octet {
namespace npy {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kAlignment = 64;              // NumPy aligns the data to 64 bytes
constexpr int64_t kMaxBytes = int64_t{1} << 40;  // a sanity bound on the data size

struct DTypeInfo {
  DType dtype;
  const char* name;
  const char* descr;
  size_t size;
};

constexpr DTypeInfo kDTypes[] = {
    {DType::kFloat32, "float32", "<f4", 4}, {DType::kFloat64, "float64", "<f8", 8},
    {DType::kInt8, "int8", "|i1", 1},       {DType::kUInt8, "uint8", "|u1", 1},
    {DType::kInt16, "int16", "<i2", 2},     {DType::kInt32, "int32", "<i4", 4},
    {DType::kInt64, "int64", "<i8", 8},
};

const DTypeInfo& Info(DType dtype) {
  for (const DTypeInfo& info : kDTypes) {
    if (info.dtype == dtype) return info;
  }
  return kDTypes[0];  // unreachable for valid enum values
}

// A tiny parser for the header's Python dict literal, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 28, 28), }
class HeaderParser {
 public:
  explicit HeaderParser(const std::string& text) : text_(text) {}

  bool Parse(std::string* descr, bool* fortran, std::vector<int64_t>* shape, std::string* error) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    SkipSpace();
    if (!Consume('{')) return Fail("header is not a Python dict", error);
    while (true) {
      SkipSpace();
      if (Consume('}')) break;
      std::string key;
      if (!ParseString(&key)) return Fail("header: expected a quoted key", error);
      SkipSpace();
      if (!Consume(':')) return Fail("header: expected ':' after '" + key + "'", error);
      SkipSpace();
      if (key == "descr") {
        if (!ParseString(descr)) return Fail("header: 'descr' is not a string", error);
        have_descr = true;
      } else if (key == "fortran_order") {
        if (!ParseBool(fortran)) return Fail("header: 'fortran_order' is not True/False", error);
        have_fortran = true;
      } else if (key == "shape") {
        if (!ParseShape(shape)) return Fail("header: 'shape' is not a tuple of integers", error);
        have_shape = true;
      } else {
        return Fail("header: unknown key '" + key + "'", error);
      }
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume('}')) break;
      return Fail("header: expected ',' or '}'", error);
    }
    SkipSpace();
    if (pos_ != text_.size()) return Fail("header: text after the dict", error);
    if (!have_descr || !have_fortran || !have_shape) {
      return Fail("header lacks 'descr', 'fortran_order' or 'shape'", error);
    }
    return true;
  }

 private:
  static bool Fail(const std::string& why, std::string* error) {
    *error = why;
    return false;
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(const char* word) {
    const size_t n = std::strlen(word);
    if (text_.compare(pos_, n, word) == 0) {
      pos_ += n;
      return true;
    }
    return false;
  }
  bool ParseString(std::string* out) {
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"')) return false;
    const char quote = text_[pos_++];
    out->clear();
    while (pos_ < text_.size() && text_[pos_] != quote) {
      if (text_[pos_] == '\\') return false;  // no escapes in the keys and descrs we accept
      out->push_back(text_[pos_++]);
    }
    return Consume(quote);
  }
  bool ParseBool(bool* out) {
    if (ConsumeWord("True")) {
      *out = true;
      return true;
    }
    if (ConsumeWord("False")) {
      *out = false;
      return true;
    }
    return false;
  }
  bool ParseShape(std::vector<int64_t>* shape) {
    shape->clear();
    if (!Consume('(')) return false;
    while (true) {
      SkipSpace();
      if (Consume(')')) return true;
      if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') return false;
      int64_t value = 0;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (value > (std::numeric_limits<int64_t>::max() - 9) / 10) return false;
        value = value * 10 + (text_[pos_++] - '0');
      }
      Consume('L');  // Python 2 long suffix
      shape->push_back(value);
      SkipSpace();
      if (Consume(',')) continue;
      SkipSpace();
      if (Consume(')')) return true;
      return false;
    }
  }

  const std::string& text_;
  size_t pos_ = 0;
};

uint32_t ReadLE(const uint8_t* p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | p[i];
  return value;
}

}  // namespace

size_t ElementSize(DType dtype) { return Info(dtype).size; }
const char* DTypeName(DType dtype) { return Info(dtype).name; }
const char* DTypeDescr(DType dtype) { return Info(dtype).descr; }

bool ParseDType(const std::string& text, DType* dtype) {
  for (const DTypeInfo& info : kDTypes) {
    const std::string descr = info.descr;  // "<f4" or "|i1"
    const std::string bare = descr.substr(1);
    // One-byte types have no byte order: '|', '<', '>' and '=' all mean the same.
    const bool one_byte = info.size == 1;
    if (text == info.name || text == descr || text == bare || text == "=" + bare ||
        (one_byte && (text == "<" + bare || text == ">" + bare))) {
      *dtype = info.dtype;
      return true;
    }
  }
  return false;
}

int64_t Array::NumElements() const {
  int64_t n = 1;
  for (const int64_t d : shape) n *= d;
  return n;
}

std::string ShapeString(const std::vector<int64_t>& shape) {
  std::string s = "(";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) s += ",";
  return s + ")";
}

bool Parse(const uint8_t* bytes, size_t size, Array* array, std::string* error) {
  if (size < kMagicSize + 2 || std::memcmp(bytes, kMagic, kMagicSize) != 0) {
    *error = "not a .npy file (no \\x93NUMPY magic)";
    return false;
  }
  const int major = bytes[6];
  if (major < 1 || major > 3) {
    *error = "unsupported .npy format version " + std::to_string(major) + "." +
             std::to_string(bytes[7]) + " (expected 1.0, 2.0 or 3.0)";
    return false;
  }
  const int length_bytes = major == 1 ? 2 : 4;
  const size_t preamble = kMagicSize + 2 + length_bytes;
  if (size < preamble) {
    *error = "truncated .npy header";
    return false;
  }
  const uint32_t header_length = ReadLE(bytes + kMagicSize + 2, length_bytes);
  if (header_length > size - preamble) {
    *error = "truncated .npy header (" + std::to_string(header_length) + " header bytes declared, " +
             std::to_string(size - preamble) + " in the file)";
    return false;
  }
  const std::string header(reinterpret_cast<const char*>(bytes + preamble), header_length);
  std::string descr;
  bool fortran = false;
  std::vector<int64_t> shape;
  if (!HeaderParser(header).Parse(&descr, &fortran, &shape, error)) return false;

  DType dtype;
  if (descr.size() >= 1 && descr[0] == '>' && ParseDType("<" + descr.substr(1), &dtype) &&
      ElementSize(dtype) > 1) {
    *error = "big-endian data ('" + descr + "') is not supported; save with " +
             "arr.astype(arr.dtype.newbyteorder('<'))";
    return false;
  }
  if (!ParseDType(descr, &dtype) || descr.find_first_of("<|=>") != 0) {
    *error = "unsupported dtype '" + descr +
             "' (supported: float32, float64, int8, uint8, int16, int32, int64)";
    return false;
  }
  int64_t elements = 1;
  int non_unit_axes = 0;
  for (const int64_t d : shape) {
    if (d > 1) ++non_unit_axes;
    if (d != 0 && elements > kMaxBytes / d) {
      *error = "shape " + ShapeString(shape) + " is too large";
      return false;
    }
    elements *= d;
  }
  if (fortran && non_unit_axes > 1) {
    *error = "Fortran-ordered arrays are not supported; save np.ascontiguousarray(arr)";
    return false;
  }
  const int64_t data_bytes = elements * static_cast<int64_t>(ElementSize(dtype));
  if (data_bytes > kMaxBytes) {
    *error = "shape " + ShapeString(shape) + " is too large";
    return false;
  }
  const size_t available = size - preamble - header_length;
  if (static_cast<uint64_t>(data_bytes) != available) {
    *error = std::string(static_cast<uint64_t>(data_bytes) > available ? "truncated" : "corrupt") +
             " .npy data: " + std::string(DTypeName(dtype)) + " " + ShapeString(shape) + " needs " +
             std::to_string(data_bytes) + " bytes, the file has " + std::to_string(available);
    return false;
  }
  array->dtype = dtype;
  array->shape = shape;
  array->data.assign(bytes + preamble + header_length, bytes + size);
  return true;
}

bool Load(const std::string& path, Array* array, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  std::vector<uint8_t> bytes;
  uint8_t chunk[1 << 16];
  size_t n;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0) bytes.insert(bytes.end(), chunk, chunk + n);
  const bool read_error = std::ferror(f) != 0;
  std::fclose(f);
  if (read_error) {
    *error = path + ": read error";
    return false;
  }
  std::string why;
  if (!Parse(bytes.data(), bytes.size(), array, &why)) {
    *error = path + ": " + why;
    return false;
  }
  return true;
}

std::vector<uint8_t> Serialize(const Array& array) {
  std::string header = std::string("{'descr': '") + DTypeDescr(array.dtype) +
                       "', 'fortran_order': False, 'shape': " + ShapeString(array.shape) + ", }";
  // Version 1.0 has a 2-byte header length; longer headers need 2.0.
  int major = 1;
  size_t preamble = kMagicSize + 2 + 2;
  if (header.size() + 1 + kAlignment > 65535) {
    major = 2;
    preamble = kMagicSize + 2 + 4;
  }
  const size_t unpadded = preamble + header.size() + 1;  // + '\n'
  header.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
  header.push_back('\n');

  std::vector<uint8_t> out(kMagic, kMagic + kMagicSize);
  out.push_back(static_cast<uint8_t>(major));
  out.push_back(0);
  const uint32_t length = static_cast<uint32_t>(header.size());
  for (int i = 0; i < (major == 1 ? 2 : 4); ++i) out.push_back(static_cast<uint8_t>(length >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  out.insert(out.end(), array.data.begin(), array.data.end());
  return out;
}

bool Save(const std::string& path, const Array& array, std::string* error) {
  const std::vector<uint8_t> bytes = Serialize(array);
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  if (std::fclose(f) != 0 || !ok) {
    *error = path + ": write error";
    return false;
  }
  return true;
}

}  // namespace npy
}  // namespace octet
