#include "sema/loader.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "syntax/parser.h"

namespace smdl::sema {

namespace fs = std::filesystem;

ModuleInfo& AddModule(Program& program, std::string path, std::string text, const ParseLimits& limits,
                      bool from_search_path) {
  uint32_t file = program.sources.Add(path, std::move(text));
  auto module = ParseModule(file, program.sources.Text(file), program.diags, limits);
  if (!module->has_module_decl) module->name = fs::path(path).stem().string();
  auto info = std::make_unique<ModuleInfo>();
  info->ast = module.get();
  info->name = module->name;
  info->path = path;
  info->from_search_path = from_search_path;
  program.asts.push_back(std::move(module));
  program.modules.push_back(std::move(info));
  ModuleInfo& added = *program.modules.back();
  auto [it, inserted] = program.by_name.emplace(added.name, &added);
  if (!inserted && added.ast->has_module_decl) {
    program.diags.Error("E2033", added.ast->name_range,
                        "module '" + added.name + "' is also declared in " + it->second->path);
  }
  return added;
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return IoError("cannot read " + path);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return IoError("cannot read " + path);
  return buffer.str();
}

StatusOr<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& p : paths) {
    std::error_code ec;
    auto status = fs::status(p, ec);
    if (ec || !fs::exists(status)) return NotFound("no such file or directory: " + p);
    if (fs::is_directory(status)) {
      std::vector<std::string> found;
      for (auto it = fs::recursive_directory_iterator(p, fs::directory_options::skip_permission_denied, ec);
           !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".smdl") found.push_back(it->path().string());
      }
      if (ec) return IoError("cannot list " + p + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(p);
    }
  }
  return files;
}

void ResolveImports(Program& program, const std::vector<std::string>& roots, const ParseLimits& limits) {
  std::set<std::string> loaded_paths;
  for (const auto& m : program.modules) {
    std::error_code ec;
    loaded_paths.insert(fs::weakly_canonical(m->path, ec).string());
  }
  // Modules are appended while we walk: index, not iterator.
  for (size_t i = 0; i < program.modules.size(); ++i) {
    ModuleInfo* module = program.modules[i].get();
    for (const auto& import : module->ast->imports) {
      std::string name = import.name.ToString();
      auto it = program.by_name.find(name);
      if (it == program.by_name.end()) {
        std::string relative;
        for (const auto& part : import.name.parts) relative += (relative.empty() ? "" : "/") + part.text;
        relative += ".smdl";
        for (const auto& root : roots) {
          fs::path candidate = fs::path(root) / relative;
          std::error_code ec;
          if (!fs::is_regular_file(candidate, ec)) continue;
          std::string canonical = fs::weakly_canonical(candidate, ec).string();
          if (loaded_paths.count(canonical)) break;
          auto text = ReadFile(candidate.string());
          if (!text.ok()) break;
          loaded_paths.insert(canonical);
          ModuleInfo& added = AddModule(program, candidate.string(), std::move(text).value(), limits, true);
          module = program.modules[i].get();
          if (added.name != name) {
            program.diags.Error("E2034", added.ast->has_module_decl ? added.ast->name_range : import.range,
                                "file " + candidate.string() + " should declare module '" + name + "', not '" +
                                    added.name + "'");
          }
          break;
        }
        it = program.by_name.find(name);
      }
      if (it == program.by_name.end()) {
        // Say where it was looked for: a wrong SMDL_PATH or a missing --path
        // is the usual cause.
        std::string relative;
        for (const auto& part : import.name.parts) relative += (relative.empty() ? "" : "/") + part.text;
        std::string looked;
        for (const auto& root : roots) looked += (looked.empty() ? "" : ", ") + (fs::path(root) / (relative + ".smdl")).string();
        module->missing_imports.push_back({name, import.name.range, looked});
        continue;
      }
      if (it->second == module) {
        program.diags.Warning("W2001", import.range, "module '" + name + "' imports itself");
        continue;
      }
      if (std::find(module->imports.begin(), module->imports.end(), it->second) != module->imports.end()) {
        program.diags.Warning("W2002", import.range, "module '" + name + "' is imported twice");
        continue;
      }
      module->imports.push_back(it->second);
    }
  }
}

}  // namespace smdl::sema
