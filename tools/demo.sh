#!/usr/bin/env bash
# The ISO 20000 demo, run by `make demo` after the build: check the standard
# library and the example site, draw a process, show a broken site's
# diagnostics, then deploy both into a fresh database and run a service desk
# week in virtual time (the story of examples/acme/week.smdl, step by step
# through the command line), and report on it as a service manager would.
#
# Environment: SMDL_BIN (default build/bin/smdl) is the binary; SMDL_DEMO_DIR
# (default var) is where the database (demo-db) and scratch files go. The
# database is deleted first. Any failing step stops the demo with an error.
set -Eeuo pipefail
cd "$(dirname "$0")/.."
smdl=${SMDL_BIN:-build/bin/smdl}
var=${SMDL_DEMO_DIR:-var}
db=$var/demo-db
trap 'rc=$?; [ "$BASH_SUBSHELL" -gt 0 ] || echo "demo.sh: FAILED (exit $rc) at line $LINENO: $BASH_COMMAND" >&2' ERR
[ -x "$smdl" ] || { echo "demo.sh: no smdl binary at $smdl (build first, or set SMDL_BIN)" >&2; exit 2; }

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { echo "\$ smdl $*"; "$smdl" "$@"; }

bold "1. Check the ISO/IEC 20000 standard library and the example site"
show check stdlib examples

bold "2. The incident process (ISO/IEC 20000-1, 8.1) as a Mermaid state diagram"
show graph stdlib/iso20000/incident.smdl --format mermaid

bold "3. A site overrides a policy badly: every mistake is reported, with its place"
mkdir -p "$var/demo"
cat > "$var/demo/broken_site.smdl" <<'SMDL'
module broken.site;
import iso20000.core;
import iso20000.incident.defaults;

// Wrong: the original takes a Priority and returns a duration.
override policy resolution_target(p: Priority) -> int = 4;

// Wrong: medium impact with low urgency has no row, and rows 1 and 2 overlap.
table escalation_team(impact: Impact, urgency: Urgency) -> string {
  hit unique;
  | impact      | urgency      | => |
  | Impact.high | -            | "major-incident-team" |
  | -           | Urgency.high | "duty-manager" |
  | Impact.low  | Urgency.low  | "service-desk" |
}
SMDL
echo "\$ smdl check $var/demo/broken_site.smdl"
status=0
"$smdl" check "$var/demo/broken_site.smdl" || status=$?
[ "$status" -eq 1 ] || { echo "demo.sh: expected exit status 1 for the broken site, got $status" >&2; exit 1; }
echo "(exit status 1: errors in the input)"

bold "4. Deploy the standard library and ACME's site into a fresh database"
rm -rf "$db"
show deploy --db "$db" stdlib examples/acme

# ---- The story. Every command runs at the story's time (--now). `at T`
# moves the clock: it first fires the timers due by T (SLA warnings and
# breaches, state timers), as `smdl timers --run-due --now T`, and says which.
now=""
at() {
  now=$1
  local nowz due
  nowz=$(date -u -d "$now" +%Y-%m-%dT%H:%M:%SZ)
  due=$("$smdl" timers --db "$db" --now "$now" | awk -v now="$nowz" '
    /"due":/    { gsub(/[",]/, "", $2); d = $2 }
    /"record":/ { gsub(/[",]/, "", $2); r = $2 }
    /"timer":/  { gsub(/[",]/, "", $2); if (d <= now) printf "%s %s\n", r, $2 }')
  if [ -n "$due" ]; then
    while read -r record timer; do
      printf '  %s  %-23s %s (due)\n' "${now:11:5}" "$record" "$timer"
    done <<< "$due"
    local fired
    fired=$("$smdl" timers --db "$db" --run-due --now "$now")
    printf '  %s  %s\n' "${now:11:5}" "$fired"
  fi
}
day() { printf '\n%s\n' "$*"; }
field() { sed -n "s/^  \"$1\": \"\(.*\)\",\{0,1\}\$/\1/p"; }
# step ID WHAT ACTOR STATE [NOTE]: one line of the story.
step() { printf '  %s  %-23s %-19s %-16s -> %-15s %s\n' "${now:11:5}" "$1" "$2" "$3" "$4" "${5:-}" | sed 's/ *$//'; }
# create VAR ACTOR TYPE JSON: creates a record, stores its id in VAR.
create() {
  local var_name=$1 actor=$2 type=$3 fields=$4 out id
  out=$("$smdl" create --db "$db" --now "$now" --actor "$actor" "$type" "$fields")
  id=$(field id <<< "$out")
  [ -n "$id" ] || { echo "demo.sh: no id in the output of create $type" >&2; exit 1; }
  printf -v "$var_name" '%s' "$id"
  step "$id" create "$actor" "$(field state <<< "$out")" \
    "$(sed -n 's/^    "\(title\|name\)": "\(.*\)",\{0,1\}$/\2/p;s/^    "priority": "\(p[0-9]\)",\{0,1\}$/\1:/p' <<< "$out" | paste -sd ' ')"
}
# fire ACTOR ID EVENT [JSON [ROLE...]]: the actor holds the roles given.
fire() {
  local actor=$1 id=$2 event=$3 params=${4:-"{}"} out role
  local -a roles=()
  for role in "${@:5}"; do roles+=(--role "$role"); done
  out=$("$smdl" fire --db "$db" --now "$now" --actor "$actor" ${roles[@]+"${roles[@]}"} "$id" "$event" "$params")
  step "$id" "$event" "$actor" "$(field state <<< "$out")"
}
# caused ID WHY: a record that another record's transition moved, in its state now.
caused() { step "$1" "$2" "" "$("$smdl" show --db "$db" --now "$now" "$1" | field state)"; }

bold "5. A service desk week at ACME, in virtual time (examples/acme/week.smdl)"
day "Monday 2 March 2026"
at 2026-03-02T08:30:00+01:00
create projector desk-anna Incident '{"title": "Projector in room 2 broken", "service": "facilities"}'
at 2026-03-02T08:45:00+01:00
fire desk-anna "$projector" assign '{"to": "desk-anna"}'
at 2026-03-02T09:00:00+01:00
create search desk-ben Incident '{"title": "Shop search slow", "service": "shop", "impact": "medium", "urgency": "high"}'
at 2026-03-02T09:30:00+01:00
fire desk-ben "$search" assign '{"to": "shop-ops"}'
at 2026-03-02T10:00:00+01:00
fire desk-anna "$projector" resolve '{"note": "lamp replaced"}'
fire customer "$projector" confirm

day "Tuesday 3 March: checkout goes down, a major incident"
at 2026-03-03T10:00:00+01:00
create checkout desk-ben Incident '{"title": "Checkout down", "service": "shop", "impact": "high", "urgency": "high"}'
fire duty-manager "$checkout" appoint_manager '{}' major_incident_manager
at 2026-03-03T10:05:00+01:00
fire duty-manager "$checkout" assign '{"to": "shop-ops"}'
create gw config-manager ConfigurationItem '{"name": "payment-gateway", "type": "software", "description": "Payment gateway", "version": "5.3"}'
fire config-manager "$gw" commission '{"location": "cluster-a"}'
fire shop-ops "$checkout" link_ci "{\"ci\": \"$gw\"}"
fire config-manager "$gw" link_incident "{\"i\": \"$checkout\"}"
at 2026-03-03T11:00:00+01:00
create sessions problem-manager Problem '{"title": "Payment gateway drops sessions", "service": "shop", "impact": "high", "urgency": "high"}'
fire problem-manager "$sessions" link_incident "{\"i\": \"$checkout\"}"
fire shop-ops "$checkout" link_problem "{\"p\": \"$sessions\"}"
fire problem-manager "$sessions" assign '{"to": "payments-team"}'
fire payments-team "$sessions" link_ci "{\"c\": \"$gw\"}"
at 2026-03-03T11:30:00+01:00
fire shop-ops "$checkout" resolve '{"note": "gateway pods restarted; checkout working"}'
at 2026-03-03T15:00:00+01:00
create leak payments-team KnownError "{\"title\": \"Session table not released on timeout\", \"problem\": \"$sessions\", \"root_cause\": \"session cleanup skipped after a timeout\", \"ci\": \"$gw\"}"
fire payments-team "$leak" publish_workaround '{"text": "restart the gateway pods when sessions exceed 80%"}'
fire payments-team "$sessions" diagnose "{\"root_cause\": \"session cleanup skipped after a timeout\", \"known_error\": \"$leak\"}"
fire config-manager "$gw" link_problem "{\"p\": \"$sessions\"}"
fire config-manager "$gw" link_known_error "{\"k\": \"$leak\"}"
at 2026-03-03T16:00:00+01:00
create slow desk-anna Incident '{"title": "Checkout slow, sessions at 85%", "service": "shop"}'
suggested=$("$smdl" show --db "$db" --now "$now" "$slow" |
  python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["fields"]["suggested_known_errors"]))')
step "$slow" "(suggested)" "" logged "$suggested"
fire desk-anna "$slow" assign '{"to": "desk-anna"}'
fire desk-anna "$slow" apply_workaround "{\"k\": \"$leak\"}"
fire desk-anna "$slow" resolve '{"note": "gateway pods restarted, as the known error says"}'

day "Tuesday evening: an emergency change, shipped as an emergency release"
at 2026-03-03T20:00:00+01:00
create fix payments-team Change '{"title": "Patch gateway session cleanup", "requester": "payments-team", "service": "shop", "type": "emergency", "impact": "high", "urgency": "high"}'
fire payments-team "$fix" link_ci "{\"ci\": \"$gw\"}"
fire payments-team "$fix" link_problem "{\"p\": \"$sessions\", \"k\": \"$leak\"}"
fire problem-manager "$sessions" raise_change "{\"c\": \"$fix\"}"
fire payments-team "$leak" link_change "{\"c\": \"$fix\"}"
fire change-manager "$fix" assess '{"risk": "medium", "security_risk": "low", "benefit": "no more checkout outages", "cost": 0.0, "backout_plan": "redeploy gateway 5.3"}'
fire change-manager "$fix" submit
at 2026-03-03T20:45:00+01:00
fire duty-manager "$fix" approve '{}' ecab
fire head-of-ops "$fix" approve '{}' ecab
create hotfix release-manager Release '{"name": "Gateway 5.3.1", "service": "shop", "type": "emergency", "acceptance_criteria": "1000 test checkouts, no stale sessions"}'
fire release-manager "$hotfix" add_change "{\"c\": \"$fix\"}"
fire release-manager "$hotfix" add_known_error "{\"k\": \"$leak\"}"
fire release-manager "$hotfix" add_problem "{\"p\": \"$sessions\"}"
fire change-manager "$fix" link_release "{\"r\": \"$hotfix\"}"
fire release-manager "$hotfix" build
at 2026-03-03T21:15:00+01:00
fire test-team "$hotfix" test_passed '{"report": "1000 of 1000 checkouts, sessions released"}'
create before config-manager ConfigurationBaseline '{"name": "gateway before 5.3.1"}'
fire config-manager "$before" add_item "{\"ci\": \"$gw\", \"version\": \"5.3\"}"
fire config-manager "$before" for_release "{\"r\": \"$hotfix\"}"
fire config-manager "$before" capture '{"by": "config-manager"}'
fire shop-owner "$hotfix" accept "{\"by\": \"shop-owner\", \"baseline\": \"$before\"}"
at 2026-03-03T21:30:00+01:00
fire ops-night "$hotfix" deploy '{"by": "ops-night"}'
caused "$leak" "(fix deployed)"
fire ops-night "$fix" implement '{"by": "ops-night"}'
fire ops-night "$gw" begin_change "{\"change\": \"$fix\"}"
fire ops-night "$gw" complete_change '{"version": "5.3.1"}'
at 2026-03-03T21:45:00+01:00
fire ops-night "$fix" complete '{"outcome": "gateway 5.3.1 deployed"}'
caused "$sessions" "(change complete)"

day "Wednesday 4 March: the P2 from Monday breaches; reviews are held"
at 2026-03-04T09:00:01+01:00
fire duty-manager "$search" assign '{"to": "shop-senior"}'
at 2026-03-04T10:00:00+01:00
fire change-manager "$fix" close_review '{"successful": true, "notes": "no stale sessions since the release"}'
at 2026-03-04T11:00:00+01:00
fire shop-senior "$search" resolve '{"note": "search index rebuilt"}'
at 2026-03-04T15:00:00+01:00
fire duty-manager "$checkout" review '{"findings": "session leak fixed by change and release; monitoring added"}' major_incident_manager

day "Thursday 5 March: a small one"
at 2026-03-05T09:00:00+01:00
create mouse desk-anna Incident '{"title": "Mouse broken", "service": "workplace", "impact": "low", "urgency": "low"}'
fire desk-anna "$mouse" assign '{"to": "desk-anna"}'
fire desk-anna "$mouse" resolve '{"note": "replaced"}'

day "Friday 6 March, night: early life support of the emergency release ends"
at 2026-03-06T21:30:00+01:00

bold "6. The service report at the end of the week (ISO/IEC 20000-1, 6.2)"
show report --db "$db" --now "$now" --by priority

bold "7. The audit trail of the major incident $checkout"
show history --db "$db" --now "$now" "$checkout" --format text

bold "8. Messages for other systems (the outbox, delivered at least once)"
show outbox --db "$db" --now "$now" --limit 1
messages=$("$smdl" outbox --db "$db" --now "$now" --limit 1000000 | sed -n 's/^    "message": "\([a-z_]*\)\..*/\1/p')
echo "... $(wc -l <<< "$messages") messages waiting for a consumer to deliver and acknowledge (smdl outbox --ack N):"
sort <<< "$messages" | uniq -c | sort -k1,1nr -k2 | awk '{printf "%s%s %s", (NR > 1 ? ", " : "  "), $2, $1} END {print ""}'

bold "9. The audit log is intact and every record equals the replay of its history"
show verify --db "$db" --now "$now"

bold "10. The desk live: smdl serve on loopback, driven through HTTP"
live=$var/demo-live
rm -rf "$live"
mkdir -p "$live"
token=$("$smdl" token add --tokens "$live/tokens.json" desk-anna --role admin --role service_desk --role major_incident_manager)
echo "\$ smdl token add --tokens $live/tokens.json desk-anna --role admin --role service_desk --role major_incident_manager"
echo "smdl_...(printed once; the file keeps its SHA-256)"
# A webhook receiver for incident messages (it prints what it receives).
python3 tests/server/receiver.py "$live/receiver.port" "$live/received.jsonl" demo-secret 0 1 &
receiver=$!
for _ in $(seq 1 50); do [ -s "$live/receiver.port" ] && break; sleep 0.1; done
cat > "$live/config.json" <<JSON
{"tokens": "tokens.json", "log_requests": false,
 "webhooks": [{"name": "chat", "url": "http://127.0.0.1:$(cat "$live/receiver.port")/hook",
               "messages": ["incident.*"], "secret": "demo-secret"}]}
JSON
"$smdl" serve --db "$live/db" --listen 127.0.0.1:0 --config "$live/config.json" > "$live/serve.out" 2> "$live/serve.log" &
server=$!
trap 'kill -TERM $server $receiver 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do url=$(sed -n 's/^smdl serve: listening on //p' "$live/serve.out"); [ -n "$url" ] && break; sleep 0.05; done
[ -n "$url" ] || { cat "$live/serve.log" >&2; echo "demo.sh: the server did not start" >&2; exit 1; }
echo "\$ smdl serve --db $live/db --listen 127.0.0.1:0 --config $live/config.json &"
cat "$live/serve.out"
export SMDL_TOKEN=$token
# While the server holds the database, the command line goes through it.
show deploy --db "$live/db" stdlib examples/acme/policies.smdl
api() {  # api METHOD PATH [BODY]: prints the curl command and the answer's main members
  echo "\$ curl -X $1 $url$2 ${3:+-d '$3'}"
  curl -s -X "$1" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' ${3:+--data "$3"} "$url$2" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("  " + ", ".join("%s: %s" % (k, json.dumps(d[k])) for k in ("id","state","version","reason","detail") if k in d) + ("" if "sla" not in d else ", resolution due: " + str(d["sla"]["resolution"]["due"]) + " (target " + str(d["sla"]["resolution"]["target"]) + ")"))'
}
api POST /v1/records '{"type": "Incident", "fields": {"title": "VPN drops every hour", "service": "network", "impact": "high", "urgency": "medium"}}'
api POST /v1/records/Incident-1/events/appoint_manager '{}'
api POST /v1/records/Incident-1/events/assign '{"to": "net-ops"}'
api POST /v1/records/Incident-1/events/confirm '{}'
for _ in $(seq 1 50); do [ -s "$live/received.jsonl" ] && break; sleep 0.1; done
echo "The webhook receiver got, signed with HMAC-SHA-256:"
head -n 2 "$live/received.jsonl" | python3 -c 'import json,sys
for l in sys.stdin: d=json.loads(l); print("  %s %s %s" % (d["delivery"], d["name"], json.dumps(d["message"]["payload"])))'

echo
echo "Hot reload: P2 incidents now get 8 hours instead of 24; no restart, the open incident keeps its target."
sed 's/duration("2h") : duration("24h")/duration("2h") : p == Priority.p2 ? duration("8h") : duration("24h")/' \
  examples/acme/policies.smdl > "$live/policies.smdl"
show deploy --db "$live/db" stdlib "$live/policies.smdl"
api POST /v1/records '{"type": "Incident", "fields": {"title": "Printer queue stuck", "service": "workplace", "impact": "high", "urgency": "medium"}}'
api GET /v1/records/Incident-1
echo "\$ curl $url/metrics | grep smdl_operations_total"
curl -s "$url/metrics" | grep '^smdl_operations_total' | sed 's/^/  /'
kill -TERM "$server"
wait "$server" || true
kill -TERM "$receiver" 2>/dev/null || true
trap - EXIT
unset SMDL_TOKEN
echo "The server stopped on SIGTERM: $(tail -n 1 "$live/serve.log")"

bold "Next"
echo "docs/language.md is the language, docs/runtime.md the engine, docs/api.md the HTTP API,"
echo "docs/operations.md running the server; README.md has a five-minute tour."
