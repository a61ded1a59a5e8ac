// Prepare-time packing shared by the x86 depthwise kernels (plain C++, no ISA
// flags): weights regrouped so one SIMD multiply-add covers several kernel
// rows of one column, and per-channel bias and requantization tables, all in
// the channel order the kernels' accumulators come out in.
//
// Theory of operation. A kernel handles a block of `block` channels as
// `accs` accumulator vectors of `lanes` 128-bit lanes. Because the x86
// unpack instructions work within 128-bit lanes, accumulator vector j holds,
// in lane L and dword i, channel
//     ch = L * 4 * accs + 4 * j + i
// (the order packssdw/packsswb later undo, so outputs come out in natural
// order without a permute). Each weight dword holds `rows` consecutive kernel
// rows of one column for that channel: 4 int8 (the vpdpbusd quad; rows
// 4g..4g+3) or 2 int16 (the pmaddwd pair; rows 2g, 2g+1); rows past the
// kernel height are zero. A packed block is
//     [kernel_width * groups weight vectors of block dwords] [kTables tables of block int32]
// preceded once by a 64-byte header. With int8 quads and a kernel height of
// 3, a block also ends with kernel_width more weight vectors holding
// (0, w0, w1, w2): the same interleaved rows r0..r3 then give the next
// output row too (stride 1).
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/reference.h"

namespace octet {
namespace x86 {

struct DepthwiseLayout {
  int block;       // channels per block (64, 16 or 8)
  int accs;        // accumulator vectors per block
  int rows;        // kernel rows per weight dword: 4 (int8 quads) or 2 (int16 pairs)
  bool u8_inputs;  // inputs are fed as x + 128 (vpdpbusd): the bias absorbs -128 * sum(w)
};

// Per-channel tables after the weights of a block, int32 each, in accumulator order.
enum DepthwiseTable {
  kBias = 0,     // folded bias (minus 128 * sum(w) for u8 inputs)
  kMultiplier,   // M0
  kLeftShift,    // max(shift, 0)
  kRightShift,   // rs = max(-shift, 0)
  kRemMask,      // 2^rs - 1
  kRemThreshold, // (2^rs - 1) >> 1
  kPow2Left,     // 2^max(shift, 0) (left shift as a wrapping multiply)
  kPow2Right,    // 2^(31 - rs) as uint32
  kPow2RightR,   // rs >= 1 ? 2^(31 - rs) : 0
  kHalf30,       // rs >= 1 ? 2^30 : 0
  // The bounded ("fast") requantization, used when every channel has
  // rs in [1, 22], no left shift and |acc| < 2^30 (see kFastRequant*):
  kBiasOffset,   // kBias + 2^30, so that x_b = acc + 2^30 is in [0, 2^31)
  kTwiceM,       // 2 * M0 as uint32
  kTwiceMOdd,    // at slot 2k: 2 * M0 of slot 2k + 1 (for vpmuludq on odd dwords)
  kAddendEven,   // int64 at qword k: the addend A of slot 2k (see below)
  kAddendOdd,    // int64 at qword k: A of slot 2k + 1
  kTables
};

// The bounded requantization (after the AVX-512 study in
// ../shared/studies/requant): with x_b = acc + 2^30 in [0, 2^31), c = [acc < 0]
// and rs >= 1, the reference's RoundingDivideByPOT(SRDHM(acc, M0), rs) + zp is
//     floor(y / 2^(32 + rs)),  y = acc * 2M0 + 2^31 + 2^(31+rs) + zp 2^(32+rs) - c 2^32
// (nested floors: the SRDHM nudge, RDBPOT's half and its tie-away correction
// -c, and the zero point all move in front of one shift). The kernels form
// P = x_b * 2M0 < 2^63 with an unsigned multiply and add
//     A = -2^31 M0 + 2^31 + 2^(31+rs) + zp 2^(32+rs) - 2^32,
// so P + A = y + (c - 1) 2^32 and floor(y / 2^32) = hi32(P + A) + (x_b >> 30),
// which fits int32 (|acc M0 / 2^31| < 2^30, |zp| 2^rs <= 2^29); an arithmetic
// shift by rs finishes. The bound is checked here at prepare time per channel:
// |folded bias| + 128 * sum|w| < 2^30.
struct DepthwiseHeader {
  int32_t any_left_shift;  // some channel has shift > 0
  int32_t groups;          // weight row groups per column: ceil(kernel_height / rows)
  int32_t fast_requant;    // every channel meets the bounded requantization's conditions
  int32_t pad[13];
};
static_assert(sizeof(DepthwiseHeader) == 64, "header is one cache line");

inline int DepthwiseGroups(const DepthwiseConv2DParams& p, const DepthwiseLayout& l) {
  return (p.kernel_height + l.rows - 1) / l.rows;
}

// Bytes of one packed channel block (weights and tables).
inline bool DepthwiseHasLowerWeights(const DepthwiseConv2DParams& p, const DepthwiseLayout& l) {
  return l.rows == 4 && p.kernel_height == 3;
}
inline size_t DepthwiseBlockBytes(const DepthwiseConv2DParams& p, const DepthwiseLayout& l) {
  const size_t lower = DepthwiseHasLowerWeights(p, l) ? p.kernel_width : 0;
  return (static_cast<size_t>(p.kernel_width) * DepthwiseGroups(p, l) + kTables + lower) *
         l.block * 4;
}

size_t DepthwisePackedBytes(const DepthwiseConv2DParams& p, const DepthwiseLayout& l);
void DepthwisePack(const DepthwiseConv2DParams& p, const DepthwiseLayout& l,
                   const int8_t* filter, const int32_t* bias, void* packed);

// Scratch of the row-interleaving kernels: the interleaved columns of one
// output row for one channel block, plus one block of input zero points.
size_t DepthwiseScratchBytes(const DepthwiseConv2DParams& p, const DepthwiseLayout& l);
// Input columns an output row reads: [-pad_left, -pad_left + span).
inline int DepthwiseColumnSpan(const DepthwiseConv2DParams& p) {
  return (p.output_width - 1) * p.stride_width + (p.kernel_width - 1) * p.dilation_width + 1;
}

}  // namespace x86
}  // namespace octet
