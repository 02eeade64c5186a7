// The storage stage: smdl's state behind one interface, Db, that shows no
// RocksDB type, with two implementations: RocksDB (durable, the default;
// db.cc, the only file that includes rocksdb/) and memory (memory_db.cc:
// nothing kept after it is destroyed, for `smdl test` and simulations; the
// interface is also where another backend would plug in).
//
// One database per engine directory, with one column family per kind of
// state (see Family). Every change the runtime makes for one operation goes
// into one WriteBatch and is applied atomically by Db::Write. Keys that must
// sort by number (sequences, due times) are written big-endian (EncodeU64).
//
// Thread safety: Db is safe to use from many threads; a WriteBatch belongs to
// one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "smdl/status.h"

namespace smdl::storage {

// The column families, one line each: the enum name, the RocksDB name, and
// what it holds. Family, FamilyName and the families Open creates all come
// from this list.
#define SMDL_FAMILIES(X)                                                                            \
  X(kMeta, "meta")                /* counters and the current definition version */               \
  X(kDefinitions, "definitions")  /* definition version -> modules (source text, hashes) */       \
  X(kRecords, "records")          /* record id -> record JSON */                                  \
  X(kIndex, "index")              /* type \0 state \0 id -> "" (list by type and state) */        \
  X(kAudit, "audit")              /* sequence -> audit entry JSON (append-only, hash-chained) */  \
  X(kHistory, "history")          /* record id \0 sequence -> "" (a record's audit entries) */    \
  X(kTimers, "timers")            /* due time \0 record id \0 timer name -> timer JSON */         \
  X(kOutbox, "outbox")            /* sequence -> message JSON */                                  \
  X(kIdempotency, "idempotency")  /* idempotency key -> JSON of the first result */              \
  X(kLookup, "lookup")            /* type \0 index \0 values... \0 id -> the record (records(T) indexes) */

enum class Family {
#define SMDL_FAMILY_ENUM(id, name) id,
  SMDL_FAMILIES(SMDL_FAMILY_ENUM)
#undef SMDL_FAMILY_ENUM
};
#define SMDL_FAMILY_COUNT(id, name) +1
inline constexpr int kFamilyCount = 0 SMDL_FAMILIES(SMDL_FAMILY_COUNT);
#undef SMDL_FAMILY_COUNT
const char* FamilyName(Family family);

// How a commit reaches the disk.
//  kSync:  the write-ahead log is fsynced before Write returns. An
//          acknowledged commit survives a crash of the process or the
//          machine. Concurrent commits share one fsync (group commit).
//  kAsync: the write-ahead log is written (to the OS) but not fsynced. An
//          acknowledged commit survives a crash of the process, but the last
//          commits may be lost if the machine loses power.
enum class Durability { kSync, kAsync };

struct DbOptions {
  Durability durability = Durability::kSync;
  size_t block_cache_bytes = 64u << 20;   // bounds memory for reads
  size_t write_buffer_bytes = 32u << 20;  // per column family memtable
  // A database is created only in a directory that does not exist or is
  // empty, and only when this is set; otherwise a missing one is NotFound.
  bool create_if_missing = true;
  // Reads only: no lock is taken and nothing is written (not even a new
  // write-ahead log), so it may run beside a process that writes. Write
  // fails with kFailedPrecondition.
  bool read_only = false;
};

// What Db::Recover did to make a damaged database open again.
struct RecoveryReport {
  bool restored_current = false;  // CURRENT was missing: it names the newest manifest again
  bool truncated_log = false;     // the write-ahead log was replayed up to its first damage
  std::string details;            // what RocksDB said about the damage
};

class WriteBatch {
 public:
  WriteBatch();
  ~WriteBatch();
  WriteBatch(WriteBatch&&) noexcept;
  WriteBatch& operator=(WriteBatch&&) noexcept;

  void Put(Family family, std::string_view key, std::string_view value);
  void Delete(Family family, std::string_view key);
  // Appends every operation of `other` to this batch.
  void Append(const WriteBatch& other);
  size_t Count() const;
  void Clear();
  // Each operation in order: family, delete or put, key, value.
  using OpVisitor = std::function<void(Family, bool is_delete, std::string_view key, std::string_view value)>;
  void ForEach(const OpVisitor& visit) const;

 private:
  friend class Db;
  struct Rep;
  std::unique_ptr<Rep> rep_;
};

class Db {
 public:
  // Opens (or creates, see DbOptions) the RocksDB database in `dir`. A
  // damaged write-ahead log (anything but a record cut short at its very
  // end, which is what a crash in the middle of an unacknowledged write
  // leaves) or a missing CURRENT file fails with kCorruption and names
  // Recover; a full or read-only disk fails with kIoError naming the
  // directory.
  static StatusOr<std::unique_ptr<Db>> Open(const std::string& dir, const DbOptions& options);
  // An empty database in memory: the same behaviour, atomic batches and
  // ordered scans included, and nothing kept once it is destroyed.
  static std::unique_ptr<Db> OpenInMemory();

  // Makes a damaged database open again, keeping what can be read: rebuilds
  // a missing CURRENT from the data files, and replays a damaged log up to
  // its first damaged record (what follows it is lost). Destructive: copy
  // the directory first.
  static StatusOr<RecoveryReport> Recover(const std::string& dir);
  virtual ~Db();

  // The value under `key`, or nullopt when there is none.
  virtual StatusOr<std::optional<std::string>> Get(Family family, std::string_view key) const = 0;
  // Several keys of one family at once (a batched lookup): a value or
  // nullopt for each, in order.
  virtual StatusOr<std::vector<std::optional<std::string>>> MultiGet(Family family,
                                                                     const std::vector<std::string>& keys) const = 0;

  // Applies the batch atomically, with the durability chosen at Open.
  virtual Status Write(const WriteBatch& batch) = 0;

  // Calls `visit` for each key in [start, end) in order (end empty: to the
  // end of the family) until it returns false.
  using Visitor = std::function<bool(std::string_view key, std::string_view value)>;
  virtual Status Scan(Family family, std::string_view start, std::string_view end, const Visitor& visit) const = 0;
  // Each key that starts with `prefix`.
  Status ScanPrefix(Family family, std::string_view prefix, const Visitor& visit) const;
  // The last key and value of a family, if any.
  virtual StatusOr<std::optional<std::pair<std::string, std::string>>> Last(Family family) const = 0;

  Durability durability() const { return durability_; }
  // Approximate memory held (RocksDB: memtables, block cache, readers).
  virtual uint64_t ApproximateMemoryBytes() const = 0;
  // A copy of everything, as a new database in memory; only a database in
  // memory can be copied (kFailedPrecondition otherwise).
  virtual StatusOr<std::unique_ptr<Db>> CopyInMemory() const = 0;

 protected:
  explicit Db(Durability durability) : durability_(durability) {}

 private:
  Durability durability_;
};

// Big-endian encoding so that numbers sort as strings.
std::string EncodeU64(uint64_t value);
uint64_t DecodeU64(std::string_view bytes);  // first 8 bytes; 0 if shorter

}  // namespace smdl::storage
