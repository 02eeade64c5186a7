// The C API (smdl/c_api.h) over smdl::Engine: arguments in C strings and
// JSON objects, results as malloc'd strings. Every entry point catches
// everything, so that no exception reaches a C caller.
#include "smdl/c_api.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/json_input.h"
#include "base/version.h"
#include "smdl/engine.h"
#include "smdl/status.h"

// The handle behind the C typedef.
struct smdl_engine {
  std::unique_ptr<smdl::Engine> impl;
};

namespace {

using nlohmann::json;
using smdl::InvalidArgument;
using smdl::Status;
using smdl::StatusCode;
using smdl::StatusOr;

// The C codes are the C++ codes, value for value.
static_assert(SMDL_OK == static_cast<int>(StatusCode::kOk));
static_assert(SMDL_INVALID_ARGUMENT == static_cast<int>(StatusCode::kInvalidArgument));
static_assert(SMDL_NOT_FOUND == static_cast<int>(StatusCode::kNotFound));
static_assert(SMDL_ALREADY_EXISTS == static_cast<int>(StatusCode::kAlreadyExists));
static_assert(SMDL_FAILED_PRECONDITION == static_cast<int>(StatusCode::kFailedPrecondition));
static_assert(SMDL_RESOURCE_EXHAUSTED == static_cast<int>(StatusCode::kResourceExhausted));
static_assert(SMDL_IO_ERROR == static_cast<int>(StatusCode::kIoError));
static_assert(SMDL_CORRUPTION == static_cast<int>(StatusCode::kCorruption));
static_assert(SMDL_ABORTED == static_cast<int>(StatusCode::kAborted));
static_assert(SMDL_INTERNAL == static_cast<int>(StatusCode::kInternal));

smdl_status ToC(StatusCode code) { return static_cast<smdl_status>(static_cast<int>(code)); }

// A malloc'd copy of `a` followed by `b`, or null if memory ran out. Plain C
// calls only: it also reports exceptions, where nothing may throw again.
char* Concat(const char* a, const char* b) noexcept {
  size_t la = std::strlen(a);
  size_t lb = std::strlen(b);
  char* copy = static_cast<char*>(std::malloc(la + lb + 1));
  if (!copy) return nullptr;
  std::memcpy(copy, a, la);
  std::memcpy(copy + la, b, lb);
  copy[la + lb] = '\0';
  return copy;
}

char* Copy(std::string_view text) noexcept {
  char* copy = static_cast<char*>(std::malloc(text.size() + 1));
  if (!copy) return nullptr;
  if (!text.empty()) std::memcpy(copy, text.data(), text.size());
  copy[text.size()] = '\0';
  return copy;
}

// Runs one entry point's body: its value or its error message goes to
// *out, and whatever it throws becomes SMDL_INTERNAL.
template <typename Body>
smdl_status Guard(char** out, Body&& body) noexcept {
  if (out) *out = nullptr;
  try {
    StatusOr<std::string> result = body();
    if (result.ok()) {
      if (out) *out = Copy(*result);
      return SMDL_OK;
    }
    const Status& status = result.status();
    if (out) *out = Copy(status.message().empty() ? smdl::StatusCodeName(status.code()) : status.message());
    return ToC(status.code());
  } catch (const std::exception& e) {
    if (out) *out = Concat("internal error: ", e.what());
  } catch (...) {
    if (out) *out = Concat("internal error: ", "an unknown exception");
  }
  return SMDL_INTERNAL;
}

Status Null(const char* function, const char* argument) {
  return InvalidArgument(std::string(function) + ": " + argument + " is NULL");
}

// An optional JSON object argument: NULL is an empty object.
StatusOr<json> ParseObject(const char* text, const char* argument) {
  if (!text) return json::object();
  auto doc = smdl::ParseJsonInput(text, argument);
  if (!doc.ok()) return doc.status();
  if (!doc->is_object()) return InvalidArgument(std::string(argument) + ": must be a JSON object");
  return std::move(*doc);
}

// InvalidArgument for a key of `doc` that is not one of `known`, if any.
Status OnlyKeys(const json& doc, const char* argument, const std::vector<std::string_view>& known) {
  for (const auto& item : doc.items()) {
    bool found = false;
    for (std::string_view k : known) found = found || item.key() == k;
    if (found) continue;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    return InvalidArgument(std::string(argument) + ": unknown key \"" + item.key() + "\" (" + list + ")");
  }
  return Status::Ok();
}

// The string at `key`, if present; anything else there is InvalidArgument.
Status ReadString(const json& doc, const char* argument, const char* key, std::string& value) {
  auto it = doc.find(key);
  if (it == doc.end()) return Status::Ok();
  if (!it->is_string()) return InvalidArgument(std::string(argument) + ": \"" + key + "\" must be a string");
  value = it->get<std::string>();
  return Status::Ok();
}

Status ReadBool(const json& doc, const char* argument, const char* key, bool& value) {
  auto it = doc.find(key);
  if (it == doc.end()) return Status::Ok();
  if (!it->is_boolean()) return InvalidArgument(std::string(argument) + ": \"" + key + "\" must be true or false");
  value = it->get<bool>();
  return Status::Ok();
}

// A non-negative integer at `key`, if present.
Status ReadCount(const json& doc, const char* argument, const char* key, std::optional<uint64_t>& value) {
  auto it = doc.find(key);
  if (it == doc.end()) return Status::Ok();
  if (!it->is_number_unsigned())
    return InvalidArgument(std::string(argument) + ": \"" + key + "\" must be a non-negative integer");
  value = it->get<uint64_t>();
  return Status::Ok();
}

StatusOr<smdl::EngineOptions> ParseOpenOptions(const char* options_json) {
  const char* argument = "options_json";
  auto doc = ParseObject(options_json, argument);
  if (!doc.ok()) return doc.status();
  SMDL_RETURN_IF_ERROR(OnlyKeys(*doc, argument, {"durability", "create_if_missing", "read_only"}));
  smdl::EngineOptions options;
  std::string durability = "sync";
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "durability", durability));
  if (durability == "async") {
    options.durability = smdl::Durability::kAsync;
  } else if (durability != "sync") {
    return InvalidArgument(std::string(argument) + ": \"durability\" must be \"sync\" or \"async\"");
  }
  SMDL_RETURN_IF_ERROR(ReadBool(*doc, argument, "create_if_missing", options.create_if_missing));
  SMDL_RETURN_IF_ERROR(ReadBool(*doc, argument, "read_only", options.read_only));
  return options;
}

// Who asks. "if_version" is accepted only where `fire` says so.
StatusOr<smdl::CallOptions> ParseCall(const char* call_json, bool fire) {
  const char* argument = "call_json";
  auto doc = ParseObject(call_json, argument);
  if (!doc.ok()) return doc.status();
  if (fire) {
    SMDL_RETURN_IF_ERROR(OnlyKeys(*doc, argument, {"actor", "roles", "idempotency_key", "if_version"}));
  } else {
    if (doc->contains("if_version")) return InvalidArgument("call_json: \"if_version\" is for smdl_fire only");
    SMDL_RETURN_IF_ERROR(OnlyKeys(*doc, argument, {"actor", "roles", "idempotency_key"}));
  }
  smdl::CallOptions call;
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "actor", call.actor));
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "idempotency_key", call.idempotency_key));
  if (auto roles = doc->find("roles"); roles != doc->end()) {
    if (!roles->is_array()) return InvalidArgument("call_json: \"roles\" must be an array of strings");
    for (const auto& role : *roles) {
      if (!role.is_string()) return InvalidArgument("call_json: \"roles\" must be an array of strings");
      call.roles.push_back(role.get<std::string>());
    }
  }
  SMDL_RETURN_IF_ERROR(ReadCount(*doc, argument, "if_version", call.if_version));
  return call;
}

StatusOr<smdl::ListQuery> ParseQuery(const char* query_json) {
  const char* argument = "query_json";
  auto doc = ParseObject(query_json, argument);
  if (!doc.ok()) return doc.status();
  SMDL_RETURN_IF_ERROR(OnlyKeys(*doc, argument, {"type", "state", "where", "after", "limit"}));
  smdl::ListQuery query;
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "type", query.type));
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "state", query.state));
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "where", query.where));
  SMDL_RETURN_IF_ERROR(ReadString(*doc, argument, "after", query.after));
  std::optional<uint64_t> limit;
  SMDL_RETURN_IF_ERROR(ReadCount(*doc, argument, "limit", limit));
  if (limit) {
    if (*limit == 0) return InvalidArgument("query_json: \"limit\" must be at least 1");
    query.limit = static_cast<size_t>(*limit);
  }
  return query;
}

}  // namespace

extern "C" {

smdl_status smdl_open(const char* dir, const char* options_json, smdl_engine** engine, char** out) noexcept {
  if (engine) *engine = nullptr;
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_open", "engine");
    if (!dir) return Null("smdl_open", "dir");
    auto options = ParseOpenOptions(options_json);
    if (!options.ok()) return options.status();
    auto opened = smdl::Engine::Open(dir, *options);
    if (!opened.ok()) return opened.status();
    auto handle = std::make_unique<smdl_engine>();
    handle->impl = std::move(*opened);
    // A directory's name need not be UTF-8: such bytes are replaced here.
    std::string summary = json{{"dir", dir},
                               {"durability", options->durability == smdl::Durability::kSync ? "sync" : "async"},
                               {"read_only", options->read_only}}
                              .dump(-1, ' ', false, json::error_handler_t::replace);
    *engine = handle.release();
    return summary;
  });
}

// The engine's destructor closes the database; it does not throw.
void smdl_close(smdl_engine* engine) noexcept { delete engine; }

smdl_status smdl_deploy(smdl_engine* engine, const char* const* paths, size_t count, const char* call_json,
                        char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_deploy", "engine");
    if (!paths && count > 0) return Null("smdl_deploy", "paths");
    std::vector<std::string> files;
    files.reserve(count);
    for (size_t i = 0; i < count; ++i) {
      if (!paths[i]) return InvalidArgument("smdl_deploy: paths[" + std::to_string(i) + "] is NULL");
      files.emplace_back(paths[i]);
    }
    auto call = ParseCall(call_json, false);
    if (!call.ok()) return call.status();
    auto result = engine->impl->Deploy(files, *call);
    if (!result.ok()) return result.status();
    return result->ToJson();
  });
}

smdl_status smdl_create(smdl_engine* engine, const char* type, const char* fields_json, const char* call_json,
                        char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_create", "engine");
    if (!type) return Null("smdl_create", "type");
    auto call = ParseCall(call_json, false);
    if (!call.ok()) return call.status();
    return engine->impl->Create(type, fields_json ? fields_json : "{}", *call);
  });
}

smdl_status smdl_fire(smdl_engine* engine, const char* id, const char* event, const char* params_json,
                      const char* call_json, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_fire", "engine");
    if (!id) return Null("smdl_fire", "id");
    if (!event) return Null("smdl_fire", "event");
    auto call = ParseCall(call_json, true);
    if (!call.ok()) return call.status();
    return engine->impl->Fire(id, event, params_json ? params_json : "{}", *call);
  });
}

smdl_status smdl_get(smdl_engine* engine, const char* id, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_get", "engine");
    if (!id) return Null("smdl_get", "id");
    return engine->impl->Get(id);
  });
}

smdl_status smdl_history(smdl_engine* engine, const char* id, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_history", "engine");
    if (!id) return Null("smdl_history", "id");
    return engine->impl->History(id);
  });
}

smdl_status smdl_list(smdl_engine* engine, const char* query_json, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_list", "engine");
    auto query = ParseQuery(query_json);
    if (!query.ok()) return query.status();
    return engine->impl->List(*query);
  });
}

smdl_status smdl_run_due_timers(smdl_engine* engine, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_run_due_timers", "engine");
    auto fired = engine->impl->RunDueTimers();
    if (!fired.ok()) return fired.status();
    json result = json::object();
    result["fired"] = *fired;
    return result.dump();
  });
}

smdl_status smdl_timers(smdl_engine* engine, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_timers", "engine");
    return engine->impl->PendingTimers();
  });
}

smdl_status smdl_outbox(smdl_engine* engine, size_t limit, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_outbox", "engine");
    return engine->impl->Outbox(limit);
  });
}

smdl_status smdl_acknowledge(smdl_engine* engine, uint64_t sequence, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_acknowledge", "engine");
    Status acknowledged = engine->impl->Acknowledge(sequence);
    if (!acknowledged.ok()) return acknowledged;
    json result = json::object();
    result["acknowledged"] = sequence;
    return result.dump();
  });
}

smdl_status smdl_verify(smdl_engine* engine, char** out) noexcept {
  return Guard(out, [&]() -> StatusOr<std::string> {
    if (!engine) return Null("smdl_verify", "engine");
    return engine->impl->Verify();
  });
}

void smdl_free(char* text) noexcept { std::free(text); }

const char* smdl_status_name(smdl_status status) noexcept {
  return smdl::StatusCodeName(static_cast<StatusCode>(static_cast<int>(status)));
}

// A build may name the version with SMDL_VERSION; otherwise it is the one
// generated into smdl_base at every build.
const char* smdl_version(void) noexcept {
#ifdef SMDL_VERSION
  return SMDL_VERSION;
#else
  return smdl::Version();
#endif
}

}  // extern "C"
