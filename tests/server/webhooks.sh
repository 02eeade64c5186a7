#!/usr/bin/env bash
# Webhooks against a real receiver on loopback that fails at random: every
# message delivered at least once, in order per record, signed; a receiver
# that never answers well fills the dead letters; delivery resumes where it
# stopped after a restart. Usage: webhooks.sh SMDL_BIN SOURCE_DIR
set -euo pipefail
smdl=$1
src=$2
here=$src/tests/server
work=$(mktemp -d)
server_pid=
receiver_pids=
trap 'kill -KILL $server_pid $receiver_pids 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/lib.sh"

start_receiver received s3cret 0.4 7
port=$receiver_port
printf 's3cret\n' > "$work/secret"
# A port where nobody listens yet: its subscriber comes up later.
late_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
tok=$("$smdl" token add --tokens "$work/tokens.json" desk --role admin --role agent)
bob_token=$("$smdl" token add --tokens "$work/tokens.json" bob --role agent)
cat > "$work/config.json" <<JSON
{"durability": "async", "log_requests": false,
 "webhooks": [
  {"name": "desk", "url": "http://127.0.0.1:$port/hook", "messages": ["desk.*"], "secret_file": "$work/secret",
   "max_attempts": 30, "initial_backoff_ms": 20, "max_backoff_ms": 200},
  {"name": "nowhere", "url": "http://127.0.0.1:9/hook", "messages": ["desk.noted"], "secret": "x",
   "max_attempts": 2, "initial_backoff_ms": 10, "max_backoff_ms": 10, "timeout_seconds": 1},
  {"name": "late", "url": "http://127.0.0.1:$late_port/hook", "messages": ["desk.taken"], "secret": "late",
   "max_attempts": 2, "initial_backoff_ms": 10, "max_backoff_ms": 10, "timeout_seconds": 1}]}
JSON
start_server hooks --db "$work/db" --config "$work/config.json" --tokens "$work/tokens.json"
deploy_desk "$tok"

echo "== 30 records, 3 messages each, through a receiver that fails 40% of the time"
for i in $(seq 1 30); do
  expect_status 201 POST /v1/records "$tok" "{\"type\": \"Ticket\", \"fields\": {\"title\": \"t$i\"}}"
  expect_status 200 POST "/v1/records/Ticket-$i/events/note" "$tok" '{"text": "first"}'
  expect_status 200 POST "/v1/records/Ticket-$i/events/note" "$tok" '{"text": "second"}'
  expect_status 200 POST "/v1/records/Ticket-$i/events/take" "$tok" '{"to": "bob"}'
  if [ "$i" = 15 ]; then
    # Restart half-way: delivery resumes from where it stopped.
    stop_server
    start_server hooks2 --db "$work/db" --config "$work/config.json" --tokens "$work/tokens.json"
  fi
done
check() {
python3 - "$work/received.jsonl" <<'PY'
import json, sys
seen = {}
order = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    m = d["message"]
    assert d["delivery"] == "desk:%d" % m["seq"], d
    assert d["name"] == m["message"]
    seen.setdefault(m["seq"], m)
    order.setdefault(m["record"], [])
    if m["seq"] not in order[m["record"]]:
        order[m["record"]].append(m["seq"])
names = [m["message"] for m in seen.values()]
count = sum(1 for n in names if n in ("desk.noted", "desk.taken"))
if count < 90:
    sys.exit("only %d of 90 messages delivered" % count)
for record, seqs in order.items():
    assert seqs == sorted(seqs), (record, seqs)
print("  %d messages delivered (first deliveries in order per record, every signature valid)" % count)
PY
}
for _ in $(seq 1 100); do check > /dev/null 2>&1 && break; sleep 0.2; done
check

echo "== a subscriber that never answers: its messages go to the dead letters"
for _ in $(seq 1 100); do
  api GET /v1/webhooks "$tok" > /dev/null
  [ "$(json_get '[w for w in d if w["name"] == "nowhere"][0]["delivered_through"] > 0')" = True ] && break
  sleep 0.2
done
api GET /v1/webhooks "$tok" > /dev/null
dead=$(json_get 'len([w for w in d if w["name"] == "nowhere"][0]["dead_letters"])')
[ "$dead" -ge 1 ] || fail "no dead letters: $(cat "$work/body")"
json_get '[w for w in d if w["name"] == "nowhere"][0]["dead_letters"][0]["last_error"]' | grep -q . || fail "a dead letter says why"
api GET /metrics "" > /dev/null
grep -q 'smdl_webhook_deliveries_total{subscription="nowhere",outcome="dead_letter"}' "$work/body" || fail "metrics of dead letters"
grep -q 'smdl_webhook_deliveries_total{subscription="desk",outcome="failed"}' "$work/body" || fail "the receiver's failures were not retried"

echo "== dead letters delivered again once their subscriber is up"
for _ in $(seq 1 100); do
  api GET /v1/webhooks "$tok" > /dev/null
  [ "$(json_get 'len([w for w in d if w["name"] == "late"][0]["dead_letters"])')" -ge 30 ] && break
  sleep 0.2
done
[ "$(json_get 'len([w for w in d if w["name"] == "late"][0]["dead_letters"])')" -ge 30 ] || fail "late: $(cat "$work/body")"
expect_status 403 POST /v1/webhooks/late/redeliver "$bob_token" '{}'
expect_status 404 POST /v1/webhooks/nobody/redeliver "$tok" '{}'
start_receiver late late 0 3 "$late_port"
expect_status 200 POST /v1/webhooks/late/redeliver "$tok" '{}'
[ "$(json_get 'd["redelivering"]')" -ge 30 ] || fail "redeliver: $(cat "$work/body")"
for _ in $(seq 1 100); do
  [ "$(wc -l < "$work/late.jsonl" 2>/dev/null || echo 0)" -ge 30 ] && break
  sleep 0.1
done
[ "$(wc -l < "$work/late.jsonl")" -ge 30 ] || fail "only $(wc -l < "$work/late.jsonl") dead letters were delivered again"
api GET /v1/webhooks "$tok" > /dev/null
[ "$(json_get 'len([w for w in d if w["name"] == "late"][0]["dead_letters"])')" = 0 ] || fail "dead letters left: $(cat "$work/body")"
stop_server
echo "webhook tests passed"
