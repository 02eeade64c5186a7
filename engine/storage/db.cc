#include "storage/db.h"

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/memory_util.h>
#include <rocksdb/write_batch.h>

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <map>
#include <mutex>
#include <system_error>
#include <unistd.h>
#include <unordered_set>
#include <vector>

namespace smdl::storage {
namespace {

constexpr const char* kFamilyNames[kFamilyCount] = {
#define SMDL_FAMILY_NAME(id, name) name,
    SMDL_FAMILIES(SMDL_FAMILY_NAME)
#undef SMDL_FAMILY_NAME
};

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(what) + ": " + s.ToString();
  if (s.IsCorruption()) return Status(StatusCode::kCorruption, message);
  if (s.IsNotFound()) return NotFound(message);
  if (s.IsInvalidArgument()) return InvalidArgument(message);
  return IoError(message);
}

// The same, for a failure that concerns the database in `dir`: a full or
// read-only disk is said in plain words, with the directory.
Status FromRocksIn(const rocksdb::Status& s, std::string_view what, const std::string& dir) {
  if (s.ok()) return Status::Ok();
  std::string text = s.ToString();
  if (s.IsNoSpace() || text.find("No space left") != std::string::npos)
    return IoError(std::string(what) + ": the disk holding " + dir + " is full (" + text + ")");
  if (text.find("Read-only file system") != std::string::npos)
    return IoError(std::string(what) + ": " + dir + " is on a read-only file system (" + text + ")");
  return FromRocks(s, what);
}

// RocksDB's informational log, written by smdl: RocksDB's own file logger
// aborts the process (an assertion in Debian's build) once a write to it
// has failed, which is what a full disk does to the first command. This
// one ignores failed writes; the log is only informational. It appends to
// LOG in the database directory and starts a new one beside LOG.old when
// it passes kMaxBytes.
class InfoLog final : public rocksdb::Logger {
 public:
  static constexpr long kMaxBytes = 4L << 20;

  // An empty `dir`: a log that writes nothing.
  explicit InfoLog(const std::string& dir) : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {
    if (dir.empty()) return;
    std::string path = dir + "/LOG";
    std::error_code ec;
    if (std::filesystem::file_size(path, ec) > static_cast<uintmax_t>(kMaxBytes) && !ec)
      std::filesystem::rename(path, dir + "/LOG.old", ec);
    file_ = std::fopen(path.c_str(), "a");
  }
  ~InfoLog() override {
    if (file_) std::fclose(file_);
  }
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    if (!file_) return;
    std::lock_guard<std::mutex> lock(mu_);
    std::vfprintf(file_, format, ap);
    std::fputc('\n', file_);
    std::fflush(file_);  // a failure (a full disk) is ignored
  }

 private:
  std::mutex mu_;
  std::FILE* file_ = nullptr;
};

// What is in a database directory before it is opened. Without CURRENT, a
// directory that holds data (a write-ahead log or a table file)
// is a damaged database; one that holds only what a creation writes before
// CURRENT (LOG, LOCK, IDENTITY, a manifest, options: a creation that was
// interrupted, so nothing was ever acknowledged) counts as empty; anything
// else is not a database.
enum class DirState { kMissing, kEmpty, kDatabase, kNoCurrent, kForeign };

DirState Inspect(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return DirState::kMissing;
  if (!fs::is_directory(dir, ec)) return DirState::kForeign;
  bool data = false, foreign = false;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name == "CURRENT") return DirState::kDatabase;
    // A write-ahead log exists only once CURRENT did (RocksDB makes the log
    // after the manifest and CURRENT).
    if (name.ends_with(".sst") || (name.size() > 4 && name.ends_with(".log"))) {
      data = true;
    } else if (!(name == "LOG" || name.rfind("LOG.old", 0) == 0 || name == "LOCK" || name == "IDENTITY" ||
                 name.rfind("MANIFEST-", 0) == 0 || name.rfind("OPTIONS-", 0) == 0 || name.ends_with(".dbtmp") ||
                 name == "CURRENT.smdl-recover")) {
      foreign = true;
    }
  }
  if (data) return DirState::kNoCurrent;
  return foreign ? DirState::kForeign : DirState::kEmpty;
}

std::vector<rocksdb::ColumnFamilyDescriptor> FamilyDescriptors(const rocksdb::ColumnFamilyOptions& options) {
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  families.emplace_back(rocksdb::kDefaultColumnFamilyName, options);
  for (const char* name : kFamilyNames) families.emplace_back(name, options);
  return families;
}

rocksdb::Slice ToSlice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }
std::string_view ToView(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

}  // namespace

const char* FamilyName(Family family) { return kFamilyNames[static_cast<int>(family)]; }

struct WriteBatch::Rep {
  // Operations are kept by family index and replayed into a rocksdb batch by
  // RocksDb::Write, which knows the column family handles.
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
void WriteBatch::ForEach(const OpVisitor& visit) const {
  for (const auto& op : rep_->ops) visit(op.family, op.is_delete, op.key, op.value);
}

Db::~Db() = default;

Status Db::ScanPrefix(Family family, std::string_view prefix, const Visitor& visit) const {
  // The smallest key after every key with this prefix: the prefix with its
  // last byte below 0xff incremented (and what follows it dropped).
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
  return Scan(family, prefix, end, visit);
}

namespace {

// The RocksDB database: one column family per Family.
class RocksDb final : public Db {
 public:
  struct Rep;
  RocksDb(std::unique_ptr<Rep> rep, Durability durability);
  ~RocksDb() override;
  StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) const override;
  StatusOr<std::vector<std::optional<std::string>>> MultiGet(Family family,
                                                             const std::vector<std::string>& keys) const override;
  Status Write(const WriteBatch& batch) override;
  Status Scan(Family family, std::string_view start, std::string_view end, const Visitor& visit) const override;
  StatusOr<std::optional<std::pair<std::string, std::string>>> Last(Family family) const override;
  uint64_t ApproximateMemoryBytes() const override;
  StatusOr<std::unique_ptr<Db>> CopyInMemory() const override {
    return FailedPrecondition("only a database in memory can be copied");
  }

 private:
  std::unique_ptr<Rep> rep_;
};

}  // namespace

struct RocksDb::Rep {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::shared_ptr<rocksdb::Cache> cache;
  rocksdb::WriteOptions write_options;
  std::string dir;
  bool read_only = false;

  ~Rep() {
    if (db) {
      for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
      db->Close().PermitUncheckedError();
    }
  }
  rocksdb::ColumnFamilyHandle* Handle(Family f) const { return handles[static_cast<int>(f)]; }
};

RocksDb::RocksDb(std::unique_ptr<Rep> rep, Durability durability) : Db(durability), rep_(std::move(rep)) {}
RocksDb::~RocksDb() = default;

StatusOr<std::unique_ptr<Db>> Db::Open(const std::string& dir, const DbOptions& options) {
  switch (Inspect(dir)) {
    case DirState::kDatabase:
      break;
    case DirState::kMissing:
    case DirState::kEmpty:
      if (!options.create_if_missing || options.read_only)
        return NotFound("no database in " + dir + " (a deploy creates one)");
      {
        // RocksDB makes only the last directory; make the ones above it too.
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) return IoError("cannot create the directory " + dir + ": " + ec.message());
      }
      break;
    case DirState::kNoCurrent:
      return Status(StatusCode::kCorruption,
                    "the database in " + dir + " is damaged: its CURRENT file is missing (run 'smdl recover --db " +
                        dir + "' on a copy; see docs/reliability.md)");
    case DirState::kForeign:
      return InvalidArgument(dir + " is not an smdl database (it holds other files)");
  }

  auto rep = std::make_unique<RocksDb::Rep>();
  rep->cache = rocksdb::NewLRUCache(options.block_cache_bytes);

  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rep->cache;
  table.cache_index_and_filter_blocks = true;  // index memory counts against the cache
  // Reads by key (a record, a query's results): a Bloom filter per table
  // skips the levels that do not hold the key, and index and filter blocks
  // stay in the cache ahead of data blocks.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.cache_index_and_filter_blocks_with_high_priority = true;
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  // Index and filter in partitions of a block's size under a small top
  // level: a read loads the partitions it needs, not a table's whole index
  // (hundreds of KB to decompress each time it has left the cache, which is
  // what a million records with a 64 MB cache did at every query).
  table.index_type = rocksdb::BlockBasedTableOptions::IndexType::kTwoLevelIndexSearch;
  table.partition_filters = true;
  table.metadata_block_size = 4096;
  table.pin_top_level_index_and_filter = true;

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
  // open instead of flushed at close, and the info log is one file (see
  // InfoLog); a read-only open writes none.
  db_options.avoid_flush_during_shutdown = true;
  db_options.info_log = std::make_shared<InfoLog>(options.read_only ? std::string() : dir);
  // A record cut short at the very end of the log is what a crash in the
  // middle of a write leaves (that write was never acknowledged); any other
  // damage must stop the open rather than drop acknowledged writes. (This
  // mode also turns RocksDB's log recycling off.)
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  // Memtables of all families together; beyond this RocksDB flushes.
  db_options.db_write_buffer_size = options.write_buffer_bytes * 4;

  std::vector<rocksdb::ColumnFamilyDescriptor> families = FamilyDescriptors(family_options);
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = options.read_only
                          ? rocksdb::DB::OpenForReadOnly(db_options, dir, families, &handles, &raw)
                          : rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  if (!s.ok()) {
    if (s.IsCorruption())
      return Status(StatusCode::kCorruption, "the database in " + dir + " is damaged (" + s.ToString() +
                                                 "); nothing was changed. Run 'smdl recover --db " + dir +
                                                 "' on a copy to keep what can be read; see docs/reliability.md");
    if (options.read_only && s.IsInvalidArgument() && s.ToString().find("Column family not found") != std::string::npos)
      return Status(StatusCode::kCorruption, "the database in " + dir + " lacks smdl's column families (" + s.ToString() + ")");
    return FromRocksIn(s, "cannot open the database in " + dir, dir);
  }
  rep->db.reset(raw);
  rep->dir = dir;
  rep->read_only = options.read_only;
  // handles[0] is the default family, unused.
  rep->db->DestroyColumnFamilyHandle(handles[0]).PermitUncheckedError();
  rep->handles.assign(handles.begin() + 1, handles.end());
  rep->write_options.sync = options.durability == Durability::kSync;
  return std::unique_ptr<Db>(new RocksDb(std::move(rep), options.durability));
}

StatusOr<RecoveryReport> Db::Recover(const std::string& dir) {
  RecoveryReport report;
  DirState state = Inspect(dir);
  if (state == DirState::kMissing || state == DirState::kEmpty) return NotFound("no database in " + dir);
  if (state == DirState::kForeign) return InvalidArgument(dir + " is not an smdl database (it holds other files)");
  rocksdb::ColumnFamilyOptions family_options;
  rocksdb::DBOptions db_options;
  db_options.create_missing_column_families = true;  // a repair keeps only the families that have tables
  db_options.info_log = std::make_shared<InfoLog>(dir);
  std::vector<rocksdb::ColumnFamilyDescriptor> families = FamilyDescriptors(family_options);
  if (state == DirState::kNoCurrent) {
    // CURRENT only names the live manifest, the newest one. Naming it again
    // keeps everything, the write-ahead logs included; RocksDB's repair,
    // which rebuilds a manifest from the table files, is the fallback when
    // no manifest is left.
    std::string newest;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind("MANIFEST-", 0) == 0 &&
          (newest.empty() || name.size() > newest.size() || (name.size() == newest.size() && name > newest)))
        newest = name;
    }
    if (!newest.empty()) {
      std::string tmp = dir + "/CURRENT.smdl-recover";
      std::FILE* f = std::fopen(tmp.c_str(), "w");
      bool written = f && std::fprintf(f, "%s\n", newest.c_str()) > 0;
      written = f && std::fflush(f) == 0 && fsync(fileno(f)) == 0 && written;
      if (f) std::fclose(f);
      if (!written) return IoError("cannot write " + tmp);
      std::filesystem::rename(tmp, dir + "/CURRENT", ec);
      if (ec) return IoError("cannot rename " + tmp + " to CURRENT: " + ec.message());
      report.details = "CURRENT was missing; it now names " + newest + ", the newest manifest";
    } else {
      rocksdb::Status s = rocksdb::RepairDB(dir, db_options, families);
      if (!s.ok()) return FromRocksIn(s, "cannot rebuild the database in " + dir, dir);
      report.details = "CURRENT and every manifest were missing; a manifest was rebuilt from the table files "
                       "(what was only in the write-ahead logs may be lost)";
    }
    report.restored_current = true;
  }
  // First as strictly as Open: if that works, the log is sound.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status strict = rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
  if (!strict.ok()) {
    if (!strict.IsCorruption()) return FromRocksIn(strict, "cannot open the database in " + dir, dir);
    // Keep every write before the first damaged record, drop the rest.
    db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
    rocksdb::Status s = rocksdb::DB::Open(db_options, dir, families, &handles, &raw);
    if (!s.ok()) return FromRocksIn(s, "cannot recover the database in " + dir, dir);
    report.truncated_log = true;
    if (!report.details.empty()) report.details += "; ";
    report.details += "the log was replayed up to its first damaged record (" + strict.ToString() + ")";
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  // Make what was recovered durable in table files, so that the next open
  // no longer meets the damaged log.
  rocksdb::FlushOptions flush;
  rocksdb::Status flushed = db->Flush(flush, handles);
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h).PermitUncheckedError();
  rocksdb::Status closed = db->Close();
  if (!flushed.ok()) return FromRocksIn(flushed, "cannot write the recovered database in " + dir, dir);
  if (!closed.ok()) return FromRocksIn(closed, "cannot close the recovered database in " + dir, dir);
  return report;
}

StatusOr<std::optional<std::string>> RocksDb::Get(Family family, std::string_view key) const {
  std::string value;
  rocksdb::Status s = rep_->db->Get(rocksdb::ReadOptions(), rep_->Handle(family), ToSlice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, std::string("read from ") + FamilyName(family));
  return std::optional<std::string>(std::move(value));
}

StatusOr<std::vector<std::optional<std::string>>> RocksDb::MultiGet(Family family,
                                                               const std::vector<std::string>& keys) const {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(keys.size());
  for (const auto& k : keys) slices.push_back(ToSlice(k));
  std::vector<rocksdb::PinnableSlice> values(keys.size());
  std::vector<rocksdb::Status> statuses(keys.size());
  rep_->db->MultiGet(rocksdb::ReadOptions(), rep_->Handle(family), keys.size(), slices.data(), values.data(),
                     statuses.data());
  std::vector<std::optional<std::string>> out;
  out.reserve(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      out.emplace_back();
    } else if (!statuses[i].ok()) {
      return FromRocks(statuses[i], std::string("read from ") + FamilyName(family));
    } else {
      out.emplace_back(values[i].ToString());
    }
  }
  return out;
}

Status RocksDb::Write(const WriteBatch& batch) {
  if (rep_->read_only) return FailedPrecondition("the database in " + rep_->dir + " is open for reading only");
  rocksdb::WriteBatch wb;
  rocksdb::Status built;
  batch.ForEach([&](Family family, bool is_delete, std::string_view key, std::string_view value) {
    if (!built.ok()) return;
    built = is_delete ? wb.Delete(rep_->Handle(family), ToSlice(key)) : wb.Put(rep_->Handle(family), ToSlice(key), ToSlice(value));
  });
  if (!built.ok()) return FromRocks(built, "build a write batch");
  // With sync set, RocksDB groups concurrent writers: one leader writes the
  // log for the group and fsyncs once.
  return FromRocksIn(rep_->db->Write(rep_->write_options, &wb), "write", rep_->dir);
}

Status RocksDb::Scan(Family family, std::string_view start, std::string_view end, const Visitor& visit) const {
  rocksdb::ReadOptions read_options;
  std::string end_copy(end);
  rocksdb::Slice upper(end_copy);
  if (!end.empty()) read_options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(read_options, rep_->Handle(family)));
  for (it->Seek(ToSlice(start)); it->Valid(); it->Next())
    if (!visit(ToView(it->key()), ToView(it->value()))) break;
  return FromRocks(it->status(), std::string("scan ") + FamilyName(family));
}

StatusOr<std::optional<std::pair<std::string, std::string>>> RocksDb::Last(Family family) const {
  std::unique_ptr<rocksdb::Iterator> it(rep_->db->NewIterator(rocksdb::ReadOptions(), rep_->Handle(family)));
  it->SeekToLast();
  if (!it->status().ok()) return FromRocks(it->status(), std::string("scan ") + FamilyName(family));
  if (!it->Valid()) return std::optional<std::pair<std::string, std::string>>();
  return std::optional<std::pair<std::string, std::string>>(
      std::make_pair(it->key().ToString(), it->value().ToString()));
}

uint64_t RocksDb::ApproximateMemoryBytes() const {
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
