# Raspberry Pi OS 32-bit (armhf) and other armv7 boards with NEON,
# cross-compiled on Debian with g++-arm-linux-gnueabihf; tests run under
# qemu-arm. Debian's armhf baseline is armv7-a + VFPv3-D16 without NEON, so
# the whole build says NEON-VFPv4 (every Pi since the Pi 2 v1.2 has it).
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(OCTET_CROSS_TRIPLET arm-linux-gnueabihf)
set(OCTET_QEMU qemu-arm)
set(CMAKE_C_FLAGS_INIT "-mfpu=neon-vfpv4 -mfloat-abi=hard")
# -Wno-psabi: GCC notes that std::vector<long long> iterators are passed
# differently than by GCC < 7.1; nothing here links against such old code.
set(CMAKE_CXX_FLAGS_INIT "-mfpu=neon-vfpv4 -mfloat-abi=hard -Wno-psabi")
include(${CMAKE_CURRENT_LIST_DIR}/debian-cross-common.cmake)
