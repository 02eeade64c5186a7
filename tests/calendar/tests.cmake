# smdl calendar: due instants and business durations on calendars declared in
# SMDL, overrides, daylight-saving changes, exit codes.
add_test(NAME "calendar command"
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh ${SMDL_BIN} ${CMAKE_CURRENT_LIST_DIR})
