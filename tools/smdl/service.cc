#include "service.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "server/http.h"

namespace smdl::cli {
namespace {

using nlohmann::json;

class Local final : public Service {
 public:
  explicit Local(std::unique_ptr<Engine> engine) : engine_(std::move(engine)) {}
  StatusOr<DeployResult> Deploy(const std::vector<std::string>& paths, const CallOptions& call,
                                const DeployOptions& options) override {
    return engine_->Deploy(paths, call, options);
  }
  StatusOr<std::string> Create(const std::string& type, const std::string& fields, const CallOptions& call) override {
    return engine_->Create(type, fields, call);
  }
  StatusOr<std::string> Fire(const std::string& id, const std::string& event, const std::string& params,
                             const CallOptions& call) override {
    return engine_->Fire(id, event, params, call);
  }
  StatusOr<std::string> Get(const std::string& id) override { return engine_->Get(id); }
  StatusOr<std::string> History(const std::string& id) override { return engine_->History(id); }
  StatusOr<std::string> Deploys() override { return engine_->Deploys(); }
  StatusOr<std::string> List(const ListQuery& query) override { return engine_->List(query); }
  StatusOr<std::string> ExplainSla(const std::string& id, const std::string& sla) override {
    return engine_->ExplainSla(id, sla);
  }
  StatusOr<std::string> Report(const std::string& type, const std::string& by) override {
    return engine_->Report(type, by);
  }
  StatusOr<size_t> RunDueTimers() override { return engine_->RunDueTimers(); }
  StatusOr<std::string> PendingTimers() override { return engine_->PendingTimers(); }
  StatusOr<std::string> Outbox(size_t limit) override { return engine_->Outbox(limit); }
  Status Acknowledge(uint64_t sequence) override { return engine_->Acknowledge(sequence); }
  StatusOr<std::string> Verify(const VerifyOptions& options) override { return engine_->Verify(options); }
  StatusOr<std::string> Checkpoint(const std::string& key) override { return engine_->Checkpoint(key); }

 private:
  std::unique_ptr<Engine> engine_;
};

// A problem answer as the Status the engine would have returned.
Status StatusOfProblem(int http_status, const std::string& body) {
  json doc = json::parse(body, nullptr, false);
  std::string detail = doc.is_object() ? doc.value("detail", body) : body;
  switch (http_status) {
    case 400:
    case 413:
    case 415:
    case 422: return InvalidArgument(detail);
    case 401: return FailedPrecondition(detail + " (set SMDL_TOKEN to a token from smdl token add)");
    case 403:
    case 409:
    case 412: return doc.is_object() && doc.value("reason", "") == "conflict" ? Aborted(detail) : FailedPrecondition(detail);
    case 404: return NotFound(detail);
    default: return Status(StatusCode::kIoError, "the server answered " + std::to_string(http_status) + ": " + detail);
  }
}

class Remote final : public Service {
 public:
  Remote(std::string url, std::string token) : url_(std::move(url)), token_(std::move(token)) {
    while (!url_.empty() && url_.back() == '/') url_.pop_back();
  }

  StatusOr<DeployResult> Deploy(const std::vector<std::string>& paths, const CallOptions& call,
                                const DeployOptions& options) override {
    SMDL_RETURN_IF_ERROR(NoCaller(call));
    json modules = json::array();
    namespace fs = std::filesystem;
    auto add = [&](const fs::path& file) -> Status {
      std::ifstream in(file);
      if (!in) return NotFound("cannot read " + file.string());
      std::stringstream text;
      text << in.rdbuf();
      modules.push_back({{"path", file.string()}, {"source", text.str()}});
      return Status::Ok();
    };
    for (const auto& p : paths) {
      std::error_code ec;
      if (fs::is_directory(p, ec)) {
        std::vector<fs::path> files;
        for (const auto& entry : fs::recursive_directory_iterator(p, ec))
          if (entry.is_regular_file() && entry.path().extension() == ".smdl") files.push_back(entry.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) SMDL_RETURN_IF_ERROR(add(f));
      } else {
        SMDL_RETURN_IF_ERROR(add(p));
      }
    }
    json body = {{"modules", modules}};
    if (options.force) body["force"] = true;
    auto answer = Call("POST", "/v1/deploy", body.dump(), call);
    if (!answer.ok()) return answer.status();
    json doc = json::parse(*answer, nullptr, false);
    DeployResult result;
    result.version = doc.value("version", uint64_t{0});
    result.hash = doc.value("hash", "");
    result.unchanged = doc.value("unchanged", false);
    result.modules = doc.value("modules", std::vector<std::string>{});
    result.overrides = doc.value("overrides", std::vector<std::string>{});
    result.test_modules = doc.value("test_modules", std::vector<std::string>{});
    if (doc.contains("changes") && !doc["changes"].is_null()) result.changes = doc["changes"].dump();
    return result;
  }
  StatusOr<std::string> Create(const std::string& type, const std::string& fields, const CallOptions& call) override {
    SMDL_RETURN_IF_ERROR(NoCaller(call));
    json parsed = json::parse(fields, nullptr, false);
    if (parsed.is_discarded()) return InvalidArgument("the fields: not valid JSON");
    return Call("POST", "/v1/records", json{{"type", type}, {"fields", parsed}}.dump(), call);
  }
  StatusOr<std::string> Fire(const std::string& id, const std::string& event, const std::string& params,
                             const CallOptions& call) override {
    SMDL_RETURN_IF_ERROR(NoCaller(call));
    return Call("POST", "/v1/records/" + server::UrlEncode(id) + "/events/" + server::UrlEncode(event), params, call);
  }
  StatusOr<std::string> Get(const std::string& id) override { return Call("GET", "/v1/records/" + server::UrlEncode(id)); }
  StatusOr<std::string> History(const std::string& id) override {
    return Call("GET", "/v1/records/" + server::UrlEncode(id) + "/history");
  }
  StatusOr<std::string> Deploys() override { return Call("GET", "/v1/definitions"); }
  StatusOr<std::string> List(const ListQuery& query) override {
    // The server pages by at most 1000; follow its cursor up to the limit.
    json all = json::array();
    std::string after = query.after;
    while (all.size() < query.limit) {
      size_t page = std::min<size_t>(query.limit - all.size(), 1000);
      std::string path = "/v1/records?limit=" + std::to_string(page);
      if (!query.type.empty()) path += "&type=" + server::UrlEncode(query.type);
      if (!query.state.empty()) path += "&state=" + server::UrlEncode(query.state);
      if (!query.where.empty()) path += "&where=" + server::UrlEncode(query.where);
      if (!after.empty()) path += "&after=" + server::UrlEncode(after);
      auto answer = Call("GET", path);
      if (!answer.ok()) return answer.status();
      json doc = json::parse(*answer, nullptr, false);
      for (auto& r : doc["records"]) all.push_back(std::move(r));
      if (!doc["next"].is_string()) break;
      after = doc["next"].get<std::string>();
    }
    return all.dump();
  }
  StatusOr<std::string> ExplainSla(const std::string& id, const std::string& sla) override {
    return Call("GET", "/v1/records/" + server::UrlEncode(id) + "/sla" + (sla.empty() ? "" : "/" + server::UrlEncode(sla)));
  }
  StatusOr<std::string> Report(const std::string& type, const std::string& by) override {
    std::string query;
    if (!type.empty()) query += "type=" + server::UrlEncode(type);
    if (!by.empty()) query += std::string(query.empty() ? "" : "&") + "by=" + server::UrlEncode(by);
    return Call("GET", "/v1/report" + (query.empty() ? "" : "?" + query));
  }
  StatusOr<size_t> RunDueTimers() override {
    return FailedPrecondition("the server at " + url_ + " fires due timers itself; list them with smdl timers");
  }
  StatusOr<std::string> PendingTimers() override { return Call("GET", "/v1/timers"); }
  StatusOr<std::string> Outbox(size_t limit) override {
    return Call("GET", "/v1/outbox?limit=" + std::to_string(std::clamp<size_t>(limit, 1, 1000)));
  }
  Status Acknowledge(uint64_t sequence) override {
    return Call("POST", "/v1/outbox/ack", json{{"through", sequence}}.dump()).status();
  }
  StatusOr<std::string> Verify(const VerifyOptions& options) override {
    if (!options.anchors.empty())
      return InvalidArgument("anchors (--expect-head, --checkpoint) are checked against a database, not through a server");
    return Call("GET", "/v1/verify");
  }
  StatusOr<std::string> Checkpoint(const std::string&) override {
    return InvalidArgument("a checkpoint is signed beside the database, not through a server (its key must not travel)");
  }

 private:
  // Through a server, the token says who acts.
  static Status NoCaller(const CallOptions& call) {
    if (!call.actor.empty() || !call.roles.empty())
      return InvalidArgument("--actor and --role do not apply through a server: the token names the actor and roles");
    return Status::Ok();
  }

  StatusOr<std::string> Call(const std::string& method, const std::string& path, const std::string& body = "",
                             const CallOptions& call = {}) {
    server::ClientRequest request;
    request.method = method;
    request.url = url_ + path;
    request.body = body;
    if (!token_.empty()) request.headers.emplace("Authorization", "Bearer " + token_);
    if (!call.idempotency_key.empty()) request.headers.emplace("Idempotency-Key", call.idempotency_key);
    request.timeout_seconds = 120;
    auto answer = server::Send(request);
    if (!answer.ok()) return answer.status();
    if (answer->status >= 200 && answer->status < 300) return answer->body;
    return StatusOfProblem(answer->status, answer->body);
  }

  std::string url_;
  std::string token_;
};

}  // namespace

std::unique_ptr<Service> LocalService(std::unique_ptr<Engine> engine) { return std::make_unique<Local>(std::move(engine)); }

std::unique_ptr<Service> RemoteService(std::string url, std::string token) {
  return std::make_unique<Remote>(std::move(url), std::move(token));
}

std::optional<std::string>& ServerOverride() {
  static std::optional<std::string> url;
  return url;
}

}  // namespace smdl::cli
