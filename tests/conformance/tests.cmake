# The CEL conformance corpus through `smdl eval --batch`: fails if any suite
# passes fewer tests than docs/conformance.md records.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME "CEL conformance"
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/run.py ${SMDL_BIN} ${CMAKE_CURRENT_LIST_DIR}
          --expect ${PROJECT_SOURCE_DIR}/docs/conformance.md)

# `smdl eval` and `--batch` on good and bad input.
add_test(NAME "smdl eval command line"
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/eval_cli.sh ${SMDL_BIN})
