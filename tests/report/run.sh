#!/usr/bin/env bash
# smdl report (and smdl history --format text) on a small desk built with the
# command line in virtual time, against exact expected output. The scenario
# (all times 2 March 2026, UTC; the report is taken at 13:30):
#
#   Ticket  prio  fix target  life                                  fix clock at 13:30
#   1       high  1h          09:00 created, 09:10 escalated,       met (30m)
#                             09:30 closed                          (escalation met, 20m)
#   2       high  1h          09:00 created, breach timer fired     breached
#                             10:30 (due 10:00), 11:00 closed
#   3       low   4h          09:00 created, 10:00 closed           met
#   4       low   4h          09:00 created, 10:00 parked           running (paused at 1h)
#   5       low   4h          09:00 created                         overdue (4h30m)
#   6       low   4h          09:00 created, 13:20 closed           breached (4h20m, no timer ran)
#   7       low   4h          11:00 created, 11:30 closed           met
#   8       high  1h          12:00 created, 12:10 escalated        overdue (escalation overdue)
#   9       high  1h          13:00 created, 13:10 escalated        running (escalation running)
#
#   Call    answer target 15m: 1 picked after 10m (met), 2 after 20m
#   (breached), 3 ringing since 13:20 (running).
set -u
smdl=$1
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/db"
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }
# run WHAT CMD...: runs a setup step that must succeed.
run() {
  local what=$1
  shift
  if "$@" > "$work/out" 2> "$work/err"; then ok; else bad "$what: exit $?"; sed 's/^/    /' "$work/err" | head -5; fi
}
# expect_exit WANT WHAT CMD...
expect_exit() {
  local want=$1 what=$2
  shift 2
  "$@" > "$work/out" 2> "$work/err"
  local got=$?
  if [ "$got" -eq "$want" ]; then ok; else bad "$what: exit $got, expected $want"; sed 's/^/    /' "$work/err" | head -5; fi
}
# expect_same WHAT EXPECTED_FILE: the last command's stdout equals the file.
expect_same() {
  if diff -u "$2" "$work/out" > "$work/diff"; then ok; else bad "$1: output differs (- expected, + got)"; sed 's/^/    /' "$work/diff"; fi
}
T() { echo "2026-03-02T$1:00Z"; }
create() { run "create $2 at $1" "$smdl" create --db "$db" --now "$(T "$1")" --actor ann "$2" "$3"; }
fire() { run "fire $2 $3 at $1" "$smdl" fire --db "$db" --now "$(T "$1")" --actor bob "$2" "$3"; }

# Usage errors, and a database with nothing in it.
expect_exit 2 "report without --db" "$smdl" report
expect_exit 2 "report with a positional argument" "$smdl" report --db "$db" Ticket
expect_exit 2 "report --format xml" "$smdl" report --db "$db" --format xml
expect_exit 2 "report with a bad --now" "$smdl" report --db "$db" --now yesterday
# Only a deploy creates a database: a report on a path with none is an error.
expect_exit 1 "report where there is no database" "$smdl" report --db "$db" --now "$(T 09:00)"
grep -q "no database in .*a deploy creates one" "$work/err" && ok || bad "report without a database says why"
[ ! -e "$db" ] && ok || bad "report without a database creates nothing"

run "deploy" "$smdl" deploy --db "$db" "$here/site.smdl"
create 09:00 Ticket '{"title": "printer", "prio": "high"}'
create 09:00 Ticket '{"title": "vpn", "prio": "high"}'
create 09:00 Ticket '{"title": "mail"}'
create 09:00 Ticket '{"title": "disk"}'
create 09:00 Ticket '{"title": "wifi", "prio": "low"}'
create 09:00 Ticket '{"title": "badge"}'
create 09:00 Call '{"caller": "carl"}'
create 09:00 Call '{"caller": "dora"}'
fire 09:10 Ticket-1 escalate
fire 09:10 Call-1 pick
fire 09:20 Call-2 pick
fire 09:30 Ticket-1 close
fire 10:00 Ticket-3 close
fire 10:00 Ticket-4 park
run "timers at 10:30" "$smdl" timers --db "$db" --run-due --now "$(T 10:30)"
grep -qx "fired 1 timer" "$work/out" && ok || bad "only Ticket-2's breach is due at 10:30: $(cat "$work/out")"
fire 11:00 Ticket-2 close
create 11:00 Ticket '{"title": "toner"}'
fire 11:30 Ticket-7 close
create 12:00 Ticket '{"title": "db", "prio": "high"}'
fire 12:10 Ticket-8 escalate
create 13:00 Ticket '{"title": "screen", "prio": "high"}'
fire 13:10 Ticket-9 escalate
fire 13:20 Ticket-6 close
create 13:20 Call '{"caller": "emil"}'

expect_exit 0 "report --by prio" "$smdl" report --db "$db" --now "$(T 13:30)" --by prio
cat > "$work/expected" <<'TEXT'
Service report at 2026-03-02T13:30:00Z

Records by type and state: 12 records
  type    state     count
  Call    answered      2
  Call    ringing       1
  Call    (all)         3
  Ticket  done          5
  Ticket  open          3
  Ticket  parked        1
  Ticket  (all)         9

SLA compliance by prio
  type    clock       prio  met  breached  running  overdue   met %
  Call    answer      -       1         1        1        0   50.0%
  Ticket  escalation  high    1         0        1        1  100.0%
  Ticket  fix         high    1         1        1        1   50.0%
  Ticket  fix         low     2         1        1        1   66.7%

  met: stopped within target; breached: stopped after it; running: open,
  within target; overdue: open, past target; met % = met / (met + breached)
TEXT
expect_same "report --by prio" "$work/expected"

expect_exit 0 "report --type Ticket --by state" "$smdl" report --db "$db" --now "$(T 13:30)" --type Ticket --by state
cat > "$work/expected" <<'TEXT'
Service report at 2026-03-02T13:30:00Z, type Ticket

Records by type and state: 9 records
  type    state   count
  Ticket  done        5
  Ticket  open        3
  Ticket  parked      1
  Ticket  (all)       9

SLA compliance by state
  type    clock       state   met  breached  running  overdue   met %
  Ticket  escalation  done      1         0        0        0  100.0%
  Ticket  escalation  open      0         0        1        1       -
  Ticket  fix         done      3         2        0        0   60.0%
  Ticket  fix         open      0         0        1        2       -
  Ticket  fix         parked    0         0        1        0       -

  met: stopped within target; breached: stopped after it; running: open,
  within target; overdue: open, past target; met % = met / (met + breached)
TEXT
expect_same "report --type Ticket --by state" "$work/expected"

expect_exit 0 "report --type Call as JSON" "$smdl" report --db "$db" --now "$(T 13:30)" --type Call --format json
cat > "$work/expected" <<'JSON'
{
  "by": null,
  "now": "2026-03-02T13:30:00Z",
  "records": [
    {
      "name": "Call",
      "states": {
        "answered": 2,
        "ringing": 1
      },
      "total": 3,
      "type": "report.site.Call"
    }
  ],
  "sla": [
    {
      "breached": 1,
      "clock": "answer",
      "completed": 2,
      "group": "all",
      "met": 1,
      "met_percent": 50.0,
      "name": "Call",
      "not_started": 0,
      "overdue": 0,
      "running": 1,
      "type": "report.site.Call"
    }
  ],
  "total": 3,
  "type": "Call"
}
JSON
expect_same "report --type Call as JSON" "$work/expected"

expect_exit 0 "report --by prio as JSON" "$smdl" report --db "$db" --now "$(T 13:30)" --by prio --format json
# The rows with nothing counted (escalation of low tickets: never started) are
# left out; not_started counts the rest.
grep -c '"clock":' "$work/out" | grep -qx 4 && ok || bad "JSON report --by prio has 4 rows"
tr -d ' \n' < "$work/out" > "$work/flat"
for row in \
  '"breached":0,"clock":"escalation","completed":1,"group":"high","met":1,"met_percent":100.0,"name":"Ticket","not_started":1,"overdue":1,"running":1' \
  '"breached":1,"clock":"fix","completed":3,"group":"low","met":2,"met_percent":66.66666666666667,"name":"Ticket","not_started":0,"overdue":1,"running":1' \
  '"breached":1,"clock":"answer","completed":2,"group":null,"met":1,"met_percent":50.0,"name":"Call","not_started":0,"overdue":0,"running":1'; do
  grep -qF "$row" "$work/flat" && ok || bad "JSON report --by prio lacks $row"
done

# An hour later the same records look worse: Ticket-9 (high, since 13:00) and
# its escalation are past their targets, and so is Call-3.
expect_exit 0 "report at 14:30" "$smdl" report --db "$db" --now "$(T 14:30)" --by prio --format json
tr -d ' \n' < "$work/out" > "$work/flat"
for row in \
  '"breached":1,"clock":"fix","completed":2,"group":"high","met":1,"met_percent":50.0,"name":"Ticket","not_started":0,"overdue":2,"running":0' \
  '"breached":0,"clock":"escalation","completed":1,"group":"high","met":1,"met_percent":100.0,"name":"Ticket","not_started":1,"overdue":2,"running":0' \
  '"breached":1,"clock":"answer","completed":2,"group":null,"met":1,"met_percent":50.0,"name":"Call","not_started":0,"overdue":1,"running":0'; do
  grep -qF "$row" "$work/flat" && ok || bad "JSON report at 14:30 lacks $row"
done

# The audit trail, one line per entry.
expect_exit 0 "history --format text" "$smdl" history --db "$db" Ticket-2 --format text
cat > "$work/expected" <<'TEXT'
 3  2026-03-02T09:00:00Z  ann     create                (new) -> open  {"prio":"high","title":"vpn"}
16  2026-03-02T10:00:00Z  system  timer sla:fix:breach  open (stays)
17  2026-03-02T11:00:00Z  bob     close                 open -> done
TEXT
expect_same "history --format text" "$work/expected"
expect_exit 2 "history --format xml" "$smdl" history --db "$db" Ticket-2 --format xml
expect_exit 1 "history --format text of an unknown record" "$smdl" history --db "$db" Ticket-99 --format text

# A typo is an error, never an empty report.
expect_exit 1 "report --type Nope" "$smdl" report --db "$db" --now "$(T 13:30)" --type Nope
grep -q "no process runs on record type 'Nope'" "$work/err" && ok || bad "report --type Nope names the known types"
expect_exit 1 "report --by nosuchfield" "$smdl" report --db "$db" --now "$(T 13:30)" --by nosuchfield
grep -q "no field 'nosuchfield' to group by in any record type" "$work/err" && ok || bad "report --by nosuchfield says why"
expect_exit 1 "report --type Call --by prio" "$smdl" report --db "$db" --now "$(T 13:30)" --type Call --by prio
grep -q "no field 'prio' to group by in Call (its fields: caller" "$work/err" && ok || bad "report --by a field of another type lists the type's fields"

run "verify" "$smdl" verify --db "$db"

echo "report: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
