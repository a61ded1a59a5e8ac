// Scalar reference 2-D convolution (NHWC, grouped, dilated, padded): the
// specification every optimized int8 convolution matches bit for bit.
#include "kernels/reference.h"
#include "kernels/requant.h"

namespace octet {

// Accumulator range. With K = kernel_height * kernel_width * (input_channels /
// groups) taps per output, the true accumulator sum_t (x_t - z_in) * w_t + b
// is bounded by K * 255 * 127 + |b| (|x - z_in| <= 255, |w| <= 127). The loop
// below sums x_t * w_t first (each |x * w| <= 128 * 127, so a partial sum is
// bounded by K * 128 * 127) and adds the folded bias last, so no intermediate
// value leaves int32 as long as the runtime has checked, at prepare time,
//     K * 255 * 127 + max|b| < 2^31   (K up to about 66000 for small b).
// Integer addition is associative, so any optimized kernel that respects the
// same bound may sum the taps in any order and still match these bits.
void qs8_conv2d__scalar(const Conv2DParams& p, const int8_t* input, const int8_t* filter,
                        const int32_t* bias, int8_t* output) {
  const int in_per_group = p.input_channels / p.groups;
  const int out_per_group = p.output_channels / p.groups;
  const RequantParams& rq = p.requant;

  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + static_cast<size_t>(n) * p.input_height * p.input_width *
                                      p.input_channels;
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        int8_t* out = output + ((static_cast<size_t>(n) * p.output_height + oy) * p.output_width +
                                ox) * p.output_channels;
        for (int oc = 0; oc < p.output_channels; ++oc) {
          const int group = oc / out_per_group;
          const int ic_begin = group * in_per_group;
          const int8_t* w = filter + static_cast<size_t>(oc) * p.kernel_height * p.kernel_width *
                                         in_per_group;
          int32_t acc = 0;
          for (int ky = 0; ky < p.kernel_height; ++ky) {
            const int iy = oy * p.stride_height - p.pad_top + ky * p.dilation_height;
            for (int kx = 0; kx < p.kernel_width; ++kx) {
              const int ix = ox * p.stride_width - p.pad_left + kx * p.dilation_width;
              const bool inside = iy >= 0 && iy < p.input_height && ix >= 0 && ix < p.input_width;
              const int8_t* x =
                  inside ? image + (static_cast<size_t>(iy) * p.input_width + ix) *
                                       p.input_channels + ic_begin
                         : nullptr;
              const int8_t* wt = w + (static_cast<size_t>(ky) * p.kernel_width + kx) * in_per_group;
              for (int ic = 0; ic < in_per_group; ++ic) {
                // A padded tap reads the input zero point: its real value is 0,
                // and the folded bias assumes every tap contributes x * w.
                const int32_t xv = inside ? static_cast<int32_t>(x[ic]) : p.input_zero_point;
                acc += xv * static_cast<int32_t>(wt[ic]);
              }
            }
          }
          if (bias != nullptr) acc += bias[oc];
          out[oc] = RequantizeToInt8(acc, rq.multiplier[oc], rq.shift[oc], rq.output_zero_point,
                                     rq.qmin, rq.qmax);
        }
      }
    }
  }
}

}  // namespace octet
