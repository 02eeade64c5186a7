// JSON encodings of Values (an internal header: it shows nlohmann::json).
//
// Tagged (the `smdl eval` encoding, as tests/conformance/README.md defines
// it): every value says its type, so nothing is ambiguous.
//   {"null": null}  {"bool": true}  {"int": "-5"}  {"uint": "5"}
//   {"double": 1.5} (also "NaN", "Infinity", "-Infinity")  {"string": "x"}
//   {"bytes": "AP8="} (base64)  {"list": [..]}  {"map": [[k, v], ..]}
//   {"timestamp": "2026-03-06T16:00:00Z"}  {"duration": "3600s"}
//   {"type": "int"}
// and, beyond CEL:
//   {"enum": {"type": "iso20000.core.Priority", "value": "p1"}}
//   {"ref": {"type": "iso20000.incident.Incident", "id": "INC-1"}}
//   {"optional": null} (none) or {"optional": <tagged value>}
//   {"error": "message"} (encoding only; errors are never decoded)
//
// Plain (record fields in storage and APIs), guided by the field's static
// type: int, uint and double as JSON numbers, bool, string, bytes as base64,
// an enum value as its name ("high"), a timestamp as an RFC 3339 string, a
// duration as "3600s", a reference as its id, a list as an array, a map as an
// object (keys written as text: "p1", "42", "true"), an absent optional as
// null (decoded as Value::Null(), a present one as its value), dyn as the natural JSON value, a record (test handle) as an object of
// its fields plus "id" and "state".
#pragma once

#include <functional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sema/program.h"
#include "smdl/status.h"
#include "vm/value.h"

namespace smdl::vm {

// Finds the EnumType for a qualified enum name (e.g. Image::EnumFor), or nullptr.
using EnumResolver = std::function<const EnumType*(std::string_view qualified)>;

nlohmann::json ToTaggedJson(const Value& value);
// Fails with InvalidArgument naming what is wrong; enum values need `enums`.
StatusOr<Value> FromTaggedJson(const nlohmann::json& json, const EnumResolver& enums = nullptr);

// Fails if the value does not have the type.
StatusOr<nlohmann::json> ToPlainJson(const Value& value, const sema::Type& type);
// `program` resolves enum and record types; it may be null when `type`
// involves neither.
StatusOr<Value> FromPlainJson(const nlohmann::json& json, const sema::Type& type, const sema::Program* program);

// Standard base64 with padding.
std::string Base64Encode(std::string_view bytes);
bool Base64Decode(std::string_view text, std::string& out);

// Parses a CEL type name as the conformance corpus writes it: int, uint,
// double, bool, string, bytes, null_type, dyn, type, timestamp, duration,
// google.protobuf.Timestamp, list(int), map(string, dyn).
StatusOr<sema::Type> ParseTypeName(std::string_view text);

}  // namespace smdl::vm
