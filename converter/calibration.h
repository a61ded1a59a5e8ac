// Calibration data (.npy, image folders, random) and range observers.
#pragma once

#include <string>
#include <vector>

#include "converter/ir.h"

namespace octet {
namespace convert {

struct CalibrationOptions {
  std::vector<std::string> paths;  // .npy files, or folders of .npy / .png / .jpg
  int limit = 0;                   // 0 = all
  bool random = false;             // random inputs (smoke tests only)
  uint32_t seed = 1;
  // Image preprocessing: x = (pixel * scale - mean[c]) / std[c].
  std::vector<float> mean, std;
  float scale = 1.f / 255.f;
  bool quiet = false;
};

// One model invocation's input values (graph input 0, ONNX layout).
using Sample = std::vector<float>;

// A .npy array: float32/float64/uint8/int* data as float, C order.
struct NpyArray {
  Shape shape;
  std::vector<float> data;
};
NpyArray ReadNpy(const std::string& path);
void WriteNpy(const std::string& path, const Shape& shape, const std::vector<float>& data);

// Reads the samples for a single-input model; throws ConvertError with a
// message that says what was expected. The returned list is never empty.
std::vector<Sample> LoadCalibration(const Graph& g, const CalibrationOptions& options);

enum class Method { kMinMax, kPercentile, kEntropy, kMse };
Method ParseMethod(const std::string& name);
const char* MethodName(Method m);

struct Range {
  float lo = 0, hi = 0;
  bool seen = false;
};

// Runs the float model on every sample and chooses a real range per tensor
// (indexed like g.tensors; constants stay unseen), in one pass over the
// samples (histogram methods keep a 2048-bin histogram of |x| per tensor).
std::vector<Range> Calibrate(const Graph& g, const std::vector<Sample>& samples, Method method,
                             float percentile, bool quiet);

// Threshold choice over a histogram of |x| (2048 bins over [0, amax]);
// exposed for tests. `levels` = quantization levels across [0, threshold].
float EntropyThreshold(const std::vector<double>& hist, float amax, int levels);
float MseThreshold(const std::vector<double>& hist, float amax, int levels);
float PercentileThreshold(const std::vector<double>& hist, float amax, float percentile);

}  // namespace convert
}  // namespace octet
