# The executables smdl and the benchmarks allocate through
# jemalloc, as RocksDB advises for its own allocations: a fire allocates
# and frees hundreds of small objects, and a query over 100 records runs
# 30 to 40% faster than on glibc's malloc (docs/benchmarks.md). The engine
# libraries leave the choice to whoever embeds them. Sanitizer builds keep
# the sanitizer's allocator.
if(NOT SMDL_SANITIZE)
  find_library(SMDL_JEMALLOC_LIB jemalloc REQUIRED)
endif()
function(smdl_use_allocator target)
  if(NOT SMDL_SANITIZE)
    target_link_libraries(${target} PRIVATE ${SMDL_JEMALLOC_LIB})
  endif()
endfunction()
