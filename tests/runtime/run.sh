#!/usr/bin/env bash
# The database commands end to end on a real RocksDB in a temporary
# directory: deploy, create, fire, show, history, list, timers, outbox, sla,
# verify; rejections exit 1 and change nothing.
set -u
smdl=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
db="$work/db"
. "$(dirname "$0")/../lib/expect.sh"

cat > "$work/site.smdl" <<'SMDL'
module site.desk;

record Call {
  caller: string;
  agent: string?;
}

process Calls for Call {
  on create { emit "call.logged" { caller: caller }; }
  sla answer {
    target duration("2h");
    start on create;
    stop on enter answered;
    breach emit "call.breached";
  }
  initial state waiting {
    on pick(agent: string) when agent != "" -> answered { this.agent = agent; }
    after duration("24h") -> dropped;
  }
  final state answered;
  final state dropped;
}
SMDL

t0=2026-03-02T09:00:00Z
expect_exit 2 "deploy without --db" "$smdl" deploy "$work/site.smdl"
expect_exit 1 "create before any deploy" "$smdl" create --db "$db" Call '{"caller": "ann"}'
expect_output "$work/err" "no database in .* (a deploy creates one)" "create before deploy says why"
expect_exit 0 "deploy" "$smdl" deploy --db "$db" "$work/site.smdl"
expect_output "$work/out" "deployed definition version 1" "deploy prints the version"
expect_exit 0 "deploy again" "$smdl" deploy --db "$db" "$work/site.smdl"
expect_output "$work/out" "unchanged: definition version 1" "same sources: same version"
printf 'module broken;\nrecord R { x: Nope; }\n' > "$work/broken.smdl"
expect_exit 1 "deploy modules with errors" "$smdl" deploy --db "$db" "$work/broken.smdl"
expect_output "$work/err" "unknown type 'Nope'" "deploy shows diagnostics"

expect_exit 0 "create" "$smdl" create --db "$db" --now "$t0" --actor ann Call '{"caller": "ann"}'
expect_output "$work/out" '"id": "Call-1"' "create prints the id"
expect_output "$work/out" '"due": "2026-03-02T11:00:00Z"' "create shows the SLA due time"
expect_exit 1 "create with a bad field" "$smdl" create --db "$db" Call '{"caller": 5}'
expect_exit 1 "create with malformed JSON" "$smdl" create --db "$db" Call '{"caller": '
expect_output "$work/err" "not valid JSON" "malformed JSON is named"
expect_exit 1 "create an unknown type" "$smdl" create --db "$db" Invoice '{}'
expect_exit 0 "create with a key" "$smdl" create --db "$db" --key k1 Call '{"caller": "bob"}'
expect_exit 0 "repeat with the key" "$smdl" create --db "$db" --key k1 Call '{"caller": "bob"}'
expect_output "$work/out" '"id": "Call-2"' "the repeat returns the first result"

expect_exit 1 "fire with a false guard" "$smdl" fire --db "$db" Call-1 pick '{"agent": ""}'
expect_output "$work/err" 'agent != ""' "the guard's text is shown"
expect_exit 1 "fire an unknown record" "$smdl" fire --db "$db" Call-9 pick '{"agent": "x"}'
expect_exit 0 "fire" "$smdl" fire --db "$db" --now 2026-03-02T10:00:00Z --actor zoe Call-1 pick '{"agent": "zoe"}'
expect_output "$work/out" '"state": "answered"' "fire moves the record"
expect_exit 1 "fire in a final state" "$smdl" fire --db "$db" Call-1 pick '{"agent": "zoe"}'
expect_output "$work/err" "not accepted in state 'answered'" "rejection names the state"

expect_exit 0 "show" "$smdl" show --db "$db" Call-1
expect_output "$work/out" '"agent": "zoe"' "show has the fields"
expect_exit 1 "show an unknown record" "$smdl" show --db "$db" Call-7
expect_exit 0 "history" "$smdl" history --db "$db" Call-1
expect_output "$work/out" '"actor": "zoe"' "history has the actor"
expect_output "$work/out" '"prev":' "history is chained"
expect_exit 0 "list by state" "$smdl" list --db "$db" --type Call --state waiting
expect_output "$work/out" '"id": "Call-2"' "list finds the waiting call"
expect_exit 2 "list --state without --type" "$smdl" list --db "$db" --state waiting

expect_exit 0 "pending timers" "$smdl" timers --db "$db"
expect_output "$work/out" '"record": "Call-2"' "Call-2 has timers"
expect_exit 0 "run due timers" "$smdl" timers --db "$db" --run-due --now 2099-01-01T00:00:00Z
expect_output "$work/out" "fired 2 timers" "the breach and the drop fire"
expect_exit 0 "show after timers" "$smdl" show --db "$db" --now 2099-01-01T00:00:00Z Call-2
expect_output "$work/out" '"state": "dropped"' "the timer moved Call-2"
expect_exit 0 "explain a clock" "$smdl" sla --db "$db" Call-1 --format json
expect_output "$work/out" '"explanation"' "sla explains"
# As text (the default): the clock's name, then its explanation as lines,
# durations for people.
expect_exit 0 "explain a clock as text" "$smdl" sla --db "$db" Call-1
expect_output "$work/out" '^sla [a-z_]*$' "sla text names the clock"
expect_output "$work/out" '^  target [0-9]*[hms]' "sla text gives the target for people"
expect_output "$work/out" '^  elapsed ' "sla text explains line by line"
expect_exit 2 "sla with a bad format" "$smdl" sla --db "$db" Call-1 --format xml

expect_exit 0 "outbox" "$smdl" outbox --db "$db"
expect_output "$work/out" '"message": "call.breached"' "the breach was emitted"
expect_exit 0 "acknowledge" "$smdl" outbox --db "$db" --ack 1000
expect_exit 0 "outbox after ack" "$smdl" outbox --db "$db"
expect_output "$work/out" '^\[\]' "nothing left after ack"
expect_exit 0 "deploys are audited" "$smdl" history --db "$db" --deploys
expect_output "$work/out" '"kind": "deploy"' "the deploy is an audit entry"
expect_output "$work/out" '"to": "version 1"' "the deploy names its version"
expect_exit 0 "verify" "$smdl" verify --db "$db"
expect_output "$work/out" '"chain": "intact"' "verify passes"
expect_output "$work/out" '"deploys": 1' "verify counts the deploy"

# smdl test: a passing and a failing test, the summary, the place and the
# values of the failed expectation, exit 1, and a JUnit report.
cat > "$work/tests.smdl" <<'SMDL'
module site.desk.tests;
import site.desk;

test "a call is answered" {
  clock "2026-03-02T09:00:00Z";
  let c = create Call { caller: "ann" };
  fire c.pick(agent: "zoe");
  expect c.state == "answered";
  fire c.pick(agent: "max") rejected;
}

test "a call is dropped after a day" {
  clock "2026-03-02T09:00:00Z";
  let c = create Call { caller: "bob" };
  advance by duration("25h");
  expect c.state == "answered";
}
SMDL
expect_exit 1 "smdl test with a failing test" "$smdl" test "$work/site.smdl" "$work/tests.smdl" --junit "$work/junit.xml"
expect_output "$work/out" "PASS site.desk.tests: a call is answered" "the passing test"
expect_output "$work/out" "FAIL site.desk.tests: a call is dropped after a day" "the failing test"
expect_output "$work/out" "tests.smdl:16:3: expect c.state == \"answered\" failed (c.state is \"dropped\"" "the place and the actual value"
expect_output "$work/out" "^1 passed, 1 failed$" "the summary line"
expect_output "$work/junit.xml" '<testsuite name="smdl" tests="2" failures="1"' "the JUnit report"
expect_exit 0 "smdl test --filter" "$smdl" test "$work/site.smdl" "$work/tests.smdl" --filter answered
expect_output "$work/out" "^1 passed, 0 failed$" "--filter runs one test"

echo "runtime commands: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
