#!/usr/bin/env bash
# The README's first set-up command: installs missing Debian packages, builds
# Release, converts the bundled Fashion-MNIST example (examples/fashion_mnist)
# with octet-convert, checks it on sample images with octet-run and benchmarks
# it with bench_model.
#
#   scripts/demo.sh [EXTRA_CMAKE_ARG...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${OCTET_BUILD_DIR:-build}
example=examples/fashion_mnist
model=$build_dir/fashion_mnist.octet

echo "==> Debian packages: scripts/install-deps.sh"
./scripts/install-deps.sh
./scripts/build.sh "$@"
echo "==> convert: $build_dir/bin/octet-convert $example/model.onnx --calib $example/calib.npy -o $model"
"$build_dir/bin/octet-convert" "$example/model.onnx" --calib "$example/calib.npy" -o "$model"
echo "==> run: $build_dir/bin/octet-run on the 32 sample images"
"$build_dir/bin/octet-run" --model "$model" --input "$example/samples.npy" \
  --output "$build_dir/fashion_mnist_logits.npy"
/usr/bin/python3 scripts/models/evaluate.py "$build_dir/fashion_mnist_logits.npy" \
  --labels "$example/sample_labels.npy"
echo "==> benchmark: $build_dir/bin/bench_model --model $model --runs 200 --backend octet,xnnpack"
# XNNPACK (libxnnpack-dev, installed above) is the peer octet is measured
# against: both run back to back in one process.
"$build_dir/bin/bench_model" --model "$model" --runs 200 --backend octet,xnnpack
