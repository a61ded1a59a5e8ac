// The XNNPACK backend in a build without XNNPACK: requesting it is an error.
#include "xnnpack_backend.h"

namespace octet::rt {

class XnnpackContext {};

bool XnnpackBuilt() { return false; }

Status CreateXnnpackContext(int, std::shared_ptr<XnnpackContext>*) {
  return Status::Unsupported(
      "the XNNPACK backend was not built into this library (configure with "
      "OCTET_WITH_XNNPACK=ON and libxnnpack-dev, libpthreadpool-dev installed)");
}

Status PrepareXnnpackOp(const Model&, int, std::vector<octet_tensor>&, XnnpackContext*,
                        std::unique_ptr<PreparedOp>* out) {
  out->reset();
  return Status::Ok();
}

}  // namespace octet::rt
