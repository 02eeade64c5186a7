// smdl serve: the engine as a service over HTTP.
#include <iostream>

#include "engine_cli.h"
#include "server/server.h"

namespace smdl::cli {
namespace {

const char* const kServeHelp =
    "Usage: smdl serve --db DIR [--listen HOST:PORT] [--config FILE] [--tokens FILE]\n"
    "                  [--no-auth] [--async] [--path DIR]...\n"
    "\n"
    "Runs the engine on database DIR as a service: the JSON API under /v1\n"
    "(docs/api.md; the contract at /v1/openapi.json), /healthz and /metrics\n"
    "(Prometheus), timers and SLA warnings and breaches fired at their due\n"
    "time, webhooks delivering outbox messages. Creates the database if DIR\n"
    "does not exist. Holds the database: while it runs, a second server is\n"
    "refused, and the other commands work through it (smdl --server URL ...,\n"
    "or found from DIR).\n"
    "\n"
    "Every request but /healthz, /metrics and /v1/openapi.json needs a bearer\n"
    "token (smdl token add); its name is the actor and its roles the roles\n"
    "that guards see. Deploying, acknowledging the outbox and verifying need\n"
    "the admin role.\n"
    "\n"
    "SIGTERM, SIGINT or SIGHUP stops it: no new connections, requests in flight are\n"
    "answered, webhooks stop after the delivery in flight, the database is\n"
    "closed. Logs go to stderr, one JSON object per line.\n"
    "\n"
    "Options:\n"
    "  --db DIR            the database directory (required)\n"
    "  --listen HOST:PORT  where to listen (default 127.0.0.1:8080; port 0: any free\n"
    "                      port, printed when ready)\n"
    "  --config FILE       JSON configuration: listen, tokens, durability, threads,\n"
    "                      body_limit, read_timeout_seconds, log_requests,\n"
    "                      admin_role, webhooks (docs/operations.md)\n"
    "  --tokens FILE       the tokens file (smdl token add), over the configuration's\n"
    "  --no-auth           no tokens: every request acts as 'local' with the admin\n"
    "                      role (for a machine of your own only)\n"
    "  --async             write without fsync (docs/operations.md, durability)\n"
    "  --path DIR          another root for imports when deploying (repeatable)\n"
    "  -h, --help          show this help\n"
    "\n"
    "Prints 'smdl serve: listening on http://HOST:PORT' when ready.\n"
    "Exit status: 0 stopped by a signal, 1 bad configuration, 2 I/O problems\n"
    "(the port is in use, the database is held).\n";

int RunServe(const std::vector<std::string>& argv) {
  std::string error;
  auto args = Args::Parse(argv, {"--db", "--listen", "--config", "--tokens", "--path"}, {"--no-auth", "--async"}, error);
  if (!args) return UsageError("serve", error);
  if (!args->positional().empty()) return UsageError("serve", "serve takes no positional arguments");
  if (!args->Has("--db")) return UsageError("serve", "--db DIR is required");
  if (args->Has("--no-auth") && args->Has("--tokens")) return UsageError("serve", "--no-auth and --tokens contradict each other");
  server::ServeOptions options;
  options.db = args->Get("--db");
  options.config_path = args->Get("--config");
  options.listen = args->Get("--listen");
  options.tokens = args->Get("--tokens");
  options.no_auth = args->Has("--no-auth");
  options.async = args->Has("--async");
  options.search_path = args->GetAll("--path");
  Status served = server::Serve(options);
  if (!served.ok()) return Fail("serve", served);
  return kOk;
}

}  // namespace

SMDL_COMMAND(kServe, "serve", "run the engine as an HTTP service", kServeHelp, RunServe, 80);

}  // namespace smdl::cli
