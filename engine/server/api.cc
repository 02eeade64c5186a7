#include "api.h"

#include <chrono>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_input.h"
#include "base/time.h"
#include "problem.h"
#include "runtime/record.h"
#include "webhooks.h"

namespace smdl::server {
namespace {

using nlohmann::json;

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  if (path.empty() || path[0] != '/') return {"\x01"};  // matches no route
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string seg = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    out.push_back(seg);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  if (!out.empty() && out.back().empty() && out.size() > 1) out.pop_back();  // a trailing slash
  return out;
}

// A path parameter: a record id, a type, an event, an SLA name, a version.
// Letters, digits and "_-.:" only, so that no parameter can carry a path,
// a control character or a query.
bool IsSafeSegment(const std::string& s) {
  if (s.empty() || s.size() > 200 || s == "." || s == "..") return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == ':')) return false;
  return true;
}

// A number in a path or query (a version, a limit).
std::optional<uint64_t> ParseVersion(const std::string& s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
  return std::stoull(s);
}

HttpResponse JsonAnswer(int status, std::string body) {
  HttpResponse out;
  out.status = status;
  out.body = std::move(body);
  return out;
}

// The record's version as an entity tag, read without parsing the record
// again (its view, like its stored form, ends with "version").
std::string ETagOf(const std::string& record_json) {
  auto version = runtime::StoredVersion(record_json);
  return version.ok() ? "\"" + std::to_string(*version) + "\"" : "";
}

// Whether an If-None-Match header names `etag` (weak or strong, in a list,
// or "*").
bool MatchesAny(const std::string& header, const std::string& etag) {
  if (header.empty()) return false;
  size_t start = 0;
  while (start < header.size()) {
    size_t comma = header.find(',', start);
    std::string tag = header.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    while (!tag.empty() && tag.front() == ' ') tag.erase(0, 1);
    while (!tag.empty() && tag.back() == ' ') tag.pop_back();
    if (tag.rfind("W/", 0) == 0) tag = tag.substr(2);
    if (tag == "*" || tag == etag) return true;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

struct Api::Context {
  const HttpRequest& request;
  std::vector<std::string> segments;
  std::string route = "unmatched";
  Principal principal;
  CallOptions call;
};

Api::Api(Engine& engine, Metrics& metrics, ApiOptions options)
    : engine_(engine), metrics_(metrics), options_(std::move(options)) {}

HttpResponse Api::Handle(const HttpRequest& request) {
  auto started = std::chrono::steady_clock::now();
  Context ctx{request, Segments(request.path), "unmatched", {}, {}};
  HttpResponse response = Route(ctx);
  response.headers.emplace("Cache-Control", "no-store");
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_.Request(request.method, ctx.route, response.status, seconds);
  if (options_.log) {
    json line = {{"time", FormatTimestamp(SystemClock().Now())},
                 {"level", response.status >= 500 ? "error" : "info"},
                 {"msg", "request"},
                 {"method", request.method},
                 {"route", ctx.route},
                 {"path", request.path},
                 {"status", response.status},
                 {"ms", seconds * 1000},
                 {"actor", ctx.principal.name},
                 {"remote", request.remote}};
    options_.log(line.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  return response;
}

HttpResponse Api::Route(Context& ctx) {
  const HttpRequest& req = ctx.request;
  const auto& seg = ctx.segments;
  const std::string& method = req.method;
  auto is = [&](const std::vector<const char*>& pattern) {
    if (seg.size() != pattern.size()) return false;
    size_t i = 0;
    for (const char* p : pattern) {
      if (p[0] != '{' && seg[i] != p) return false;
      ++i;
    }
    return true;
  };
  // Each route: its pattern, the methods it answers.
  struct RouteInfo {
    std::vector<const char*> pattern;
    const char* name;
    const char* methods;
  };
  static const std::vector<RouteInfo> kRoutes = {
      {{"healthz"}, "/healthz", "GET"},
      {{"metrics"}, "/metrics", "GET"},
      {{"v1", "openapi.json"}, "/v1/openapi.json", "GET"},
      {{"v1", "deploy"}, "/v1/deploy", "POST"},
      {{"v1", "definitions"}, "/v1/definitions", "GET"},
      {{"v1", "definitions", "{version}"}, "/v1/definitions/{version}", "GET"},
      {{"v1", "definitions", "{from}", "diff", "{to}"}, "/v1/definitions/{from}/diff/{to}", "GET"},
      {{"v1", "records"}, "/v1/records", "GET, POST"},
      {{"v1", "records", "{id}"}, "/v1/records/{id}", "GET"},
      {{"v1", "records", "{id}", "history"}, "/v1/records/{id}/history", "GET"},
      {{"v1", "records", "{id}", "sla"}, "/v1/records/{id}/sla", "GET"},
      {{"v1", "records", "{id}", "sla", "{name}"}, "/v1/records/{id}/sla/{name}", "GET"},
      {{"v1", "records", "{id}", "events", "{event}"}, "/v1/records/{id}/events/{event}", "POST"},
      {{"v1", "report"}, "/v1/report", "GET"},
      {{"v1", "timers"}, "/v1/timers", "GET"},
      {{"v1", "outbox"}, "/v1/outbox", "GET"},
      {{"v1", "outbox", "ack"}, "/v1/outbox/ack", "POST"},
      {{"v1", "verify"}, "/v1/verify", "GET"},
      {{"v1", "webhooks"}, "/v1/webhooks", "GET"},
      {{"v1", "webhooks", "{name}", "redeliver"}, "/v1/webhooks/{name}/redeliver", "POST"},
  };
  const RouteInfo* matched = nullptr;
  for (const auto& r : kRoutes)
    if (is(r.pattern)) {
      matched = &r;
      break;
    }
  if (!matched) return Problem(404, "no_route", "no route " + req.path + " (see /v1/openapi.json)");
  ctx.route = matched->name;
  std::string allowed = matched->methods;
  bool method_ok = false;
  for (size_t start = 0; start < allowed.size();) {
    size_t comma = allowed.find(", ", start);
    std::string one = allowed.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (one == method || (method == "HEAD" && one == "GET")) method_ok = true;
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  if (!method_ok) {
    HttpResponse out = Problem(405, "method_not_allowed", method + " is not allowed on " + matched->name + "; use " + allowed);
    out.headers["Allow"] = allowed;
    return out;
  }
  // Path parameters are checked before anything else reads them.
  for (size_t i = 0; i < seg.size(); ++i) {
    std::string placeholder = matched->pattern[i];
    if (placeholder[0] == '{' && !IsSafeSegment(seg[i]))
      return Problem(400, "bad_path", "'" + seg[i] + "' is not a valid " + placeholder.substr(1, placeholder.size() - 2) +
                                          " (letters, digits, '_', '-', '.', ':')");
  }

  // Open routes.
  if (ctx.route == "/healthz") return JsonAnswer(200, R"({"status":"ok"})");
  if (ctx.route == "/v1/openapi.json") return JsonAnswer(200, OpenApiDocument());
  if (ctx.route == "/metrics") {
    double outbox = 0, due = 0, pending = 0, oldest = 0;
    Timestamp now = SystemClock().Now();
    if (auto text = engine_.Outbox(100000); text.ok()) {
      json messages = json::parse(*text, nullptr, false);
      outbox = static_cast<double>(messages.size());
      // The lag: how long the oldest message not yet acknowledged has waited.
      if (!messages.empty())
        if (auto at = ParseTimestamp(messages.front().value("time", "")))
          oldest = static_cast<double>(now.seconds - at->seconds) + (now.nanos - at->nanos) / 1e9;
    }
    if (auto text = engine_.PendingTimers(); text.ok()) {
      json timers = json::parse(*text, nullptr, false);
      for (const auto& t : timers) {
        ++pending;
        auto at = ParseTimestamp(t.value("due", ""));
        if (at && !(now < *at)) ++due;
      }
    }
    HttpResponse out;
    out.content_type = "text/plain; version=0.0.4";
    out.body = metrics_.Render({{"smdl_outbox_pending", "Outbox messages not yet acknowledged.", outbox},
                                {"smdl_outbox_oldest_age_seconds",
                                 "How long the oldest message not yet acknowledged has waited (0: none).", oldest},
                                {"smdl_timers_pending", "Timers waiting to fire.", pending},
                                {"smdl_timers_due", "Timers due now and not yet fired.", due},
                                {"smdl_storage_memory_bytes", "Memory held by the storage engine.",
                                 static_cast<double>(engine_.StorageMemoryBytes())}});
    return out;
  }

  // Everything else needs a caller.
  if (options_.tokens) {
    std::string auth = req.Header("authorization");
    const std::string bearer = "Bearer ";
    if (auth.rfind(bearer, 0) != 0) {
      HttpResponse out = Problem(401, "unauthenticated", "send a token: Authorization: Bearer TOKEN (smdl token add)");
      out.headers["WWW-Authenticate"] = "Bearer realm=\"smdl\"";
      return out;
    }
    auto principal = options_.tokens->Authenticate(auth.substr(bearer.size()));
    if (!principal) {
      HttpResponse out = Problem(401, "unauthenticated", "the token is not valid (unknown or removed)");
      out.headers["WWW-Authenticate"] = "Bearer realm=\"smdl\", error=\"invalid_token\"";
      return out;
    }
    ctx.principal = *principal;
  } else {
    ctx.principal = options_.anonymous;
  }
  ctx.call.actor = ctx.principal.name;
  ctx.call.roles = ctx.principal.roles;
  auto needs_admin = [&]() -> std::optional<HttpResponse> {
    for (const auto& r : ctx.principal.roles)
      if (r == options_.admin_role) return std::nullopt;
    HttpResponse out = Problem(403, "missing_role", matched->name + std::string(" needs role ") + options_.admin_role + "; " +
                                                        ctx.principal.name + " does not have it");
    json body = json::parse(out.body);
    body["required_roles"] = {options_.admin_role};
    out.body = body.dump();
    return out;
  };
  std::string key = req.Header("idempotency-key");
  if (!key.empty()) {
    if (key.size() > 200) return Problem(400, "bad_header", "the Idempotency-Key is longer than 200 characters");
    for (char c : key)
      if (c < 0x21 || c > 0x7e) return Problem(400, "bad_header", "the Idempotency-Key must be printable ASCII");
    // Keys are per caller: a token name has no ':'.
    ctx.call.idempotency_key = ctx.principal.name + ":" + key;
  }

  // A JSON body, where the route takes one.
  std::optional<json> body;
  if (method == "POST") {
    std::string type = req.Header("content-type");
    bool is_json = type.empty() ? req.body.empty() : type.rfind("application/json", 0) == 0;
    if (!is_json)
      return Problem(415, "unsupported_media_type", "send the body as application/json (got '" + type + "')");
    if (!req.body.empty()) {
      auto parsed = ParseJsonInput(req.body, "the body");
      if (!parsed.ok()) return Problem(400, "malformed_json", parsed.status().message());
      body = std::move(*parsed);
    }
  }
  auto fail = [&](const std::string& operation, const Status& status) {
    metrics_.Operation(operation, ReasonOf(status));
    return ProblemFromStatus(status);
  };

  if (ctx.route == "/v1/deploy") {
    if (auto denied = needs_admin()) return *denied;
    if (!body || !body->is_object() || !body->contains("modules") || !(*body)["modules"].is_array() ||
        (*body)["modules"].empty())
      return Problem(422, "invalid", "send {\"modules\": [{\"path\": \"site.smdl\", \"source\": \"...\"}, ...]}");
    for (const auto& [k, v] : body->items())
      if (k != "modules" && k != "force") return Problem(422, "invalid", "unknown member \"" + k + "\" (modules, force)");
    DeployOptions deploy;
    if (body->contains("force")) {
      if (!(*body)["force"].is_boolean()) return Problem(422, "invalid", "\"force\" must be true or false");
      deploy.force = (*body)["force"].get<bool>();
    }
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& m : (*body)["modules"]) {
      if (!m.is_object() || !m.value("path", json()).is_string() || !m.value("source", json()).is_string())
        return Problem(422, "invalid", "each module needs a \"path\" and a \"source\", both strings");
      files.emplace_back(m["path"].get<std::string>(), m["source"].get<std::string>());
    }
    auto result = engine_.DeploySources(files, ctx.call, deploy);
    if (!result.ok()) return fail("deploy", result.status());
    metrics_.Operation("deploy", "ok");
    return JsonAnswer(result->unchanged ? 200 : 201, result->ToJson());
  }
  if (ctx.route == "/v1/definitions") {
    auto deploys = engine_.Deploys();
    if (!deploys.ok()) return ProblemFromStatus(deploys.status());
    return JsonAnswer(200, *deploys);
  }
  if (ctx.route == "/v1/definitions/{version}") {
    auto v = seg[2] == "current" ? std::optional<uint64_t>(0) : ParseVersion(seg[2]);
    if (!v || (seg[2] != "current" && *v == 0))
      return Problem(400, "bad_path", "'" + seg[2] + "' is not a version number from 1 (or 'current')");
    auto def = engine_.Definition(*v);
    if (!def.ok()) return ProblemFromStatus(def.status());
    return JsonAnswer(200, *def);
  }
  if (ctx.route == "/v1/definitions/{from}/diff/{to}") {
    auto from = ParseVersion(seg[2]);
    auto to = ParseVersion(seg[4]);
    if (!from || !to) return Problem(400, "bad_path", "give two version numbers: /v1/definitions/1/diff/2");
    auto diff = engine_.DiffDefinitions(*from, *to);
    if (!diff.ok()) return ProblemFromStatus(diff.status());
    return JsonAnswer(200, *diff);
  }
  if (ctx.route == "/v1/records" && method == "POST") {
    if (!body || !body->is_object() || !body->value("type", json()).is_string())
      return Problem(422, "invalid", "send {\"type\": \"Incident\", \"fields\": {...}}");
    json fields = body->value("fields", json::object());
    if (!fields.is_object()) return Problem(422, "invalid", "\"fields\" must be an object");
    for (const auto& [k, v] : body->items())
      if (k != "type" && k != "fields") return Problem(422, "invalid", "unknown member \"" + k + "\" (send type and fields)");
    auto record = engine_.Create((*body)["type"].get<std::string>(), fields.dump(), ctx.call);
    if (!record.ok()) return fail("create", record.status());
    metrics_.Operation("create", "ok");
    HttpResponse out = JsonAnswer(201, *record);
    json doc = json::parse(*record, nullptr, false);
    if (doc.is_object() && doc.contains("id")) out.headers["Location"] = "/v1/records/" + doc["id"].get<std::string>();
    out.headers["ETag"] = ETagOf(*record);
    if (options_.webhooks) options_.webhooks->Wake();
    return out;
  }
  if (ctx.route == "/v1/records") {
    ListQuery query;
    query.type = req.Query("type");
    query.state = req.Query("state");
    query.where = req.Query("where");
    query.after = req.Query("after");
    size_t limit = 100;
    if (req.HasQuery("limit")) {
      auto n = ParseVersion(req.Query("limit"));
      if (!n || *n == 0 || *n > 1000) return Problem(400, "bad_query", "limit must be a number from 1 to 1000");
      limit = *n;
    }
    query.limit = limit + 1;  // one more tells whether there is a next page
    for (const auto& [k, v] : req.query)
      if (k != "type" && k != "state" && k != "where" && k != "after" && k != "limit")
        return Problem(400, "bad_query", "unknown query parameter '" + k + "' (type, state, where, after, limit)");
    auto list = engine_.List(query);
    if (!list.ok()) return ProblemFromStatus(list.status());
    json records = json::parse(*list);
    bool more = records.size() > limit;
    if (more) records.erase(records.begin() + static_cast<std::ptrdiff_t>(limit), records.end());
    json out = {{"records", records}, {"next", nullptr}};
    if (more) out["next"] = records.back().value("id", "");
    return JsonAnswer(200, out.dump());
  }
  if (ctx.route == "/v1/records/{id}") {
    auto record = engine_.Get(seg[2]);
    if (!record.ok()) return ProblemFromStatus(record.status());
    std::string etag = ETagOf(*record);
    if (!etag.empty() && MatchesAny(req.Header("if-none-match"), etag)) {
      HttpResponse out = JsonAnswer(304, "");
      out.headers["ETag"] = etag;
      return out;
    }
    HttpResponse out = JsonAnswer(200, *record);
    out.headers["ETag"] = etag;
    return out;
  }
  if (ctx.route == "/v1/records/{id}/history") {
    auto history = engine_.History(seg[2]);
    if (!history.ok()) return ProblemFromStatus(history.status());
    return JsonAnswer(200, *history);
  }
  if (ctx.route == "/v1/records/{id}/sla" || ctx.route == "/v1/records/{id}/sla/{name}") {
    auto explained = engine_.ExplainSla(seg[2], seg.size() > 4 ? seg[4] : "");
    if (!explained.ok()) return ProblemFromStatus(explained.status());
    return JsonAnswer(200, *explained);
  }
  if (ctx.route == "/v1/records/{id}/events/{event}") {
    if (body && !body->is_object()) return Problem(422, "invalid", "the body must be a JSON object of the event's parameters");
    std::string match = req.Header("if-match");
    if (!match.empty()) {
      std::string v = match;
      if (v.rfind("W/", 0) == 0) v = v.substr(2);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      auto version = ParseVersion(v);
      if (!version) return Problem(400, "bad_header", "If-Match must be an ETag from this API, such as \"3\"");
      ctx.call.if_version = *version;
    }
    auto record = engine_.Fire(seg[2], seg[4], body ? body->dump() : "{}", ctx.call);
    if (!record.ok()) return fail("fire", record.status());
    metrics_.Operation("fire", "ok");
    HttpResponse out = JsonAnswer(200, *record);
    out.headers["ETag"] = ETagOf(*record);
    if (options_.webhooks) options_.webhooks->Wake();
    return out;
  }
  if (ctx.route == "/v1/report") {
    for (const auto& [k, v] : req.query)
      if (k != "type" && k != "by") return Problem(400, "bad_query", "unknown query parameter '" + k + "' (type, by)");
    if (req.HasQuery("by") && req.Query("by").empty()) return Problem(400, "bad_query", "by needs a field name");
    auto report = engine_.Report(req.Query("type"), req.Query("by"));
    if (!report.ok()) return ProblemFromStatus(report.status());
    return JsonAnswer(200, *report);
  }
  if (ctx.route == "/v1/timers") {
    auto timers = engine_.PendingTimers();
    if (!timers.ok()) return ProblemFromStatus(timers.status());
    return JsonAnswer(200, *timers);
  }
  if (ctx.route == "/v1/outbox") {
    for (const auto& [k, v] : req.query)
      if (k != "limit") return Problem(400, "bad_query", "unknown query parameter '" + k + "' (limit)");
    size_t limit = 100;
    if (req.HasQuery("limit")) {
      auto n = ParseVersion(req.Query("limit"));
      if (!n || *n == 0 || *n > 1000) return Problem(400, "bad_query", "limit must be a number from 1 to 1000");
      limit = *n;
    }
    auto outbox = engine_.Outbox(limit);
    if (!outbox.ok()) return ProblemFromStatus(outbox.status());
    return JsonAnswer(200, *outbox);
  }
  if (ctx.route == "/v1/outbox/ack") {
    if (auto denied = needs_admin()) return *denied;
    if (!body || !body->is_object() || !body->value("through", json()).is_number_unsigned())
      return Problem(422, "invalid", "send {\"through\": SEQ}: every message up to SEQ is acknowledged");
    Status acked = engine_.Acknowledge((*body)["through"].get<uint64_t>());
    if (!acked.ok()) return ProblemFromStatus(acked);
    return JsonAnswer(200, json{{"acknowledged_through", (*body)["through"]}}.dump());
  }
  if (ctx.route == "/v1/verify") {
    if (auto denied = needs_admin()) return *denied;
    auto report = engine_.Verify();
    if (!report.ok()) return ProblemFromStatus(report.status());
    return JsonAnswer(200, *report);
  }
  if (ctx.route == "/v1/webhooks/{name}/redeliver") {
    if (auto denied = needs_admin()) return *denied;
    auto moved = options_.webhooks ? options_.webhooks->Redeliver(seg[2]) : std::nullopt;
    if (!moved) return Problem(404, "not_found", "no webhook subscription '" + seg[2] + "'");
    return JsonAnswer(200, json{{"subscription", seg[2]}, {"redelivering", *moved}}.dump());
  }
  if (ctx.route == "/v1/webhooks") {
    return JsonAnswer(200, options_.webhooks ? options_.webhooks->StatusJson() : "[]");
  }
  return Problem(500, "internal", "route " + ctx.route + " has no handler");
}

}  // namespace smdl::server
