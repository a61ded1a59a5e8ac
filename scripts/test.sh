#!/usr/bin/env bash
# The README's second set-up command: installs missing Debian packages, builds
# Release and runs every CTest test (including the install test).
#
#   scripts/test.sh [CTEST_ARG...]     e.g. -L install, -R planner
#
# CMake arguments for the build go in OCTET_CMAKE_ARGS (space-separated).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${OCTET_BUILD_DIR:-build}
jobs=${OCTET_JOBS:-2}

echo "==> Debian packages: scripts/install-deps.sh"
./scripts/install-deps.sh
# shellcheck disable=SC2086  # word splitting of the argument list is intended
./scripts/build.sh ${OCTET_CMAKE_ARGS:-}
echo "==> test: ctest --test-dir $build_dir --output-on-failure --no-tests=error -j$jobs${*:+ $*}"
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j"$jobs" "$@"
