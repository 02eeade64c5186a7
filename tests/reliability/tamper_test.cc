// Tampering and damage, as someone with write access to the database files
// would do it (through RocksDB, with the engine closed), family by family:
// `verify` names what was changed, and what it cannot see on its own (a log
// rewritten with every hash recomputed, its last entries removed whole) an
// anchor taken before shows. Also: a damaged write-ahead log or a missing
// CURRENT file stops the open, and Recover keeps what can be read.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <functional>

#include <nlohmann/json.hpp>

#include "runtime/commit_log.h"
#include "runtime/record.h"
#include "smdl/engine.h"
#include "storage/db.h"
#include "test_support.h"

namespace smdl {
namespace {

using nlohmann::json;
using storage::Family;
namespace fs = std::filesystem;

using testing::TempDir;

const char* kModule = R"(
module desk;
record Ticket { title: string; n: int = 0; owner: string?; }
process Flow for Ticket {
  on create { emit "ticket.created" { title: title }; }
  initial state open {
    on bump { n = n + 1; }
    on take(who: string) -> working { owner = who; emit "ticket.taken" { who: who }; }
  }
  state working {
    after duration("4h") -> open;
    on done -> closed;
  }
  final state closed;
}
)";

struct Desk {
  TempDir dir;
  ManualClock clock{testing::T("2026-03-02T09:00:00Z")};
  std::unique_ptr<Engine> engine;

  Desk() {
    Open();
    REQUIRE(engine->DeploySources({{"desk.smdl", kModule}}).ok());
    REQUIRE(engine->Create("Ticket", R"({"title": "printer"})").ok());
    REQUIRE(engine->Fire("Ticket-1", "bump").ok());
    REQUIRE(engine->Fire("Ticket-1", "take", R"({"who": "ann"})").ok());
    REQUIRE(engine->Create("Ticket", R"({"title": "vpn"})").ok());
    REQUIRE(engine->Fire("Ticket-2", "bump").ok());
  }
  void Open(Durability durability = Durability::kAsync) {
    engine.reset();
    EngineOptions options;
    options.clock = &clock;
    options.durability = durability;
    options.create_if_missing = true;
    auto opened = Engine::Open(dir.path(), options);
    INFO(opened.status().message());
    REQUIRE(opened.ok());
    engine = std::move(*opened);
  }
  // The verify summary's head, as an anchor.
  AuditAnchor Head() {
    auto summary = engine->Verify();
    INFO(summary.status().message());
    REQUIRE(summary.ok());
    json head = json::parse(*summary)["head"];
    return {head["seq"].get<uint64_t>(), head["hash"].get<std::string>()};
  }
  // Closes the engine, changes the stored families, opens it again.
  void Tamper(const std::function<void(storage::Db&)>& change) {
    engine.reset();
    storage::DbOptions options;
    options.create_if_missing = false;
    auto db = storage::Db::Open(dir.path(), options);
    REQUIRE(db.ok());
    change(**db);
    db->reset();
    Open();
  }
  Status Verify(std::vector<AuditAnchor> anchors = {}) {
    VerifyOptions options;
    options.anchors = std::move(anchors);
    return engine->Verify(options).status();
  }
};

std::string Get(storage::Db& db, Family family, const std::string& key) {
  auto value = db.Get(family, key);
  REQUIRE(value.ok());
  REQUIRE(value->has_value());
  return **value;
}

void Put(storage::Db& db, Family family, const std::string& key, const std::string& value) {
  storage::WriteBatch batch;
  batch.Put(family, key, value);
  REQUIRE(db.Write(batch).ok());
}

void Delete(storage::Db& db, Family family, const std::string& key) {
  storage::WriteBatch batch;
  batch.Delete(family, key);
  REQUIRE(db.Write(batch).ok());
}

std::vector<std::pair<std::string, std::string>> All(storage::Db& db, Family family) {
  std::vector<std::pair<std::string, std::string>> out;
  REQUIRE(db.Scan(family, "", "", [&](std::string_view k, std::string_view v) {
    out.emplace_back(std::string(k), std::string(v));
    return true;
  }).ok());
  return out;
}

// Rewrites the audit log from entry `from` on with every hash recomputed:
// what someone who knows the hashing scheme does to hide a change.
void Rehash(storage::Db& db, std::vector<json> entries) {
  std::string prev = runtime::kGenesisHash;
  storage::WriteBatch batch;
  for (json& entry : entries) {
    entry["prev"] = prev;
    entry.erase("hash");
    entry["hash"] = runtime::AuditHash(entry);
    prev = entry["hash"];
    batch.Put(Family::kAudit, storage::EncodeU64(entry["seq"].get<uint64_t>()), entry.dump());
  }
  REQUIRE(db.Write(batch).ok());
}

std::vector<json> AuditEntries(storage::Db& db) {
  std::vector<json> entries;
  for (const auto& [key, value] : All(db, Family::kAudit)) entries.push_back(json::parse(value));
  return entries;
}

void RequireCorruption(const Status& status, const std::string& says) {
  INFO(status.message());
  REQUIRE(status.code() == StatusCode::kCorruption);
  CHECK(status.message().find(says) != std::string::npos);
}

TEST_CASE("an intact database verifies, with its head", "[reliability][tamper]") {
  Desk desk;
  REQUIRE(desk.Verify().ok());
  AuditAnchor head = desk.Head();
  CHECK(head.seq == 6);  // a deploy and five operations
  CHECK(desk.Verify({head}).ok());
}

TEST_CASE("definitions: an edited rule never runs, and verify names it", "[reliability][tamper]") {
  Desk desk;
  auto edit = [](storage::Db& db, bool rehash_stored) {
    json doc = json::parse(Get(db, Family::kDefinitions, storage::EncodeU64(1)));
    std::string source = doc["modules"][0]["source"];
    size_t at = source.find("n = n + 1");
    REQUIRE(at != std::string::npos);
    source.replace(at, 9, "n = n + 9");
    doc["modules"][0]["source"] = source;
    if (rehash_stored) {  // the stored hashes made to match the edit
      doc["modules"][0]["hash"] = "0";
      doc["hash"] = "0";
    }
    Put(db, Family::kDefinitions, storage::EncodeU64(1), doc.dump());
  };
  bool rehash = GENERATE(false, true);
  desk.Tamper([&](storage::Db& db) { edit(db, rehash); });
  auto fired = desk.engine->Fire("Ticket-2", "bump");
  RequireCorruption(fired.status(), "its sources were altered");
  RequireCorruption(desk.Verify(), "definition version 1");
}

TEST_CASE("definitions: a version no deploy stored, and a moved current version", "[reliability][tamper]") {
  Desk desk;
  SECTION("an extra version") {
    desk.Tamper([](storage::Db& db) {
      Put(db, Family::kDefinitions, storage::EncodeU64(2), Get(db, Family::kDefinitions, storage::EncodeU64(1)));
    });
    RequireCorruption(desk.Verify(), "definition version 2 was not stored by a deploy");
  }
  SECTION("the current version moved") {
    desk.engine.reset();
    {
      storage::DbOptions options;
      auto db = storage::Db::Open(desk.dir.path(), options);
      REQUIRE(db.ok());
      Put(**db, Family::kMeta, "definition/current", storage::EncodeU64(2));
    }
    auto opened = Engine::Open(desk.dir.path());
    RequireCorruption(opened.status(), "the audit log's last deploy made it 1");
  }
}

TEST_CASE("audit: an altered entry, and a rewritten log that only an anchor shows", "[reliability][tamper]") {
  Desk desk;
  AuditAnchor anchor = desk.Head();
  SECTION("an actor altered in place") {
    desk.Tamper([](storage::Db& db) {
      json entry = json::parse(Get(db, Family::kAudit, storage::EncodeU64(3)));
      entry["actor"] = "mallory";
      Put(db, Family::kAudit, storage::EncodeU64(3), entry.dump());
    });
    RequireCorruption(desk.Verify(), "audit entry 3: its hash does not match its content");
  }
  SECTION("an actor altered and every hash after it recomputed") {
    desk.Tamper([](storage::Db& db) {
      auto entries = AuditEntries(db);
      entries[2]["actor"] = "mallory";
      Rehash(db, entries);
    });
    CHECK(desk.Verify().ok());  // what the log alone cannot show
    RequireCorruption(desk.Verify({anchor}), "is not the entry that was anchored");
  }
  SECTION("two entries of different records swapped and rehashed") {
    desk.Tamper([](storage::Db& db) {
      auto entries = AuditEntries(db);
      std::swap(entries[3], entries[4]);  // Ticket-1's take and Ticket-2's create
      entries[3]["seq"] = 4;
      entries[4]["seq"] = 5;
      Rehash(db, entries);
    });
    // Their history index entries no longer match.
    RequireCorruption(desk.Verify(), "the history family");
    RequireCorruption(desk.Verify({anchor}), "is not the entry that was anchored");
  }
  SECTION("the last entry deleted with its record and everything derived from it") {
    desk.Tamper([](storage::Db& db) {
      // Ticket-2's bump (entry 6) undone: its record as before, the entry and its index gone.
      Delete(db, Family::kAudit, storage::EncodeU64(6));
      Delete(db, Family::kHistory, runtime::HistoryKey("Ticket-2", 6));
      json record = json::parse(Get(db, Family::kRecords, "Ticket-2"));
      record["fields"]["n"] = 0;
      record["version"] = record["version"].get<uint64_t>() - 1;
      Put(db, Family::kRecords, "Ticket-2", record.dump());
    });
    auto verified = desk.Verify();
    if (verified.ok()) {
      RequireCorruption(desk.Verify({anchor}), "entries were removed");
    } else {
      // The record's stored times still show the deleted operation.
      RequireCorruption(verified, "Ticket-2");
    }
  }
}

// A database in `dir` with `module` deployed and `steps` run; it verifies.
void Seed(const std::string& dir, const std::string& module, const std::function<void(Engine&)>& steps) {
  auto opened = Engine::Open(dir, {});
  REQUIRE(opened.ok());
  REQUIRE((*opened)->DeploySources({{"module.smdl", module}}).ok());
  steps(**opened);
  REQUIRE((*opened)->Verify().ok());
}

// Changes the stored families of the closed database in `dir`.
void TamperWith(const std::string& dir, const std::function<void(storage::Db&)>& change) {
  storage::DbOptions options;
  options.create_if_missing = false;
  auto db = storage::Db::Open(dir, options);
  REQUIRE(db.ok());
  change(**db);
}

Status VerifyAt(const std::string& dir) {
  auto opened = Engine::Open(dir, {});
  REQUIRE(opened.ok());
  return (*opened)->Verify().status();
}

TEST_CASE("audit: an entry that says it read another version than it did", "[reliability][tamper]") {
  TempDir dir;
  Seed(dir.path(), R"(
module refs;
record Change { n: int = 0; }
process C for Change { initial state open { on bump { n = n + 1; } on close -> closed; } final state closed; }
record Release { change: ref Change; seen: int = 0; }
process R for Release { initial state open { on look { seen = change.n; } on close -> closed; } final state closed; }
)", [](Engine& engine) {
    REQUIRE(engine.Create("Change", "{}").ok());
    REQUIRE(engine.Create("Release", R"({"change": "Change-1"})").ok());
    REQUIRE(engine.Fire("Change-1", "bump").ok());
    REQUIRE(engine.Fire("Release-1", "look").ok());
  });
  TamperWith(dir.path(), [](storage::Db& db) {
    auto entries = AuditEntries(db);
    REQUIRE(entries.back()["reads"] == json{{"Change-1", 2}});
    // The look moved before the bump it read, every hash recomputed.
    std::swap(entries[3], entries[4]);
    entries[3]["seq"] = 4;
    entries[4]["seq"] = 5;
    Rehash(db, entries);
    Delete(db, Family::kHistory, runtime::HistoryKey("Change-1", 4));
    Delete(db, Family::kHistory, runtime::HistoryKey("Release-1", 5));
    Put(db, Family::kHistory, runtime::HistoryKey("Release-1", 4), "");
    Put(db, Family::kHistory, runtime::HistoryKey("Change-1", 5), "");
  });
  RequireCorruption(VerifyAt(dir.path()),
                    "record Release-1: replaying audit entry 4 reads other records than the log says");
}

TEST_CASE("audit: an operation a cascade caused, removed from the log", "[reliability][tamper]") {
  TempDir dir;
  Seed(dir.path(), R"(
module cascade;
record Problem { n: int = 0; }
process P for Problem { initial state open { on counted { n = n + 1; } on close -> closed; } final state closed; }
record Task { problem: ref Problem; }
process T for Task { initial state open { on finish -> closed { fire problem.counted(); } } final state closed; }
)", [](Engine& engine) {
    REQUIRE(engine.Create("Problem", "{}").ok());
    REQUIRE(engine.Create("Task", R"({"problem": "Problem-1"})").ok());
    REQUIRE(engine.Fire("Task-1", "finish").ok());
  });
  TamperWith(dir.path(), [](storage::Db& db) {
    auto entries = AuditEntries(db);
    REQUIRE(entries.back()["cause"] == 4);
    // The problem's counted (entry 5) removed with all it changed, as if never caused.
    Delete(db, Family::kAudit, storage::EncodeU64(5));
    Delete(db, Family::kHistory, runtime::HistoryKey("Problem-1", 5));
    json problem = json::parse(Get(db, Family::kRecords, "Problem-1"));
    problem["fields"]["n"] = 0;
    problem["version"] = 1;
    problem["updated_at"] = problem["created_at"];
    Put(db, Family::kRecords, "Problem-1", problem.dump());
  });
  RequireCorruption(VerifyAt(dir.path()), "audit entry 4 caused an event on Problem-1, which the log lacks");
}

TEST_CASE("the query index: an entry deleted, and one added", "[reliability][tamper]") {
  TempDir dir;
  Seed(dir.path(), R"(
module teams;
record Member { team: string; index by team; }
process M for Member { initial state active { on leave -> gone; } final state gone; }
)", [](Engine& engine) {
    REQUIRE(engine.Create("Member", R"({"team": "red"})").ok());
    REQUIRE(engine.Create("Member", R"({"team": "blue"})").ok());
  });
  SECTION("deleted: a query would miss the record") {
    TamperWith(dir.path(), [](storage::Db& db) {
      Delete(db, Family::kLookup, std::string("teams.Member\0team\0\"red\"\0Member-1", 32));
    });
    RequireCorruption(VerifyAt(dir.path()), "the lookup family lacks the query index entry of Member-1");
  }
  SECTION("added: a query would find a record that does not match") {
    TamperWith(dir.path(), [](storage::Db& db) {
      Put(db, Family::kLookup, std::string("teams.Member\0team\0\"red\"\0Member-2", 32), "");
    });
    RequireCorruption(VerifyAt(dir.path()), "which the audit log does not account for");
  }
}

TEST_CASE("the families verify derives from the log", "[reliability][tamper]") {
  Desk desk;
  SECTION("history: an entry deleted") {
    desk.Tamper([](storage::Db& db) { Delete(db, Family::kHistory, runtime::HistoryKey("Ticket-1", 3)); });
    RequireCorruption(desk.Verify(), "lacks the history entry of audit entry 3 (record Ticket-1)");
    // and history no longer silently omits it: verify is what says so
  }
  SECTION("history: an entry added") {
    desk.Tamper([](storage::Db& db) { Put(db, Family::kHistory, runtime::HistoryKey("Ticket-2", 3), ""); });
    RequireCorruption(desk.Verify(), "history family holds the history entry of audit entry 3 (record Ticket-2)");
  }
  SECTION("history: a flipped byte in a value") {
    desk.Tamper([](storage::Db& db) { Put(db, Family::kHistory, runtime::HistoryKey("Ticket-1", 3), "x"); });
    RequireCorruption(desk.Verify(), "was altered");
  }
  SECTION("timers: one deleted") {
    desk.Tamper([](storage::Db& db) {
      auto timers = All(db, Family::kTimers);
      REQUIRE(timers.size() == 1);
      Delete(db, Family::kTimers, timers[0].first);
    });
    RequireCorruption(desk.Verify(), "the timers family lacks timer after:working:0 of Ticket-1");
  }
  SECTION("timers: a flipped byte in one") {
    desk.Tamper([](storage::Db& db) {
      auto timers = All(db, Family::kTimers);
      std::string value = timers[0].second;
      value[value.size() / 2] ^= 1;
      Put(db, Family::kTimers, timers[0].first, value);
    });
    RequireCorruption(desk.Verify(), "was altered");
  }
  SECTION("timers: one moved earlier") {
    desk.Tamper([](storage::Db& db) {
      auto timers = All(db, Family::kTimers);
      std::string key = timers[0].first;
      Delete(db, Family::kTimers, key);
      key[7] ^= 1;
      Put(db, Family::kTimers, key, timers[0].second);
    });
    RequireCorruption(desk.Verify(), "the timers family");
  }
  SECTION("list index: an entry deleted") {
    desk.Tamper([](storage::Db& db) { Delete(db, Family::kIndex, runtime::IndexKey("desk.Ticket", "open", "Ticket-2")); });
    RequireCorruption(desk.Verify(), "lacks the list entry of Ticket-2");
  }
  SECTION("list index: a record listed in a state it is not in") {
    desk.Tamper([](storage::Db& db) { Put(db, Family::kIndex, runtime::IndexKey("desk.Ticket", "closed", "Ticket-2"), ""); });
    RequireCorruption(desk.Verify(), "holds the list entry of Ticket-2 (desk.Ticket in state 'closed')");
  }
  SECTION("outbox: a message altered") {
    desk.Tamper([](storage::Db& db) {
      auto messages = All(db, Family::kOutbox);
      REQUIRE(messages.size() == 3);
      json m = json::parse(messages[1].second);
      m["payload"]["who"] = "mallory";
      Put(db, Family::kOutbox, messages[1].first, m.dump());
    });
    RequireCorruption(desk.Verify(), "outbox message 2 is not a message that audit entry");
  }
  SECTION("outbox: a message added") {
    desk.Tamper([](storage::Db& db) {
      auto messages = All(db, Family::kOutbox);
      json m = json::parse(messages[0].second);
      m["seq"] = 9;
      Put(db, Family::kOutbox, storage::EncodeU64(9), m.dump());
    });
    RequireCorruption(desk.Verify(), "the outbox counter is behind message 9");
  }
  SECTION("meta: an id counter set back") {
    desk.Tamper([](storage::Db& db) { Put(db, Family::kMeta, "ids/Ticket", storage::EncodeU64(1)); });
    RequireCorruption(desk.Verify(), "the id counter ids/Ticket is behind");
  }
  SECTION("records: a field altered") {
    desk.Tamper([](storage::Db& db) {
      json record = json::parse(Get(db, Family::kRecords, "Ticket-1"));
      record["fields"]["owner"] = "mallory";
      Put(db, Family::kRecords, "Ticket-1", record.dump());
    });
    RequireCorruption(desk.Verify(), "record Ticket-1 differs from the replay of its history (fields)");
  }
}

TEST_CASE("signed checkpoints", "[reliability][tamper]") {
  Desk desk;
  const std::string key = "a secret of the administrators";
  auto checkpoint = desk.engine->Checkpoint(key);
  INFO(checkpoint.status().message());
  REQUIRE(checkpoint.ok());
  auto anchor = Engine::ReadCheckpoint(*checkpoint, key);
  REQUIRE(anchor.ok());
  CHECK(anchor->seq == 6);
  CHECK(desk.Verify({*anchor}).ok());

  CHECK(Engine::ReadCheckpoint(*checkpoint, "another key").status().code() == StatusCode::kInvalidArgument);
  json forged = json::parse(*checkpoint);
  forged["seq"] = 5;
  CHECK(Engine::ReadCheckpoint(forged.dump(), key).status().code() == StatusCode::kInvalidArgument);
  CHECK(Engine::ReadCheckpoint("{", key).status().code() == StatusCode::kInvalidArgument);
  CHECK(desk.engine->Checkpoint("").status().code() == StatusCode::kInvalidArgument);

  // A checkpoint of a database that does not verify is refused.
  desk.Tamper([](storage::Db& db) { Delete(db, Family::kHistory, runtime::HistoryKey("Ticket-1", 3)); });
  CHECK(desk.engine->Checkpoint(key).status().code() == StatusCode::kCorruption);
}

// The newest write-ahead log file that holds something.
std::string LiveLog(const std::string& dir) {
  std::string newest;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::string name = entry.path().filename().string();
    if (name.ends_with(".log") && fs::file_size(entry.path()) > 0 && name > fs::path(newest).filename().string())
      newest = entry.path().string();
  }
  REQUIRE(!newest.empty());
  return newest;
}

TEST_CASE("a damaged write-ahead log stops the open; recover keeps what can be read", "[reliability][damage]") {
  Desk desk;
  desk.Open(Durability::kSync);
  REQUIRE(desk.engine->Create("Ticket", R"({"title": "the last one"})").ok());  // Ticket-3, acknowledged
  desk.engine.reset();

  std::string log = LiveLog(desk.dir.path());
  {
    std::fstream file(log, std::ios::in | std::ios::out | std::ios::binary);
    file.seekg(-10, std::ios::end);  // inside the payload of the last record
    char byte = 0;
    file.read(&byte, 1);
    byte ^= 0x20;
    file.seekp(-10, std::ios::end);
    file.write(&byte, 1);
  }
  for (bool read_only : {false, true}) {
    EngineOptions options;
    options.read_only = read_only;
    auto opened = Engine::Open(desk.dir.path(), options);
    RequireCorruption(opened.status(), "smdl recover");
  }

  auto report = Engine::Recover(desk.dir.path());
  INFO(report.status().message());
  REQUIRE(report.ok());
  json r = json::parse(*report);
  CHECK(r["truncated_log"] == true);
  CHECK(r["verify"]["chain"] == "intact");

  desk.Open();
  CHECK(desk.engine->Get("Ticket-3").status().code() == StatusCode::kNotFound);  // the damaged write is gone, whole
  CHECK(desk.engine->Get("Ticket-2").ok());
  CHECK(desk.Verify().ok());
  REQUIRE(desk.engine->Fire("Ticket-2", "bump").ok());  // and it goes on
}

TEST_CASE("a missing CURRENT file stops the open; recover rebuilds it", "[reliability][damage]") {
  Desk desk;
  desk.engine.reset();
  fs::remove(fs::path(desk.dir.path()) / "CURRENT");
  for (bool create : {false, true}) {
    EngineOptions options;
    options.create_if_missing = create;  // not even a deploy makes a new, empty database here
    RequireCorruption(Engine::Open(desk.dir.path(), options).status(), "CURRENT file is missing");
  }
  auto report = Engine::Recover(desk.dir.path());
  INFO(report.status().message());
  REQUIRE(report.ok());
  CHECK(json::parse(*report)["restored_current"] == true);
  desk.Open();
  auto ticket = desk.engine->Get("Ticket-2");
  REQUIRE(ticket.ok());
  CHECK(json::parse(*ticket)["fields"]["n"] == 1);
  CHECK(desk.Verify().ok());
}

TEST_CASE("a creation killed before its first commit leaves no damaged database", "[reliability][damage]") {
  // What a creation writes before CURRENT exists: nothing was acknowledged.
  TempDir dir;
  for (const char* name : {"LOG", "LOCK", "IDENTITY", "MANIFEST-000001", "OPTIONS-000005.dbtmp"})
    std::ofstream(dir.path() + "/" + name);
  EngineOptions options;
  options.create_if_missing = false;
  CHECK(Engine::Open(dir.path(), options).status().code() == StatusCode::kNotFound);
  options.create_if_missing = true;
  auto opened = Engine::Open(dir.path(), options);
  INFO(opened.status().message());
  REQUIRE(opened.ok());
  CHECK((*opened)->DeploySources({{"desk.smdl", kModule}}).ok());
  // With data in a log, the same directory is a damaged database instead.
  TempDir damaged;
  std::ofstream(damaged.path() + "/LOG");
  std::ofstream(damaged.path() + "/000004.log");
  CHECK(Engine::Open(damaged.path(), options).status().code() == StatusCode::kCorruption);
}

TEST_CASE("only a create opens a database that is not there", "[reliability][damage]") {
  TempDir dir;
  std::string missing = dir.path() + "/typo";
  for (bool read_only : {false, true}) {
    EngineOptions options;
    options.create_if_missing = false;
    options.read_only = read_only;
    CHECK(Engine::Open(missing, options).status().code() == StatusCode::kNotFound);
  }
  CHECK(!fs::exists(missing));
  EngineOptions options;
  options.create_if_missing = true;
  options.read_only = true;  // reading never creates
  CHECK(Engine::Open(missing, options).status().code() == StatusCode::kNotFound);
  // A directory with other files is not taken over.
  fs::create_directories(dir.path() + "/other");
  std::ofstream(dir.path() + "/other/notes.txt") << "hello";
  CHECK(Engine::Open(dir.path() + "/other").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace smdl
