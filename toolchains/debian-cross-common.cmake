# Shared part of the Debian multiarch cross toolchain files (aarch64 and
# armhf): compilers, where the target's libraries and pkg-config files live,
# and the qemu-user emulator CTest runs test binaries with. The including file
# sets OCTET_CROSS_TRIPLET, OCTET_QEMU and CMAKE_SYSTEM_PROCESSOR first.
#
# Options (cache variables, -D on the first configure):
#   OCTET_CROSS_CLANG=ON   compile with clang --target=<triplet> instead of
#                          <triplet>-gcc (the Android NDK's compiler family)
#   OCTET_QEMU_CPU=NAME    bake `-cpu NAME` into the emulator command; unset,
#                          qemu takes its QEMU_CPU environment variable, so one
#                          build can be tested as several CPUs
set(CMAKE_SYSTEM_NAME Linux)

set(OCTET_CROSS_CLANG OFF CACHE BOOL "Cross-compile with clang instead of gcc")
if(OCTET_CROSS_CLANG)
  set(CMAKE_C_COMPILER clang)
  set(CMAKE_CXX_COMPILER clang++)
  set(CMAKE_C_COMPILER_TARGET ${OCTET_CROSS_TRIPLET})
  set(CMAKE_CXX_COMPILER_TARGET ${OCTET_CROSS_TRIPLET})
else()
  set(CMAKE_C_COMPILER ${OCTET_CROSS_TRIPLET}-gcc)
  set(CMAKE_CXX_COMPILER ${OCTET_CROSS_TRIPLET}-g++)
endif()

# Debian multiarch: the target's libraries are in /usr/lib/<triplet> of the
# host's own root, headers in /usr/include. Programs (flatc) come from the host.
set(CMAKE_LIBRARY_ARCHITECTURE ${OCTET_CROSS_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH /)
set(CMAKE_IGNORE_PATH /usr/lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu/cmake)
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/${OCTET_CROSS_TRIPLET}/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")

set(OCTET_QEMU_CPU "" CACHE STRING "qemu -cpu model for running tests (empty: $QEMU_CPU)")
set(CMAKE_CROSSCOMPILING_EMULATOR ${OCTET_QEMU} -L /usr/${OCTET_CROSS_TRIPLET})
if(OCTET_QEMU_CPU)
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${OCTET_QEMU_CPU})
endif()
