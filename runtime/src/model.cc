// Loading a model: map or adopt the bytes, verify them, expose a typed view.
#include "model.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <new>
#include <string>

#include "verifier.h"

namespace octet::rt {
namespace {

// FlatBuffers aligns `force_align: 64` vectors relative to the buffer start,
// so the buffer itself must start on a 64-byte boundary for in-place use.
constexpr size_t kAlignment = 64;

// strerror_r comes in a GNU flavour (returns char*) and an XSI one (returns
// int); these overloads accept either, and unlike strerror both are
// thread-safe.
[[maybe_unused]] std::string StrerrorResult(int rc, const char* buffer) {
  return rc == 0 ? std::string(buffer) : std::string("unknown error");
}
[[maybe_unused]] std::string StrerrorResult(const char* message, const char*) {
  return message ? std::string(message) : std::string("unknown error");
}

std::string ErrnoMessage(int error) {
  char buffer[256] = {};
  return StrerrorResult(strerror_r(error, buffer, sizeof(buffer)), buffer);
}

Status IoError(const char* what, const char* path, const std::string& reason) {
  return Status::Error(OCTET_ERROR_IO,
                       std::string(what) + " model file \"" + path + "\": " + reason);
}

void FreeAligned(uint8_t* p) { ::operator delete[](p, std::align_val_t(kAlignment)); }

// Closes a file descriptor on every return path.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  ~FileDescriptor() {
    if (fd_ >= 0) close(fd_);
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Status Model::FromFile(const char* path, std::unique_ptr<Model>* out) {
  if (!path || !out) return Status::InvalidArgument("model path and output must not be null");
  out->reset();
  // O_NONBLOCK keeps open() from waiting on a FIFO; it changes nothing for
  // regular files, and anything else is rejected below.
  FileDescriptor fd(open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return IoError("cannot open", path, ErrnoMessage(errno));
  struct stat info;
  if (fstat(fd.get(), &info) != 0) return IoError("cannot stat", path, ErrnoMessage(errno));
  if (S_ISDIR(info.st_mode)) return IoError("cannot load", path, "it is a directory");
  if (!S_ISREG(info.st_mode)) return IoError("cannot load", path, "not a regular file");
  if (info.st_size == 0) return IoError("cannot load", path, "the file is empty");
  const size_t size = static_cast<size_t>(info.st_size);
  if (static_cast<uint64_t>(info.st_size) > (uint64_t{1} << 31)) {
    return Status::InvalidModel(std::string("model file \"") + path + "\" is " +
                                std::to_string(info.st_size) +
                                " bytes, larger than the format's 2 GiB limit");
  }

  void* mapping = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  if (mapping == MAP_FAILED) return IoError("cannot map", path, ErrnoMessage(errno));
  // Constructed before verifying so the destructor unmaps on failure.
  std::unique_ptr<Model> model(new (std::nothrow) Model());
  if (!model) {
    munmap(mapping, size);
    return Status::Error(OCTET_ERROR_OUT_OF_MEMORY, "out of memory loading a model");
  }
  model->mapping_ = mapping;
  model->mapping_size_ = size;
  model->data_ = static_cast<const uint8_t*>(mapping);
  model->size_ = size;

  Status status = VerifyModel(model->data_, size);
  if (!status.ok()) {
    return Status::Error(status.code(),
                         std::string("model file \"") + path + "\": " + status.message());
  }
  model->graph_ = schema::GetModel(model->data_);
  *out = std::move(model);
  return Status::Ok();
}

Status Model::FromBuffer(const void* data, size_t size, std::unique_ptr<Model>* out) {
  if (!out) return Status::InvalidArgument("model output must not be null");
  out->reset();
  if (!data) return Status::InvalidArgument("model buffer is null");
  if (size == 0) return Status::InvalidArgument("model buffer is empty (size 0)");

  std::unique_ptr<Model> model(new (std::nothrow) Model());
  if (!model) return Status::Error(OCTET_ERROR_OUT_OF_MEMORY, "out of memory loading a model");
  const uint8_t* bytes = static_cast<const uint8_t*>(data);
  if (reinterpret_cast<uintptr_t>(bytes) % kAlignment != 0) {
    // Rejects oversized buffers before copying them; VerifyModel says why.
    if (size > (size_t{1} << 31)) return VerifyModel(bytes, size);
    uint8_t* copy =
        static_cast<uint8_t*>(::operator new[](size, std::align_val_t(kAlignment), std::nothrow));
    if (!copy) {
      return Status::Error(
          OCTET_ERROR_OUT_OF_MEMORY,
          "out of memory copying a " + std::to_string(size) + "-byte model to an aligned buffer");
    }
    std::memcpy(copy, bytes, size);
    model->owned_ = std::unique_ptr<uint8_t[], void (*)(uint8_t*)>(copy, &FreeAligned);
    bytes = copy;
  }
  model->data_ = bytes;
  model->size_ = size;
  OCTET_RETURN_IF_ERROR(VerifyModel(bytes, size));
  model->graph_ = schema::GetModel(bytes);
  *out = std::move(model);
  return Status::Ok();
}

Model::~Model() {
  if (mapping_) munmap(mapping_, mapping_size_);
}

const uint8_t* Model::TensorData(int index) const {
  const auto* tensors = graph_->tensors();
  OCTET_DCHECK(index >= 0 && static_cast<uint32_t>(index) < tensors->size());
  if (index < 0 || static_cast<uint32_t>(index) >= tensors->size()) return nullptr;
  const uint32_t buffer = tensors->Get(static_cast<uint32_t>(index))->buffer();
  if (buffer == 0) return nullptr;
  // Verified: buffer is in range and holds exactly the tensor's bytes (>= 1).
  return graph_->buffers()->Get(buffer)->data()->data();
}

}  // namespace octet::rt
