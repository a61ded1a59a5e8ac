#!/usr/bin/env bash
# The README's first set-up command: installs missing Debian packages, builds
# Release, writes the example model and benchmarks it with bench_model.
#
#   scripts/demo.sh [EXTRA_CMAKE_ARG...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${OCTET_BUILD_DIR:-build}
model=$build_dir/example.octet

echo "==> Debian packages: scripts/install-deps.sh"
./scripts/install-deps.sh
./scripts/build.sh "$@"
echo "==> example model: $build_dir/bin/octet-make-example $model"
"$build_dir/bin/octet-make-example" "$model"
echo "==> benchmark: $build_dir/bin/bench_model --model $model --runs 50"
"$build_dir/bin/bench_model" --model "$model" --runs 50
