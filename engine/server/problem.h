// Errors as RFC 9457 problem details (application/problem+json): an
// engine Status becomes an HTTP status and a JSON body that carries the
// engine's reason in a form a client can act on.
#pragma once

#include <string>

#include "http.h"
#include "smdl/status.h"

namespace smdl::server {

// A problem answer with `reason` (a short token: event_not_accepted,
// guard_false, missing_role, bad_parameter, not_found, ...) and `detail`.
HttpResponse Problem(int status, const std::string& reason, const std::string& detail);

// The answer for a failed engine operation. Rejections are read for what
// a client needs: the state and the events accepted there, the guard that
// was false, the roles required, the parameter at fault.
HttpResponse ProblemFromStatus(const Status& status);

// The reason token ProblemFromStatus gives `status` (for metrics).
std::string ReasonOf(const Status& status);

}  // namespace smdl::server
