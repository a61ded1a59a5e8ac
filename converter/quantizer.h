// Quantizer and .octet writer: scales, int8 weights, int32 biases, lookup
// tables, boundary QUANTIZE/DEQUANTIZE, metadata.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "converter/calibration.h"
#include "converter/ir.h"

namespace octet {
namespace convert {

struct QuantOptions {
  bool per_tensor = false;  // weights: one scale instead of one per output channel
  bool int8_io = false;     // int8 NHWC model inputs/outputs instead of float32 ONNX-layout ones
  // Metadata.
  std::string source_model;
  std::string source_sha256;  // hex, or empty
  std::string calibration_method;
  int calibration_samples = 0;
  std::vector<float> mean, std;
  float scale = 1.f;
  bool images = false;
  std::vector<std::pair<std::string, std::string>> extra;
};

struct QParams {
  float scale = 1.f;
  int32_t zero_point = 0;
};

// What the quantizer decided, for the report's simulation.
struct QuantResult {
  std::vector<uint8_t> model;            // the .octet file
  std::vector<QParams> activation;       // per IR tensor (activations)
  std::vector<bool> quantized;           // per IR tensor: has activation params
  // Per IR constant (weights/biases): the dequantized values the int8 model uses.
  std::vector<std::vector<float>> dequantized_constants;
  int op_count = 0;
  std::vector<std::string> op_types;     // octet op names in order
  std::vector<std::string> warnings;
};

// Asymmetric int8 parameters covering [lo, hi] (widened to include 0).
QParams ChooseParams(float lo, float hi);

// Quantizes an optimized graph with the calibrated ranges and serializes it.
QuantResult Quantize(const Graph& g, const std::vector<Range>& ranges, const QuantOptions& options);

}  // namespace convert
}  // namespace octet
