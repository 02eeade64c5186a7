// The engine against a real RocksDB in a temporary directory.
#include "smdl/engine.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <atomic>
#include <thread>

#include <nlohmann/json.hpp>

#include "base/time.h"
#include "storage/db.h"
#include "test_support.h"

namespace smdl {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

using testing::TempDir;

const char* kTicketModule = R"(
module shop.tickets;

enum Severity { low, high }

record Ticket {
  title: string;
  severity: Severity = Severity.low;
  owner: string?;
  notes: int = 0;
  reopened: int = 0;
}

setting max_reopen: int = 1;

policy answer_target(s: Severity) -> duration = s == Severity.high ? duration("1h") : duration("4h");

process TicketFlow for Ticket {
  on create { emit "ticket.created" { title: title }; }

  sla answer {
    target answer_target(severity);
    start on create;
    pause in waiting;
    stop on enter answered, closed;
    warn at 50% emit "ticket.answer.warning";
    breach emit "ticket.answer.breached" -> escalated;
  }

  initial state open {
    on take(who: string) when who != "" -> working { owner = who; }
    on note { notes = notes + 1; }
    on close -> closed;
  }
  state working {
    on wait -> waiting;
    on answer -> answered;
    on raise { severity = Severity.high; }
  }
  state waiting {
    on reply -> working;
    after duration("48h") -> closed;
  }
  state escalated {
    on take(who: string) -> working { owner = who; }
  }
  state answered {
    on reopen when reopened < max_reopen -> working { reopened = reopened + 1; }
    when notes > 10 -> closed;
  }
  final state closed;
}
)";

using testing::T;

struct Fixture {
  TempDir dir;
  ManualClock clock{T("2026-03-02T09:00:00Z")};
  std::unique_ptr<Engine> engine;

  explicit Fixture(Durability durability = Durability::kAsync) { Reopen(durability); }
  void Reopen(Durability durability = Durability::kAsync) {
    engine.reset();
    EngineOptions options;
    options.clock = &clock;
    options.durability = durability;
    auto opened = Engine::Open(dir.path(), options);
    REQUIRE(opened.ok());
    engine = std::move(*opened);
  }
  void Deploy() {
    auto deployed = engine->DeploySources({{"tickets.smdl", kTicketModule}});
    INFO(deployed.status().message());
    REQUIRE(deployed.ok());
  }
  json Create(const std::string& fields = R"({"title": "printer jam"})", const CallOptions& call = {}) {
    auto created = engine->Create("Ticket", fields, call);
    INFO(created.status().message());
    REQUIRE(created.ok());
    return json::parse(*created);
  }
  json Fire(const std::string& id, const std::string& event, const std::string& params = "{}",
            const CallOptions& call = {}) {
    auto fired = engine->Fire(id, event, params, call);
    INFO(fired.status().message());
    REQUIRE(fired.ok());
    return json::parse(*fired);
  }
  json Get(const std::string& id) { return json::parse(*engine->Get(id)); }
};

TEST_CASE("create runs on create, applies defaults and enters the initial state", "[runtime]") {
  Fixture f;
  f.Deploy();
  json t = f.Create();
  CHECK(t["id"] == "Ticket-1");
  CHECK(t["state"] == "open");
  CHECK(t["fields"]["severity"] == "low");
  CHECK(t["fields"]["notes"] == 0);
  CHECK(t["fields"]["owner"].is_null());
  CHECK(t["version"] == 1);
  json outbox = json::parse(*f.engine->Outbox());
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0]["message"] == "ticket.created");
  CHECK(outbox[0]["payload"]["title"] == "printer jam");
  CHECK(f.Create()["id"] == "Ticket-2");
}

TEST_CASE("a rejected create says why and writes nothing", "[runtime]") {
  Fixture f;
  f.Deploy();
  auto unknown_field = f.engine->Create("Ticket", R"({"title": "x", "colour": "red"})");
  CHECK(unknown_field.status().code() == StatusCode::kInvalidArgument);
  CHECK(unknown_field.status().message().find("no field 'colour'") != std::string::npos);
  auto bad_enum = f.engine->Create("Ticket", R"({"title": "x", "severity": "urgent"})");
  CHECK(bad_enum.status().code() == StatusCode::kInvalidArgument);
  auto missing = f.engine->Create("Ticket", R"({})");
  CHECK(missing.status().message().find("'title'") != std::string::npos);
  auto not_json = f.engine->Create("Ticket", R"({"title": )");
  CHECK(not_json.status().code() == StatusCode::kInvalidArgument);
  auto no_type = f.engine->Create("Invoice", R"({})");
  CHECK(no_type.status().code() == StatusCode::kNotFound);
  CHECK(json::parse(*f.engine->List({})).empty());
  CHECK(json::parse(*f.engine->Outbox()).empty());
}

TEST_CASE("fire takes the first transition whose guard holds and runs its actions", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];
  json t = f.Fire(id, "take", R"({"who": "alice"})");
  CHECK(t["state"] == "working");
  CHECK(t["fields"]["owner"] == "alice");
  CHECK(t["version"] == 2);
  json internal = f.Fire(id, "raise");
  CHECK(internal["state"] == "working");
  CHECK(internal["fields"]["severity"] == "high");
}

TEST_CASE("rejected fires change nothing and explain themselves", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];
  auto guard = f.engine->Fire(id, "take", R"({"who": ""})");
  CHECK(guard.status().code() == StatusCode::kFailedPrecondition);
  CHECK(guard.status().message().find("who != \"\"") != std::string::npos);
  auto wrong_state = f.engine->Fire(id, "answer");
  CHECK(wrong_state.status().message().find("not accepted in state 'open'") != std::string::npos);
  CHECK(wrong_state.status().message().find("take, note, close") != std::string::npos);
  auto missing_param = f.engine->Fire(id, "take");
  CHECK(missing_param.status().code() == StatusCode::kInvalidArgument);
  auto typed_param = f.engine->Fire(id, "take", R"({"who": 42})");
  CHECK(typed_param.status().code() == StatusCode::kInvalidArgument);
  auto extra_param = f.engine->Fire(id, "close", R"({"why": "x"})");
  CHECK(extra_param.status().code() == StatusCode::kInvalidArgument);
  auto unknown_event = f.engine->Fire(id, "explode");
  CHECK(unknown_event.status().message().find("no event 'explode'") != std::string::npos);
  auto unknown_record = f.engine->Fire("Ticket-99", "close");
  CHECK(unknown_record.status().code() == StatusCode::kNotFound);
  json t = f.Get(id);
  CHECK(t["state"] == "open");
  CHECK(t["version"] == 1);
  CHECK(json::parse(*f.engine->History(id)).size() == 1);
}

TEST_CASE("idempotency keys return the first result and apply once", "[runtime]") {
  Fixture f;
  f.Deploy();
  json first = f.Create(R"({"title": "a"})", {"create-1", "bob"});
  json again = f.Create(R"({"title": "a"})", {"create-1", "bob"});
  CHECK(first == again);
  CHECK(json::parse(*f.engine->List({})).size() == 1);
  std::string id = first["id"];
  json noted = f.Fire(id, "note", "{}", {"note-1", ""});
  json repeat = f.Fire(id, "note", "{}", {"note-1", ""});
  CHECK(noted == repeat);
  CHECK(f.Get(id)["fields"]["notes"] == 1);
  auto reused = f.engine->Fire(id, "close", "{}", {"note-1", ""});
  CHECK(reused.status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("history is a hash chain that verify checks, and replay reproduces records", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];
  f.Fire(id, "take", R"({"who": "alice"})", {"", "alice"});
  f.Fire(id, "answer");
  json history = json::parse(*f.engine->History(id));
  REQUIRE(history.size() == 3);
  CHECK(history[0]["kind"] == "create");
  CHECK(history[1]["event"] == "take");
  CHECK(history[1]["actor"] == "alice");
  CHECK(history[1]["from"] == "open");
  CHECK(history[1]["to"] == "working");
  CHECK(history[1]["prev"] == history[0]["hash"]);
  CHECK(history[2]["prev"] == history[1]["hash"]);
  auto verified = f.engine->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
}

TEST_CASE("verify names a tampered audit entry", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];
  f.Fire(id, "take", R"({"who": "alice"})");
  f.engine.reset();
  {
    auto db = storage::Db::Open(f.dir.path(), {});
    REQUIRE(db.ok());
    auto entry = (*db)->Get(storage::Family::kAudit, storage::EncodeU64(2));
    REQUIRE(entry.ok());
    json doc = json::parse(**entry);
    doc["actor"] = "mallory";
    storage::WriteBatch batch;
    batch.Put(storage::Family::kAudit, storage::EncodeU64(2), doc.dump());
    REQUIRE((*db)->Write(batch).ok());
  }
  f.Reopen();
  auto verified = f.engine->Verify();
  CHECK(verified.status().code() == StatusCode::kCorruption);
  CHECK(verified.status().message().find("audit entry 2") != std::string::npos);
}

TEST_CASE("verify names a record that differs from its history", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];
  f.engine.reset();
  {
    auto db = storage::Db::Open(f.dir.path(), {});
    REQUIRE(db.ok());
    json doc = json::parse(**(*db)->Get(storage::Family::kRecords, id));
    doc["fields"]["notes"] = 7;
    storage::WriteBatch batch;
    batch.Put(storage::Family::kRecords, id, doc.dump());
    REQUIRE((*db)->Write(batch).ok());
  }
  f.Reopen();
  auto verified = f.engine->Verify();
  CHECK(verified.status().code() == StatusCode::kCorruption);
  CHECK(verified.status().message().find("record " + id) != std::string::npos);
}

TEST_CASE("state timers fire once when due, survive a restart and are cancelled by leaving", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string a = f.Create()["id"];
  std::string b = f.Create()["id"];
  for (const auto& id : {a, b}) {
    f.Fire(id, "take", R"({"who": "alice"})");
    f.Fire(id, "wait");
  }
  f.Fire(b, "reply");  // b leaves `waiting`: its timer is cancelled
  f.Reopen();
  // Before a's 48h timer: only b's answer clock (running again since the
  // reply) warns at 11:00 and breaches at 13:00, which escalates b. a's
  // clock is paused while it waits, so it neither warns nor breaches.
  CHECK(*f.engine->RunDueTimers(T("2026-03-04T08:59:59Z")) == 2);
  CHECK(f.Get(a)["state"] == "waiting");
  CHECK(f.Get(b)["state"] == "escalated");
  CHECK(*f.engine->RunDueTimers(T("2026-03-04T09:00:00Z")) == 1);
  CHECK(f.Get(a)["state"] == "closed");
  CHECK(*f.engine->RunDueTimers(T("2026-03-10T00:00:00Z")) == 0);
  json history = json::parse(*f.engine->History(a));
  CHECK(history.back()["kind"] == "timer");
  CHECK(history.back()["time"] == "2026-03-04T09:00:00Z");
  CHECK(f.engine->Verify().ok());
}

TEST_CASE("SLA clocks warn and breach once, pause while waiting, and move the record", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];  // 09:00, target 4h (low severity)
  json t = f.Get(id);
  CHECK(t["sla"]["answer"]["due"] == "2026-03-02T13:00:00Z");
  CHECK(t["sla"]["answer"]["running"] == true);
  f.clock.Set(T("2026-03-02T10:00:00Z"));
  f.Fire(id, "take", R"({"who": "alice"})");
  f.Fire(id, "wait");  // paused at 10:00 with 1h counted
  f.clock.Set(T("2026-03-02T12:00:00Z"));
  t = f.Get(id);
  CHECK(t["sla"]["answer"]["paused"] == true);
  CHECK(t["sla"]["answer"]["elapsed"] == "3600s");
  CHECK(t["sla"]["answer"]["due"].is_null());
  f.Fire(id, "reply");  // resumes at 12:00: 3h left
  t = f.Get(id);
  CHECK(t["sla"]["answer"]["due"] == "2026-03-02T15:00:00Z");
  // 50% (2h) is reached at 13:00; the breach at 15:00.
  CHECK(*f.engine->RunDueTimers(T("2026-03-02T13:00:00Z")) == 1);
  json outbox = json::parse(*f.engine->Outbox());
  CHECK(outbox.back()["message"] == "ticket.answer.warning");
  CHECK(*f.engine->RunDueTimers(T("2026-03-02T14:59:00Z")) == 0);
  f.Reopen();
  CHECK(*f.engine->RunDueTimers(T("2026-03-02T16:00:00Z")) == 1);
  t = f.Get(id);
  CHECK(t["state"] == "escalated");
  CHECK(t["sla"]["answer"]["breached"] == true);
  CHECK(t["sla"]["answer"]["breached_at"] == "2026-03-02T15:00:00Z");
  CHECK(*f.engine->RunDueTimers(T("2026-03-03T16:00:00Z")) == 0);
  size_t breaches = 0;
  for (const auto& m : json::parse(*f.engine->Outbox())) breaches += m["message"] == "ticket.answer.breached";
  CHECK(breaches == 1);
  CHECK(f.engine->Verify().ok());
}

TEST_CASE("a changed target is recomputed by default", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string id = f.Create()["id"];
  f.Fire(id, "take", R"({"who": "alice"})");
  f.clock.Set(T("2026-03-02T09:30:00Z"));
  json t = f.Fire(id, "raise");  // high severity: 1h target
  CHECK(t["sla"]["answer"]["target"] == "3600s");
  CHECK(t["sla"]["answer"]["due"] == "2026-03-02T10:00:00Z");
}

TEST_CASE("the outbox is acknowledged up to a sequence number", "[runtime]") {
  Fixture f;
  f.Deploy();
  f.Create();
  f.Create();
  f.Create();
  json all = json::parse(*f.engine->Outbox());
  REQUIRE(all.size() == 3);
  uint64_t second = all[1]["seq"];
  REQUIRE(f.engine->Acknowledge(second).ok());
  json rest = json::parse(*f.engine->Outbox());
  REQUIRE(rest.size() == 1);
  CHECK(rest[0]["seq"] == all[2]["seq"]);
  f.Reopen();
  f.Create();
  json after = json::parse(*f.engine->Outbox());
  CHECK(after.back()["seq"].get<uint64_t>() > all[2]["seq"].get<uint64_t>());
}

TEST_CASE("list filters by type and state; ids continue after a restart", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string a = f.Create()["id"];
  f.Create();
  f.Fire(a, "close");
  CHECK(json::parse(*f.engine->List({"Ticket", "closed", 100})).size() == 1);
  CHECK(json::parse(*f.engine->List({"Ticket", "open", 100})).size() == 1);
  CHECK(json::parse(*f.engine->List({"Ticket", "", 100})).size() == 2);
  f.Reopen();
  CHECK(f.Create()["id"] == "Ticket-3");
}

TEST_CASE("records stay on the definition version they were created under", "[runtime]") {
  Fixture f;
  f.Deploy();
  std::string old_id = f.Create()["id"];
  std::string changed = kTicketModule;
  changed.replace(changed.find("duration(\"4h\")"), 14, "duration(\"8h\")");
  auto v2 = f.engine->DeploySources({{"tickets.smdl", changed}});
  REQUIRE(v2.ok());
  CHECK(v2->version == 2);
  auto same = f.engine->DeploySources({{"tickets.smdl", changed}});
  CHECK(same->unchanged);
  json fresh = f.Create();
  CHECK(fresh["definition"] == 2);
  CHECK(fresh["sla"]["answer"]["target"] == "28800s");
  CHECK(f.Get(old_id)["definition"] == 1);
  CHECK(f.Get(old_id)["sla"]["answer"]["target"] == "14400s");
}

TEST_CASE("concurrent fires on one record and on many lose no update", "[runtime]") {
  Fixture f(Durability::kSync);
  f.Deploy();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(f.Create()["id"]);
  const int kThreads = 4, kFires = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};  // Catch2 assertions are not thread-safe
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kFires; ++i) {
        // Everyone hits record 0; each thread also has its own record.
        if (!f.engine->Fire(ids[0], "note").ok()) ++failures;
        if (!f.engine->Fire(ids[t], "note").ok()) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(f.Get(ids[0])["fields"]["notes"] == kThreads * kFires + kFires);
  for (int t = 1; t < kThreads; ++t) CHECK(f.Get(ids[t])["fields"]["notes"] == kFires);
  CHECK(f.Get(ids[0])["version"] == 1 + kThreads * kFires + kFires);
  auto verified = f.engine->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
}

TEST_CASE("a timer run late takes effect after the record's last change and holds up no other", "[runtime]") {
  Fixture f;
  auto deployed = f.engine->DeploySources({{"late.smdl", R"(
module late;
record R { n: int = 0; }
process P for R {
  sla s { target duration("10h"); start on create; pause on event hold; stop on enter done; }
  initial state open { on hold { n = n + 1; } after duration("1h") -> done; }
  final state done;
}
)"}});
  REQUIRE(deployed.ok());
  REQUIRE(f.engine->Create("R", "{}").ok());  // R-1 at 09:00, its timer due at 10:00
  REQUIRE(f.engine->Create("R", "{}").ok());  // R-2 likewise
  f.clock.Set(T("2026-03-02T11:00:00Z"));
  REQUIRE(f.engine->Fire("R-1", "hold").ok());  // R-1 changes after its timer was due
  auto fired = f.engine->RunDueTimers(T("2026-03-02T12:00:00Z"));
  INFO(fired.status().message());
  REQUIRE(fired.ok());
  CHECK(*fired == 2);
  CHECK(f.Get("R-1")["state"] == "done");
  CHECK(f.Get("R-2")["state"] == "done");
  json history = json::parse(*f.engine->History("R-1"));
  CHECK(history.back()["time"] == "2026-03-02T11:00:00Z");  // not before the hold
  CHECK(json::parse(*f.engine->History("R-2")).back()["time"] == "2026-03-02T10:00:00Z");
  CHECK(f.engine->Verify().ok());
}

TEST_CASE("a timer whose transition fails stays pending and holds up no other", "[runtime]") {
  Fixture f;
  auto deployed = f.engine->DeploySources({{"failing.smdl", R"(
module failing;
record R { n: int = 0; ratio: int = 0; }
process P for R {
  initial state open {
    on bump { n = n + 1; }
    after duration("1h") -> done { ratio = 10 / n; }
  }
  final state done;
}
)"}});
  REQUIRE(deployed.ok());
  REQUIRE(f.engine->Create("R", "{}").ok());  // R-1: n = 0, its timer divides by zero
  f.clock.Set(T("2026-03-02T09:30:00Z"));
  REQUIRE(f.engine->Create("R", "{}").ok());
  REQUIRE(f.engine->Fire("R-2", "bump").ok());
  auto fired = f.engine->RunDueTimers(T("2026-03-02T12:00:00Z"));
  CHECK(fired.status().code() == StatusCode::kFailedPrecondition);
  CHECK(fired.status().message().find("fired 1 timer(s); 1 could not fire") != std::string::npos);
  CHECK(fired.status().message().find("R-1 after:open:0") != std::string::npos);
  CHECK(f.Get("R-1")["state"] == "open");
  CHECK(f.Get("R-2")["state"] == "done");
  CHECK(f.Get("R-2")["fields"]["ratio"] == 10);
  CHECK(json::parse(*f.engine->PendingTimers()).size() == 1);  // retried by the next run
}

TEST_CASE("limits of zero and the largest acknowledgement", "[runtime]") {
  Fixture f;
  f.Deploy();
  f.Create();
  f.Create();
  CHECK(json::parse(*f.engine->List({"", "", 0})).empty());
  CHECK(json::parse(*f.engine->Outbox(0)).empty());
  REQUIRE(f.engine->Acknowledge(UINT64_MAX).ok());
  CHECK(json::parse(*f.engine->Outbox()).empty());
}

TEST_CASE("the scheduler thread fires due timers by itself", "[runtime]") {
  TempDir dir;
  ManualClock clock(T("2026-03-02T09:00:00Z"));
  EngineOptions options;
  options.clock = &clock;
  options.durability = Durability::kAsync;
  options.run_scheduler = true;
  auto engine = Engine::Open(dir.path(), options);
  REQUIRE(engine.ok());
  REQUIRE((*engine)->DeploySources({{"tickets.smdl", kTicketModule}}).ok());
  auto created = (*engine)->Create("Ticket", R"({"title": "x"})");
  REQUIRE(created.ok());
  clock.Set(T("2026-03-02T13:00:00Z"));  // the 4h answer target is reached
  std::string state;
  for (int i = 0; i < 100 && state != "escalated"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    state = json::parse(*(*engine)->Get("Ticket-1"))["state"];
  }
  CHECK(state == "escalated");
  engine->reset();  // stops the scheduler thread
}

}  // namespace
}  // namespace smdl
