// The C API (smdl/c_api.h) on a real database in a temporary directory:
// every function, its JSON arguments and their mistakes, NULL arguments,
// and the strings it hands back (each freed here with smdl_free).
#include <catch2/catch.hpp>

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/version.h"
#include "smdl/c_api.h"
#include "test_support.h"

namespace smdl {
namespace {

using nlohmann::json;
using testing::TempDir;

const char* kDesk = R"(
module desk;

role agent;

record Ticket { title: string; assignee: string?; }

process TicketFlow for Ticket {
  on create { emit "ticket.opened" { title: title }; }
  initial state open {
    on take requires agent -> working { assignee = actor.name; }
  }
  state working {
    on resolve(note: string) -> resolved { emit "ticket.resolved" { note: note }; }
  }
  final state resolved;
}

record Reminder { subject: string; }

process ReminderFlow for Reminder {
  initial state waiting {
    after duration("0s") -> due;
    after duration("1h") -> late;
  }
  final state due;
  final state late;
}
)";

// A call's status and the string it handed back (copied, then freed).
struct CallResult {
  smdl_status status;
  std::string text;
};

// Calls `function` with `args` and a last `char** out`.
template <typename Function, typename... Args>
CallResult Call(Function function, Args... args) {
  char* out = nullptr;
  smdl_status status = function(args..., &out);
  CallResult result{status, out ? out : ""};
  smdl_free(out);
  return result;
}

// The JSON result of a call that must succeed.
json Ok(const CallResult& result) {
  INFO(result.text);
  REQUIRE(result.status == SMDL_OK);
  return json::parse(result.text);
}

// A call that must fail with `status`; returns its message.
std::string Fails(const CallResult& result, smdl_status status) {
  INFO(result.text);
  CHECK(result.status == status);
  return result.text;
}

// A database in a temporary directory, the desk module deployed from a file.
struct Desk {
  TempDir dir;
  std::string module_path = dir.path() + "/desk.smdl";
  std::string db = dir.path() + "/db";
  smdl_engine* engine = nullptr;
  json deployed;

  Desk() {
    {
      std::ofstream file(module_path);
      file << kDesk;
    }
    Open();
    const char* paths[] = {module_path.c_str()};
    deployed = Ok(Call(smdl_deploy, engine, paths, size_t{1}, R"({"actor": "admin", "roles": ["release"]})"));
  }
  ~Desk() { smdl_close(engine); }
  Desk(const Desk&) = delete;
  Desk& operator=(const Desk&) = delete;

  json Open(const char* options = nullptr) {
    smdl_close(engine);
    engine = nullptr;
    json opened = Ok(Call(smdl_open, db.c_str(), options, &engine));
    REQUIRE(engine != nullptr);
    return opened;
  }
  json Create(const char* type, const char* fields, const char* call = nullptr) {
    return Ok(Call(smdl_create, engine, type, fields, call));
  }
  json Get(const char* id) { return Ok(Call(smdl_get, engine, id)); }
};

TEST_CASE("C API: open, deploy, create, fire as an actor with roles, get, history", "[capi]") {
  Desk desk;
  CHECK(desk.deployed["version"] == 1);
  CHECK(desk.deployed["unchanged"] == false);
  CHECK(desk.deployed["modules"] == json::array({"desk"}));
  CHECK(desk.deployed["hash"].is_string());
  // The same sources again are the same version.
  const char* paths[] = {desk.module_path.c_str()};
  json again = Ok(Call(smdl_deploy, desk.engine, paths, size_t{1}, nullptr));
  CHECK(again["version"] == 1);
  CHECK(again["unchanged"] == true);

  json ticket = desk.Create("Ticket", R"({"title": "VPN down"})", R"({"actor": "anna"})");
  CHECK(ticket["id"] == "Ticket-1");
  CHECK(ticket["state"] == "open");
  CHECK(ticket["created_by"] == "anna");

  json taken = Ok(Call(smdl_fire, desk.engine, "Ticket-1", "take", nullptr, R"({"actor": "bob", "roles": ["agent"]})"));
  CHECK(taken["state"] == "working");
  CHECK(taken["fields"]["assignee"] == "bob");
  json resolved = Ok(Call(smdl_fire, desk.engine, "Ticket-1", "resolve", R"({"note": "restarted"})",
                          R"({"actor": "bob", "roles": ["agent"], "if_version": 2})"));
  CHECK(resolved["state"] == "resolved");
  CHECK(resolved["version"] == 3);

  json got = desk.Get("Ticket-1");
  CHECK(got["state"] == "resolved");
  CHECK(got["version"] == 3);

  json history = Ok(Call(smdl_history, desk.engine, "Ticket-1"));
  REQUIRE(history.size() == 3);
  CHECK(history[0]["kind"] == "create");
  CHECK(history[0]["actor"] == "anna");
  CHECK(history[1]["event"] == "take");
  CHECK(history[1]["actor"] == "bob");
  CHECK(history[1]["roles"] == json::array({"agent"}));
  CHECK(history[2]["params"]["note"] == "restarted");

  // `out` may be NULL: the call still runs, and nothing is allocated.
  CHECK(smdl_get(desk.engine, "Ticket-1", nullptr) == SMDL_OK);
  CHECK(smdl_get(desk.engine, "Ticket-99", nullptr) == SMDL_NOT_FOUND);
}

TEST_CASE("C API: a rejected fire says why and changes nothing", "[capi]") {
  Desk desk;
  desk.Create("Ticket", R"({"title": "VPN down"})");
  std::string why = Fails(Call(smdl_fire, desk.engine, "Ticket-1", "take", nullptr, R"({"actor": "bob"})"),
                          SMDL_FAILED_PRECONDITION);
  CHECK(why.find("requires role agent") != std::string::npos);
  why = Fails(Call(smdl_fire, desk.engine, "Ticket-1", "resolve", R"({"note": "x"})", nullptr), SMDL_FAILED_PRECONDITION);
  CHECK(why.find("not accepted in state 'open'") != std::string::npos);
  // At another version than the caller saw.
  why = Fails(Call(smdl_fire, desk.engine, "Ticket-1", "take", nullptr,
                   R"({"actor": "bob", "roles": ["agent"], "if_version": 7})"),
              SMDL_FAILED_PRECONDITION);
  CHECK(why.find("version") != std::string::npos);
  Fails(Call(smdl_fire, desk.engine, "Ticket-99", "take", nullptr, nullptr), SMDL_NOT_FOUND);
  Fails(Call(smdl_create, desk.engine, "Nope", "{}", nullptr), SMDL_NOT_FOUND);

  json ticket = desk.Get("Ticket-1");
  CHECK(ticket["state"] == "open");
  CHECK(ticket["version"] == 1);
  CHECK(Ok(Call(smdl_history, desk.engine, "Ticket-1")).size() == 1);
}

TEST_CASE("C API: malformed JSON arguments are invalid and change nothing", "[capi]") {
  Desk desk;
  desk.Create("Ticket", R"({"title": "VPN down"})");
  auto fire = [&](const char* params, const char* call) {
    return Call(smdl_fire, desk.engine, "Ticket-1", "take", params, call);
  };
  CHECK(Fails(fire(nullptr, "{not json"), SMDL_INVALID_ARGUMENT).rfind("call_json: not valid JSON", 0) == 0);
  CHECK(Fails(fire(nullptr, "[]"), SMDL_INVALID_ARGUMENT) == "call_json: must be a JSON object");
  CHECK(Fails(fire(nullptr, R"({"actr": "bob"})"), SMDL_INVALID_ARGUMENT) ==
        R"(call_json: unknown key "actr" (actor, roles, idempotency_key, if_version))");
  CHECK(Fails(fire(nullptr, R"({"roles": "agent"})"), SMDL_INVALID_ARGUMENT) ==
        R"(call_json: "roles" must be an array of strings)");
  CHECK(Fails(fire(nullptr, R"({"roles": ["agent", 7]})"), SMDL_INVALID_ARGUMENT) ==
        R"(call_json: "roles" must be an array of strings)");
  CHECK(Fails(fire(nullptr, R"({"actor": 7})"), SMDL_INVALID_ARGUMENT) == R"(call_json: "actor" must be a string)");
  CHECK(Fails(fire(nullptr, R"({"if_version": -1})"), SMDL_INVALID_ARGUMENT) ==
        R"(call_json: "if_version" must be a non-negative integer)");
  // The engine's own checks of what it is given, as in C++.
  Fails(fire("{", R"({"roles": ["agent"]})"), SMDL_INVALID_ARGUMENT);
  Fails(fire(nullptr, R"({"roles": ["not a role"]})"), SMDL_INVALID_ARGUMENT);
  // if_version is for fires only.
  CHECK(Fails(Call(smdl_create, desk.engine, "Ticket", R"({"title": "x"})", R"({"if_version": 1})"),
              SMDL_INVALID_ARGUMENT) == R"(call_json: "if_version" is for smdl_fire only)");
  const char* paths[] = {desk.module_path.c_str()};
  Fails(Call(smdl_deploy, desk.engine, paths, size_t{1}, "{"), SMDL_INVALID_ARGUMENT);

  // Queries.
  CHECK(Fails(Call(smdl_list, desk.engine, R"({"typ": "Ticket"})"), SMDL_INVALID_ARGUMENT) ==
        R"(query_json: unknown key "typ" (type, state, where, after, limit))");
  CHECK(Fails(Call(smdl_list, desk.engine, R"({"limit": 0})"), SMDL_INVALID_ARGUMENT) ==
        R"(query_json: "limit" must be at least 1)");
  CHECK(Fails(Call(smdl_list, desk.engine, R"({"limit": "5"})"), SMDL_INVALID_ARGUMENT) ==
        R"(query_json: "limit" must be a non-negative integer)");
  Fails(Call(smdl_list, desk.engine, "nope"), SMDL_INVALID_ARGUMENT);

  // Open options: nothing is opened.
  smdl_engine* other = nullptr;
  CHECK(Fails(Call(smdl_open, desk.db.c_str(), R"({"durability": "later"})", &other), SMDL_INVALID_ARGUMENT) ==
        R"(options_json: "durability" must be "sync" or "async")");
  CHECK(other == nullptr);
  CHECK(Fails(Call(smdl_open, desk.db.c_str(), R"({"read_only": "yes"})", &other), SMDL_INVALID_ARGUMENT) ==
        R"(options_json: "read_only" must be true or false)");
  CHECK(Fails(Call(smdl_open, desk.db.c_str(), R"({"scheduler": true})", &other), SMDL_INVALID_ARGUMENT) ==
        R"(options_json: unknown key "scheduler" (durability, create_if_missing, read_only))");
  CHECK(other == nullptr);

  // The record, its history and the outbox are as they were.
  json ticket = desk.Get("Ticket-1");
  CHECK(ticket["state"] == "open");
  CHECK(ticket["version"] == 1);
  CHECK(Ok(Call(smdl_history, desk.engine, "Ticket-1")).size() == 1);
  CHECK(Ok(Call(smdl_list, desk.engine, nullptr)).size() == 1);
}

TEST_CASE("C API: NULL arguments are invalid and name the argument", "[capi]") {
  Desk desk;
  desk.Create("Ticket", R"({"title": "VPN down"})");
  smdl_engine* none = nullptr;
  smdl_engine* other = nullptr;
  CHECK(Fails(Call(smdl_open, nullptr, nullptr, &other), SMDL_INVALID_ARGUMENT) == "smdl_open: dir is NULL");
  CHECK(other == nullptr);
  CHECK(Fails(Call(smdl_open, desk.db.c_str(), nullptr, static_cast<smdl_engine**>(nullptr)),
              SMDL_INVALID_ARGUMENT) == "smdl_open: engine is NULL");

  const char* paths[] = {desk.module_path.c_str(), nullptr};
  CHECK(Fails(Call(smdl_deploy, none, paths, size_t{1}, nullptr), SMDL_INVALID_ARGUMENT) ==
        "smdl_deploy: engine is NULL");
  CHECK(Fails(Call(smdl_deploy, desk.engine, static_cast<const char* const*>(nullptr), size_t{1}, nullptr),
              SMDL_INVALID_ARGUMENT) == "smdl_deploy: paths is NULL");
  CHECK(Fails(Call(smdl_deploy, desk.engine, paths, size_t{2}, nullptr), SMDL_INVALID_ARGUMENT) ==
        "smdl_deploy: paths[1] is NULL");
  CHECK(Fails(Call(smdl_create, none, "Ticket", "{}", nullptr), SMDL_INVALID_ARGUMENT) ==
        "smdl_create: engine is NULL");
  CHECK(Fails(Call(smdl_create, desk.engine, static_cast<const char*>(nullptr), "{}", nullptr),
              SMDL_INVALID_ARGUMENT) == "smdl_create: type is NULL");
  CHECK(Fails(Call(smdl_fire, none, "Ticket-1", "take", nullptr, nullptr), SMDL_INVALID_ARGUMENT) ==
        "smdl_fire: engine is NULL");
  CHECK(Fails(Call(smdl_fire, desk.engine, static_cast<const char*>(nullptr), "take", nullptr, nullptr),
              SMDL_INVALID_ARGUMENT) == "smdl_fire: id is NULL");
  CHECK(Fails(Call(smdl_fire, desk.engine, "Ticket-1", static_cast<const char*>(nullptr), nullptr, nullptr),
              SMDL_INVALID_ARGUMENT) == "smdl_fire: event is NULL");
  CHECK(Fails(Call(smdl_get, none, "Ticket-1"), SMDL_INVALID_ARGUMENT) == "smdl_get: engine is NULL");
  CHECK(Fails(Call(smdl_get, desk.engine, static_cast<const char*>(nullptr)), SMDL_INVALID_ARGUMENT) ==
        "smdl_get: id is NULL");
  CHECK(Fails(Call(smdl_history, none, "Ticket-1"), SMDL_INVALID_ARGUMENT) == "smdl_history: engine is NULL");
  CHECK(Fails(Call(smdl_history, desk.engine, static_cast<const char*>(nullptr)), SMDL_INVALID_ARGUMENT) ==
        "smdl_history: id is NULL");
  CHECK(Fails(Call(smdl_list, none, nullptr), SMDL_INVALID_ARGUMENT) == "smdl_list: engine is NULL");
  CHECK(Fails(Call(smdl_run_due_timers, none), SMDL_INVALID_ARGUMENT) == "smdl_run_due_timers: engine is NULL");
  CHECK(Fails(Call(smdl_timers, none), SMDL_INVALID_ARGUMENT) == "smdl_timers: engine is NULL");
  CHECK(Fails(Call(smdl_outbox, none, size_t{10}), SMDL_INVALID_ARGUMENT) == "smdl_outbox: engine is NULL");
  CHECK(Fails(Call(smdl_acknowledge, none, uint64_t{1}), SMDL_INVALID_ARGUMENT) ==
        "smdl_acknowledge: engine is NULL");
  CHECK(Fails(Call(smdl_verify, none), SMDL_INVALID_ARGUMENT) == "smdl_verify: engine is NULL");
  // Without `out` the status alone tells.
  CHECK(smdl_verify(nullptr, nullptr) == SMDL_INVALID_ARGUMENT);

  // NULL fields and parameters are empty objects: a Ticket then lacks its title.
  CHECK(Fails(Call(smdl_create, desk.engine, "Ticket", static_cast<const char*>(nullptr), nullptr),
              SMDL_INVALID_ARGUMENT)
            .find("title") != std::string::npos);
  CHECK(Ok(Call(smdl_fire, desk.engine, "Ticket-1", "take", static_cast<const char*>(nullptr),
                R"({"roles": ["agent"]})"))["state"] == "working");

  // Freeing and closing NULL do nothing.
  smdl_free(nullptr);
  smdl_close(nullptr);
}

TEST_CASE("C API: list with a query", "[capi]") {
  Desk desk;
  desk.Create("Ticket", R"({"title": "VPN down"})");
  desk.Create("Ticket", R"({"title": "Printer jam"})");
  desk.Create("Reminder", R"({"subject": "call back"})");
  auto ids = [&](const char* query) {
    std::vector<std::string> out;
    for (const auto& record : Ok(Call(smdl_list, desk.engine, query))) out.push_back(record["id"].get<std::string>());
    return out;
  };
  CHECK(ids(nullptr).size() == 3);
  CHECK(ids(R"({"type": "Ticket"})") == std::vector<std::string>{"Ticket-1", "Ticket-2"});
  CHECK(ids(R"({"type": "Ticket", "limit": 1})") == std::vector<std::string>{"Ticket-1"});
  CHECK(ids(R"({"type": "Ticket", "after": "Ticket-1"})") == std::vector<std::string>{"Ticket-2"});
  CHECK(ids(R"({"type": "Ticket", "where": "title == \"Printer jam\""})") == std::vector<std::string>{"Ticket-2"});
  Ok(Call(smdl_fire, desk.engine, "Ticket-2", "take", nullptr, R"({"roles": ["agent"]})"));
  CHECK(ids(R"({"type": "Ticket", "state": "working"})") == std::vector<std::string>{"Ticket-2"});
  CHECK(ids(R"({"type": "desk.Ticket", "state": "open"})") == std::vector<std::string>{"Ticket-1"});
  // A typo is an error, never an empty list.
  Fails(Call(smdl_list, desk.engine, R"({"type": "Tickets"})"), SMDL_NOT_FOUND);
  Fails(Call(smdl_list, desk.engine, R"({"type": "Ticket", "where": "colour == 1"})"), SMDL_INVALID_ARGUMENT);
}

TEST_CASE("C API: pending timers, and the due ones fired", "[capi]") {
  Desk desk;
  CHECK(Ok(Call(smdl_timers, desk.engine)).empty());
  CHECK(Ok(Call(smdl_run_due_timers, desk.engine))["fired"] == 0);
  desk.Create("Reminder", R"({"subject": "call back"})");
  json timers = Ok(Call(smdl_timers, desk.engine));
  REQUIRE(timers.size() == 2);
  CHECK(timers[0]["record"] == "Reminder-1");
  CHECK(timers[0]["timer"] == "after:waiting:0");
  CHECK(timers[1]["timer"] == "after:waiting:1");
  // The zero delay is due at once; the hour is not.
  CHECK(Ok(Call(smdl_run_due_timers, desk.engine))["fired"] == 1);
  CHECK(desk.Get("Reminder-1")["state"] == "due");
  CHECK(Ok(Call(smdl_timers, desk.engine)).empty());
  CHECK(Ok(Call(smdl_run_due_timers, desk.engine))["fired"] == 0);
}

TEST_CASE("C API: outbox and acknowledge", "[capi]") {
  Desk desk;
  desk.Create("Ticket", R"({"title": "VPN down"})");
  desk.Create("Ticket", R"({"title": "Printer jam"})");
  json messages = Ok(Call(smdl_outbox, desk.engine, size_t{10}));
  REQUIRE(messages.size() == 2);
  CHECK(messages[0]["message"] == "ticket.opened");
  CHECK(messages[0]["record"] == "Ticket-1");
  CHECK(messages[0]["payload"]["title"] == "VPN down");
  CHECK(Ok(Call(smdl_outbox, desk.engine, size_t{1})).size() == 1);
  CHECK(Ok(Call(smdl_outbox, desk.engine, size_t{0})).empty());

  uint64_t first = messages[0]["seq"].get<uint64_t>();
  CHECK(Ok(Call(smdl_acknowledge, desk.engine, first))["acknowledged"] == first);
  json rest = Ok(Call(smdl_outbox, desk.engine, size_t{10}));
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]["record"] == "Ticket-2");
  Ok(Call(smdl_acknowledge, desk.engine, UINT64_MAX));
  CHECK(Ok(Call(smdl_outbox, desk.engine, size_t{10})).empty());
}

TEST_CASE("C API: idempotency keys, verify, and reopening with options", "[capi]") {
  Desk desk;
  json first = desk.Create("Ticket", R"({"title": "VPN down"})", R"({"idempotency_key": "req-1"})");
  json repeated = desk.Create("Ticket", R"({"title": "VPN down"})", R"({"idempotency_key": "req-1"})");
  CHECK(repeated["id"] == first["id"]);
  CHECK(Ok(Call(smdl_list, desk.engine, R"({"type": "Ticket"})")).size() == 1);

  json verified = Ok(Call(smdl_verify, desk.engine));
  CHECK(verified["chain"] == "intact");
  CHECK(verified["replay"] == "identical");

  // One handle per database: a second open is refused and sets no handle.
  smdl_engine* other = nullptr;
  Fails(Call(smdl_open, desk.db.c_str(), nullptr, &other), SMDL_IO_ERROR);
  CHECK(other == nullptr);
  smdl_close(other);

  json opened = desk.Open(R"({"durability": "async"})");
  CHECK(opened["durability"] == "async");
  CHECK(opened["read_only"] == false);
  CHECK(desk.Get("Ticket-1")["state"] == "open");

  // Read only: reads work, writes are refused.
  opened = desk.Open(R"({"read_only": true})");
  CHECK(opened["read_only"] == true);
  CHECK(desk.Get("Ticket-1")["state"] == "open");
  Fails(Call(smdl_create, desk.engine, "Ticket", R"({"title": "x"})", nullptr), SMDL_FAILED_PRECONDITION);
  CHECK(Ok(Call(smdl_verify, desk.engine))["chain"] == "intact");

  // No database where none was made, unless asked to create one.
  TempDir empty;
  std::string missing = empty.path() + "/db";
  CHECK(Fails(Call(smdl_open, missing.c_str(), R"({"create_if_missing": false})", &other), SMDL_NOT_FOUND)
            .find("no database") != std::string::npos);
  CHECK(other == nullptr);
}

TEST_CASE("C API: status names and the version", "[capi]") {
  CHECK(std::string(smdl_status_name(SMDL_OK)) == "ok");
  CHECK(std::string(smdl_status_name(SMDL_INVALID_ARGUMENT)) == "invalid argument");
  CHECK(std::string(smdl_status_name(SMDL_NOT_FOUND)) == "not found");
  CHECK(std::string(smdl_status_name(SMDL_FAILED_PRECONDITION)) == "failed precondition");
  CHECK(std::string(smdl_status_name(SMDL_IO_ERROR)) == "I/O error");
  CHECK(std::string(smdl_status_name(SMDL_INTERNAL)) == "internal error");
  CHECK(std::string(smdl_status_name(static_cast<smdl_status>(15))) == "unknown");  // no status has 15
  REQUIRE(smdl_version() != nullptr);
  CHECK(std::string(smdl_version()) == Version());
}

}  // namespace
}  // namespace smdl
