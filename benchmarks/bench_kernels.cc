// bench_kernels: the op-level kernels of every ISA level this binary has and
// this CPU runs, on the nine shapes a-i of ../shared/peers (single thread,
// batch 1, NHWC, per-channel weights), with Google Benchmark.
//
//   bench_kernels [--isa=NAME[,NAME...]] [--shapes=abcdefghi] [google benchmark flags]
//
// Shapes j-n (pooling, quantize and the input transpose of whole-model
// profiles; no peer figures) run only when named in --shapes.
//
// Counters: GOPS = 2 * MACs / time for conv, depthwise and fully connected
// (the peers' definition), Gelem/s of outputs for add. Zero points are
// non-zero (input -5, output 3), as in the peers' "s8 + zero points" rows;
// add (shape i) uses the peers' add parameters, and "i_ties" adds a second,
// tie-heavy case (see kAddCases).
#include <benchmark/benchmark.h>

#include <cstdint>
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
#include "octet/octet.h"

namespace octet {
namespace {

enum class Kind {
  kConv, kDepthwise, kFullyConnected, kAdd,
  kMaxPool, kQuantize, kTranspose, kGlobalAvgPool, kAvgPool
};

struct Shape {
  char id;
  const char* name;
  Kind kind;
  int h, w, c;        // input (FC: h = rows M, c = K)
  int oc;             // output channels (FC: N)
  int k, stride, pad; // square kernel
};

const Shape kShapes[] = {
    {'a', "conv3x3s2_224x224x3_32", Kind::kConv, 224, 224, 3, 32, 3, 2, 1},
    {'b', "conv1x1_56x56x24_144", Kind::kConv, 56, 56, 24, 144, 1, 1, 0},
    {'c', "conv1x1_14x14x384_64", Kind::kConv, 14, 14, 384, 64, 1, 1, 0},
    {'d', "dw3x3s1_56x56x144", Kind::kDepthwise, 56, 56, 144, 144, 3, 1, 1},
    {'e', "dw3x3s2_112x112x96", Kind::kDepthwise, 112, 112, 96, 96, 3, 2, 1},
    {'f', "conv3x3_56x56x64_64", Kind::kConv, 56, 56, 64, 64, 3, 1, 1},
    {'g', "fc_1x1280_1000", Kind::kFullyConnected, 1, 1, 1280, 1000, 1, 1, 0},
    {'h', "fc_64x1024_1024", Kind::kFullyConnected, 64, 1, 1024, 1024, 1, 1, 0},
    {'i', "add_56x56x24", Kind::kAdd, 56, 56, 24, 24, 1, 1, 0},
    // Same as benchmarks/count_kernels.cc.
    {'j', "maxpool3x3s2_112x112x64", Kind::kMaxPool, 112, 112, 64, 64, 3, 2, 1},
    {'k', "quantize_224x224x3", Kind::kQuantize, 224, 224, 3, 3, 1, 1, 0},
    {'l', "transpose_3x224x224", Kind::kTranspose, 224, 224, 3, 3, 1, 1, 0},
    {'m', "gavgpool_7x7x512", Kind::kGlobalAvgPool, 7, 7, 512, 512, 7, 1, 0},
    {'n', "avgpool3x3s1_35x35x192", Kind::kAvgPool, 35, 35, 192, 192, 3, 1, 1},
};

struct Level {
  Isa isa;
  octet_isa api;
  const char* name;
};

const Level kLevels[] = {
    {Isa::kScalar, OCTET_ISA_SCALAR, "scalar"},   {Isa::kSse41, OCTET_ISA_SSE41, "sse41"},
    {Isa::kAvx2, OCTET_ISA_AVX2, "avx2"},         {Isa::kAvx512Vnni, OCTET_ISA_AVX512VNNI, "avx512vnni"},
    {Isa::kNeon, OCTET_ISA_NEON, "neon"},         {Isa::kNeonDot, OCTET_ISA_NEONDOT, "neondot"},
};

struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
using Buffer = std::unique_ptr<uint8_t, AlignedFree>;

Buffer Allocate(size_t bytes) {
  const size_t rounded = (bytes + 64 + 63) / 64 * 64;  // + 64: SIMD tails may over-read
  Buffer b(static_cast<uint8_t*>(std::aligned_alloc(64, rounded)));
  std::memset(b.get(), 0, rounded);
  return b;
}

std::vector<int8_t> Random(std::mt19937& rng, size_t n, int lo, int hi) {
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int8_t> v(n);
  for (auto& x : v) x = static_cast<int8_t>(dist(rng));
  return v;
}

// Everything one benchmark needs, prepared outside the timed loop.
struct Setup {
  std::vector<int8_t> input, input_b, filter;
  std::vector<int32_t> bias, multiplier, shift;
  Buffer packed, scratch, output;

  void Requant(int channels, int taps, std::mt19937& rng) {
    std::uniform_real_distribution<double> dist(0.25 / taps, 2.0 / taps);
    multiplier.resize(channels);
    shift.resize(channels);
    for (int c = 0; c < channels; ++c) {
      int s = 0;
      QuantizeMultiplier(dist(rng), &multiplier[c], &s);
      shift[c] = s;
    }
  }
};

constexpr int32_t kInputZeroPoint = -5, kOutputZeroPoint = 3;

void RunConv(benchmark::State& state, const Shape& s, const Conv2DKernel& kernel) {
  std::mt19937 rng(1);
  Setup st;
  Conv2DParams p;
  p.input_height = s.h; p.input_width = s.w; p.input_channels = s.c;
  p.output_channels = s.oc;
  p.kernel_height = p.kernel_width = s.k;
  p.stride_height = p.stride_width = s.stride;
  p.pad_top = p.pad_left = s.pad;
  p.output_height = (s.h + 2 * s.pad - s.k) / s.stride + 1;
  p.output_width = (s.w + 2 * s.pad - s.k) / s.stride + 1;
  p.input_zero_point = kInputZeroPoint;
  const int taps = s.k * s.k * s.c;
  st.input = Random(rng, size_t(s.h) * s.w * s.c, -128, 127);
  st.filter = Random(rng, size_t(s.oc) * taps, -127, 127);
  st.bias.assign(s.oc, 0);
  FoldInputZeroPoint(st.filter.data(), nullptr, s.oc, taps, kInputZeroPoint, st.bias.data());
  st.Requant(s.oc, taps, rng);
  p.requant = {st.multiplier.data(), st.shift.data(), kOutputZeroPoint, -128, 127};
  st.packed = Allocate(kernel.packed_bytes(p));
  kernel.pack(p, st.filter.data(), st.bias.data(), st.packed.get());
  st.scratch = Allocate(kernel.scratch_bytes(p));
  st.output = Allocate(size_t(p.output_height) * p.output_width * s.oc);
  for (auto _ : state) {
    kernel.run(p, st.input.data(), st.filter.data(), st.bias.data(), st.packed.get(),
               st.scratch.get(), reinterpret_cast<int8_t*>(st.output.get()));
    benchmark::ClobberMemory();
  }
  const double macs = double(p.output_height) * p.output_width * s.oc * taps;
  state.counters["GOPS"] =
      benchmark::Counter(2 * macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kernel.name);
}

void RunDepthwise(benchmark::State& state, const Shape& s, const DepthwiseConv2DKernel& kernel) {
  std::mt19937 rng(2);
  Setup st;
  DepthwiseConv2DParams p;
  p.input_height = s.h; p.input_width = s.w; p.input_channels = s.c;
  p.kernel_height = p.kernel_width = s.k;
  p.stride_height = p.stride_width = s.stride;
  p.pad_top = p.pad_left = s.pad;
  p.output_height = (s.h + 2 * s.pad - s.k) / s.stride + 1;
  p.output_width = (s.w + 2 * s.pad - s.k) / s.stride + 1;
  p.input_zero_point = kInputZeroPoint;
  const int taps = s.k * s.k;
  st.input = Random(rng, size_t(s.h) * s.w * s.c, -128, 127);
  st.filter = Random(rng, size_t(taps) * s.c, -127, 127);
  st.bias.assign(s.c, 0);
  FoldInputZeroPointDepthwise(st.filter.data(), nullptr, s.c, taps, kInputZeroPoint,
                              st.bias.data());
  st.Requant(s.c, taps, rng);
  p.requant = {st.multiplier.data(), st.shift.data(), kOutputZeroPoint, -128, 127};
  st.packed = Allocate(kernel.packed_bytes(p));
  kernel.pack(p, st.filter.data(), st.bias.data(), st.packed.get());
  st.scratch = Allocate(kernel.scratch_bytes(p));
  st.output = Allocate(size_t(p.output_height) * p.output_width * s.c);
  for (auto _ : state) {
    kernel.run(p, st.input.data(), st.filter.data(), st.bias.data(), st.packed.get(),
               st.scratch.get(), reinterpret_cast<int8_t*>(st.output.get()));
    benchmark::ClobberMemory();
  }
  const double macs = double(p.output_height) * p.output_width * s.c * taps;
  state.counters["GOPS"] =
      benchmark::Counter(2 * macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kernel.name);
}

void RunFullyConnected(benchmark::State& state, const Shape& s, const FullyConnectedKernel& kernel) {
  std::mt19937 rng(3);
  Setup st;
  FullyConnectedParams p;
  p.batch = s.h;
  p.input_features = s.c;
  p.output_features = s.oc;
  p.input_zero_point = kInputZeroPoint;
  st.input = Random(rng, size_t(s.h) * s.c, -128, 127);
  st.filter = Random(rng, size_t(s.oc) * s.c, -127, 127);
  st.bias.assign(s.oc, 0);
  FoldInputZeroPoint(st.filter.data(), nullptr, s.oc, s.c, kInputZeroPoint, st.bias.data());
  st.Requant(s.oc, s.c, rng);
  p.requant = {st.multiplier.data(), st.shift.data(), kOutputZeroPoint, -128, 127};
  st.packed = Allocate(kernel.packed_bytes(p));
  kernel.pack(p, st.filter.data(), st.bias.data(), st.packed.get());
  st.scratch = Allocate(kernel.scratch_bytes(p));
  st.output = Allocate(size_t(s.h) * s.oc);
  for (auto _ : state) {
    kernel.run(p, st.input.data(), st.filter.data(), st.bias.data(), st.packed.get(),
               st.scratch.get(), reinterpret_cast<int8_t*>(st.output.get()));
    benchmark::ClobberMemory();
  }
  const double macs = double(s.h) * s.oc * s.c;
  state.counters["GOPS"] =
      benchmark::Counter(2 * macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kernel.name);
}

// Add parameters: kAddCases (add_cases.h), "" and "_ties".
void RunAdd(benchmark::State& state, const Shape& s, const AddCase& c, const AddKernel& kernel) {
  std::mt19937 rng(4);
  Setup st;
  const size_t n = size_t(s.h) * s.w * s.c;
  st.input = Random(rng, n, -128, 127);
  st.input_b = Random(rng, n, -128, 127);
  st.output = Allocate(n);
  AddParams p;
  if (!ComputeAddParams(c.a_scale, c.a_zero_point, c.b_scale, c.b_zero_point, c.out_scale,
                        c.out_zero_point, &p)) {
    state.SkipWithError("add parameters cannot be represented");
    return;
  }
  for (auto _ : state) {
    kernel.run(p, n, st.input.data(), st.input_b.data(), reinterpret_cast<int8_t*>(st.output.get()));
    benchmark::ClobberMemory();
  }
  state.counters["Gelem/s"] =
      benchmark::Counter(double(n) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(kernel.name);
}

// Shapes j-n: one op of a whole-model profile, input and parameters built
// outside the timed loop. Counter: Gelem/s of outputs.
void RunBoundary(benchmark::State& state, const Shape& s, const KernelSet& k) {
  std::mt19937 rng(5);
  const size_t n = size_t(s.h) * s.w * s.c;
  const std::vector<int8_t> input = Random(rng, n, -128, 127);
  Buffer output = Allocate(n);
  int8_t* out = reinterpret_cast<int8_t*>(output.get());
  Pool2DParams pool;
  pool.input_height = s.h; pool.input_width = s.w; pool.channels = s.c;
  pool.output_height = (s.h + 2 * s.pad - s.k) / s.stride + 1;
  pool.output_width = (s.w + 2 * s.pad - s.k) / s.stride + 1;
  pool.filter_height = pool.filter_width = s.k;
  pool.stride_height = pool.stride_width = s.stride;
  pool.pad_top = pool.pad_left = s.pad;
  size_t outputs = size_t(pool.output_height) * pool.output_width * s.c;
  const char* name = "";
  std::vector<float> x;
  std::vector<ScaledMultiplier> m;
  StridedCopyParams copy;
  GlobalAvgPoolParams global;
  AvgPool2DParams avg;
  switch (s.kind) {
    case Kind::kQuantize: {
      std::uniform_real_distribution<float> d(-3.0f, 3.0f);
      x.resize(n);
      for (float& v : x) v = d(rng);
      outputs = n;
      name = k.quantize->name;
      break;
    }
    case Kind::kTranspose:  // as the runtime merges NCHW -> NHWC: [H*W, C]
      copy.shape[4] = int64_t(s.h) * s.w;
      copy.shape[5] = s.c;
      copy.stride[4] = 1;
      copy.stride[5] = int64_t(s.h) * s.w;
      outputs = n;
      name = k.strided_copy->name;
      break;
    case Kind::kGlobalAvgPool:
      global.pixels = s.h * s.w;
      global.channels = s.c;
      global.input_zero_point = kInputZeroPoint;
      global.output_zero_point = kOutputZeroPoint;
      ComputeScaledMultiplier(0.9 / global.pixels, int64_t{255} * global.pixels,
                              &global.multiplier);
      outputs = size_t(s.c);
      name = k.global_avgpool->name;
      break;
    case Kind::kAvgPool:
      m.resize(size_t(s.k) * s.k + 1);
      for (int c = 1; c <= s.k * s.k; ++c) {
        ComputeScaledMultiplier(0.9 / c, int64_t{255} * s.k * s.k, &m[size_t(c)]);
      }
      avg.pool = pool;
      avg.input_zero_point = kInputZeroPoint;
      avg.output_zero_point = kOutputZeroPoint;
      avg.multiplier = m.data();
      name = k.avgpool2d->name;
      break;
    default:
      name = k.maxpool2d->name;
      break;
  }
  for (auto _ : state) {
    switch (s.kind) {
      case Kind::kQuantize: k.quantize->run(n, 0.0186584f, kOutputZeroPoint, x.data(), out); break;
      case Kind::kTranspose: k.strided_copy->run(copy, input.data(), out); break;
      case Kind::kGlobalAvgPool: k.global_avgpool->run(global, input.data(), out); break;
      case Kind::kAvgPool: k.avgpool2d->run(avg, input.data(), out); break;
      default: k.maxpool2d->run(pool, input.data(), out); break;
    }
    benchmark::ClobberMemory();
  }
  state.counters["Gelem/s"] =
      benchmark::Counter(double(outputs) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.SetLabel(name);
}

void Register(const std::string& isa_filter, const std::string& shape_filter) {
  for (const Level& level : kLevels) {
    const KernelSet* set = BuiltKernelSet(level.isa);
    if (!set || !octet_isa_available(level.api)) continue;
    if (!isa_filter.empty() && ("," + isa_filter + ",").find(std::string(",") + level.name + ",") ==
                                   std::string::npos) {
      continue;
    }
    // The kernels the runtime uses at this level (missing families come
    // from lower levels, as in dispatch).
    const KernelSet resolved = ResolveKernelSet(level.isa);
    const Conv2DKernel* conv = resolved.conv2d;
    const DepthwiseConv2DKernel* dw = resolved.dwconv2d;
    const FullyConnectedKernel* fc = resolved.fully_connected;
    const AddKernel* add = resolved.add;
    for (const Shape& s : kShapes) {
      if (!shape_filter.empty() && shape_filter.find(s.id) == std::string::npos) continue;
      if (shape_filter.empty() && s.kind >= Kind::kMaxPool) continue;  // j-n: only when named
      const std::string name = std::string(1, s.id) + "_" + s.name + "/" + level.name;
      switch (s.kind) {
        case Kind::kConv:
          benchmark::RegisterBenchmark(name.c_str(), [s, conv](benchmark::State& st) {
            RunConv(st, s, *conv);
          })->Unit(benchmark::kMicrosecond);
          break;
        case Kind::kDepthwise:
          benchmark::RegisterBenchmark(name.c_str(), [s, dw](benchmark::State& st) {
            RunDepthwise(st, s, *dw);
          })->Unit(benchmark::kMicrosecond);
          break;
        case Kind::kFullyConnected:
          benchmark::RegisterBenchmark(name.c_str(), [s, fc](benchmark::State& st) {
            RunFullyConnected(st, s, *fc);
          })->Unit(benchmark::kMicrosecond);
          break;
        case Kind::kAdd:
          for (const AddCase& c : kAddCases) {
            const std::string add_name =
                std::string(1, s.id) + c.suffix + "_" + s.name + "/" + level.name;
            benchmark::RegisterBenchmark(add_name.c_str(), [s, c, add](benchmark::State& st) {
              RunAdd(st, s, c, *add);
            })->Unit(benchmark::kMicrosecond);
          }
          break;
        default:
          benchmark::RegisterBenchmark(name.c_str(), [s, resolved](benchmark::State& st) {
            RunBoundary(st, s, resolved);
          })->Unit(benchmark::kMicrosecond);
          break;
      }
    }
  }
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  std::string isa, shapes;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strncmp(argv[i], "--isa=", 6)) {
      isa = argv[i] + 6;
    } else if (!std::strncmp(argv[i], "--shapes=", 9)) {
      shapes = argv[i] + 9;
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  std::printf("cpu: %s\n", octet_cpu_name());
  octet::Register(isa, shapes);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
