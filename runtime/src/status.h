// Status values for the runtime's internals (no exceptions cross the API).
#pragma once

#include <string>
#include <utility>

#include "octet/octet.h"

namespace octet::rt {

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Error(octet_status code, std::string message) {
    Status s;
    s.code_ = code;
    s.message_ = std::move(message);
    return s;
  }
  static Status InvalidModel(std::string message) {
    return Error(OCTET_ERROR_INVALID_MODEL, std::move(message));
  }
  static Status Unsupported(std::string message) {
    return Error(OCTET_ERROR_UNSUPPORTED, std::move(message));
  }
  static Status InvalidArgument(std::string message) {
    return Error(OCTET_ERROR_INVALID_ARGUMENT, std::move(message));
  }

  bool ok() const { return code_ == OCTET_OK; }
  octet_status code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  octet_status code_ = OCTET_OK;
  std::string message_;
};

}  // namespace octet::rt

#define OCTET_RETURN_IF_ERROR(expr)          \
  do {                                       \
    ::octet::rt::Status _octet_status = (expr);  \
    if (!_octet_status.ok()) return _octet_status; \
  } while (0)

// Debug-only invariant checks; they compile out in release builds.
#ifndef NDEBUG
#include <cassert>
#define OCTET_DCHECK(cond) assert(cond)
#else
#define OCTET_DCHECK(cond) ((void)0)
#endif
