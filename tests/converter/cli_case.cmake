# Runs octet-convert with ARGS ('|'-separated) in DIR and checks: exit status
# EXPECT_EXIT (a crash is a string, never equal) and, for failures, stderr is
# exactly one line "octet-convert: error: ..." matching EXPECT_STDERR.
string(REPLACE "|" ";" args "${ARGS}")
execute_process(COMMAND ${CONVERT} ${args} WORKING_DIRECTORY ${DIR}
  RESULT_VARIABLE exit_status OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "exit ${exit_status}\nstderr: ${err}")
if(NOT exit_status STREQUAL "${EXPECT_EXIT}")
  message(FATAL_ERROR "expected exit status ${EXPECT_EXIT}, got '${exit_status}'")
endif()
if(NOT err MATCHES "${EXPECT_STDERR}")
  message(FATAL_ERROR "stderr does not match '${EXPECT_STDERR}'")
endif()
if(NOT EXPECT_EXIT STREQUAL "0")
  string(REGEX MATCHALL "\n" lines "${err}")
  list(LENGTH lines n)
  if(NOT n EQUAL 1 OR NOT err MATCHES "^octet-convert: error: ")
    message(FATAL_ERROR "expected one line 'octet-convert: error: ...'")
  endif()
endif()
