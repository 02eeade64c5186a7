#include "runtime/definitions.h"

#include "runtime/definition_diff.h"

#include <nlohmann/json.hpp>

#include "base/sha256.h"
#include "runtime/commit_log.h"
#include "runtime/record.h"
#include "sema/checker.h"

namespace smdl::runtime {
namespace {

using nlohmann::json;
constexpr const char* kCurrentKey = "definition/current";

Status Damaged(uint64_t version, const std::string& why) {
  return Status(StatusCode::kCorruption, "definition version " + std::to_string(version) + " " + why);
}

// The hash a deploy gives its modules: SHA-256 over each name and source,
// in the (name) order they are stored in.
std::string ModulesHash(const json& modules) {
  std::string input;
  for (const auto& m : modules) input += m.value("name", "") + '\0' + m.value("source", "") + '\0';
  return Sha256Hex(input);
}

}  // namespace

Status DefinitionStore::ForEachDeploy(const std::function<bool(json entry)>& visit) const {
  // Deploys are indexed in the history family under the empty record id,
  // in sequence order.
  Status inner;
  Status scan = db_.ScanPrefix(storage::Family::kHistory, std::string(1, '\0'), [&](std::string_view key, std::string_view) {
    DecodedHistoryKey history;
    if (!DecodeHistoryKey(key, history)) return true;  // Verify reports it
    auto entry = db_.Get(storage::Family::kAudit, storage::EncodeU64(history.audit_seq));
    if (!entry.ok()) { inner = entry.status(); return false; }
    if (!entry->has_value()) return true;  // Verify reports a dangling index entry
    json doc = json::parse(**entry, nullptr, false);
    if (doc.is_discarded() || doc.value("kind", "") != "deploy") return true;
    return visit(std::move(doc));
  });
  SMDL_RETURN_IF_ERROR(scan);
  return inner;
}

StatusOr<json> DefinitionStore::DeployEntry(uint64_t version) const {
  std::optional<json> found;
  SMDL_RETURN_IF_ERROR(ForEachDeploy([&](json entry) {
    if (entry.value("definition", uint64_t{0}) != version) return true;
    found = std::move(entry);
    return false;
  }));
  if (!found) return Damaged(version, "has no deploy entry in the audit log: it was not stored by a deploy");
  if (runtime::AuditHash(*found) != found->value("hash", ""))
    return Damaged(version, "has a deploy entry whose hash does not match its content (it was altered)");
  return *found;
}

Status DefinitionStore::CheckStored(uint64_t version, const json& deploy_entry) const {
  auto stored = db_.Get(storage::Family::kDefinitions, storage::EncodeU64(version));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return Damaged(version, "was deployed but its sources are missing");
  json doc = json::parse(**stored, nullptr, false);
  if (doc.is_discarded() || !doc.contains("modules") || !doc["modules"].is_array())
    return Damaged(version, "is not readable");
  const json& params = deploy_entry.contains("params") ? deploy_entry["params"] : json::object();
  std::string recorded = params.value("hash", "");
  if (ModulesHash(doc["modules"]) != recorded || doc.value("hash", "") != recorded)
    return Damaged(version, "differs from what its deploy recorded (audit entry " +
                                std::to_string(deploy_entry.value("seq", uint64_t{0})) + "): its sources were altered");
  const json& module_hashes = params.contains("modules") ? params["modules"] : json::object();
  for (const auto& m : doc["modules"]) {
    if (!m.is_object() || !m.contains("source") || !m["source"].is_string()) return Damaged(version, "is not readable");
    std::string name = m.value("name", "");
    if (!module_hashes.contains(name) || module_hashes[name] != Sha256Hex(m["source"].get<std::string>()))
      return Damaged(version, "module '" + name + "' differs from what its deploy recorded: it was altered");
  }
  return Status::Ok();
}

StatusOr<DefinitionStore::Sources> DefinitionStore::ReadChecked(uint64_t version) const {
  auto entry = DeployEntry(version);
  if (!entry.ok()) return entry.status();
  SMDL_RETURN_IF_ERROR(CheckStored(version, *entry));
  auto stored = db_.Get(storage::Family::kDefinitions, storage::EncodeU64(version));
  if (!stored.ok()) return stored.status();
  json doc = json::parse(**stored, nullptr, false);
  Sources sources;
  sources.hash = doc.value("hash", "");
  for (const auto& m : doc["modules"]) sources.files.emplace_back(m.value("path", ""), m["source"].get<std::string>());
  return sources;
}

Status DefinitionStore::Load() {
  auto current = db_.Get(storage::Family::kMeta, kCurrentKey);
  if (!current.ok()) return current.status();
  uint64_t version = current->has_value() ? storage::DecodeU64(**current) : 0;
  // The current version is the one the last deploy entry made current.
  auto last = LastDeployedVersion();
  if (!last.ok()) return last.status();
  if (*last != version)
    return Status(StatusCode::kCorruption, "the current definition version is stored as " + std::to_string(version) +
                                               " but the audit log's last deploy made it " + std::to_string(*last));
  std::lock_guard<std::mutex> lock(mu_);
  current_ = version;
  return Status::Ok();
}

StatusOr<uint64_t> DefinitionStore::LastDeployedVersion() const {
  uint64_t version = 0;
  SMDL_RETURN_IF_ERROR(ForEachDeploy([&](json entry) {
    version = entry.value("definition", uint64_t{0});
    return true;
  }));
  return version;
}

uint64_t DefinitionStore::current_version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

StatusOr<std::unique_ptr<Definition>> DefinitionStore::Compile(uint64_t version, std::string hash,
                                                               std::unique_ptr<sema::Program> program,
                                                               bool stored) {
  // A deploy refuses what compiling finds (a constant beyond the evaluation
  // budget); a version already stored keeps working for the records pinned
  // to it, the oversized constant evaluating to the budget error.
  Diagnostics found;
  auto image = ir::Image::Build(*program, stored ? &found : nullptr);
  if (!image.ok()) return image.status();
  auto def = std::make_unique<Definition>();
  def->version = version;
  def->hash = std::move(hash);
  def->program = std::move(program);
  def->image = std::move(*image);
  return def;
}

void DefinitionStore::ShareCompiled(const DefinitionStore& other) {
  if (&other == this) return;
  std::scoped_lock lock(mu_, other.mu_);
  for (const auto& [version, def] : other.loaded_) loaded_.emplace(version, def);
}

StatusOr<const Definition*> DefinitionStore::Get(uint64_t version) {
  std::lock_guard<std::mutex> lock(mu_);
  if (version == 0) version = current_;
  if (version == 0) return FailedPrecondition("nothing is deployed yet: run 'smdl deploy' first");
  auto found = loaded_.find(version);
  if (found != loaded_.end()) return static_cast<const Definition*>(found->second.get());
  auto exists = db_.Get(storage::Family::kDefinitions, storage::EncodeU64(version));
  if (!exists.ok()) return exists.status();
  if (!exists->has_value()) return NotFound("definition version " + std::to_string(version) + " does not exist");
  auto sources = ReadChecked(version);
  if (!sources.ok()) return sources.status();
  sema::CheckOptions options;
  options.use_environment = false;  // every module it needs was stored with it
  auto program = sema::CheckSources(sources->files, options);
  if (program->diags.HasErrors())
    return Status(StatusCode::kCorruption, "definition version " + std::to_string(version) +
                                               " no longer checks:\n" + program->diags.RenderText(program->sources));
  auto def = Compile(version, sources->hash, std::move(program), /*stored=*/true);
  if (!def.ok()) return def.status();
  const Definition* result = def->get();
  loaded_[version] = std::move(*def);
  return result;
}

StatusOr<DeployResult> DefinitionStore::Deploy(std::unique_ptr<sema::Program> program, const Committer& commit) {
  std::lock_guard<std::mutex> one_at_a_time(deploy_mu_);
  DeployResult result;
  json modules = json::array();
  // Modules in name order, so that the hash does not depend on the order of
  // the command line or the file system.
  std::map<std::string, const sema::ModuleInfo*> by_name;
  for (const auto& m : program->modules) by_name[m->name + '\0' + m->path] = m.get();
  for (const auto& [key, m] : by_name) {
    const std::string& source = program->sources.Text(m->ast->file);
    modules.push_back({{"name", m->name}, {"path", m->path}, {"source", source}, {"hash", Sha256Hex(source)}});
    result.modules.push_back(m->name);
  }
  result.hash = ModulesHash(modules);

  uint64_t current = current_version();
  if (current != 0) {
    auto stored = db_.Get(storage::Family::kDefinitions, storage::EncodeU64(current));
    if (!stored.ok()) return stored.status();
    if (stored->has_value()) {
      json doc = json::parse(**stored, nullptr, false);
      if (!doc.is_discarded() && doc.value("hash", "") == result.hash) {
        result.version = current;
        result.unchanged = true;
        result.overrides = doc.value("overrides", std::vector<std::string>{});
        return result;
      }
    }
  }
  uint64_t version = current + 1;
  auto def = Compile(version, result.hash, std::move(program), /*stored=*/false);
  if (!def.ok()) return def.status();
  result.overrides = (*def)->image->OverrideSummary();
  {
    const sema::Program* before = nullptr;
    if (current != 0) {
      auto previous = Get(current);
      if (previous.ok()) before = (*previous)->program.get();
    }
    result.changes = DiffPrograms(before, *(*def)->program).dump();
  }
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
