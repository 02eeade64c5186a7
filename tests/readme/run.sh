#!/usr/bin/env bash
# Every ```sh block of README.md, except the `make` ones, runs as written on
# a fresh checkout after the build: in a scratch directory that has the
# tree's stdlib/ and examples/ and the built binary at build/bin/smdl, and no
# var/. A command that fails, or a "# checked N modules" comment that no
# longer matches what `check` prints, fails the test.
set -u
smdl=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ln -s "$root/stdlib" "$work/stdlib"
ln -s "$root/examples" "$work/examples"
mkdir -p "$work/build/bin"
ln -s "$smdl" "$work/build/bin/smdl"

python3 - "$root/README.md" "$work/blocks" <<'PY'
import os, re, sys
text = open(sys.argv[1]).read()
os.makedirs(sys.argv[2])
blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
n = 0
for b in blocks:
    if re.search(r"^\s*make\b", b, re.M):
        continue
    n += 1
    open(os.path.join(sys.argv[2], "%02d.sh" % n), "w").write(b)
PY

pass=0
fail=0
for block in "$work"/blocks/*.sh; do
  # Graphviz may not be installed; the line that pipes into it is skipped then.
  if ! command -v dot > /dev/null; then sed -i '/| dot /d' "$block"; fi
  if (cd "$work" && bash -e "$block" > "$work/out" 2>&1); then pass=$((pass + 1)); else
    echo "FAIL README block $(basename "$block"):"; sed 's/^/    /' "$block"; tail -20 "$work/out" | sed 's/^/  > /'
    fail=$((fail + 1))
  fi
  # "# checked N modules: ..." comments must say what check prints.
  while IFS= read -r expected; do
    if grep -qF -- "$expected" "$work/out"; then pass=$((pass + 1)); else
      echo "FAIL README says '$expected', the command printed:"; head -5 "$work/out" | sed 's/^/  > /'; fail=$((fail + 1))
    fi
  done < <(grep -o '^# checked .*' "$block" | sed 's/^# //')
done
echo "README examples: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
