// Prepare-time packing of depthwise weights and requantization tables for the
// x86 kernels (layout in qs8_dwconv2d_pack.h).
#include "kernels/x86/qs8_dwconv2d_pack.h"

#include <cstring>

namespace octet {
namespace x86 {

size_t DepthwisePackedBytes(const DepthwiseConv2DParams& p, const DepthwiseLayout& l) {
  const int channels = p.input_channels * p.depth_multiplier;
  const size_t blocks = (channels + l.block - 1) / l.block;
  return sizeof(DepthwiseHeader) + blocks * DepthwiseBlockBytes(p, l);
}

size_t DepthwiseScratchBytes(const DepthwiseConv2DParams& p, const DepthwiseLayout& l) {
  // + 64: one block of zero points (at most 64 channels), rounded to a line.
  // The AVX-512 kernel builds columns in tiles of 32 outputs (a tile never
  // needs more than the whole span).
  return static_cast<size_t>(DepthwiseColumnSpan(p)) * DepthwiseGroups(p, l) * l.block * 4 + 64 +
         64;
}

void DepthwisePack(const DepthwiseConv2DParams& p, const DepthwiseLayout& l,
                   const int8_t* filter, const int32_t* bias, void* packed) {
  const int channels = p.input_channels * p.depth_multiplier;
  const int kh = p.kernel_height, kw = p.kernel_width;
  const int groups = DepthwiseGroups(p, l);
  const int lanes = l.block / (4 * l.accs);
  const RequantParams& rq = p.requant;

  auto* header = static_cast<DepthwiseHeader*>(packed);
  std::memset(header, 0, sizeof(*header));
  header->groups = groups;
  header->fast_requant = 1;
  const int taps = kh * kw;
  for (int c = 0; c < channels; ++c) {
    if (rq.shift[c] > 0) header->any_left_shift = 1;
    if (rq.shift[c] > -1 || rq.shift[c] < -22) header->fast_requant = 0;
    int64_t bound = bias != nullptr ? (bias[c] < 0 ? -int64_t{bias[c]} : bias[c]) : 0;
    for (int t = 0; t < taps; ++t) {
      const int w = filter[static_cast<size_t>(t) * channels + c];
      bound += 128 * (w < 0 ? -w : w);
    }
    if (bound >= (int64_t{1} << 30)) header->fast_requant = 0;
  }

  uint8_t* block_base = static_cast<uint8_t*>(packed) + sizeof(DepthwiseHeader);
  const size_t block_bytes = DepthwiseBlockBytes(p, l);
  const int blocks = (channels + l.block - 1) / l.block;
  for (int b = 0; b < blocks; ++b, block_base += block_bytes) {
    std::memset(block_base, 0, block_bytes);
    int32_t* tables = reinterpret_cast<int32_t*>(block_base + static_cast<size_t>(kw) * groups *
                                                                  l.block * 4);
    for (int j = 0; j < l.accs; ++j) {
      for (int lane = 0; lane < lanes; ++lane) {
        for (int i = 0; i < 4; ++i) {
          const int slot = (j * lanes + lane) * 4 + i;  // dword within a vector
          const int ch = b * l.block + lane * 4 * l.accs + 4 * j + i;
          if (ch >= channels) continue;  // padding channels: zero weights and tables
          int64_t weight_sum = 0;
          for (int kx = 0; kx < kw; ++kx) {
            for (int g = 0; g < groups; ++g) {
              uint8_t* dword = block_base + ((static_cast<size_t>(kx) * groups + g) * l.block +
                                             slot) * 4;
              for (int q = 0; q < l.rows; ++q) {
                const int ky = g * l.rows + q;
                if (ky >= kh) continue;
                const int8_t w = filter[(static_cast<size_t>(ky) * kw + kx) * channels + ch];
                weight_sum += w;
                if (l.rows == 4) {
                  dword[q] = static_cast<uint8_t>(w);
                  if (DepthwiseHasLowerWeights(p, l)) {  // (0, w0, w1, w2) after the tables
                    uint8_t* lower = block_base + ((static_cast<size_t>(kw) * groups + kTables + kx) *
                                                       l.block + slot) * 4;
                    lower[q + 1] = static_cast<uint8_t>(w);
                  }
                } else {
                  const int16_t w16 = w;
                  std::memcpy(dword + 2 * q, &w16, 2);
                }
              }
            }
          }
          const int shift = rq.shift[ch];
          const int ls = shift > 0 ? shift : 0;
          const int rs = shift > 0 ? 0 : -shift;
          int64_t b_value = bias != nullptr ? bias[ch] : 0;
          // Wrapping int32 arithmetic is intended: the kernels accumulate
          // modulo 2^32 and the true accumulator fits int32.
          if (l.u8_inputs) b_value -= 128 * weight_sum;
          auto put = [&](int table, int64_t v) {
            tables[table * l.block + slot] = static_cast<int32_t>(static_cast<uint32_t>(v));
          };
          put(kBias, b_value);
          put(kMultiplier, rq.multiplier[ch]);
          put(kLeftShift, ls);
          put(kRightShift, rs);
          put(kRemMask, (int64_t{1} << rs) - 1);
          put(kRemThreshold, ((int64_t{1} << rs) - 1) >> 1);
          put(kPow2Left, int64_t{1} << ls);
          put(kPow2Right, int64_t{1} << (31 - rs));
          put(kPow2RightR, rs >= 1 ? int64_t{1} << (31 - rs) : 0);
          put(kHalf30, rs >= 1 ? int64_t{1} << 30 : 0);
          put(kBiasOffset, b_value + (int64_t{1} << 30));
          const int64_t m0 = rq.multiplier[ch];
          put(kTwiceM, 2 * m0);
          if (slot % 2 == 1) tables[kTwiceMOdd * l.block + slot - 1] = static_cast<int32_t>(
              static_cast<uint32_t>(2 * m0));
          // Only meaningful (and only used) when fast_requant holds: rs in [1, 22].
          const int64_t addend = -(int64_t{1} << 31) * m0 + (int64_t{1} << 31) +
                                 (rs <= 22 ? (int64_t{1} << (31 + rs)) +
                                                 int64_t{rq.output_zero_point} * (int64_t{1} << (32 + rs))
                                           : 0) -
                                 (int64_t{1} << 32);
          uint8_t* addends = reinterpret_cast<uint8_t*>(
              tables + (slot % 2 == 0 ? kAddendEven : kAddendOdd) * l.block);
          std::memcpy(addends + (slot / 2) * sizeof(addend), &addend, sizeof(addend));
        }
      }
    }
  }
}

}  // namespace x86
}  // namespace octet
