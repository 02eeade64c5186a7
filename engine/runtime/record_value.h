// A record as expressions see it: in tests (a handle such as `i`) and in
// processes (a record read through a `ref`).
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/record.h"
#include "sema/program.h"
#include "vm/value.h"

namespace smdl::runtime {

// The record of `view` (RecordView's JSON) as a map: each field of `info`
// (typed as `program` declares it; an optional field that is unset is
// absent-valued, a field that no longer decodes is an error value), id,
// state, active (the leaves of its regions, only while they run), created_by, created_at, and sla: clock name -> due, breached_at, started_at,
// elapsed, remaining, target, breached, paused, running, stopped, warned.
// Instants and durations a clock does not have (a paused clock has no due
// time) are left out, so selecting them is a "no such key" error.
vm::Value RecordValue(const sema::Program& program, const sema::RecordInfo& info, const nlohmann::json& view);

// The record id a ref value names (a ref, or an id given as a string); empty
// for anything else.
std::string RefIdOf(const vm::Value& ref);
// The same from the stored record and its clocks as SlaView gives them,
// without building the view (reads through refs and queries).
vm::Value RecordValue(const sema::Program& program, const sema::RecordInfo& info, const RecordState& record,
                      const nlohmann::json& sla_view);

}  // namespace smdl::runtime
