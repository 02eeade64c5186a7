// Crash test: a child process creates records and fires events on them in a
// loop (two threads, sync durability) and reports each acknowledged
// operation on stdout; the parent kills it with SIGKILL at a random moment,
// reopens the database, and checks that every acknowledged transition is
// there, that `verify` passes (hash chain intact, every record equal to the
// replay of its history: nothing half-written), and that the engine goes on.
// Repeated ROUNDS times (default 20) on the same database.
//
//   smdl_crash_test [ROUNDS]        the test
//   smdl_crash_test --child DIR     the worker (started by the test)
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "smdl/engine.h"

namespace {

const char* kModule = R"(
module crash.test;
record Counter { hits: int = 0; label: string = ""; }
process Counting for Counter {
  sla settle { target duration("1h"); start on create; stop on enter done; }
  initial state counting {
    on hit(n: int) when n > 0 { hits = hits + n; emit "counter.hit" { hits: hits }; }
    on finish -> done;
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
  std::mutex out_mu;
  std::vector<std::string> ids;
  auto worker = [&](unsigned seed) {
    std::mt19937 rng(seed);
    for (;;) {
      std::string id;
      {
        std::lock_guard<std::mutex> lock(out_mu);
        if (ids.empty() || rng() % 8 == 0) {
          auto created = (*engine)->Create("Counter", R"({"label": "c"})");
          if (!created.ok()) continue;
          auto at = created->find("\"id\":\"");
          std::string rid = created->substr(at + 6, created->find('"', at + 6) - at - 6);
          ids.push_back(rid);
          std::printf("ack %s 1\n", rid.c_str());
          std::fflush(stdout);
          continue;
        }
        id = ids[rng() % ids.size()];
      }
      auto fired = (*engine)->Fire(id, "hit", R"({"n": 1})");
      if (!fired.ok()) continue;
      auto at = fired->find("\"version\":");
      unsigned long version = std::strtoul(fired->c_str() + at + 10, nullptr, 10);
      std::lock_guard<std::mutex> lock(out_mu);
      std::printf("ack %s %lu\n", id.c_str(), version);
      std::fflush(stdout);
    }
  };
  std::thread a(worker, 1u + static_cast<unsigned>(getpid())), b(worker, 7u * static_cast<unsigned>(getpid()));
  a.join();
  b.join();
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
  std::filesystem::remove_all(dir);
  std::mt19937 rng(12345);
  std::map<std::string, unsigned long> acked;  // id -> highest acknowledged version
  size_t total_acks = 0;
  int failures = 0;
  for (int round = 1; round <= rounds; ++round) {
    int fd = -1;
    pid_t pid = Spawn(self, dir, fd);
    if (pid < 0) {
      std::cerr << "cannot start the child\n";
      return 2;
    }
    // Let it work for 150 to 650 ms, reading its acknowledgements, then kill it.
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(150 + rng() % 500);
    std::string buffer;
    std::atomic<bool> done{false};
    std::thread reader([&] {
      char chunk[4096];
      ssize_t n;
      while ((n = read(fd, chunk, sizeof chunk)) > 0) buffer.append(chunk, static_cast<size_t>(n));
      done = true;
    });
    std::this_thread::sleep_until(deadline);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    reader.join();
    close(fd);
    if (!WIFSIGNALED(status)) {
      std::cerr << "round " << round << ": the child ended by itself (status " << status << ")\n";
      return 2;
    }
    // Only complete lines were acknowledged.
    size_t round_acks = 0;
    std::istringstream lines(buffer.substr(0, buffer.rfind('\n') == std::string::npos ? 0 : buffer.rfind('\n') + 1));
    std::string word, id;
    unsigned long version;
    while (lines >> word >> id >> version) {
      if (word != "ack") continue;
      acked[id] = std::max(acked[id], version);
      ++round_acks;
    }
    total_acks += round_acks;

    auto engine = smdl::Engine::Open(dir);
    if (!engine.ok()) {
      std::cerr << "round " << round << ": reopening fails: " << engine.status().ToString() << "\n";
      return 1;
    }
    for (const auto& [rid, want] : acked) {
      auto record = (*engine)->Get(rid);
      if (!record.ok()) {
        std::cerr << "round " << round << ": acknowledged record " << rid << " is lost: " << record.status().ToString() << "\n";
        ++failures;
        continue;
      }
      auto at = record->find("\"version\":");
      unsigned long have = std::strtoul(record->c_str() + at + 10, nullptr, 10);
      if (have < want) {
        std::cerr << "round " << round << ": record " << rid << " is at version " << have << ", but version " << want
                  << " was acknowledged\n";
        ++failures;
      }
    }
    auto verified = (*engine)->Verify();
    if (!verified.ok()) {
      std::cerr << "round " << round << ": verify fails: " << verified.status().ToString() << "\n";
      ++failures;
    }
    std::cout << "round " << round << ": " << round_acks << " acknowledged, all present; verify "
              << (verified.ok() ? "passes" : "FAILS") << "\n";
    if (failures) break;
  }
  std::filesystem::remove_all(dir);
  std::cout << rounds << " crashes, " << total_acks << " acknowledged operations, " << acked.size() << " records, "
            << failures << " failures\n";
  return failures == 0 && total_acks > 0 ? 0 : 1;
}
