# ANTLR code generation: grammar/SMDL.g4 -> C++ in the build tree at build time.
#
# Debian ships the 4.7.2 tool with the 4.9 C++ runtime. The generated code
# compiles against that runtime, but it uses u8"..." literals, which are char8_t
# under C++20: the generated sources are compiled with -fno-char8_t.
find_program(ANTLR4_TOOL NAMES antlr4 REQUIRED)
find_package(antlr4-runtime REQUIRED)

# Clang rejects misc/InterpreterDataReader.h of the 4.9 runtime (an unused
# header that GCC tolerates). For clang builds (the fuzzer), a copy of the
# umbrella header without it goes first on the include path.
set(SMDL_ANTLR_INCLUDE_DIRS ${ANTLR4_INCLUDE_DIR})
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  file(READ ${ANTLR4_INCLUDE_DIR}/antlr4-runtime.h SMDL_ANTLR_UMBRELLA)
  string(REPLACE "#include \"misc/InterpreterDataReader.h\"" "" SMDL_ANTLR_UMBRELLA "${SMDL_ANTLR_UMBRELLA}")
  file(WRITE ${CMAKE_BINARY_DIR}/antlr-shim/antlr4-runtime.h "${SMDL_ANTLR_UMBRELLA}")
  set(SMDL_ANTLR_INCLUDE_DIRS ${CMAKE_BINARY_DIR}/antlr-shim ${ANTLR4_INCLUDE_DIR})
endif()

set(SMDL_GRAMMAR ${CMAKE_SOURCE_DIR}/grammar/SMDL.g4)
set(SMDL_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated/grammar)
set(SMDL_GENERATED_SOURCES
  ${SMDL_GENERATED_DIR}/SMDLLexer.cpp
  ${SMDL_GENERATED_DIR}/SMDLParser.cpp
  ${SMDL_GENERATED_DIR}/SMDLVisitor.cpp
  ${SMDL_GENERATED_DIR}/SMDLBaseVisitor.cpp)
set(SMDL_GENERATED_HEADERS
  ${SMDL_GENERATED_DIR}/SMDLLexer.h
  ${SMDL_GENERATED_DIR}/SMDLParser.h
  ${SMDL_GENERATED_DIR}/SMDLVisitor.h
  ${SMDL_GENERATED_DIR}/SMDLBaseVisitor.h)

# Custom commands attach only to targets of the directory that declares them:
# engine/CMakeLists.txt calls this next to the parser library.
function(smdl_generate_parser)
add_custom_command(
  OUTPUT ${SMDL_GENERATED_SOURCES} ${SMDL_GENERATED_HEADERS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SMDL_GENERATED_DIR}
  COMMAND ${ANTLR4_TOOL} -Dlanguage=Cpp -visitor -no-listener -package smdl_grammar
          -o ${SMDL_GENERATED_DIR} -Xexact-output-dir ${SMDL_GRAMMAR}
  DEPENDS ${SMDL_GRAMMAR}
  COMMENT "Generating the SMDL parser with ANTLR"
  VERBATIM)
# Source properties are per directory too.
set_source_files_properties(${SMDL_GENERATED_SOURCES} PROPERTIES
  GENERATED TRUE
  COMPILE_OPTIONS "-fno-char8_t;-w")
endfunction()

