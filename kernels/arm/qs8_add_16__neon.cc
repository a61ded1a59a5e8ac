// NEON (aarch64 and armv7) elementwise add of two int8 tensors with their own
// scales, 16 elements per step, bit-exact with qs8_add__scalar: a linear
// fixed-point form with tie detection (qs8_add_neon_setup.h, theory in
// kernels/qs8_add_linear.h), and the exact scheme for blocks with an element
// near a tie, for tie-heavy scales and for parameters the fast form cannot
// take.
#include <arm_neon.h>

#include <cstring>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_requant.h"
#include "kernels/arm/qs8_add_neon_setup.h"

namespace octet {
namespace {

// The exact scheme, per 16 elements (lanes i = 0..15, as four int32x4 quarters):
//   xa_i = (a_i - z_a) << left_shift          vsubl_s8 (int16) -> vmovl + vshl
//   s_i  = requant(xa_i, M_a, sh_a) + requant(xb_i, M_b, sh_b)
//   out_i = clamp(requant(s_i, M_out, sh_out) + z_out)
// The same steps and roundings as the scalar kernel, lane by lane.
struct AddConstants {
  int8x8_t za, zb;
  int32x4_t left, ma, sa, mb, sb, mo, so;
};

inline int32x4_t AddQuarter(int16x4_t a, int16x4_t b, const AddConstants& k) {
  const int32x4_t xa = vshlq_s32(vmovl_s16(a), k.left);
  const int32x4_t xb = vshlq_s32(vmovl_s16(b), k.left);
  const int32x4_t sum = vaddq_s32(RequantizeQ31(xa, k.ma, k.sa), RequantizeQ31(xb, k.mb, k.sb));
  return RequantizeQ31(sum, k.mo, k.so);
}

inline int8x8_t AddEight(int8x8_t a, int8x8_t b, const AddConstants& k, const OutputStage& out) {
  const int16x8_t da = vsubl_s8(a, k.za), db = vsubl_s8(b, k.zb);
  return out(AddQuarter(vget_low_s16(da), vget_low_s16(db), k),
             AddQuarter(vget_high_s16(da), vget_high_s16(db), k));
}

struct ExactAdd {
  AddConstants k;
  OutputStage stage;
  explicit ExactAdd(const AddParams& p)
      // Zero points are int8 values (the contract), so vsubl_s8 takes them as int8.
      : k{vdup_n_s8(static_cast<int8_t>(p.a_zero_point)),
          vdup_n_s8(static_cast<int8_t>(p.b_zero_point)),
          vdupq_n_s32(p.left_shift),
          vdupq_n_s32(p.a_multiplier), vdupq_n_s32(p.a_shift),
          vdupq_n_s32(p.b_multiplier), vdupq_n_s32(p.b_shift),
          vdupq_n_s32(p.output_multiplier), vdupq_n_s32(p.output_shift)},
        stage(p.output_zero_point, p.qmin, p.qmax) {}
  void Block(const int8_t* a, const int8_t* b, int8_t* out) const {
    const int8x16_t va = vld1q_s8(a), vb = vld1q_s8(b);
    const int8x8_t lo = AddEight(vget_low_s8(va), vget_low_s8(vb), k, stage);
    const int8x8_t hi = AddEight(vget_high_s8(va), vget_high_s8(vb), k, stage);
    vst1q_s8(out, vcombine_s8(lo, hi));
  }
};

// Calls block(a, b, out) for each 16 elements from a, b, out; the tail goes
// through zero-padded copies (no read or write past n).
template <typename Block>
inline void ForEachBlock(size_t n, const int8_t* a, const int8_t* b, int8_t* out, Block block) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) block(a + i, b + i, out + i);
  if (i < n) {
    int8_t ta[16] = {}, tb[16] = {}, to[16];
    std::memcpy(ta, a + i, n - i);
    std::memcpy(tb, b + i, n - i);
    block(ta, tb, to);
    std::memcpy(out + i, to, n - i);
  }
}

// The fast path, per block of 16 elements (qs8_add_neon_setup.h):
//   lo   = a Pl + b Ql                        int16, vmull_s8 + vmlal_s8
//   t    = D + lo + (256 a) Ph + (256 b) Qh   int32, four quarters of
//                                             vaddw_s16 + 2 vmlal_s16
//   unsafe lanes: (t & band) == 0, tested on the minimum over the 16 lanes
//   result: the high halves of t (t >> 16), vqshrn_n_s16 by kShift = k - 16
//   (saturating to int8), then the [qmin, qmax] clamp when kClamp.
// A block with an unsafe lane takes the exact scheme as a whole (out of line).
template <int kShift, bool kClamp>
class FastAddRun {
 public:
  FastAddRun(const ExactAdd& exact, const AddParams& p, const arm::NeonFastAdd& f)
      : exact_(exact),
        pl_(vdup_n_s8(f.pl)),
        ql_(vdup_n_s8(f.ql)),
        pl16_(vdupq_n_s8(f.pl)),
        ql16_(vdupq_n_s8(f.ql)),
        ph_(vdup_n_s16(f.ph)),
        qh_(vdup_n_s16(f.qh)),
        ph8_(vdupq_n_s16(f.ph)),
        qh8_(vdupq_n_s16(f.qh)),
        d_(vdupq_n_s32(f.d)),
        band_(vdupq_n_u32(static_cast<uint32_t>(f.band))),
        qmin_(vdupq_n_s8(static_cast<int8_t>(p.qmin))),
        qmax_(vdupq_n_s8(static_cast<int8_t>(p.qmax))) {}

  // Returns how many elements it did: n, or fewer when most blocks had an
  // element near a tie (scales in simple ratios), so that the caller does
  // the rest with the exact scheme alone (cheaper than fast + redo then).
  size_t Run(size_t n, const int8_t* a, const int8_t* b, int8_t* out) const {
    // Pointers rather than an index (three post-incremented pointers). Two
    // blocks a step with one tie test saved ~2% on armv7 and cost ~9% on
    // aarch64 (register moves) and ~10% on tie-heavy scales: not taken.
    const int8_t* const a0 = a;
    const int8_t* const end = a + (n & ~size_t{15});
    size_t exact_blocks = 0;
    for (; a != end; a += 16, b += 16, out += 16) {
      if (Fast(a, b, out)) continue;
      Exact(a, b, out);
      const size_t done = static_cast<size_t>(a - a0) + 16;
      if (TooManyTies(++exact_blocks, done / 16)) return done;
    }
    ForEachBlock(n % 16, a, b, out, [&](const int8_t* pa, const int8_t* pb, int8_t* po) {
      if (!Fast(pa, pb, po)) Exact(pa, pb, po);
    });
    return n;
  }

 private:
  struct Block {
    int8x16_t r;        // the 16 results, clamped
    uint32x4_t least;   // a lane is 0 iff one of the 16 elements is near a tie
  };

  static bool Safe(uint32x4_t least) {
#if defined(__aarch64__)
    return vminvq_u32(least) != 0;
#else
    const uint32x2_t m = vpmin_u32(vget_low_u32(least), vget_high_u32(least));
    return vget_lane_u32(vpmin_u32(m, m), 0) != 0;
#endif
  }

  // Stores the 16 results and returns true when no element is near a tie
  // (only after the test: out may be a or b, in place).
  bool Fast(const int8_t* a, const int8_t* b, int8_t* out) const {
    const Block x = Compute(a, b);
    if (!Safe(x.least)) return false;
    vst1q_s8(out, x.r);
    return true;
  }

  // Out of line (rare): the exact scheme on the 16 elements.
  [[gnu::noinline]] void Exact(const int8_t* a, const int8_t* b, int8_t* out) const {
    exact_.Block(a, b, out);
  }

  Block Compute(const int8_t* a, const int8_t* b) const {
    const int8x16_t va = vld1q_s8(a), vb = vld1q_s8(b);
    const int8x8_t a0 = vget_low_s8(va), b0 = vget_low_s8(vb);
#if defined(__aarch64__)
    const int16x8_t lo0 = vmlal_s8(vmull_s8(a0, pl_), b0, ql_);
    const int16x8_t lo1 = vmlal_high_s8(vmull_high_s8(va, pl16_), vb, ql16_);
    const int16x8_t a256_0 = vshll_n_s8(a0, 8), a256_1 = vshll_high_n_s8(va, 8);
    const int16x8_t b256_0 = vshll_n_s8(b0, 8), b256_1 = vshll_high_n_s8(vb, 8);
#else
    const int8x8_t a1 = vget_high_s8(va), b1 = vget_high_s8(vb);
    const int16x8_t lo0 = vmlal_s8(vmull_s8(a0, pl_), b0, ql_);
    const int16x8_t lo1 = vmlal_s8(vmull_s8(a1, pl_), b1, ql_);
    const int16x8_t a256_0 = vshll_n_s8(a0, 8), a256_1 = vshll_n_s8(a1, 8);
    const int16x8_t b256_0 = vshll_n_s8(b0, 8), b256_1 = vshll_n_s8(b1, 8);
#endif
    const int32x4_t t0 = Low(lo0, a256_0, b256_0), t1 = High(lo0, a256_0, b256_0);
    const int32x4_t t2 = Low(lo1, a256_1, b256_1), t3 = High(lo1, a256_1, b256_1);
    Block x;
    x.least = vminq_u32(vminq_u32(vandq_u32(vreinterpretq_u32_s32(t0), band_),
                                  vandq_u32(vreinterpretq_u32_s32(t1), band_)),
                        vminq_u32(vandq_u32(vreinterpretq_u32_s32(t2), band_),
                                  vandq_u32(vreinterpretq_u32_s32(t3), band_)));
#if defined(__aarch64__)
    const int16x8_t h0 = vuzp2q_s16(vreinterpretq_s16_s32(t0), vreinterpretq_s16_s32(t1));
    const int16x8_t h1 = vuzp2q_s16(vreinterpretq_s16_s32(t2), vreinterpretq_s16_s32(t3));
    x.r = vqshrn_high_n_s16(vqshrn_n_s16(h0, kShift), h1, kShift);
#else
    // vshrn by 16 into d registers (vuzp is in place on both operands: extra moves).
    const int16x8_t h0 = vcombine_s16(vshrn_n_s32(t0, 16), vshrn_n_s32(t1, 16));
    const int16x8_t h1 = vcombine_s16(vshrn_n_s32(t2, 16), vshrn_n_s32(t3, 16));
    x.r = vcombine_s8(vqshrn_n_s16(h0, kShift), vqshrn_n_s16(h1, kShift));
#endif
    if (kClamp) x.r = vminq_s8(vmaxq_s8(x.r, qmin_), qmax_);
    return x;
  }

  // t for lanes 0..3 (Low) or 4..7 (High) of 8.
  int32x4_t Low(int16x8_t lo, int16x8_t a256, int16x8_t b256) const {
    return vmlal_s16(vmlal_s16(vaddw_s16(d_, vget_low_s16(lo)), vget_low_s16(a256), ph_),
                     vget_low_s16(b256), qh_);
  }
  int32x4_t High(int16x8_t lo, int16x8_t a256, int16x8_t b256) const {
#if defined(__aarch64__)  // the "2" forms read the high halves (no extracting moves)
    return vmlal_high_s16(vmlal_high_s16(vaddw_high_s16(d_, lo), a256, ph8_), b256, qh8_);
#else  // d registers: the high halves are free
    return vmlal_s16(vmlal_s16(vaddw_s16(d_, vget_high_s16(lo)), vget_high_s16(a256), ph_),
                     vget_high_s16(b256), qh_);
#endif
  }

  const ExactAdd& exact_;
  int8x8_t pl_, ql_;
  int8x16_t pl16_, ql16_;  // for the aarch64 "2" forms
  int16x4_t ph_, qh_;
  int16x8_t ph8_, qh8_;  // for the aarch64 "2" forms
  int32x4_t d_;
  uint32x4_t band_;
  int8x16_t qmin_, qmax_;
};

template <int kShift, bool kClamp>
size_t FastRunShift(const ExactAdd& exact, const AddParams& p, const arm::NeonFastAdd& f, size_t n,
               const int8_t* a, const int8_t* b, int8_t* out) {
  return FastAddRun<kShift, kClamp>(exact, p, f).Run(n, a, b, out);
}

template <bool kClamp>
size_t FastRun(const ExactAdd& exact, const AddParams& p, const arm::NeonFastAdd& f, size_t n,
               const int8_t* a, const int8_t* b, int8_t* out) {
  static_assert(arm::kNeonAddMinK == 17 && arm::kNeonAddMaxK == 22, "one case per k");
  switch (f.k) {
    case 17: return FastRunShift<1, kClamp>(exact, p, f, n, a, b, out);
    case 18: return FastRunShift<2, kClamp>(exact, p, f, n, a, b, out);
    case 19: return FastRunShift<3, kClamp>(exact, p, f, n, a, b, out);
    case 20: return FastRunShift<4, kClamp>(exact, p, f, n, a, b, out);
    case 21: return FastRunShift<5, kClamp>(exact, p, f, n, a, b, out);
    default: return FastRunShift<6, kClamp>(exact, p, f, n, a, b, out);
  }
}

void AddRun(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  const ExactAdd exact(p);
  arm::NeonFastAdd f;
  size_t done = 0;
  if (arm::SetUpNeonFastAdd(p, &f)) {
    // The int8 saturation of the narrowing is the clamp when [qmin, qmax] is the full range.
    done = p.qmin > -128 || p.qmax < 127 ? FastRun<true>(exact, p, f, n, a, b, out)
                                         : FastRun<false>(exact, p, f, n, a, b, out);
  }
  ForEachBlock(n - done, a + done, b + done, out + done,
               [&](const int8_t* pa, const int8_t* pb, int8_t* po) { exact.Block(pa, pb, po); });
}

}  // namespace

const AddKernel kAdd_16__neon = {"qs8_add_16__neon", AddRun};

}  // namespace octet
