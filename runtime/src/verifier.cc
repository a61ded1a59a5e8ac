// Load-time checks of an untrusted .octet file: structure, then meaning.
//
// The checks run in layers, each relying on the ones before it:
//   1. size and file identifier (cheap, and the clearest message for a file
//      that is not a model at all);
//   2. the FlatBuffers verifier: every offset, vector and string in bounds;
//   3. model-level fields: version, buffers, index ranges;
//   4. every tensor on its own: shape, type, byte size, constant data size,
//      quantization;
//   5. the graph in execution order: write-once activations, reads after
//      writes, then one small check function per operator type.
// After this, the interpreter reads the file without any check, so every
// rule it relies on has to be enforced here.
#include "verifier.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <locale>
#include <sstream>
#include <string>
#include <vector>

#include "kernels/reference.h"
#include "kernels/reference_ops.h"
#include "kernels/requant.h"
#include "octet/schema/octet_generated.h"

namespace octet::rt {
namespace {

using schema::Tensor;
using schema::TensorType;

constexpr uint32_t kFormatVersion = 1;
constexpr int kMaxRank = 6;
// Bytes of one tensor: indices and sizes must fit in int32 everywhere.
constexpr int64_t kMaxTensorBytes = std::numeric_limits<int32_t>::max();
// flatbuffers::Verifier requires size < FLATBUFFERS_MAX_BUFFER_SIZE (2^31 - 1).
constexpr size_t kMaxModelBytes = FLATBUFFERS_MAX_BUFFER_SIZE - 1;
// The file format nests at most ~6 deep (Model > Metadata > Preprocessing >
// vector); leave room for additions while bounding the verifier's recursion.
constexpr flatbuffers::uoffset_t kMaxDepth = 32;
constexpr flatbuffers::uoffset_t kMaxTables = 1000000;

// Concatenates values into a message (classic locale: no digit grouping).
template <typename... Args>
std::string Cat(const Args&... args) {
  std::ostringstream s;
  s.imbue(std::locale::classic());
  (s << ... << args);
  return s.str();
}

// Quotes a name from the file for a message: printable ASCII kept, anything
// else escaped, long names shortened (the file is untrusted).
std::string Quote(const char* text, size_t length) {
  constexpr size_t kMaxShown = 80;
  std::string out = "\"";
  for (size_t i = 0; i < length && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (length > kMaxShown) out += "...";
  out += '"';
  return out;
}

std::string Quote(const flatbuffers::String* s) {
  return s ? Quote(s->c_str(), s->size()) : std::string("\"\"");
}

size_t ElementSize(TensorType type) {
  switch (type) {
    case TensorType::FLOAT32:
      return 4;
    case TensorType::INT8:
      return 1;
    case TensorType::INT32:
      return 4;
    case TensorType::UINT8:
      return 1;
    case TensorType::INT16:
      return 2;
  }
  return 0;
}

bool KnownTensorType(TensorType type) { return type >= TensorType::MIN && type <= TensorType::MAX; }

std::string TypeName(TensorType type) {
  if (!KnownTensorType(type)) return Cat("type ", static_cast<int>(type));
  return schema::EnumNameTensorType(type);
}

// Zero-point range of each quantized type.
void ZeroPointRange(TensorType type, int64_t* lo, int64_t* hi) {
  switch (type) {
    case TensorType::INT8:
      *lo = -128;
      *hi = 127;
      return;
    case TensorType::UINT8:
      *lo = 0;
      *hi = 255;
      return;
    case TensorType::INT16:
      *lo = -32768;
      *hi = 32767;
      return;
    default:
      *lo = std::numeric_limits<int32_t>::min();
      *hi = std::numeric_limits<int32_t>::max();
      return;
  }
}

// Read-only view of the model with the helpers every check shares. Valid
// only after the FlatBuffers verifier and CheckModelFields() succeeded.
class Checker {
 public:
  explicit Checker(const schema::Model& model)
      : model_(model), tensors_(*model.tensors()), buffers_(*model.buffers()) {}

  Status Run();

 private:
  // --- model-level and per-tensor rules ---
  Status CheckTensor(int index);
  Status CheckQuantization(int index);
  Status CheckGraph();
  Status CheckOperatorIndices(int op_index, const schema::Operator& op);

  // --- per operator type ---
  Status CheckOperator(int op_index, const schema::Operator& op);
  Status CheckConv2D(const std::string& where, const schema::Operator& op);
  Status CheckDepthwiseConv2D(const std::string& where, const schema::Operator& op);
  Status CheckFullyConnected(const std::string& where, const schema::Operator& op);
  Status CheckAdd(const std::string& where, const schema::Operator& op);
  Status CheckMul(const std::string& where, const schema::Operator& op);
  Status CheckPool2D(const std::string& where, const schema::Operator& op, bool average);
  Status CheckGlobalAveragePool2D(const std::string& where, const schema::Operator& op);
  Status CheckConcatenation(const std::string& where, const schema::Operator& op);
  Status CheckReshape(const std::string& where, const schema::Operator& op);
  Status CheckTranspose(const std::string& where, const schema::Operator& op);
  Status CheckPad(const std::string& where, const schema::Operator& op);
  Status CheckSlice(const std::string& where, const schema::Operator& op);
  Status CheckResizeNearest(const std::string& where, const schema::Operator& op);
  Status CheckSoftmax(const std::string& where, const schema::Operator& op);
  Status CheckLookupTable(const std::string& where, const schema::Operator& op);
  Status CheckPRelu(const std::string& where, const schema::Operator& op);
  Status CheckQuantize(const std::string& where, const schema::Operator& op);
  Status CheckDequantize(const std::string& where, const schema::Operator& op);
  Status CheckRequantize(const std::string& where, const schema::Operator& op);

  // --- helpers for operator checks ---
  struct Spatial {
    int64_t stride_h, stride_w, dilation_h, dilation_w;
    int64_t pad_top, pad_left, pad_bottom, pad_right;
  };
  template <typename Options>
  static Spatial SpatialOf(const Options& o) {
    return {o.stride_h(), o.stride_w(), o.dilation_h(), o.dilation_w(),
            o.pad_top(),  o.pad_left(), o.pad_bottom(), o.pad_right()};
  }
  Status CheckArity(const std::string& where, const schema::Operator& op, size_t inputs,
                    size_t outputs, bool last_input_optional) const;
  Status CheckInt8Activation(const std::string& where, const char* role, int index, int rank) const;
  Status CheckFloatActivation(const std::string& where, const char* role, int index) const;
  Status CheckBroadcast(const std::string& where, int a, int b, int y) const;
  Status CheckSameShape(const std::string& where, int x, int y) const;
  Status CheckSameQuantization(const std::string& where, int x, int y) const;
  Status CheckConstantTable(const std::string& where, const char* role, int index,
                            TensorType type) const;
  Status CheckMultiplier(const std::string& where, const std::string& what, double m,
                         int64_t bound) const;
  Status CheckWeights(const std::string& where, int index, const std::vector<int64_t>& shape,
                      int channel_dim, const char* channel_name) const;
  Status CheckBias(const std::string& where, int index, int64_t channels) const;
  Status CheckSpatial(const std::string& where, const Spatial& s, int64_t in_h, int64_t in_w,
                      int64_t kernel_h, int64_t kernel_w, int64_t out_h, int64_t out_w) const;
  Status CheckRequant(const std::string& where, int input, int weights, int output,
                      int64_t channels) const;
  Status CheckFusedActivation(const std::string& where, schema::Activation activation,
                              float clamp_min, float clamp_max) const;
  template <typename Options>
  Status GetOptions(const std::string& where, const schema::Operator& op,
                    schema::OpOptions expected, bool required, const Options** options) const;

  static std::string OpWhere(int op_index, const schema::Operator& op) {
    const schema::OpType type = op.type();
    const bool known = type >= schema::OpType::MIN && type <= schema::OpType::MAX;
    return Cat("operator ", op_index, " ",
               known ? std::string(schema::EnumNameOpType(type))
                     : Cat("(type ", static_cast<int>(type), ")"),
               " ", Quote(op.name()));
  }
  const Tensor& T(int index) const {
    return *tensors_.Get(static_cast<flatbuffers::uoffset_t>(index));
  }
  static int Rank(const Tensor& t) { return t.shape() ? static_cast<int>(t.shape()->size()) : 0; }
  static int64_t Dim(const Tensor& t, int d) {
    return t.shape()->Get(static_cast<flatbuffers::uoffset_t>(d));
  }
  static int64_t NumElements(const Tensor& t) {
    int64_t n = 1;
    for (int d = 0; d < Rank(t); ++d) n *= Dim(t, d);
    return n;
  }
  static bool IsConstant(const Tensor& t) { return t.buffer() != 0; }
  static size_t ScaleCount(const Tensor& t) {
    return t.quantization() && t.quantization()->scale() ? t.quantization()->scale()->size() : 0;
  }
  // Scale of channel c (per-tensor scales apply to every channel).
  static float Scale(const Tensor& t, int64_t c) {
    const auto* s = t.quantization()->scale();
    return s->Get(s->size() == 1 ? 0 : static_cast<flatbuffers::uoffset_t>(c));
  }
  static int32_t ZeroPoint(const Tensor& t) {
    const auto* q = t.quantization();
    return q && q->zero_point() && q->zero_point()->size() > 0 ? q->zero_point()->Get(0) : 0;
  }
  std::string Describe(int index) const {
    return Cat("tensor ", index, " ", Quote(T(index).name()));
  }
  static std::string ShapeString(const Tensor& t) {
    std::string s = "[";
    for (int d = 0; d < Rank(t); ++d) s += Cat(d ? "," : "", Dim(t, d));
    return s + "]";
  }
  static std::string ShapeString(const std::vector<int64_t>& shape) {
    std::string s = "[";
    for (size_t d = 0; d < shape.size(); ++d) s += Cat(d ? "," : "", shape[d]);
    return s + "]";
  }

  const schema::Model& model_;
  const flatbuffers::Vector<flatbuffers::Offset<Tensor>>& tensors_;
  const flatbuffers::Vector<flatbuffers::Offset<schema::Buffer>>& buffers_;
};

Status Checker::Run() {
  for (flatbuffers::uoffset_t i = 0; i < tensors_.size(); ++i) {
    OCTET_RETURN_IF_ERROR(CheckTensor(static_cast<int>(i)));
  }
  return CheckGraph();
}

Status Checker::CheckTensor(int index) {
  const Tensor& t = T(index);
  const std::string what = Describe(index);
  if (!KnownTensorType(t.type())) {
    return Status::InvalidModel(Cat(what, ": unknown tensor type ", static_cast<int>(t.type())));
  }
  const int rank = Rank(t);
  if (rank > kMaxRank) {
    return Status::InvalidModel(Cat(what, ": rank ", rank, " exceeds the maximum of ", kMaxRank));
  }
  const int64_t element_size = static_cast<int64_t>(ElementSize(t.type()));
  int64_t numel = 1;
  for (int d = 0; d < rank; ++d) {
    const int64_t dim = Dim(t, d);
    if (dim < 1) {
      return Status::InvalidModel(
          Cat(what, ": dimension ", d, " is ", dim, ", every dimension must be >= 1"));
    }
    // numel <= 2^31 and dim < 2^31 here, so the product cannot overflow.
    numel *= dim;
    if (numel * element_size > kMaxTensorBytes) {
      return Status::InvalidModel(Cat(what, ": shape ", ShapeString(t), " of ", TypeName(t.type()),
                                      " is larger than ", kMaxTensorBytes, " bytes"));
    }
  }
  const int64_t bytes = numel * element_size;
  if (t.buffer() >= buffers_.size()) {
    return Status::InvalidModel(Cat(what, ": buffer index ", t.buffer(),
                                    " out of range (model has ", buffers_.size(), " buffers)"));
  }
  if (IsConstant(t)) {
    const auto* data = buffers_.Get(t.buffer())->data();
    const int64_t size = data ? static_cast<int64_t>(data->size()) : 0;
    if (size != bytes) {
      return Status::InvalidModel(Cat(what, ": buffer ", t.buffer(), " holds ", size,
                                      " bytes, expected ", bytes, " (shape ", ShapeString(t),
                                      " of ", TypeName(t.type()), ")"));
    }
  }
  OCTET_RETURN_IF_ERROR(CheckQuantization(index));
  if (!IsConstant(t) && t.type() == TensorType::INT8 && ScaleCount(t) != 1) {
    return Status::InvalidModel(
        Cat(what, ": an int8 activation needs exactly one scale, it has ", ScaleCount(t)));
  }
  return Status::Ok();
}

Status Checker::CheckQuantization(int index) {
  const Tensor& t = T(index);
  const schema::Quantization* q = t.quantization();
  if (!q) return Status::Ok();
  const std::string what = Describe(index);
  const size_t scales = q->scale() ? q->scale()->size() : 0;
  const size_t zero_points = q->zero_point() ? q->zero_point()->size() : 0;
  if (scales == 0 && zero_points == 0) return Status::Ok();  // an empty table: not quantized
  if (scales == 0) {
    return Status::InvalidModel(Cat(what, ": has ", zero_points, " zero points but no scales"));
  }
  for (size_t i = 0; i < scales; ++i) {
    const float s = q->scale()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (!std::isfinite(s) || !(s > 0.0f)) {
      return Status::InvalidModel(
          Cat(what, ": scale[", i, "] is ", s, ", scales must be finite and > 0"));
    }
  }
  if (zero_points != 0 && zero_points != scales) {
    return Status::InvalidModel(Cat(what, ": has ", zero_points, " zero points for ", scales,
                                    " scales (expected as many, or none for all 0)"));
  }
  int64_t lo = 0, hi = 0;
  ZeroPointRange(t.type(), &lo, &hi);
  for (size_t i = 0; i < zero_points; ++i) {
    const int64_t z = q->zero_point()->Get(static_cast<flatbuffers::uoffset_t>(i));
    if (z < lo || z > hi) {
      return Status::InvalidModel(Cat(what, ": zero_point[", i, "] is ", z, ", outside the ",
                                      TypeName(t.type()), " range [", lo, ", ", hi, "]"));
    }
  }
  const int qdim = q->quantized_dimension();
  if (qdim == -1) {
    if (scales != 1) {
      return Status::InvalidModel(
          Cat(what, ": has ", scales, " scales but quantized_dimension -1 (per tensor) needs 1"));
    }
    return Status::Ok();
  }
  const int rank = Rank(t);
  if (qdim < 0 || qdim >= rank) {
    return Status::InvalidModel(Cat(what, ": quantized_dimension ", qdim,
                                    " is not -1 or an axis of the rank-", rank, " shape"));
  }
  if (scales != 1 && static_cast<int64_t>(scales) != Dim(t, qdim)) {
    return Status::InvalidModel(Cat(what, ": has ", scales, " scales, expected 1 or ", Dim(t, qdim),
                                    " (one per index of quantized_dimension ", qdim, ")"));
  }
  return Status::Ok();
}

// Data flow, in execution order. `writer[t]` remembers who wrote activation
// t: kUnwritten, kModelInput or the operator index.
Status Checker::CheckGraph() {
  constexpr int kUnwritten = -2, kModelInput = -1;
  const int num_tensors = static_cast<int>(tensors_.size());
  std::vector<int> writer(tensors_.size(), kUnwritten);

  auto check_model_io = [&](const flatbuffers::Vector<int32_t>& list, const char* what) {
    for (flatbuffers::uoffset_t i = 0; i < list.size(); ++i) {
      const int t = list.Get(i);
      if (t < 0 || t >= num_tensors) {
        return Status::InvalidModel(Cat("model ", what, " ", i, " is tensor ", t,
                                        ", out of range (model has ", num_tensors, " tensors)"));
      }
      if (IsConstant(T(t))) {
        return Status::InvalidModel(
            Cat("model ", what, " ", i, " is constant ", Describe(t),
                "; model inputs and outputs must be activations (buffer 0)"));
      }
    }
    return Status::Ok();
  };
  OCTET_RETURN_IF_ERROR(check_model_io(*model_.inputs(), "input"));
  OCTET_RETURN_IF_ERROR(check_model_io(*model_.outputs(), "output"));

  for (flatbuffers::uoffset_t i = 0; i < model_.inputs()->size(); ++i) {
    const int t = model_.inputs()->Get(i);
    if (writer[t] != kUnwritten) {
      return Status::InvalidModel(
          Cat(Describe(t), " is listed twice as a model input (an activation is written once)"));
    }
    writer[t] = kModelInput;
  }

  const auto& ops = *model_.operators();
  for (flatbuffers::uoffset_t i = 0; i < ops.size(); ++i) {
    const int op_index = static_cast<int>(i);
    const schema::Operator& op = *ops.Get(i);
    OCTET_RETURN_IF_ERROR(CheckOperatorIndices(op_index, op));
    const std::string where = OpWhere(op_index, op);
    // Reads: every activation input was written by a model input or an
    // earlier operator.
    for (flatbuffers::uoffset_t k = 0; k < op.inputs()->size(); ++k) {
      const int t = op.inputs()->Get(k);
      if (t < 0 || IsConstant(T(t)) || writer[t] != kUnwritten) continue;
      bool own_output = false;
      for (flatbuffers::uoffset_t j = 0; j < op.outputs()->size(); ++j) {
        own_output = own_output || op.outputs()->Get(j) == t;
      }
      if (own_output) {
        return Status::InvalidModel(Cat(where, ": input ", k, " is its own output ", Describe(t)));
      }
      return Status::InvalidModel(Cat(where, ": input ", k, " reads activation ", Describe(t),
                                      " before it is written (no model input or earlier operator "
                                      "produces it)"));
    }
    // Writes: each activation once.
    for (flatbuffers::uoffset_t k = 0; k < op.outputs()->size(); ++k) {
      const int t = op.outputs()->Get(k);
      if (IsConstant(T(t))) {
        return Status::InvalidModel(Cat(where, ": output ", k, " is constant ", Describe(t),
                                        "; operator outputs must be activations (buffer 0)"));
      }
      if (writer[t] != kUnwritten) {
        const std::string first = writer[t] == kModelInput
                                      ? std::string("it is a model input")
                                      : Cat("operator ", writer[t], " already writes it");
        return Status::InvalidModel(Cat(where, ": output ", k, " writes ", Describe(t),
                                        " a second time (", first,
                                        "; an activation is written once)"));
      }
      writer[t] = op_index;
    }
    OCTET_RETURN_IF_ERROR(CheckOperator(op_index, op));
  }

  for (flatbuffers::uoffset_t i = 0; i < model_.outputs()->size(); ++i) {
    const int t = model_.outputs()->Get(i);
    if (writer[t] == kUnwritten) {
      return Status::InvalidModel(Cat("model output ", i, " is ", Describe(t),
                                      ", which no model input or operator writes"));
    }
  }
  return Status::Ok();
}

Status Checker::CheckOperatorIndices(int op_index, const schema::Operator& op) {
  const int num_tensors = static_cast<int>(tensors_.size());
  if (!op.inputs() || !op.outputs()) {
    return Status::InvalidModel(
        Cat(OpWhere(op_index, op), ": has no ", op.inputs() ? "outputs" : "inputs", " list"));
  }
  for (int pass = 0; pass < 2; ++pass) {
    const auto& list = pass == 0 ? *op.inputs() : *op.outputs();
    for (flatbuffers::uoffset_t k = 0; k < list.size(); ++k) {
      const int t = list.Get(k);
      // -1 marks an optional input; the operator's own check says where.
      if ((pass == 0 && t == -1) || (t >= 0 && t < num_tensors)) continue;
      return Status::InvalidModel(Cat(OpWhere(op_index, op), ": ", pass == 0 ? "input " : "output ",
                                      k, " is tensor ", t, ", out of range (model has ",
                                      num_tensors, " tensors)"));
    }
  }
  return Status::Ok();
}

Status Checker::CheckOperator(int op_index, const schema::Operator& op) {
  const schema::OpType type = op.type();
  if (type < schema::OpType::MIN || type > schema::OpType::MAX) {
    return Status::InvalidModel(
        Cat(OpWhere(op_index, op), ": unknown operator type ", static_cast<int>(type)));
  }
  const std::string where = OpWhere(op_index, op);
  switch (type) {
    case schema::OpType::CONV_2D:
      return CheckConv2D(where, op);
    case schema::OpType::DEPTHWISE_CONV_2D:
      return CheckDepthwiseConv2D(where, op);
    case schema::OpType::FULLY_CONNECTED:
      return CheckFullyConnected(where, op);
    case schema::OpType::ADD:
      return CheckAdd(where, op);
    case schema::OpType::MUL:
      return CheckMul(where, op);
    case schema::OpType::MAX_POOL_2D:
      return CheckPool2D(where, op, false);
    case schema::OpType::AVERAGE_POOL_2D:
      return CheckPool2D(where, op, true);
    case schema::OpType::GLOBAL_AVERAGE_POOL_2D:
      return CheckGlobalAveragePool2D(where, op);
    case schema::OpType::CONCATENATION:
      return CheckConcatenation(where, op);
    case schema::OpType::RESHAPE:
      return CheckReshape(where, op);
    case schema::OpType::TRANSPOSE:
      return CheckTranspose(where, op);
    case schema::OpType::PAD:
      return CheckPad(where, op);
    case schema::OpType::SLICE:
      return CheckSlice(where, op);
    case schema::OpType::RESIZE_NEAREST:
      return CheckResizeNearest(where, op);
    case schema::OpType::SOFTMAX:
      return CheckSoftmax(where, op);
    case schema::OpType::LOOKUP_TABLE:
      return CheckLookupTable(where, op);
    case schema::OpType::PRELU:
      return CheckPRelu(where, op);
    case schema::OpType::QUANTIZE:
      return CheckQuantize(where, op);
    case schema::OpType::DEQUANTIZE:
      return CheckDequantize(where, op);
    case schema::OpType::REQUANTIZE:
      return CheckRequantize(where, op);
  }
  // Every known type is handled above; a type added to the schema later
  // lands here until this runtime learns it.
  return Status::Unsupported(Cat(where, ": operator type ", schema::EnumNameOpType(type),
                                 " is not supported by this runtime yet"));
}

// --- helpers for operator checks -------------------------------------------

// Exact input and output counts; -1 (a missing input) only where allowed.
Status Checker::CheckArity(const std::string& where, const schema::Operator& op, size_t inputs,
                           size_t outputs, bool last_input_optional) const {
  if (op.inputs()->size() != inputs || op.outputs()->size() != outputs) {
    return Status::InvalidModel(Cat(where, ": has ", op.inputs()->size(), " inputs and ",
                                    op.outputs()->size(), " outputs, expected ", inputs, " and ",
                                    outputs));
  }
  for (size_t k = 0; k < inputs; ++k) {
    const bool optional = last_input_optional && k + 1 == inputs;
    if (op.inputs()->Get(static_cast<flatbuffers::uoffset_t>(k)) == -1 && !optional) {
      return Status::InvalidModel(Cat(where, ": input ", k, " is missing (-1) but required"));
    }
  }
  return Status::Ok();
}

Status Checker::CheckInt8Activation(const std::string& where, const char* role, int index,
                                    int rank) const {
  const Tensor& t = T(index);
  if (t.type() != TensorType::INT8) {
    return Status::InvalidModel(Cat(where, ": ", role, " ", Describe(index), " has type ",
                                    TypeName(t.type()), ", expected INT8"));
  }
  if (IsConstant(t)) {
    return Status::Unsupported(Cat(where, ": ", role, " ", Describe(index),
                                   " is a constant; constant data inputs are not supported yet"));
  }
  if (rank >= 0 && Rank(t) != rank) {
    return Status::InvalidModel(Cat(where, ": ", role, " ", Describe(index), " has shape ",
                                    ShapeString(t), ", expected rank ", rank));
  }
  return Status::Ok();
}

// Weights: a constant INT8 tensor of exactly `shape`, symmetric per output
// channel (axis `channel_dim`), values in [-127, 127].
Status Checker::CheckWeights(const std::string& where, int index, const std::vector<int64_t>& shape,
                             int channel_dim, const char* channel_name) const {
  const Tensor& t = T(index);
  const std::string what = Cat("weight ", Describe(index));
  if (t.type() != TensorType::INT8) {
    return Status::InvalidModel(
        Cat(where, ": ", what, " has type ", TypeName(t.type()), ", expected INT8"));
  }
  if (!IsConstant(t)) {
    return Status::InvalidModel(
        Cat(where, ": ", what, " is an activation; weights must be constant (buffer != 0)"));
  }
  bool same = Rank(t) == static_cast<int>(shape.size());
  for (int d = 0; same && d < Rank(t); ++d) same = Dim(t, d) == shape[static_cast<size_t>(d)];
  if (!same) {
    return Status::InvalidModel(
        Cat(where, ": ", what, " has shape ", ShapeString(t), ", expected ", ShapeString(shape)));
  }
  const int64_t channels = shape[static_cast<size_t>(channel_dim)];
  const size_t scales = ScaleCount(t);
  if (scales != 1 && static_cast<int64_t>(scales) != channels) {
    return Status::InvalidModel(Cat(where, ": ", what, " has ", scales, " scales, expected ",
                                    channels, " (one per ", channel_name, ") or 1"));
  }
  if (scales > 1 && t.quantization()->quantized_dimension() != channel_dim) {
    return Status::InvalidModel(Cat(where, ": ", what, " is quantized along dimension ",
                                    t.quantization()->quantized_dimension(), ", expected ",
                                    channel_dim, " (", channel_name, ")"));
  }
  const auto* zero_points = t.quantization()->zero_point();
  for (flatbuffers::uoffset_t i = 0; zero_points && i < zero_points->size(); ++i) {
    if (zero_points->Get(i) != 0) {
      return Status::InvalidModel(Cat(where, ": ", what, " has zero_point[", i,
                                      "] = ", zero_points->Get(i),
                                      "; weights are symmetric (zero point 0)"));
    }
  }
  const auto* data = buffers_.Get(t.buffer())->data();
  for (flatbuffers::uoffset_t i = 0; i < data->size(); ++i) {
    if (static_cast<int8_t>(data->Get(i)) == -128) {
      return Status::InvalidModel(Cat(where, ": ", what, " element ", i,
                                      " is -128; weights use the symmetric range [-127, 127]"));
    }
  }
  return Status::Ok();
}

// Bias: absent (-1) or a constant INT32 [channels] with zero points 0.
Status Checker::CheckBias(const std::string& where, int index, int64_t channels) const {
  if (index == -1) return Status::Ok();
  const Tensor& t = T(index);
  const std::string what = Cat("bias ", Describe(index));
  if (t.type() != TensorType::INT32) {
    return Status::InvalidModel(
        Cat(where, ": ", what, " has type ", TypeName(t.type()), ", expected INT32"));
  }
  if (!IsConstant(t)) {
    return Status::InvalidModel(
        Cat(where, ": ", what, " is an activation; a bias must be constant (buffer != 0)"));
  }
  if (Rank(t) != 1 || Dim(t, 0) != channels) {
    return Status::InvalidModel(Cat(where, ": ", what, " has shape ", ShapeString(t),
                                    ", expected [", channels, "] (one per output channel)"));
  }
  const auto* q = t.quantization();
  const auto* zero_points = q ? q->zero_point() : nullptr;
  for (flatbuffers::uoffset_t i = 0; zero_points && i < zero_points->size(); ++i) {
    if (zero_points->Get(i) != 0) {
      return Status::InvalidModel(Cat(where, ": ", what, " has zero_point[", i,
                                      "] = ", zero_points->Get(i), ", expected 0"));
    }
  }
  return Status::Ok();
}

// Strides, dilations, padding, and the output size along H and W:
//   out == (in + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride + 1
// The padded input must fit in int32 so the kernels' index arithmetic
// (out * stride - pad + k * dilation) cannot overflow.
Status Checker::CheckSpatial(const std::string& where, const Spatial& s, int64_t in_h, int64_t in_w,
                             int64_t kernel_h, int64_t kernel_w, int64_t out_h,
                             int64_t out_w) const {
  if (s.stride_h < 1 || s.stride_w < 1) {
    return Status::InvalidModel(
        Cat(where, ": stride ", s.stride_h, "x", s.stride_w, ", strides must be >= 1"));
  }
  if (s.dilation_h < 1 || s.dilation_w < 1) {
    return Status::InvalidModel(
        Cat(where, ": dilation ", s.dilation_h, "x", s.dilation_w, ", dilations must be >= 1"));
  }
  if (s.pad_top < 0 || s.pad_left < 0 || s.pad_bottom < 0 || s.pad_right < 0) {
    return Status::InvalidModel(Cat(where, ": padding (top ", s.pad_top, ", left ", s.pad_left,
                                    ", bottom ", s.pad_bottom, ", right ", s.pad_right,
                                    ") must be >= 0"));
  }
  struct Axis {
    const char* name;
    int64_t in, pad_before, pad_after, kernel, dilation, stride, out;
  };
  const Axis axes[2] = {
      {"height", in_h, s.pad_top, s.pad_bottom, kernel_h, s.dilation_h, s.stride_h, out_h},
      {"width", in_w, s.pad_left, s.pad_right, kernel_w, s.dilation_w, s.stride_w, out_w}};
  for (const Axis& a : axes) {
    // Every term is < 2^31, so nothing here overflows int64.
    const int64_t padded = a.in + a.pad_before + a.pad_after;
    const int64_t effective = a.dilation * (a.kernel - 1) + 1;
    if (padded > std::numeric_limits<int32_t>::max()) {
      return Status::InvalidModel(
          Cat(where, ": padded input ", a.name, " ", padded, " does not fit in int32"));
    }
    if (effective > padded) {
      return Status::InvalidModel(Cat(where, ": kernel ", a.name, " ", a.kernel, " with dilation ",
                                      a.dilation, " spans ", effective,
                                      ", more than the padded input ", a.name, " ", padded));
    }
    const int64_t expected = (padded - effective) / a.stride + 1;
    if (a.out != expected) {
      return Status::InvalidModel(Cat(where, ": output ", a.name, " is ", a.out, ", expected ",
                                      expected, " = (", a.in, " + ", a.pad_before, " + ",
                                      a.pad_after, " - ", effective, ") / ", a.stride, " + 1"));
    }
  }
  return Status::Ok();
}

// For each output channel c: M = s_in * s_w[c] / s_out must be representable
// as a Q31 multiplier and shift (QuantizeMultiplier).
Status Checker::CheckRequant(const std::string& where, int input, int weights, int output,
                             int64_t channels) const {
  const double s_in = Scale(T(input), 0);
  const double s_out = Scale(T(output), 0);
  for (int64_t c = 0; c < channels; ++c) {
    const double m = s_in * static_cast<double>(Scale(T(weights), c)) / s_out;
    int32_t multiplier = 0;
    int shift = 0;
    if (!QuantizeMultiplier(m, &multiplier, &shift)) {
      return Status::InvalidModel(Cat(where, ": requantization multiplier of output channel ", c,
                                      " (input scale * weight scale / output scale) is ", m,
                                      ", too large to represent"));
    }
  }
  return Status::Ok();
}

Status Checker::CheckFusedActivation(const std::string& where, schema::Activation activation,
                                     float clamp_min, float clamp_max) const {
  if (activation < schema::Activation::MIN || activation > schema::Activation::MAX) {
    return Status::InvalidModel(
        Cat(where, ": unknown fused activation ", static_cast<int>(activation)));
  }
  if (activation == schema::Activation::CLAMP &&
      !(std::isfinite(clamp_min) && std::isfinite(clamp_max) && clamp_min <= clamp_max)) {
    return Status::InvalidModel(Cat(where, ": CLAMP activation bounds [", clamp_min, ", ",
                                    clamp_max, "] must be finite with clamp_min <= clamp_max"));
  }
  return Status::Ok();
}

// Options of the union type `expected`. When not `required`, a missing
// options table (type NONE) means the defaults and *options stays null.
template <typename Options>
Status Checker::GetOptions(const std::string& where, const schema::Operator& op,
                           schema::OpOptions expected, bool required,
                           const Options** options) const {
  *options = nullptr;
  const schema::OpOptions type = op.options_type();
  if (type == schema::OpOptions::NONE && !required) return Status::Ok();
  if (type != expected) {
    const bool known = type >= schema::OpOptions::MIN && type <= schema::OpOptions::MAX;
    const std::string got = type == schema::OpOptions::NONE ? std::string("no options")
                            : known ? Cat(schema::EnumNameOpOptions(type), " options")
                                    : Cat("options of unknown type ", static_cast<int>(type));
    return Status::InvalidModel(
        Cat(where, ": has ", got, ", expected ", schema::EnumNameOpOptions(expected)));
  }
  *options = static_cast<const Options*>(op.options());
  if (!*options) {
    return Status::InvalidModel(Cat(where, ": options type is ",
                                    schema::EnumNameOpOptions(expected),
                                    " but the options table is missing"));
  }
  return Status::Ok();
}

// --- one check per operator type ---------------------------------------------

// inputs [x, w, bias or -1], outputs [y]
//   x [N,H,W,C]  w [OC,KH,KW,C/groups]  bias [OC]  y [N,OH,OW,OC]
Status Checker::CheckConv2D(const std::string& where, const schema::Operator& op) {
  const schema::Conv2DOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::Conv2DOptions, true, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 3, 1, true));
  const int x = op.inputs()->Get(0), w = op.inputs()->Get(1), b = op.inputs()->Get(2);
  const int y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, 4));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, 4));
  const Tensor &tx = T(x), &tw = T(w), &ty = T(y);
  if (Rank(tw) != 4) {
    return Status::InvalidModel(Cat(where, ": weight ", Describe(w), " has shape ", ShapeString(tw),
                                    ", expected rank 4 [out_c, kh, kw, in_c / groups]"));
  }
  const int64_t batch = Dim(tx, 0), channels = Dim(tx, 3), out_channels = Dim(ty, 3);
  const int64_t groups = o->groups();
  if (groups < 1 || channels % groups != 0 || out_channels % groups != 0) {
    return Status::InvalidModel(Cat(where, ": groups ", groups,
                                    " must be >= 1 and divide the input channels ", channels,
                                    " and output channels ", out_channels));
  }
  OCTET_RETURN_IF_ERROR(CheckWeights(
      where, w, {out_channels, Dim(tw, 1), Dim(tw, 2), channels / groups}, 0, "output channel"));
  OCTET_RETURN_IF_ERROR(CheckBias(where, b, out_channels));
  if (Dim(ty, 0) != batch) {
    return Status::InvalidModel(
        Cat(where, ": output batch ", Dim(ty, 0), " differs from the input batch ", batch));
  }
  OCTET_RETURN_IF_ERROR(CheckSpatial(where, SpatialOf(*o), Dim(tx, 1), Dim(tx, 2), Dim(tw, 1),
                                     Dim(tw, 2), Dim(ty, 1), Dim(ty, 2)));
  OCTET_RETURN_IF_ERROR(CheckRequant(where, x, w, y, out_channels));
  return CheckFusedActivation(where, o->activation(), o->clamp_min(), o->clamp_max());
}

// inputs [x, w, bias or -1], outputs [y], m = depth_multiplier
//   x [N,H,W,C]  w [1,KH,KW,C*m]  bias [C*m]  y [N,OH,OW,C*m]
Status Checker::CheckDepthwiseConv2D(const std::string& where, const schema::Operator& op) {
  const schema::DepthwiseConv2DOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::DepthwiseConv2DOptions, true, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 3, 1, true));
  const int x = op.inputs()->Get(0), w = op.inputs()->Get(1), b = op.inputs()->Get(2);
  const int y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, 4));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, 4));
  const Tensor &tx = T(x), &tw = T(w), &ty = T(y);
  if (Rank(tw) != 4) {
    return Status::InvalidModel(Cat(where, ": weight ", Describe(w), " has shape ", ShapeString(tw),
                                    ", expected rank 4 [1, kh, kw, in_c * depth_multiplier]"));
  }
  const int64_t multiplier = o->depth_multiplier();
  if (multiplier < 1) {
    return Status::InvalidModel(Cat(where, ": depth_multiplier ", multiplier, " must be >= 1"));
  }
  const int64_t batch = Dim(tx, 0), channels = Dim(tx, 3);
  // channels < 2^31 and multiplier < 2^31: no overflow.
  const int64_t out_channels = channels * multiplier;
  if (Dim(ty, 3) != out_channels) {
    return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has ", Dim(ty, 3),
                                    " channels, expected ", out_channels, " = ", channels,
                                    " input channels * depth_multiplier ", multiplier));
  }
  OCTET_RETURN_IF_ERROR(
      CheckWeights(where, w, {1, Dim(tw, 1), Dim(tw, 2), out_channels}, 3, "output channel"));
  OCTET_RETURN_IF_ERROR(CheckBias(where, b, out_channels));
  if (Dim(ty, 0) != batch) {
    return Status::InvalidModel(
        Cat(where, ": output batch ", Dim(ty, 0), " differs from the input batch ", batch));
  }
  OCTET_RETURN_IF_ERROR(CheckSpatial(where, SpatialOf(*o), Dim(tx, 1), Dim(tx, 2), Dim(tw, 1),
                                     Dim(tw, 2), Dim(ty, 1), Dim(ty, 2)));
  OCTET_RETURN_IF_ERROR(CheckRequant(where, x, w, y, out_channels));
  return CheckFusedActivation(where, o->activation(), o->clamp_min(), o->clamp_max());
}

// inputs [x, w, bias or -1], outputs [y]
//   x any shape with B*K elements  w [N, K]  bias [N]  y [B, N]
Status Checker::CheckFullyConnected(const std::string& where, const schema::Operator& op) {
  const schema::FullyConnectedOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::FullyConnectedOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 3, 1, true));
  const int x = op.inputs()->Get(0), w = op.inputs()->Get(1), b = op.inputs()->Get(2);
  const int y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, 2));
  const Tensor &tx = T(x), &tw = T(w), &ty = T(y);
  if (Rank(tw) != 2) {
    return Status::InvalidModel(Cat(where, ": weight ", Describe(w), " has shape ", ShapeString(tw),
                                    ", expected rank 2 [out_units, in_units]"));
  }
  const int64_t batch = Dim(ty, 0), units = Dim(ty, 1), k = Dim(tw, 1);
  OCTET_RETURN_IF_ERROR(CheckWeights(where, w, {units, k}, 0, "output unit"));
  OCTET_RETURN_IF_ERROR(CheckBias(where, b, units));
  if (NumElements(tx) != batch * k) {
    return Status::InvalidModel(Cat(where, ": input ", Describe(x), " of shape ", ShapeString(tx),
                                    " has ", NumElements(tx), " elements, expected batch ", batch,
                                    " * in_units ", k, " = ", batch * k));
  }
  OCTET_RETURN_IF_ERROR(CheckRequant(where, x, w, y, units));
  if (!o) return Status::Ok();
  return CheckFusedActivation(where, o->activation(), o->clamp_min(), o->clamp_max());
}

// inputs [a, b], outputs [y], all INT8; a and b equal to y or broadcast to it.
Status Checker::CheckAdd(const std::string& where, const schema::Operator& op) {
  const schema::AddOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::AddOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 2, 1, false));
  const int a = op.inputs()->Get(0), b = op.inputs()->Get(1), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input 0", a, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input 1", b, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  const Tensor& ty = T(y);
  OCTET_RETURN_IF_ERROR(CheckBroadcast(where, a, b, y));
  AddParams params;
  if (!ComputeAddParams(Scale(T(a), 0), ZeroPoint(T(a)), Scale(T(b), 0), ZeroPoint(T(b)),
                        Scale(ty, 0), ZeroPoint(ty), &params)) {
    return Status::InvalidModel(Cat(where, ": input scales ", Scale(T(a), 0), " and ",
                                    Scale(T(b), 0), " with output scale ", Scale(ty, 0),
                                    " give a requantization multiplier too large to represent"));
  }
  if (!o) return Status::Ok();
  return CheckFusedActivation(where, o->activation(), o->clamp_min(), o->clamp_max());
}

// --- helpers for the operators beyond conv / fc / add ------------------------

Status Checker::CheckFloatActivation(const std::string& where, const char* role,
                                     int index) const {
  const Tensor& t = T(index);
  if (t.type() != TensorType::FLOAT32) {
    return Status::InvalidModel(Cat(where, ": ", role, " ", Describe(index), " has type ",
                                    TypeName(t.type()), ", expected FLOAT32"));
  }
  if (IsConstant(t)) {
    return Status::Unsupported(Cat(where, ": ", role, " ", Describe(index),
                                   " is a constant; constant data inputs are not supported yet"));
  }
  return Status::Ok();
}

// Numpy broadcasting, ranks aligned on the right: every input dim is 1 or
// the output's, no input has a higher rank than the output, and each output
// dim comes from at least one input.
Status Checker::CheckBroadcast(const std::string& where, int a, int b, int y) const {
  const Tensor &ta = T(a), &tb = T(b), &ty = T(y);
  const int rank = Rank(ty);
  auto dim_or_one = [](const Tensor& t, int from_right) -> int64_t {
    return from_right < Rank(t) ? Dim(t, Rank(t) - 1 - from_right) : 1;
  };
  for (const int input : {a, b}) {
    const Tensor& t = T(input);
    bool ok = Rank(t) <= rank;
    for (int r = 0; ok && r < Rank(t); ++r) {
      const int64_t in = dim_or_one(t, r), out = Dim(ty, rank - 1 - r);
      ok = in == out || in == 1;
    }
    if (!ok) {
      return Status::InvalidModel(Cat(where, ": input ", Describe(input), " has shape ",
                                      ShapeString(t), ", which does not broadcast to the output "
                                      "shape ", ShapeString(ty)));
    }
  }
  for (int r = 0; r < rank; ++r) {
    const int64_t out = Dim(ty, rank - 1 - r);
    if (dim_or_one(ta, r) != out && dim_or_one(tb, r) != out) {
      return Status::InvalidModel(Cat(where, ": output shape ", ShapeString(ty),
                                      " is not the broadcast of the input shapes ",
                                      ShapeString(ta), " and ", ShapeString(tb)));
    }
  }
  return Status::Ok();
}

Status Checker::CheckSameShape(const std::string& where, int x, int y) const {
  const Tensor &tx = T(x), &ty = T(y);
  bool same = Rank(tx) == Rank(ty);
  for (int d = 0; same && d < Rank(tx); ++d) same = Dim(tx, d) == Dim(ty, d);
  if (!same) {
    return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has shape ",
                                    ShapeString(ty), ", expected the input's ",
                                    ShapeString(tx)));
  }
  return Status::Ok();
}

// Byte-moving operators keep the quantization: scale and zero point equal
// (bit for bit) between input and output.
Status Checker::CheckSameQuantization(const std::string& where, int x, int y) const {
  const Tensor &tx = T(x), &ty = T(y);
  if (Scale(tx, 0) != Scale(ty, 0) || ZeroPoint(tx) != ZeroPoint(ty)) {
    return Status::InvalidModel(Cat(where, ": ", Describe(x), " (scale ", Scale(tx, 0),
                                    ", zero point ", ZeroPoint(tx), ") and ", Describe(y),
                                    " (scale ", Scale(ty, 0), ", zero point ", ZeroPoint(ty),
                                    ") must have the same scale and zero point"));
  }
  return Status::Ok();
}

// A constant [256] table of `type` (softmax exp table, lookup table).
Status Checker::CheckConstantTable(const std::string& where, const char* role, int index,
                                   TensorType type) const {
  const Tensor& t = T(index);
  if (t.type() != type) {
    return Status::InvalidModel(Cat(where, ": ", role, " ", Describe(index), " has type ",
                                    TypeName(t.type()), ", expected ", TypeName(type)));
  }
  if (!IsConstant(t)) {
    return Status::InvalidModel(Cat(where, ": ", role, " ", Describe(index),
                                    " is an activation; it must be constant (buffer != 0)"));
  }
  if (Rank(t) != 1 || Dim(t, 0) != 256) {
    return Status::InvalidModel(Cat(where, ": ", role, " ", Describe(index), " has shape ",
                                    ShapeString(t), ", expected [256]"));
  }
  return Status::Ok();
}

// A requantization multiplier m of an accumulator bounded by `bound`:
// representable, and bound * 2^shift < 2^31 when m >= 1 (the left shift of
// a multiplier above one must not wrap); see ComputeScaledMultiplier.
Status Checker::CheckMultiplier(const std::string& where, const std::string& what, double m,
                                int64_t bound) const {
  ScaledMultiplier scaled;
  if (!ComputeScaledMultiplier(m, bound, &scaled)) {
    return Status::InvalidModel(Cat(where, ": ", what, " multiplier is ", m,
                                    ", too large to represent for accumulators up to ", bound,
                                    " (", bound, " * multiplier must stay below 2^31)"));
  }
  return Status::Ok();
}

// --- checks of the operators beyond conv / fc / add ---------------------------

// inputs [a, b], outputs [y], all INT8; a and b equal to y or broadcast to it.
Status Checker::CheckMul(const std::string& where, const schema::Operator& op) {
  const schema::MulOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::MulOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 2, 1, false));
  const int a = op.inputs()->Get(0), b = op.inputs()->Get(1), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input 0", a, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input 1", b, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  OCTET_RETURN_IF_ERROR(CheckBroadcast(where, a, b, y));
  MulParams params;
  if (!ComputeMulParams(Scale(T(a), 0), ZeroPoint(T(a)), Scale(T(b), 0), ZeroPoint(T(b)),
                        Scale(T(y), 0), ZeroPoint(T(y)), &params)) {
    return Status::InvalidModel(Cat(where, ": input scales ", Scale(T(a), 0), " and ",
                                    Scale(T(b), 0), " with output scale ", Scale(T(y), 0),
                                    " give a requantization multiplier too large to represent "
                                    "(s_a * s_b / s_y must be below 2^15)"));
  }
  if (!o) return Status::Ok();
  return CheckFusedActivation(where, o->activation(), o->clamp_min(), o->clamp_max());
}

// inputs [x], outputs [y]: x [N,H,W,C], y [N,OH,OW,C]. Max pooling keeps the
// quantization; average pooling requantizes sum / n.
Status Checker::CheckPool2D(const std::string& where, const schema::Operator& op, bool average) {
  const schema::Pool2DOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::Pool2DOptions, true, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, 4));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, 4));
  const Tensor &tx = T(x), &ty = T(y);
  if (Dim(ty, 0) != Dim(tx, 0) || Dim(ty, 3) != Dim(tx, 3)) {
    return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has shape ",
                                    ShapeString(ty), ", expected the input's batch ", Dim(tx, 0),
                                    " and channels ", Dim(tx, 3)));
  }
  const int64_t fh = o->filter_h(), fw = o->filter_w();
  if (fh < 1 || fw < 1) {
    return Status::InvalidModel(Cat(where, ": filter ", fh, "x", fw, ", filters must be >= 1"));
  }
  const Spatial s{o->stride_h(), o->stride_w(), 1, 1,
                  o->pad_top(), o->pad_left(), o->pad_bottom(), o->pad_right()};
  // A window entirely in the padding would have nothing to pool.
  if (s.pad_top >= fh || s.pad_bottom >= fh || s.pad_left >= fw || s.pad_right >= fw) {
    return Status::InvalidModel(Cat(where, ": padding (top ", s.pad_top, ", left ", s.pad_left,
                                    ", bottom ", s.pad_bottom, ", right ", s.pad_right,
                                    ") must be smaller than the filter ", fh, "x", fw));
  }
  OCTET_RETURN_IF_ERROR(
      CheckSpatial(where, s, Dim(tx, 1), Dim(tx, 2), fh, fw, Dim(ty, 1), Dim(ty, 2)));
  if (!average) {
    OCTET_RETURN_IF_ERROR(CheckSameQuantization(where, x, y));
  } else {
    const int64_t area = fh * fw;  // both <= padded size < 2^31 ... bounded below
    if (area > (int64_t{1} << 31) / 255) {
      return Status::InvalidModel(Cat(where, ": filter ", fh, "x", fw,
                                      " has too many taps for an int32 sum (at most ",
                                      (int64_t{1} << 31) / 255, ")"));
    }
    const double m = static_cast<double>(Scale(tx, 0)) / Scale(ty, 0);
    OCTET_RETURN_IF_ERROR(CheckMultiplier(where, "input scale / output scale", m, 255 * area));
  }
  return CheckFusedActivation(where, o->activation(), o->clamp_min(), o->clamp_max());
}

// inputs [x], outputs [y]: x [N,H,W,C], y [N,1,1,C] (keep_dims) or [N,C].
Status Checker::CheckGlobalAveragePool2D(const std::string& where, const schema::Operator& op) {
  const schema::GlobalAveragePool2DOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(
      GetOptions(where, op, schema::OpOptions::GlobalAveragePool2DOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, 4));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  const Tensor &tx = T(x), &ty = T(y);
  const bool keep_dims = o ? o->keep_dims() : true;
  const std::vector<int64_t> expected =
      keep_dims ? std::vector<int64_t>{Dim(tx, 0), 1, 1, Dim(tx, 3)}
                : std::vector<int64_t>{Dim(tx, 0), Dim(tx, 3)};
  bool same = Rank(ty) == static_cast<int>(expected.size());
  for (int d = 0; same && d < Rank(ty); ++d) same = Dim(ty, d) == expected[size_t(d)];
  if (!same) {
    return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has shape ",
                                    ShapeString(ty), ", expected ", ShapeString(expected),
                                    keep_dims ? " (keep_dims)" : " (keep_dims false)"));
  }
  const int64_t pixels = Dim(tx, 1) * Dim(tx, 2);
  if (pixels > (int64_t{1} << 31) / 255) {
    return Status::InvalidModel(Cat(where, ": input has ", pixels,
                                    " pixels, too many for an int32 sum (at most ",
                                    (int64_t{1} << 31) / 255, ")"));
  }
  const double m = static_cast<double>(Scale(tx, 0)) / (static_cast<double>(pixels) * Scale(ty, 0));
  return CheckMultiplier(where, "input scale / (H * W * output scale)", m, 255 * pixels);
}

// inputs [x_0 .. x_n-1], outputs [y]: equal ranks and dims except on axis,
// the axis sizes summing to y's; quantization equal to y's.
Status Checker::CheckConcatenation(const std::string& where, const schema::Operator& op) {
  const schema::ConcatenationOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::ConcatenationOptions, true, &o));
  const size_t count = op.inputs()->size();
  if (count < 1 || op.outputs()->size() != 1) {
    return Status::InvalidModel(Cat(where, ": has ", count, " inputs and ", op.outputs()->size(),
                                    " outputs, expected at least 1 and 1"));
  }
  const int y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  const Tensor& ty = T(y);
  const int rank = Rank(ty);
  const int64_t axis = o->axis() < 0 ? o->axis() + rank : o->axis();
  if (axis < 0 || axis >= rank) {
    return Status::InvalidModel(Cat(where, ": axis ", o->axis(), " is outside [", -rank, ", ",
                                    rank, ") for the rank-", rank, " output"));
  }
  int64_t total = 0;
  for (flatbuffers::uoffset_t k = 0; k < count; ++k) {
    const int x = op.inputs()->Get(k);
    if (x == -1) return Status::InvalidModel(Cat(where, ": input ", k, " is missing (-1)"));
    const std::string role = Cat("input ", k);
    OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, role.c_str(), x, rank));
    const Tensor& tx = T(x);
    for (int d = 0; d < rank; ++d) {
      if (d != axis && Dim(tx, d) != Dim(ty, d)) {
        return Status::InvalidModel(Cat(where, ": input ", Describe(x), " has shape ",
                                        ShapeString(tx), ", which differs from the output ",
                                        ShapeString(ty), " in dimension ", d, " (axis is ", axis,
                                        ")"));
      }
    }
    total += Dim(tx, static_cast<int>(axis));
    OCTET_RETURN_IF_ERROR(CheckSameQuantization(where, x, y));
  }
  if (total != Dim(ty, static_cast<int>(axis))) {
    return Status::InvalidModel(Cat(where, ": inputs sum to ", total, " along axis ", axis,
                                    ", the output has ", Dim(ty, static_cast<int>(axis))));
  }
  OCTET_RETURN_IF_ERROR(CheckFusedActivation(where, o->activation(), o->clamp_min(),
                                             o->clamp_max()));
  if (o->activation() != schema::Activation::NONE) {
    return Status::InvalidModel(Cat(where, ": fused activation ",
                                    schema::EnumNameActivation(o->activation()),
                                    " must be NONE (a concatenation is a byte copy)"));
  }
  return Status::Ok();
}

// inputs [x], outputs [y]: same element count and quantization; new_shape,
// when given, equals y's shape (the converter resolves -1 and 0).
Status Checker::CheckReshape(const std::string& where, const schema::Operator& op) {
  const schema::ReshapeOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::ReshapeOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  const Tensor &tx = T(x), &ty = T(y);
  if (NumElements(tx) != NumElements(ty)) {
    return Status::InvalidModel(Cat(where, ": input shape ", ShapeString(tx), " has ",
                                    NumElements(tx), " elements, the output shape ",
                                    ShapeString(ty), " has ", NumElements(ty)));
  }
  if (o && o->new_shape() && o->new_shape()->size() > 0) {
    const auto& ns = *o->new_shape();
    bool same = static_cast<int>(ns.size()) == Rank(ty);
    for (int d = 0; same && d < Rank(ty); ++d) same = ns.Get(flatbuffers::uoffset_t(d)) == Dim(ty, d);
    if (!same) {
      std::vector<int64_t> v(ns.begin(), ns.end());
      return Status::InvalidModel(Cat(where, ": new_shape ", ShapeString(v),
                                      " differs from the output shape ", ShapeString(ty)));
    }
  }
  return CheckSameQuantization(where, x, y);
}

// inputs [x], outputs [y]: y dim d = x dim perm[d].
Status Checker::CheckTranspose(const std::string& where, const schema::Operator& op) {
  const schema::TransposeOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::TransposeOptions, true, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  const Tensor &tx = T(x), &ty = T(y);
  const int rank = Rank(tx);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, rank));
  std::vector<int64_t> perm;
  if (o->perm()) perm.assign(o->perm()->begin(), o->perm()->end());
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  bool valid = static_cast<int>(perm.size()) == rank;
  for (size_t d = 0; valid && d < perm.size(); ++d) {
    valid = perm[d] >= 0 && perm[d] < rank && !seen[size_t(perm[d])];
    if (valid) seen[size_t(perm[d])] = true;
  }
  if (!valid) {
    return Status::InvalidModel(Cat(where, ": perm ", ShapeString(perm),
                                    " is not a permutation of [0, ", rank, ")"));
  }
  std::vector<int64_t> expected;
  for (int64_t p : perm) expected.push_back(Dim(tx, static_cast<int>(p)));
  for (int d = 0; d < rank; ++d) {
    if (Dim(ty, d) != expected[size_t(d)]) {
      return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has shape ",
                                      ShapeString(ty), ", expected ", ShapeString(expected),
                                      " (the input ", ShapeString(tx), " permuted by ",
                                      ShapeString(perm), ")"));
    }
  }
  return CheckSameQuantization(where, x, y);
}

// inputs [x], outputs [y]: y dim d = x dim d + before_d + after_d.
Status Checker::CheckPad(const std::string& where, const schema::Operator& op) {
  const schema::PadOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::PadOptions, true, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  const Tensor &tx = T(x), &ty = T(y);
  const int rank = Rank(tx);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, rank));
  std::vector<int64_t> pads;
  if (o->paddings()) pads.assign(o->paddings()->begin(), o->paddings()->end());
  if (static_cast<int>(pads.size()) != 2 * rank) {
    return Status::InvalidModel(Cat(where, ": paddings has ", pads.size(), " entries, expected ",
                                    2 * rank, " (before and after for each of ", rank,
                                    " dimensions)"));
  }
  for (size_t i = 0; i < pads.size(); ++i) {
    if (pads[i] < 0) {
      return Status::InvalidModel(
          Cat(where, ": paddings[", i, "] is ", pads[i], ", paddings must be >= 0"));
    }
  }
  for (int d = 0; d < rank; ++d) {
    const int64_t expected = Dim(tx, d) + pads[2 * size_t(d)] + pads[2 * size_t(d) + 1];
    if (Dim(ty, d) != expected) {
      return Status::InvalidModel(Cat(where, ": output dimension ", d, " is ", Dim(ty, d),
                                      ", expected ", expected, " = ", Dim(tx, d), " + ",
                                      pads[2 * size_t(d)], " + ", pads[2 * size_t(d) + 1]));
    }
  }
  if (!std::isfinite(o->constant_value())) {
    return Status::InvalidModel(
        Cat(where, ": constant_value ", o->constant_value(), " must be finite"));
  }
  return CheckSameQuantization(where, x, y);
}

// inputs [x], outputs [y]: along each axis d, y takes size[d] elements
// begin[d], begin[d] + strides[d], ..., all inside x.
Status Checker::CheckSlice(const std::string& where, const schema::Operator& op) {
  const schema::SliceOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::SliceOptions, true, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  const Tensor &tx = T(x), &ty = T(y);
  const int rank = Rank(tx);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, rank));
  std::vector<int64_t> begin, size, strides;
  if (o->begin()) begin.assign(o->begin()->begin(), o->begin()->end());
  if (o->size()) size.assign(o->size()->begin(), o->size()->end());
  if (o->strides()) strides.assign(o->strides()->begin(), o->strides()->end());
  if (strides.empty()) strides.assign(size_t(rank), 1);
  if (static_cast<int>(begin.size()) != rank || static_cast<int>(size.size()) != rank ||
      static_cast<int>(strides.size()) != rank) {
    return Status::InvalidModel(Cat(where, ": begin, size and strides have ", begin.size(), ", ",
                                    size.size(), " and ", o->strides() ? o->strides()->size() : 0,
                                    " entries, expected ", rank,
                                    " each (strides may be empty)"));
  }
  for (int d = 0; d < rank; ++d) {
    const size_t i = size_t(d);
    if (strides[i] < 1) {
      return Status::InvalidModel(
          Cat(where, ": strides[", d, "] is ", strides[i], ", strides must be >= 1"));
    }
    // begin, size < 2^31 and stride < 2^31: the product fits int64.
    const int64_t last = begin[i] + (size[i] - 1) * strides[i];
    if (begin[i] < 0 || size[i] < 1 || last >= Dim(tx, d)) {
      return Status::InvalidModel(Cat(where, ": dimension ", d, ": begin ", begin[i], ", size ",
                                      size[i], ", stride ", strides[i],
                                      " do not lie inside the input's ", Dim(tx, d),
                                      " (need begin >= 0, size >= 1, begin + (size - 1) * "
                                      "stride < dim)"));
    }
    if (Dim(ty, d) != size[i]) {
      return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has shape ",
                                      ShapeString(ty), ", expected size ", ShapeString(size)));
    }
  }
  return CheckSameQuantization(where, x, y);
}

// inputs [x], outputs [y]: x [N,H,W,C], y [N,OH,OW,C].
Status Checker::CheckResizeNearest(const std::string& where, const schema::Operator& op) {
  const schema::ResizeNearestOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::ResizeNearestOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, 4));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, 4));
  const Tensor &tx = T(x), &ty = T(y);
  if (Dim(ty, 0) != Dim(tx, 0) || Dim(ty, 3) != Dim(tx, 3)) {
    return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has shape ",
                                    ShapeString(ty), ", expected the input's batch ", Dim(tx, 0),
                                    " and channels ", Dim(tx, 3)));
  }
  if (o) {
    const auto t = o->coordinate_transform();
    const auto m = o->nearest_mode();
    if (t < schema::CoordinateTransform::MIN || t > schema::CoordinateTransform::MAX) {
      return Status::InvalidModel(
          Cat(where, ": unknown coordinate_transform ", static_cast<int>(t)));
    }
    if (m < schema::NearestMode::MIN || m > schema::NearestMode::MAX) {
      return Status::InvalidModel(Cat(where, ": unknown nearest_mode ", static_cast<int>(m)));
    }
  }
  return CheckSameQuantization(where, x, y);
}

// inputs [x, exp table], outputs [y]: along the last axis; y has scale
// 1/256 and zero point -128; the table INT32 [256] in [0, 2^30], table[0] > 0.
Status Checker::CheckSoftmax(const std::string& where, const schema::Operator& op) {
  const schema::SoftmaxOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::SoftmaxOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 2, 1, false));
  const int x = op.inputs()->Get(0), table = op.inputs()->Get(1), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  OCTET_RETURN_IF_ERROR(CheckSameShape(where, x, y));
  const int rank = Rank(T(x));
  if (rank < 1) {
    return Status::InvalidModel(Cat(where, ": input ", Describe(x), " is a scalar, expected rank >= 1"));
  }
  if (o && o->axis() != -1 && o->axis() != rank - 1) {
    return Status::Unsupported(Cat(where, ": axis ", o->axis(),
                                   " is not supported; softmax runs along the last axis (-1 or ",
                                   rank - 1, ")"));
  }
  if (Scale(T(y), 0) != 1.0f / 256.0f || ZeroPoint(T(y)) != -128) {
    return Status::InvalidModel(Cat(where, ": output ", Describe(y), " has scale ",
                                    Scale(T(y), 0), " and zero point ", ZeroPoint(T(y)),
                                    ", expected 0.00390625 (1/256) and -128"));
  }
  OCTET_RETURN_IF_ERROR(CheckConstantTable(where, "exp table", table, TensorType::INT32));
  const auto* data = buffers_.Get(T(table).buffer())->data();
  for (int d = 0; d < 256; ++d) {
    int32_t v = 0;
    std::memcpy(&v, data->data() + 4 * d, 4);
    if (v < 0 || v > (int32_t{1} << 30) || (d == 0 && v == 0)) {
      return Status::InvalidModel(Cat(where, ": exp table entry ", d, " is ", v,
                                      ", entries must be in [0, 2^30] and entry 0 > 0"));
    }
  }
  return Status::Ok();
}

// inputs [x, table], outputs [y]: table INT8 [256]; y has x's shape.
Status Checker::CheckLookupTable(const std::string& where, const schema::Operator& op) {
  const schema::LookupTableOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::LookupTableOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 2, 1, false));
  const int x = op.inputs()->Get(0), table = op.inputs()->Get(1), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  OCTET_RETURN_IF_ERROR(CheckSameShape(where, x, y));
  return CheckConstantTable(where, "table", table, TensorType::INT8);
}

// inputs [x, alpha], outputs [y]: x [..., C], alpha INT8 const [C] or [1]
// with zero point 0 and one scale or one per channel.
Status Checker::CheckPRelu(const std::string& where, const schema::Operator& op) {
  const schema::PReluOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::PReluOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 2, 1, false));
  const int x = op.inputs()->Get(0), alpha = op.inputs()->Get(1), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  OCTET_RETURN_IF_ERROR(CheckSameShape(where, x, y));
  const Tensor &tx = T(x), &ta = T(alpha), &ty = T(y);
  const int64_t channels = Rank(tx) > 0 ? Dim(tx, Rank(tx) - 1) : 1;
  const std::string what = Cat("alpha ", Describe(alpha));
  if (ta.type() != TensorType::INT8 || !IsConstant(ta)) {
    return Status::InvalidModel(Cat(where, ": ", what, " has type ", TypeName(ta.type()),
                                    IsConstant(ta) ? "" : " and is an activation",
                                    ", expected a constant INT8"));
  }
  if (Rank(ta) != 1 || (Dim(ta, 0) != channels && Dim(ta, 0) != 1)) {
    return Status::InvalidModel(Cat(where, ": ", what, " has shape ", ShapeString(ta),
                                    ", expected [", channels, "] (one per channel) or [1]"));
  }
  const size_t scales = ScaleCount(ta);
  if (scales != 1 && static_cast<int64_t>(scales) != Dim(ta, 0)) {
    return Status::InvalidModel(Cat(where, ": ", what, " has ", scales, " scales, expected 1 or ",
                                    Dim(ta, 0)));
  }
  const auto* zero_points = ta.quantization()->zero_point();
  for (flatbuffers::uoffset_t i = 0; zero_points && i < zero_points->size(); ++i) {
    if (zero_points->Get(i) != 0) {
      return Status::InvalidModel(Cat(where, ": ", what, " has zero_point[", i, "] = ",
                                      zero_points->Get(i), ", expected 0"));
    }
  }
  const double s_x = Scale(tx, 0), s_y = Scale(ty, 0);
  OCTET_RETURN_IF_ERROR(CheckMultiplier(where, "input scale / output scale", s_x / s_y, 255));
  for (int64_t c = 0; c < static_cast<int64_t>(scales); ++c) {
    OCTET_RETURN_IF_ERROR(CheckMultiplier(where, Cat("channel ", c, " negative-slope"),
                                          s_x * Scale(ta, c) / s_y, 255 * 128));
  }
  return Status::Ok();
}

// inputs [x FLOAT32], outputs [y INT8] of the same shape.
Status Checker::CheckQuantize(const std::string& where, const schema::Operator& op) {
  const schema::QuantizeOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::QuantizeOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckFloatActivation(where, "input", x));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  return CheckSameShape(where, x, y);
}

// inputs [x INT8], outputs [y FLOAT32] of the same shape.
Status Checker::CheckDequantize(const std::string& where, const schema::Operator& op) {
  const schema::DequantizeOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::DequantizeOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckFloatActivation(where, "output", y));
  return CheckSameShape(where, x, y);
}

// inputs [x INT8], outputs [y INT8] of the same shape, new scale / zero point.
Status Checker::CheckRequantize(const std::string& where, const schema::Operator& op) {
  const schema::RequantizeOptions* o = nullptr;
  OCTET_RETURN_IF_ERROR(GetOptions(where, op, schema::OpOptions::RequantizeOptions, false, &o));
  OCTET_RETURN_IF_ERROR(CheckArity(where, op, 1, 1, false));
  const int x = op.inputs()->Get(0), y = op.outputs()->Get(0);
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "input", x, -1));
  OCTET_RETURN_IF_ERROR(CheckInt8Activation(where, "output", y, -1));
  OCTET_RETURN_IF_ERROR(CheckSameShape(where, x, y));
  return CheckMultiplier(where, "input scale / output scale",
                         static_cast<double>(Scale(T(x), 0)) / Scale(T(y), 0), 255);
}

// Model-level fields; runs before Checker so that it may assume them.
Status CheckModelFields(const schema::Model& model) {
  if (model.format_version() > kFormatVersion) {
    return Status::Unsupported(Cat("format version ", model.format_version(),
                                   " is newer than this runtime (", kFormatVersion, ")"));
  }
  if (model.format_version() != kFormatVersion) {
    return Status::InvalidModel(
        Cat("format version ", model.format_version(), " is invalid (versions start at 1)"));
  }
  struct Required {
    const void* field;
    const char* name;
  };
  const Required required[] = {{model.tensors(), "tensors"},
                               {model.buffers(), "buffers"},
                               {model.operators(), "operators"},
                               {model.inputs(), "inputs"},
                               {model.outputs(), "outputs"}};
  for (const Required& r : required) {
    if (!r.field) return Status::InvalidModel(Cat("model has no ", r.name, " list"));
  }
  if (model.buffers()->size() == 0) {
    return Status::InvalidModel("model has no buffers; buffers[0] must exist and be empty");
  }
  const auto* data0 = model.buffers()->Get(0)->data();
  if (data0 && data0->size() != 0) {
    return Status::InvalidModel(Cat("buffers[0] holds ", data0->size(),
                                    " bytes; it is reserved for activations and must be empty"));
  }
  if (model.tensors()->size() == 0) return Status::InvalidModel("model has no tensors");
  if (model.inputs()->size() == 0) return Status::InvalidModel("model has no inputs");
  if (model.outputs()->size() == 0) return Status::InvalidModel("model has no outputs");
  return Status::Ok();
}

std::string PrintableIdentifier(const uint8_t* id) {
  std::string out;
  for (int i = 0; i < 4; ++i) {
    const unsigned char c = id[i];
    if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

Status VerifyModel(const uint8_t* data, size_t size) {
  if (!data) return Status::InvalidArgument("model data is null");
  if (size < 8) {
    return Status::InvalidModel(
        Cat("model is ", size, " bytes, too small for a FlatBuffers root and file identifier"));
  }
  if (size > kMaxModelBytes) {
    return Status::InvalidModel(
        Cat("model is ", size, " bytes, larger than the format's limit of ", kMaxModelBytes));
  }
  if (!schema::ModelBufferHasIdentifier(data)) {
    return Status::InvalidModel(Cat("not an octet model: file identifier is '",
                                    PrintableIdentifier(data + sizeof(flatbuffers::uoffset_t)),
                                    "', expected '", schema::ModelIdentifier(), "'"));
  }
  flatbuffers::Verifier::Options options;
  options.max_depth = kMaxDepth;
  options.max_tables = kMaxTables;
  options.check_alignment = true;
  flatbuffers::Verifier verifier(data, size, options);
  if (!schema::VerifyModelBuffer(verifier)) {
    return Status::InvalidModel(
        "model structure is corrupt: the FlatBuffers verifier rejected it (an offset, vector "
        "or string out of bounds or misaligned, or nesting too deep)");
  }
  const schema::Model& model = *schema::GetModel(data);
  OCTET_RETURN_IF_ERROR(CheckModelFields(model));
  return Checker(model).Run();
}

}  // namespace octet::rt
