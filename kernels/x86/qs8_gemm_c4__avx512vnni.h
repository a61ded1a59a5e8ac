// The AVX-512 VNNI int8 GEMM shared by convolution and fully connected:
// packing at prepare time and the tiled driver (qs8_gemm_c4__avx512vnni.cc).
//
// Plain declarations only (no intrinsics), so files compiled with other flags
// may include it; the definitions live in one AVX-512 file.
#pragma once

#include <cstddef>
#include <cstdint>

namespace octet {
namespace avx512vnni {

// Computes C[m, n] = requant(sum_k A[m, k] * W[n, k] + bias[n]) for int8 A
// rows (row stride a_stride bytes, at least round_up(k, 4) readable bytes per
// row: the caller pads rows whose k is not a multiple of 4), int8 W [n, k]
// packed by GemmPack, and int8 C rows (row stride c_stride bytes).
struct GemmShape {
  int n = 0;  // output channels
  int k = 0;  // reduction length (taps)
};

// Bytes GemmPack writes for a shape (64-byte multiple).
size_t GemmPackedBytes(const GemmShape& shape);

// Packs W (row-major [n, k]), the folded bias and the per-channel
// requantization into `packed` (64-byte aligned). Chooses the tile and the
// epilogue (the fast exact one when the accumulator bound allows it).
// multiplier/shift/output_zero_point are those of the n channels.
void GemmPack(const GemmShape& shape, const int8_t* w, const int32_t* bias,
              const int32_t* multiplier, const int32_t* shift, int32_t output_zero_point,
              void* packed);

// Runs the GEMM over m rows. qmin/qmax: the output clamp.
void Gemm(const void* packed, int m, const int8_t* a, size_t a_stride, int8_t* c,
          size_t c_stride, int32_t output_zero_point, int32_t qmin, int32_t qmax);

// The same GEMM with each A row made of `taps` segments: row r reads
// k / taps bytes at a + r * a_stride + tap_offsets[t] for t = 0..taps-1, in
// the packed k order (an implicit im2col: convolution taps read straight from
// the input). Requires k % taps == 0 and (k / taps) % 4 == 0.
void GemmTaps(const void* packed, int m, const int8_t* a, size_t a_stride,
              const ptrdiff_t* tap_offsets, int taps, int8_t* c, size_t c_stride,
              int32_t output_zero_point, int32_t qmin, int32_t qmax);

// Whether GemmPack chose the fast exact epilogue (for tests and benchmarks).
// (True for the float epilogue too: it falls back to the fast one.)
bool GemmUsesFastEpilogue(const void* packed);
// Whether GemmPack chose the checked float epilogue (requant_float.h).
bool GemmUsesFloatEpilogue(const void* packed);

}  // namespace avx512vnni
}  // namespace octet
