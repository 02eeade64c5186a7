#include "base/json_input.h"

#include <catch2/catch.hpp>
#include <string>

namespace smdl {

TEST_CASE("JSON input within the depth limit parses", "[json_input]") {
  auto doc = ParseJsonInput(R"({"a": [1, {"b": "[[[{{{"}], "c": 1.5})", "the fields");
  REQUIRE(doc.ok());
  CHECK((*doc)["a"][1]["b"] == "[[[{{{");  // brackets in strings do not nest
  std::string at_limit = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  CHECK(ParseJsonInput(at_limit, "x").ok());
}

TEST_CASE("JSON input nested deeper than the limit is refused before parsing", "[json_input]") {
  std::string over = std::string(kMaxJsonDepth + 1, '[') + std::string(kMaxJsonDepth + 1, ']');
  auto doc = ParseJsonInput(over, "the parameters");
  REQUIRE(doc.status().code() == StatusCode::kInvalidArgument);
  CHECK(doc.status().message() == "the parameters: arrays and objects nest deeper than 128 levels (at byte 128)");
  // A million levels, unbalanced: the same answer, without recursion.
  std::string huge(1000000, '{');
  CHECK(ParseJsonInput(huge, "x").status().code() == StatusCode::kInvalidArgument);
  CHECK(JsonDepthExceededAt(R"(["\"[[[", []])", 2) == std::string::npos);
  CHECK(JsonDepthExceededAt(R"(["\"[[[", [[]]])", 2) == 11);
}

TEST_CASE("JSON input with numbers beyond a double is refused", "[json_input]") {
  for (const char* text : {R"({"a": 1e400})", R"({"a": [-1e400]})", R"({"a": {"b": 2e308}})"}) {
    auto doc = ParseJsonInput(text, "the fields");
    INFO(text);
    CHECK(doc.status().code() == StatusCode::kInvalidArgument);
    CHECK(doc.status().message().find("the fields: a number is too large for a double") == 0);
  }
  CHECK(ParseJsonInput(R"({"a": 1.7976931348623157e308, "b": 5e-324})", "x").ok());
}

TEST_CASE("JSON input that is not JSON says where", "[json_input]") {
  auto doc = ParseJsonInput("{\"a\": }", "the fields");
  REQUIRE(doc.status().code() == StatusCode::kInvalidArgument);
  CHECK(doc.status().message().rfind("the fields: not valid JSON: parse error at line 1, column 7", 0) == 0);
  CHECK(ParseJsonInput("\"\xff\"", "x").status().code() == StatusCode::kInvalidArgument);  // not UTF-8
  CHECK(ParseJsonInput("", "x").status().code() == StatusCode::kInvalidArgument);
}

}  // namespace smdl
