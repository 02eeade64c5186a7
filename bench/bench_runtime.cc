// Runtime benchmark: the engine's fires against the raw storage doing the same
// writes, in one run, so that the ratio does not depend on how busy the
// machine is.
//
//   smdl_bench_runtime fires [N] [THREADS]   N fires on 100 records, async and sync
//   smdl_bench_runtime memory [N] [THREADS]  the engine in memory against on RocksDB (async)
//   smdl_bench_runtime populate DIR RECORDS  create RECORDS records in DIR
//   smdl_bench_runtime serve DIR RECORDS     open DIR in a fresh process, fire
//                                            10,000 events; peak memory (exit 1
//                                            if 500 MB or more)
//   smdl_bench_runtime query DIR RECORDS     RECORDS records in teams of 100 with
//                                            `index by team`; events whose action
//                                            runs records(T) over one team, against
//                                            the same events without the query
//
// "Raw" writes one batch per operation with what a fire writes: the record
// (the same JSON size), an audit entry, a history key and an outbox message,
// straight to RocksDB with its default options (four column families), so the
// ratio shows everything smdl adds, its own storage layer included.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "smdl/engine.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

const char* kModule = R"(
module bench.desk;
enum Impact { low, medium, high }
enum Priority { p1, p2, p3 }
record Ticket {
  title: string;
  impact: Impact = Impact.medium;
  priority: Priority = Priority.p3;
  notes: int = 0;
  owner: string?;
}
policy priority_of(i: Impact) -> Priority = i == Impact.high ? Priority.p1 : i == Impact.medium ? Priority.p2 : Priority.p3;
process Desk for Ticket {
  on create { priority = priority_of(impact); }
  sla resolution {
    target priority == Priority.p1 ? duration("4h") : duration("24h");
    start on create;
    stop on enter closed;
  }
  initial state open {
    on note(text: string) when size(text) > 0 { notes = notes + 1; emit "ticket.noted" { notes: notes }; }
    on close -> closed;
  }
  final state closed;
}
)";

std::string TempDir(const char* name) {
  fs::path p = fs::temp_directory_path() / (std::string("smdl-bench-") + name + "-" + std::to_string(getpid()));
  fs::remove_all(p);
  return p.string();
}

long PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

const char* kQueryModule = R"(
module bench.teams;
record Member {
  team: string;
  load: int = 1;
  busy: int = 0;
  index by team;
}
process Membership for Member {
  initial state active {
    // The query: the team's members (100 of them), read and summed.
    on measure { busy = records(Member).filter(m, m.team == team).map(m, m.load).sum(); }
    on touch { busy = busy + 1; }
    on leave -> gone;
  }
  final state gone;
}
)";

// Records in teams of 100 (async, two threads), then, in the same process,
// `measure` (a query over one team) and `touch` (the same commit without the
// query) on random members, alternating, async: the difference is the query.
int Query(const std::string& dir, int records) {
  smdl::EngineOptions options;
  options.durability = smdl::Durability::kAsync;
  auto engine = smdl::Engine::Open(dir, options);
  if (!engine.ok()) return 1;
  bool fresh = !(*engine)->Get("Member-1").ok();
  if (fresh) {
    if (!(*engine)->DeploySources({{"teams.smdl", kQueryModule}}).ok()) return 1;
    auto start = Clock::now();
    std::atomic<int> next{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < 2; ++t)
      pool.emplace_back([&] {
        for (int i; (i = next++) < records;) {
          std::string fields = R"({"team": "team-)" + std::to_string(i % (records / 100)) + R"("})";
          if (!(*engine)->Create("Member", fields).ok()) std::exit(1);
        }
      });
    for (auto& t : pool) t.join();
    std::printf("query: populated %d records in %.1f s\n", records,
                std::chrono::duration<double>(Clock::now() - start).count());
  }
  std::mt19937 rng(7);
  const int kRounds = 2000;
  double with_query = 0, without = 0;
  for (int i = 0; i < kRounds; ++i) {
    std::string id = "Member-" + std::to_string(rng() % records + 1);
    auto t0 = Clock::now();
    auto measured = (*engine)->Fire(id, "measure");
    auto t1 = Clock::now();
    auto touched = (*engine)->Fire(id, "touch");
    auto t2 = Clock::now();
    if (!measured.ok() || !touched.ok()) {
      std::fprintf(stderr, "%s\n", (!measured.ok() ? measured : touched).status().ToString().c_str());
      return 1;
    }
    with_query += std::chrono::duration<double>(t1 - t0).count();
    without += std::chrono::duration<double>(t2 - t1).count();
  }
  double per_query_ms = (with_query - without) / kRounds * 1000;
  std::printf("query: %d records, %d rounds: fire with a 100-record query %.3f ms, without %.3f ms; "
              "the query %.3f ms\n",
              records, kRounds, with_query / kRounds * 1000, without / kRounds * 1000, per_query_ms);
  return 0;
}

// Fires `n` note events spread over `threads` threads and 100 records.
double EngineFires(smdl::Durability durability, int n, int threads, size_t& record_bytes,
                   smdl::Storage storage = smdl::Storage::kRocksDb) {
  std::string dir = TempDir("engine");
  smdl::EngineOptions options;
  options.durability = durability;
  options.storage = storage;
  auto engine = smdl::Engine::Open(dir, options);
  if (!engine.ok() || !(*engine)->DeploySources({{"desk.smdl", kModule}}).ok()) {
    std::fprintf(stderr, "cannot open or deploy\n");
    std::exit(1);
  }
  std::vector<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    auto r = (*engine)->Create("Ticket", R"({"title": "printer on floor 3 jams", "impact": "high"})");
    ids.push_back("Ticket-" + std::to_string(i + 1));
    record_bytes = r->size();
  }
  std::atomic<int> next{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i; (i = next++) < n;)
        if (!(*engine)->Fire(ids[i % ids.size()], "note", R"({"text": "called the user back"})").ok()) std::exit(1);
    });
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  engine->reset();
  fs::remove_all(dir);
  return n / seconds;
}

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[static_cast<size_t>(i)] = static_cast<char>(v & 0xff);
  return out;
}

// The same number of batches, each with what a fire writes, to RocksDB with
// default options; sync mode syncs each write, as the engine does.
double RawWrites(bool sync, int n, int threads, size_t record_bytes) {
  std::string dir = TempDir("raw");
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const char* name : {"default", "records", "audit", "history", "outbox"})
    families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  if (!rocksdb::DB::Open(options, dir, families, &handles, &raw).ok()) std::exit(1);
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions write;
  write.sync = sync;
  std::string record(record_bytes + 200, 'r');  // the stored form is larger than the view
  std::string audit(420, 'a'), message(220, 'm');
  std::atomic<uint64_t> seq{0};
  std::atomic<int> next{0};
  auto start = Clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&] {
      for (int i; (i = next++) < n;) {
        uint64_t s = ++seq;
        std::string id = "Ticket-" + std::to_string(i % 100 + 1);
        rocksdb::WriteBatch batch;
        batch.Put(handles[1], id, record);
        batch.Put(handles[2], BigEndian(s), audit);
        batch.Put(handles[3], id + '\0' + BigEndian(s), "");
        batch.Put(handles[4], BigEndian(s), message);
        if (!db->Write(write, &batch).ok()) std::exit(1);
      }
    });
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  db.reset();
  fs::remove_all(dir);
  return n / seconds;
}

int Fires(int n, int threads) {
  size_t record_bytes = 0;
  for (auto [name, engine_mode, raw_sync] :
       {std::tuple{"async", smdl::Durability::kAsync, false}, std::tuple{"sync", smdl::Durability::kSync, true}}) {
    int count = engine_mode == smdl::Durability::kSync ? n / 10 : n;
    double engine = EngineFires(engine_mode, count, threads, record_bytes);
    double raw = RawWrites(raw_sync, count, threads, record_bytes);
    std::printf("fires %-5s %d ops, %d threads: engine %.0f fires/s, raw RocksDB %.0f batches/s, ratio %.2f\n", name,
                count, threads, engine, raw, raw / engine);
  }
  return 0;
}

// The engine with its state in memory (Storage::kMemory): what a fire
// costs without the disk, the audit chain and every index included.
int Memory(int n, int threads) {
  size_t record_bytes = 0;
  double memory = EngineFires(smdl::Durability::kAsync, n, threads, record_bytes, smdl::Storage::kMemory);
  double rocks = EngineFires(smdl::Durability::kAsync, n, threads, record_bytes);
  std::printf("fires memory %d ops, %d threads: engine in memory %.0f fires/s, on RocksDB (async) %.0f fires/s, "
              "ratio %.2f\n",
              n, threads, memory, rocks, memory / rocks);
  return 0;
}

// Creates `records` records in `dir` (async, two threads).
int Populate(const std::string& dir, int records) {
  smdl::EngineOptions options;
  options.durability = smdl::Durability::kAsync;
  auto engine = smdl::Engine::Open(dir, options);
  if (!engine.ok() || !(*engine)->DeploySources({{"desk.smdl", kModule}}).ok()) return 1;
  auto start = Clock::now();
  std::atomic<int> next{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < 2; ++t)
    pool.emplace_back([&] {
      for (int i; (i = next++) < records;)
        if (!(*engine)->Create("Ticket", R"({"title": "printer on floor 3 jams"})").ok()) std::exit(1);
    });
  for (auto& t : pool) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("populate: %d records in %.1f s (%.0f creates/s)\n", records, seconds, records / seconds);
  return 0;
}

// In a fresh process: opens the database and fires 10,000 events on random
// records; reports the peak resident memory of the whole process.
int Serve(const std::string& dir, int records) {
  auto start = Clock::now();
  auto engine = smdl::Engine::Open(dir, {});
  if (!engine.ok()) return 1;
  double open_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::mt19937 rng(1);
  start = Clock::now();
  const int kFires = 10000;
  for (int i = 0; i < kFires; ++i) {
    std::string id = "Ticket-" + std::to_string(rng() % records + 1);
    if (!(*engine)->Fire(id, "note", R"({"text": "x"})").ok()) return 1;
  }
  double fire_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("serve: %d records, opened in %.2f s, %d random fires (sync) in %.1f s; "
              "peak RSS of the process %ld MB\n",
              records, open_seconds, kFires, fire_seconds, PeakRssMb());
  return PeakRssMb() < 500 ? 0 : 1;
}

// The embedded engine alone, for bench/http.sh to compare the server with:
// fires/s of `n` note events on `threads` threads.
int Embedded(const std::string& durability, int n, int threads) {
  size_t record_bytes = 0;
  double rate = EngineFires(durability == "sync" ? smdl::Durability::kSync : smdl::Durability::kAsync, n, threads,
                            record_bytes);
  std::printf("%.0f\n", rate);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "fires";
  if (mode == "fires") return Fires(argc > 2 ? std::atoi(argv[2]) : 20000, argc > 3 ? std::atoi(argv[3]) : 2);
  if (mode == "memory") return Memory(argc > 2 ? std::atoi(argv[2]) : 20000, argc > 3 ? std::atoi(argv[3]) : 1);
  if (mode == "populate" && argc == 4) return Populate(argv[2], std::atoi(argv[3]));
  if (mode == "serve" && argc == 4) return Serve(argv[2], std::atoi(argv[3]));
  if (mode == "query" && argc == 4) return Query(argv[2], std::atoi(argv[3]));
  if (mode == "embedded" && argc == 5) return Embedded(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  if (mode == "module") return std::printf("%s", kModule) < 0;
  std::fprintf(stderr,
               "usage: smdl_bench_runtime fires [N] [THREADS] | memory [N] [THREADS] | populate DIR RECORDS | serve DIR RECORDS | "
               "query DIR RECORDS | embedded sync|async N THREADS | module\n");
  return 2;
}
