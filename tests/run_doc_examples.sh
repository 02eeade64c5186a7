#!/usr/bin/env bash
# Checks every fenced code block of a Markdown document that is marked smdl:
#   ```smdl                  must check with no errors and no warnings
#   ```smdl expect E2001     must report (at least) the error or warning code E2001
# Each block is checked on its own, with the standard library on the path.
set -u
smdl=$1
doc=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
awk -v dir="$work" '
  /^```smdl/ { n++; inblock = 1; file = sprintf("%s/block%03d.smdl", dir, n);
               expect = $0; sub(/^```smdl[ ]*/, "", expect); sub(/^expect[ ]*/, "", expect);
               printf "%s\n", expect > (file ".expect"); printf "%d\n", NR > (file ".line"); next }
  /^```/ && inblock { inblock = 0; close(file); next }
  inblock { print > file }
' "$doc"
pass=0
fail=0
for block in "$work"/block*.smdl; do
  [ -e "$block" ] || continue
  line=$(cat "$block.line")
  want=$(cat "$block.expect")
  out=$("$smdl" check --werror --format json "$block" 2>&1)
  status=$?
  if [ -z "$want" ]; then
    if [ $status -eq 0 ]; then pass=$((pass + 1)); else
      echo "FAIL $doc:$line: the example should check clean:"
      "$smdl" check "$block" 2>&1 | sed 's/^/    /'
      fail=$((fail + 1))
    fi
  else
    if printf '%s' "$out" | grep -q "\"code\": \"$want\""; then pass=$((pass + 1)); else
      echo "FAIL $doc:$line: the example should report $want:"
      "$smdl" check "$block" 2>&1 | sed 's/^/    /'
      fail=$((fail + 1))
    fi
  fi
done
echo "$doc examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
