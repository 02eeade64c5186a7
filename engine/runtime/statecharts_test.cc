// Nested states through the engine: a real RocksDB in a temporary directory,
// timers fired by RunDueTimers, the database reopened, verify replaying the
// histories of records that moved through compound states.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "smdl/engine.h"
#include "test_support.h"

namespace smdl {
namespace {

using nlohmann::json;
using testing::T;
using testing::TempDir;

const char* kNested = R"(
module nested;

record Job { title: string; trail: list<string> = []; pings: int = 0; }

process JobFlow for Job {
  initial state active {
    entry { trail = trail + ["+active"]; }
    exit { trail = trail + ["-active"]; }
    on abort -> aborted;
    after duration("48h") -> stale;
    initial state queued {
      entry { trail = trail + ["+queued"]; }
      exit { trail = trail + ["-queued"]; }
      on start -> running;
    }
    state running {
      entry { trail = trail + ["+running"]; }
      exit { trail = trail + ["-running"]; }
      after duration("1h") { pings = pings + 1; emit "job.ping" { title: title }; }
      on finish -> complete;
      on requeue -> queued;
    }
    final state complete;
    on done -> archived;
  }
  state stale { on revive -> active; }
  final state archived;
  final state aborted;
}
)";

struct Jobs {
  TempDir dir;
  ManualClock clock{T("2026-03-02T09:00:00Z")};
  std::unique_ptr<Engine> engine;

  void Open() {
    EngineOptions options;
    options.clock = &clock;
    auto opened = Engine::Open(dir.path(), options);
    REQUIRE(opened.ok());
    engine = std::move(*opened);
  }
  Jobs() {
    Open();
    auto deployed = engine->DeploySources({{"nested.smdl", kNested}});
    INFO(deployed.status().message());
    REQUIRE(deployed.ok());
  }
  json Fire(const std::string& id, const std::string& event) {
    auto fired = engine->Fire(id, event);
    INFO(fired.status().message());
    REQUIRE(fired.ok());
    return json::parse(*fired);
  }
  json Get(const std::string& id) { return json::parse(*engine->Get(id)); }
};

TEST_CASE("nested states through the engine: entry and exit order, the leaf as the state", "[runtime][statecharts]") {
  Jobs j;
  auto created = json::parse(*j.engine->Create("Job", R"({"title": "backup"})"));
  CHECK(created["state"] == "queued");
  CHECK(created["fields"]["trail"] == json({"+active", "+queued"}));
  auto running = j.Fire("Job-1", "start");
  CHECK(running["fields"]["trail"] == json({"+active", "+queued", "-queued", "+running"}));
  // A transition from a child to its sibling leaves and enters the children only.
  auto requeued = j.Fire("Job-1", "requeue");
  CHECK(requeued["fields"]["trail"].size() == 6);
  CHECK(requeued["fields"]["trail"][5] == "+queued");
  j.Fire("Job-1", "start");
  auto done = j.Fire("Job-1", "finish");
  CHECK(done["state"] == "archived");
  CHECK(done["fields"]["trail"].back() == "-active");
  // The parent's timer went with it.
  CHECK(json::parse(*j.engine->PendingTimers()).empty());
  auto history = json::parse(*j.engine->History("Job-1"));
  CHECK(history.back()["from"] == "running");
  CHECK(history.back()["to"] == "archived");
}

TEST_CASE("nested states: a parent's timer fires from any child; an internal timer stays; verify replays it all",
          "[runtime][statecharts]") {
  Jobs j;
  REQUIRE(j.engine->Create("Job", R"({"title": "a"})").ok());
  REQUIRE(j.engine->Create("Job", R"({"title": "b"})").ok());
  j.Fire("Job-1", "start");
  // Job-1's internal timer pings once an hour after it started running.
  CHECK(*j.engine->RunDueTimers(T("2026-03-02T10:00:00Z")) == 1);
  CHECK(j.Get("Job-1")["state"] == "running");
  CHECK(j.Get("Job-1")["fields"]["pings"] == 1);
  // Both records' `active` timers fire after 48 hours, wherever inside they are.
  CHECK(*j.engine->RunDueTimers(T("2026-03-04T09:00:00Z")) == 2);
  CHECK(j.Get("Job-1")["state"] == "stale");
  CHECK(j.Get("Job-2")["state"] == "stale");
  // Reopened, the records go on from where they were.
  j.engine.reset();
  j.Open();
  auto revived = j.Fire("Job-2", "revive");
  CHECK(revived["state"] == "queued");
  CHECK(j.Fire("Job-2", "abort")["state"] == "aborted");
  auto verified = j.engine->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
}

TEST_CASE("nested states: an event no state of the chain accepts is rejected, naming those that are",
          "[runtime][statecharts]") {
  Jobs j;
  REQUIRE(j.engine->Create("Job", R"({"title": "a"})").ok());
  auto rejected = j.engine->Fire("Job-1", "revive");
  REQUIRE(rejected.status().code() == StatusCode::kFailedPrecondition);
  // The leaf's events, then its parent's.
  CHECK(rejected.status().message() ==
        "event 'revive' is not accepted in state 'queued' (accepted here: start, abort)");
  // Completion is not an event anyone can send.
  CHECK(j.engine->Fire("Job-1", "done").status().code() == StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace smdl
