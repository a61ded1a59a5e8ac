#!/usr/bin/env bash
# Installs the Debian packages octet needs that are missing; a no-op (and
# silent) when everything is there.
#
#   scripts/install-deps.sh [--check|--dry-run] [EXTRA_PACKAGE...]
#
#   --check     print the missing packages and exit 1 if any, install nothing
#   --dry-run   print the apt-get commands that would run, run nothing
#   EXTRA_PACKAGE  more packages to require this time (e.g. g++-aarch64-linux-gnu,
#                  or pkg:arch for a multiarch one); OCTET_EXTRA_PACKAGES adds
#                  more the same way (space-separated).
set -euo pipefail

# --- what octet needs, by purpose (add new needs to the right group) --------
packages_build=(build-essential cmake pkg-config git)
packages_runtime=(libflatbuffers-dev flatbuffers-compiler libcpuinfo-dev)
packages_tests=(libgtest-dev libgmock-dev libgemmlowp-dev libonnx-testdata)
packages_benchmarks=(libbenchmark-dev libxnnpack-dev libpthreadpool-dev)
packages_converter=(libonnx-dev libprotobuf-dev protobuf-compiler libstb-dev)
# Arm cross builds and their tests under qemu (scripts/test-cross.sh; the
# arm64/armhf libraries come from scripts/install-cross-deps.sh), and clang
# for the aarch64 clang build.
packages_cross=(g++-aarch64-linux-gnu g++-arm-linux-gnueabihf qemu-user clang)

mode=install
extra=()
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    --dry-run) mode=dry-run ;;
    -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
    -*) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
    *) extra+=("$arg") ;;
  esac
done
# shellcheck disable=SC2206  # word splitting of the env list is intended
extra+=(${OCTET_EXTRA_PACKAGES:-})

wanted=("${packages_build[@]}" "${packages_runtime[@]}" "${packages_tests[@]}"
        "${packages_benchmarks[@]}" "${packages_converter[@]}" "${packages_cross[@]}"
        "${extra[@]}")

# A package counts as present only when dpkg says it is fully installed
# ("install ok installed"); half-installed or removed-with-config is missing.
# With foreign architectures added (arm64/armhf for the cross builds) an
# unqualified name can match several instances (several status lines): then
# ask for the native one.
native=$(dpkg --print-architecture 2>/dev/null || echo "")
missing=()
for pkg in "${wanted[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" && "$pkg" != *:* && -n "$native" ]]; then
    status=$(dpkg-query -W -f='${Status}' "$pkg:$native" 2>/dev/null || true)
  fi
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if [[ "$mode" == check ]]; then
  echo "install-deps: missing: ${missing[*]}"
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: apt-get not found (octet's scripts expect Debian 12); install these yourself: ${missing[*]}" >&2
  exit 1
fi

# Root runs apt-get itself (CI does); otherwise sudo if there is one.
as_root=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "install-deps: not root and no sudo; as root run: apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

run() {
  echo "+ $*"
  [[ "$mode" == dry-run ]] || "$@"
}

echo "install-deps: installing ${missing[*]}"
run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
