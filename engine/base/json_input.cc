#include "base/json_input.h"

#include <cmath>
#include <string>
#include <vector>

namespace smdl {

size_t JsonDepthExceededAt(std::string_view text, size_t max_depth) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;  // the escaped character cannot end the string
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

namespace {

// The first number that is not finite, found without recursion.
const nlohmann::json* FirstNonFinite(const nlohmann::json& doc) {
  std::vector<const nlohmann::json*> pending{&doc};
  while (!pending.empty()) {
    const nlohmann::json* j = pending.back();
    pending.pop_back();
    if (j->is_number_float() && !std::isfinite(j->get<double>())) return j;
    if (j->is_structured())
      for (const auto& child : *j) pending.push_back(&child);
  }
  return nullptr;
}

}  // namespace

StatusOr<nlohmann::json> ParseJsonInput(std::string_view text, std::string_view what, size_t max_depth) {
  size_t deep = JsonDepthExceededAt(text, max_depth);
  if (deep != std::string_view::npos)
    return InvalidArgument(std::string(what) + ": arrays and objects nest deeper than " +
                           std::to_string(max_depth) + " levels (at byte " + std::to_string(deep) + ")");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, ...": keep the part after the tag.
    std::string message = e.what();
    size_t tag_end = message.find("] ");
    if (tag_end != std::string::npos) message = message.substr(tag_end + 2);
    // out_of_range: an integer or exponent beyond what a number can hold ("1e400").
    if (dynamic_cast<const nlohmann::json::out_of_range*>(&e))
      return InvalidArgument(std::string(what) + ": a number is too large for a double (" + message + ")");
    return InvalidArgument(std::string(what) + ": not valid JSON: " + message);
  }
  if (FirstNonFinite(doc))
    return InvalidArgument(std::string(what) + ": a number is too large for a double (beyond 1.8e308)");
  return doc;
}

}  // namespace smdl
