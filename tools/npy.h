// Reading and writing NumPy .npy files (format versions 1.0, 2.0 and 3.0),
// little-endian, C order, for octet-run and the tests.
//
// Written by hand: the format is a fixed magic, a length and a Python dict
// literal (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html),
// and neither Debian's numpy C API (which needs a Python interpreter) nor a
// packaged C++ library fits a tool that links only the octet runtime.
//
// Supported element types: float32 '<f4', float64 '<f8', int8 '|i1',
// uint8 '|u1', int16 '<i2', int32 '<i4', int64 '<i8'. Big-endian data and
// Fortran-ordered arrays (with more than one non-unit axis) are errors.
#ifndef OCTET_TOOLS_NPY_H_
#define OCTET_TOOLS_NPY_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace octet {
namespace npy {

enum class DType { kFloat32, kFloat64, kInt8, kUInt8, kInt16, kInt32, kInt64 };

// Bytes per element.
size_t ElementSize(DType dtype);
// NumPy's name ("float32", "int8", ...), for messages.
const char* DTypeName(DType dtype);
// The .npy descr string ("<f4", "|i1", ...).
const char* DTypeDescr(DType dtype);
// Parses a NumPy name or a descr ("float32", "f4", "<f4", "|i1", "i1", ...);
// false for anything else.
bool ParseDType(const std::string& text, DType* dtype);

struct Array {
  DType dtype = DType::kFloat32;
  std::vector<int64_t> shape;  // empty for a 0-d array
  std::vector<uint8_t> data;   // C order, little-endian, ElementSize * NumElements bytes

  int64_t NumElements() const;
};

// "(3, 28, 28)" / "(10,)" / "()", as NumPy prints shapes.
std::string ShapeString(const std::vector<int64_t>& shape);

// Parses a whole .npy file image. On failure returns false and sets *error
// to one line saying what is wrong (without the file name).
bool Parse(const uint8_t* bytes, size_t size, Array* array, std::string* error);

// Reads a file; errors name the file.
bool Load(const std::string& path, Array* array, std::string* error);

// The .npy bytes of an array: version 1.0 (2.0 when the header needs it), the
// header padded so the data start at a multiple of 64 bytes, as NumPy does.
std::vector<uint8_t> Serialize(const Array& array);

// Writes a file; errors name the file.
bool Save(const std::string& path, const Array& array, std::string* error);

}  // namespace npy
}  // namespace octet

#endif  // OCTET_TOOLS_NPY_H_
