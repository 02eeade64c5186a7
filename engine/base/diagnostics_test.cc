#include "smdl/diagnostics.h"

#include <catch2/catch.hpp>

using namespace smdl;

TEST_CASE("a diagnostic renders with path, position, code, line and caret", "[diagnostics]") {
  SourceManager sources;
  uint32_t file = sources.Add("a.smdl", "record R {\n  x: Strng;\n}\n");
  Diagnostics diags;
  diags.Error("E2001", SourceRange{file, 2, 6, 2, 11}, "unknown type 'Strng'");
  CHECK(diags.RenderText(sources) ==
        "a.smdl:2:6: error: unknown type 'Strng' [E2001]\n"
        "    x: Strng;\n"
        "       ^~~~~\n");
}

TEST_CASE("carets count code points and keep tabs", "[diagnostics]") {
  SourceManager sources;
  uint32_t file = sources.Add("u.smdl", "\t\"äö\" + x\n");
  Diagnostics diags;
  diags.Error("E1", SourceRange{file, 1, 8, 1, 9}, "here");
  // Column 8 is 'x': tab, quote, a-umlaut, o-umlaut, quote, space, plus, space.
  CHECK(diags.RenderText(sources) == "u.smdl:1:8: error: here [E1]\n  \t\"äö\" + x\n  \t      ^\n");
}

TEST_CASE("sorting keeps notes with their diagnostic", "[diagnostics]") {
  SourceManager sources;
  uint32_t file = sources.Add("s.smdl", "a\nb\nc\n");
  Diagnostics diags;
  diags.Error("E2", SourceRange{file, 3, 1, 3, 2}, "third");
  diags.Note(SourceRange{file, 1, 1, 1, 2}, "note of third");
  diags.Error("E1", SourceRange{file, 2, 1, 2, 2}, "second");
  diags.SortByLocation();
  REQUIRE(diags.all().size() == 3);
  CHECK(diags.all()[0].message == "second");
  CHECK(diags.all()[1].message == "third");
  CHECK(diags.all()[2].message == "note of third");
  CHECK(diags.ErrorCount() == 2);
}

TEST_CASE("JSON rendering survives invalid UTF-8 in messages", "[diagnostics]") {
  SourceManager sources;
  uint32_t file = sources.Add("j.smdl", "x\n");
  Diagnostics diags;
  diags.Error("E1", SourceRange{file, 1, 1, 1, 2}, std::string("bad \xff byte"));
  std::string json = diags.RenderJson(sources);
  CHECK(json.find("\"code\": \"E1\"") != std::string::npos);
  CHECK(json.find("\"line\": 1") != std::string::npos);
}
