#!/usr/bin/env bash
# Cross-builds octet for aarch64 and armhf (Debian cross compilers) and runs
# the whole CTest suite under qemu-user: aarch64 twice, as a CPU with the
# dot-product extension (-cpu max: neondot is selected) and one without
# (-cpu cortex-a53: neon), armhf once (-cpu cortex-a7: neon). Before each
# suite it prints the ISA level the runtime picks there (bench_model's "isa"
# line) and fails if it is not the expected one. Then a clang build of the
# runtime and kernels for aarch64 (the Android NDK's compiler) with -Werror.
#
#   scripts/test-cross.sh [aarch64] [armhf] [clang]    (default: all three)
#
# OCTET_CROSS_BUILD_PREFIX (default build-) names the build folders
# (<prefix>aarch64, <prefix>armhf, <prefix>aarch64-clang); OCTET_JOBS (default
# 2) sets the parallelism. The converter is not cross-built (host tool).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs=${OCTET_JOBS:-2}
prefix=${OCTET_CROSS_BUILD_PREFIX:-build-}
parts=("$@")
((${#parts[@]})) || parts=(aarch64 armhf clang)

./scripts/install-cross-deps.sh

t0=$(date +%s)
stamp() { echo "==> [$(( $(date +%s) - t0 )) s] $*"; }

build() {  # build DIR TOOLCHAIN [CMAKE_ARG...]
  local dir=$1 toolchain=$2
  shift 2
  stamp "configure $dir ($toolchain)"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_TOOLCHAIN_FILE="toolchains/$toolchain.cmake" \
    -DOCTET_BUILD_CONVERTER=OFF "$@" >/dev/null
  stamp "build $dir"
  cmake --build "$dir" -j"$jobs"
}

suite() {  # suite DIR QEMU TRIPLET CPU EXPECTED_ISA
  local dir=$1 qemu=$2 triplet=$3 cpu=$4 expected=$5
  local model="$dir/cross-check.octet"
  export QEMU_CPU=$cpu
  "$qemu" -L "/usr/$triplet" "$dir/bin/octet-make-example" "$model" --seed 7 >/dev/null
  local isa
  isa=$("$qemu" -L "/usr/$triplet" "$dir/bin/bench_model" --model "$model" --runs 1 --warmup 0 |
        awk '$1 == "isa" { print $2 }')
  stamp "$qemu -cpu $cpu: the runtime selects ISA '$isa' (expected '$expected')"
  if [[ "$isa" != "$expected" ]]; then
    echo "test-cross: $qemu -cpu $cpu selected '$isa', expected '$expected'" >&2
    return 1
  fi
  stamp "ctest under $qemu -cpu $cpu"
  # The caller runs this function as `suite ... || status=1`, which turns off
  # `set -e` inside it: return ctest's status explicitly.
  local rc=0
  ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" || rc=$?
  unset QEMU_CPU
  return "$rc"
}

status=0
for part in "${parts[@]}"; do
  case "$part" in
    aarch64)
      build "${prefix}aarch64" aarch64-linux-gnu
      suite "${prefix}aarch64" qemu-aarch64 aarch64-linux-gnu max neondot || status=1
      suite "${prefix}aarch64" qemu-aarch64 aarch64-linux-gnu cortex-a53 neon || status=1
      ;;
    armhf)
      build "${prefix}armhf" arm-linux-gnueabihf
      suite "${prefix}armhf" qemu-arm arm-linux-gnueabihf cortex-a7 neon || status=1
      ;;
    clang)
      # Runtime and kernels only, warnings as errors.
      stamp "configure ${prefix}aarch64-clang (clang --target=aarch64-linux-gnu, -Werror)"
      cmake -S . -B "${prefix}aarch64-clang" -DCMAKE_BUILD_TYPE=Release \
        -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake -DOCTET_CROSS_CLANG=ON \
        -DOCTET_WERROR=ON -DOCTET_BUILD_CONVERTER=OFF -DOCTET_BUILD_TESTS=OFF \
        -DOCTET_BUILD_BENCHMARKS=OFF >/dev/null
      stamp "build ${prefix}aarch64-clang"
      cmake --build "${prefix}aarch64-clang" -j"$jobs" || status=1
      ;;
    *) echo "test-cross: unknown part '$part' (aarch64, armhf, clang)" >&2; exit 2 ;;
  esac
done
stamp "cross: done, status $status"
exit "$status"
