// What the database commands talk to: the engine in this process, or a
// server that holds the database (smdl --server URL, or the server found
// from --db). The methods are the engine's (smdl/engine.h), with the same
// results, so that a command reads the same either way.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "smdl/engine.h"

namespace smdl::cli {

class Service {
 public:
  virtual ~Service() = default;
  virtual StatusOr<DeployResult> Deploy(const std::vector<std::string>& paths, const CallOptions& call,
                                        const DeployOptions& options) = 0;
  virtual StatusOr<std::string> Create(const std::string& type, const std::string& fields, const CallOptions& call) = 0;
  virtual StatusOr<std::string> Fire(const std::string& id, const std::string& event, const std::string& params,
                                     const CallOptions& call) = 0;
  virtual StatusOr<std::string> Get(const std::string& id) = 0;
  virtual StatusOr<std::string> History(const std::string& id) = 0;
  virtual StatusOr<std::string> Deploys() = 0;
  virtual StatusOr<std::string> List(const ListQuery& query) = 0;
  virtual StatusOr<std::string> ExplainSla(const std::string& id, const std::string& sla) = 0;
  virtual StatusOr<std::string> Report(const std::string& type, const std::string& by) = 0;
  virtual StatusOr<size_t> RunDueTimers() = 0;
  virtual StatusOr<std::string> PendingTimers() = 0;
  virtual StatusOr<std::string> Outbox(size_t limit) = 0;
  virtual Status Acknowledge(uint64_t sequence) = 0;
  virtual StatusOr<std::string> Verify(const VerifyOptions& options) = 0;
  virtual StatusOr<std::string> Checkpoint(const std::string& key) = 0;
};

// The engine itself.
std::unique_ptr<Service> LocalService(std::unique_ptr<Engine> engine);
// A server at `url` (http://host:port), authenticated with `token` (none
// when empty).
std::unique_ptr<Service> RemoteService(std::string url, std::string token);

// The server the command line was pointed at with --server URL (main.cc
// takes it off the arguments), if any.
std::optional<std::string>& ServerOverride();

}  // namespace smdl::cli
