# Fuzz targets: each is an LLVMFuzzerTestOneInput over one way into smdl,
# with a seed corpus and a dictionary beside it.
#
# Every build replays each corpus through its target without libFuzzer
# (replay_main.cc), as a test of `make test`. With SMDL_BUILD_FUZZERS (a
# clang build, see tools/fuzz.sh) the libFuzzer binaries are built too; each
# is a test labelled `fuzz` that fuzzes for SMDL_FUZZ_SECONDS, and each has a
# line NAME BINARY ARGUMENTS... in fuzzers.txt of the build directory, which
# is how tools/fuzz.sh and tools/soak.sh find them and their arguments.
set(SMDL_FUZZ_DIR ${CMAKE_CURRENT_LIST_DIR})
if(SMDL_BUILD_FUZZERS)
  set(SMDL_FUZZ_SECONDS 60 CACHE STRING "How long each fuzz test runs")
endif()
set_property(GLOBAL PROPERTY SMDL_FUZZERS "")

# smdl_fuzz_target(NAME TITLE SOURCE DICT LIBRARIES... CORPUS dir...):
# smdl_NAME_replay and the test "fuzz corpus replay: TITLE" always, and with
# fuzzers on, smdl_NAME_fuzzer and the test "fuzz TITLE". CORPUS folders are
# read, never written: libFuzzer keeps the inputs it finds in
# fuzz-corpus/NAME of the build directory.
function(smdl_fuzz_target name title source dict)
  cmake_parse_arguments(PARSE_ARGV 4 arg "" "" "LIBRARIES;CORPUS")
  set(replay smdl_${name}_replay)
  add_executable(${replay} ${SMDL_FUZZ_DIR}/replay_main.cc ${SMDL_FUZZ_DIR}/${source})
  target_link_libraries(${replay} PRIVATE ${arg_LIBRARIES})
  add_test(NAME "fuzz corpus replay: ${title}" COMMAND ${replay} ${arg_CORPUS})
  if(NOT SMDL_BUILD_FUZZERS)
    return()
  endif()

  set(fuzzer smdl_${name}_fuzzer)
  add_executable(${fuzzer} ${SMDL_FUZZ_DIR}/${source})
  target_link_libraries(${fuzzer} PRIVATE ${arg_LIBRARIES})
  target_compile_options(${fuzzer} PRIVATE -fsanitize=fuzzer)
  target_link_options(${fuzzer} PRIVATE -fsanitize=fuzzer)
  # New inputs that grow coverage go to the first folder, in the build tree.
  set(work ${CMAKE_BINARY_DIR}/fuzz-corpus/${name})
  file(MAKE_DIRECTORY ${work})
  set(args -timeout=10 -rss_limit_mb=4096 -max_len=65536 -dict=${SMDL_FUZZ_DIR}/${dict} ${work} ${arg_CORPUS})
  add_test(NAME "fuzz ${title}" COMMAND ${fuzzer} -max_total_time=${SMDL_FUZZ_SECONDS} ${args})
  set_tests_properties("fuzz ${title}" PROPERTIES LABELS fuzz)
  list(JOIN args " " joined)
  set_property(GLOBAL APPEND_STRING PROPERTY SMDL_FUZZERS "${name} $<TARGET_FILE:${fuzzer}> ${joined}\n")
endfunction()

# Any bytes as a module: parse, check, render the diagnostics.
smdl_fuzz_target(parse_check "parse and check" parse_check_target.cc smdl.dict
  LIBRARIES smdl_sema
  CORPUS ${SMDL_FUZZ_DIR}/corpus ${PROJECT_SOURCE_DIR}/tests/diagnostics)
# A CEL expression (and variables) as `smdl eval` takes it.
smdl_fuzz_target(expr_eval "expressions" expr_eval_target.cc cel.dict
  LIBRARIES smdl_vm nlohmann_json::nlohmann_json
  CORPUS ${SMDL_FUZZ_DIR}/corpus_expr)
# Fields and parameters JSON through Engine::Create and Engine::Fire.
smdl_fuzz_target(json_engine "json" json_engine_target.cc json.dict
  LIBRARIES smdl_runtime
  CORPUS ${SMDL_FUZZ_DIR}/corpus_json)

if(SMDL_BUILD_FUZZERS)
  get_property(fuzzers GLOBAL PROPERTY SMDL_FUZZERS)
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fuzzers.txt CONTENT "${fuzzers}")
endif()
