// Accuracy report: per-layer SQNR of the int8 model against the float model.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include "converter/calibration.h"
#include "converter/quantizer.h"

namespace octet {
namespace convert {

struct LayerSqnr {
  std::string tensor;  // IR tensor (a node output)
  std::string op;      // IR op producing it
  double sqnr_db = 0;
  int index = 0;       // position in execution order
};

struct OutputStats {
  std::string name;
  double sqnr_db = 0;
  bool classifier = false;
  double top1_agreement = 0;  // fraction of rows whose argmax matches float
};

// Theory of operation: per-layer figures come from a simulation of the int8
// model in the float executor: weights and biases replaced by their
// dequantized int8/int32 values, every activation rounded to its int8 grid
// (scale, zero point, clamp), lookup-table ops evaluated on the grid as the
// table is. It differs from the integer kernels only by the fixed-point
// requantization's rounding. The model outputs are additionally measured by
// running the .octet file through the runtime's C API when this runtime can
// load it (`runtime_ran`); otherwise `runtime_note` says why not.
struct AccuracyReport {
  int samples = 0;
  std::vector<LayerSqnr> layers;           // worst first
  std::vector<OutputStats> simulated;      // per model output
  std::vector<OutputStats> runtime;        // per model output, when runtime_ran
  bool runtime_ran = false;
  std::string runtime_note;
};

AccuracyReport MeasureAccuracy(const Graph& g, const QuantResult& q,
                               const std::vector<Sample>& samples, bool int8_io);
void PrintReport(const AccuracyReport& r, FILE* out, size_t max_layers = 10);
// JSON with the layers, outputs and `summary` key/values (model, sizes, ...).
void WriteReportJson(const AccuracyReport& r, const std::string& path,
                     const std::vector<std::pair<std::string, std::string>>& summary);

// 10 log10(sum s^2 / sum (s - q)^2), +inf when identical.
double Sqnr(double signal, double noise);

}  // namespace convert
}  // namespace octet
