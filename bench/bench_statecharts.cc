// The executor's cost of a fire in nested states, and in parallel regions,
// against the same fire in flat states (docs/benchmarks.md, "Statecharts"):
// the executor alone, no storage, one thread, best of five rounds.
//
//   move:   an event that moves the record between two sibling states
//           (flat: two top-level states; nested: two leaves three levels
//           down; parallel: two leaves of one region while another region
//           rests in its own leaf)
//   parent: an internal event handled by the outermost state (flat: by the
//           state itself; nested: found after walking up three levels;
//           parallel: by the parallel state, reached from both leaves)
//
// `smdl_bench_statecharts N` prints times and ratios; `N flat|nested|parallel
// move|parent` runs one variant alone, for callgrind.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "ir/machine.h"
#include "runtime/definitions.h"
#include "runtime/executor.h"
#include "sema/checker.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* kFlat = R"(
module bench.flat;
record Job { n: int = 0; }
process Flow for Job {
  initial state a { on ping -> b; on note { n = n + 1; } on stop -> done; }
  state b { on pong -> a; on note { n = n + 1; } }
  final state done;
}
)";

const char* kNested = R"(
module bench.nested;
record Job { n: int = 0; }
process Flow for Job {
  initial state outer {
    on note { n = n + 1; }
    on stop -> done;
    initial state mid {
      initial state inner {
        initial state a { on ping -> b; }
        state b { on pong -> a; }
      }
    }
  }
  final state done;
}
)";

const char* kParallel = R"(
module bench.parallel;
record Job { n: int = 0; }
process Flow for Job {
  initial parallel state outer {
    on note { n = n + 1; }
    on stop -> done;
    state left {
      initial state a { on ping -> b; }
      state b { on pong -> a; }
    }
    state right {
      initial state c { on other -> d; }
      state d { on other -> c; }
    }
  }
  final state done;
}
)";

std::unique_ptr<smdl::runtime::Definition> Build(const char* text) {
  smdl::sema::CheckOptions options;
  options.use_environment = false;
  auto def = std::make_unique<smdl::runtime::Definition>();
  def->program = smdl::sema::CheckSources({{"bench.smdl", text}}, options);
  if (def->program->diags.HasErrors()) {
    std::fprintf(stderr, "%s", def->program->diags.RenderText(def->program->sources).c_str());
    std::exit(1);
  }
  auto image = smdl::ir::Image::Build(*def->program);
  if (!image.ok()) std::exit(1);
  def->image = std::move(*image);
  def->version = 1;
  return def;
}

// Nanoseconds per fire of `events` (cycled), best of five rounds of `n`.
double NsPerFire(const smdl::runtime::Definition& def, const std::vector<std::string>& events, int n) {
  smdl::runtime::Request create;
  create.kind = smdl::runtime::Request::Kind::kCreate;
  create.type = "Job";
  smdl::runtime::RecordState seed;
  seed.id = "Job-1";
  auto created = smdl::runtime::Execute(def, seed, create, {});
  if (!created.ok()) std::exit(1);
  double best = 1e18;
  for (int round = 0; round < 5; ++round) {
    smdl::runtime::RecordState record = created->after;
    smdl::runtime::Request fire;
    fire.kind = smdl::runtime::Request::Kind::kEvent;
    auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      fire.event = events[static_cast<size_t>(i) % events.size()];
      auto out = smdl::runtime::Execute(def, record, fire, {});
      if (!out.ok()) {
        std::fprintf(stderr, "%s\n", out.status().message().c_str());
        std::exit(1);
      }
      record = std::move(out->after);
    }
    double ns = std::chrono::duration<double, std::nano>(Clock::now() - start).count() / n;
    best = std::min(best, ns);
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int n = argc > 1 ? std::atoi(argv[1]) : 20000;
  auto flat = Build(kFlat);
  auto nested = Build(kNested);
  auto parallel = Build(kParallel);
  // One variant alone, for counting instructions (bench/run.sh runs it under
  // callgrind at two sizes; the difference is the fires' own cost).
  if (argc == 4) {
    std::string kind = argv[3];
    std::vector<std::string> events = kind == "move" ? std::vector<std::string>{"ping", "pong"}
                                                     : std::vector<std::string>{"note"};
    std::string variant = argv[2];
    NsPerFire(variant == "nested" ? *nested : variant == "parallel" ? *parallel : *flat, events, n);
    return 0;
  }
  for (auto [name, events] : {std::pair<const char*, std::vector<std::string>>{"move", {"ping", "pong"}},
                              std::pair<const char*, std::vector<std::string>>{"parent", {"note"}}}) {
    double f = NsPerFire(*flat, events, n);
    double s = NsPerFire(*nested, events, n);
    double p = NsPerFire(*parallel, events, n);
    std::printf("statecharts %-6s flat %.0f ns/fire, nested (3 levels) %.0f ns/fire, parallel (2 regions) %.0f ns/fire, "
                "ratio nested/flat %.2f, parallel/flat %.2f\n",
                name, f, s, p, s / f, p / f);
  }
  return 0;
}
