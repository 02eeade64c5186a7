# Warnings for the project's own code (generated ANTLR code gets none).
function(smdl_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()
