// Bearer tokens for the server: a JSON file the administrator manages with
// `smdl token`, holding for each token its name (the actor the audit log
// records), its roles and the SHA-256 of the token; never the token itself.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "smdl/status.h"

namespace smdl::server {

struct Principal {
  std::string name;                // the actor
  std::vector<std::string> roles;  // as guards see them in actor.roles
};

struct TokenEntry {
  std::string name;
  std::vector<std::string> roles;
  std::string sha256;
  std::string created;
};

// The file's entries; a missing file has none.
StatusOr<std::vector<TokenEntry>> ReadTokens(const std::string& path);
// Adds a token for `name` (a new name; letters, digits, '_', '-', '.', '@')
// with `roles`; returns the token, which is shown once and stored only as
// its hash. The file is replaced atomically and readable by its owner only.
StatusOr<std::string> AddToken(const std::string& path, const std::string& name,
                               const std::vector<std::string>& roles, const std::string& created);
// Removes the token of `name`; kNotFound when there is none.
Status RemoveToken(const std::string& path, const std::string& name);

// The tokens a running server accepts: the file is read again when it
// changes (checked at most once a second), so tokens added or removed take
// effect without a restart.
class TokenStore {
 public:
  explicit TokenStore(std::string path) : path_(std::move(path)) {}
  Status Load();
  // The principal a bearer token stands for; nullopt when it is unknown.
  std::optional<Principal> Authenticate(const std::string& token);

 private:
  std::string path_;
  std::mutex mu_;
  std::vector<TokenEntry> entries_;
  std::chrono::steady_clock::time_point checked_;
  long long modified_ = -1;
};

}  // namespace smdl::server
