// A record as the runtime stores it: identity, type, current state, version,
// the definition version it is pinned to, field values (as plain JSON, typed
// by the record declaration), its SLA clocks and its pending timers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "smdl/status.h"
#include "smdl/time.h"

namespace smdl::runtime {

// A timer the record owns; its key in the timers family is derived from it.
struct TimerRef {
  Timestamp due;
  std::string name;  // "after:STATE:N" for state timers, "sla:NAME:warn:P" / "sla:NAME:breach"
  bool operator==(const TimerRef& o) const { return due == o.due && name == o.name; }
};

struct RecordState {
  std::string id;
  std::string type;  // qualified record type
  std::string state;  // see ir::Machine::StateOf
  // While regions run: the leaf of each, in document order; empty otherwise.
  std::vector<std::string> active;
  uint64_t version = 0;
  uint64_t definition = 0;
  Timestamp created_at;
  Timestamp updated_at;
  Timestamp entered_at;  // when the current state was entered
  std::string created_by;  // the actor of its creation; empty in records stored before it was kept
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json sla = nlohmann::json::object();  // clock name -> stored clock
  std::vector<TimerRef> timers;

  nlohmann::json ToJson() const;  // the stored form
  static StatusOr<RecordState> FromJson(std::string_view text);
};

// The version of a record's JSON, stored (ToJson's text) or viewed
// (RecordView's), without decoding the rest: "version" is its last
// top-level key (keys are sorted), and no string can hold the sequence
// "version": unescaped.
StatusOr<uint64_t> StoredVersion(std::string_view text);

// Key of a timer in the timers family: due time (big-endian seconds and
// nanos, so keys sort by due time), record id, timer name.
std::string TimerKey(const std::string& record_id, const TimerRef& timer);
struct DecodedTimerKey {
  Timestamp due;
  std::string record_id;
  std::string name;
};
bool DecodeTimerKey(std::string_view key, DecodedTimerKey& out);
// The value stored under a timer's key.
std::string TimerValue(const std::string& record_id, const TimerRef& timer);

// Keys of the list index: type \0 state \0 id.
std::string IndexKey(const std::string& type, const std::string& state, const std::string& id);
struct DecodedIndexKey {
  std::string type;
  std::string state;
  std::string id;
};
bool DecodeIndexKey(std::string_view key, DecodedIndexKey& out);

// Keys of the lookup family, the secondary indexes records(T) queries use:
// type \0 index ("service,state") \0 value \0 ... \0 id, each value the
// plain JSON of the field (`state` for the state; null when unset). The
// value is the record's stored text, written with the record, so that a
// query reads its records from one range of the index; entries written
// before they carried the record hold nothing (the record is read by id).
// An index is named by its fields, so every declaration of the same fields,
// in any definition version, is one index.
std::string LookupValue(const RecordState& record, const std::string& field);
std::string LookupPrefix(const std::string& type, const std::vector<std::string>& index,
                         const std::vector<std::string>& values);
std::string LookupKey(const RecordState& record, const std::vector<std::string>& index);
// Where records(T) finds a record: its lookup key in `index`, or with no
// index its list index key. Query results come in the order of these keys.
std::string QueryKey(const RecordState& record, const std::vector<std::string>& index);
// Whether records(T) with `index` and these LookupValues finds `record`.
bool InQuery(const RecordState& record, const std::string& type, const std::vector<std::string>& index,
             const std::vector<std::string>& values);
// The record id at the end of a lookup or list index key.
std::string IdOfKey(std::string_view key);

// Keys of the history index: record id \0 audit sequence (big-endian); a
// deploy's record id is empty. The value is empty.
std::string HistoryKey(const std::string& record_id, uint64_t audit_seq);
struct DecodedHistoryKey {
  std::string record_id;
  uint64_t audit_seq = 0;
};
bool DecodeHistoryKey(std::string_view key, DecodedHistoryKey& out);

// The meta key of the counter that numbers the ids of a record type
// ("ids/Incident" gives Incident-1, Incident-2, ...).
std::string IdCounterKey(const std::string& qualified_type);

}  // namespace smdl::runtime
