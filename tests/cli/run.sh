#!/usr/bin/env bash
# Command-line behaviour of smdl: exit codes, --help on every command,
# JSON diagnostics and the diagrams of the incident process.
set -u
smdl=$1
root=$2
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../lib/expect.sh"

expect_exit 0 "smdl --help" "$smdl" --help
expect_output "$work/out" "Usage: smdl \[--server URL\] COMMAND" "smdl --help"
expect_exit 0 "smdl --version" "$smdl" --version
expect_output "$work/out" "^smdl [0-9]" "smdl --version"
expect_exit 2 "smdl without a command" "$smdl"
expect_exit 2 "unknown command" "$smdl" frobnicate

for cmd in $("$smdl" --help | awk '/^Commands:/ {on=1; next} on && NF {print $1} /^$/ && on {exit}'); do
  expect_exit 0 "smdl $cmd --help" "$smdl" "$cmd" --help
  expect_output "$work/out" "Usage: smdl $cmd" "smdl $cmd --help"
done

# check: exit codes
printf 'module ok;\nenum E { a }\n' > "$work/ok.smdl"
printf 'module bad;\nrecord R { x: Nope; }\n' > "$work/bad.smdl"
expect_exit 0 "check a clean file" "$smdl" check "$work/ok.smdl"
expect_output "$work/out" "checked 1 module: 0 errors, 0 warnings" "check summary"
expect_exit 1 "check a file with errors" "$smdl" check "$work/bad.smdl"
expect_output "$work/err" "bad.smdl:2:15: error: unknown type 'Nope' \[E2001\]" "check diagnostic"
expect_exit 2 "check a missing file" "$smdl" check "$work/missing.smdl"
expect_exit 2 "check without paths" "$smdl" check
expect_exit 2 "check with a bad option" "$smdl" check --colour "$work/ok.smdl"
expect_exit 1 "check a directory with a bad file" "$smdl" check "$work"
expect_exit 1 "check --format json" "$smdl" check --format json "$work/bad.smdl"
expect_output "$work/out" '"code": "E2001"' "json diagnostics"
expect_output "$work/out" '"line": 2' "json diagnostics"
expect_output "$work/out" '"column": 15' "json diagnostics"
printf 'module w;\nprocess P for R { initial state a { on x -> b; } state b { on y -> a; } }\nrecord R { }\n' > "$work/warn.smdl"
expect_exit 0 "warnings alone pass" "$smdl" check "$work/warn.smdl"
expect_exit 1 "--werror fails on warnings" "$smdl" check --werror "$work/warn.smdl"
expect_exit 0 "stdlib and examples" "$smdl" check "$root/stdlib" "$root/examples"

# graph
incident="$root/stdlib/iso20000/incident.smdl"
expect_exit 0 "graph dot" "$smdl" graph "$incident" --process IncidentManagement
if diff -u "$here/incident.dot.expected" "$work/out" > "$work/diff"; then pass=$((pass + 1)); else
  echo "FAIL graph dot differs:"; cat "$work/diff"; fail=$((fail + 1)); fi
expect_exit 0 "graph mermaid" "$smdl" graph "$incident" --format mermaid
if diff -u "$here/incident.mermaid.expected" "$work/out" > "$work/diff"; then pass=$((pass + 1)); else
  echo "FAIL graph mermaid differs:"; cat "$work/diff"; fail=$((fail + 1)); fi
parallel_src="$root/tests/scenarios/parallel.smdl"
# Nested states: clusters in DOT, composite states in Mermaid.
nested="$root/tests/scenarios/statecharts.smdl"
expect_exit 0 "graph dot, nested" "$smdl" graph "$nested"
if diff -u "$here/statecharts.dot.expected" "$work/out" > "$work/diff"; then pass=$((pass + 1)); else
  echo "FAIL graph dot, nested, differs:"; cat "$work/diff"; fail=$((fail + 1)); fi
# Graphviz reads what smdl draws.
if dot -Tsvg "$work/out" -o "$work/graph.svg" 2> "$work/dot.err"; then pass=$((pass + 1)); else
  echo "FAIL graphviz cannot read the nested graph:"; cat "$work/dot.err"; fail=$((fail + 1)); fi
# Every process of the library draws without a Graphviz error or warning.
for module in "$root"/stdlib/iso20000/*.smdl; do
  for process in $(sed -n 's/^process \([A-Za-z_]*\).*/\1/p' "$module"); do
    "$smdl" graph "$module" --process "$process" > "$work/lib.dot" 2>&1 &&
      dot -Tsvg "$work/lib.dot" -o /dev/null 2> "$work/dot.err" && [ ! -s "$work/dot.err" ] &&
      pass=$((pass + 1)) || { echo "FAIL graph of $process in $module:"; cat "$work/dot.err"; fail=$((fail + 1)); }
  done
done
expect_exit 0 "graph mermaid, nested" "$smdl" graph "$nested" --format mermaid
if diff -u "$here/statecharts.mermaid.expected" "$work/out" > "$work/diff"; then pass=$((pass + 1)); else
  echo "FAIL graph mermaid, nested, differs:"; cat "$work/diff"; fail=$((fail + 1)); fi
# SVG through Graphviz, and a clear error without it.
expect_exit 0 "graph svg" "$smdl" graph "$parallel_src" --format svg
expect_output "$work/out" "<svg" "graph --format svg draws SVG"
expect_output "$work/out" "approval (parallel)" "the SVG holds the diagram"
mkdir -p "$work/nodot"
ln -sf "$(command -v env)" "$work/nodot/env"
expect_exit 2 "graph svg without Graphviz" env PATH="$work/nodot" "$smdl" graph "$parallel_src" --format svg
expect_output "$work/err" "Graphviz, which is not installed (apt-get install graphviz)" "graph svg says how to get Graphviz"
# Parallel states: regions as dashed partitions in DOT, separated by -- in Mermaid.
parallel="$root/tests/scenarios/parallel.smdl"
expect_exit 0 "graph dot, parallel" "$smdl" graph "$parallel"
if diff -u "$here/parallel.dot.expected" "$work/out" > "$work/diff"; then pass=$((pass + 1)); else
  echo "FAIL graph dot, parallel, differs:"; cat "$work/diff"; fail=$((fail + 1)); fi
if dot -Tsvg "$work/out" -o "$work/graph.svg" 2> "$work/dot.err" && [ ! -s "$work/dot.err" ]; then pass=$((pass + 1)); else
  echo "FAIL graphviz cannot read the parallel graph:"; cat "$work/dot.err"; fail=$((fail + 1)); fi
expect_exit 0 "graph mermaid, parallel" "$smdl" graph "$parallel" --format mermaid
if diff -u "$here/parallel.mermaid.expected" "$work/out" > "$work/diff"; then pass=$((pass + 1)); else
  echo "FAIL graph mermaid, parallel, differs:"; cat "$work/diff"; fail=$((fail + 1)); fi
expect_exit 2 "graph of an unknown process" "$smdl" graph "$incident" --process Nope
expect_output "$work/err" "it has IncidentManagement" "graph lists the processes"
expect_exit 2 "graph with a bad format" "$smdl" graph "$incident" --format png
expect_exit 1 "graph of a file with errors" "$smdl" graph "$work/bad.smdl"

echo "command line: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
