// Records that read each other, and the actor with roles, against a real
// RocksDB in a temporary directory.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/commit_log.h"
#include "runtime/record.h"
#include "smdl/engine.h"
#include "storage/db.h"
#include "test_support.h"

namespace smdl {
namespace {

using nlohmann::json;
using testing::TempDir;

const char* kModule = R"(
module ops;

role cab;

record Change { title: string; approvals: int = 0; }

process ChangeFlow for Change {
  initial state open {
    on approve requires cab { approvals = approvals + 1; }
    on close -> closed;
  }
  final state closed;
}

record Release { change: ref Change; seen: int = 0; copies: int = 0; }

process ReleaseFlow for Release {
  initial state planned {
    // Copies what it reads: a read of a stale version would show in `seen`.
    on look { seen = change.approvals; copies = copies + 1; }
    on ship when change.state == "closed" -> shipped;
  }
  final state shipped;
}
)";

// An engine in a temporary directory with `module` deployed.
struct Ops {
  TempDir dir;
  std::unique_ptr<Engine> engine;

  explicit Ops(Durability durability = Durability::kAsync, const char* module = kModule) {
    EngineOptions options;
    options.durability = durability;
    auto opened = Engine::Open(dir.path(), options);
    REQUIRE(opened.ok());
    engine = std::move(*opened);
    auto deployed = engine->DeploySources({{"module.smdl", module}});
    INFO(deployed.status().message());
    REQUIRE(deployed.ok());
  }
  json Create(const std::string& type, const std::string& fields, const CallOptions& call = {}) {
    auto created = engine->Create(type, fields, call);
    INFO(created.status().message());
    REQUIRE(created.ok());
    return json::parse(*created);
  }
  json History(const std::string& id) { return json::parse(*engine->History(id)); }
  json Get(const std::string& id) { return json::parse(*engine->Get(id)); }
};

CallOptions As(std::string actor, std::vector<std::string> roles = {}) {
  CallOptions call;
  call.actor = std::move(actor);
  call.roles = std::move(roles);
  return call;
}

TEST_CASE("a transition that requires a role names the missing role and the actor's", "[runtime][roles]") {
  Ops ops;
  ops.Create("Change", R"({"title": "patch"})", As("alice"));
  auto denied = ops.engine->Fire("Change-1", "approve", "{}", As("bob", {"service_desk"}));
  REQUIRE(denied.status().code() == StatusCode::kFailedPrecondition);
  CHECK(denied.status().message() ==
        "event 'approve' in state 'open' requires role cab; bob has roles service_desk");
  auto anonymous = ops.engine->Fire("Change-1", "approve");
  CHECK(anonymous.status().message().find("system has no roles") != std::string::npos);
  auto granted = ops.engine->Fire("Change-1", "approve", "{}", As("carol", {"cab", "cab"}));
  REQUIRE(granted.ok());
  CHECK(json::parse(*granted)["fields"]["approvals"] == 1);
  // Who acted and with which roles is in the log; the record keeps its creator.
  json history = ops.History("Change-1");
  CHECK(history[0]["actor"] == "alice");
  CHECK_FALSE(history[0].contains("roles"));
  CHECK(history[1]["actor"] == "carol");
  CHECK(history[1]["roles"] == json::array({"cab"}));
  CHECK(json::parse(*ops.engine->Get("Change-1"))["created_by"] == "alice");
}

TEST_CASE("roles that are not names are refused before anything runs", "[runtime][roles]") {
  Ops ops;
  ops.Create("Change", R"({"title": "patch"})");
  for (const std::string& bad : std::vector<std::string>{"", "two words", "9lives", "cab\n", std::string(65, 'a')}) {
    INFO(bad);
    auto fired = ops.engine->Fire("Change-1", "approve", "{}", As("carol", {bad}));
    CHECK(fired.status().code() == StatusCode::kInvalidArgument);
  }
  std::vector<std::string> many(65, "cab");
  CHECK(ops.engine->Fire("Change-1", "approve", "{}", As("carol", many)).status().code() ==
        StatusCode::kInvalidArgument);
  CHECK(ops.History("Change-1").size() == 1);
}

TEST_CASE("a read through a ref sees the record's state and is recorded with its version", "[runtime][refs]") {
  Ops ops;
  ops.Create("Change", R"({"title": "patch"})");
  ops.Create("Release", R"({"change": "Change-1"})");
  auto early = ops.engine->Fire("Release-1", "ship");
  REQUIRE(early.status().code() == StatusCode::kFailedPrecondition);
  CHECK(early.status().message().find("the guard is false (when change.state == \"closed\")") != std::string::npos);
  REQUIRE(ops.engine->Fire("Change-1", "close").ok());
  REQUIRE(ops.engine->Fire("Release-1", "ship").ok());
  json history = ops.History("Release-1");
  CHECK(history.back()["reads"] == json{{"Change-1", 2}});
  CHECK_FALSE(history[0].contains("reads"));  // creating it read nothing
  CHECK(ops.engine->Verify().ok());
}

TEST_CASE("list pages with after and keeps the records a condition holds for", "[runtime][list]") {
  Ops ops;
  for (int i = 0; i < 5; ++i) ops.Create("Change", R"({"title": "c"})");
  for (int i = 0; i < 3; ++i) REQUIRE(ops.engine->Fire("Change-" + std::to_string(i + 1), "approve", "{}", As("carol", {"cab"})).ok());
  REQUIRE(ops.engine->Fire("Change-2", "approve", "{}", As("carol", {"cab"})).ok());
  ops.Create("Release", R"({"change": "Change-2"})");
  ops.Create("Release", R"({"change": "Change-4"})");
  auto ids = [](const std::string& listed) {
    std::vector<std::string> out;
    for (const auto& r : json::parse(listed)) out.push_back(r["id"]);
    return out;
  };
  ListQuery query;
  query.type = "Change";
  query.limit = 2;
  auto page = ops.engine->List(query);
  REQUIRE(page.ok());
  CHECK(ids(*page) == std::vector<std::string>{"Change-1", "Change-2"});
  query.after = "Change-2";
  CHECK(ids(*ops.engine->List(query)) == std::vector<std::string>{"Change-3", "Change-4"});
  query.after = "Change-4";
  CHECK(ids(*ops.engine->List(query)) == std::vector<std::string>{"Change-5"});
  query.after = "Release-1";
  CHECK(ops.engine->List(query).status().code() == StatusCode::kInvalidArgument);
  query.after = "Change-99";
  CHECK(ops.engine->List(query).status().code() == StatusCode::kInvalidArgument);

  query = ListQuery{};
  query.type = "Change";
  query.where = "approvals >= 1 && id != \"Change-3\"";
  CHECK(ids(*ops.engine->List(query)) == std::vector<std::string>{"Change-1", "Change-2"});
  query.type = "Release";
  query.where = "change.approvals == 2";  // read through the ref
  CHECK(ids(*ops.engine->List(query)) == std::vector<std::string>{"Release-1"});
  query.where = "change.aprovals == 2";
  auto typo = ops.engine->List(query);
  REQUIRE(typo.status().code() == StatusCode::kInvalidArgument);
  CHECK(typo.status().message().find("record Change has no field 'aprovals'") != std::string::npos);
  query.where = "seen";
  CHECK(ops.engine->List(query).status().message().find("must be bool") != std::string::npos);
  query.type = "";
  CHECK(ops.engine->List(query).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("a ref to a missing record is a rejection that names the ref", "[runtime][refs]") {
  Ops ops;
  ops.Create("Release", R"({"change": "Change-404"})");
  auto fired = ops.engine->Fire("Release-1", "look");
  REQUIRE(fired.status().code() == StatusCode::kFailedPrecondition);
  CHECK(fired.status().message() ==
        "event 'look': assigning 'seen' fails: change names Change-404, which does not exist");
  CHECK(ops.History("Release-1").size() == 1);
}

TEST_CASE("a ref to a record of another type is a rejection", "[runtime][refs]") {
  Ops ops;
  ops.Create("Change", R"({"title": "patch"})");
  ops.Create("Release", R"({"change": "Change-1"})");
  ops.Create("Release", R"({"change": "Release-1"})");
  auto fired = ops.engine->Fire("Release-2", "look");
  REQUIRE(fired.status().code() == StatusCode::kFailedPrecondition);
  CHECK(fired.status().message().find("change names Release-1, which is a Release, not a Change") != std::string::npos);
}

TEST_CASE("a commit whose reads went stale fails alone and writes nothing", "[runtime][refs]") {
  TempDir dir;
  auto db = storage::Db::Open(dir.path(), {});
  REQUIRE(db.ok());
  runtime::CommitLog log(**db);
  REQUIRE(log.Load().ok());
  auto write = [&](const std::string& id, uint64_t version, std::map<std::string, uint64_t> reads) {
    runtime::RecordState record;
    record.id = id;
    record.type = "t.R";
    record.state = "s";
    record.version = version;
    runtime::PendingCommit commit;
    commit.batch.Put(storage::Family::kRecords, id, record.ToJson().dump());
    commit.audit.push_back({{"record", id}, {"kind", "event"}});
    commit.reads = std::move(reads);
    commit.writes[id] = version;
    return log.Commit(commit);
  };
  REQUIRE(write("A-1", 1, {}).ok());
  REQUIRE(write("B-1", 1, {{"A-1", 1}, {"C-1", 0}}).ok());  // C-1 read as absent, still absent
  REQUIRE(write("A-1", 2, {}).ok());
  Status stale = write("B-1", 2, {{"A-1", 1}});
  REQUIRE(stale.code() == StatusCode::kAborted);
  CHECK(stale.message() == "record A-1 changed while this operation read it (version 1 read, 2 now)");
  CHECK(log.last_audit_seq() == 3);
  auto stored = (*db)->Get(storage::Family::kRecords, "B-1");
  REQUIRE(stored.ok());
  CHECK(runtime::RecordState::FromJson(**stored)->version == 1);
  REQUIRE(write("B-1", 2, {{"A-1", 2}}).ok());
}

TEST_CASE("a stored record's version is read without decoding it", "[runtime][refs]") {
  runtime::RecordState record;
  record.id = "A-1";
  record.type = "t.A";
  record.version = 42;
  record.fields = {{"meta", {{"version", 7}}}, {"note", "\"version\":9"}};
  CHECK(*runtime::StoredVersion(record.ToJson().dump()) == 42);
  CHECK(runtime::StoredVersion("{}").status().code() == StatusCode::kCorruption);
}

TEST_CASE("concurrent writers of a record and readers of it stay serializable", "[runtime][refs]") {
  Ops ops(Durability::kSync);
  ops.Create("Change", R"({"title": "patch"})");
  const int kReaders = 3, kRounds = 40;
  for (int r = 0; r < kReaders; ++r) ops.Create("Release", R"({"change": "Change-1"})");
  std::atomic<int> failures{0}, aborted{0};
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    for (int i = 0; i < kRounds; ++i)
      if (!ops.engine->Fire("Change-1", "approve", "{}", As("carol", {"cab"})).ok()) ++failures;
  });
  for (int r = 1; r <= kReaders; ++r)
    threads.emplace_back([&, r] {
      for (int i = 0; i < kRounds; ++i) {
        auto fired = ops.engine->Fire("Release-" + std::to_string(r), "look");
        if (fired.status().code() == StatusCode::kAborted) ++aborted;
        else if (!fired.ok()) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  // Every look that committed read a version that was current when it
  // committed: verify replays the log in order and checks each read.
  auto verified = ops.engine->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
  int copies = 0;
  for (int r = 1; r <= kReaders; ++r)
    copies += json::parse(*ops.engine->Get("Release-" + std::to_string(r)))["fields"]["copies"].get<int>();
  CHECK(copies + aborted == kReaders * kRounds);
}

const char* kCascadeModule = R"(
module desk;

record Problem { count: int = 0; limit: int = 1000; }
process ProblemFlow for Problem {
  initial state open {
    on counted when count < limit { count = count + 1; }
    on bump { count = count + 1; }
    on close -> closed;
  }
  final state closed;
}

record Task { problem: ref Problem; done: int = 0; }
process TaskFlow for Task {
  initial state open {
    on finish { done = done + 1; fire problem.counted(); }
    on spawn { let t = create Task { problem: problem }; emit "spawned" { task: t }; }
    on close -> closed;
  }
  final state closed;
}
)";

// The cascade module's engine.
struct Desk : Ops {
  explicit Desk(Durability durability = Durability::kAsync) : Ops(durability, kCascadeModule) {}
};

TEST_CASE("a cascade commits every record it touches, or none", "[runtime][cascade]") {
  Desk desk;
  REQUIRE(desk.engine->Create("Problem", R"({"limit": 1})").ok());
  REQUIRE(desk.engine->Create("Task", R"({"problem": "Problem-1"})").ok());
  REQUIRE(desk.engine->Fire("Task-1", "finish").ok());
  CHECK(desk.Get("Task-1")["fields"]["done"] == 1);
  CHECK(desk.Get("Problem-1")["fields"]["count"] == 1);
  json history = json::parse(*desk.engine->History("Problem-1"));
  REQUIRE(history.size() == 2);
  json task_history = json::parse(*desk.engine->History("Task-1"));
  CHECK(history[1]["cause"] == task_history[1]["seq"]);
  CHECK(history[1]["seq"] == task_history[1]["seq"].get<uint64_t>() + 1);
  // The problem's guard now fails: the task's own transition is undone too.
  auto refused = desk.engine->Fire("Task-1", "finish");
  REQUIRE(refused.status().code() == StatusCode::kFailedPrecondition);
  CHECK(refused.status().message().rfind("fire Problem-1.counted (caused by Task-1 finish): ", 0) == 0);
  CHECK(desk.Get("Task-1")["fields"]["done"] == 1);
  CHECK(desk.Get("Task-1")["version"] == 2);
  CHECK(json::parse(*desk.engine->History("Task-1")).size() == 2);
  CHECK(desk.engine->Verify().ok());
}

TEST_CASE("a created record's id is known to the action and its message", "[runtime][cascade]") {
  Desk desk;
  REQUIRE(desk.engine->Create("Problem", "{}").ok());
  REQUIRE(desk.engine->Create("Task", R"({"problem": "Problem-1"})").ok());
  REQUIRE(desk.engine->Fire("Task-1", "spawn").ok());
  CHECK(desk.Get("Task-2")["fields"]["problem"] == "Problem-1");
  json outbox = json::parse(*desk.engine->Outbox());
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0]["payload"]["task"] == "Task-2");
  json spawn = json::parse(*desk.engine->History("Task-1")).back();
  CHECK(spawn["creates"] == json::array({"Task-2"}));
  CHECK(outbox[0]["audit_seq"] == spawn["seq"]);
  CHECK(desk.engine->Verify().ok());
}

TEST_CASE("cascades and direct fires on one record lose no update", "[runtime][cascade]") {
  Desk desk(Durability::kSync);
  REQUIRE(desk.engine->Create("Problem", "{}").ok());
  const int kTasks = 3, kRounds = 30;
  for (int t = 0; t < kTasks; ++t) REQUIRE(desk.engine->Create("Task", R"({"problem": "Problem-1"})").ok());
  std::atomic<int> failures{0}, aborted{0};
  std::vector<std::thread> threads;
  for (int t = 1; t <= kTasks; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        auto fired = desk.engine->Fire("Task-" + std::to_string(t), "finish");
        if (fired.status().code() == StatusCode::kAborted) ++aborted;
        else if (!fired.ok()) ++failures;
      }
    });
  threads.emplace_back([&] {
    for (int i = 0; i < kRounds; ++i) {
      auto fired = desk.engine->Fire("Problem-1", "bump");
      if (fired.status().code() == StatusCode::kAborted) ++aborted;
      else if (!fired.ok()) ++failures;
    }
  });
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  int done = 0;
  for (int t = 1; t <= kTasks; ++t) done += desk.Get("Task-" + std::to_string(t))["fields"]["done"].get<int>();
  // Every finish that committed counted once on the problem, every bump too.
  CHECK(desk.Get("Problem-1")["fields"]["count"].get<int>() + aborted == kTasks * kRounds + kRounds);
  CHECK(done <= kTasks * kRounds);
  auto verified = desk.engine->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
}

const char* kTeamsV1 = R"(
module teams;
record Member { team: string; load: int = 1; busy: int = 0; }
process Membership for Member {
  initial state active {
    on measure { busy = records(Member).filter(m, m.team == team).map(m, m.load).sum(); }
    on move(to: string) { team = to; }
    on leave -> gone;
  }
  final state gone;
}
)";

TEST_CASE("a deploy that declares an index builds it for the records there are", "[runtime][query]") {
  TempDir dir;
  auto opened = Engine::Open(dir.path(), {});
  REQUIRE(opened.ok());
  Engine& engine = **opened;
  REQUIRE(engine.DeploySources({{"teams.smdl", kTeamsV1}}).ok());
  for (const char* team : {"red", "red", "blue", "red"})
    REQUIRE(engine.Create("Member", std::string(R"({"team": ")") + team + R"("})").ok());
  REQUIRE(engine.Fire("Member-1", "measure").ok());
  CHECK(json::parse(*engine.Get("Member-1"))["fields"]["busy"] == 3);
  // Version 2 adds the index: the deploy writes an entry for each of the four.
  std::string v2 = std::string(kTeamsV1);
  v2.replace(v2.find("busy: int = 0; }"), 16, "busy: int = 0; index by team; }");
  REQUIRE(engine.DeploySources({{"teams.smdl", v2}}).ok());
  REQUIRE(engine.Create("Member", R"({"team": "blue"})").ok());  // on version 2
  REQUIRE(engine.Fire("Member-5", "measure").ok());
  CHECK(json::parse(*engine.Get("Member-5"))["fields"]["busy"] == 2);
  // A record on version 1 moves: its index entry moves with it.
  REQUIRE(engine.Fire("Member-2", "move", R"({"to": "blue"})").ok());
  REQUIRE(engine.Fire("Member-5", "measure").ok());
  CHECK(json::parse(*engine.Get("Member-5"))["fields"]["busy"] == 3);
  auto verified = engine.Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
}

TEST_CASE("a commit whose query would now find other records fails alone", "[runtime][query]") {
  TempDir dir;
  auto db = storage::Db::Open(dir.path(), {});
  REQUIRE(db.ok());
  runtime::CommitLog log(**db);
  REQUIRE(log.Load().ok());
  auto commit = [&](const std::string& id, std::vector<runtime::IndexScan> scans, std::string put_key) {
    runtime::PendingCommit c;
    runtime::RecordState record;
    record.id = id;
    record.type = "t.R";
    record.version = 1;
    c.batch.Put(storage::Family::kRecords, id, record.ToJson().dump());
    if (!put_key.empty()) {
      c.batch.Put(storage::Family::kLookup, put_key, "");
      c.index_changes.emplace_back(storage::Family::kLookup, put_key, true);
    }
    c.audit.push_back({{"record", id}, {"kind", "event"}});
    c.scans = std::move(scans);
    return log.Commit(c);
  };
  std::string prefix = std::string("t.R\0team\0\"red\"\0", 15);
  REQUIRE(commit("A-1", {}, prefix + "A-1").ok());
  // A query that found A-1 alone still holds.
  REQUIRE(commit("Q-1", {{storage::Family::kLookup, prefix, {prefix + "A-1"}}}, "").ok());
  REQUIRE(commit("A-2", {}, prefix + "A-2").ok());
  // The same result is stale now: A-2 came.
  Status phantom = commit("Q-1", {{storage::Family::kLookup, prefix, {prefix + "A-1"}}}, "");
  REQUIRE(phantom.code() == StatusCode::kAborted);
  CHECK(phantom.message().find("records came or went") != std::string::npos);
  // A result that names a record the index no longer holds is stale too.
  Status gone = commit("Q-1", {{storage::Family::kLookup, prefix, {prefix + "A-1", prefix + "A-2", prefix + "A-3"}}}, "");
  REQUIRE(gone.code() == StatusCode::kAborted);
  // And one that matches, in order, holds.
  CHECK(commit("Q-1", {{storage::Family::kLookup, prefix, {prefix + "A-1", prefix + "A-2"}}}, "").ok());
}

const char* kCrew = R"(
module crew;
record Member { team: string; load: int = 1; busy: int = 0; index by team; }
process Membership for Member {
  initial state active {
    on measure { busy = records(Member).filter(m, m.team == team).map(m, m.load).sum(); }
    on carry(n: int) { load = n; }
    on leave -> gone;
  }
  final state gone;
}
)";

// The query index entries of `dir` (key -> value), read with the engine closed.
std::map<std::string, std::string> LookupEntries(const std::string& dir) {
  std::map<std::string, std::string> out;
  auto db = storage::Db::Open(dir, {});
  REQUIRE(db.ok());
  REQUIRE((*db)->Scan(storage::Family::kLookup, "", "", [&](std::string_view k, std::string_view v) {
    out.emplace(k, v);
    return true;
  }).ok());
  return out;
}
void PutLookupEntries(const std::string& dir, const std::map<std::string, std::string>& entries) {
  auto db = storage::Db::Open(dir, {});
  REQUIRE(db.ok());
  storage::WriteBatch batch;
  for (const auto& [k, v] : entries) batch.Put(storage::Family::kLookup, k, v);
  REQUIRE((*db)->Write(batch).ok());
}

TEST_CASE("a query reads its records from the index entries, which change with every write", "[runtime][query]") {
  TempDir dir;
  auto open = [&] {
    auto opened = Engine::Open(dir.path(), {});
    REQUIRE(opened.ok());
    return std::move(*opened);
  };
  auto busy = [](Engine& engine, const std::string& id) {
    auto fired = engine.Fire(id, "measure");
    INFO(fired.status().message());
    REQUIRE(fired.ok());
    return json::parse(*engine.Get(id))["fields"]["busy"].get<int>();
  };
  {
    auto engine = open();
    REQUIRE(engine->DeploySources({{"crew.smdl", kCrew}}).ok());
    for (const char* team : {"red", "red", "blue", "red"})
      REQUIRE(engine->Create("Member", std::string(R"({"team": ")") + team + R"("})").ok());
    // A write that keeps the record's place in the index still rewrites its entry.
    REQUIRE(engine->Fire("Member-2", "carry", R"({"n": 5})").ok());
    CHECK(busy(*engine, "Member-1") == 7);
    CHECK(engine->Verify().ok());
  }
  // Each entry carries its record's stored text.
  auto entries = LookupEntries(dir.path());
  REQUIRE(entries.size() == 4);
  for (const auto& [key, value] : entries) {
    auto record = runtime::RecordState::FromJson(value);
    REQUIRE(record.ok());
    CHECK(record->id == runtime::IdOfKey(key));
  }
  {
    // Entries written before they carried the record hold nothing: those
    // records are read by id, and verify accepts them.
    std::map<std::string, std::string> legacy;
    for (const auto& [key, value] : entries) legacy[key] = "";
    PutLookupEntries(dir.path(), legacy);
    auto engine = open();
    CHECK(busy(*engine, "Member-4") == 7);
    REQUIRE(engine->Fire("Member-2", "carry", R"({"n": 4})").ok());  // its entry carries it again
    CHECK(busy(*engine, "Member-1") == 6);
    auto verified = engine->Verify();
    INFO(verified.status().message());
    CHECK(verified.ok());
  }
  {
    // An entry that carries another text than its record's is found.
    entries = LookupEntries(dir.path());
    std::string key_of_2;
    for (const auto& [key, value] : entries)
      if (runtime::IdOfKey(key) == "Member-2") key_of_2 = key;
    REQUIRE(!entries[key_of_2].empty());
    std::string forged = entries[key_of_2];
    forged.replace(forged.find("\"load\":4"), 8, "\"load\":9");
    PutLookupEntries(dir.path(), {{key_of_2, forged}});
    auto engine = open();
    auto verified = engine->Verify();
    REQUIRE(!verified.ok());
    CHECK(verified.status().message().find("the query index entry of Member-2 was altered") != std::string::npos);
  }
}

}  // namespace
}  // namespace smdl
