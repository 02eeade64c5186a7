/* The smdl engine from C and from any language that can call C (Python's
 * ctypes, Go's cgo, Rust's FFI): the calls of smdl/engine.h over an opaque
 * handle, with records, histories, timers and messages as JSON text.
 *
 *   smdl_engine* engine = NULL;
 *   char* out = NULL;
 *   if (smdl_open("var/db", NULL, &engine, &out) != SMDL_OK) { puts(out); ... }
 *   smdl_free(out);
 *   smdl_create(engine, "Incident", "{\"title\": \"VPN down\"}", NULL, &out);
 *   smdl_free(out);
 *   smdl_close(engine);
 *
 * Results and ownership. Every call returns an smdl_status and, through its
 * last parameter `char** out`, a NUL-terminated UTF-8 string that the caller
 * owns and frees with smdl_free: on SMDL_OK the result (JSON), otherwise the
 * error message. `out` may be NULL, and then nothing is allocated. If memory
 * for the string cannot be had, *out is NULL and the status is still the
 * operation's. Strings passed in are only read during the call.
 *
 * Optional JSON arguments (options_json, call_json, query_json) may be NULL
 * for the defaults; otherwise each must be a JSON object with only the keys
 * listed for it. A malformed one is SMDL_INVALID_ARGUMENT and changes
 * nothing. So is a NULL engine or a NULL required string, with a message
 * naming the argument.
 *
 * call_json says who asks: {"actor": "anna", "roles": ["agent"],
 * "idempotency_key": "req-42", "if_version": 3}, all optional; "if_version"
 * (the version the record must still be at) is for smdl_fire only. The
 * engine checks them as smdl::CallOptions (docs/runtime.md).
 *
 * Threads: a handle may be used from many threads at once, as smdl::Engine
 * may (fires on one record are serialised, on different records they run
 * in parallel). smdl_close must not overlap any other call on the handle.
 * One database directory is open in one process at a time.
 *
 * No call throws or aborts on bad input; an unexpected failure inside the
 * engine is SMDL_INTERNAL with its message. */
#ifndef SMDL_C_API_H
#define SMDL_C_API_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define SMDL_C_EXPORT __attribute__((visibility("default")))
#else
#define SMDL_C_EXPORT
#endif

#ifdef __cplusplus
#define SMDL_C_NOEXCEPT noexcept
extern "C" {
#else
#define SMDL_C_NOEXCEPT
#endif

/* An open engine: a database directory and its current definitions. */
typedef struct smdl_engine smdl_engine;

/* The same codes, in the same order, as smdl::StatusCode (smdl/status.h). */
typedef enum smdl_status {
  SMDL_OK = 0,
  SMDL_INVALID_ARGUMENT,    /* the caller passed something malformed */
  SMDL_NOT_FOUND,           /* a named thing does not exist */
  SMDL_ALREADY_EXISTS,
  SMDL_FAILED_PRECONDITION, /* not allowed in the current state: a rejected event */
  SMDL_RESOURCE_EXHAUSTED,  /* a limit was hit (size, depth, budget) */
  SMDL_IO_ERROR,            /* the file system or database failed */
  SMDL_CORRUPTION,          /* stored data is inconsistent */
  SMDL_ABORTED,             /* a conflict with concurrent operations; try again */
  SMDL_INTERNAL             /* a bug in smdl */
} smdl_status;

/* Opens (or creates) the database in `dir` and sets *engine (NULL on
 * failure). options_json: {"durability": "sync"|"async", "create_if_missing":
 * bool, "read_only": bool}, all optional (defaults: sync, true, false).
 * Result: {"dir": ..., "durability": ..., "read_only": ...}. */
SMDL_C_EXPORT smdl_status smdl_open(const char* dir, const char* options_json, smdl_engine** engine,
                                    char** out) SMDL_C_NOEXCEPT;

/* Closes the engine and frees the handle; NULL is ignored. */
SMDL_C_EXPORT void smdl_close(smdl_engine* engine) SMDL_C_NOEXCEPT;

/* Checks the modules at `paths` (count files or directories, with their
 * imports) and stores them as a new definition version. Result: {"version",
 * "hash", "unchanged", "modules", "overrides", "test_modules", "changes"}. */
SMDL_C_EXPORT smdl_status smdl_deploy(smdl_engine* engine, const char* const* paths, size_t count,
                                      const char* call_json, char** out) SMDL_C_NOEXCEPT;

/* Creates a record of `type` from a JSON object of fields (NULL: {}).
 * Result: the record, with its new "id". */
SMDL_C_EXPORT smdl_status smdl_create(smdl_engine* engine, const char* type, const char* fields_json,
                                      const char* call_json, char** out) SMDL_C_NOEXCEPT;

/* Sends `event` with a JSON object of parameters (NULL: {}) to record `id`.
 * Result: the record after the transition. */
SMDL_C_EXPORT smdl_status smdl_fire(smdl_engine* engine, const char* id, const char* event, const char* params_json,
                                    const char* call_json, char** out) SMDL_C_NOEXCEPT;

/* Result: record `id`, with its SLA clocks at the clock's time. */
SMDL_C_EXPORT smdl_status smdl_get(smdl_engine* engine, const char* id, char** out) SMDL_C_NOEXCEPT;

/* Result: the audit entries of record `id`, oldest first (a JSON array). */
SMDL_C_EXPORT smdl_status smdl_history(smdl_engine* engine, const char* id, char** out) SMDL_C_NOEXCEPT;

/* Result: records as a JSON array. query_json: {"type", "state", "where" (a
 * CEL condition, needs "type"), "after" (the last id of the previous page),
 * "limit" (at least 1; default 1000)}, all optional. */
SMDL_C_EXPORT smdl_status smdl_list(smdl_engine* engine, const char* query_json, char** out) SMDL_C_NOEXCEPT;

/* Fires every timer due at the clock's time, in due order.
 * Result: {"fired": N}. */
SMDL_C_EXPORT smdl_status smdl_run_due_timers(smdl_engine* engine, char** out) SMDL_C_NOEXCEPT;

/* Result: the pending timers, by due time (a JSON array). */
SMDL_C_EXPORT smdl_status smdl_timers(smdl_engine* engine, char** out) SMDL_C_NOEXCEPT;

/* Result: at most `limit` emitted messages not yet acknowledged, oldest
 * first (a JSON array; each has its sequence number as "seq"). */
SMDL_C_EXPORT smdl_status smdl_outbox(smdl_engine* engine, size_t limit, char** out) SMDL_C_NOEXCEPT;

/* Acknowledges every message with a sequence number up to `sequence`.
 * Result: {"acknowledged": sequence}. */
SMDL_C_EXPORT smdl_status smdl_acknowledge(smdl_engine* engine, uint64_t sequence, char** out) SMDL_C_NOEXCEPT;

/* Checks the audit chain, the definitions, every record against its
 * replayed history and every index. Result: the JSON summary. */
SMDL_C_EXPORT smdl_status smdl_verify(smdl_engine* engine, char** out) SMDL_C_NOEXCEPT;

/* Frees a string an smdl_* call returned; NULL is ignored. */
SMDL_C_EXPORT void smdl_free(char* text) SMDL_C_NOEXCEPT;

/* The status's name ("ok", "invalid argument", "failed precondition", ...);
 * a static string, not to be freed. */
SMDL_C_EXPORT const char* smdl_status_name(smdl_status status) SMDL_C_NOEXCEPT;

/* The library's version, such as "0.2.0"; a static string, not to be freed. */
SMDL_C_EXPORT const char* smdl_version(void) SMDL_C_NOEXCEPT;

#ifdef __cplusplus
}  /* extern "C" */
#endif

#endif /* SMDL_C_API_H */
