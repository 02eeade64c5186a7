#include "runtime/definitions.h"

#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "sema/checker.h"

namespace smdl::runtime {
namespace {

using nlohmann::json;
constexpr const char* kCurrentKey = "definition/current";

}  // namespace

Status DefinitionStore::Load() {
  auto current = db_.Get(storage::Family::kMeta, kCurrentKey);
  if (!current.ok()) return current.status();
  std::lock_guard<std::mutex> lock(mu_);
  current_ = current->has_value() ? storage::DecodeU64(**current) : 0;
  return Status::Ok();
}

uint64_t DefinitionStore::current_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

StatusOr<std::unique_ptr<Definition>> DefinitionStore::Compile(uint64_t version, std::string hash,
                                                               std::unique_ptr<sema::Program> program) {
  auto image = ir::Image::Build(*program);
  if (!image.ok()) return image.status();
  auto def = std::make_unique<Definition>();
  def->version = version;
  def->hash = std::move(hash);
  def->program = std::move(program);
  def->image = std::move(*image);
  return def;
}

StatusOr<const Definition*> DefinitionStore::Get(uint64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (version == 0) version = current_;
  if (version == 0) return FailedPrecondition("nothing is deployed yet: run 'smdl deploy' first");
  auto found = loaded_.find(version);
  if (found != loaded_.end()) return static_cast<const Definition*>(found->second.get());
  auto stored = db_.Get(storage::Family::kDefinitions, storage::EncodeU64(version));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return NotFound("definition version " + std::to_string(version) + " does not exist");
  json doc = json::parse(**stored, nullptr, false);
  if (doc.is_discarded() || !doc.contains("modules"))
    return Status(StatusCode::kCorruption, "definition version " + std::to_string(version) + " is not readable");
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& m : doc["modules"]) files.emplace_back(m["path"].get<std::string>(), m["source"].get<std::string>());
  sema::CheckOptions options;
  options.use_environment = false;  // every module it needs was stored with it
  auto program = sema::CheckSources(files, options);
  if (program->diags.HasErrors())
    return Status(StatusCode::kCorruption, "definition version " + std::to_string(version) +
                                               " no longer checks:\n" + program->diags.RenderText(program->sources));
  auto def = Compile(version, doc.value("hash", ""), std::move(program));
  if (!def.ok()) return def.status();
  const Definition* result = def->get();
  loaded_[version] = std::move(*def);
  return result;
}

StatusOr<DeployResult> DefinitionStore::Deploy(std::unique_ptr<sema::Program> program, const Committer& commit) {
  std::lock_guard<std::mutex> one_at_a_time(deploy_mu_);
  DeployResult result;
  json modules = json::array();
  std::string hash_input;
  // Modules in name order, so that the hash does not depend on the order of
  // the command line or the file system.
  std::map<std::string, const sema::ModuleInfo*> by_name;
  for (const auto& m : program->modules) by_name[m->name + '\0' + m->path] = m.get();
  for (const auto& [key, m] : by_name) {
    const std::string& source = program->sources.Text(m->ast->file);
    modules.push_back({{"name", m->name}, {"path", m->path}, {"source", source}, {"hash", Sha256Hex(source)}});
    hash_input += m->name + '\0' + source + '\0';
    result.modules.push_back(m->name);
  }
  result.hash = Sha256Hex(hash_input);

  uint64_t current = current_version();
  if (current != 0) {
    auto stored = db_.Get(storage::Family::kDefinitions, storage::EncodeU64(current));
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      json doc = json::parse(**stored, nullptr, false);
      if (!doc.is_discarded() && doc.value("hash", "") == result.hash) {
        result.version = current;
        result.unchanged = true;
        return result;
      }
    }
  }
  uint64_t version = current + 1;
  auto def = Compile(version, result.hash, std::move(program));
  if (!def.ok()) return def.status();
  result.overrides = (*def)->image->OverrideSummary();
  json doc = {{"version", version}, {"hash", result.hash}, {"modules", modules}, {"overrides", result.overrides}};
  storage::WriteBatch batch;
  batch.Put(storage::Family::kDefinitions, storage::EncodeU64(version), doc.dump());
  batch.Put(storage::Family::kMeta, kCurrentKey, storage::EncodeU64(version));
  json module_hashes = json::object();
  for (const auto& m : modules) module_hashes[m["name"].get<std::string>()] = m["hash"];
  json audit = {{"kind", "deploy"},
                {"record", ""},
                {"event", "deploy"},
                {"definition", version},
                {"params", {{"hash", result.hash}, {"modules", module_hashes}, {"overrides", result.overrides}}},
                {"from", current ? "version " + std::to_string(current) : std::string()},
                {"to", "version " + std::to_string(version)}};
  SMDL_RETURN_IF_ERROR(commit(batch, std::move(audit)));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = version;
  loaded_[version] = std::move(*def);
  result.version = version;
  return result;
}

}  // namespace smdl::runtime
