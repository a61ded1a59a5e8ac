#!/usr/bin/env bash
# Installs what octet's Arm cross builds need on Debian 12 (amd64 host): the
# cross compilers, qemu-user, and the arm64/armhf multiarch -dev packages
# (FlatBuffers, GoogleTest, Google Benchmark, cpuinfo). A no-op when all is
# there. Must run as root (or with sudo).
#
#   scripts/install-cross-deps.sh [--check] [arm64|armhf ...]   (default: both)
#
# Two Debian packages need care (see also shared/DESIGN.md, "pitfalls"):
# - libcpuinfo-dev:arm64/:armhf cannot be installed beside libcpuinfo-dev
#   (amd64): they ship the same /usr/share/cpuinfo CMake file with different
#   contents, so dpkg refuses. We install the runtime libcpuinfo0:<arch>
#   (multiarch-clean) and unpack only the -dev package's `libcpuinfo.so`
#   link and `libcpuinfo.pc` into /usr/lib/<triplet>/ (apt-get download +
#   dpkg-deb -x). octet finds cpuinfo by pkg-config, never by that CMake file.
# - libxnnpack0:arm64/:armhf is not multiarch co-installable: apt would remove
#   the amd64 XNNPACK, pthreadpool and python3-torch to make room. Never
#   install it; cross builds go without XNNPACK.
set -euo pipefail

mode=install
arches=()
for arg in "$@"; do
  case "$arg" in
    --check) mode=check ;;
    arm64|armhf) arches+=("$arg") ;;
    -h|--help) sed -n '2,21s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "install-cross-deps: unknown argument $arg" >&2; exit 2 ;;
  esac
done
((${#arches[@]})) || arches=(arm64 armhf)

declare -A triplet=([arm64]=aarch64-linux-gnu [armhf]=arm-linux-gnueabihf)
declare -A compiler=([arm64]=g++-aarch64-linux-gnu [armhf]=g++-arm-linux-gnueabihf)

as_root=()
if ((EUID != 0)); then
  command -v sudo >/dev/null 2>&1 || { echo "install-cross-deps: run as root" >&2; exit 1; }
  as_root=(sudo)
fi
apt_env=(env DEBIAN_FRONTEND=noninteractive)

installed() { [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]; }

wanted=(qemu-user flatbuffers-compiler)
for a in "${arches[@]}"; do
  wanted+=("${compiler[$a]}" "libflatbuffers-dev:$a" "libgtest-dev:$a" "libgmock-dev:$a"
           "libbenchmark-dev:$a" "libcpuinfo0:$a")
done
missing=()
for pkg in "${wanted[@]}"; do installed "$pkg" || missing+=("$pkg"); done
missing_pc=()
for a in "${arches[@]}"; do
  [[ -e /usr/lib/${triplet[$a]}/pkgconfig/libcpuinfo.pc ]] || missing_pc+=("$a")
done

if ((${#missing[@]} == 0 && ${#missing_pc[@]} == 0)); then exit 0; fi
if [[ "$mode" == check ]]; then
  echo "install-cross-deps: missing: ${missing[*]} ${missing_pc[*]/%/ cpuinfo .pc}"
  exit 1
fi

if ((${#missing[@]})); then
  for a in "${arches[@]}"; do
    dpkg --print-foreign-architectures | grep -qx "$a" || "${as_root[@]}" dpkg --add-architecture "$a"
  done
  echo "install-cross-deps: installing ${missing[*]}"
  # A mirror caught mid-sync fails one index (seen with bookworm-security
  # armhf); the packages above come from the main archive, so go on and let
  # the install itself say what is missing.
  "${as_root[@]}" "${apt_env[@]}" apt-get update -qq ||
    echo "install-cross-deps: apt-get update reported errors; trying the install anyway" >&2
  "${as_root[@]}" "${apt_env[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# cpuinfo's link and pkg-config file only (the workaround described above).
for a in "${missing_pc[@]}"; do
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt-get download runs as _apt
  (cd "$tmp" && apt-get download -qq "libcpuinfo-dev:$a" && dpkg-deb -x ./libcpuinfo-dev_*.deb root)
  libdir=/usr/lib/${triplet[$a]}
  "${as_root[@]}" install -d "$libdir/pkgconfig"
  "${as_root[@]}" cp -P "$tmp/root$libdir/libcpuinfo.so" "$libdir/"
  "${as_root[@]}" install -m 644 "$tmp/root$libdir/pkgconfig/libcpuinfo.pc" "$libdir/pkgconfig/"
  # The headers are architecture-independent and come from the amd64 package.
  installed libcpuinfo-dev || "${as_root[@]}" "${apt_env[@]}" apt-get install -y -qq libcpuinfo-dev
  rm -rf "$tmp"
  echo "install-cross-deps: cpuinfo for $a: $libdir/libcpuinfo.so and pkgconfig/libcpuinfo.pc"
done
