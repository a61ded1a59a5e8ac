#!/usr/bin/env bash
# Install test (run by CTest, label "install"): installs the build into a
# scratch prefix, checks what landed there, builds tests/install/app/main.c
# against it twice — with find_package(octet) and with pkg-config — and runs
# both builds (and the installed bench_model) on the example model, and
# checks that the installed octet-run starts.
set -euo pipefail

build_dir='' work_dir='' app_dir='' config=Release libdir=lib make_example='' cc=cc cxx=c++ static=ON tool='' run_tool=''
while (($#)); do
  case "$1" in
    --build-dir) build_dir=$2 ;;
    --work-dir) work_dir=$2 ;;
    --app-dir) app_dir=$2 ;;
    --config) config=$2 ;;
    --libdir) libdir=$2 ;;
    --make-example) make_example=$2 ;;
    --c-compiler) cc=$2 ;;
    --cxx-compiler) cxx=$2 ;;
    --static) static=$2 ;;
    --tool) tool=$2 ;;
    --run-tool) run_tool=$2 ;;
    *) echo "install_test: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ -n "$build_dir" && -n "$work_dir" && -n "$app_dir" && -n "$make_example" ]] || {
  echo "install_test: --build-dir, --work-dir, --app-dir and --make-example are required" >&2
  exit 2
}
case "$libdir" in /*) echo "install_test: CMAKE_INSTALL_LIBDIR must be relative, is $libdir" >&2; exit 2 ;; esac
case "${static^^}" in ON|TRUE|1|YES) static=1 ;; *) static= ;; esac

step() { echo "==> $*"; }
fail() { echo "install_test: FAILED: $*" >&2; exit 1; }

rm -rf "$work_dir"
mkdir -p "$work_dir"
prefix=$work_dir/prefix

step "cmake --install $build_dir --prefix $prefix"
cmake --install "$build_dir" --prefix "$prefix" --config "$config" >"$work_dir/install.log" ||
  { cat "$work_dir/install.log"; fail "cmake --install"; }

step "checking the installed files"
expect=(include/octet/octet.h
        "$libdir/cmake/octet/octetConfig.cmake"
        "$libdir/cmake/octet/octetConfigVersion.cmake"
        "$libdir/cmake/octet/octetTargets.cmake"
        "$libdir/pkgconfig/octet.pc")
if [[ -n "$static" ]]; then expect+=("$libdir/liboctet.a"); else expect+=("$libdir/liboctet.so"); fi
[[ -n "$tool" ]] && expect+=("bin/$tool")
[[ -n "$run_tool" ]] && expect+=("bin/$run_tool")
for f in "${expect[@]}"; do
  [[ -e "$prefix/$f" ]] || fail "$f was not installed (installed: $(cd "$prefix" && find . -type f | sort | tr '\n' ' '))"
done
# The runtime's private pieces (kernels, schema, test helpers) stay private.
unexpected=$(cd "$prefix" && find . -name '*kernels*' -o -name '*generated*' -o -name '*test_support*')
[[ -z "$unexpected" ]] || fail "private files were installed: $unexpected"

if [[ -z "$static" ]]; then
  # The C API is the shared library's interface; octet's C++ internals
  # (runtime and kernels) are built with hidden visibility.
  leaked=$(nm -D --defined-only -C "$prefix/$libdir/liboctet.so" | awk '$3 ~ /^octet::/' | head -n 5)
  [[ -z "$leaked" ]] || fail "liboctet.so exports octet's internals: $leaked"
fi

model=$work_dir/example.octet
step "$make_example $model"
"$make_example" "$model"

step "app with find_package(octet): configure and build"
cmake -S "$app_dir" -B "$work_dir/app-cmake" \
  -DCMAKE_BUILD_TYPE="$config" \
  -DCMAKE_C_COMPILER="$cc" \
  -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON >"$work_dir/app-configure.log" ||
  { cat "$work_dir/app-configure.log"; fail "configuring the app"; }
grep -F "from $prefix/" "$work_dir/app-configure.log" ||
  fail "find_package(octet) did not take the package in $prefix"
cmake --build "$work_dir/app-cmake" --config "$config" >"$work_dir/app-build.log" ||
  { cat "$work_dir/app-build.log"; fail "building the app"; }
app_cmake=$(find "$work_dir/app-cmake" -type f -name octet_install_app -perm -u+x | head -n 1)
[[ -n "$app_cmake" ]] || fail "the CMake build made no octet_install_app"

step "app with pkg-config: compile and link"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}
pkg_flags=(--cflags --libs)
rpath=()
if [[ -n "$static" ]]; then
  pkg_flags+=(--static)  # a static library's own dependencies are Libs.private
else
  rpath=("-Wl,-rpath,$prefix/$libdir")
fi
pkg-config --validate octet || fail "pkg-config --validate octet"
flags=$(pkg-config "${pkg_flags[@]}" octet)
echo "pkg-config ${pkg_flags[*]} octet: $flags"
pc_prefix=$(pkg-config --variable=prefix octet)
[[ "$(realpath "$pc_prefix")" == "$(realpath "$prefix")" ]] ||
  fail "octet.pc's prefix $pc_prefix is not $prefix"
app_pc=$work_dir/app-pkgconfig
# shellcheck disable=SC2086  # pkg-config's flags are meant to be split
"$cc" -std=c99 -Wall -Wextra -Werror -o "$app_pc" "$app_dir/main.c" $flags "${rpath[@]}"

step "the C++ header compiles against the installed prefix"
# shellcheck disable=SC2046  # pkg-config's flags are meant to be split
printf '#include <octet/octet.hpp>\nint main() { return 0; }\n' |
  "$cxx" -std=c++17 -Wall -Wextra -Werror -fsyntax-only -x c++ - $(pkg-config --cflags octet) ||
  fail "octet.hpp does not compile against the installed headers"

step "running both apps on $model"
"$app_cmake" "$model" >"$work_dir/out-cmake.txt" || { cat "$work_dir/out-cmake.txt"; fail "$app_cmake"; }
"$app_pc" "$model" >"$work_dir/out-pkgconfig.txt" || { cat "$work_dir/out-pkgconfig.txt"; fail "$app_pc"; }
cat "$work_dir/out-cmake.txt"
diff -u "$work_dir/out-cmake.txt" "$work_dir/out-pkgconfig.txt" ||
  fail "the two builds of the app printed different results"

if [[ -n "$tool" ]]; then
  step "installed $tool"
  "$prefix/bin/$tool" --model "$model" --warmup 1 --runs 2 || fail "installed $tool"
fi
if [[ -n "$run_tool" ]]; then
  step "installed $run_tool"
  "$prefix/bin/$run_tool" --help >/dev/null || fail "installed $run_tool"
fi
echo "install test passed"
