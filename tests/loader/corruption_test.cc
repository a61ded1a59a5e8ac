// Corpus of damaged model files: truncations at many offsets and seeded
// random byte changes. Each must fail cleanly (a status and a message, no
// crash, no out-of-bounds read under ASan) or, if it still verifies, load as
// a model that keeps the invariants the interpreter relies on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "loader_test_util.h"
#include "model.h"

namespace octet {
namespace testing {
namespace {

// Exactly `size` heap bytes holding `data`, so ASan flags any read past the
// end (a prefix of a larger vector would hide it).
std::unique_ptr<uint8_t[]> ExactCopy(const uint8_t* data, size_t size) {
  std::unique_ptr<uint8_t[]> copy(new uint8_t[size ? size : 1]);
  if (size) std::memcpy(copy.get(), data, size);
  return copy;
}

// Invariants of a verified model, checked without the verifier's code: every
// index the interpreter follows is in range and all constant bytes lie inside
// the file (reading them all lets ASan catch anything else).
void ExpectInvariants(const Model& model) {
  const auto& g = model.graph();
  const int tensors = static_cast<int>(g.tensors()->size());
  const uint8_t* begin = model.data();
  const uint8_t* end = begin + model.size();
  unsigned checksum = 0;
  for (int i = 0; i < tensors; ++i) {
    const auto* t = g.tensors()->Get(static_cast<uint32_t>(i));
    int64_t numel = 1;
    const int rank = t->shape() ? static_cast<int>(t->shape()->size()) : 0;
    ASSERT_LE(rank, 6);
    for (int d = 0; d < rank; ++d) {
      ASSERT_GE(t->shape()->Get(static_cast<uint32_t>(d)), 1);
      numel *= t->shape()->Get(static_cast<uint32_t>(d));
    }
    const uint8_t* data = model.TensorData(i);
    if (t->buffer() == 0) {
      ASSERT_EQ(data, nullptr);
      continue;
    }
    ASSERT_NE(data, nullptr);
    const size_t bytes = g.buffers()->Get(t->buffer())->data()->size();
    ASSERT_GE(bytes, static_cast<size_t>(numel));
    ASSERT_TRUE(data >= begin && data + bytes <= end);
    for (size_t k = 0; k < bytes; ++k) checksum += data[k];
  }
  for (const auto* op : *g.operators()) {
    ASSERT_LE(static_cast<int>(op->type()), static_cast<int>(schema::OpType::ADD));
    for (const int t : *op->inputs()) ASSERT_TRUE(t == -1 || (t >= 0 && t < tensors));
    for (const int t : *op->outputs()) ASSERT_TRUE(t >= 0 && t < tensors);
  }
  for (const int t : *g.inputs()) ASSERT_TRUE(t >= 0 && t < tensors);
  for (const int t : *g.outputs()) ASSERT_TRUE(t >= 0 && t < tensors);
  ::testing::Test::RecordProperty("checksum", static_cast<int>(checksum & 0xffff));
}

// Verifies `bytes` both directly and through Model::FromBuffer; returns true
// if the model was accepted. Either way the outcome must be well-formed.
bool CheckDamaged(const uint8_t* data, size_t size, const std::string& what) {
  const auto copy = ExactCopy(data, size);
  const Status direct = VerifyModel(copy.get(), size);
  std::unique_ptr<Model> model;
  const Status loaded = Model::FromBuffer(copy.get(), size, &model);
  // (An empty buffer is an invalid argument to FromBuffer, a too-small model
  // to VerifyModel.)
  if (size > 0) {
    EXPECT_EQ(direct.code(), loaded.code()) << what;
  }
  if (!loaded.ok()) {
    EXPECT_FALSE(loaded.message().empty()) << what;
    EXPECT_EQ(model, nullptr) << what;
    return false;
  }
  EXPECT_NE(model, nullptr) << what;
  if (model) ExpectInvariants(*model);
  return true;
}

// A FlatBuffer may end in alignment padding that nothing references (the
// builder pads after the last string's terminator), so cutting only those
// zero bytes leaves the same, valid model. Any other cut must fail.
bool OnlyPaddingRemoved(const std::vector<uint8_t>& bytes, size_t len) {
  if (bytes.size() - len >= sizeof(flatbuffers::uoffset_t)) return false;
  return std::all_of(bytes.begin() + static_cast<std::ptrdiff_t>(len), bytes.end(),
                     [](uint8_t b) { return b == 0; });
}

void ExpectTruncationFails(const std::vector<uint8_t>& bytes, size_t len) {
  const bool accepted = CheckDamaged(bytes.data(), len, "truncated to " + std::to_string(len));
  if (!OnlyPaddingRemoved(bytes, len)) {
    EXPECT_FALSE(accepted) << "a model truncated to " << len << " of " << bytes.size()
                           << " bytes verified";
  }
}

void TruncationCorpus(const std::vector<uint8_t>& bytes, size_t stride, int* cases) {
  for (size_t len = 0; len < bytes.size();) {
    ++*cases;
    ExpectTruncationFails(bytes, len);
    len += len < 256 ? 1 : stride;
  }
}

TEST(LoaderCorpus, TruncatedAtEveryOffsetSmallModel) {
  const auto bytes = SmallExampleModel();
  int cases = 0;
  TruncationCorpus(bytes, 1, &cases);
  std::cout << "[ corpus   ] " << cases << " truncations of a " << bytes.size() << "-byte model\n";
}

TEST(LoaderCorpus, TruncatedLargeModel) {
  const auto bytes = BuildExampleModel(3);  // 32x32x16, ~100 KB
  int cases = 0;
  TruncationCorpus(bytes, 97, &cases);
  // And the last few bytes one by one.
  for (size_t cut = 1; cut <= 64; ++cut) {
    ++cases;
    ExpectTruncationFails(bytes, bytes.size() - cut);
  }
  std::cout << "[ corpus   ] " << cases << " truncations of a " << bytes.size() << "-byte model\n";
}

TEST(LoaderCorpus, TruncatedFiles) {
  const auto bytes = SmallExampleModel();
  const std::string path =
      ::testing::TempDir() + "octet_loader_truncated_" + std::to_string(getpid()) + ".octet";
  for (size_t len :
       {size_t{1}, size_t{7}, size_t{8}, size_t{64}, bytes.size() / 2, bytes.size() - 5}) {
    {
      std::ofstream f(path, std::ios::binary | std::ios::trunc);
      f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(len));
    }
    std::unique_ptr<Model> model;
    const Status s = Model::FromFile(path.c_str(), &model);
    EXPECT_EQ(s.code(), OCTET_ERROR_INVALID_MODEL) << len << ": " << s.message();
    EXPECT_NE(s.message().find(path), std::string::npos) << s.message();
  }
  std::remove(path.c_str());
}

TEST(LoaderCorpus, EveryByteInverted) {
  const auto bytes = SmallExampleModel();
  int accepted = 0;
  std::vector<uint8_t> damaged = bytes;
  for (size_t i = 0; i < bytes.size(); ++i) {
    damaged[i] = static_cast<uint8_t>(~bytes[i]);
    accepted += CheckDamaged(damaged.data(), damaged.size(), "byte " + std::to_string(i));
    damaged[i] = bytes[i];
  }
  std::cout << "[ corpus   ] " << bytes.size() << " single-byte inversions, " << accepted
            << " still verify\n";
  EXPECT_LT(accepted, static_cast<int>(bytes.size()));
}

// Seeded random damage: 1-4 changes per case, each an XOR with a random
// non-zero byte, a special byte value, or a special 32-bit word at an
// aligned offset (to hit offsets, lengths and counts).
void RandomDamageCorpus(const std::vector<uint8_t>& bytes, uint32_t seed, int count,
                        int* accepted) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<size_t> position(0, bytes.size() - 1);
  std::uniform_int_distribution<int> changes(1, 4), kind(0, 2), byte(1, 255);
  const uint8_t kSpecialBytes[] = {0x00, 0xff, 0x80, 0x7f, 0x01};
  const uint32_t kSpecialWords[] = {0,
                                    1,
                                    0x7fffffffu,
                                    0x80000000u,
                                    0xffffffffu,
                                    0xfffffffcu,
                                    static_cast<uint32_t>(bytes.size()),
                                    static_cast<uint32_t>(bytes.size() - 4)};
  std::vector<uint8_t> damaged;
  for (int n = 0; n < count; ++n) {
    damaged = bytes;
    std::string what = "seed " + std::to_string(seed) + " case " + std::to_string(n) + ":";
    for (int k = changes(rng); k > 0; --k) {
      const size_t at = position(rng);
      switch (kind(rng)) {
        case 0:
          damaged[at] ^= static_cast<uint8_t>(byte(rng));
          break;
        case 1:
          damaged[at] = kSpecialBytes[rng() % sizeof(kSpecialBytes)];
          break;
        default: {
          const size_t word = std::min(at & ~size_t{3}, bytes.size() - 4);
          const uint32_t v = kSpecialWords[rng() % (sizeof(kSpecialWords) / 4)];
          std::memcpy(&damaged[word], &v, 4);  // little-endian, as the format
          break;
        }
      }
      what += " @" + std::to_string(at);
    }
    *accepted += CheckDamaged(damaged.data(), damaged.size(), what);
  }
}

TEST(LoaderCorpus, RandomDamageSmallModel) {
  const auto bytes = SmallExampleModel();
  constexpr int kCases = 6000;
  int accepted = 0;
  RandomDamageCorpus(bytes, 20240601, kCases, &accepted);
  std::cout << "[ corpus   ] " << kCases << " random damages of a " << bytes.size()
            << "-byte model, " << accepted << " still verify\n";
  EXPECT_LT(accepted, kCases);
  EXPECT_GT(accepted, 0) << "damage to weight values alone should sometimes keep a valid model";
}

TEST(LoaderCorpus, RandomDamageOtherShapes) {
  int accepted = 0, cases = 0;
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    const auto bytes = BuildExampleModel(seed, 3 + seed, 5, seed, 2);
    RandomDamageCorpus(bytes, seed, 500, &accepted);
    cases += 500;
  }
  std::cout << "[ corpus   ] " << cases << " random damages of 4 more models, " << accepted
            << " still verify\n";
}

}  // namespace
}  // namespace testing
}  // namespace octet
