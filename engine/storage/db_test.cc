// The storage contract, held by both backends: RocksDB in a temporary
// directory and the database in memory give the same answers to the same
// operations (gets, batches applied whole, ordered scans, prefixes, the last
// key), and a copy in memory goes its own way.
#include <catch2/catch.hpp>

#include "storage/db.h"
#include "test_support.h"

namespace smdl::storage {
namespace {

using testing::TempDir;

// Runs the same operations on `db` and returns what they observed.
std::vector<std::string> Exercise(Db& db) {
  std::vector<std::string> seen;
  auto get = [&](Family f, const std::string& k) {
    auto v = db.Get(f, k);
    REQUIRE(v.ok());
    seen.push_back(k + "=" + (v->has_value() ? **v : "<none>"));
  };
  WriteBatch batch;
  batch.Put(Family::kRecords, "b", "2");
  batch.Put(Family::kRecords, "a", "1");
  batch.Put(Family::kRecords, "c", "3");
  batch.Put(Family::kIndex, "a", "other family");
  batch.Put(Family::kRecords, std::string("d\xff", 2), "high byte");
  REQUIRE(db.Write(batch).ok());
  get(Family::kRecords, "a");
  get(Family::kIndex, "a");
  get(Family::kMeta, "a");
  // Later operations of a batch win; a delete of a missing key is nothing.
  WriteBatch second;
  second.Put(Family::kRecords, "a", "one");
  second.Delete(Family::kRecords, "b");
  second.Delete(Family::kRecords, "zz");
  second.Put(Family::kRecords, "b", "two");
  second.Delete(Family::kRecords, "c");
  REQUIRE(db.Write(second).ok());
  auto many = db.MultiGet(Family::kRecords, {"a", "b", "c", "nope"});
  REQUIRE(many.ok());
  for (const auto& v : *many) seen.push_back(v ? *v : "<none>");
  auto scan = [&](std::string_view start, std::string_view end) {
    std::string keys;
    REQUIRE(db.Scan(Family::kRecords, start, end, [&](std::string_view k, std::string_view) {
                keys += std::string(k) + ",";
                return true;
              }).ok());
    seen.push_back("scan[" + std::string(start) + "," + std::string(end) + ")=" + keys);
  };
  scan("", "");
  scan("b", "");
  scan("a", "b");
  std::string prefixed;
  REQUIRE(db.ScanPrefix(Family::kRecords, "d", [&](std::string_view k, std::string_view v) {
              prefixed += std::string(k.size() == 2 ? "d+ff" : k) + ":" + std::string(v);
              return true;
            }).ok());
  seen.push_back("prefix d=" + prefixed);
  // A visitor stops the scan by returning false.
  int visited = 0;
  REQUIRE(db.Scan(Family::kRecords, "", "", [&](std::string_view, std::string_view) { return ++visited < 2; }).ok());
  seen.push_back("stopped after " + std::to_string(visited));
  auto last = db.Last(Family::kRecords);
  REQUIRE(last.ok());
  seen.push_back("last=" + std::string(last->has_value() ? (*last)->second : "<none>"));
  auto none = db.Last(Family::kOutbox);
  REQUIRE(none.ok());
  seen.push_back(none->has_value() ? "outbox has a last" : "outbox empty");
  return seen;
}

TEST_CASE("the database in memory behaves as RocksDB does", "[storage]") {
  TempDir dir;
  DbOptions options;
  options.durability = Durability::kAsync;
  auto rocks = Db::Open(dir.path() + "/db", options);
  REQUIRE(rocks.ok());
  auto memory = Db::OpenInMemory();
  auto expected = Exercise(**rocks);
  CHECK(Exercise(*memory) == expected);
  CHECK(expected[0] == "a=1");
  CHECK(expected[3] == "one");
  CHECK(expected[4] == "two");
  CHECK(expected[5] == "<none>");
}

TEST_CASE("a copy in memory holds everything, and then goes its own way", "[storage]") {
  auto memory = Db::OpenInMemory();
  WriteBatch batch;
  batch.Put(Family::kRecords, "r1", "v1");
  batch.Put(Family::kAudit, EncodeU64(1), "entry");
  REQUIRE(memory->Write(batch).ok());
  auto copy = memory->CopyInMemory();
  REQUIRE(copy.ok());
  CHECK(**(*copy)->Get(Family::kRecords, "r1") == "v1");
  WriteBatch later;
  later.Put(Family::kRecords, "r1", "changed");
  REQUIRE((*copy)->Write(later).ok());
  CHECK(**memory->Get(Family::kRecords, "r1") == "v1");
  CHECK(**(*copy)->Get(Family::kRecords, "r1") == "changed");
  // RocksDB is not copied this way.
  TempDir dir;
  auto rocks = Db::Open(dir.path() + "/db", DbOptions{});
  REQUIRE(rocks.ok());
  CHECK((*rocks)->CopyInMemory().status().code() == StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace smdl::storage
