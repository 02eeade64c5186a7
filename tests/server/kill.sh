#!/usr/bin/env bash
# SIGKILL the server at random moments under HTTP load, ROUNDS times: every
# create or fire answered 2xx is in the database after the restart, verify
# passes, and webhooks resume where they stopped: the receiver has every
# message once all is delivered, none skipped.
# Usage: kill.sh SMDL_BIN SOURCE_DIR ROUNDS
set -euo pipefail
smdl=$1
src=$2
rounds=${3:-20}
here=$src/tests/server
work=$(mktemp -d)
server_pid=
receiver_pids=
load_pid=
trap 'kill -KILL $server_pid $receiver_pids $load_pid 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/lib.sh"

start_receiver received k 0.2 11
tok=$("$smdl" token add --tokens "$work/tokens.json" load --role admin --role agent)
cat > "$work/config.json" <<JSON
{"log_requests": false, "tokens": "$work/tokens.json",
 "webhooks": [{"name": "desk", "url": "http://127.0.0.1:$receiver_port/hook", "messages": ["*"], "secret": "k",
               "max_attempts": 1000, "initial_backoff_ms": 10, "max_backoff_ms": 100}]}
JSON
start_server first --db "$work/db" --config "$work/config.json"
deploy_desk "$tok"
stop_server

RANDOM=20261203
for round in $(seq 1 "$rounds"); do
  start_server "round$round" --db "$work/db" --config "$work/config.json"
  python3 "$here/load.py" "$url" "$tok" "$work/acks" 3 &
  load_pid=$!
  sleep "0.$((RANDOM % 9 + 1))"
  kill -KILL "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  wait "$load_pid" 2>/dev/null || true
  # Every acknowledged answer is there, at its version or later.
  python3 - "$work/acks" <<PY
import json, subprocess, sys
acked = {}
for line in open(sys.argv[1]):
    rid, v = line.split(); acked[rid] = max(acked.get(rid, 0), int(v))
out = subprocess.run(["$smdl", "list", "--db", "$work/db", "--type", "Ticket", "--limit", "1000000"],
                     capture_output=True, text=True, check=True).stdout
have = {r["id"]: r["version"] for r in json.loads(out)}
lost = [(r, v) for r, v in acked.items() if have.get(r, 0) < v]
if lost:
    sys.exit("round $round: acknowledged but lost: %s" % lost[:5])
PY
  "$smdl" verify --db "$work/db" > /dev/null || fail "round $round: verify failed"
done
acks=$(wc -l < "$work/acks")
echo "  $rounds kills, $acks acknowledged answers, none lost, verify passed each time"

# Webhooks resume: let the last server deliver everything, then check for gaps.
start_server last --db "$work/db" --config "$work/config.json"
head=$(api GET "/v1/outbox?limit=1000" "$tok" > /dev/null; json_get 'd[-1]["seq"] if d else 0')
for _ in $(seq 1 300); do
  api GET /v1/webhooks "$tok" > /dev/null
  through=$(json_get 'd[0]["delivered_through"]')
  [ "$through" -ge "$head" ] && break
  sleep 0.1
done
[ "$through" -ge "$head" ] || fail "webhooks did not catch up ($through of $head)"
stop_server
python3 - "$work/received.jsonl" "$through" <<'PY'
import json, sys
seqs = {json.loads(l)["message"]["seq"] for l in open(sys.argv[1])}
want = set(range(1, int(sys.argv[2]) + 1))
missing = sorted(want - seqs)
assert not missing, "messages never delivered: %s" % missing[:10]
print("  webhooks: all %d messages delivered across the kills, none skipped" % len(want))
PY
echo "kill test passed"
