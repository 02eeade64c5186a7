# docs/iso20000.md: every clause has a row that names tests, and every test
# it names exists.
add_test(NAME "docs/iso20000.md names real tests"
  COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/check_doc.py ${PROJECT_SOURCE_DIR})
