// Where the standard library is: beside an installed smdl
// (PREFIX/share/smdl/stdlib, found from where the binary or library was
// loaded), or in the source tree of the build that produced it; empty when
// neither is there. Never a path compiled in absolutely: a copy of the tree,
// or an installed prefix moved elsewhere, finds its own.
#pragma once

#include <string>

namespace smdl::sema {

const std::string& StandardLibraryDir();

}  // namespace smdl::sema
