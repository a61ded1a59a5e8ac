// Helpers shared by the loader tests: pack/unpack models, find tensors.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model.h"
#include "model_builder.h"
#include "octet/schema/octet_generated.h"
#include "status.h"
#include "verifier.h"

namespace octet {
namespace testing {

// The loader lives in octet::rt (runtime internals).
using rt::Model;
using rt::Status;
using rt::VerifyModel;

// The example model small enough that the corpus tests stay fast:
// 8x8x3 input, 4 channels, 3 classes (six ops: conv/dw/conv/add/conv/fc).
inline std::vector<uint8_t> SmallExampleModel(uint32_t seed = 7) {
  return BuildExampleModel(seed, 8, 8, 4, 3);
}

inline std::unique_ptr<schema::ModelT> Unpack(const std::vector<uint8_t>& bytes) {
  return schema::UnPackModel(bytes.data());
}

inline std::vector<uint8_t> Pack(const schema::ModelT& model) {
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(schema::Model::Pack(fbb, &model), schema::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

inline Status Verify(const std::vector<uint8_t>& bytes) {
  return VerifyModel(bytes.data(), bytes.size());
}

// Index of the tensor called `name`; fails the test if there is none.
inline int FindTensor(const schema::ModelT& model, const std::string& name) {
  for (size_t i = 0; i < model.tensors.size(); ++i) {
    if (model.tensors[i]->name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no tensor named " << name;
  return 0;
}

inline int FindOperator(const schema::ModelT& model, const std::string& name) {
  for (size_t i = 0; i < model.operators.size(); ++i) {
    if (model.operators[i]->name == name) return static_cast<int>(i);
  }
  ADD_FAILURE() << "no operator named " << name;
  return 0;
}

inline const char* CodeName(octet_status code) {
  switch (code) {
    case OCTET_OK:
      return "OK";
    case OCTET_ERROR_INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case OCTET_ERROR_IO:
      return "IO";
    case OCTET_ERROR_INVALID_MODEL:
      return "INVALID_MODEL";
    case OCTET_ERROR_UNSUPPORTED:
      return "UNSUPPORTED";
    case OCTET_ERROR_OUT_OF_MEMORY:
      return "OUT_OF_MEMORY";
    case OCTET_ERROR_ARENA_TOO_SMALL:
      return "ARENA_TOO_SMALL";
    case OCTET_ERROR_INTERNAL:
      return "INTERNAL";
  }
  return "?";
}

}  // namespace testing
}  // namespace octet
