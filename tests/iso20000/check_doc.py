#!/usr/bin/env python3
"""docs/iso20000.md tells the truth about its tests.

- Every sub-clause the library claims (4.1 to 9.3) has a row in the
  "Clause by clause" table, and the row names at least one test file.
- Every test the document names ("`tests/X.smdl`: "name", ...", anywhere in
  the text) exists in that file: a name ending in "..." is a prefix.
- A count "(N)" or "(N of M)" after a file is no more than the tests the
  file holds.

Usage: check_doc.py REPO_ROOT. Prints each problem; exit 1 if any.
"""
import pathlib
import re
import sys

CLAUSES = ["4.1", "4.2", "4.3", "4.4", "4.5", "5", "6.1", "6.2", "6.3", "6.4", "6.5", "6.6",
           "7.1", "7.2", "8.1", "8.2", "9.1", "9.2", "9.3"]
FILE_REF = re.compile(r"`((?:tests/|examples/acme/)[a-z_]+\.smdl)`")
TEST_DECL = re.compile(r'^\s*test\s+"((?:[^"\\]|\\.)*)"', re.M)
NAME = re.compile(r'"([^"]+)"')
COUNT = re.compile(r"^\s*\((\d+)(?: of (\d+))?")


def test_names(root, ref):
    path = root / ("stdlib/iso20000/" + ref if ref.startswith("tests/") else ref)
    if not path.is_file():
        return None
    return TEST_DECL.findall(path.read_text())


def main():
    root = pathlib.Path(sys.argv[1])
    doc = (root / "docs/iso20000.md").read_text()
    problems = []

    # Sub-clauses with rows that name tests.
    section = doc.split("## Clause by clause", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Clause")]
    for clause in CLAUSES:
        mine = [r for r in rows if re.match(r"\| " + re.escape(clause) + r"(\D|$)", r)]
        if not mine:
            problems.append(f"clause {clause}: no row in the clause table")
        elif not any(FILE_REF.search(r.rstrip(" |").rsplit("|", 1)[-1]) for r in mine):
            problems.append(f"clause {clause}: its row names no test")

    # Every named test exists. The text after a file reference, up to the
    # next one or the end of the table cell or sentence, holds its names.
    flat = re.sub(r"\s*\n\s*", " ", doc)
    refs = list(FILE_REF.finditer(flat))
    checked = 0
    for i, m in enumerate(refs):
        ref = m.group(1)
        names = test_names(root, ref)
        if names is None:
            problems.append(f"{ref}: no such file")
            continue
        end = refs[i + 1].start() if i + 1 < len(refs) else len(flat)
        tail = flat[m.end():end]
        cut = re.search(r"\||\)\.|; [a-z]|\. [A-Z]", tail)
        tail = tail[: cut.start()] if cut else tail
        count = COUNT.match(tail)
        if count and int(count.group(1)) > len(names):
            problems.append(f"{ref}: the document counts {count.group(1)} tests, the file has {len(names)}")
        if not tail.lstrip().startswith(":"):
            continue
        for name in NAME.findall(tail):
            checked += 1
            prefix = name[:-3] if name.endswith("...") else None
            # A file's tests may carry a topic ("change: ..."), which the
            # document leaves out.
            bare = names + [n.split(": ", 1)[1] for n in names if ": " in n]
            if not any(n == name or (prefix is not None and n.startswith(prefix)) for n in bare):
                problems.append(f'{ref}: no test named "{name}"')

    for p in problems:
        print("docs/iso20000.md: " + p)
    print(f"checked {len(CLAUSES)} clauses and {checked} named tests: {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
