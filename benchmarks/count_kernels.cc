// count_kernels: runs one octet kernel on one of the peers' shapes a-i
// exactly R times, for counting executed instructions under qemu-user, where
// time means nothing (shared/peers/arm/count.sh); also shapes j-n of the
// boundary and pooling ops of whole-model profiles (resnet18's max pool and
// float input, the NCHW -> NHWC input transpose, average pools). Per run:
//     (count(--reps 11) - count(--reps 1)) / 10
// so start-up, data set-up and packing cancel out. Same shapes and single
// thread as bench_kernels; data are seeded random, zero points input -5,
// output 3 (add: add_cases.h).
//
// Shape i uses the peers' add parameters and "i_ties" the tie-heavy ones
// (add_cases.h), as in bench_kernels.
//
//   count_kernels --shape a..n|i_ties --isa scalar|neon|neondot|sse41|avx2|avx512vnni --reps R
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "benchmarks/add_cases.h"
#include "kernels/kernel_table.h"
#include "kernels/reference_ops.h"
#include "kernels/requant.h"

namespace octet {
namespace {

enum class Kind {
  kConv, kDepthwise, kFullyConnected, kAdd,
  kMaxPool, kQuantize, kTranspose, kGlobalAvgPool, kAvgPool
};

struct Shape {
  char id;
  Kind kind;
  int h, w, c;         // input (FC: h = rows M, c = K)
  int oc;              // output channels (FC: N)
  int k, stride, pad;  // square kernel
};

const Shape kShapes[] = {
    {'a', Kind::kConv, 224, 224, 3, 32, 3, 2, 1},
    {'b', Kind::kConv, 56, 56, 24, 144, 1, 1, 0},
    {'c', Kind::kConv, 14, 14, 384, 64, 1, 1, 0},
    {'d', Kind::kDepthwise, 56, 56, 144, 144, 3, 1, 1},
    {'e', Kind::kDepthwise, 112, 112, 96, 96, 3, 2, 1},
    {'f', Kind::kConv, 56, 56, 64, 64, 3, 1, 1},
    {'g', Kind::kFullyConnected, 1, 1, 1280, 1000, 1, 1, 0},
    {'h', Kind::kFullyConnected, 64, 1, 1024, 1024, 1, 1, 0},
    {'i', Kind::kAdd, 56, 56, 24, 24, 1, 1, 0},
    {'j', Kind::kMaxPool, 112, 112, 64, 64, 3, 2, 1},      // resnet18 max pool
    {'k', Kind::kQuantize, 224, 224, 3, 3, 1, 1, 0},       // float input, NHWC
    {'l', Kind::kTranspose, 224, 224, 3, 3, 1, 1, 0},      // NCHW -> NHWC, 3 planes
    {'m', Kind::kGlobalAvgPool, 7, 7, 512, 512, 7, 1, 0},  // resnet18 head
    {'n', Kind::kAvgPool, 35, 35, 192, 192, 3, 1, 1},      // inception 3x3 s1 avg pool
};

struct IsaName {
  const char* name;
  Isa isa;
};
const IsaName kIsas[] = {{"scalar", Isa::kScalar}, {"sse41", Isa::kSse41},
                         {"avx2", Isa::kAvx2},     {"avx512vnni", Isa::kAvx512Vnni},
                         {"neon", Isa::kNeon},     {"neondot", Isa::kNeonDot}};

// The family's kernel the runtime would use at `isa` (per-family fallback).
template <typename K>
const K* Pick(Isa isa, const K* KernelSet::*member) {
  return ResolveKernelSet(isa).*member;
}

struct Aligned {
  explicit Aligned(size_t bytes)
      : p(static_cast<uint8_t*>(std::aligned_alloc(64, (bytes + 64) / 64 * 64))) {}
  ~Aligned() { std::free(p); }
  uint8_t* p;
};

std::vector<int8_t> Random(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(d(rng));
  return v;
}

// Shapes j-n: pooling, quantize and the input transpose.
int RunBoundary(const Shape& s, Isa isa, int reps, std::mt19937& rng, int32_t z_in,
                int32_t z_out) {
  const size_t n = size_t(s.h) * s.w * s.c;
  const auto input = Random(rng, n, -128, 127);
  const int oh = (s.h + 2 * s.pad - s.k) / s.stride + 1, ow = (s.w + 2 * s.pad - s.k) / s.stride + 1;
  Pool2DParams pool;
  pool.input_height = s.h; pool.input_width = s.w; pool.channels = s.c;
  pool.output_height = oh; pool.output_width = ow;
  pool.filter_height = pool.filter_width = s.k;
  pool.stride_height = pool.stride_width = s.stride;
  pool.pad_top = pool.pad_left = s.pad;
  std::vector<int8_t> out(n);
  const char* name = nullptr;
  switch (s.kind) {
    case Kind::kMaxPool: {
      const MaxPool2DKernel* kernel = Pick(isa, &KernelSet::maxpool2d);
      for (int r = 0; r < reps; ++r) kernel->run(pool, input.data(), out.data());
      name = kernel->name;
      break;
    }
    case Kind::kQuantize: {
      std::vector<float> x(n);
      std::uniform_real_distribution<float> d(-3.0f, 3.0f);
      for (float& v : x) v = d(rng);
      const QuantizeKernel* kernel = Pick(isa, &KernelSet::quantize);
      for (int r = 0; r < reps; ++r) kernel->run(n, 0.0186584f, z_out, x.data(), out.data());
      name = kernel->name;
      break;
    }
    case Kind::kTranspose: {  // as the runtime merges NCHW -> NHWC: [H*W, C]
      StridedCopyParams p;
      p.shape[4] = int64_t(s.h) * s.w;
      p.shape[5] = s.c;
      p.stride[4] = 1;
      p.stride[5] = int64_t(s.h) * s.w;
      const StridedCopyKernel* kernel = Pick(isa, &KernelSet::strided_copy);
      for (int r = 0; r < reps; ++r) kernel->run(p, input.data(), out.data());
      name = kernel->name;
      break;
    }
    case Kind::kGlobalAvgPool: {
      GlobalAvgPoolParams p;
      p.pixels = s.h * s.w;
      p.channels = s.c;
      p.input_zero_point = z_in;
      p.output_zero_point = z_out;
      ComputeScaledMultiplier(0.9 / p.pixels, int64_t{255} * p.pixels, &p.multiplier);
      const GlobalAvgPoolKernel* kernel = Pick(isa, &KernelSet::global_avgpool);
      for (int r = 0; r < reps; ++r) kernel->run(p, input.data(), out.data());
      name = kernel->name;
      break;
    }
    default: {  // kAvgPool, padding excluded from the count
      const int area = s.k * s.k;
      std::vector<ScaledMultiplier> m(size_t(area) + 1);
      for (int c = 1; c <= area; ++c) ComputeScaledMultiplier(0.9 / c, 255 * area, &m[size_t(c)]);
      AvgPool2DParams p;
      p.pool = pool;
      p.input_zero_point = z_in;
      p.output_zero_point = z_out;
      p.multiplier = m.data();
      const AvgPool2DKernel* kernel = Pick(isa, &KernelSet::avgpool2d);
      for (int r = 0; r < reps; ++r) kernel->run(p, input.data(), out.data());
      name = kernel->name;
      break;
    }
  }
  std::printf("%s %d\n", name, int(out[out.size() / 2]));
  return 0;
}

int Run(const Shape& s, const AddCase& add, Isa isa, int reps) {
  std::mt19937 rng(12345);
  const int32_t z_in = -5, z_out = 3;
  if (s.kind == Kind::kAdd) {
    const AddKernel* kernel = Pick(isa, &KernelSet::add);
    if (!kernel) return 3;
    AddParams p;
    if (!ComputeAddParams(add.a_scale, add.a_zero_point, add.b_scale, add.b_zero_point,
                          add.out_scale, add.out_zero_point, &p)) {
      return 4;
    }
    const size_t n = size_t(s.h) * s.w * s.c;
    const auto a = Random(rng, n, -128, 127), b = Random(rng, n, -128, 127);
    std::vector<int8_t> out(n);
    for (int r = 0; r < reps; ++r) kernel->run(p, n, a.data(), b.data(), out.data());
    std::printf("%s %d\n", kernel->name, int(out[n / 2]));
    return 0;
  }
  if (s.kind >= Kind::kMaxPool) return RunBoundary(s, isa, reps, rng, z_in, z_out);
  const int oc = s.kind == Kind::kDepthwise ? s.c : s.oc;
  const int taps = s.k * s.k * (s.kind == Kind::kDepthwise ? 1 : s.c);
  const int oh = (s.h + 2 * s.pad - s.k) / s.stride + 1, ow = (s.w + 2 * s.pad - s.k) / s.stride + 1;
  std::vector<int32_t> mult(oc), shift(oc), bias(oc);
  for (int c = 0; c < oc; ++c) {
    int sh = 0;
    QuantizeMultiplier(0.5 / taps + 0.001 * c / oc, &mult[c], &sh);
    shift[c] = sh;
    bias[c] = int32_t(rng() % 2001) - 1000;
  }
  RequantParams rq;
  rq.multiplier = mult.data();
  rq.shift = shift.data();
  rq.output_zero_point = z_out;
  const auto input = Random(rng, size_t(s.h) * s.w * s.c, -128, 127);
  const auto filter = Random(rng, size_t(oc) * taps, -127, 127);
  std::vector<int8_t> out(size_t(oh) * ow * oc);

  auto go = [&](const auto& kernel, const auto& p) {
    Aligned packed(kernel->packed_bytes(p));
    kernel->pack(p, filter.data(), bias.data(), packed.p);
    Aligned scratch(kernel->scratch_bytes(p));
    for (int r = 0; r < reps; ++r) {
      kernel->run(p, input.data(), filter.data(), bias.data(), packed.p, scratch.p, out.data());
    }
    std::printf("%s %d\n", kernel->name, int(out[out.size() / 2]));
    return 0;
  };
  if (s.kind == Kind::kConv) {
    Conv2DParams p;
    p.input_height = s.h; p.input_width = s.w; p.input_channels = s.c;
    p.output_height = oh; p.output_width = ow; p.output_channels = oc;
    p.kernel_height = p.kernel_width = s.k;
    p.stride_height = p.stride_width = s.stride;
    p.pad_top = p.pad_left = s.pad;
    p.input_zero_point = z_in;
    p.requant = rq;
    const Conv2DKernel* kernel = Pick(isa, &KernelSet::conv2d);
    return kernel ? go(kernel, p) : 3;
  }
  if (s.kind == Kind::kDepthwise) {
    DepthwiseConv2DParams p;
    p.input_height = s.h; p.input_width = s.w; p.input_channels = s.c;
    p.output_height = oh; p.output_width = ow;
    p.kernel_height = p.kernel_width = s.k;
    p.stride_height = p.stride_width = s.stride;
    p.pad_top = p.pad_left = s.pad;
    p.input_zero_point = z_in;
    p.requant = rq;
    const DepthwiseConv2DKernel* kernel = Pick(isa, &KernelSet::dwconv2d);
    return kernel ? go(kernel, p) : 3;
  }
  FullyConnectedParams p;
  p.batch = s.h;
  p.input_features = s.c;
  p.output_features = oc;
  p.input_zero_point = z_in;
  p.requant = rq;
  const FullyConnectedKernel* kernel = Pick(isa, &KernelSet::fully_connected);
  return kernel ? go(kernel, p) : 3;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  const char* shape = nullptr;
  const char* isa_name = "scalar";
  int reps = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--shape")) shape = argv[i + 1];
    else if (!std::strcmp(argv[i], "--isa")) isa_name = argv[i + 1];
    else if (!std::strcmp(argv[i], "--reps")) reps = std::atoi(argv[i + 1]);
  }
  // Shape i (add) takes the cases of add_cases.h: "i" (the peers') or "i_ties".
  const octet::Shape* s = nullptr;
  const octet::AddCase* add = &octet::kAddCases[0];
  for (const auto& candidate : octet::kShapes) {
    if (!shape || shape[0] != candidate.id) continue;
    for (const auto& c : octet::kAddCases) {
      if (!std::strcmp(shape + 1, c.suffix) && (!c.suffix[0] || candidate.kind == octet::Kind::kAdd)) {
        s = &candidate;
        add = &c;
      }
    }
  }
  const octet::IsaName* isa = nullptr;
  for (const auto& candidate : octet::kIsas) {
    if (!std::strcmp(isa_name, candidate.name)) isa = &candidate;
  }
  if (!s || !isa || reps < 0) {
    std::fprintf(stderr, "usage: count_kernels --shape a..n|i_ties --isa NAME --reps R\n");
    return 2;
  }
  const int rc = octet::Run(*s, *add, isa->isa, reps);
  if (rc == 3) std::fprintf(stderr, "count_kernels: no kernel for that shape at %s\n", isa_name);
  return rc;
}
