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
# ("install ok installed") for this machine's architecture (or "all"); with
# foreign architectures enabled (cross builds), dpkg lists one line per
# installed architecture, and a half-installed or removed one is missing.
native=$(dpkg --print-architecture)
missing=()
for pkg in "${wanted[@]}"; do
  if [[ "$pkg" == *:* ]]; then
    want_arch=${pkg#*:}
    name=${pkg%%:*}
  else
    want_arch=$native
    name=$pkg
  fi
  present=no
  while read -r arch status; do
    if [[ ( "$arch" == "$want_arch" || "$arch" == all ) && "$status" == "install ok installed" ]]; then
      present=yes
    fi
  done < <(dpkg-query -W -f='${Architecture} ${Status}\n' "$name" 2>/dev/null || true)
  [[ "$present" == yes ]] || missing+=("$pkg")
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
# A failed index download (a mirror mid-sync, a foreign architecture's
# index) need not stop the install: apt keeps the indexes it has, and the
# install below fails clearly if a package really cannot be found.
run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
  echo "install-deps: apt-get update reported errors; trying the install anyway" >&2
run "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
