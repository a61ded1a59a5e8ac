// AVX-512 VNNI fully-connected layer: the input rows are the GEMM's A rows
// (copied to rows padded to a multiple of 4 bytes when K is not one).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/kernel_table.h"
#include "kernels/x86/avx512vnni_kernels.h"
#include "kernels/x86/qs8_gemm_c4__avx512vnni.h"

namespace octet {
namespace avx512vnni {
namespace {

constexpr int kPaddedRows = 64;  // rows per block when K needs padding

GemmShape Shape(const FullyConnectedParams& p) {
  GemmShape shape;
  shape.n = p.output_features;
  shape.k = p.input_features;
  return shape;
}

int PaddedK(const FullyConnectedParams& p) { return (p.input_features + 3) / 4 * 4; }

size_t PackedBytes(const FullyConnectedParams& p) { return GemmPackedBytes(Shape(p)); }

void Pack(const FullyConnectedParams& p, const int8_t* filter, const int32_t* bias,
          void* packed) {
  GemmPack(Shape(p), filter, bias, p.requant.multiplier, p.requant.shift,
           p.requant.output_zero_point, packed);
}

size_t ScratchBytes(const FullyConnectedParams& p) {
  if (p.input_features % 4 == 0) return 0;
  return static_cast<size_t>(std::min(p.batch, kPaddedRows)) * PaddedK(p);
}

void Run(const FullyConnectedParams& p, const int8_t* input, const int8_t*, const int32_t*,
         const void* packed, void* scratch, int8_t* output) {
  const RequantParams& rq = p.requant;
  const int k = p.input_features;
  if (k % 4 == 0) {
    Gemm(packed, p.batch, input, k, output, p.output_features, rq.output_zero_point, rq.qmin,
         rq.qmax);
    return;
  }
  const int kp = PaddedK(p);
  int8_t* rows = static_cast<int8_t*>(scratch);
  for (int m0 = 0; m0 < p.batch; m0 += kPaddedRows) {
    const int m = std::min(kPaddedRows, p.batch - m0);
    for (int r = 0; r < m; ++r) {
      int8_t* dst = rows + static_cast<size_t>(r) * kp;
      std::memcpy(dst, input + static_cast<size_t>(m0 + r) * k, k);
      std::memset(dst + k, 0, kp - k);
    }
    Gemm(packed, m, rows, kp, output + static_cast<size_t>(m0) * p.output_features,
         p.output_features, rq.output_zero_point, rq.qmin, rq.qmax);
  }
}

}  // namespace
}  // namespace avx512vnni

const FullyConnectedKernel qs8_fully_connected__avx512vnni = {
    "qs8_fully_connected__avx512vnni", avx512vnni::PackedBytes, avx512vnni::Pack,
    avx512vnni::ScratchBytes, avx512vnni::Run};

}  // namespace octet
