# The reliability campaign that runs with every `make test`: tampering with
# each column family, damaged logs and CURRENT files (tamper_test.cc), and
# bad input, full and read-only disks at the command line (run.sh).
add_executable(smdl_tamper_test ${CMAKE_CURRENT_SOURCE_DIR}/unit_main.cc ${CMAKE_CURRENT_SOURCE_DIR}/reliability/tamper_test.cc)
target_link_libraries(smdl_tamper_test PRIVATE smdl_runtime Catch2::Catch2 nlohmann_json::nlohmann_json)
target_include_directories(smdl_tamper_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
catch_discover_tests(smdl_tamper_test TEST_PREFIX "reliability: ")

add_test(NAME "reliability commands"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/reliability/run.sh ${SMDL_BIN} ${PROJECT_SOURCE_DIR})
set_tests_properties("reliability commands" PROPERTIES TIMEOUT 600)
