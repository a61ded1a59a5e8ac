# Writes the example model to MODEL with MAKE_EXAMPLE, runs BENCH on it at the
# default ISA and at scalar, and checks: exit 0, a latency report, and equal
# output checksums (the optimized kernels must be bit-identical to scalar).
string(REPLACE "|" ";" emulator "${EMULATOR}")  # qemu in cross builds, else empty
execute_process(COMMAND ${emulator} ${MAKE_EXAMPLE} ${MODEL} --seed 7 RESULT_VARIABLE exit_status)
if(NOT exit_status STREQUAL "0")
  message(FATAL_ERROR "octet-make-example failed: ${exit_status}")
endif()
foreach(isa auto scalar)
  execute_process(COMMAND ${emulator} ${BENCH} --model ${MODEL} --runs 3 --warmup 1 --isa ${isa}
    RESULT_VARIABLE exit_status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "--isa ${isa}: exit ${exit_status}\n${out}${err}")
  if(NOT exit_status STREQUAL "0")
    message(FATAL_ERROR "bench_model --isa ${isa} failed: ${exit_status}")
  endif()
  if(NOT out MATCHES "\n  median +[0-9.]+\n")
    message(FATAL_ERROR "bench_model --isa ${isa}: no median latency line")
  endif()
  string(REGEX MATCHALL "checksum [0-9a-f]+" checksums_${isa} "${out}")
  if(NOT checksums_${isa})
    message(FATAL_ERROR "bench_model --isa ${isa}: no output checksum")
  endif()
endforeach()
if(NOT checksums_auto STREQUAL checksums_scalar)
  message(FATAL_ERROR "outputs differ: auto ${checksums_auto}, scalar ${checksums_scalar}")
endif()
