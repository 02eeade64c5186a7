#include "vm/value.h"

#include <catch2/catch.hpp>
#include <cmath>

#include "vm/json.h"

using namespace smdl;
using vm::Value;
using vm::ValueKind;
using json = nlohmann::json;

TEST_CASE("values: scalars live inline, heap values are shared", "[vm]") {
  CHECK(sizeof(Value) == 16);
  Value s = Value::String("shared");
  Value t = s;
  CHECK(&s.string_value() == &t.string_value());
  Value moved = std::move(t);
  CHECK(t.is_null());
  CHECK(moved.string_value() == "shared");
  Value borrowed = Value::Borrow(s);
  Value owned = borrowed;  // a copy of a borrowed value owns
  borrowed = Value();
  s = Value();
  CHECK(owned.string_value() == "shared");
}

TEST_CASE("values: CEL equality and ordering", "[vm]") {
  CHECK(Value::Int(1) == Value::Uint(1));
  CHECK(Value::Int(1) == Value::Double(1.0));
  CHECK(Value::Int(-1) != Value::Uint(18446744073709551615u));
  CHECK(Value::Double(NAN) != Value::Double(NAN));
  CHECK(Value::Int(1) != Value::String("1"));
  CHECK(Value::List({Value::Int(1), Value::String("a")}) == Value::List({Value::Uint(1), Value::String("a")}));
  CHECK(Value::Null() == Value::OptionalNone());
  CHECK(Value::OptionalOf(Value::Int(2)) == Value::Int(2));
  CHECK(vm::Compare(Value::Int(-1), Value::Uint(0)) == -1);
  CHECK(vm::Compare(Value::Uint(2), Value::Double(1.5)) == 1);
  CHECK(vm::Compare(Value::Double(NAN), Value::Int(1)) == 2);
  CHECK(vm::Compare(Value::String("a"), Value::Int(1)) == 2);
  CHECK(vm::Compare(Value::Timestamp({10, 5}), Value::Timestamp({10, 7})) == -1);
  const vm::EnumType* e = vm::InternEnum("t.Priority", {"p1", "p2"});
  CHECK(e == vm::InternEnum("t.Priority", {"p1", "p2"}));
  CHECK(vm::Compare(Value::Enum(e, 0), Value::Enum(e, 1)) == -1);
  CHECK(Value::Enum(e, 1).DebugString() == "Priority.p2");
}

TEST_CASE("values: maps find keys across number kinds, small and large", "[vm]") {
  Value small = Value::Map({{Value::Int(1), Value::String("one")}, {Value::String("k"), Value::Bool(true)}});
  REQUIRE(small.map().Find(Value::Uint(1)) != nullptr);
  CHECK(small.map().Find(Value::Double(1.0))->string_value() == "one");
  CHECK(small.map().FindString("k") != nullptr);
  CHECK(small.map().Find(Value::Int(2)) == nullptr);
  std::vector<std::pair<Value, Value>> entries;
  for (int i = 0; i < 100; ++i) entries.emplace_back(Value::String("key" + std::to_string(i)), Value::Int(i));
  for (int i = 0; i < 100; ++i) entries.emplace_back(Value::Int(i), Value::Int(-i));
  Value big = Value::Map(std::move(entries));
  REQUIRE(big.is(ValueKind::kMap));
  CHECK(big.map().FindString("key57")->int_value() == 57);
  CHECK(big.map().Find(Value::Uint(42))->int_value() == -42);
  CHECK(big.map().Find(Value::String("key100")) == nullptr);
  Value dup = Value::Map({{Value::Int(1), Value::Int(1)}, {Value::Uint(1), Value::Int(2)}});
  CHECK(dup.is_error());
}

TEST_CASE("values: DeepSize counts what a value expands to, and stops at the limit", "[vm]") {
  constexpr uint64_t kNoLimit = UINT64_MAX / 2;
  CHECK(vm::DeepSize(Value::Int(7), kNoLimit) == 0);
  CHECK(vm::DeepSize(Value::String("abc"), kNoLimit) == 3);
  CHECK(vm::DeepSize(Value::List({Value::Int(1), Value::String("ab")}), kNoLimit) == 4);
  // Entries, plus the characters of keys and values.
  CHECK(vm::DeepSize(Value::Map({{Value::String("k"), Value::List({Value::Int(1), Value::Int(2)})}}), kNoLimit) == 4);
  CHECK(vm::DeepSize(Value::OptionalOf(Value::String("xy")), kNoLimit) == 2);
  CHECK(vm::DeepSize(Value::Ref("t.P", "P-1"), kNoLimit) == 6);
  // A shared list counts every time it appears, as storing expands it.
  Value row = Value::List(std::vector<Value>(100, Value::Int(0)));
  Value grid = Value::List(std::vector<Value>(100, row));
  CHECK(vm::DeepSize(grid, kNoLimit) == 100 + 100 * 100);
  // A billion elements once expanded: counting stops just past the limit.
  Value cube = Value::List(std::vector<Value>(1000, Value::List(std::vector<Value>(1000, grid))));
  uint64_t n = vm::DeepSize(cube, 5000);
  CHECK(n > 5000);
  CHECK(n <= 5000 + 1000);  // at most one list's elements past it
}

TEST_CASE("tagged JSON follows the conformance encoding", "[vm]") {
  CHECK(vm::ToTaggedJson(Value::Int(-5)).dump() == R"({"int":"-5"})");
  CHECK(vm::ToTaggedJson(Value::Uint(5)).dump() == R"({"uint":"5"})");
  CHECK(vm::ToTaggedJson(Value::Double(1.0)).dump() == R"({"double":1.0})");
  CHECK(vm::ToTaggedJson(Value::Double(-INFINITY)).dump() == R"({"double":"-Infinity"})");
  CHECK(vm::ToTaggedJson(Value::Bytes(std::string("\0\xff", 2))).dump() == R"({"bytes":"AP8="})");
  CHECK(vm::ToTaggedJson(Value::Duration({3600, 0})).dump() == R"({"duration":"3600s"})");
  CHECK(vm::ToTaggedJson(Value::Timestamp({1234567890, 0})).dump() == R"({"timestamp":"2009-02-13T23:31:30Z"})");
  const char* text =
      R"({"map":[[{"string":"a"},{"list":[{"null":null},{"bool":true},{"bytes":"AP8="},{"type":"int"}]}],)"
      R"([{"uint":"18446744073709551615"},{"duration":"-1.5s"}]]})";
  auto v = vm::FromTaggedJson(json::parse(text));
  REQUIRE(v.ok());
  CHECK(vm::ToTaggedJson(*v).dump() == text);
  CHECK(!vm::FromTaggedJson(json::parse(R"({"int":"12x"})")).ok());
  CHECK(!vm::FromTaggedJson(json::parse(R"({"int":"1","uint":"2"})")).ok());
  CHECK(!vm::FromTaggedJson(json::parse(R"({"timestamp":"yesterday"})")).ok());
  CHECK(!vm::FromTaggedJson(json::parse(R"({"enum":{"type":"t.P","value":"p1"}})")).ok());
  const vm::EnumType* e = vm::InternEnum("t.P", {"p1", "p2"});
  auto en = vm::FromTaggedJson(json::parse(R"({"enum":{"type":"t.P","value":"p2"}})"),
                               [&](std::string_view name) { return name == "t.P" ? e : nullptr; });
  REQUIRE(en.ok());
  CHECK(en->enum_index() == 1);
}

TEST_CASE("plain JSON follows the static type", "[vm]") {
  using sema::Type;
  auto plain = [](const Value& v, const Type& t) {
    auto j = vm::ToPlainJson(v, t);
    REQUIRE(j.ok());
    return j->dump();
  };
  CHECK(plain(Value::Int(5), Type::Int()) == "5");
  CHECK(plain(Value::Duration({90, 0}), Type::Duration()) == "\"90s\"");
  CHECK(plain(Value::Null(), Type::Optional(Type::String())) == "null");
  CHECK(plain(Value::Ref("t.Problem", "PRB-1"), Type::Ref("t.Problem")) == "\"PRB-1\"");
  CHECK(plain(Value::Map({{Value::String("a"), Value::List({Value::Int(1)})}}),
              Type::Map(Type::String(), Type::List(Type::Int()))) == R"({"a":[1]})");
  CHECK(!vm::ToPlainJson(Value::String("x"), Type::Int()).ok());

  auto back = vm::FromPlainJson(json::parse("[\"1h\", \"90s\"]"), Type::List(Type::Duration()), nullptr);
  REQUIRE(back.ok());
  CHECK(back->DebugString() == "[duration(\"3600s\"), duration(\"90s\")]");
  auto ts = vm::FromPlainJson(json("2026-03-06T16:00:00+01:00"), Type::Timestamp(), nullptr);
  REQUIRE(ts.ok());
  CHECK(vm::ToTaggedJson(*ts).dump() == R"({"timestamp":"2026-03-06T15:00:00Z"})");
  CHECK(vm::FromPlainJson(json(nullptr), Type::Optional(Type::Int()), nullptr)->is_null());
  CHECK(vm::FromPlainJson(json(7), Type::Optional(Type::Int()), nullptr)->int_value() == 7);
  auto keyed = vm::FromPlainJson(json::parse(R"({"42": true})"), Type::Map(Type::Int(), Type::Bool()), nullptr);
  REQUIRE(keyed.ok());
  CHECK(keyed->map().Find(Value::Int(42)) != nullptr);

  auto bad = vm::FromPlainJson(json("soon"), Type::Timestamp(), nullptr);
  REQUIRE(!bad.ok());
  CHECK(bad.status().message().find("RFC 3339") != std::string::npos);
  CHECK(!vm::FromPlainJson(json(1.5), Type::Int(), nullptr).ok());
  CHECK(!vm::FromPlainJson(json(-1), Type::Uint(), nullptr).ok());
  CHECK(!vm::FromPlainJson(json::parse(R"({"x": 1})"), Type::Map(Type::Int(), Type::Int()), nullptr).ok());

  auto type = vm::ParseTypeName("map(string, list(int))");
  REQUIRE(type.ok());
  CHECK(type->ToString() == Type::Map(Type::String(), Type::List(Type::Int())).ToString());
  CHECK(!vm::ParseTypeName("list(int, int)").ok());
}
