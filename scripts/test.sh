#!/usr/bin/env bash
# The README's second set-up command: installs missing Debian packages, builds
# Release and runs every CTest test (including the install test).
#
#   scripts/test.sh [CTEST_ARG...]     e.g. -L install, -R planner
#
# CMake arguments for the build go in OCTET_CMAKE_ARGS (space-separated).
# When the Arm cross compilers and qemu-user are installed (install-deps.sh
# installs them), scripts/test-cross.sh follows: aarch64 and armhf cross
# builds with the whole suite under qemu. OCTET_CROSS=0 skips it;
# OCTET_CROSS="aarch64 clang" (any of aarch64, armhf, clang) runs only those.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build_dir=${OCTET_BUILD_DIR:-build}
jobs=${OCTET_JOBS:-2}

echo "==> Debian packages: scripts/install-deps.sh"
./scripts/install-deps.sh
# shellcheck disable=SC2086  # word splitting of the argument list is intended
./scripts/build.sh ${OCTET_CMAKE_ARGS:-}
echo "==> test: ctest --test-dir $build_dir --output-on-failure --no-tests=error -j$jobs${*:+ $*}"
status=0
ctest --test-dir "$build_dir" --output-on-failure --no-tests=error -j"$jobs" "$@" || status=$?

if [[ "${OCTET_CROSS:-1}" != 0 ]] && command -v aarch64-linux-gnu-g++ >/dev/null &&
   command -v arm-linux-gnueabihf-g++ >/dev/null && command -v qemu-aarch64 >/dev/null; then
  cross_parts=()
  # shellcheck disable=SC2206  # word splitting of the list is intended
  [[ "${OCTET_CROSS:-1}" == 1 ]] || cross_parts=(${OCTET_CROSS})
  echo "==> cross: scripts/test-cross.sh ${cross_parts[*]:-aarch64 armhf clang} (OCTET_CROSS=0 skips)"
  ./scripts/test-cross.sh "${cross_parts[@]}" || status=1
fi
exit "$status"
