// Scalar reference depthwise 2-D convolution (NHWC, channel multiplier,
// dilated, padded): the specification for every optimized depthwise kernel.
#include "kernels/reference.h"
#include "kernels/requant.h"

namespace octet {

// Accumulator range: K = kernel_height * kernel_width taps per output, so the
// true accumulator is bounded by K * 255 * 127 + |b|; see qs8_conv2d__scalar.cc
// for the argument (taps are summed first, the folded bias added last).
void qs8_dwconv2d__scalar(const DepthwiseConv2DParams& p, const int8_t* input,
                          const int8_t* filter, const int32_t* bias, int8_t* output) {
  const int m = p.depth_multiplier;
  const int out_channels = p.input_channels * m;
  const RequantParams& rq = p.requant;

  for (int n = 0; n < p.batch; ++n) {
    const int8_t* image = input + static_cast<size_t>(n) * p.input_height * p.input_width *
                                      p.input_channels;
    for (int oy = 0; oy < p.output_height; ++oy) {
      for (int ox = 0; ox < p.output_width; ++ox) {
        int8_t* out = output + ((static_cast<size_t>(n) * p.output_height + oy) * p.output_width +
                                ox) * out_channels;
        for (int ic = 0; ic < p.input_channels; ++ic) {
          for (int j = 0; j < m; ++j) {
            const int oc = ic * m + j;
            int32_t acc = 0;
            for (int ky = 0; ky < p.kernel_height; ++ky) {
              const int iy = oy * p.stride_height - p.pad_top + ky * p.dilation_height;
              for (int kx = 0; kx < p.kernel_width; ++kx) {
                const int ix = ox * p.stride_width - p.pad_left + kx * p.dilation_width;
                const bool inside =
                    iy >= 0 && iy < p.input_height && ix >= 0 && ix < p.input_width;
                // Padded taps read the input zero point (real value 0).
                const int32_t xv =
                    inside ? static_cast<int32_t>(
                                 image[(static_cast<size_t>(iy) * p.input_width + ix) *
                                           p.input_channels + ic])
                           : p.input_zero_point;
                const int32_t wv = filter[(static_cast<size_t>(ky) * p.kernel_width + kx) *
                                              out_channels + oc];
                acc += xv * wv;
              }
            }
            if (bias != nullptr) acc += bias[oc];
            out[oc] = RequantizeToInt8(acc, rq.multiplier[oc], rq.shift[oc],
                                       rq.output_zero_point, rq.qmin, rq.qmax);
          }
        }
      }
    }
  }
}

}  // namespace octet
