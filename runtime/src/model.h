// A loaded, verified model file: the bytes and a typed view of them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "octet/schema/octet_generated.h"
#include "status.h"

// Runtime internals live in octet::rt; the public C++ wrapper (octet/octet.hpp) owns
// the names octet::Model, octet::Interpreter, octet::Status.
namespace octet::rt {

// Theory of operation: a Model owns (or borrows) the bytes of one .octet file
// and guarantees, once constructed, that they passed VerifyModel(): the
// FlatBuffers structure is sound and every rule the interpreter relies on
// holds (see verifier.h). Afterwards nothing re-checks the file.
//
// Lifetime: FromFile maps the file read-only and unmaps it in the destructor.
// FromBuffer borrows the caller's bytes (which must outlive the Model) when
// they are 64-byte aligned, and otherwise keeps an aligned private copy.
class Model {
 public:
  static Status FromFile(const char* path, std::unique_ptr<Model>* out);
  static Status FromBuffer(const void* data, size_t size, std::unique_ptr<Model>* out);
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  const schema::Model& graph() const { return *graph_; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // Constant bytes of tensor `index`, or nullptr for an activation.
  const uint8_t* TensorData(int index) const;

 private:
  Model() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  const schema::Model* graph_ = nullptr;
  void* mapping_ = nullptr;  // mmap'ed region, if any
  size_t mapping_size_ = 0;
  std::unique_ptr<uint8_t[], void (*)(uint8_t*)> owned_{nullptr, nullptr};
};

}  // namespace octet::rt
