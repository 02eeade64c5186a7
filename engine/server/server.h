// `smdl serve`: the engine as a service. Opens the database (holding it:
// a second server or a writing CLI is refused, and told who holds it), runs
// the timer scheduler, serves the API over HTTP and delivers webhooks,
// until SIGTERM, SIGINT or SIGHUP; then stops accepting, answers what is in flight
// and closes the database cleanly.
#pragma once

#include <string>
#include <vector>

#include "smdl/status.h"

namespace smdl::server {

struct ServeOptions {
  std::string db;
  std::string config_path;               // JSON; see docs/operations.md
  std::string listen;                    // "host:port", overrides the config
  std::string tokens;                    // tokens file, overrides the config
  bool no_auth = false;                  // every request acts as "local" with the admin role
  bool async = false;                    // overrides the config's durability
  std::vector<std::string> search_path;  // extra import roots for deploys
};

// Serves until a signal; returns how it ended. Prints one line,
// "smdl serve: listening on http://HOST:PORT", when it is ready.
Status Serve(const ServeOptions& options);

// The file in a database directory that names the server holding it.
std::string HolderPath(const std::string& db);
// The URL of the server that holds `db`, when one wrote its holder file.
std::string HolderUrl(const std::string& db);
// Why `db` cannot be opened because a server holds it: a message naming
// the process and its URL; empty when no server does.
std::string HolderMessage(const std::string& db);

}  // namespace smdl::server
