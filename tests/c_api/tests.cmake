# The C API from Python (examples/c_api) through the library just built;
# tests/install/run.sh runs the same against an installed prefix.
add_test(NAME "c api from python"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/c_api/run.sh $<TARGET_FILE:smdl_shared> ${PROJECT_SOURCE_DIR})
