// tools/npy: .npy reading and writing.
#include "npy.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

using octet::npy::Array;
using octet::npy::DType;

// A .npy file image from a header dict literal and data bytes, the way NumPy
// lays it out (any version; the header is not padded here).
std::vector<uint8_t> Make(const std::string& dict, size_t data_bytes, int major = 1) {
  std::vector<uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', static_cast<uint8_t>(major), 0};
  const std::string header = dict + "\n";
  const int length_bytes = major == 1 ? 2 : 4;
  for (int i = 0; i < length_bytes; ++i) out.push_back(static_cast<uint8_t>(header.size() >> (8 * i)));
  out.insert(out.end(), header.begin(), header.end());
  for (size_t i = 0; i < data_bytes; ++i) out.push_back(static_cast<uint8_t>(i));
  return out;
}

std::string ParseError(const std::vector<uint8_t>& bytes) {
  Array array;
  std::string error;
  EXPECT_FALSE(octet::npy::Parse(bytes.data(), bytes.size(), &array, &error));
  return error;
}

TEST(Npy, RoundTripsEveryDTypeAndShape) {
  const DType dtypes[] = {DType::kFloat32, DType::kFloat64, DType::kInt8, DType::kUInt8,
                          DType::kInt16,   DType::kInt32,   DType::kInt64};
  const std::vector<std::vector<int64_t>> shapes = {{}, {0}, {5}, {2, 3, 4}, {1, 28, 28, 1}};
  for (const DType dtype : dtypes) {
    for (const auto& shape : shapes) {
      Array array;
      array.dtype = dtype;
      array.shape = shape;
      array.data.resize(static_cast<size_t>(array.NumElements()) * octet::npy::ElementSize(dtype));
      for (size_t i = 0; i < array.data.size(); ++i) array.data[i] = static_cast<uint8_t>(i * 7);
      const std::vector<uint8_t> bytes = octet::npy::Serialize(array);
      const size_t header_end = bytes.size() - array.data.size();
      EXPECT_EQ(header_end % 64, 0u) << "data must start 64-byte aligned";
      EXPECT_EQ(bytes[header_end - 1], '\n');
      Array back;
      std::string error;
      ASSERT_TRUE(octet::npy::Parse(bytes.data(), bytes.size(), &back, &error)) << error;
      EXPECT_EQ(back.dtype, dtype);
      EXPECT_EQ(back.shape, shape);
      EXPECT_EQ(back.data, array.data);
    }
  }
}

TEST(Npy, WritesTheHeaderNumPyWrites) {
  Array array;
  array.dtype = DType::kFloat32;
  array.shape = {10};
  array.data.resize(40);
  const std::vector<uint8_t> bytes = octet::npy::Serialize(array);
  const std::string header(bytes.begin() + 10, bytes.begin() + 128);
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(header.substr(0, 60), "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }  ");
}

TEST(Npy, ReadsVersions1To3AndHeaderVariants) {
  for (int major = 1; major <= 3; ++major) {
    Array array;
    std::string error;
    const auto bytes = Make("{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", 24, major);
    ASSERT_TRUE(octet::npy::Parse(bytes.data(), bytes.size(), &array, &error)) << error;
    EXPECT_EQ(array.dtype, DType::kInt32);
    EXPECT_EQ(array.shape, (std::vector<int64_t>{2, 3}));
  }
  // Key order, quotes, no trailing comma, Python 2 longs, one-byte '<' or '|'.
  Array array;
  std::string error;
  auto bytes = Make("{\"shape\":(4L,),\"fortran_order\":False,\"descr\":\"<u1\"}", 4);
  ASSERT_TRUE(octet::npy::Parse(bytes.data(), bytes.size(), &array, &error)) << error;
  EXPECT_EQ(array.dtype, DType::kUInt8);
  EXPECT_EQ(array.shape, (std::vector<int64_t>{4}));
  // Fortran order is the same as C order with at most one non-unit axis.
  bytes = Make("{'descr': '|i1', 'fortran_order': True, 'shape': (1, 6, 1), }", 6);
  ASSERT_TRUE(octet::npy::Parse(bytes.data(), bytes.size(), &array, &error)) << error;
}

TEST(Npy, RejectsCorruptAndUnsupportedFiles) {
  const std::string ok_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  EXPECT_NE(ParseError({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0}).find("not a .npy file"), std::string::npos);
  EXPECT_NE(ParseError({0x93, 'N', 'U'}).find("not a .npy file"), std::string::npos);
  auto bytes = Make(ok_dict, 24);
  bytes[6] = 4;
  EXPECT_NE(ParseError(bytes).find("unsupported .npy format version 4.0"), std::string::npos);
  bytes = Make(ok_dict, 24);
  bytes.resize(40);
  EXPECT_NE(ParseError(bytes).find("truncated .npy header"), std::string::npos);
  bytes = Make(ok_dict, 23);
  EXPECT_EQ(ParseError(bytes),
            "truncated .npy data: float32 (2, 3) needs 24 bytes, the file has 23");
  bytes = Make(ok_dict, 25);
  EXPECT_NE(ParseError(bytes).find("corrupt .npy data"), std::string::npos);
  EXPECT_NE(ParseError(Make("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", 4))
                .find("big-endian"),
            std::string::npos);
  EXPECT_NE(ParseError(Make("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", 8))
                .find("unsupported dtype '<c8'"),
            std::string::npos);
  EXPECT_NE(ParseError(Make("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", 24))
                .find("Fortran"),
            std::string::npos);
  EXPECT_NE(ParseError(Make("{'descr': '<f4', 'shape': (2, 3), }", 24)).find("lacks"),
            std::string::npos);
  EXPECT_NE(ParseError(Make("{'descr': '<f4', 'fortran_order': False, 'shape': [2, 3], }", 24))
                .find("'shape' is not a tuple"),
            std::string::npos);
  EXPECT_NE(ParseError(Make("garbage", 0)).find("not a Python dict"), std::string::npos);
  EXPECT_NE(ParseError(Make("{'descr': '<f4', 'fortran_order': False, 'shape': "
                            "(99999999999, 99999999999), }",
                            0))
                .find("too large"),
            std::string::npos);
}

TEST(Npy, ParsesDTypeNames) {
  DType dtype;
  EXPECT_TRUE(octet::npy::ParseDType("float32", &dtype));
  EXPECT_EQ(dtype, DType::kFloat32);
  EXPECT_TRUE(octet::npy::ParseDType("<f4", &dtype));
  EXPECT_TRUE(octet::npy::ParseDType("|i1", &dtype));
  EXPECT_EQ(dtype, DType::kInt8);
  EXPECT_TRUE(octet::npy::ParseDType("<i1", &dtype));
  EXPECT_FALSE(octet::npy::ParseDType("float16", &dtype));
  EXPECT_FALSE(octet::npy::ParseDType(">i4", &dtype));
}

}  // namespace
