# The database commands end to end (tests/runtime/run.sh).
add_test(NAME "runtime commands"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/runtime/run.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})

# The embedding example runs and its record ends delivered.
add_test(NAME "embedding example"
  COMMAND bash -c "dir=$(mktemp -d) && $<TARGET_FILE:smdl_embedding_example> $dir/db > $dir/out && grep -q '\"state\":\"delivered\"' $dir/out && grep -q 'not accepted in state' $dir/out && grep -q intact $dir/out; status=$?; cat $dir/out; rm -rf $dir; exit $status")
