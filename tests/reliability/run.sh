#!/usr/bin/env bash
# The reliability campaign at the command line, on real RocksDB databases:
# malformed requests (a corpus of bad JSON, deep nesting, numbers at the
# edges) are rejected with a clear error and change nothing; a typo in a
# database path is an error that creates nothing; read-only commands write
# nothing; actors and field values cannot forge lines or terminal escapes;
# a full disk and a read-only file system give an I/O error (exit 2) that
# names the database, and lose nothing. The disk cases need root to mount a
# small tmpfs; without it they are reported as skipped.
set -u
smdl=$1
root=$2
work=$(mktemp -d)
mounts=()
cleanup() {
  for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
. "$(dirname "$0")/../lib/expect.sh"
db="$work/db"
now=2026-03-02T09:00:00Z

cat > "$work/site.smdl" <<'SMDL'
module site.ledger;

record Account {
  owner: string;
  balance: double = 0.0;
  notes: list<string> = [];
  tag: string = "";
}

process Ledger for Account {
  initial state open {
    on add(amount: double) when amount > 0.0 { balance = balance + amount; }
    on note(text: string) { notes = notes + [text]; }
    on retag(tag: string) { this.tag = tag; }
    on close -> closed;
  }
  final state closed;
}
SMDL

audit_count() { "$smdl" verify --db "$db" 2>/dev/null | grep -o '"audit_entries": [0-9]*' | grep -o '[0-9]*$'; }

# --- paths ------------------------------------------------------------------
for cmd in "verify" "list" "show Account-1" "history Account-1" "timers" "outbox" "report" "sla Account-1" \
           "create Account {}" "fire Account-1 close" "timers --run-due" "outbox --ack 1"; do
  # shellcheck disable=SC2086
  set -- $cmd
  name=$1
  shift
  expect_exit 1 "$cmd on a missing database" "$smdl" "$name" --db "$work/typo" "$@"
  expect_output "$work/err" "no database in $work/typo" "$cmd on a missing database names it"
done
[ ! -e "$work/typo" ] && pass=$((pass + 1)) || { echo "FAIL a command on a missing database created it"; fail=$((fail + 1)); }

mkdir "$work/empty"
expect_exit 1 "deploy of an empty directory" "$smdl" deploy --db "$db" "$work/empty"
expect_output "$work/err" "no SMDL modules in" "deploy of an empty directory says why"

expect_exit 0 "deploy" "$smdl" deploy --db "$db" "$work/site.smdl" --now $now
expect_exit 0 "create" "$smdl" create --db "$db" --now $now Account '{"owner": "ann"}'
start=$(audit_count)

# A typo in a type or a state is an error, never an empty answer.
expect_exit 1 "list of an unknown type" "$smdl" list --db "$db" --type Acount
expect_output "$work/err" "no process runs on record type 'Acount' (known: Account)" "the unknown type is named, with the known ones"
expect_exit 1 "list in an unknown state" "$smdl" list --db "$db" --type Account --state opne
expect_output "$work/err" "no state 'opne' in the process of site.ledger.Account (its states: open, closed)" "the unknown state is named, with the states"
expect_exit 1 "report of an unknown type" "$smdl" report --db "$db" --type Acount --now $now
expect_exit 0 "list in a known state" "$smdl" list --db "$db" --type Account --state open
expect_output "$work/out" '"id": "Account-1"' "the known state lists its record"

# --- read-only commands write nothing -----------------------------------------
before=$(ls "$db" | sort | md5sum)
for cmd in "verify" "list" "show Account-1" "history Account-1" "timers" "outbox" "report --now $now"; do
  # shellcheck disable=SC2086
  set -- $cmd
  name=$1
  shift
  "$smdl" "$name" --db "$db" "$@" > /dev/null 2>&1
done
"$smdl" verify --db "$db" > /dev/null
after=$(ls "$db" | sort | md5sum)
[ "$before" = "$after" ] && pass=$((pass + 1)) || { echo "FAIL read-only commands left files behind"; ls "$db"; fail=$((fail + 1)); }

# --- malformed requests: each rejected with exit 1, nothing written ----------
while IFS= read -r params; do
  expect_exit 1 "bad parameters $params" "$smdl" fire --db "$db" --now $now Account-1 add "$params"
done <<'BAD'
{
{"amount":}
{"amount": 1e400}
{"amount": -1e400}
{"amount": "12"}
{"amount": null}
{"amount": true}
{"amount": [1]}
{"amount": {"x": 1}}
{"amount": 0}
{"amount": -5}
{"amount": 1, "amount": 2, "extra": 3}
[1, 2]
"amount"
12
null
{"amount": NaN}
{"amount": Infinity}
{"amount": 1}}
{"amount": 01}
{"amount": 1e}
{"amount": .5}
{"amount": 0x10}
{'amount': 1}
{"amount": 1,}
BAD
expect_exit 1 "invalid UTF-8 in parameters" "$smdl" fire --db "$db" --now $now Account-1 note "$(printf '{"text": "\xff\xfe"}')"
expect_exit 1 "a NUL escape in a create" "$smdl" create --db "$db" --now $now Account '{"owner": "a", "balance": "\u0000"}'
[ "$(audit_count)" = "$start" ] && pass=$((pass + 1)) || { echo "FAIL malformed requests changed the log"; fail=$((fail + 1)); }

# Deep nesting: a clear error, no crash (60,000 levels crashed a render).
deep=$(python3 -c "print('{\"text\": ' + '['*60000 + ']'*60000 + '}')")
expect_exit 1 "60,000 levels of nesting" "$smdl" fire --db "$db" --now $now Account-1 note "$deep"
expect_output "$work/err" "nest deeper than 128 levels" "deep nesting is named"
deep_create=$(python3 -c "print('{\"owner\": \"x\", \"notes\": ' + '{\"a\":'*20000 + '1' + '}'*20000 + '}')")
expect_exit 1 "20,000 levels of objects in a create" "$smdl" create --db "$db" --now $now Account "$deep_create"
ok_deep=$(python3 -c "print('{\"text\": \"' + '['*1000 + '\"}')")
expect_exit 0 "brackets inside a string are not nesting" "$smdl" fire --db "$db" --now $now Account-1 note "$ok_deep"

# Numbers at the edges: an overflow is an action error, not a stored null.
expect_exit 0 "a large amount" "$smdl" fire --db "$db" --now $now Account-1 add '{"amount": 1e308}'
expect_exit 1 "an amount that overflows the balance" "$smdl" fire --db "$db" --now $now Account-1 add '{"amount": 1.7e308}'
expect_output "$work/err" "is not finite" "the overflow is named"
expect_exit 0 "the record still takes events" "$smdl" fire --db "$db" --now $now Account-1 add '{"amount": 1}'
expect_output "$work/out" '"balance": 1e+308' "the balance kept its last value"
expect_exit 0 "the smallest double" "$smdl" fire --db "$db" --now $now Account-1 add '{"amount": 5e-324}'
expect_exit 0 "verify after the numeric edges" "$smdl" verify --db "$db"

# An SLA target longer than a clock can count (about 292 years of
# nanoseconds) is refused with that reason, not an overflow.
cat > "$work/sla.smdl" <<'SMDL'
module site.sla;
record Case { grace: duration = duration("1h"); }
process Cases for Case {
  sla settle { target grace; start on create; stop on enter done; }
  initial state open { on finish -> done; }
  final state done;
}
SMDL
expect_exit 0 "deploy the SLA site" "$smdl" deploy --db "$work/sla-db" "$work/sla.smdl"
for grace in 315576000000s 2562048h; do
  expect_exit 1 "an SLA target of $grace" "$smdl" create --db "$work/sla-db" --now $now Case "{\"grace\": \"$grace\"}"
  expect_output "$work/err" "longer than an SLA clock can count" "the target of $grace is too long, and says so"
done
expect_exit 0 "an SLA target of 2562047h" "$smdl" create --db "$work/sla-db" --now $now Case '{"grace": "2562047h"}'

# --- actors and values that try to forge output --------------------------------
expect_exit 1 "an actor with a newline" "$smdl" fire --db "$db" --now $now --actor "$(printf 'bob\n    9  2026-03-02T09:00:00Z  alice')" Account-1 close
expect_output "$work/err" "control character" "the actor's control character is named"
expect_exit 1 "an actor with invalid UTF-8" "$smdl" fire --db "$db" --now $now --actor "$(printf 'b\xffob')" Account-1 close
expect_output "$work/err" "the actor is not valid UTF-8" "invalid UTF-8 in an actor is named"
if grep -q "unexpected failure" "$work/err"; then echo "FAIL invalid UTF-8 in an actor surfaced as an internal error"; fail=$((fail + 1)); fi
expect_exit 1 "an actor with an escape sequence" "$smdl" deploy --db "$db" --actor "$(printf 'x\e[2J')" "$work/site.smdl"

expect_exit 0 "a tag with escapes" "$smdl" fire --db "$db" --now $now Account-1 retag "$(printf '{"tag": "\\u001b[31mred\\nline"}')"
expect_exit 0 "history as text" "$smdl" history --db "$db" Account-1 --format text
if grep -q $'\e' "$work/out"; then echo "FAIL history printed a raw escape"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
expect_output "$work/out" '\\u001b\[31mred\\nline' "history shows escapes as text"
expect_exit 0 "report by tag" "$smdl" report --db "$db" --now $now --by tag --type Account
if grep -q $'\e' "$work/out"; then echo "FAIL report printed a raw escape"; fail=$((fail + 1)); else pass=$((pass + 1)); fi

# --- eval --batch answers each line as it goes ---------------------------------
{
  echo '{"expr": "1 + 1"}'
  python3 -c "print('{\"expr\": \"x\", \"vars\": {\"x\": ' + '{\"list\": ['*30000 + ']}'*30000 + '}}')"
  echo '{"expr": "2 + 2"}'
} > "$work/batch.jsonl"
expect_exit 0 "eval --batch with a deep line" "$smdl" eval --batch "$work/batch.jsonl"
[ "$(wc -l < "$work/out")" -eq 3 ] && pass=$((pass + 1)) || { echo "FAIL eval --batch did not answer every line"; fail=$((fail + 1)); }
expect_output "$work/out" "nest deeper than 128" "the deep line is an error"
expect_output "$work/out" '"int":"4"' "the line after it is answered"
# Streaming: the first answer arrives before the input ends.
mkfifo "$work/in"
( "$smdl" eval --batch "$work/in" > "$work/streamed" & echo $! > "$work/pid"; wait ) &
exec 3> "$work/in"
echo '{"expr": "6 * 7"}' >&3
for _ in $(seq 50); do [ -s "$work/streamed" ] && break; sleep 0.1; done
grep -q '"42"' "$work/streamed" && pass=$((pass + 1)) || { echo "FAIL eval --batch held its answer back"; fail=$((fail + 1)); }
exec 3>&-
wait

# --- deploys that would leave the engine worse off ----------------------------
printf 'module site.other;\nrecord Thing { x: int = 0; }\nprocess P for Thing { initial state a { on go -> b; } final state b; }\n' > "$work/other.smdl"
expect_exit 1 "a deploy that drops a type in use" "$smdl" deploy --db "$db" "$work/other.smdl"
expect_output "$work/err" "site.ledger.Account: [0-9]* records\? (Account-1" "the dropped type and its records are named"
cp -r "$db" "$work/forced-db"
expect_exit 0 "the same deploy, forced" "$smdl" deploy --db "$work/forced-db" --force "$work/other.smdl"
expect_exit 0 "a record of the dropped type stays readable on its version" "$smdl" show --db "$work/forced-db" Account-1
rm -rf "$work/forced-db"

# --- anchors, checkpoints, damage and recover -------------------------------------
expect_exit 0 "verify prints the head" "$smdl" verify --db "$db"
head=$(python3 -c "import json,sys; h=json.load(open(sys.argv[1]))['head']; print('%d:%s' % (h['seq'], h['hash']))" "$work/out")
expect_exit 0 "verify --expect-head with the head" "$smdl" verify --db "$db" --expect-head "$head"
expect_exit 1 "verify --expect-head with another hash" "$smdl" verify --db "$db" --expect-head "${head%%:*}:$(printf '0%.0s' $(seq 64))"
expect_output "$work/err" "is not the entry that was anchored" "a wrong anchor is named"
expect_exit 1 "verify --expect-head past the end" "$smdl" verify --db "$db" --expect-head "999:${head#*:}"
expect_output "$work/err" "entries were removed" "an anchor past the end means entries were removed"
expect_exit 2 "verify --expect-head malformed" "$smdl" verify --db "$db" --expect-head "seven"
head -c 32 /dev/urandom | base64 > "$work/key"
printf 'another key, not the one\n' > "$work/other-key"
expect_exit 0 "checkpoint" "$smdl" checkpoint --db "$db" --key-file "$work/key" --out "$work/checkpoint.json"
expect_exit 0 "verify --checkpoint" "$smdl" verify --db "$db" --checkpoint "$work/checkpoint.json" --key-file "$work/key"
expect_exit 1 "verify --checkpoint with another key" "$smdl" verify --db "$db" --checkpoint "$work/checkpoint.json" --key-file "$work/other-key"
expect_output "$work/err" "signature does not match" "a checkpoint under another key is refused"
printf 'short\n' > "$work/short-key"
expect_exit 2 "checkpoint with a short key" "$smdl" checkpoint --db "$db" --key-file "$work/short-key"
expect_exit 2 "checkpoint without a key" "$smdl" checkpoint --db "$db"
expect_exit 2 "verify --checkpoint without a key" "$smdl" verify --db "$db" --checkpoint "$work/checkpoint.json"

cp -a "$db" "$work/damaged"
expect_exit 0 "an acknowledged fire before the damage" "$smdl" fire --db "$work/damaged" --now $now Account-1 add '{"amount": 3}'
python3 - "$work/damaged" <<'PY'
import os, sys
logs = [f for f in os.listdir(sys.argv[1]) if f.endswith(".log") and os.path.getsize(os.path.join(sys.argv[1], f)) > 0]
path = os.path.join(sys.argv[1], max(logs))
with open(path, "r+b") as f:
    f.seek(-10, 2)
    b = f.read(1)
    f.seek(-10, 2)
    f.write(bytes([b[0] ^ 0x20]))
PY
expect_exit 1 "show on a damaged log" "$smdl" show --db "$work/damaged" Account-1
expect_output "$work/err" "smdl recover --db" "the damage names the way back"
expect_exit 1 "fire on a damaged log" "$smdl" fire --db "$work/damaged" --now $now Account-1 add '{"amount": 1}'
expect_exit 0 "recover" "$smdl" recover --db "$work/damaged"
expect_output "$work/out" '"truncated_log": true' "recover says it cut the log"
expect_output "$work/out" '"chain": "intact"' "recover verifies"
expect_exit 0 "verify after recover" "$smdl" verify --db "$work/damaged"
expect_exit 0 "fire after recover" "$smdl" fire --db "$work/damaged" --now $now Account-1 add '{"amount": 1}'
rm "$work/damaged/CURRENT"
expect_exit 1 "show without CURRENT" "$smdl" show --db "$work/damaged" Account-1
expect_output "$work/err" "CURRENT file is missing" "a missing CURRENT is named"
expect_exit 1 "deploy without CURRENT" "$smdl" deploy --db "$work/damaged" "$work/site.smdl"
expect_exit 0 "recover without CURRENT" "$smdl" recover --db "$work/damaged"
expect_exit 0 "show after recover" "$smdl" show --db "$work/damaged" Account-1
expect_exit 1 "recover on a missing database" "$smdl" recover --db "$work/typo"

# --- full disk and read-only file system -----------------------------------------
if [ "$(id -u)" -eq 0 ] && mkdir -p "$work/small" && mount -t tmpfs -o size=4m tmpfs "$work/small" 2>/dev/null; then
  mounts+=("$work/small")
  small="$work/small/db"
  expect_exit 0 "deploy on the small disk" "$smdl" deploy --db "$small" "$work/site.smdl" --now $now
  expect_exit 0 "create on the small disk" "$smdl" create --db "$small" --now $now Account '{"owner": "ann"}'
  dd if=/dev/zero of="$work/small/fill" bs=64k > /dev/null 2>&1
  expect_exit 2 "a fire on a full disk" "$smdl" fire --db "$small" --now $now Account-1 add '{"amount": 1}'
  expect_output "$work/err" "is full" "the full disk is named"
  expect_exit 2 "a create on a full disk" "$smdl" create --db "$small" --now $now Account '{"owner": "bob"}'
  expect_exit 0 "show on a full disk" "$smdl" show --db "$small" Account-1
  expect_exit 0 "verify on a full disk" "$smdl" verify --db "$small"
  rm -f "$work/small/fill"
  expect_exit 0 "a fire once space is back" "$smdl" fire --db "$small" --now $now Account-1 add '{"amount": 2}'
  expect_output "$work/out" '"balance": 2' "nothing was lost or half-applied"
  expect_exit 0 "verify once space is back" "$smdl" verify --db "$small"

  mount -o remount,ro "$work/small"
  expect_exit 0 "show on a read-only file system" "$smdl" show --db "$small" Account-1
  expect_exit 0 "verify on a read-only file system" "$smdl" verify --db "$small"
  expect_exit 2 "a fire on a read-only file system" "$smdl" fire --db "$small" --now $now Account-1 add '{"amount": 1}'
  expect_output "$work/err" "read-only file system" "the read-only file system is named"
else
  echo "SKIP full disk and read-only file system: mounting a tmpfs needs root"
fi

echo "reliability commands: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
