#include "runtime/commit_log.h"

#include <map>
#include <set>

#include "base/sha256.h"
#include "runtime/record.h"

namespace smdl::runtime {

std::string AuditHash(const nlohmann::json& entry) {
  nlohmann::json copy = entry;
  copy.erase("hash");
  return Sha256Hex(copy.value("prev", std::string(kGenesisHash)) + "\n" + copy.dump());
}

Status CommitLog::Load() {
  auto last = db_.Last(storage::Family::kAudit);
  if (!last.ok()) return last.status();
  if (last->has_value()) {
    audit_seq_ = storage::DecodeU64((*last)->first);
    auto entry = nlohmann::json::parse((*last)->second, nullptr, false);
    if (entry.is_discarded() || !entry.contains("hash"))
      return Status(StatusCode::kCorruption, "audit entry " + std::to_string(audit_seq_) + " is not readable");
    last_hash_ = entry["hash"].get<std::string>();
  } else {
    last_hash_ = kGenesisHash;
  }
  auto out = db_.Last(storage::Family::kOutbox);
  if (!out.ok()) return out.status();
  if (out->has_value()) outbox_seq_ = storage::DecodeU64((*out)->first);
  // Acknowledged messages are deleted; the high-water mark keeps numbers unique.
  auto mark = db_.Get(storage::Family::kMeta, "outbox_seq");
  if (!mark.ok()) return mark.status();
  if (mark->has_value()) outbox_seq_ = std::max(outbox_seq_, storage::DecodeU64(**mark));
  return Status::Ok();
}

uint64_t CommitLog::last_audit_seq() const {
  std::lock_guard<std::mutex> lock(mu_);
  return audit_seq_;
}

Status CommitLog::Commit(PendingCommit& commit) {
  Waiter self{&commit, false, Status::Ok(), Status::Ok()};
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(&self);
  while (!self.done) {
    if (leader_active_) {
      cv_.wait(lock);
      continue;
    }
    // Become the leader for everything queued so far (our own commit included).
    leader_active_ = true;
    std::vector<Waiter*> group;
    group.swap(queue_);
    lock.unlock();
    Status status = WriteGroup(group);
    lock.lock();
    for (Waiter* w : group) {
      w->status = w->conflict.ok() ? status : w->conflict;
      w->done = true;
    }
    leader_active_ = false;
    cv_.notify_all();
  }
  return self.status;
}

Status CommitLog::CheckReads(const PendingCommit& commit, const std::map<std::string, uint64_t>& written_in_group,
                             const IndexChanges& index_changes_in_group) {
  auto phantoms = [] {
    return Aborted("the records a query of this operation found changed while it ran (records came or went)");
  };
  for (const auto& scan : commit.scans) {
    auto changed = index_changes_in_group.lower_bound({scan.family, scan.prefix});
    bool group_changed = changed != index_changes_in_group.end() && changed->first.first == scan.family &&
                         changed->first.second.compare(0, scan.prefix.size(), scan.prefix) == 0;
    if (!group_changed) {  // the common case: the stored keys, in order, must be the keys found
      size_t next = 0;
      bool same = true;
      Status read = db_.ScanPrefix(scan.family, scan.prefix, [&](std::string_view key, std::string_view) {
        same = next < scan.keys.size() && scan.keys[next++] == key;
        return same;
      });
      SMDL_RETURN_IF_ERROR(read);
      if (!same || next != scan.keys.size()) return phantoms();
      continue;
    }
    std::set<std::string> now;
    Status read = db_.ScanPrefix(scan.family, scan.prefix, [&](std::string_view key, std::string_view) {
      now.emplace(key);
      return true;
    });
    SMDL_RETURN_IF_ERROR(read);
    for (auto it = changed; it != index_changes_in_group.end() && it->first.first == scan.family &&
                            it->first.second.compare(0, scan.prefix.size(), scan.prefix) == 0;
         ++it) {
      if (it->second) now.insert(it->first.second);
      else now.erase(it->first.second);
    }
    if (now != std::set<std::string>(scan.keys.begin(), scan.keys.end())) return phantoms();
  }
  for (const auto& [id, read] : commit.reads) {
    uint64_t now = 0;
    auto written = written_in_group.find(id);
    auto cached = versions_.find(id);
    if (written != written_in_group.end()) {
      now = written->second;
    } else if (cached != versions_.end()) {
      now = cached->second;
    } else if (versions_complete_) {
      now = read;  // not written since it was read
    } else {
      auto stored = db_.Get(storage::Family::kRecords, id);
      if (!stored.ok()) return stored.status();
      if (stored->has_value()) {
        auto version = StoredVersion(**stored);
        if (!version.ok()) return version.status();
        now = *version;
      }
    }
    if (now != read)
      return Aborted("record " + id + " changed while this operation read it (version " + std::to_string(read) +
                     " read, " + std::to_string(now) + " now)");
  }
  return Status::Ok();
}

Status CommitLog::WriteGroup(std::vector<Waiter*>& group) {
  uint64_t audit_seq = audit_seq_;
  uint64_t outbox_seq = outbox_seq_;
  std::string hash = last_hash_;
  storage::WriteBatch batch;
  std::map<std::string, uint64_t> counters;
  std::map<std::string, uint64_t> written;  // records written by the group so far -> version
  IndexChanges index_changes;               // index keys the group put or deleted so far
  for (Waiter* w : group) {
    PendingCommit& c = *w->commit;
    c.audit_seqs.clear();
    c.outbox_seqs.clear();
    w->conflict = CheckReads(c, written, index_changes);
    if (!w->conflict.ok()) continue;
    for (const auto& [id, version] : c.writes) written[id] = version;
    for (const auto& [family, key, put] : c.index_changes) index_changes[{family, key}] = put;
    batch.Append(c.batch);
    for (auto& entry : c.audit) {
      if (!c.audit_seqs.empty()) entry["cause"] = c.audit_seqs.front();
      entry["seq"] = ++audit_seq;
      entry["prev"] = hash;
      hash = AuditHash(entry);
      entry["hash"] = hash;
      std::string key = storage::EncodeU64(audit_seq);
      batch.Put(storage::Family::kAudit, key, entry.dump());
      batch.Put(storage::Family::kHistory, HistoryKey(entry["record"].get<std::string>(), audit_seq), "");
      c.audit_seqs.push_back(audit_seq);
    }
    for (size_t i = 0; i < c.outbox.size(); ++i) {
      nlohmann::json& message = c.outbox[i];
      size_t entry = i < c.outbox_entry.size() ? c.outbox_entry[i] : 0;
      message["seq"] = ++outbox_seq;
      if (entry < c.audit_seqs.size()) message["audit_seq"] = c.audit_seqs[entry];
      batch.Put(storage::Family::kOutbox, storage::EncodeU64(outbox_seq), message.dump());
      c.outbox_seqs.push_back(outbox_seq);
    }
    for (const auto& [key, value] : c.counters) counters[key] = std::max(counters[key], value);
  }
  // Counters only grow, whatever order the operations that raised them commit in.
  for (auto& [key, value] : counters) {
    auto known = counters_.find(key);
    uint64_t stored = 0;
    if (known != counters_.end()) {
      stored = known->second;
    } else {
      auto read = db_.Get(storage::Family::kMeta, key);
      if (!read.ok()) return read.status();
      if (read->has_value()) stored = storage::DecodeU64(**read);
    }
    value = std::max(value, stored);
    if (value > stored) batch.Put(storage::Family::kMeta, key, storage::EncodeU64(value));
  }
  if (outbox_seq != outbox_seq_) batch.Put(storage::Family::kMeta, "outbox_seq", storage::EncodeU64(outbox_seq));
  Status status = db_.Write(batch);
  if (!status.ok()) return status;
  audit_seq_ = audit_seq;
  outbox_seq_ = outbox_seq;
  last_hash_ = hash;
  if (versions_.size() > (1u << 17)) {
    versions_.clear();
    versions_complete_ = false;
  }
  for (const auto& [id, version] : written) versions_[id] = version;
  for (const auto& [key, value] : counters) counters_[key] = value;
  return Status::Ok();
}

}  // namespace smdl::runtime
