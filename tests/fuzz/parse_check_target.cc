// Fuzz target: any bytes through the parser, the checker and both
// diagnostic renderers. Must never crash, hang or throw.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sema/checker.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  smdl::sema::CheckOptions options;
  options.use_environment = false;
  auto program = smdl::sema::CheckSources({{"fuzz.smdl", std::string(reinterpret_cast<const char*>(data), size)}},
                                          options);
  std::string text = program->diags.RenderText(program->sources);
  std::string json = program->diags.RenderJson(program->sources);
  return text.size() + json.size() > 0 ? 0 : 0;
}
