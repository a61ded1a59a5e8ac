# Android (arm64-v8a or armeabi-v7a) with the NDK: octet's presets around the
# NDK's own build/cmake/android.toolchain.cmake, which does the real work.
#
#   cmake -S . -B build-android -DCMAKE_TOOLCHAIN_FILE=toolchains/android.cmake \
#         -DOCTET_ANDROID_ABI=arm64-v8a -DOCTET_ANDROID_API=24 \
#         -DOCTET_ANDROID_PREFIX=/path/to/prefix -DOCTET_BUILD_CONVERTER=OFF -DOCTET_BUILD_TESTS=OFF
#
#   OCTET_ANDROID_ABI     arm64-v8a (default) or armeabi-v7a (NEON on)
#   OCTET_ANDROID_API     minimum API level, default 24 (ANDROID_PLATFORM android-N)
#   OCTET_ANDROID_PREFIX  install prefix holding cpuinfo (lib/pkgconfig/libcpuinfo.pc)
#                         and FlatBuffers' headers/CMake package built for that ABI
#   ANDROID_NDK           the NDK root (else $ANDROID_NDK or $ANDROID_NDK_HOME)
#
# Not run on the build machines (no NDK there): it follows the NDK's
# documented toolchain variables; the clang aarch64 build in
# scripts/test-cross.sh checks the code with the NDK's compiler family.
set(OCTET_ANDROID_ABI arm64-v8a CACHE STRING "Android ABI: arm64-v8a or armeabi-v7a")
set(OCTET_ANDROID_API 24 CACHE STRING "Minimum Android API level")
set(OCTET_ANDROID_PREFIX "" CACHE PATH "Prefix with cpuinfo and FlatBuffers for the ABI")

if(NOT ANDROID_NDK)
  if(DEFINED ENV{ANDROID_NDK})
    set(ANDROID_NDK $ENV{ANDROID_NDK})
  elseif(DEFINED ENV{ANDROID_NDK_HOME})
    set(ANDROID_NDK $ENV{ANDROID_NDK_HOME})
  endif()
endif()
if(NOT EXISTS "${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
  message(FATAL_ERROR "toolchains/android.cmake: set ANDROID_NDK (or $ANDROID_NDK / "
                      "$ANDROID_NDK_HOME) to an NDK root; found none at '${ANDROID_NDK}'")
endif()
if(NOT OCTET_ANDROID_ABI MATCHES "^(arm64-v8a|armeabi-v7a)$")
  message(FATAL_ERROR "OCTET_ANDROID_ABI must be arm64-v8a or armeabi-v7a, not '${OCTET_ANDROID_ABI}'")
endif()

set(ANDROID_ABI ${OCTET_ANDROID_ABI})
set(ANDROID_PLATFORM android-${OCTET_ANDROID_API})
set(ANDROID_STL c++_static)  # nothing to ship beside the binary
if(ANDROID_ABI STREQUAL "armeabi-v7a")
  set(ANDROID_ARM_NEON ON)   # the default since NDK r21; explicit for older ones
endif()
# try_compile projects re-read this file: pass our settings on.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES
     ANDROID_NDK OCTET_ANDROID_ABI OCTET_ANDROID_API OCTET_ANDROID_PREFIX)

include("${ANDROID_NDK}/build/cmake/android.toolchain.cmake")

if(OCTET_ANDROID_PREFIX)
  list(APPEND CMAKE_FIND_ROOT_PATH "${OCTET_ANDROID_PREFIX}")
  set(ENV{PKG_CONFIG_LIBDIR} "${OCTET_ANDROID_PREFIX}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
endif()
