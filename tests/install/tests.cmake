# Installing smdl and building against it (find_package, pkg-config, the C
# API from Python, the .deb unpacked): tests/install/run.sh.
add_test(NAME "install and package"
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/install/run.sh ${CMAKE_BINARY_DIR} ${PROJECT_SOURCE_DIR})
set_tests_properties("install and package" PROPERTIES TIMEOUT 900)
