# smdl report and history --format text on a small scenario (report/run.sh).
add_test(NAME "report command"
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh ${SMDL_BIN})

# The demo (tools/demo.sh, what `make demo` runs) finishes without an error,
# writing into a temporary directory instead of var/.
add_test(NAME "demo"
  COMMAND bash -c "dir=$(mktemp -d) && SMDL_DEMO_DIR=$dir SMDL_BIN=$<TARGET_FILE:smdl> bash tools/demo.sh > $dir/demo.log 2>&1; status=$?; tail -40 $dir/demo.log; rm -rf $dir; exit $status"
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties("demo" PROPERTIES TIMEOUT 120)
