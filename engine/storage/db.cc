#include "storage/db.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/memory_util.h>
#include <rocksdb/write_batch.h>

#include <map>
#include <unordered_set>
#include <vector>

namespace smdl::storage {
namespace {

constexpr const char* kFamilyNames[kFamilyCount] = {"meta",  "definitions", "records", "index",      "audit",
                                                    "history", "timers",    "outbox",  "idempotency"};

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status(StatusCode::kCorruption, message);
  if (s.IsNotFound()) return NotFound(message);
  if (s.IsInvalidArgument()) return InvalidArgument(message);
  return IoError(message);
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

}  // namespace

const char* FamilyName(Family family) { return kFamilyNames[static_cast<int>(family)]; }

struct WriteBatch::Rep {
  // Operations are kept by family index and replayed into a rocksdb batch by
  // Db::Write, which knows the column family handles.
  struct Op {
    Family family;
    bool is_delete;
    std::string key;
    std::string value;
  };
  std::vector<Op> ops;
};

WriteBatch::WriteBatch() : rep_(std::make_unique<Rep>()) {}
WriteBatch::~WriteBatch() = default;
WriteBatch::WriteBatch(WriteBatch&&) noexcept = default;
WriteBatch& WriteBatch::operator=(WriteBatch&&) noexcept = default;

void WriteBatch::Put(Family family, std::string_view key, std::string_view value) {
  rep_->ops.push_back({family, false, std::string(key), std::string(value)});
}
void WriteBatch::Delete(Family family, std::string_view key) {
  rep_->ops.push_back({family, true, std::string(key), {}});
}
void WriteBatch::Append(const WriteBatch& other) {
  rep_->ops.insert(rep_->ops.end(), other.rep_->ops.begin(), other.rep_->ops.end());
}
size_t WriteBatch::Count() const { return rep_->ops.size(); }
void WriteBatch::Clear() { rep_->ops.clear(); }

struct Db::Rep {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::shared_ptr<rocksdb::Cache> cache;
  rocksdb::WriteOptions write_options;

  ~Rep() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      db->Close().PermitUncheckedError();
    }
  }
  rocksdb::ColumnFamilyHandle* Handle(Family f) const { return handles[static_cast<int>(f)]; }
};

Db::Db(std::unique_ptr<Rep> rep, Durability durability) : rep_(std::move(rep)), durability_(durability) {}
Db::~Db() = default;

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& dir, const DbOptions& options) {
  auto rep = std::make_unique<Rep>();
  rep->cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rep->cache;
  table.cache_index_and_filter_blocks = true;  // index memory counts against the cache

  rocksdb::ColumnFamilyOptions family_options;
  family_options.write_buffer_size = options.write_buffer_bytes;
  family_options.max_write_buffer_number = 2;
  family_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.max_open_files = 256;
  // Short-lived processes (one CLI command each) must not leave a new data
  // file and info log behind every time: the log is replayed at the next
  // open instead of flushed at close, and few old info logs are kept.
  db_options.avoid_flush_during_shutdown = true;
  db_options.keep_log_file_num = 4;
  db_options.recycle_log_file_num = 4;
  // Memtables of all families together; beyond this RocksDB flushes.
  db_options.db_write_buffer_size = options.write_buffer_bytes * 4;

  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, family_options);
  for (const char* name : kFamilyNames) families.emplace_back(name, family_options);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  if (!s.ok()) return FromRocks(s, "cannot open the database in " + dir);
  rep->db.reset(raw);
  // handles[0] is the default family, unused.
  rep->db->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  rep->handles.assign(handles.begin() + 1, handles.end());
  rep->write_options.sync = options.durability == Durability::kSync;
  return std::unique_ptr<Db>(new Db(std::move(rep), options.durability));
}

StatusOr<std::optional<std::string>> Db::Get(Family family, std::string_view key) const {
  std::string value;
  rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), rep_->Handle(family), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("read from ") + FamilyName(family));
  return std::optional<std::string>(std::move(value));
}

Status Db::Write(const WriteBatch& batch) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.rep_->ops) {
    rocksdb::Status s = op.is_delete ? wb.Delete(rep_->Handle(op.family), ToSlice(op.key))
                                     : wb.Put(rep_->Handle(op.family), ToSlice(op.key), ToSlice(op.value));
    if (!s.ok()) return FromRocks(s, "build a write batch");
  }
  // With sync set, RocksDB groups concurrent writers: one leader writes the
  // log for the group and fsyncs once.
  return FromRocks(rep_->db->Write(rep_->write_options, &wb), "write");
}

Status Db::Scan(Family family, std::string_view start, std::string_view end, const Visitor& visit) const {
  rocksdb::ReadOptions read_options;
  std::string end_copy(end);
  rocksdb::Slice upper(end_copy);
  if (!end.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(read_options, rep_->Handle(family)));
  for (it->Seek(ToSlice(start)); it->Valid(); it->Next())
    if (!visit(ToView(it->key()), ToView(it->value()))) break;
  return FromRocks(it->status(), std::string("scan ") + FamilyName(family));
}

Status Db::ScanPrefix(Family family, std::string_view prefix, const Visitor& visit) const {
  // The smallest key after every key with this prefix: the prefix with its
  // last byte below 0xff incremented (and what follows it dropped).
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return Scan(family, prefix, end, visit);
}

StatusOr<std::optional<std::pair<std::string, std::string>>> Db::Last(Family family) const {
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->Handle(family)));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), std::string("scan ") + FamilyName(family));
  if (!it->Valid()) return std::optional<std::pair<std::string, std::string>>();
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(it->key().ToString(), it->value().ToString()));
}

uint64_t Db::ApproximateMemoryBytes() const {
  std::map<rocksdb::MemoryUtil::UsageType, uint64_t> usage;
  std::unordered_set<const rocksdb::Cache*> caches{rep_->cache.get()};
  std::vector<rocksdb::DB*> dbs{rep_->db.get()};
  if (!rocksdb::MemoryUtil::GetApproximateMemoryUsageByType(dbs, caches, &usage).ok()) return 0;
  uint64_t total = 0;
  for (const auto& [type, bytes] : usage) total += bytes;
  return total;
}

std::string EncodeU64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

uint64_t DecodeU64(std::string_view bytes) {
  if (bytes.size() < 8) return 0;
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

}  // namespace smdl::storage
