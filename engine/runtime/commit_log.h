// The commit path shared by every operation: an append-only, hash-chained
// audit log and the outbox, written together with the operation's other
// changes in one atomic write batch.
//
// Operations prepare their changes (a WriteBatch, audit entries and outbox
// messages without sequence numbers) and call Commit. Concurrent commits are
// grouped: one thread, the leader, takes every pending commit, gives each
// audit entry its global sequence and the SHA-256 of the previous entry,
// numbers the outbox messages, and writes the whole group in one batch (so
// one fsync in sync mode). Followers wait for the leader's verdict. A failed
// write fails the whole group and leaves the chain where it was.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/db.h"

namespace smdl::runtime {

// A prefix of an index family that an operation read (a records(T) query)
// and the keys it found there.
struct IndexScan {
  storage::Family family = storage::Family::kIndex;
  std::string prefix;
  std::vector<std::string> keys;
};

struct PendingCommit {
  storage::WriteBatch batch;
  // Entries; seq, prev and hash are added. Entries after the first are
  // operations the first caused: each gets "cause", the first one's seq.
  std::vector<nlohmann::json> audit;
  std::vector<nlohmann::json> outbox;  // messages; seq and audit_seq are added
  // The audit entry (index in `audit`) each message belongs to; empty: the first.
  std::vector<size_t> outbox_entry;
  std::vector<std::pair<std::string, uint64_t>> counters;  // meta key -> at least this value
  // Optimistic checks: each record read (id -> the version read, 0 for one
  // that did not exist) must still have that version when the group is
  // written, or this commit alone fails with kAborted. `writes` names the
  // records this commit writes (id -> version after), so that a later
  // commit of the same group that read them sees the change.
  std::map<std::string, uint64_t> reads;
  std::map<std::string, uint64_t> writes;
  // The same for queries: each prefix scanned must still hold exactly the
  // keys found (no record came or went: no phantoms). `index_changes` are
  // the index keys this commit puts (true) or deletes (false), which a later
  // commit of the group that scanned them sees.
  std::vector<IndexScan> scans;
  std::vector<std::tuple<storage::Family, std::string, bool>> index_changes;

  // Filled in by Commit.
  std::vector<uint64_t> audit_seqs;
  std::vector<uint64_t> outbox_seqs;
};

// The hash of an audit entry: SHA-256 over the previous hash and the entry's
// canonical JSON (keys sorted, without "hash").
std::string AuditHash(const nlohmann::json& entry_without_hash);

class CommitLog {
 public:
  explicit CommitLog(storage::Db& db) : db_(db) {}

  // Reads the last audit and outbox sequences and the last hash.
  Status Load();

  // Commits `commit` (with any others pending at the same time). On success
  // audit_seqs and outbox_seqs hold the numbers given.
  Status Commit(PendingCommit& commit);

  uint64_t last_audit_seq() const;

 private:
  struct Waiter {
    PendingCommit* commit;
    bool done = false;
    Status status;
    Status conflict;  // set by the leader: this commit's reads are stale
  };
  Status WriteGroup(std::vector<Waiter*>& group);
  // kAborted naming the first record `commit` read that has changed since.
  using IndexChanges = std::map<std::pair<storage::Family, std::string>, bool>;
  Status CheckReads(const PendingCommit& commit, const std::map<std::string, uint64_t>& written_in_group,
                    const IndexChanges& index_changes_in_group);

  storage::Db& db_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Waiter*> queue_;  // guarded by mu_
  bool leader_active_ = false;  // guarded by mu_
  // The chain's head; read and written only by the active leader.
  uint64_t audit_seq_ = 0;
  uint64_t outbox_seq_ = 0;
  std::string last_hash_;
  std::map<std::string, uint64_t> counters_;  // meta counters as stored
  // Versions of records written (or checked) since the log was loaded, so
  // that CheckReads rarely reads the database: every record write goes
  // through the leader, so it is exact. While it holds every record written
  // since then (`versions_complete_`), a record it lacks has not changed
  // since the operation read it; once it overflowed, the database answers.
  std::unordered_map<std::string, uint64_t> versions_;
  bool versions_complete_ = true;
};

// The hash that precedes the first audit entry.
inline constexpr const char* kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

}  // namespace smdl::runtime
