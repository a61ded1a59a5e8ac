# Raspberry Pi OS 64-bit (Cortex-A72 on the Pi 4, A76 on the Pi 5) and other
# aarch64 Debian-family boards, cross-compiled on Debian with
# g++-aarch64-linux-gnu (or clang: -DOCTET_CROSS_CLANG=ON); tests run under
# qemu-aarch64. NEON is part of the base ISA; the dot-product kernels carry
# their own -march flags, so one binary runs on every aarch64 core.
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(OCTET_CROSS_TRIPLET aarch64-linux-gnu)
set(OCTET_QEMU qemu-aarch64)
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross-common.cmake)
