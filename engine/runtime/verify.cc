// Engine::Verify, signed checkpoints and recovery: what proves that a
// database is the one its audit log describes, and what makes a damaged one
// open again. docs/runtime.md (the audit log) says what this proves and what
// it cannot.
#include <algorithm>
#include <deque>
#include <functional>

#include "base/json_input.h"
#include "base/sha256.h"
#include "runtime/engine_impl.h"

namespace smdl {
namespace {

Status Corrupt(std::string message) { return Status(StatusCode::kCorruption, std::move(message)); }

// Compares a family with what it must hold (key -> value), in key order, and
// names the first key that is missing, unaccounted for or altered.
// `same` says whether a stored value is the one expected (equal, unless told).
Status CompareFamily(const storage::Db& db, Family family, const std::map<std::string, std::string>& expected,
                     const std::function<std::string(std::string_view key)>& describe,
                     const std::function<bool(std::string_view expected, std::string_view stored)>& same = nullptr) {
  std::string name = std::string("the ") + storage::FamilyName(family) + " family";
  auto it = expected.begin();
  Status problem;
  Status scan = db.Scan(family, "", "", [&](std::string_view key, std::string_view value) {
    if (it != expected.end() && std::string_view(it->first) < key) {
      problem = Corrupt(name + " lacks " + describe(it->first) + " (it was deleted)");
      return false;
    }
    if (it == expected.end() || std::string_view(it->first) != key) {
      problem = Corrupt(name + " holds " + describe(key) + ", which the audit log does not account for");
      return false;
    }
    if (same ? !same(it->second, value) : it->second != value) {
      problem = Corrupt(name + ": " + describe(key) + " was altered");
      return false;
    }
    ++it;
    return true;
  });
  SMDL_RETURN_IF_ERROR(scan);
  SMDL_RETURN_IF_ERROR(problem);
  if (it != expected.end()) return Corrupt(name + " lacks " + describe(it->first) + " (it was deleted)");
  return Status::Ok();
}

std::string DescribeHistoryKey(std::string_view key) {
  runtime::DecodedHistoryKey history;
  if (!runtime::DecodeHistoryKey(key, history)) return "an unreadable history entry";
  return "the history entry of audit entry " + std::to_string(history.audit_seq) +
         (history.record_id.empty() ? std::string(" (a deploy)") : " (record " + history.record_id + ")");
}

std::string DescribeIndexKey(std::string_view key) {
  runtime::DecodedIndexKey index;
  if (!runtime::DecodeIndexKey(key, index)) return "an unreadable list entry";
  return "the list entry of " + index.id + " (" + index.type + " in state '" + index.state + "')";
}

std::string DescribeTimerKey(std::string_view key) {
  runtime::DecodedTimerKey timer;
  if (!runtime::DecodeTimerKey(key, timer)) return "an unreadable timer";
  return "timer " + timer.name + " of " + timer.record_id + " due " + FormatTimestamp(timer.due);
}

// The text a checkpoint's MAC covers.
std::string CheckpointPayload(uint64_t seq, const std::string& hash, const std::string& time) {
  return "smdl checkpoint 1\n" + std::to_string(seq) + "\n" + hash + "\n" + time;
}

}  // namespace

StatusOr<std::string> Engine::Verify(const VerifyOptions& options) const {
  return Guarded([&]() -> StatusOr<std::string> {
    const storage::Db& db = *impl_->db;
    std::map<uint64_t, std::string> anchors;
    for (const auto& a : options.anchors) {
      if (a.seq == 0) return InvalidArgument("an anchor names audit entry 0, which does not exist");
      anchors[a.seq] = a.hash;
    }

    // 1. The hash chain, entry by entry; each record's entries; the history
    //    index the log implies; the anchors.
    std::string prev = runtime::kGenesisHash;
    uint64_t expected_seq = 0;
    std::vector<json> operations;  // every create, event and timer, in order
    std::vector<json> deploys;
    std::map<std::string, std::string> history;
    Status problem;
    Status scan = db.Scan(Family::kAudit, "", "", [&](std::string_view key, std::string_view value) {
      ++expected_seq;
      uint64_t seq = storage::DecodeU64(key);
      json entry = json::parse(value, nullptr, false);
      std::string where = "audit entry " + std::to_string(seq);
      if (seq != expected_seq) { problem = Corrupt(where + ": expected sequence " + std::to_string(expected_seq) + " (an entry is missing)"); return false; }
      if (entry.is_discarded() || !entry.contains("hash") || !entry.contains("record") || !entry["record"].is_string()) { problem = Corrupt(where + " is not readable"); return false; }
      if (entry.value("seq", uint64_t{0}) != seq) { problem = Corrupt(where + ": it says it is entry " + std::to_string(entry.value("seq", uint64_t{0})) + " (entries were moved)"); return false; }
      if (entry.value("prev", "") != prev) { problem = Corrupt(where + ": its 'prev' is not the hash of the entry before"); return false; }
      if (runtime::AuditHash(entry) != entry.value("hash", "")) { problem = Corrupt(where + ": its hash does not match its content (it was altered)"); return false; }
      prev = entry.value("hash", "");
      auto anchor = anchors.find(seq);
      if (anchor != anchors.end() && anchor->second != prev) {
        problem = Corrupt(where + " is not the entry that was anchored (its hash is " + prev + ", the anchor says " +
                          anchor->second + "): the log up to it was rewritten");
        return false;
      }
      std::string record = entry["record"].get<std::string>();
      history[runtime::HistoryKey(record, seq)] = "";
      if (entry.value("kind", "") == "deploy") deploys.push_back(std::move(entry));
      else operations.push_back(std::move(entry));
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(problem);
    if (!anchors.empty() && anchors.rbegin()->first > expected_seq)
      return Corrupt("the audit log ends at entry " + std::to_string(expected_seq) + " but entry " +
                     std::to_string(anchors.rbegin()->first) + " was anchored: entries were removed");

    // 2. Every stored definition is the one its deploy recorded, and the
    //    current one is the last deployed.
    std::set<uint64_t> deployed;
    for (const json& entry : deploys) {
      uint64_t version = entry.value("definition", uint64_t{0});
      SMDL_RETURN_IF_ERROR(impl_->definitions->CheckStored(version, entry));
      deployed.insert(version);
    }
    scan = db.Scan(Family::kDefinitions, "", "", [&](std::string_view key, std::string_view) {
      uint64_t version = storage::DecodeU64(key);
      if (key.size() != 8 || !deployed.count(version)) {
        problem = Corrupt("definition version " + std::to_string(version) + " was not stored by a deploy in the audit log");
        return false;
      }
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(problem);
    auto current = db.Get(Family::kMeta, "definition/current");
    if (!current.ok()) return current.status();
    uint64_t current_version = current->has_value() ? storage::DecodeU64(**current) : 0;
    uint64_t last_deployed = deploys.empty() ? 0 : deploys.back().value("definition", uint64_t{0});
    if (current_version != last_deployed)
      return Corrupt("the current definition version is stored as " + std::to_string(current_version) +
                     " but the audit log's last deploy made it " + std::to_string(last_deployed));

    // 3. The log replayed in order, every operation through the executor
    //    (reads through refs see the records as replayed so far, and must
    //    read the versions the entry says); every stored record equals its
    //    replay; what the records imply for the list index, the timers, the
    //    outbox and the counters.
    std::map<std::string, RecordState> replayed;
    std::map<uint64_t, std::vector<json>> emitted;  // audit seq -> messages
    runtime::ExecutionEnv env;
    env.source = [&](const std::string& id) -> StatusOr<std::optional<runtime::ReadableRecord>> {
      auto it = replayed.find(id);
      if (it == replayed.end()) return std::optional<runtime::ReadableRecord>();
      auto def = impl_->definitions->Get(it->second.definition);
      if (!def.ok()) return def.status();
      return std::optional<runtime::ReadableRecord>(runtime::ReadableRecord{it->second, *def});
    };
    // Queries see the records as replayed so far, in key order.
    env.query = [&](const std::string& type, const std::vector<std::string>& index,
                    const std::vector<std::string>& values) -> StatusOr<std::vector<runtime::QueryHit>> {
      std::vector<runtime::QueryHit> hits;
      for (const auto& [id, record] : replayed)
        if (runtime::InQuery(record, type, index, values)) hits.push_back({runtime::QueryKey(record, index), std::nullopt});
      std::sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
      return hits;
    };
    // A `create` in a replayed action gets the id the entry recorded.
    std::vector<std::string> creates;
    size_t next_create = 0;
    env.allocate = [&](const std::string&) -> StatusOr<std::string> {
      if (next_create >= creates.size()) return Corrupt("an action creates more records than the entry says");
      return creates[next_create++];
    };
    // The operations the last operation without a cause set off, in the
    // order they must follow it in the log.
    std::deque<runtime::Caused> expected;
    uint64_t cause = 0;
    auto missing_caused = [&]() {
      return Corrupt("audit entry " + std::to_string(cause) + " caused " +
                     (expected.front().request.kind == Request::Kind::kCreate ? "the creation of " : "an event on ") +
                     expected.front().record + ", which the log lacks");
    };
    for (const json& entry : operations) {
      uint64_t seq = entry.value("seq", uint64_t{0});
      std::string id = entry["record"].get<std::string>();
      auto request = runtime::RequestFromAudit(entry);
      if (!request.ok()) return Corrupt("record " + id + ": audit entry " + std::to_string(seq) + ": " + request.status().message());
      if (entry.contains("cause")) {
        if (expected.empty() || entry["cause"] != json(cause))
          return Corrupt("audit entry " + std::to_string(seq) + " says audit entry " + entry["cause"].dump() +
                         " caused it, which its replay does not");
        const runtime::Caused& want = expected.front();
        if (want.record != id || want.request.kind != request->kind || want.request.event != request->event ||
            want.request.args != request->args || want.request.actor != request->actor ||
            want.request.roles != request->roles || (want.request.kind == Request::Kind::kCreate && want.request.type != request->type))
          return Corrupt("audit entry " + std::to_string(seq) + " is not the operation that audit entry " +
                         std::to_string(cause) + " caused (" + want.record + " " + want.request.event + ")");
        expected.pop_front();
      } else {
        if (!expected.empty()) return missing_caused();
        cause = seq;
      }
      creates = entry.value("creates", std::vector<std::string>{});
      next_create = 0;
      auto known = replayed.find(id);
      if ((known == replayed.end()) != (request->kind == Request::Kind::kCreate))
        return Corrupt("record " + id + ": its history does not begin with its creation");
      RecordState before;
      before.id = id;
      if (known != replayed.end()) before = known->second;
      auto def = impl_->definitions->Get(entry.value("definition", uint64_t{0}));
      if (!def.ok()) return def.status();
      auto outcome = runtime::Execute(**def, before, *request, impl_->limits(), &env);
      std::string where = "record " + id + ": replaying audit entry " + std::to_string(seq);
      if (!outcome.ok()) return Corrupt(where + " fails: " + outcome.status().message());
      if (outcome->after.state != entry.value("to", ""))
        return Corrupt(where + " ends in '" + outcome->after.state + "', the log says '" + entry.value("to", "") + "'");
      if (outcome->after.active != entry.value("active", std::vector<std::string>{}))
        return Corrupt(where + " ends with regions in " + json(outcome->after.active).dump() + ", the log says " +
                       entry.value("active", json::array()).dump());
      json reads = outcome->reads.empty() ? json() : json(outcome->reads);
      if (reads != entry.value("reads", json()))
        return Corrupt(where + " reads other records than the log says (" + reads.dump() + ", the log says " +
                       entry.value("reads", json()).dump() + ")");
      if (next_create != creates.size()) return Corrupt(where + " creates fewer records than the log says");
      for (const auto& c : outcome->caused) expected.push_back(c);
      if (!outcome->outbox.empty()) emitted[seq] = std::move(outcome->outbox);
      replayed[id] = std::move(outcome->after);
    }
    if (!expected.empty()) return missing_caused();
    // The indexes kept are every index a deployed version declares.
    std::map<std::string, std::set<std::vector<std::string>>> kept;
    for (const json& entry : deploys) {
      auto def = impl_->definitions->Get(entry.value("definition", uint64_t{0}));
      if (!def.ok()) return def.status();
      for (const auto& r : (*def)->program->records)
        for (const auto& i : r->indexes) kept[r->qualified].insert(i);
    }
    std::shared_lock<std::shared_mutex> deploys_held_off(impl_->ops_mu);
    if (kept != impl_->lookups)
      return Corrupt("the indexes kept for queries (meta 'lookups') are not the ones the deployed versions declare");
    std::map<std::string, std::string> lookup;
    size_t records = 0;
    std::map<std::string, std::string> index, timers;
    std::map<std::string, uint64_t> highest_id;      // meta counter key -> highest number used
    Status inner;
    scan = db.Scan(Family::kRecords, "", "", [&](std::string_view key, std::string_view value) {
      ++records;
      std::string id(key);
      auto stored = RecordState::FromJson(value);
      if (!stored.ok()) { inner = Corrupt("record " + id + " is not readable"); return false; }
      auto found = replayed.find(id);
      if (found == replayed.end()) { inner = Corrupt("record " + id + " has no history"); return false; }
      const RecordState& replay = found->second;
      json a = replay.ToJson();
      json b = stored->ToJson();
      // Records stored before their creator was kept lack it; the log has it.
      if (!b.contains("created_by")) a.erase("created_by");
      if (a != b) {
        std::string what;
        for (const char* k : {"state", "version", "fields", "sla", "timers", "definition", "created_by"})
          if (a.value(k, json()) != b.value(k, json())) { what = k; break; }
        inner = Corrupt("record " + id + " differs from the replay of its history (" + (what.empty() ? "times" : what) + ")");
        return false;
      }
      index[runtime::IndexKey(replay.type, replay.state, id)] = "";
      auto declared = kept.find(replay.type);
      if (declared != kept.end())
        for (const auto& i : declared->second) lookup[runtime::LookupKey(replay, i)] = std::string(value);
      for (const auto& t : replay.timers) timers[runtime::TimerKey(id, t)] = runtime::TimerValue(id, t);
      // Ids are SHORTTYPE-N, N from the type's counter.
      std::string number = id.substr(id.rfind('-') + 1);
      if (!number.empty() && number.find_first_not_of("0123456789") == std::string::npos && number.size() < 20) {
        uint64_t& highest = highest_id[runtime::IdCounterKey(replay.type)];
        highest = std::max<uint64_t>(highest, std::stoull(number));
      }
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(inner);
    for (const auto& [id, record] : replayed) {
      auto stored = impl_->Load(id);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value()) return Corrupt("the audit log names record " + id + ", which does not exist");
    }

    // 4. The families derived from the log and the records.
    SMDL_RETURN_IF_ERROR(CompareFamily(db, Family::kHistory, history, DescribeHistoryKey));
    SMDL_RETURN_IF_ERROR(CompareFamily(db, Family::kIndex, index, DescribeIndexKey));
    // A query index entry carries its record's stored text; one written
    // before entries did holds nothing (its record is read by id).
    SMDL_RETURN_IF_ERROR(CompareFamily(
        db, Family::kLookup, lookup,
        [](std::string_view key) { return "the query index entry of " + runtime::IdOfKey(key); },
        [](std::string_view expected, std::string_view stored) { return stored.empty() || stored == expected; }));
    SMDL_RETURN_IF_ERROR(CompareFamily(db, Family::kTimers, timers, DescribeTimerKey));

    // 5. Messages not yet acknowledged are what their operations emitted.
    uint64_t highest_message = 0;
    size_t messages = 0;
    scan = db.Scan(Family::kOutbox, "", "", [&](std::string_view key, std::string_view value) {
      uint64_t seq = storage::DecodeU64(key);
      std::string where = "outbox message " + std::to_string(seq);
      json message = json::parse(value, nullptr, false);
      if (message.is_discarded() || !message.is_object() || message.value("seq", uint64_t{0}) != seq) { problem = Corrupt(where + " is not readable"); return false; }
      uint64_t audit_seq = message.value("audit_seq", uint64_t{0});
      message.erase("seq");
      message.erase("audit_seq");
      auto found = emitted.find(audit_seq);
      bool known = false;
      if (found != emitted.end())
        for (const json& m : found->second) known = known || m == message;
      if (!known) { problem = Corrupt(where + " is not a message that audit entry " + std::to_string(audit_seq) + " emitted (it was altered or added)"); return false; }
      highest_message = seq;
      ++messages;
      return true;
    });
    SMDL_RETURN_IF_ERROR(scan);
    SMDL_RETURN_IF_ERROR(problem);

    // 6. Counters never fall behind what was given out.
    auto outbox_mark = db.Get(Family::kMeta, "outbox_seq");
    if (!outbox_mark.ok()) return outbox_mark.status();
    if (highest_message > (outbox_mark->has_value() ? storage::DecodeU64(**outbox_mark) : 0))
      return Corrupt("the outbox counter is behind message " + std::to_string(highest_message));
    for (const auto& [counter, highest] : highest_id) {
      auto stored = db.Get(Family::kMeta, counter);
      if (!stored.ok()) return stored.status();
      if (!stored->has_value() || storage::DecodeU64(**stored) < highest)
        return Corrupt("the id counter " + counter + " is behind the records that use it (up to " +
                       std::to_string(highest) + "): new records would reuse their ids");
    }

    return json{{"audit_entries", expected_seq},
                {"deploys", deploys.size()},
                {"records", records},
                {"messages", messages},
                {"chain", "intact"},
                {"replay", "identical"},
                {"definitions", "as deployed"},
                {"indexes", "consistent"},
                {"anchors", anchors.size()},
                {"head", {{"seq", expected_seq}, {"hash", prev}}}}
        .dump();
  });
}

StatusOr<std::string> Engine::Checkpoint(const std::string& key) const {
  if (key.empty()) return InvalidArgument("a checkpoint needs a key");
  // Only a database that verifies is worth signing.
  auto verified = Verify();
  if (!verified.ok()) return verified.status();
  json summary = json::parse(*verified);
  uint64_t seq = summary["head"]["seq"].get<uint64_t>();
  std::string hash = summary["head"]["hash"].get<std::string>();
  std::string time = FormatTimestamp(impl_->clock->Now());
  return json{{"seq", seq}, {"hash", hash}, {"time", time}, {"mac", HmacSha256Hex(key, CheckpointPayload(seq, hash, time))}}
      .dump();
}

StatusOr<AuditAnchor> Engine::ReadCheckpoint(const std::string& checkpoint_json, const std::string& key) {
  if (key.empty()) return InvalidArgument("a checkpoint needs a key");
  auto doc = ParseJsonInput(checkpoint_json, "the checkpoint");
  if (!doc.ok()) return doc.status();
  if (!doc->is_object() || !(*doc)["seq"].is_number_unsigned() || !(*doc)["hash"].is_string() ||
      !(*doc)["time"].is_string() || !(*doc)["mac"].is_string())
    return InvalidArgument("the checkpoint must be an object with seq, hash, time and mac");
  AuditAnchor anchor{(*doc)["seq"].get<uint64_t>(), (*doc)["hash"].get<std::string>()};
  std::string expected = HmacSha256Hex(key, CheckpointPayload(anchor.seq, anchor.hash, (*doc)["time"].get<std::string>()));
  if (!ConstantTimeEquals(expected, (*doc)["mac"].get<std::string>()))
    return InvalidArgument("the checkpoint's signature does not match: it was altered, or signed with another key");
  return anchor;
}

StatusOr<std::string> Engine::Recover(const std::string& dir) {
  return Guarded([&]() -> StatusOr<std::string> {
    auto report = storage::Db::Recover(dir);
    if (!report.ok()) return report.status();
    json out = {{"restored_current", report->restored_current},
                {"truncated_log", report->truncated_log},
                {"details", report->details}};
    EngineOptions options;
    options.create_if_missing = false;
    auto engine = Engine::Open(dir, options);
    if (!engine.ok()) return engine.status();
    auto verified = (*engine)->Verify();
    if (!verified.ok())
      return Corrupt("the database opens again, but it does not verify: " + verified.status().message());
    out["verify"] = json::parse(*verified);
    return out.dump();
  });
}

}  // namespace smdl
