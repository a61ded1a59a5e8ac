// NumPy .npy reader and writer (see npy.h for what is supported and why).
//
// The format: the magic "\x93NUMPY", a major and minor version byte, the
// header length (2 bytes little-endian in version 1, 4 bytes in 2 and 3),
// then a Python dict literal such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (1, 10), }
// padded with spaces and a newline so the data starts 64-byte aligned, then
// the raw elements.
#include "npy.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace octet::bench {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicBytes = 6;
// A .npy header is a few hundred bytes; more is a corrupt or hostile file.
constexpr uint32_t kMaxHeaderBytes = 1 << 20;

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};

bool Fail(std::string* error, const std::string& path, const std::string& why) {
  *error = path + ": " + why;
  return false;
}

// Finds `'key':` in the header dict and returns the position after the colon.
size_t FindKey(const std::string& header, const char* key) {
  const std::string quoted[2] = {std::string("'") + key + "'", std::string("\"") + key + "\""};
  for (const std::string& q : quoted) {
    size_t pos = header.find(q);
    if (pos == std::string::npos) continue;
    pos = header.find(':', pos + q.size());
    if (pos != std::string::npos) return pos + 1;
  }
  return std::string::npos;
}

size_t SkipSpaces(const std::string& s, size_t pos) {
  while (pos < s.size() && std::isspace(static_cast<unsigned char>(s[pos]))) ++pos;
  return pos;
}

bool ParseDescr(const std::string& descr, NpyArray* a) {
  if (descr.size() < 3) return false;
  const char order = descr[0];
  const char kind = descr[1];
  const std::string size = descr.substr(2);
  if (size != "1" && size != "2" && size != "4" && size != "8") return false;
  const int bytes = size[0] - '0';
  // '<' little-endian, '|' not applicable (one byte), '=' native: octet's
  // targets are all little-endian.
  if (order != '<' && order != '=' && !(order == '|' && bytes == 1)) return false;
  if (kind == 'b' && bytes == 1) {
    a->kind = 'u';
  } else if (kind == 'i' || kind == 'u') {
    a->kind = kind;
  } else if (kind == 'f' && (bytes == 4 || bytes == 8)) {
    a->kind = 'f';
  } else {
    return false;
  }
  a->item_size = bytes;
  return true;
}

}  // namespace

size_t NpyArray::count() const {
  size_t n = 1;
  for (const int64_t d : shape) n *= static_cast<size_t>(d);
  return n;
}

double NpyArray::at(size_t i) const {
  const uint8_t* p = data.data() + i * static_cast<size_t>(item_size);
  switch (kind) {
    case 'f':
      if (item_size == 4) {
        float v;
        std::memcpy(&v, p, 4);
        return v;
      } else {
        double v;
        std::memcpy(&v, p, 8);
        return v;
      }
    case 'i':
      switch (item_size) {
        case 1: return static_cast<int8_t>(p[0]);
        case 2: { int16_t v; std::memcpy(&v, p, 2); return v; }
        case 4: { int32_t v; std::memcpy(&v, p, 4); return v; }
        default: { int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
      }
    default:
      switch (item_size) {
        case 1: return p[0];
        case 2: { uint16_t v; std::memcpy(&v, p, 2); return v; }
        case 4: { uint32_t v; std::memcpy(&v, p, 4); return v; }
        default: { uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
      }
  }
}

std::string NpyArray::type_name() const {
  const char* base = kind == 'f' ? "float" : kind == 'i' ? "int" : "uint";
  return base + std::to_string(item_size * 8);
}

std::string NpyArray::shape_string() const {
  std::string s = "[";
  for (size_t d = 0; d < shape.size(); ++d) s += (d ? ", " : "") + std::to_string(shape[d]);
  return s + "]";
}

bool ReadNpy(const std::string& path, NpyArray* out, std::string* error) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) return Fail(error, path, std::string("cannot open: ") + std::strerror(errno));
  unsigned char preamble[kMagicBytes + 2];
  if (std::fread(preamble, 1, sizeof preamble, file.get()) != sizeof preamble ||
      std::memcmp(preamble, kMagic, kMagicBytes) != 0) {
    return Fail(error, path, "not a .npy file (no \\x93NUMPY magic)");
  }
  const int major = preamble[kMagicBytes];
  uint32_t header_bytes = 0;
  unsigned char len[4] = {0, 0, 0, 0};
  if (major == 1) {
    if (std::fread(len, 1, 2, file.get()) != 2) return Fail(error, path, "truncated header");
    header_bytes = len[0] | (uint32_t{len[1]} << 8);
  } else if (major == 2 || major == 3) {
    if (std::fread(len, 1, 4, file.get()) != 4) return Fail(error, path, "truncated header");
    header_bytes = len[0] | (uint32_t{len[1]} << 8) | (uint32_t{len[2]} << 16) |
                   (uint32_t{len[3]} << 24);
  } else {
    return Fail(error, path, "unsupported .npy format version " + std::to_string(major));
  }
  if (header_bytes > kMaxHeaderBytes) {
    return Fail(error, path, "header of " + std::to_string(header_bytes) + " bytes is too long");
  }
  std::string header(header_bytes, '\0');
  if (std::fread(&header[0], 1, header_bytes, file.get()) != header_bytes) {
    return Fail(error, path, "truncated header");
  }

  NpyArray a;
  // descr
  size_t pos = FindKey(header, "descr");
  if (pos == std::string::npos) return Fail(error, path, "header has no 'descr'");
  pos = SkipSpaces(header, pos);
  if (pos >= header.size() || (header[pos] != '\'' && header[pos] != '"')) {
    return Fail(error, path, "'descr' is not a simple type string (structured arrays are not supported)");
  }
  const size_t end = header.find(header[pos], pos + 1);
  if (end == std::string::npos) return Fail(error, path, "unterminated 'descr'");
  const std::string descr = header.substr(pos + 1, end - pos - 1);
  if (!ParseDescr(descr, &a)) {
    return Fail(error, path, "element type '" + descr +
                                 "' is not supported (little-endian int, uint, bool, float32 or float64)");
  }
  // fortran_order
  pos = FindKey(header, "fortran_order");
  if (pos == std::string::npos) return Fail(error, path, "header has no 'fortran_order'");
  pos = SkipSpaces(header, pos);
  const bool fortran = header.compare(pos, 4, "True") == 0;
  if (!fortran && header.compare(pos, 5, "False") != 0) {
    return Fail(error, path, "'fortran_order' is neither True nor False");
  }
  // shape
  pos = FindKey(header, "shape");
  if (pos == std::string::npos) return Fail(error, path, "header has no 'shape'");
  pos = SkipSpaces(header, pos);
  if (pos >= header.size() || header[pos] != '(') return Fail(error, path, "'shape' is not a tuple");
  ++pos;
  for (;;) {
    pos = SkipSpaces(header, pos);
    if (pos >= header.size()) return Fail(error, path, "unterminated 'shape'");
    if (header[pos] == ')') break;
    if (!std::isdigit(static_cast<unsigned char>(header[pos]))) {
      return Fail(error, path, "'shape' holds something other than integers");
    }
    int64_t d = 0;
    while (pos < header.size() && std::isdigit(static_cast<unsigned char>(header[pos]))) {
      d = d * 10 + (header[pos++] - '0');
      if (d > (int64_t{1} << 40)) return Fail(error, path, "a 'shape' dimension is too large");
    }
    a.shape.push_back(d);
    pos = SkipSpaces(header, pos);
    if (pos < header.size() && header[pos] == ',') ++pos;
  }
  if (fortran && a.shape.size() > 1) {
    int non_unit = 0;
    for (const int64_t d : a.shape) non_unit += d != 1;
    if (non_unit > 1) return Fail(error, path, "Fortran-order arrays are not supported");
  }
  // data: exactly count * item_size bytes must follow.
  size_t count = 1;
  for (const int64_t d : a.shape) {
    if (d != 0 && count > (size_t{1} << 40) / static_cast<size_t>(d)) {
      return Fail(error, path, "array is too large");
    }
    count *= static_cast<size_t>(d);
  }
  const size_t bytes = count * static_cast<size_t>(a.item_size);
  a.data.resize(bytes);
  if (bytes && std::fread(a.data.data(), 1, bytes, file.get()) != bytes) {
    return Fail(error, path, "data is truncated: shape " + a.shape_string() + " of " +
                                 a.type_name() + " needs " + std::to_string(bytes) + " bytes");
  }
  if (std::fgetc(file.get()) != EOF) {
    return Fail(error, path, "trailing bytes after the " + std::to_string(bytes) +
                                 " bytes of data the shape calls for");
  }
  *out = std::move(a);
  return true;
}

bool WriteNpy(const std::string& path, const char* descr, const std::vector<int64_t>& shape,
              const void* data, size_t bytes, std::string* error) {
  std::string header = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (";
  for (size_t d = 0; d < shape.size(); ++d) header += std::to_string(shape[d]) + ", ";
  if (shape.size() > 1) header.resize(header.size() - 1);  // "(1, 10)" but "(10,)"
  if (shape.size() > 1) header.back() = ')';
  else header += ")";
  header += ", }";
  // Pad with spaces so magic + version + length + header + '\n' is a
  // multiple of 64.
  const size_t prefix = kMagicBytes + 2 + 2;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "wb"));
  if (!file) return Fail(error, path, std::string("cannot create: ") + std::strerror(errno));
  const unsigned char version_and_length[4] = {1, 0, static_cast<unsigned char>(header.size() & 0xff),
                                               static_cast<unsigned char>(header.size() >> 8)};
  if (std::fwrite(kMagic, 1, kMagicBytes, file.get()) != kMagicBytes ||
      std::fwrite(version_and_length, 1, 4, file.get()) != 4 ||
      std::fwrite(header.data(), 1, header.size(), file.get()) != header.size() ||
      (bytes && std::fwrite(data, 1, bytes, file.get()) != bytes)) {
    return Fail(error, path, "write failed");
  }
  if (std::fclose(file.release()) != 0) return Fail(error, path, "write failed");
  return true;
}

}  // namespace octet::bench
