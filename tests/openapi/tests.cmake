# The OpenAPI document of smdl serve (engine/server/openapi.json): Redocly
# CLI lints it as OpenAPI 3.1, its paths are the routes of api.cc, a real
# server serves it at /v1/openapi.json and answers every route as it says
# (openapi/check.sh). The validator is installed once with `npm ci` from
# openapi/package-lock.json into openapi/ of the build directory.
add_test(NAME "server: openapi"
  COMMAND bash ${CMAKE_CURRENT_LIST_DIR}/check.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})
set_tests_properties("server: openapi" PROPERTIES
  LABELS "server"
  TIMEOUT 300
  ENVIRONMENT "SMDL_OPENAPI_WORK=${CMAKE_BINARY_DIR}/openapi")
