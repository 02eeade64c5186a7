#!/usr/bin/env bash
# The C API from Python: examples/c_api/example.py runs against the shared
# library and says what it did; the ctypes wrapper reports errors as
# SmdlError. Usage: run.sh LIBRARY_PATH SOURCE_ROOT
set -u
library=$1
root=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$(dirname "$0")/../lib/expect.sh"
export SMDL_LIBRARY=$library
example=$root/examples/c_api/example.py
desk=$root/examples/c_api/desk.smdl

expect_exit 0 "the example" python3 "$example" "$work/db" "$desk"
expect_output "$work/out" "^definition version 1: desk$" "deploy"
expect_output "$work/out" "^created Ticket-1 in state open$" "create"
expect_output "$work/out" "^rejected (failed precondition): event 'take' in state 'open' requires role agent; bob has no roles$" "a fire without the role"
expect_output "$work/out" "^Ticket-1 taken by bob, now working$" "a fire with the role"
expect_output "$work/out" "^Ticket-1 now resolved: restarted the VPN gateway$" "a fire with parameters"
expect_output "$work/out" "^Ticket-1 now closed at version 4$" "a fire with if_version"
expect_output "$work/out" "^history: 4 entries$" "history"
expect_output "$work/out" "^message 1: ticket.opened for Ticket-1$" "outbox"
expect_output "$work/out" "^message 2: ticket.resolved for Ticket-1$" "outbox"
expect_output "$work/out" "^outbox after acknowledging: 0 messages$" "acknowledge"
expect_output "$work/out" "^verify: chain intact, replay identical$" "verify"

# Again on the same database: the same sources deploy as the same version.
expect_exit 0 "the example again" python3 "$example" "$work/db" "$desk"
expect_output "$work/out" "^definition version 1: desk$" "an unchanged deploy"
expect_output "$work/out" "^created Ticket-2 in state open$" "a second ticket"

expect_exit 2 "the example without arguments" python3 "$example"
expect_output "$work/err" "^usage: example.py DB_DIR MODULE_DIR_OR_FILE" "usage"
expect_exit 1 "a module that does not exist" python3 "$example" "$work/db" "$work/missing.smdl"
expect_output "$work/err" "^error: " "the deploy's error"
expect_exit 1 "a library that does not exist" env SMDL_LIBRARY="$work/missing.so" python3 "$example" "$work/db" "$desk"
expect_output "$work/err" "set SMDL_LIBRARY" "the library's error"

# The wrapper's other calls and its errors, on the database the example left.
cat > "$work/wrapper.py" <<'PY'
import sys
sys.path.insert(0, sys.argv[1])
from smdl import Engine, SmdlError

def check(name, ok, detail=""):
    print(("PASS " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)))

def error_of(call):
    try:
        call()
    except SmdlError as e:
        return e
    return None

e = error_of(lambda: Engine(sys.argv[2], durability="later"))
check("bad options are invalid argument", e and e.status == "invalid argument" and "durability" in e.message, e)
e = error_of(lambda: Engine(sys.argv[3], create_if_missing=False))
check("no database is not found", e and e.status == "not found", e)
with Engine(sys.argv[2]) as engine:
    closed = engine.list(type="Ticket", state="closed")
    check("list by type and state", [r["id"] for r in closed] == ["Ticket-1", "Ticket-2"], closed)
    check("list with a limit", len(engine.list(type="Ticket", limit=1)) == 1)
    where = engine.list(type="Ticket", where='title == "VPN down"')
    check("list with a condition", len(where) == 2, where)
    check("get", engine.get("Ticket-2")["state"] == "closed")
    check("timers", engine.timers() == [])
    check("run due timers", engine.run_due_timers() == {"fired": 0})
    check("acknowledge", engine.acknowledge(10) == {"acknowledged": 10})
    e = error_of(lambda: engine.get("Ticket-99"))
    check("an unknown record is not found", e and e.status == "not found" and e.code == 2, e)
    e = error_of(lambda: engine.fire("Ticket-2", "take", actor="bob", roles=["agent"]))
    check("an event a final state refuses", e and e.status == "failed precondition", e)
    e = error_of(lambda: engine.list(type="Ticket", limit=0))
    check("a zero limit is invalid argument", e and e.status == "invalid argument" and "limit" in e.message, e)
    check("verify", engine.verify()["chain"] == "intact")
e = error_of(lambda: engine.get("Ticket-1"))
check("a closed Engine refuses calls", e and "not open" in e.message, e)
PY
expect_exit 0 "the wrapper" python3 "$work/wrapper.py" "$root/examples/c_api" "$work/db" "$work/none"
while read -r line; do
  case $line in
    PASS*) pass=$((pass + 1)) ;;
    FAIL*) echo "$line"; fail=$((fail + 1)) ;;
  esac
done < "$work/out"
[ -s "$work/err" ] && { echo "the wrapper wrote to stderr:"; sed 's/^/    /' "$work/err"; fail=$((fail + 1)); }

echo "c api: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
