# Install rules: the runtime library and its public headers, an exported CMake
# package (find_package(octet) -> octet::runtime), a pkg-config file, and the
# command-line tools. Included at the end of the top-level CMakeLists.txt.
option(OCTET_INSTALL "Generate octet's install rules" ${OCTET_TOP_LEVEL})
if(NOT OCTET_INSTALL)
  return()
endif()

include(CMakePackageConfigHelpers)

set(OCTET_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/octet CACHE STRING
    "Where octetConfig.cmake is installed, relative to the prefix")
mark_as_advanced(OCTET_INSTALL_CMAKEDIR)

# A static liboctet.a carries its private link dependencies into the export.
# octet's own internal targets (kernels, schema, warnings) are linked as
# $<BUILD_INTERFACE:...> in runtime/CMakeLists.txt, so they stay out of it (the
# kernels' objects are inside liboctet); every imported dependency left (today
# PkgConfig::CPUINFO) must be found again by cmake/octetConfig.cmake.in.
get_target_property(OCTET_RUNTIME_TYPE octet_runtime TYPE)
if(OCTET_RUNTIME_TYPE STREQUAL "STATIC_LIBRARY")
  set(OCTET_STATIC ON)
else()
  set(OCTET_STATIC OFF)
endif()

# liboctet.a is C++ but its API is C, so C apps link it with the C compiler
# driver, which leaves out the C++ runtime. The libraries the C++ driver adds
# over the C one (stdc++ and m with GCC) are what such an app needs; taking
# them from the compilers keeps this right for clang/libc++ and cross builds.
set(OCTET_CXX_RUNTIME_LIBS ${CMAKE_CXX_IMPLICIT_LINK_LIBRARIES})
if(CMAKE_C_IMPLICIT_LINK_LIBRARIES)
  list(REMOVE_ITEM OCTET_CXX_RUNTIME_LIBS ${CMAKE_C_IMPLICIT_LINK_LIBRARIES})
endif()
list(REMOVE_DUPLICATES OCTET_CXX_RUNTIME_LIBS)
if(OCTET_STATIC AND OCTET_CXX_RUNTIME_LIBS)
  # Only for consumers that link with another driver than the C++ one.
  target_link_libraries(octet_runtime INTERFACE
    "$<INSTALL_INTERFACE:$<$<NOT:$<LINK_LANGUAGE:CXX>>:${OCTET_CXX_RUNTIME_LIBS}>>")
endif()

# --- library and headers ----------------------------------------------------
set_target_properties(octet_runtime PROPERTIES EXPORT_NAME runtime)
install(TARGETS octet_runtime
  EXPORT octetTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT octet_Development
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT octet_Runtime
    NAMELINK_COMPONENT octet_Development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT octet_Runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/runtime/include/octet
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  COMPONENT octet_Development
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

# --- CMake package ------------------------------------------------------------
install(EXPORT octetTargets
  NAMESPACE octet::
  DESTINATION ${OCTET_INSTALL_CMAKEDIR}
  COMPONENT octet_Development)
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/octetConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/octetConfig.cmake
  INSTALL_DESTINATION ${OCTET_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same minor matches.
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/octetConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/cmake/octetConfig.cmake
    ${PROJECT_BINARY_DIR}/cmake/octetConfigVersion.cmake
  DESTINATION ${OCTET_INSTALL_CMAKEDIR}
  COMPONENT octet_Development)

# --- pkg-config ---------------------------------------------------------------
# The .pc file finds its prefix from its own place (${pcfiledir}), so it stays
# right for `cmake --install --prefix`, DESTDIR staging and moved trees.
set(OCTET_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${OCTET_PC_DIR}")
  set(OCTET_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH OCTET_PC_UP "/root/${OCTET_PC_DIR}" "/root")  # "../.." for lib/pkgconfig
  string(REGEX REPLACE "/$" "" OCTET_PC_UP "${OCTET_PC_UP}")
  set(OCTET_PC_PREFIX "\${pcfiledir}/${OCTET_PC_UP}")
endif()
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(OCTET_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(OCTET_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(OCTET_PC_LIBS_PRIVATE "")
if(OCTET_WITH_XNNPACK)
  # No .pc files for them in Debian: name the libraries directly.
  string(APPEND OCTET_PC_LIBS_PRIVATE " -lXNNPACK -lpthreadpool")
endif()
foreach(lib IN LISTS OCTET_CXX_RUNTIME_LIBS)
  string(APPEND OCTET_PC_LIBS_PRIVATE " -l${lib}")
endforeach()
string(STRIP "${OCTET_PC_LIBS_PRIVATE}" OCTET_PC_LIBS_PRIVATE)
configure_file(${CMAKE_CURRENT_LIST_DIR}/octet.pc.in ${PROJECT_BINARY_DIR}/cmake/octet.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cmake/octet.pc
  DESTINATION ${OCTET_PC_DIR}
  COMPONENT octet_Development)

# --- tools --------------------------------------------------------------------
foreach(tool bench_model octet-run octet-convert)
  if(TARGET ${tool})
    if(NOT OCTET_STATIC)
      # Finds the shared liboctet in the prefix it is installed to.
      set_target_properties(${tool} PROPERTIES
        INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")
    endif()
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT octet_Tools)
  endif()
endforeach()
