# The README's examples run as written on a fresh checkout after the build.
add_test(NAME "README examples"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/readme/run.sh $<TARGET_FILE:smdl> ${PROJECT_SOURCE_DIR})
