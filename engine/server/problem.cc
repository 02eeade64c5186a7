#include "problem.h"

#include <regex>

#include <nlohmann/json.hpp>

namespace smdl::server {
namespace {

using nlohmann::json;

struct Classified {
  int status = 500;
  std::string reason = "internal";
  json extra = json::object();
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(", ", start);
    std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return out;
}

// The engine's rejections (runtime/executor.cc) have fixed shapes; these
// patterns read them. tests/server checks each against the real engine.
Classified Classify(const Status& status) {
  const std::string& m = status.message();
  std::smatch match;
  Classified c;
  switch (status.code()) {
    case StatusCode::kNotFound:
      c.status = 404;
      c.reason = "not_found";
      return c;
    case StatusCode::kAlreadyExists:
      c.status = 409;
      c.reason = "already_exists";
      return c;
    case StatusCode::kAborted:
      c.status = 409;
      c.reason = "conflict";
      return c;
    case StatusCode::kResourceExhausted:
      c.status = 422;
      c.reason = "limit";
      return c;
    case StatusCode::kInvalidArgument: {
      c.status = 422;
      c.reason = "invalid";
      static const std::regex needs("^event '([^']*)' needs parameter '([^']*)'");
      static const std::regex type("^parameter '([^']*)' of event '([^']*)' must be");
      static const std::regex unknown("^event '([^']*)' has no parameter '([^']*)'");
      static const std::regex field("field '([^']*)'");
      if (std::regex_search(m, match, needs) || std::regex_search(m, match, unknown)) {
        c.reason = "bad_parameter";
        c.extra["event"] = match[1].str();
        c.extra["parameter"] = match[2].str();
      } else if (std::regex_search(m, match, type)) {
        c.reason = "bad_parameter";
        c.extra["event"] = match[2].str();
        c.extra["parameter"] = match[1].str();
      } else if (m.rfind("the definitions have errors", 0) == 0) {
        c.reason = "definitions_have_errors";
      } else if (std::regex_search(m, match, field)) {
        c.reason = "bad_field";
        c.extra["field"] = match[1].str();
      }
      return c;
    }
    case StatusCode::kFailedPrecondition: {
      c.status = 409;
      c.reason = "rejected";
      static const std::regex not_accepted("^event '([^']*)' is not accepted in state '([^']*)' \\((.*)\\)$");
      static const std::regex role("^event '([^']*)' in state '([^']*)' requires roles? (.*); (.*) has (.*)$");
      static const std::regex guard("^event '([^']*)' is not allowed in state '([^']*)': the guard is false \\(when (.*)\\)$");
      static const std::regex no_event("^process '([^']*)' has no event '([^']*)'");
      static const std::regex version("^record (\\S+) is at version (\\d+), not (\\d+)");
      if (std::regex_search(m, match, not_accepted)) {
        c.reason = "event_not_accepted";
        c.extra["event"] = match[1].str();
        c.extra["state"] = match[2].str();
        std::string list = match[3].str();
        const std::string prefix = "accepted here: ";
        c.extra["accepted_events"] = list.rfind(prefix, 0) == 0 ? SplitList(list.substr(prefix.size())) : std::vector<std::string>{};
      } else if (std::regex_search(m, match, role)) {
        c.status = 403;
        c.reason = "missing_role";
        c.extra["event"] = match[1].str();
        c.extra["state"] = match[2].str();
        std::vector<std::string> roles;
        std::string needs = match[3].str();
        for (size_t start = 0;;) {
          size_t and_at = needs.find(" and ", start);
          roles.push_back(needs.substr(start, and_at == std::string::npos ? std::string::npos : and_at - start));
          if (and_at == std::string::npos) break;
          start = and_at + 5;
        }
        c.extra["required_roles"] = roles;
      } else if (std::regex_search(m, match, guard)) {
        c.reason = "guard_false";
        c.extra["event"] = match[1].str();
        c.extra["state"] = match[2].str();
        c.extra["guard"] = match[3].str();
      } else if (std::regex_search(m, match, no_event)) {
        c.status = 422;
        c.reason = "unknown_event";
        c.extra["event"] = match[2].str();
      } else if (std::regex_search(m, match, version)) {
        c.status = 412;
        c.reason = "version_mismatch";
        c.extra["version"] = std::stoull(match[2].str());
      }
      return c;
    }
    case StatusCode::kCorruption:
      c.reason = "corruption";
      return c;
    case StatusCode::kIoError:
      c.status = 503;
      c.reason = "io_error";
      return c;
    default:
      return c;
  }
}

const char* TitleOf(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

HttpResponse Render(int status, const std::string& reason, const std::string& detail, const json& extra) {
  json body = {{"type", "urn:smdl:problem:" + reason},
               {"title", TitleOf(status)},
               {"status", status},
               {"reason", reason},
               {"detail", detail}};
  for (const auto& [k, v] : extra.items()) body[k] = v;
  HttpResponse out;
  out.status = status;
  out.content_type = "application/problem+json";
  out.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return out;
}

}  // namespace

HttpResponse Problem(int status, const std::string& reason, const std::string& detail) {
  return Render(status, reason, detail, json::object());
}

HttpResponse ProblemFromStatus(const Status& status) {
  Classified c = Classify(status);
  return Render(c.status, c.reason, status.message(), c.extra);
}

std::string ReasonOf(const Status& status) { return Classify(status).reason; }

}  // namespace smdl::server
