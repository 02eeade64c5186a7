// The API without HTTP: requests in, answers out, against a real engine in
// a temporary directory. tests/server drives the same through a real server.
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "server/api.h"
#include "server/metrics.h"
#include "server/problem.h"
#include "server/tokens.h"
#include "server/webhooks.h"
#include "smdl/engine.h"
#include "test_support.h"

namespace smdl::server {
namespace {

using nlohmann::json;
using testing::TempDir;

const char* kDesk = R"(
module desk;

role agent, manager;

record Ticket { title: string; owner: string = ""; }

process TicketFlow for Ticket {
  initial state open {
    on take(to: string) requires agent { owner = to; }
    on close when owner != "" -> closed;
    on escalate requires manager -> escalated;
  }
  state escalated { on close -> closed; }
  final state closed;
}
)";

struct Desk {
  TempDir dir;
  std::unique_ptr<Engine> engine;
  Metrics metrics;
  std::string tokens_path;
  std::unique_ptr<TokenStore> tokens;
  std::unique_ptr<Api> api;
  std::string admin, agent, nobody;

  Desk() {
    auto opened = Engine::Open(dir.path() + "/db");
    REQUIRE(opened.ok());
    engine = std::move(*opened);
    tokens_path = dir.path() + "/tokens.json";
    admin = *AddToken(tokens_path, "ann", {"admin"}, "t");
    agent = *AddToken(tokens_path, "bob", {"agent"}, "t");
    nobody = *AddToken(tokens_path, "cy", {}, "t");
    tokens = std::make_unique<TokenStore>(tokens_path);
    REQUIRE(tokens->Load().ok());
    ApiOptions options;
    options.tokens = tokens.get();
    api = std::make_unique<Api>(*engine, metrics, options);
    auto deployed = Call("POST", "/v1/deploy", admin, json{{"modules", {{{"path", "desk.smdl"}, {"source", kDesk}}}}}.dump());
    INFO(deployed.body);
    REQUIRE(deployed.status == 201);
  }

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& token,
                    const std::string& body = "", std::multimap<std::string, std::string> headers = {}) {
    HttpRequest r;
    r.method = method;
    size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) {
      std::string query = path.substr(q + 1);
      size_t eq = query.find('=');
      r.query.emplace(query.substr(0, eq), query.substr(eq + 1));
    }
    if (!token.empty()) r.headers.emplace("authorization", "Bearer " + token);
    if (!body.empty()) r.headers.emplace("content-type", "application/json");
    for (auto& h : headers) r.headers.insert(h);
    r.body = body;
    return api->Handle(r);
  }
  json Body(const HttpResponse& r) { return json::parse(r.body); }
  std::string NewTicket() {
    auto r = Call("POST", "/v1/records", agent, R"({"type": "Ticket", "fields": {"title": "printer"}})");
    REQUIRE(r.status == 201);
    return Body(r)["id"];
  }
};

TEST_CASE("api: a token is needed, and a wrong one is refused", "[server]") {
  Desk d;
  auto none = d.Call("GET", "/v1/records", "");
  CHECK(none.status == 401);
  CHECK(none.content_type == "application/problem+json");
  CHECK(none.headers.count("WWW-Authenticate") == 1);
  CHECK(d.Call("GET", "/v1/records", "smdl_forged").status == 401);
  CHECK(d.Call("GET", "/v1/records", d.agent).status == 200);
  // Open routes need none.
  CHECK(d.Call("GET", "/healthz", "").status == 200);
  CHECK(d.Call("GET", "/v1/openapi.json", "").status == 200);
}

TEST_CASE("api: the token's name is the actor in the audit log and its roles reach requires", "[server]") {
  Desk d;
  std::string id = d.NewTicket();
  auto denied = d.Call("POST", "/v1/records/" + id + "/events/escalate", d.agent, "{}");
  CHECK(denied.status == 403);
  CHECK(d.Body(denied)["reason"] == "missing_role");
  CHECK(d.Body(denied)["required_roles"] == json{"manager"});
  auto taken = d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": "bob"})");
  REQUIRE(taken.status == 200);
  auto history = d.Body(d.Call("GET", "/v1/records/" + id + "/history", d.nobody));
  REQUIRE(history.size() == 2);
  CHECK(history[0]["actor"] == "bob");
  CHECK(history[1]["actor"] == "bob");
  CHECK(history[1]["roles"] == json{"agent"});
}

TEST_CASE("api: deploying needs the admin role", "[server]") {
  Desk d;
  std::string body = json{{"modules", {{{"path", "desk.smdl"}, {"source", kDesk}}}}}.dump();
  auto denied = d.Call("POST", "/v1/deploy", d.agent, body);
  CHECK(denied.status == 403);
  CHECK(d.Body(denied)["required_roles"] == json{"admin"});
  CHECK(d.Call("POST", "/v1/deploy", d.admin, body).status == 200);  // unchanged
}

TEST_CASE("api: a deploy answers what changed, and records keep their version", "[server]") {
  Desk d;
  std::string id = d.NewTicket();
  std::string changed = kDesk;
  changed.replace(changed.find("owner: string = \"\""), 18, "owner: string = \"desk\"");
  auto deployed = d.Call("POST", "/v1/deploy", d.admin, json{{"modules", {{{"path", "desk.smdl"}, {"source", changed}}}}}.dump());
  REQUIRE(deployed.status == 201);
  json changes = d.Body(deployed)["changes"]["declarations"];
  CHECK(changes["changed"] == json{"record desk.Ticket"});
  CHECK(changes["added"].empty());
  CHECK(d.Body(d.Call("GET", "/v1/records/" + id, d.agent))["definition"] == 1);
  auto fresh = d.Body(d.Call("POST", "/v1/records", d.agent, R"({"type": "Ticket", "fields": {"title": "x"}})"));
  CHECK(fresh["definition"] == 2);
  CHECK(fresh["fields"]["owner"] == "desk");
  auto diff = d.Body(d.Call("GET", "/v1/definitions/1/diff/2", d.agent));
  CHECK(diff["declarations"]["changed"] == json{"record desk.Ticket"});
  auto v1 = d.Body(d.Call("GET", "/v1/definitions/1", d.agent));
  CHECK(v1["current"] == false);
  CHECK(v1["modules"][0]["source"] == kDesk);
  CHECK(d.Call("GET", "/v1/definitions/9", d.agent).status == 404);
}

TEST_CASE("api: modules of tests only are checked but never deployed", "[server]") {
  Desk d;
  const char* tests = R"(
module desk.tests;
import desk;
test "a ticket starts open" {
  let t = create Ticket { title: "x" };
  expect t.state == "open";
}
)";
  json both = {{"modules", {{{"path", "desk.smdl"}, {"source", kDesk}}, {{"path", "tests.smdl"}, {"source", tests}}}}};
  auto deployed = d.Call("POST", "/v1/deploy", d.admin, both.dump());
  INFO(deployed.body);
  REQUIRE(deployed.status == 200);  // the same definitions as version 1
  CHECK(d.Body(deployed)["test_modules"] == json{"desk.tests"});
  auto current = d.Body(d.Call("GET", "/v1/definitions/current", d.agent));
  for (const auto& m : current["modules"]) CHECK(m["name"] != "desk.tests");
  json only = {{"modules", {{{"path", "tests.smdl"}, {"source", std::string("module t;\ntest \"x\" { expect 1 == 1; }\n")}}}}};
  auto refused = d.Call("POST", "/v1/deploy", d.admin, only.dump());
  CHECK(refused.status == 422);
  CHECK(d.Body(refused)["detail"].get<std::string>().find("only tests") != std::string::npos);
}

TEST_CASE("api: rejections carry what a client needs", "[server]") {
  Desk d;
  std::string id = d.NewTicket();
  auto guard = d.Body(d.Call("POST", "/v1/records/" + id + "/events/close", d.agent, "{}"));
  CHECK(guard["status"] == 409);
  CHECK(guard["reason"] == "guard_false");
  CHECK(guard["guard"] == "owner != \"\"");
  auto param = d.Body(d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, "{}"));
  CHECK(param["status"] == 422);
  CHECK(param["reason"] == "bad_parameter");
  CHECK(param["parameter"] == "to");
  auto typed = d.Body(d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": 4})"));
  CHECK(typed["reason"] == "bad_parameter");
  auto unknown = d.Body(d.Call("POST", "/v1/records/" + id + "/events/fly", d.agent, "{}"));
  CHECK(unknown["reason"] == "unknown_event");
  d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": "bob"})");
  d.Call("POST", "/v1/records/" + id + "/events/close", d.agent, "{}");
  auto closed = d.Body(d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": "bob"})"));
  CHECK(closed["reason"] == "event_not_accepted");
  CHECK(closed["state"] == "closed");
  CHECK(closed["accepted_events"] == json::array());
  auto missing = d.Call("GET", "/v1/records/Ticket-99", d.agent);
  CHECK(missing.status == 404);
  CHECK(d.Body(missing)["reason"] == "not_found");
  auto field = d.Body(d.Call("POST", "/v1/records", d.agent, R"({"type": "Ticket", "fields": {"title": "x", "colour": 1}})"));
  CHECK(field["status"] == 422);
  CHECK(field["field"] == "colour");
}

TEST_CASE("api: If-Match refuses a fire on a record that changed, and nothing is written", "[server]") {
  Desk d;
  std::string id = d.NewTicket();
  auto shown = d.Call("GET", "/v1/records/" + id, d.agent);
  CHECK(shown.headers["ETag"] == "\"1\"");
  CHECK(d.Call("GET", "/v1/records/" + id, d.agent, "", {{"if-none-match", "\"1\""}}).status == 304);
  auto ok = d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": "a"})", {{"if-match", "\"1\""}});
  REQUIRE(ok.status == 200);
  CHECK(ok.headers["ETag"] == "\"2\"");
  auto stale = d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": "b"})", {{"if-match", "\"1\""}});
  CHECK(stale.status == 412);
  CHECK(d.Body(stale)["version"] == 2);
  CHECK(d.Body(d.Call("GET", "/v1/records/" + id, d.agent))["fields"]["owner"] == "a");
  CHECK(d.Call("POST", "/v1/records/" + id + "/events/take", d.agent, R"({"to": "b"})", {{"if-match", "soon"}}).status == 400);
}

TEST_CASE("api: an idempotency key repeats the first answer, per caller", "[server]") {
  Desk d;
  std::string body = R"({"type": "Ticket", "fields": {"title": "once"}})";
  auto first = d.Body(d.Call("POST", "/v1/records", d.agent, body, {{"idempotency-key", "k-1"}}));
  auto again = d.Body(d.Call("POST", "/v1/records", d.agent, body, {{"idempotency-key", "k-1"}}));
  CHECK(first["id"] == again["id"]);
  // The same key from another caller is another request.
  auto other = d.Body(d.Call("POST", "/v1/records", d.admin, body, {{"idempotency-key", "k-1"}}));
  CHECK(other["id"] != first["id"]);
  CHECK(d.Body(d.Call("GET", "/v1/records?type=Ticket", d.agent))["records"].size() == 2);
}

TEST_CASE("api: malformed requests are refused and change nothing", "[server]") {
  Desk d;
  CHECK(d.Call("POST", "/v1/records", d.agent, R"({"type": "Ticket", "fields": )").status == 400);
  CHECK(d.Call("POST", "/v1/records", d.agent, std::string(200, '[') + std::string(200, ']')).status == 400);
  CHECK(d.Call("POST", "/v1/records", d.agent, R"(["Ticket"])").status == 422);
  CHECK(d.Call("POST", "/v1/records", d.agent, R"({"type": "Tikcet", "fields": {"title": "x"}})").status == 404);
  HttpRequest text;
  text.method = "POST";
  text.path = "/v1/records";
  text.headers = {{"authorization", "Bearer " + d.agent}, {"content-type", "text/plain"}};
  text.body = "title=x";
  CHECK(d.api->Handle(text).status == 415);
  auto route = d.Call("GET", "/v1/nothing", d.agent);
  CHECK(route.status == 404);
  CHECK(d.Body(route)["reason"] == "no_route");
  auto method = d.Call("DELETE", "/v1/records", d.agent);
  CHECK(method.status == 405);
  CHECK(method.headers["Allow"] == "GET, POST");
  CHECK(d.Call("GET", "/v1/records/..", d.agent).status == 400);
  CHECK(d.Call("GET", "/v1/records/a%2Fb", d.agent).status == 400);
  CHECK(d.Call("GET", "/v1/records?limit=0", d.agent).status == 400);
  CHECK(d.Call("GET", "/v1/records?colour=red", d.agent).status == 400);
  CHECK(d.Body(d.Call("GET", "/v1/records", d.agent))["records"].empty());
}

TEST_CASE("api: lists page with a cursor", "[server]") {
  Desk d;
  for (int i = 0; i < 5; ++i) d.NewTicket();
  auto first = d.Body(d.Call("GET", "/v1/records?limit=2", d.agent));
  REQUIRE(first["records"].size() == 2);
  REQUIRE(first["next"].is_string());
  std::vector<std::string> seen;
  json page = first;
  int pages = 0;
  for (;;) {
    ++pages;
    for (const auto& r : page["records"]) seen.push_back(r["id"]);
    if (!page["next"].is_string()) break;
    HttpRequest r;
    r.method = "GET";
    r.path = "/v1/records";
    r.query = {{"limit", "2"}, {"after", page["next"].get<std::string>()}};
    r.headers = {{"authorization", "Bearer " + d.agent}};
    page = json::parse(d.api->Handle(r).body);
  }
  CHECK(seen.size() == 5);
  CHECK(pages == 3);  // 2, 2, 1: no empty last page
  HttpRequest where;
  where.method = "GET";
  where.path = "/v1/records";
  where.query = {{"type", "Ticket"}, {"where", "title == \"printer\" && id == \"Ticket-3\""}};
  where.headers = {{"authorization", "Bearer " + d.agent}};
  auto filtered = json::parse(d.api->Handle(where).body);
  REQUIRE(filtered["records"].size() == 1);
  CHECK(filtered["records"][0]["id"] == "Ticket-3");
}

TEST_CASE("api: admin routes: outbox acknowledgement and verify", "[server]") {
  Desk d;
  CHECK(d.Call("GET", "/v1/verify", d.agent).status == 403);
  auto verified = d.Call("GET", "/v1/verify", d.admin);
  CHECK(verified.status == 200);
  CHECK(d.Call("POST", "/v1/outbox/ack", d.agent, R"({"through": 1})").status == 403);
  CHECK(d.Call("POST", "/v1/outbox/ack", d.admin, R"({"through": "all"})").status == 422);
  CHECK(d.Call("POST", "/v1/outbox/ack", d.admin, R"({"through": 5})").status == 200);
}

TEST_CASE("api: metrics count requests and operations by outcome", "[server]") {
  Desk d;
  std::string id = d.NewTicket();
  d.Call("POST", "/v1/records/" + id + "/events/close", d.agent, "{}");
  std::string text = d.Call("GET", "/metrics", "").body;
  CHECK(text.find("smdl_operations_total{operation=\"create\",outcome=\"ok\"} 1") != std::string::npos);
  CHECK(text.find("smdl_operations_total{operation=\"fire\",outcome=\"guard_false\"} 1") != std::string::npos);
  CHECK(text.find("smdl_http_requests_total{method=\"POST\",route=\"/v1/records\",status=\"201\"} 1") != std::string::npos);
  CHECK(text.find("smdl_http_request_duration_seconds_bucket{route=\"/v1/records\",le=\"+Inf\"} 1") != std::string::npos);
}

TEST_CASE("tokens: stored hashed, names unique, removal and reload take effect", "[server]") {
  TempDir dir;
  std::string path = dir.path() + "/tokens.json";
  auto token = AddToken(path, "ann", {"admin"}, "t");
  REQUIRE(token.ok());
  auto entries = ReadTokens(path);
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK((*entries)[0].sha256 != *token);
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(text.find(*token) == std::string::npos);
  CHECK(AddToken(path, "ann", {}, "t").status().code() == StatusCode::kAlreadyExists);
  CHECK(AddToken(path, "bad name", {}, "t").status().code() == StatusCode::kInvalidArgument);
  CHECK(AddToken(path, "dee", {"not-a-role"}, "t").status().code() == StatusCode::kInvalidArgument);
  TokenStore store(path);
  REQUIRE(store.Load().ok());
  REQUIRE(store.Authenticate(*token));
  CHECK(store.Authenticate(*token)->roles == std::vector<std::string>{"admin"});
  REQUIRE(RemoveToken(path, "ann").ok());
  CHECK(RemoveToken(path, "ann").code() == StatusCode::kNotFound);
  // Re-read at most once a second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(!store.Authenticate(*token));
}

TEST_CASE("webhooks: message patterns", "[server]") {
  CHECK(MessageMatches("*", "incident.major"));
  CHECK(MessageMatches("incident.*", "incident.major"));
  CHECK(MessageMatches("incident.*", "incident.major.declared"));
  CHECK(!MessageMatches("incident.*", "incident"));
  CHECK(!MessageMatches("incident.*", "incidents.major"));
  CHECK(MessageMatches("incident.major", "incident.major"));
  CHECK(!MessageMatches("incident.major", "incident.majors"));
}

}  // namespace
}  // namespace smdl::server
