# Runs BENCH with ARGS ('|'-separated) and checks the exit status is exactly
# EXPECT_EXIT (a crash is a string, never equal) and stderr matches
# EXPECT_STDERR.
string(REPLACE "|" ";" emulator "${EMULATOR}")  # qemu in cross builds, else empty
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${emulator} ${BENCH} ${args}
  RESULT_VARIABLE exit_status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "exit ${exit_status}\nstdout: ${out}\nstderr: ${err}")
if(NOT exit_status STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "expected exit status ${EXPECT_EXIT}, got '${exit_status}'")
endif()
if(NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}'")
endif()
