#include "sema/stdlib_dir.h"

#include <dlfcn.h>

#include <filesystem>
#include <system_error>

// Paths from the folder of the file this code is loaded from (the `smdl`
// binary, libsmdl.so, or a program linking libsmdl.a) to the standard
// library: installed (from bin/ and from lib/), and in the source tree of
// the build that produced it. Set by CMake.
#ifndef SMDL_STDLIB_FROM_BINDIR
#define SMDL_STDLIB_FROM_BINDIR ""
#endif
#ifndef SMDL_STDLIB_FROM_LIBDIR
#define SMDL_STDLIB_FROM_LIBDIR ""
#endif
#ifndef SMDL_STDLIB_FROM_BUILD
#define SMDL_STDLIB_FROM_BUILD ""
#endif

namespace smdl::sema {
namespace fs = std::filesystem;

namespace {

// The file holding this code, resolved from the process's own records.
fs::path LoadedFrom() {
  std::error_code ec;
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&StandardLibraryDir), &info) != 0 && info.dli_fname != nullptr) {
    fs::path file = fs::weakly_canonical(info.dli_fname, ec);
    if (!ec && fs::is_regular_file(file, ec)) return file;
  }
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : self;
}

}  // namespace

const std::string& StandardLibraryDir() {
  static const std::string dir = [] {
    fs::path from = LoadedFrom().parent_path();
    if (from.empty()) return std::string();
    for (const char* relative : {SMDL_STDLIB_FROM_BINDIR, SMDL_STDLIB_FROM_LIBDIR, SMDL_STDLIB_FROM_BUILD}) {
      if (*relative == '\0') continue;
      std::error_code ec;
      fs::path candidate = (from / relative).lexically_normal();
      if (fs::is_directory(candidate / "iso20000", ec)) return candidate.string();
    }
    return std::string();
  }();
  return dir;
}

}  // namespace smdl::sema
