# The database commands end to end (tests/runtime/run.sh).
add_test(NAME "runtime commands"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/runtime/run.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})

# The embedding example runs and its record ends delivered.
add_test(NAME "embedding example"
  COMMAND bash -c "dir=$(mktemp -d) && $<TARGET_FILE:smdl_embedding_example> $dir/db > $dir/out && grep -q '\"state\":\"delivered\"' $dir/out && grep -q 'not accepted in state' $dir/out && grep -q intact $dir/out; status=$?; cat $dir/out; rm -rf $dir; exit $status")

# The standard library's scenario tests and the example site's, in virtual
# time. They run as two programs: the site's overrides would change the
# library's defaults that its own tests assume.
add_test(NAME "smdl test stdlib"
  COMMAND ${SMDL_BIN} test ${PROJECT_SOURCE_DIR}/stdlib)
add_test(NAME "smdl test examples/acme"
  COMMAND ${SMDL_BIN} test ${PROJECT_SOURCE_DIR}/examples/acme)
# The language's own scenarios: records that read each other, roles, actions.
add_test(NAME "smdl test tests/scenarios"
  COMMAND ${SMDL_BIN} test ${PROJECT_SOURCE_DIR}/tests/scenarios)

# SIGKILL at random moments, 20 times: nothing acknowledged is lost, the
# audit chain holds and every record equals its replay (crash_test.cc).
add_executable(smdl_crash_test ${CMAKE_CURRENT_SOURCE_DIR}/runtime/crash_test.cc)
target_link_libraries(smdl_crash_test PRIVATE smdl_runtime)
add_test(NAME "crash recovery" COMMAND smdl_crash_test 20)
set_tests_properties("crash recovery" PROPERTIES LABELS crash TIMEOUT 600)
