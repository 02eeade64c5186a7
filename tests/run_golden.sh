#!/usr/bin/env bash
# Golden diagnostics: for each NAME.smdl in DIR, `smdl check NAME.smdl` must
# print exactly NAME.expected (stderr, then a line "exit: N").
# Set SMDL_BLESS=1 to rewrite the .expected files from the current output.
set -u
smdl=$1
dir=$2
cd "$dir" || exit 2
# Library files are shown by absolute path; the goldens say <stdlib> instead,
# so that they hold in any checkout.
stdlib=$(cd ../../stdlib && pwd)
pass=0
fail=0
for input in *.smdl; do
  expected="${input%.smdl}.expected"
  actual=$("$smdl" check "$input" 2>&1 >/dev/null | sed "s|$stdlib|<stdlib>|g"; echo "exit: ${PIPESTATUS[0]}")
  if [ "${SMDL_BLESS:-0}" = 1 ]; then
    printf '%s\n' "$actual" > "$expected"
  fi
  if [ ! -f "$expected" ]; then
    echo "MISSING $expected"
    fail=$((fail + 1))
  elif diff -u "$expected" <(printf '%s\n' "$actual") > /tmp/smdl-golden-diff.$$; then
    pass=$((pass + 1))
  else
    echo "FAIL $input"
    cat /tmp/smdl-golden-diff.$$
    fail=$((fail + 1))
  fi
done
rm -f /tmp/smdl-golden-diff.$$
echo "golden diagnostics: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
