#!/usr/bin/env bash
# `smdl eval` on good and bad input: results, exit codes, batch behaviour.
# Usage: eval_cli.sh SMDL
set -uo pipefail
smdl=$1
failures=0
check() {  # check NAME EXPECTED_EXIT EXPECTED_STDOUT -- ARGS...
  local name=$1 want_rc=$2 want_out=$3
  shift 4
  local out rc
  out=$("$smdl" eval "$@" 2>/dev/null)
  rc=$?
  if [ "$rc" != "$want_rc" ] || [ "$out" != "$want_out" ]; then
    echo "FAIL $name: exit $rc (want $want_rc)"
    echo "  got:  $out"
    echo "  want: $want_out"
    failures=$((failures + 1))
  fi
}
check "int" 0 '{"value":{"int":"3"}}' -- '1 + 2'
check "overflow is an error value" 1 '{"error":"integer overflow"}' -- '9223372036854775807 + 1'
check "vars" 0 '{"value":{"bool":true}}' -- 'x > 2u && y' --vars '{"x": {"uint": "3"}, "y": {"bool": true}}'
check "types" 0 '{"value":{"type":"list"}}' -- 'type(xs)' --vars '{"xs": {"list": []}}' --types '{"xs": "list(int)"}'
check "now" 0 '{"value":{"timestamp":"2026-03-06T17:00:00Z"}}' -- 'now + duration("1h")' --now 2026-03-06T16:00:00Z
check "no now" 1 '{"diagnostics":[{"code":"E2010","column":1,"end_column":4,"end_line":1,"file":"<expr>","line":1,"message":"unknown name '"'"'now'"'"'","severity":"error"}],"error":"unknown name '"'"'now'"'"'"}' -- 'now'
check "bad vars" 2 '' -- '1' --vars '[1]'
check "bad tagged value" 1 '{"error":"variable '"'"'x'"'"': \"int\" needs a decimal int64 string: {\"int\":\"one\"}"}' -- 'x' --vars '{"x": {"int": "one"}}'
check "ascii case" 0 '{"value":{"string":"vpn down|SS-ß"}}' -- '"VPN Down".lowerAscii() + "|" + "ss-ß".upperAscii()'
check "ascii case on an int" 1 '{"diagnostics":[{"code":"E2025","column":1,"end_column":15,"end_line":1,"file":"<expr>","line":1,"message":"no overload of '"'"'lowerAscii'"'"' takes int.lowerAscii()","severity":"error"}],"error":"no overload of '"'"'lowerAscii'"'"' takes int.lowerAscii()"}' -- '1.lowerAscii()'
check "unchecked" 1 '{"error":"no such overload: _+_"}' -- '1 + "a"' --no-check
check "no expression" 2 '' --
# Diagnostics are rendered on stderr.
err=$("$smdl" eval '1 +' 2>&1 >/dev/null)
case "$err" in
  *"<expr>:1:4: error: unexpected end of file [E1001]"*) ;;
  *) echo "FAIL diagnostics on stderr: $err"; failures=$((failures + 1)) ;;
esac
# Batch: one line out per line in, bad lines included.
out=$(printf '%s\n' '{"expr": "2 * 21"}' 'not json' '{"expr": "1 +"}' '{"expr": "a", "vars": {"a": {"string": "x"}}}' \
  '{"nope": 1}' '{"expr": "1 + \"a\"", "check": false}' | "$smdl" eval --batch - 2>/dev/null)
rc=$?
want='{"value":{"int":"42"}}
{"error":"the line: not valid JSON: parse error at line 1, column 2: syntax error while parsing value - invalid literal; last read: '"'"'no'"'"'"}
{"diagnostics":[{"code":"E1001","column":4,"end_column":4,"end_line":1,"file":"<expr>","line":1,"message":"unexpected end of file","severity":"error"}],"error":"unexpected end of file"}
{"value":{"string":"x"}}
{"error":"\"expr\" must be a string"}
{"error":"no such overload: _+_"}'
if [ "$rc" != 0 ] || [ "$out" != "$want" ]; then
  echo "FAIL batch: exit $rc"
  diff <(echo "$want") <(echo "$out")
  failures=$((failures + 1))
fi
"$smdl" eval --batch /nonexistent/file >/dev/null 2>&1
[ $? = 2 ] || { echo "FAIL batch with a missing file should exit 2"; failures=$((failures + 1)); }
"$smdl" eval --help | grep -q -- "--batch FILE" || { echo "FAIL --help"; failures=$((failures + 1)); }
if [ "$failures" -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "smdl eval: all checks passed"
