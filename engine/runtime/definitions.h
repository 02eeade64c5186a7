// Definition versions: every deploy stores the source text of all the modules
// it checked (the site's and the standard library's it imported), under a new
// version number, with a SHA-256 over names and texts. A record is pinned to
// the version it was created under; versions are loaded from the database
// (re-checked from their stored sources) on first use and kept.
//
// The hash of every deploy is in its hash-chained audit entry, so a stored
// definition is trusted only if its sources still hash to what that entry
// recorded: loading checks it (an edited rule never runs), and so does
// Engine::Verify.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "ir/machine.h"
#include "sema/program.h"
#include "smdl/engine.h"
#include "storage/db.h"

namespace smdl::runtime {

struct Definition {
  uint64_t version = 0;
  std::string hash;
  std::unique_ptr<sema::Program> program;
  std::unique_ptr<ir::Image> image;  // compiled processes, policies, calendars
};

class DefinitionStore {
 public:
  explicit DefinitionStore(storage::Db& db) : db_(db) {}

  // Reads which version is current.
  Status Load();
  // Uses the definitions `other` has compiled (an engine forked from it
  // holds the same stored versions) instead of compiling them again.
  void ShareCompiled(const DefinitionStore& other);
  uint64_t current_version() const;

  // The definition of `version` (0: the current one); loads and compiles it
  // on first use. Thread-safe; the result lives as long as the store.
  StatusOr<const Definition*> Get(uint64_t version = 0);

  // Stores a checked program as a new version (or reports that the current
  // version has the same sources) and makes it current. `commit` writes the
  // batch (with the deploy's audit entry, through the commit log); deploys
  // are serialised.
  using Committer = std::function<Status(storage::WriteBatch& batch, nlohmann::json audit)>;
  StatusOr<DeployResult> Deploy(std::unique_ptr<sema::Program> program, const Committer& commit);

  // Calls `visit` with each deploy's audit entry, oldest first, until it
  // returns false.
  Status ForEachDeploy(const std::function<bool(nlohmann::json entry)>& visit) const;
  // The version the last deploy entry in the audit log made current (0: none).
  StatusOr<uint64_t> LastDeployedVersion() const;
  // The audit entry of the deploy that created `version` (found through the
  // history index of deploys); kCorruption if there is none.
  StatusOr<nlohmann::json> DeployEntry(uint64_t version) const;
  // Checks that the stored sources of `version` are the ones `deploy_entry`
  // recorded (the hash over all modules and each module's own hash).
  Status CheckStored(uint64_t version, const nlohmann::json& deploy_entry) const;
  // Reads and checks the stored sources of `version`.
  struct Sources {
    std::string hash;
    std::vector<std::pair<std::string, std::string>> files;  // (path, source)
  };
  StatusOr<Sources> ReadChecked(uint64_t version) const;

 private:
  StatusOr<std::unique_ptr<Definition>> Compile(uint64_t version, std::string hash,
                                                std::unique_ptr<sema::Program> program, bool stored);

  storage::Db& db_;
  std::mutex deploy_mu_;  // one deploy at a time
  mutable std::mutex mu_;
  uint64_t current_ = 0;                                        // guarded by mu_
  std::map<uint64_t, std::shared_ptr<const Definition>> loaded_;  // guarded by mu_
};

}  // namespace smdl::runtime
