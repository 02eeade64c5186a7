// The JSON API under /v1, independent of the HTTP library: a request in, a
// response out. Routes, authentication, roles, idempotency keys, ETags and
// problem answers live here; docs/api.md describes each route and
// engine/server/openapi.json is the contract.
#pragma once

#include <functional>
#include <string>

#include "http.h"
#include "metrics.h"
#include "smdl/engine.h"
#include "tokens.h"

namespace smdl::server {

class Webhooks;

struct ApiOptions {
  // Null: no authentication; every request acts as `anonymous`.
  TokenStore* tokens = nullptr;
  Principal anonymous{"local", {"admin"}};
  std::string admin_role = "admin";  // needed to deploy, acknowledge the outbox, verify
  Webhooks* webhooks = nullptr;
  // One line of JSON per request, for the server's log; may be empty.
  std::function<void(const std::string& line)> log;
};

class Api {
 public:
  Api(Engine& engine, Metrics& metrics, ApiOptions options);
  HttpResponse Handle(const HttpRequest& request);

 private:
  struct Context;
  HttpResponse Route(Context& ctx);

  Engine& engine_;
  Metrics& metrics_;
  ApiOptions options_;
};

// The OpenAPI 3.1 document of the API (openapi.json, built in).
const std::string& OpenApiDocument();

}  // namespace smdl::server
