#!/usr/bin/env bash
# Configures and builds octet (Release by default) into build/.
#
#   scripts/build.sh [EXTRA_CMAKE_ARG...]     e.g. -DBUILD_SHARED_LIBS=ON
#
# OCTET_BUILD_DIR (default build) and OCTET_JOBS (default 2) change where and
# how wide; extra arguments go to the configure step and stay in the cache.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${OCTET_BUILD_DIR:-build}
jobs=${OCTET_JOBS:-2}

echo "==> configure: cmake -S . -B $build_dir -DCMAKE_BUILD_TYPE=Release${*:+ $*}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@"
echo "==> build: cmake --build $build_dir -j$jobs"
cmake --build "$build_dir" -j"$jobs"
