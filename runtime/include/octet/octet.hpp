// Thin C++17 wrapper over the octet C API: RAII handles, no exceptions.
//
//   octet::Model model;
//   if (!model.LoadFile("m.octet")) { std::cerr << octet::LastError(); }
//   octet::Interpreter interp;
//   if (!interp.Create(model)) { std::cerr << octet::LastError(); }
//   interp.input(0).CopyFrom(data, size);
//   interp.Invoke();
//   interp.output(0).CopyTo(out, out_size);
#ifndef OCTET_OCTET_HPP_
#define OCTET_OCTET_HPP_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "octet/octet.h"

namespace octet {

// A status code with a boolean test: `if (!status) ...`.
class Status {
 public:
  Status(octet_status code = OCTET_OK) : code_(code) {}  // NOLINT: implicit by design
  explicit operator bool() const { return code_ == OCTET_OK; }
  octet_status code() const { return code_; }
  const char* name() const { return octet_status_name(code_); }

 private:
  octet_status code_;
};

inline const char* LastError() { return octet_last_error(); }

class Model {
 public:
  Model() = default;
  ~Model() { octet_model_destroy(model_); }
  Model(Model&& other) noexcept : model_(std::exchange(other.model_, nullptr)) {}
  Model& operator=(Model&& other) noexcept {
    std::swap(model_, other.model_);
    return *this;
  }
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  Status LoadFile(const char* path) { return Reset(octet_model_load_file(path, &fresh_)); }
  // The buffer must outlive the Model.
  Status LoadBuffer(const void* data, size_t size) {
    return Reset(octet_model_load_buffer(data, size, &fresh_));
  }
  const octet_model* get() const { return model_; }

 private:
  Status Reset(octet_status status) {
    if (status == OCTET_OK) {
      octet_model_destroy(model_);
      model_ = fresh_;
    }
    fresh_ = nullptr;
    return status;
  }
  octet_model* model_ = nullptr;
  octet_model* fresh_ = nullptr;
};

// A non-owning view of a tensor; valid while its Interpreter lives.
class Tensor {
 public:
  explicit Tensor(octet_tensor* tensor = nullptr) : t_(tensor) {}
  bool valid() const { return t_ != nullptr; }
  const char* name() const { return octet_tensor_name(t_); }
  octet_type type() const { return octet_tensor_type(t_); }
  std::vector<int32_t> shape() const {
    std::vector<int32_t> dims(octet_tensor_num_dims(t_));
    for (size_t i = 0; i < dims.size(); ++i) dims[i] = octet_tensor_dim(t_, static_cast<int>(i));
    return dims;
  }
  size_t byte_size() const { return octet_tensor_byte_size(t_); }
  float scale() const { return octet_tensor_scale(t_); }
  int32_t zero_point() const { return octet_tensor_zero_point(t_); }
  Status CopyFrom(const void* data, size_t size) {
    return octet_tensor_copy_from_buffer(t_, data, size);
  }
  Status CopyTo(void* data, size_t size) const {
    return octet_tensor_copy_to_buffer(t_, data, size);
  }

 private:
  octet_tensor* t_;
};

class Interpreter {
 public:
  Interpreter() = default;
  ~Interpreter() { octet_interpreter_destroy(interp_); }
  Interpreter(Interpreter&& other) noexcept : interp_(std::exchange(other.interp_, nullptr)) {}
  Interpreter& operator=(Interpreter&& other) noexcept {
    std::swap(interp_, other.interp_);
    return *this;
  }
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // The model must outlive the interpreter. options may be null.
  Status Create(const Model& model, const octet_interpreter_options* options = nullptr) {
    octet_interpreter* fresh = nullptr;
    const octet_status status = octet_interpreter_create(model.get(), options, &fresh);
    if (status == OCTET_OK) {
      octet_interpreter_destroy(interp_);
      interp_ = fresh;
    }
    return status;
  }
  int input_count() const { return octet_interpreter_input_count(interp_); }
  int output_count() const { return octet_interpreter_output_count(interp_); }
  // An invalid Tensor (valid() == false) when the index is out of range.
  Tensor input(int i) {
    octet_tensor* t = nullptr;
    return Tensor(octet_interpreter_input(interp_, i, &t) == OCTET_OK ? t : nullptr);
  }
  Tensor output(int i) {
    octet_tensor* t = nullptr;
    return Tensor(octet_interpreter_output(interp_, i, &t) == OCTET_OK ? t : nullptr);
  }
  Status Invoke() { return octet_interpreter_invoke(interp_); }
  const char* error() const { return octet_interpreter_error(interp_); }
  size_t arena_bytes() const { return octet_interpreter_arena_bytes(interp_); }
  size_t persistent_bytes() const { return octet_interpreter_persistent_bytes(interp_); }
  const char* isa() const { return octet_interpreter_isa(interp_); }
  octet_interpreter* get() { return interp_; }

 private:
  octet_interpreter* interp_ = nullptr;
};

}  // namespace octet

#endif  // OCTET_OCTET_HPP_
