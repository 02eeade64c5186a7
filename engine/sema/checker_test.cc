#include "sema/checker.h"

#include <catch2/catch.hpp>

#include "sema/graph.h"
#include "test_support.h"

using namespace smdl;
using smdl::testing::Check;
using smdl::testing::Codes;
using Strings = std::vector<std::string>;

namespace {

const char* kProcessHeader = R"(
module t;
record Ticket { title: string; n: int = 0; note: string?; }
)";

std::unique_ptr<sema::Program> CheckProcess(const std::string& body) {
  return Check(std::string(kProcessHeader) + "process P for Ticket {\n" + body + "\n}\n", false);
}

}  // namespace

TEST_CASE("the standard library and the example site check clean", "[sema]") {
  auto program = sema::CheckPaths({SMDL_SOURCE_DIR "/stdlib", SMDL_SOURCE_DIR "/examples"}, {});
  REQUIRE(program.ok());
  INFO(testing::Rendered(**program));
  CHECK((*program)->diags.all().empty());
}

TEST_CASE("names resolve, with suggestions for typos", "[sema]") {
  auto p = Check("module t;\nsetting limit: int = 3;\npolicy f(x: int) -> bool = x < limt;\n", false);
  CHECK(Codes(*p) == Strings{"E2010"});
  CHECK(p->diags.all()[0].message == "unknown name 'limt' (did you mean 'limit'?)");
}

TEST_CASE("expression types follow CEL", "[sema]") {
  CHECK(Codes(*Check("module t; policy f(x: int) -> int = x + 1u;", false)) == Strings{"E2019"});
  CHECK(Codes(*Check("module t; policy f(x: int) -> bool = x > 1.5;", false)).empty());
  CHECK(Codes(*Check("module t; policy f(s: string) -> bool = s == 1;", false)) == Strings{"E2018"});
  CHECK(Codes(*Check("module t; policy f(t: timestamp) -> timestamp = t + duration(\"1h\");", false)).empty());
  CHECK(Codes(*Check("module t; policy f(t: timestamp) -> duration = t - t;", false)).empty());
  CHECK(Codes(*Check("module t; policy f(xs: list<int>) -> bool = xs.all(x, x > 0) && 3 in xs;", false)).empty());
  CHECK(Codes(*Check("module t; policy f(xs: list<int>) -> list<string> = xs.map(x, string(x));", false)).empty());
  CHECK(Codes(*Check("module t; policy f(xs: list<int>) -> list<int> = xs.filter(x, x);", false)) == Strings{"E2002"});
  CHECK(Codes(*Check("module t; policy f(m: map<string, int>) -> int = m['a'] + m.b;", false)).empty());
  CHECK(Codes(*Check("module t; policy f(s: string) -> bool = s.startsWith('a') && s.matches('^a+$');", false)).empty());
  CHECK(Codes(*Check("module t; policy f(s: string) -> int = s ? 1 : 2;", false)) == Strings{"E2002"});
  CHECK(Codes(*Check("module t; policy f(b: bool) -> int = b ? 1 : 'x';", false)) == Strings{"E2020"});
  CHECK(Codes(*Check("module t; policy f(o: int?) -> int = o + 1;", false)) == Strings{"E2019"});
  CHECK(Codes(*Check("module t; policy f(o: int?) -> int = o.orValue(0) + 1;", false)).empty());
  CHECK(Codes(*Check("module t; policy f() -> int = nosuch(1);", false)) == Strings{"E2013"});
}

TEST_CASE("enums are values through their type name", "[sema]") {
  const char* base = "module t; enum Level { low, high }\n";
  CHECK(Codes(*Check(std::string(base) + "policy f(l: Level) -> bool = l == Level.high;", false)).empty());
  CHECK(Codes(*Check(std::string(base) + "policy f(l: Level) -> bool = l == Level.mid;", false)) == Strings{"E2011"});
  CHECK(Codes(*Check(std::string(base) + "policy f(l: Level) -> bool = l < Level.high;", false)).empty());
  CHECK(Codes(*Check(std::string(base) + "policy f(l: Level) -> bool = l == 1;", false)) == Strings{"E2018"});
}

TEST_CASE("declarations: duplicates, reserved fields, unknown types", "[sema]") {
  auto p = Check("module t; record R { a: int; a: string; state: string; b: Nope; }\nenum R { x }\n", false);
  CHECK(Codes(*p) == Strings{"E2030", "E2035", "E2001", "E2030"});
}

TEST_CASE("imports resolve on the search path, and unknown ones are reported", "[sema]") {
  CHECK(Codes(*Check("module t; import iso20000.core; policy f(p: Priority) -> bool = p == Priority.p1;")).empty());
  CHECK(Codes(*Check("module t; import no.such.module;")) == Strings{"E2032"});
}

TEST_CASE("overrides must match an imported declaration", "[sema]") {
  const char* ok = R"(module site; import iso20000.core; import iso20000.incident.defaults;
override setting max_reopens: int = 5;
override policy response_target(p: Priority) -> duration = duration("30m");)";
  CHECK(Codes(*Check(ok)).empty());
  CHECK(Codes(*Check("module site; import iso20000.incident.defaults; override setting max_reopens: string = \"5\";")) ==
        Strings{"E2041"});
  CHECK(Codes(*Check("module site; override setting nothing_here: int = 1;")) == Strings{"E2040"});
  auto twice = Check(R"(module site; import iso20000.incident.defaults;
override setting max_reopens: int = 5;
override setting max_reopens: int = 6;)");
  CHECK(Codes(*twice) == Strings{"E2042"});
}

TEST_CASE("process lints", "[sema][process]") {
  SECTION("a clean process") {
    CHECK(Codes(*CheckProcess("initial state open { on close -> done; }\nfinal state done;")).empty());
  }
  SECTION("no initial state") {
    CHECK(Codes(*CheckProcess("state open { on close -> done; }\nfinal state done;")) ==
          Strings{"E3004"});
  }
  SECTION("two initial states") {
    CHECK(Codes(*CheckProcess("initial state a { on x -> done; }\ninitial state b { on x -> done; }\nfinal state done;")) ==
          Strings{"E3005", "E3008"});
  }
  SECTION("unknown target, unreachable and inescapable states") {
    auto p = CheckProcess("initial state open { on close -> closd; on go -> done; }\nstate lost { on x -> lost; }\nfinal state done;");
    // No W3001 for `lost`: it is unreachable, which is reported already.
    CHECK(Codes(*p) == Strings{"E3007", "E3008", "E3009"});
  }
  SECTION("final states have no transitions") {
    CHECK(Codes(*CheckProcess("initial state a { on x -> done; }\nfinal state done { on y -> a; }")) == Strings{"E3006"});
  }
  SECTION("an event takes the same parameters everywhere") {
    auto p = CheckProcess("initial state a { on go(x: int) -> b; }\nstate b { on go(x: string) -> done; }\nfinal state done;");
    CHECK(Codes(*p) == Strings{"E3011"});
  }
  SECTION("guards are bool, actions assign existing fields with the right type") {
    auto p = CheckProcess("initial state a { on go when n -> done { n = \"x\"; nope = 1; id = \"x\"; } }\nfinal state done;");
    CHECK(Codes(*p) == Strings{"E2002", "E2002", "E3012", "E3013"});
  }
  SECTION("a second unguarded transition for an event never runs") {
    auto p = CheckProcess("initial state a { on go -> done; on go -> b; }\nstate b { on x -> done; }\nfinal state done;");
    CHECK(Codes(*p) == Strings{"W3002"});
  }
  SECTION("sla blocks name existing states, events and calendars") {
    auto p = CheckProcess(R"(sla s { target duration("1h"); calendar nowhere; start on create; stop on enter nowhere; pause on event nothing; retarget sometimes; }
initial state a { on go -> done; }
final state done;)");
    CHECK(Codes(*p) == Strings{"E3024", "E3028", "E3029", "E3030"});
    auto q = CheckProcess(R"(sla s { target duration("1h"); stop in a; }
initial state a { on go -> done; }
final state done;)");
    CHECK(Codes(*q) == Strings{"E3026"});
  }
}

TEST_CASE("decision tables: gaps, overlaps, unreachable rows", "[sema][table]") {
  const char* header = "module t; enum L { low, mid, high }\n";
  auto table = [&](const std::string& hit, const std::string& rows) {
    return Check(std::string(header) + "table f(a: L, n: int) -> int { hit " + hit + ";\n| a | n | => |\n" + rows + "}\n",
                 false);
  };
  SECTION("first with a catch-all is complete") {
    CHECK(Codes(*table("first", "| L.low | - | 1 |\n| - | - | 2 |\n")).empty());
  }
  SECTION("a gap is an error that names an uncovered input") {
    auto p = table("first", "| L.low | - | 1 |\n| L.mid | < 5 | 2 |\n| L.high | - | 3 |\n");
    REQUIRE(Codes(*p) == Strings{"E4010"});
    CHECK(p->diags.all()[0].message.find("a = L.mid, n = 5") != std::string::npos);
  }
  SECTION("integer intervals between adjacent constants are empty") {
    CHECK(Codes(*table("unique", "| - | < 3 | 1 |\n| - | 3 | 2 |\n| - | >= 4 | 3 |\n")).empty());
  }
  SECTION("overlap under unique") {
    auto p = table("unique", "| L.low | - | 1 |\n| - | > 2 | 2 |\n| - | <= 2 | 3 |\n");
    // Row 1 overlaps row 2 (n > 2) and row 3 (n <= 2).
    CHECK(Codes(*p) == Strings{"E4011", "E4011"});
    CHECK(p->diags.all()[0].message == "rows 1 and 2 overlap under 'hit unique': both match a = L.low, n = a value above 2");
  }
  SECTION("rows shadowed under first") {
    auto p = table("first", "| - | - | 1 |\n| L.low | 3 | 2 |\n");
    CHECK(Codes(*p) == Strings{"W4012"});
  }
  SECTION("any allows overlaps with equal outputs only") {
    CHECK(Codes(*table("any", "| L.low | - | 1 |\n| - | 1 | 1 |\n| - | - | 1 |\n")).empty());
    CHECK(Codes(*table("any", "| L.low | - | 1 |\n| - | - | 2 |\n")) == Strings{"E4013"});
  }
  SECTION("cells are constants of the column's type") {
    CHECK(Codes(*table("first", "| L.low | \"x\" | 1 |\n| - | - | 2 |\n")) == Strings{"E4006"});
    CHECK(Codes(*table("first", "| L.low | n + 1 | 1 |\n| - | - | 2 |\n")) == Strings{"E4005"});
    CHECK(Codes(*table("first", "| in [L.low, L.mid] | - | 1 |\n| - | - | 2 |\n")).empty());
  }
  SECTION("unknown hit policy and header mismatch") {
    CHECK(Codes(*table("sometimes", "| - | - | 1 |\n")) == Strings{"E4001"});
    auto p = Check(std::string(header) + "table f(a: L) -> int { hit first;\n| b | => |\n| - | 1 |\n}\n", false);
    CHECK(Codes(*p) == Strings{"E4003"});
  }
  SECTION("collect returns a list and allows gaps") {
    auto p = Check(std::string(header) + "table f(a: L) -> list<string> { hit collect;\n| a | => |\n| L.low | 'x' | \n| L.low | 'y' |\n}\n", false);
    CHECK(Codes(*p).empty());
  }
}

TEST_CASE("calendars", "[sema][calendar]") {
  CHECK(Codes(*Check("module t; calendar c { timezone \"Europe/Berlin\"; mon..fri 08:00-18:00; }", false)).empty());
  CHECK(Codes(*Check("module t; calendar c { timezone \"Mars/Olympus\"; always; }", false)) == Strings{"E5011"});
  CHECK(Codes(*Check("module t; calendar c { timezone \"UTC\"; mon..fry 08:00-18:00; }", false)) == Strings{"E5012"});
  CHECK(Codes(*Check("module t; calendar c { timezone \"UTC\"; mon 08:00-12:00, 11:00-13:00; }", false)) == Strings{"E5014"});
  CHECK(Codes(*Check("module t; calendar c { timezone \"UTC\"; mon 25:00-26:00; }", false)) == Strings{"E5001", "E5013", "E5001"});
  CHECK(Codes(*Check("module t; calendar c { timezone \"UTC\"; fri 22:00-06:00; sat 05:00-07:00; }", false)) ==
        Strings{"E5014"});
  CHECK(Codes(*Check("module t; calendar c { timezone \"UTC\"; always; holiday \"2026-02-30\"; }", false)) ==
        Strings{"E5017"});
  CHECK(Codes(*Check("module t; calendar c { mon 08:00-09:00; }", false)) == Strings{"E5010"});
}

TEST_CASE("holiday rules and sets", "[sema][calendar]") {
  auto cal = [](const std::string& lines) {
    return Codes(*Check("module t; holidays s { holiday easter; } calendar c { timezone \"UTC\"; always; " + lines + " }", false));
  };
  CHECK(cal("holiday easter - 2; holiday easter + 39; holiday last mon of may; holidays s; substitute next weekday;").empty());
  CHECK(cal("substitute nearest weekday;").empty());
  CHECK(cal("holiday xmas;") == Strings{"E5030"});
  CHECK(cal("holiday first mon at may;") == Strings{"E5030"});
  CHECK(cal("holiday fifth mon of may;") == Strings{"E5031"});
  CHECK(cal("holiday first monday of may;") == Strings{"E5012"});
  CHECK(cal("holiday first mon of mai;") == Strings{"E5032"});
  CHECK(cal("holiday easter + 251;") == Strings{"E5033"});
  CHECK(cal("holiday easter - 81;") == Strings{"E5033"});
  CHECK(cal("holiday easter + 99999999999999999999;") == Strings{"E5033"});
  CHECK(cal("holidays nowhere;") == Strings{"E5034"});
  CHECK(cal("holidays c;") == Strings{"E5034"});
  CHECK(cal("substitute previous weekday;") == Strings{"E5035"});
  CHECK(cal("substitute next weekday; substitute nearest weekday;") == Strings{"E5036"});
  CHECK(cal("holidays s, s;") == Strings{"E5037"});
  CHECK(Codes(*Check("module t; holidays s { timezone \"UTC\"; }", false)) == Strings{"E5038"});
  CHECK(Codes(*Check("module t; holidays s { holiday easter; } holidays s { holiday easter + 1; }", false)) ==
        Strings{"E2030"});
  CHECK(Codes(*Check("module t; holidays s { holiday \"2026-02-30\"; holiday last sun of feb; }", false)) ==
        Strings{"E5017"});
}

TEST_CASE("test blocks are checked against the process", "[sema][test]") {
  std::string src = std::string(kProcessHeader) + R"(
process P for Ticket { initial state open { on close(reason: string) -> done; } final state done; }
test "ok" {
  clock "2026-01-01T09:00:00Z";
  let t = create Ticket { title: "x" };
  fire t.close(reason: "fixed");
  expect t.state == "done" && emitted("x") == 0;
}
test "bad" {
  clock "yesterday";
  let t = create Ticket { n: 1 };
  fire t.open();
  fire t.close(why: "x");
  fire u.close(reason: "x");
  expect t.n;
}
)";
  auto p = Check(src, false);
  CHECK(Codes(*p) == Strings{"E5020", "E5023", "E5025", "E5027", "E5026", "E5024", "E2002"});
}

TEST_CASE("graphs show states, labelled transitions and markers", "[sema][graph]") {
  auto p = CheckProcess("initial state open { on close when n > 0 -> done; after duration(\"1h\") -> done; }\nfinal state done;");
  REQUIRE_FALSE(p->diags.HasErrors());
  const auto* proc = p->FindProcess("P");
  REQUIRE(proc);
  std::string dot = sema::RenderGraph(*p, *proc, sema::GraphFormat::kDot);
  CHECK(dot.find("\"__start\" -> \"open\"") != std::string::npos);
  CHECK(dot.find("\"open\" -> \"done\" [label=\"close [n > 0]\"]") != std::string::npos);
  CHECK(dot.find("[label=\"after duration(\\\"1h\\\")\", style=dashed]") != std::string::npos);
  CHECK(dot.find("\"done\" [shape=doublecircle") != std::string::npos);
  std::string mermaid = sema::RenderGraph(*p, *proc, sema::GraphFormat::kMermaid);
  CHECK(mermaid.find("[*] --> open") != std::string::npos);
  CHECK(mermaid.find("open --> done : close [n > 0]") != std::string::npos);
  CHECK(mermaid.find("done --> [*]") != std::string::npos);
}
