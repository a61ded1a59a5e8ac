// Tests of Model: loading valid models from memory (aligned or not) and from
// files, TensorData, and the I/O errors of FromFile.
#include "model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "loader_test_util.h"

namespace octet {
namespace testing {
namespace {

std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "octet_loader_test_" + std::to_string(getpid()) + "_" + name;
}

void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(f.good()) << path;
}

// Checks the typed view and TensorData of a loaded example model against
// the object-API copy of the same bytes.
void ExpectMatchesExample(const Model& model, const std::vector<uint8_t>& bytes) {
  auto expected = Unpack(bytes);
  ASSERT_EQ(model.size(), bytes.size());
  EXPECT_EQ(0, std::memcmp(model.data(), bytes.data(), bytes.size()));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(model.data()) % 64, 0u) << "model bytes not 64-aligned";
  const auto& graph = model.graph();
  ASSERT_EQ(graph.tensors()->size(), expected->tensors.size());
  EXPECT_EQ(graph.operators()->size(), 6u);
  for (size_t i = 0; i < expected->tensors.size(); ++i) {
    const auto& t = *expected->tensors[i];
    const uint8_t* data = model.TensorData(static_cast<int>(i));
    if (t.buffer == 0) {
      EXPECT_EQ(data, nullptr) << t.name;
      continue;
    }
    ASSERT_NE(data, nullptr) << t.name;
    const auto& want = expected->buffers[t.buffer]->data;
    EXPECT_EQ(0, std::memcmp(data, want.data(), want.size())) << t.name;
    // force_align: 64 holds in memory once the buffer start is 64-aligned.
    EXPECT_EQ(reinterpret_cast<uintptr_t>(data) % 64, 0u) << t.name;
  }
}

TEST(ModelFromBuffer, LoadsAlignedExampleInPlace) {
  const auto bytes = BuildExampleModel(1);
  // A 64-aligned copy, so the model must borrow it rather than copy.
  std::unique_ptr<uint8_t[], void (*)(uint8_t*)> aligned(
      static_cast<uint8_t*>(::operator new[](bytes.size(), std::align_val_t(64))),
      [](uint8_t* p) { ::operator delete[](p, std::align_val_t(64)); });
  std::memcpy(aligned.get(), bytes.data(), bytes.size());
  std::unique_ptr<Model> model;
  const Status s = Model::FromBuffer(aligned.get(), bytes.size(), &model);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(model->data(), aligned.get()) << "aligned buffer should be used in place";
  ExpectMatchesExample(*model, bytes);
}

TEST(ModelFromBuffer, LoadsMisalignedExampleViaCopy) {
  const auto bytes = BuildExampleModel(2);
  for (size_t misalign : {1, 4, 8, 32}) {
    std::vector<uint8_t> storage(bytes.size() + 128);
    uint8_t* base = storage.data();
    base += (64 - reinterpret_cast<uintptr_t>(base) % 64) % 64;  // 64-aligned
    uint8_t* shifted = base + misalign;
    std::memcpy(shifted, bytes.data(), bytes.size());
    std::unique_ptr<Model> model;
    const Status s = Model::FromBuffer(shifted, bytes.size(), &model);
    ASSERT_TRUE(s.ok()) << "misalign " << misalign << ": " << s.message();
    EXPECT_NE(model->data(), shifted);
    ExpectMatchesExample(*model, bytes);
  }
}

TEST(ModelFromBuffer, LoadsSeveralSeedsAndSizes) {
  for (uint32_t seed = 0; seed < 5; ++seed) {
    const auto bytes = BuildExampleModel(seed, 8 + seed, 6 + 2 * seed, 1 + seed, 1 + seed);
    std::unique_ptr<Model> model;
    const Status s = Model::FromBuffer(bytes.data(), bytes.size(), &model);
    EXPECT_TRUE(s.ok()) << "seed " << seed << ": " << s.message();
  }
}

TEST(ModelFromBuffer, RejectsNullAndEmpty) {
  std::unique_ptr<Model> model;
  Status s = Model::FromBuffer(nullptr, 100, &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(s.message().find("null"), std::string::npos) << s.message();
  const uint8_t byte = 0;
  s = Model::FromBuffer(&byte, 0, &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
  EXPECT_EQ(model, nullptr);
}

TEST(ModelFromBuffer, InvalidModelLeavesOutputEmpty) {
  auto bytes = SmallExampleModel();
  bytes[4] = 'X';
  std::unique_ptr<Model> model;
  const Status s = Model::FromBuffer(bytes.data(), bytes.size(), &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_EQ(model, nullptr);
}

TEST(ModelFromFile, LoadsExample) {
  const auto bytes = BuildExampleModel(3);
  const std::string path = TempPath("valid.octet");
  WriteFile(path, bytes);
  std::unique_ptr<Model> model;
  const Status s = Model::FromFile(path.c_str(), &model);
  ASSERT_TRUE(s.ok()) << s.message();
  ExpectMatchesExample(*model, bytes);
  model.reset();  // unmaps
  std::remove(path.c_str());
}

TEST(ModelFromFile, MissingFileIsIoErrorNamingPath) {
  const std::string path = TempPath("does_not_exist.octet");
  std::unique_ptr<Model> model;
  const Status s = Model::FromFile(path.c_str(), &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_IO);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file"), std::string::npos) << s.message();
  EXPECT_EQ(model, nullptr);
}

TEST(ModelFromFile, DirectoryIsIoErrorNamingPath) {
  const std::string path = ::testing::TempDir();
  std::unique_ptr<Model> model;
  const Status s = Model::FromFile(path.c_str(), &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_IO);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("directory"), std::string::npos) << s.message();
}

TEST(ModelFromFile, EmptyFileIsIoErrorNamingPath) {
  const std::string path = TempPath("empty.octet");
  WriteFile(path, {});
  std::unique_ptr<Model> model;
  const Status s = Model::FromFile(path.c_str(), &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_IO);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
  std::remove(path.c_str());
}

TEST(ModelFromFile, CorruptFileIsInvalidModelNamingPath) {
  auto bytes = SmallExampleModel();
  bytes.resize(bytes.size() / 2);
  const std::string path = TempPath("truncated.octet");
  WriteFile(path, bytes);
  std::unique_ptr<Model> model;
  const Status s = Model::FromFile(path.c_str(), &model);
  EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL);
  EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  EXPECT_EQ(model, nullptr);
  std::remove(path.c_str());
}

TEST(ModelFromFile, NullArgumentsAreInvalidArgument) {
  std::unique_ptr<Model> model;
  EXPECT_EQ(Model::FromFile(nullptr, &model).code(), OCTET_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(Model::FromFile("x.octet", nullptr).code(), OCTET_ERROR_INVALID_ARGUMENT);
}

}  // namespace
}  // namespace testing
}  // namespace octet
