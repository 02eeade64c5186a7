#include "base/stored_json.h"

#include <catch2/catch.hpp>
#include <string>

namespace smdl {

TEST_CASE("a stored object's members read as nlohmann's parser reads them", "[stored_json]") {
  std::string text =
      R"({"id":"T-1","version":7,"fields":{"n":3,"neg":-2,"x":1.5,"ok":true,"none":null,"tags":["a","b"],)"
      R"("s":"caf\u00e9 \"q\""},"empty":{}})";
  auto doc = StoredObject::Parse(text);
  REQUIRE(doc.has_value());
  CHECK(doc->String("id") == "T-1");
  CHECK(doc->Unsigned("version") == 7u);
  CHECK(!doc->String("version"));   // not a string
  CHECK(!doc->Unsigned("id"));      // not a number
  CHECK(!doc->Has("missing"));
  CHECK(!doc->Json("missing"));
  auto fields = doc->Json("fields");
  REQUIRE(fields.has_value());
  nlohmann::json expected = nlohmann::json::parse(text)["fields"];
  CHECK(*fields == expected);
  CHECK((*fields)["n"].is_number_unsigned());   // as nlohmann keeps a non-negative integer
  CHECK((*fields)["neg"].is_number_integer());
  CHECK(fields->dump() == expected.dump());
  CHECK(doc->Json("empty") == nlohmann::json::object());
}

TEST_CASE("text simdjson refuses is read by nlohmann, and what is not an object is nothing", "[stored_json]") {
  // An integer beyond 64 bits: nlohmann reads it as a double.
  std::string big = R"({"id":"T-2","huge":123456789012345678901234567890})";
  auto doc = StoredObject::Parse(big);
  REQUIRE(doc.has_value());
  CHECK(doc->String("id") == "T-2");
  REQUIRE(doc->Json("huge").has_value());
  CHECK(doc->Json("huge")->is_number_float());
  CHECK(!StoredObject::Parse("[1, 2]").has_value());
  CHECK(!StoredObject::Parse("{\"a\": ").has_value());
  CHECK(!StoredObject::Parse("").has_value());
}

TEST_CASE("stored objects stay readable while others are parsed and dropped", "[stored_json]") {
  auto first = StoredObject::Parse(R"({"id":"A"})");
  for (int i = 0; i < 10; ++i) {
    auto other = StoredObject::Parse(R"({"id":"B)" + std::to_string(i) + R"("})");
    REQUIRE(other.has_value());
    CHECK(other->String("id") == "B" + std::to_string(i));
  }
  REQUIRE(first.has_value());
  CHECK(first->String("id") == "A");
}

}  // namespace smdl
