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
# Example and test models (scripts/models/*.py, run with /usr/bin/python3, and
# the CTest tests labelled "models"): about 550 MiB installed, 361 packages
# with their dependencies on a machine that has the groups above (libtorch
# alone is 128 MiB, the Fashion-MNIST data 30 MiB).
packages_models=(python3-torch python3-torchvision python3-onnx python3-numpy dataset-fashion-mnist)

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
        "${packages_benchmarks[@]}" "${packages_converter[@]}" "${packages_models[@]}"
        "${extra[@]}")

# A package counts as present only when dpkg says it is fully installed
# ("install ok installed"); half-installed or removed-with-config is missing.
# A name without an architecture means the native one (or "all"): with
# multiarch copies installed (e.g. libflatbuffers-dev:arm64 for cross
# builds) dpkg-query lists one line per architecture.
native_arch=$(dpkg --print-architecture 2>/dev/null || echo none)
missing=()
for pkg in "${wanted[@]}"; do
  if [[ "$pkg" == *:* ]]; then
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
  else
    status=$(dpkg-query -W -f='${Status} ${Architecture}\n' "$pkg" 2>/dev/null || true)
    grep -qxE "install ok installed ($native_arch|all)" <<<"$status" || missing+=("$pkg")
  fi
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
