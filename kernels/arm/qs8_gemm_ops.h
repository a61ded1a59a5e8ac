// Convolution and fully connected on Arm, written once over a GEMM
// micro-kernel (a template parameter), and instantiated by each ISA file
// with its own micro-kernel: qs8_gemm_2x8c8__neon.cc, qs8_gemm_4x16c4__neondot.cc.
//
// Theory of operation. Both ops are C[m][n] = requant(sum_k A[m][k] B[n][k] +
// bias[n]) with A = activations (one row per output pixel or batch row) and
// B = weights [N][K]. At prepare time `Pack` cuts B into panels of kNr
// output channels; a panel holds, 64-byte aligned and contiguous:
//     int32 bias[kNr] | int32 multiplier[kNr] | int32 shift[kNr] |
//     int8 weights[kpad * kNr] in the micro-kernel's own order
// where kpad is K rounded up to a multiple of 8 and the missing channels and
// taps are zeros, so micro-kernels never see an N or K remainder in B.
// At run time A rows are used in place when they can be (1x1 conv with
// stride 1, no padding, one group, or an FC, with K a multiple of 8);
// otherwise rows are gathered (im2col, padded taps = input zero point, K
// padded with zeros) into scratch, kRowsPerChunk rows at a time, so scratch
// stays small (kRowsPerChunk * kpad bytes) and warm in cache. Grouped
// convolutions run one GEMM per group over their own panels.
//
// Micro-kernel concept (Ukernel):
//   static constexpr int kMr, kNr;
//   static void PackWeights(const int8_t* w, size_t w_stride, int nc, int k, int kpad, int8_t* dst);
//       dst[kpad * kNr]: channels nc..kNr-1 and taps k..kpad-1 zero
//   static void Run(const GemmArgs& args);
//       mr (1..kMr) rows of A, the whole panel, writes mr x nc outputs
//
// In an anonymous namespace, like neon_requant.h, for the one-definition rule.
#pragma once

#include <algorithm>
#include <cstring>

#include "kernels/arm/neon_requant.h"
#include "kernels/reference.h"

namespace octet {
namespace {

struct GemmArgs {
  int mr = 0, nc = 0, kpad = 0;
  const int8_t* a = nullptr;  // row r at a + r * a_stride; kpad bytes readable per row
  size_t a_stride = 0;
  const int8_t* panel = nullptr;
  int8_t* c = nullptr;        // row r at c + r * c_stride, nc bytes written per row
  size_t c_stride = 0;
  const OutputStage* out = nullptr;
};

constexpr int kRowsPerChunk = 64;

inline int RoundUp(int x, int m) { return (x + m - 1) / m * m; }

template <typename Ukernel>
constexpr size_t PanelBytes(int kpad) {
  return size_t(Ukernel::kNr) * (3 * sizeof(int32_t) + size_t(kpad));
}

// Packs channels [0, n) of weights w[n][k] (row stride w_stride) into panels.
template <typename Ukernel>
void PackPanels(const int8_t* w, size_t w_stride, int n, int k, const int32_t* bias,
                const int32_t* multiplier, const int32_t* shift, int8_t* dst) {
  constexpr int nr = Ukernel::kNr;
  const int kpad = RoundUp(k, 8);
  for (int n0 = 0; n0 < n; n0 += nr) {
    const int nc = std::min(nr, n - n0);
    int32_t header[3 * nr] = {};
    for (int j = 0; j < nc; ++j) {
      header[j] = bias[n0 + j];
      header[nr + j] = multiplier[n0 + j];
      header[2 * nr + j] = shift[n0 + j];
    }
    std::memcpy(dst, header, sizeof(header));
    Ukernel::PackWeights(w + size_t(n0) * w_stride, w_stride, nc, k, kpad, dst + sizeof(header));
    dst += PanelBytes<Ukernel>(kpad);
  }
}

// Runs all panels of one GEMM over `rows` rows of A.
template <typename Ukernel>
void GemmRows(int rows, int n, int kpad, const int8_t* a, size_t a_stride, const int8_t* panels,
              int8_t* c, size_t c_stride, const OutputStage& out) {
  constexpr int nr = Ukernel::kNr, mr = Ukernel::kMr;
  GemmArgs args;
  args.kpad = kpad;
  args.a_stride = a_stride;
  args.c_stride = c_stride;
  args.out = &out;
  for (int n0 = 0; n0 < n; n0 += nr) {
    args.nc = std::min(nr, n - n0);
    args.panel = panels + size_t(n0 / nr) * PanelBytes<Ukernel>(kpad);
    for (int m0 = 0; m0 < rows; m0 += mr) {
      args.mr = std::min(mr, rows - m0);
      args.a = a + size_t(m0) * a_stride;
      args.c = c + size_t(m0) * c_stride + n0;
      Ukernel::Run(args);
    }
  }
}

// ---- fully connected ------------------------------------------------------

template <typename Ukernel>
size_t FullyConnectedPackedBytes(const FullyConnectedParams& p) {
  const int panels = (p.output_features + Ukernel::kNr - 1) / Ukernel::kNr;
  return size_t(panels) * PanelBytes<Ukernel>(RoundUp(p.input_features, 8));
}

template <typename Ukernel>
void FullyConnectedPack(const FullyConnectedParams& p, const int8_t* filter, const int32_t* bias,
                        void* packed) {
  PackPanels<Ukernel>(filter, size_t(p.input_features), p.output_features, p.input_features,
                      bias, p.requant.multiplier, p.requant.shift, static_cast<int8_t*>(packed));
}

inline size_t FullyConnectedScratchBytes(const FullyConnectedParams& p) {
  const int k = p.input_features;
  return k % 8 == 0 ? 0 : size_t(kRowsPerChunk) * RoundUp(k, 8);
}

template <typename Ukernel>
void FullyConnectedRun(const FullyConnectedParams& p, const int8_t* input, const int8_t*,
                       const int32_t*, const void* packed, void* scratch, int8_t* output) {
  const int k = p.input_features, kpad = RoundUp(k, 8), n = p.output_features;
  const OutputStage out(p.requant.output_zero_point, p.requant.qmin, p.requant.qmax);
  const int8_t* panels = static_cast<const int8_t*>(packed);
  if (k == kpad) {
    GemmRows<Ukernel>(p.batch, n, kpad, input, size_t(k), panels, output, size_t(n), out);
    return;
  }
  // K is not a multiple of 8: copy rows into zero-padded scratch rows.
  int8_t* rows = static_cast<int8_t*>(scratch);
  for (int m0 = 0; m0 < p.batch; m0 += kRowsPerChunk) {
    const int count = std::min(kRowsPerChunk, p.batch - m0);
    for (int r = 0; r < count; ++r) {
      std::memcpy(rows + size_t(r) * kpad, input + size_t(m0 + r) * k, size_t(k));
      std::memset(rows + size_t(r) * kpad + k, 0, size_t(kpad - k));
    }
    GemmRows<Ukernel>(count, n, kpad, rows, size_t(kpad), panels, output + size_t(m0) * n,
                      size_t(n), out);
  }
}

// ---- convolution ----------------------------------------------------------

inline bool ConvIsDirect(const Conv2DParams& p) {
  return p.kernel_height == 1 && p.kernel_width == 1 && p.stride_height == 1 &&
         p.stride_width == 1 && p.pad_top == 0 && p.pad_left == 0 && p.groups == 1 &&
         p.input_channels % 8 == 0 && p.output_height == p.input_height &&
         p.output_width == p.input_width;
}

inline int ConvGroupK(const Conv2DParams& p) {
  return p.kernel_height * p.kernel_width * (p.input_channels / p.groups);
}

template <typename Ukernel>
size_t ConvGroupPackedBytes(const Conv2DParams& p) {
  const int per_group = p.output_channels / p.groups;
  const int panels = (per_group + Ukernel::kNr - 1) / Ukernel::kNr;
  return size_t(panels) * PanelBytes<Ukernel>(RoundUp(ConvGroupK(p), 8));
}

template <typename Ukernel>
size_t ConvPackedBytes(const Conv2DParams& p) {
  return size_t(p.groups) * ConvGroupPackedBytes<Ukernel>(p);
}

template <typename Ukernel>
void ConvPack(const Conv2DParams& p, const int8_t* filter, const int32_t* bias, void* packed) {
  const int k = ConvGroupK(p), per_group = p.output_channels / p.groups;
  int8_t* dst = static_cast<int8_t*>(packed);
  for (int g = 0; g < p.groups; ++g) {
    const int c0 = g * per_group;
    PackPanels<Ukernel>(filter + size_t(c0) * k, size_t(k), per_group, k, bias + c0,
                        p.requant.multiplier + c0, p.requant.shift + c0, dst);
    dst += ConvGroupPackedBytes<Ukernel>(p);
  }
}

inline size_t ConvScratchBytes(const Conv2DParams& p) {
  return ConvIsDirect(p) ? 0 : size_t(kRowsPerChunk) * RoundUp(ConvGroupK(p), 8);
}

// Copies one tap's kC channels (kC = 0: n channels). A first layer has 1-4
// input channels (RGB): a library memcpy call per tap would cost more than
// the GEMM, while a fixed-size copy compiles to a few loads and stores (the
// common channel counts are instantiated in Im2Col below).
template <int kC>
inline void CopyTap(int8_t* dst, const int8_t* src, int n) {
  if (kC == 3) {
    std::memcpy(dst, src, 2);
    dst[2] = src[2];
  } else if (kC > 0) {
    std::memcpy(dst, src, size_t(kC));
  } else {
    std::memcpy(dst, src, size_t(n));
  }
}

// im2col of output pixels [pixel0, pixel0 + count) (numbered over batch,
// rows and columns) for group g: one row of kpad bytes per pixel, taps in
// filter order (ky, kx, ic), padded taps = input zero point, tail zeros.
// Pixels whose window lies inside the image (most of them) skip the checks.
template <int kC>
void Im2ColT(const Conv2DParams& p, const int8_t* input, int g, int pixel0, int count, int kpad,
             int8_t* rows) {
  const int per_group = kC > 0 ? kC : p.input_channels / p.groups;
  const int pixels_per_image = p.output_height * p.output_width;
  const size_t image_bytes = size_t(p.input_height) * p.input_width * p.input_channels;
  const size_t row_bytes = size_t(p.input_width) * p.input_channels;
  const size_t tap_step = size_t(p.dilation_width) * p.input_channels;
  const int8_t z = static_cast<int8_t>(p.input_zero_point);
  const int span_y = (p.kernel_height - 1) * p.dilation_height;
  const int span_x = (p.kernel_width - 1) * p.dilation_width;
  int n = pixel0 / pixels_per_image;
  int oy = pixel0 % pixels_per_image / p.output_width;
  int ox = pixel0 % p.output_width;
  for (int r = 0; r < count; ++r) {
    const int8_t* image = input + size_t(n) * image_bytes + size_t(g) * per_group;
    int8_t* dst = rows + size_t(r) * kpad;
    const int iy0 = oy * p.stride_height - p.pad_top;
    const int ix0 = ox * p.stride_width - p.pad_left;
    if (iy0 >= 0 && iy0 + span_y < p.input_height && ix0 >= 0 && ix0 + span_x < p.input_width) {
      for (int ky = 0; ky < p.kernel_height; ++ky) {
        const int8_t* src =
            image + size_t(iy0 + ky * p.dilation_height) * row_bytes + size_t(ix0) * p.input_channels;
        for (int kx = 0; kx < p.kernel_width; ++kx, src += tap_step, dst += per_group) {
          CopyTap<kC>(dst, src, per_group);
        }
      }
    } else {
      for (int ky = 0; ky < p.kernel_height; ++ky) {
        const int iy = iy0 + ky * p.dilation_height;
        for (int kx = 0; kx < p.kernel_width; ++kx, dst += per_group) {
          const int ix = ix0 + kx * p.dilation_width;
          if (iy >= 0 && iy < p.input_height && ix >= 0 && ix < p.input_width) {
            CopyTap<kC>(dst, image + size_t(iy) * row_bytes + size_t(ix) * p.input_channels,
                        per_group);
          } else {
            for (int i = 0; i < per_group; ++i) dst[i] = z;
          }
        }
      }
    }
    for (int8_t* end = rows + size_t(r + 1) * kpad; dst < end; ++dst) *dst = 0;  // < 8 bytes
    if (++ox == p.output_width) {
      ox = 0;
      if (++oy == p.output_height) {
        oy = 0;
        ++n;
      }
    }
  }
}

inline void Im2Col(const Conv2DParams& p, const int8_t* input, int g, int pixel0, int count,
                   int kpad, int8_t* rows) {
  switch (p.input_channels / p.groups) {
    case 1: return Im2ColT<1>(p, input, g, pixel0, count, kpad, rows);
    case 3: return Im2ColT<3>(p, input, g, pixel0, count, kpad, rows);
    case 4: return Im2ColT<4>(p, input, g, pixel0, count, kpad, rows);
    case 8: return Im2ColT<8>(p, input, g, pixel0, count, kpad, rows);
    case 16: return Im2ColT<16>(p, input, g, pixel0, count, kpad, rows);
    case 32: return Im2ColT<32>(p, input, g, pixel0, count, kpad, rows);
    case 64: return Im2ColT<64>(p, input, g, pixel0, count, kpad, rows);
    default: return Im2ColT<0>(p, input, g, pixel0, count, kpad, rows);
  }
}

template <typename Ukernel>
void ConvRun(const Conv2DParams& p, const int8_t* input, const int8_t*, const int32_t*,
             const void* packed, void* scratch, int8_t* output) {
  const OutputStage out(p.requant.output_zero_point, p.requant.qmin, p.requant.qmax);
  const int8_t* panels = static_cast<const int8_t*>(packed);
  const int pixels = p.batch * p.output_height * p.output_width;
  const int oc = p.output_channels;
  if (ConvIsDirect(p)) {
    GemmRows<Ukernel>(pixels, oc, p.input_channels, input, size_t(p.input_channels), panels,
                      output, size_t(oc), out);
    return;
  }
  const int kpad = RoundUp(ConvGroupK(p), 8), per_group = oc / p.groups;
  int8_t* rows = static_cast<int8_t*>(scratch);
  for (int m0 = 0; m0 < pixels; m0 += kRowsPerChunk) {
    const int count = std::min(kRowsPerChunk, pixels - m0);
    for (int g = 0; g < p.groups; ++g) {
      Im2Col(p, input, g, m0, count, kpad, rows);
      GemmRows<Ukernel>(count, per_group, kpad, rows, size_t(kpad),
                        panels + size_t(g) * ConvGroupPackedBytes<Ukernel>(p),
                        output + size_t(m0) * oc + size_t(g) * per_group, size_t(oc), out);
    }
  }
}

// The op-level kernels of one micro-kernel.
template <typename Ukernel>
constexpr Conv2DKernel MakeConv2DKernel(const char* name) {
  return {name, ConvPackedBytes<Ukernel>, ConvPack<Ukernel>, ConvScratchBytes, ConvRun<Ukernel>};
}

template <typename Ukernel>
constexpr FullyConnectedKernel MakeFullyConnectedKernel(const char* name) {
  return {name, FullyConnectedPackedBytes<Ukernel>, FullyConnectedPack<Ukernel>,
          FullyConnectedScratchBytes, FullyConnectedRun<Ukernel>};
}

}  // namespace
}  // namespace octet
