# Every example of the HTTP API reference (```sh api-example STATUS blocks
# of docs/api.md) runs, in order, against a real smdl serve on a fresh
# database, and is answered with the status the document gives
# (api_docs/run.sh).
add_test(NAME "docs/api.md examples"
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/run.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})
set_tests_properties("docs/api.md examples" PROPERTIES LABELS "server" TIMEOUT 180)
