# smdl serve, driven over loopback: curl and Python clients, a webhook
# receiver that fails at random, SIGKILL under load (20 rounds here, 100 in
# the slow label that `make test-all` and tools/soak.sh run).
add_test(NAME "server: http"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/run.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})
add_test(NAME "server: webhooks"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/webhooks.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})
add_test(NAME "server: kill under load"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/kill.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR} 20)
add_test(NAME "server: kill under load x100"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/server/kill.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR} 100)
set_tests_properties("server: http" "server: webhooks" "server: kill under load" PROPERTIES LABELS "server" TIMEOUT 600)
set_tests_properties("server: kill under load x100" PROPERTIES LABELS "server;slow" TIMEOUT 3000)
