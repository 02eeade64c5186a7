// Crash test: a child process creates records and fires events on them in a
// loop (kWorkers threads at once, sync durability; a quarter of the fires
// also fire at one shared record, two records in one commit) and reports each
// acknowledged operation on stdout; the parent kills it with SIGKILL at a
// random moment, reopens the database, and checks that every acknowledged
// operation is there, that `verify` passes (hash chain intact, every record
// equal to the replay of its history: nothing half-written), and that the
// engine goes on. Repeated ROUNDS times (default 20).
//
// Most rounds kill the child 150 to 650 ms after it says it is ready (its
// database open, its module deployed), so under load; every fourth kills it
// within 300 ms of its start, while it opens and recovers the database. The
// rounds share one database, started afresh every kRoundsPerDatabase rounds
// so that the checks, which read everything, keep a bounded cost.
//
// A line per round, and a last line that sums it up, for scripts
// (tools/soak.sh):
//
//   summary: R rounds, A acknowledged operations, L lost operations, F failures
//
// where L counts acknowledged operations missing after a crash and F the
// other failures (verify, reopening, a child that ends by itself or is not
// ready within a minute).
//
//   smdl_crash_test [ROUNDS]        the test
//   smdl_crash_test --child DIR     the worker (started by the test)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "smdl/engine.h"

namespace {

// Writers in the child: creates and fires on different records commit
// concurrently (and share fsyncs); fires on one record are serialised.
constexpr int kWorkers = 4;
constexpr int kRoundsPerDatabase = 25;

const char* kModule = R"(
module crash.test;
record Tally { total: int = 0; }
process Tallying for Tally {
  initial state open {
    on add(n: int) { total = total + n; }
    on close -> closed;
  }
  final state closed;
}
record Counter { hits: int = 0; label: string = ""; tally: ref Tally?; }
process Counting for Counter {
  sla settle { target duration("1h"); start on create; stop on enter done; }
  // Parallel regions, nested states: each hit moves both regions, leaving
  // one child of each and entering another; share is handled by the
  // parallel state, in whichever configuration its regions are.
  initial parallel state counting {
    // Two records in one commit: the counter and the tally it reads and fires at.
    on share(n: int) when n > 0 && tally.value().total >= 0 { hits = hits + n; fire tally.add(n: n); }
    on finish -> done;
    state parity {
      initial state even {
        on hit(n: int) when n > 0 -> odd { hits = hits + n; emit "counter.hit" { hits: hits }; }
      }
      state odd {
        exit { emit "counter.odd.left" { hits: hits }; }
        on hit(n: int) when n > 0 -> even { hits = hits + n; emit "counter.hit" { hits: hits }; }
      }
    }
    state pace {
      initial state calm { on hit(n: int) -> busy; }
      state busy { on hit(n: int) -> calm; }
    }
  }
  final state done;
}
)";

int Child(const std::string& dir) {
  smdl::EngineOptions options;
  options.durability = smdl::Durability::kSync;
  auto engine = smdl::Engine::Open(dir, options);
  if (!engine.ok()) {
    std::cerr << "child: " << engine.status().ToString() << "\n";
    return 3;
  }
  auto deployed = (*engine)->DeploySources({{"crash.smdl", kModule}});
  if (!deployed.ok()) {
    std::cerr << "child: " << deployed.status().ToString() << "\n";
    return 3;
  }
  // One tally per database, which a quarter of the fires also change.
  if (!(*engine)->Get("Tally-1").ok() && !(*engine)->Create("Tally", "{}").ok()) {
    std::cerr << "child: cannot create the tally\n";
    return 3;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  std::mutex out_mu;
  std::vector<std::string> ids;
  // An operation is acknowledged (printed) only after the engine returned.
  auto acknowledge = [&](const std::string& id, unsigned long version) {
    std::lock_guard<std::mutex> lock(out_mu);
    if (version == 1) ids.push_back(id);
    std::printf("ack %s %lu\n", id.c_str(), version);
    std::fflush(stdout);
  };
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    for (;;) {
      std::string id;
      {
        std::lock_guard<std::mutex> lock(out_mu);
        if (!ids.empty() && rng() % 8 != 0) id = ids[rng() % ids.size()];
      }
      if (id.empty()) {
        auto created = (*engine)->Create("Counter", R"({"label": "c", "tally": "Tally-1"})");
        if (!created.ok()) continue;
        auto at = created->find("\"id\":\"");
        acknowledge(created->substr(at + 6, created->find('"', at + 6) - at - 6), 1);
        continue;
      }
      auto fired = (*engine)->Fire(id, rng() % 4 == 0 ? "share" : "hit", R"({"n": 1})");
      if (!fired.ok()) continue;
      auto at = fired->find("\"version\":");
      acknowledge(id, std::strtoul(fired->c_str() + at + 10, nullptr, 10));
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < kWorkers; ++i)
    workers.emplace_back(worker, static_cast<unsigned>(getpid()) * 7919u + static_cast<unsigned>(i));
  for (auto& w : workers) w.join();
  return 0;
}

// Starts the child with its stdout on a pipe; returns its pid and the read end.
pid_t Spawn(const std::string& self, const std::string& dir, int& read_fd) {
  int fds[2];
  if (pipe(fds) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execl(self.c_str(), self.c_str(), "--child", dir.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  read_fd = fds[0];
  return pid;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "--child") return Child(argv[2]);
  int rounds = argc > 1 ? std::atoi(argv[1]) : 20;
  std::string self = std::filesystem::read_symlink("/proc/self/exe");
  std::string dir = (std::filesystem::temp_directory_path() / ("smdl-crash-" + std::to_string(getpid()))).string();
  std::mt19937 rng(12345);
  std::map<std::string, std::set<unsigned long>> acked;  // id -> its acknowledged versions
  size_t total_acks = 0, lost = 0, records = 0;
  int failures = 0, round = 0;
  while (round < rounds && lost == 0 && failures == 0) {
    if (round % kRoundsPerDatabase == 0) {
      std::filesystem::remove_all(dir);
      records += acked.size();
      acked.clear();
    }
    ++round;
    int fd = -1;
    pid_t pid = Spawn(self, dir, fd);
    if (pid < 0) {
      std::cerr << "cannot start the child\n";
      ++failures;
      break;
    }
    std::mutex mu;
    std::condition_variable grew;
    std::string buffer;
    bool eof = false;
    std::thread reader([&] {
      char chunk[4096];
      ssize_t n;
      while ((n = read(fd, chunk, sizeof chunk)) > 0) {
        std::lock_guard<std::mutex> lock(mu);
        buffer.append(chunk, static_cast<size_t>(n));
        grew.notify_all();
      }
      std::lock_guard<std::mutex> lock(mu);
      eof = true;
      grew.notify_all();
    });
    bool at_start = round % 4 == 0;
    bool ready = true;
    if (at_start) {
      std::this_thread::sleep_for(std::chrono::milliseconds(rng() % 300));
    } else {
      {
        std::unique_lock<std::mutex> lock(mu);
        grew.wait_for(lock, std::chrono::minutes(1), [&] { return eof || buffer.find('\n') != std::string::npos; });
        ready = buffer.rfind("ready\n", 0) == 0;
      }
      if (ready) std::this_thread::sleep_for(std::chrono::milliseconds(150 + rng() % 500));
    }
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    reader.join();
    close(fd);
    if (!ready) {
      std::cerr << "round " << round << ": the child is not ready within a minute: " << buffer.substr(0, 200) << "\n";
      ++failures;
      break;
    }
    if (!WIFSIGNALED(status)) {
      std::cerr << "round " << round << ": the child ended by itself (status " << status << ")\n";
      ++failures;
      break;
    }
    // Only complete lines were acknowledged.
    size_t round_acks = 0;
    std::istringstream lines(buffer.substr(0, buffer.rfind('\n') == std::string::npos ? 0 : buffer.rfind('\n') + 1));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      std::string word, id;
      unsigned long version = 0;
      if (!(fields >> word >> id >> version) || word != "ack") continue;
      acked[id].insert(version);
      ++round_acks;
    }
    total_acks += round_acks;

    auto engine = smdl::Engine::Open(dir);
    if (!engine.ok()) {
      std::cerr << "round " << round << ": reopening fails: " << engine.status().ToString() << "\n";
      ++failures;
      break;
    }
    // Every acknowledged version of a record must be reached: lost are those
    // above the version it has now (all of them if it is gone).
    for (const auto& [rid, versions] : acked) {
      auto record = (*engine)->Get(rid);
      unsigned long have = 0;
      if (record.ok()) {
        auto at = record->find("\"version\":");
        have = std::strtoul(record->c_str() + at + 10, nullptr, 10);
      }
      size_t missing = static_cast<size_t>(std::distance(versions.upper_bound(have), versions.end()));
      if (missing == 0) continue;
      lost += missing;
      if (!record.ok())
        std::cerr << "round " << round << ": acknowledged record " << rid << " is lost: " << record.status().ToString()
                  << "\n";
      else
        std::cerr << "round " << round << ": record " << rid << " is at version " << have << ", but version "
                  << *versions.rbegin() << " was acknowledged\n";
    }
    auto verified = (*engine)->Verify();
    if (!verified.ok()) {
      std::cerr << "round " << round << ": verify fails: " << verified.status().ToString() << "\n";
      ++failures;
    }
    std::cout << "round " << round << (at_start ? " (at start)" : "") << ": " << round_acks << " acknowledged, "
              << (lost ? "SOME LOST" : "all present") << "; verify " << (verified.ok() ? "passes" : "FAILS")
              << std::endl;
  }
  std::filesystem::remove_all(dir);
  records += acked.size();
  if (total_acks == 0) ++failures;  // nothing was tested
  std::cout << "summary: " << round << " rounds, " << total_acks << " acknowledged operations, " << lost
            << " lost operations, " << failures << " failures (" << records << " records)" << std::endl;
  return lost == 0 && failures == 0 ? 0 : 1;
}
