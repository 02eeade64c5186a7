// Nested and parallel states through the engine: a real RocksDB in a
// temporary directory, timers fired by RunDueTimers, the database reopened,
// verify replaying the histories of records that moved through compound
// states and ran regions side by side.
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

const char* kParallel = R"(
module regions;

role tech;
role business;

record Rfc { title: string; approvals: int = 0; }

process RfcFlow for Rfc {
  initial state draft { on submit -> approval; }
  parallel state approval {
    on withdraw -> withdrawn;
    state technical {
      initial state tech_review { on approve requires tech -> tech_ok { approvals = approvals + 1; } }
      final state tech_ok;
    }
    state business {
      initial state business_review {
        on approve requires business -> business_ok { approvals = approvals + 1; }
        after duration("8h") -> business_late;
      }
      state business_late { on approve requires business -> business_ok { approvals = approvals + 1; } }
      final state business_ok;
    }
    on done -> approved;
  }
  final state approved;
  final state withdrawn;
}

// Another record asks, through a ref, where the RFC's regions are.
record Build { rfc: ref Rfc; }

process BuildFlow for Build {
  initial state waiting {
    on start when rfc.within("tech_ok") -> building;
  }
  final state building;
}
)";

struct Rfcs : Jobs {
  Rfcs() : Jobs() {
    auto deployed = engine->DeploySources({{"regions.smdl", kParallel}});
    INFO(deployed.status().message());
    REQUIRE(deployed.ok());
  }
  json FireAs(const std::string& id, const std::string& event, const std::vector<std::string>& roles) {
    CallOptions as;
    as.actor = "ann";
    as.roles = roles;
    auto fired = engine->Fire(id, event, "{}", as);
    INFO(fired.status().message());
    REQUIRE(fired.ok());
    return json::parse(*fired);
  }
};

TEST_CASE("parallel states through the engine: the state, the regions' leaves, history, list and refs",
          "[runtime][statecharts]") {
  Rfcs r;
  REQUIRE(r.engine->Create("Rfc", R"({"title": "firewall"})").ok());
  auto submitted = r.Fire("Rfc-1", "submit");
  // The record is in the parallel state, and in one leaf of each region.
  CHECK(submitted["state"] == "approval");
  CHECK(submitted["active"] == json({"tech_review", "business_review"}));
  // Listed by its state.
  ListQuery by_state;
  by_state.type = "Rfc";
  by_state.state = "approval";
  CHECK(json::parse(*r.engine->List(by_state)).size() == 1);
  // A build reads the RFC's regions through its ref.
  REQUIRE(r.engine->Create("Build", R"({"rfc": "Rfc-1"})").ok());
  auto early = r.engine->Fire("Build-1", "start");
  CHECK(early.status().code() == StatusCode::kFailedPrecondition);
  auto tech = r.FireAs("Rfc-1", "approve", {"tech"});
  CHECK(tech["active"] == json({"tech_ok", "business_review"}));
  // The technical region has finished: the state is where work remains.
  CHECK(tech["state"] == "business_review");
  CHECK(r.Fire("Build-1", "start")["state"] == "building");
  // The history says where the regions were after each step.
  auto history = json::parse(*r.engine->History("Rfc-1"));
  CHECK(history.back()["to"] == "business_review");
  CHECK(history.back()["active"] == json({"tech_ok", "business_review"}));
  // Every region final: the parallel state completes; no leaves are kept.
  auto approved = r.FireAs("Rfc-1", "approve", {"business"});
  CHECK(approved["state"] == "approved");
  CHECK(!approved.contains("active"));
  CHECK(approved["fields"]["approvals"] == 2);
}

TEST_CASE("parallel states: a region's timer fires while another region has moved on; reopened and verified",
          "[runtime][statecharts]") {
  Rfcs r;
  REQUIRE(r.engine->Create("Rfc", R"({"title": "a"})").ok());
  REQUIRE(r.engine->Create("Rfc", R"({"title": "b"})").ok());
  r.Fire("Rfc-1", "submit");
  r.Fire("Rfc-2", "submit");
  r.FireAs("Rfc-1", "approve", {"tech"});
  CHECK(*r.engine->RunDueTimers(T("2026-03-02T17:00:00Z")) == 2);
  CHECK(r.Get("Rfc-1")["active"] == json({"tech_ok", "business_late"}));
  CHECK(r.Get("Rfc-2")["active"] == json({"tech_review", "business_late"}));
  r.engine.reset();
  r.Open();
  CHECK(r.FireAs("Rfc-1", "approve", {"business"})["state"] == "approved");
  CHECK(r.Fire("Rfc-2", "withdraw")["state"] == "withdrawn");
  // No timer is left behind by the regions that were left.
  CHECK(json::parse(*r.engine->PendingTimers()).empty());
  auto verified = r.engine->Verify();
  INFO(verified.status().message());
  CHECK(verified.ok());
}

}  // namespace
}  // namespace smdl
