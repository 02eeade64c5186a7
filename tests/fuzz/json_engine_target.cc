// Fuzz target: JSON from outside through the engine's API. One engine per
// process, on a temporary directory with asynchronous commits, runs a module
// whose record has a field of every kind of type and whose events take
// parameters of every kind. Each input is split at its first newline: the
// first part is the fields JSON of Create, the rest the parameters JSON of
// Fire (the whole input serves as both when there is no newline). Any
// result is fine, a rejection included; the engine must never crash, hang
// or throw.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "smdl/engine.h"

namespace {

const char* const kModule = R"(
module fuzz.json;

enum Level { low, mid, high }

record Target { name: string = ""; }

record Sample {
  flag: bool = false;
  count: int = 0;
  big: uint = 0u;
  ratio: double = 0.5;
  name: string = "";
  blob: bytes = b"";
  opened: timestamp = timestamp("2026-01-01T00:00:00Z");
  grace: duration = duration("15m");
  anything: dyn = null;
  tags: list<string> = [];
  counters: map<string, int> = {};
  level: Level = Level.low;
  by_level: map<Level, list<int>> = {};
  nested: list<map<string, list<double>>> = [];
  flags: map<bool, uint> = {};
  keyed: map<int, string> = {};
  target: ref Target?;
  note: string? = null;
  due_at: timestamp?;
  maybe: list<Level?> = [];
  score: double;
}

process Sampling for Sample {
  on create {
    score = ratio * 2.0 + double(count);
    emit "sample.created" { anything: anything, count: count, tags: tags };
  }
  sla settle { target grace; start on create; stop on enter done; }
  initial state open {
    on typed(n: int, u: uint, r: double, t: string, y: bytes, at: timestamp, d: duration,
             ls: list<string>, mp: map<string, int>, lv: Level, o: string?, ks: map<int, bool>) {
      count = n;
      big = u + big;
      ratio = r;
      score = r * ratio + double(n);
      name = t + name;
      blob = y;
      opened = at;
      due_at = at + d;
      tags = ls;
      counters = mp;
      level = lv;
      note = o;
      emit "sample.typed" { n: n, size: size(ls) + size(mp) + size(ks), name: name };
    }
    on loose(v: dyn) when v != null {
      anything = v;
      emit "sample.loose" { v: v };
    }
    on finish -> done;
  }
  final state done;
}
)";

// The "id" of a record as the engine returns it (compact JSON).
std::string IdOf(const std::string& record) {
  auto at = record.find("\"id\":\"");
  if (at == std::string::npos) return "";
  return record.substr(at + 6, record.find('"', at + 6) - at - 6);
}

void Die(const char* what, const smdl::Status& status) {
  std::fprintf(stderr, "json fuzz target: %s: %s\n", what, status.ToString().c_str());
  std::abort();
}

// The engine of this process, and a record that always exists, for the
// inputs whose fields are rejected. Removed with its directory at exit.
struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<smdl::Engine> engine;
  std::string standing;

  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("smdl-fuzz-json-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    smdl::EngineOptions options;
    options.durability = smdl::Durability::kAsync;
    options.use_environment = false;
    auto opened = smdl::Engine::Open(dir.string(), options);
    if (!opened.ok()) Die("open", opened.status());
    engine = std::move(opened).value();
    auto deployed = engine->DeploySources({{"fuzz/json.smdl", kModule}});
    if (!deployed.ok()) Die("deploy", deployed.status());
    Renew();
  }
  ~Fixture() {
    engine.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  // A fresh standing record, when the last one can no longer be read (an
  // event may leave a value that does not load back).
  void Renew() {
    auto created = engine->Create("Sample", R"({"name": "standing"})");
    if (!created.ok()) Die("create", created.status());
    standing = IdOf(*created);
  }
};

Fixture& TheFixture() {
  static Fixture fixture;
  return fixture;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Fixture& f = TheFixture();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t newline = input.find('\n');
  std::string fields(input.substr(0, newline));
  std::string params(newline == std::string_view::npos ? input : input.substr(newline + 1));

  auto created = f.engine->Create("Sample", fields);
  std::string id = created.ok() ? IdOf(*created) : f.standing;
  auto typed = f.engine->Fire(id, "typed", params);
  auto loose = f.engine->Fire(id, "loose", params);
  size_t seen = (typed.ok() ? typed->size() : 0) + (loose.ok() ? loose->size() : 0);
  if (created.ok()) {
    auto history = f.engine->History(id);
    auto finished = f.engine->Fire(id, "finish");
    seen += (history.ok() ? history->size() : 0) + (finished.ok() ? finished->size() : 0);
  } else if (!f.engine->Get(id).ok()) {
    f.Renew();
  }
  return seen > 0 ? 0 : 0;
}
