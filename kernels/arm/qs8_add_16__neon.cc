// NEON (aarch64 and armv7) elementwise add of two int8 tensors with their own
// scales, 16 elements per step, bit-exact with qs8_add__scalar.
#include <arm_neon.h>

#include "kernels/arm/arm_kernels.h"
#include "kernels/arm/neon_requant.h"

namespace octet {
namespace {

// Per 16 elements (lanes i = 0..15, as four int32x4 quarters):
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

void AddRun(const AddParams& p, size_t n, const int8_t* a, const int8_t* b, int8_t* out) {
  // Zero points are int8 values (the contract), so vsubl_s8 takes them as int8.
  const AddConstants k = {vdup_n_s8(static_cast<int8_t>(p.a_zero_point)),
                          vdup_n_s8(static_cast<int8_t>(p.b_zero_point)),
                          vdupq_n_s32(p.left_shift),
                          vdupq_n_s32(p.a_multiplier), vdupq_n_s32(p.a_shift),
                          vdupq_n_s32(p.b_multiplier), vdupq_n_s32(p.b_shift),
                          vdupq_n_s32(p.output_multiplier), vdupq_n_s32(p.output_shift)};
  const OutputStage stage(p.output_zero_point, p.qmin, p.qmax);
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const int8x16_t va = vld1q_s8(a + i), vb = vld1q_s8(b + i);
    const int8x8_t lo = AddEight(vget_low_s8(va), vget_low_s8(vb), k, stage);
    const int8x8_t hi = AddEight(vget_high_s8(va), vget_high_s8(vb), k, stage);
    vst1q_s8(out + i, vcombine_s8(lo, hi));
  }
  if (i < n) {  // tail: through a 16-byte buffer, so no read or write past n
    int8_t ta[16] = {}, tb[16] = {}, to[16];
    for (size_t j = 0; j < n - i; ++j) {
      ta[j] = a[i + j];
      tb[j] = b[i + j];
    }
    const int8x16_t va = vld1q_s8(ta), vb = vld1q_s8(tb);
    vst1q_s8(to, vcombine_s8(AddEight(vget_low_s8(va), vget_low_s8(vb), k, stage),
                             AddEight(vget_high_s8(va), vget_high_s8(vb), k, stage)));
    for (size_t j = 0; j < n - i; ++j) out[i + j] = to[j];
  }
}

}  // namespace

const AddKernel kAdd_16__neon = {"qs8_add_16__neon", AddRun};

}  // namespace octet
