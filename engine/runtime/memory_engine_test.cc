// The engine in memory: the same operations, audit chain and verify as on
// RocksDB, nothing on disk; a fork starts from the same state, shares the
// compiled definitions and then goes its own way.
#include <catch2/catch.hpp>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "smdl/engine.h"
#include "test_support.h"

namespace smdl {
namespace {

using nlohmann::json;
using testing::T;

const char* kDesk = R"(
module desk;
record Ticket { title: string; notes: int = 0; }
process TicketFlow for Ticket {
  initial state open {
    on note { notes = notes + 1; }
    on close -> closed;
    after duration("1h") -> stale;
  }
  state stale { on close -> closed; }
  final state closed;
}
)";

TEST_CASE("an engine in memory runs, audits and verifies as one on disk does", "[runtime][memory]") {
  ManualClock clock(T("2026-03-02T09:00:00Z"));
  EngineOptions options;
  options.storage = Storage::kMemory;
  options.clock = &clock;
  std::string dir = (std::filesystem::temp_directory_path() / "smdl-memory-never-written").string();
  auto engine = Engine::Open(dir, options);
  REQUIRE(engine.ok());
  REQUIRE((*engine)->DeploySources({{"desk.smdl", kDesk}}).ok());
  REQUIRE((*engine)->Create("Ticket", R"({"title": "printer"})").ok());
  REQUIRE((*engine)->Fire("Ticket-1", "note").ok());
  CHECK(*(*engine)->RunDueTimers(T("2026-03-02T10:00:00Z")) == 1);
  CHECK(json::parse(*(*engine)->Get("Ticket-1"))["state"] == "stale");
  CHECK(json::parse(*(*engine)->History("Ticket-1")).size() == 3);
  auto verified = (*engine)->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
  // Nothing was written to the directory.
  CHECK(!std::filesystem::exists(dir));
}

TEST_CASE("a fork starts from the same state and goes its own way", "[runtime][memory]") {
  ManualClock clock(T("2026-03-02T09:00:00Z"));
  EngineOptions options;
  options.storage = Storage::kMemory;
  options.clock = &clock;
  auto base = Engine::Open("", options);
  REQUIRE(base.ok());
  REQUIRE((*base)->DeploySources({{"desk.smdl", kDesk}}).ok());
  REQUIRE((*base)->Create("Ticket", R"({"title": "printer"})").ok());
  ManualClock later(T("2026-03-05T09:00:00Z"));
  EngineOptions fork_options;
  fork_options.clock = &later;
  auto fork = (*base)->Fork(fork_options);
  REQUIRE(fork.ok());
  // The same record and definition; new ids continue from the same counter.
  CHECK(json::parse(*(*fork)->Get("Ticket-1"))["fields"]["title"] == "printer");
  REQUIRE((*fork)->Fire("Ticket-1", "close").ok());
  auto created = json::parse(*(*fork)->Create("Ticket", R"({"title": "vpn"})"));
  CHECK(created["id"] == "Ticket-2");
  // The base did not move.
  CHECK(json::parse(*(*base)->Get("Ticket-1"))["state"] == "open");
  CHECK((*base)->Get("Ticket-2").status().code() == StatusCode::kNotFound);
  // Each verifies on its own: the fork's chain continues the base's.
  CHECK((*fork)->Verify().ok());
  CHECK((*base)->Verify().ok());
  // Only an engine in memory forks.
  testing::TempDir dir;
  auto on_disk = Engine::Open(dir.path() + "/db");
  REQUIRE(on_disk.ok());
  CHECK((*on_disk)->Fork().status().code() == StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace smdl
