#!/usr/bin/env bash
# smdl serve on loopback, driven by curl: lifecycle, the holder, the command
# line through the server, authentication, bad HTTP input, timers in real
# time, hot reload under load. Usage: run.sh SMDL_BIN SOURCE_DIR
set -euo pipefail
smdl=$1
src=$2
here=$src/tests/server
work=$(mktemp -d)
server_pid=
trap 'kill -KILL $server_pid 2>/dev/null || true; rm -rf "$work"' EXIT
source "$here/lib.sh"

"$smdl" token add --tokens "$work/tokens.json" ann --role admin --role agent > "$work/ann"
"$smdl" token add --tokens "$work/tokens.json" bob --role agent > "$work/bob"
"$smdl" token add --tokens "$work/tokens.json" cy > "$work/cy"
ann=$(cat "$work/ann"); bob=$(cat "$work/bob"); cy=$(cat "$work/cy")
grep -q "$ann" "$work/tokens.json" && fail "the tokens file holds a token in clear"

echo "== serve refuses to start without tokens or --no-auth, and on a bad configuration"
set +e
"$smdl" serve --db "$work/db" --listen 127.0.0.1:0 > /dev/null 2> "$work/err"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q -- "--no-auth" "$work/err" || fail "serve without tokens: exit $rc, $(cat "$work/err")"
echo '{"listen": "127.0.0.1:0", "tokns": "x"}' > "$work/bad.json"
set +e
"$smdl" serve --db "$work/db" --config "$work/bad.json" > /dev/null 2> "$work/err"; rc=$?
set -e
[ $rc -eq 1 ] && grep -q 'unknown setting "tokns"' "$work/err" || fail "a typo in the configuration: exit $rc, $(cat "$work/err")"

cat > "$work/config.json" <<JSON
{"tokens": "$work/tokens.json", "body_limit": 65536, "read_timeout_seconds": 1, "threads": 4}
JSON
start_server main --db "$work/db" --config "$work/config.json"
deploy_desk "$ann"

echo "== a second server on the same database is refused, naming the holder"
set +e
"$smdl" serve --db "$work/db" --listen 127.0.0.1:0 --no-auth > /dev/null 2> "$work/err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "second serve: exit $rc"
grep -q "held by smdl serve (pid $server_pid, $url" "$work/err" || fail "second serve: $(cat "$work/err")"

echo "== the command line works through the server that holds the database"
id=$(SMDL_TOKEN=$bob "$smdl" create --db "$work/db" Ticket '{"title": "printer"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
[ "$id" = Ticket-1 ] || fail "create through the holder: $id"
SMDL_TOKEN=$bob "$smdl" fire --db "$work/db" "$id" take '{"to": "bob"}' > /dev/null
SMDL_TOKEN=$bob "$smdl" --server "$url" show "$id" | grep -q '"owner": "bob"' || fail "show through --server"
"$smdl" show --db "$work/db" "$id" | grep -q '"owner": "bob"' || fail "a read beside the server"
set +e
SMDL_TOKEN=$bob "$smdl" fire --db "$work/db" "$id" close --actor mallory > /dev/null 2> "$work/err"; rc=$?
set -e
[ $rc -ne 0 ] && grep -q "token names the actor" "$work/err" || fail "--actor through a server must be refused: $(cat "$work/err")"
set +e
SMDL_TOKEN=$cy "$smdl" --server "$url" fire "$id" park > /dev/null 2> "$work/err"; rc=$?
set -e
[ $rc -eq 0 ] || fail "park: $(cat "$work/err")"
SMDL_TOKEN=$bob "$smdl" --server "$url" history "$id" | grep -q '"actor": "cy"' || fail "the audit log names the token's actor"

echo "== timers fire in real time, within a second of their due time"
# Ticket-1 was parked above: `after 2s -> expired`.
for _ in $(seq 1 40); do
  api GET "/v1/records/$id" "$bob" > /dev/null
  [ "$(json_get 'd["state"]')" = expired ] && break
  sleep 0.1
done
[ "$(json_get 'd["state"]')" = expired ] || fail "the timer did not fire within 4 s"
python3 - "$work/body" <<'PY'
import json, sys
from datetime import datetime
d = json.load(open(sys.argv[1]))
def t(s):
    s = s.replace("Z", "+00:00")
    if "." in s:
        head, rest = s.split(".", 1)
        frac, zone = rest[:rest.index("+")], rest[rest.index("+"):]
        s = head + "." + frac[:6] + zone
    return datetime.fromisoformat(s)
late = (t(d["updated_at"]) - t(d["created_at"])).total_seconds()
assert late < 60, late
PY
api GET /metrics "" > /dev/null
grep -q 'smdl_timers_fired_total{kind="timer"} 1' "$work/body" || fail "metrics: $(grep timers_fired "$work/body")"
grep -q 'smdl_timer_lateness_seconds_bucket{le="1"} 1' "$work/body" || fail "the timer ran more than a second late: $(grep lateness "$work/body")"

echo "== an SLA warns and breaches in real time"
api POST /v1/records "$bob" '{"type": "Ticket", "fields": {"title": "sla"}}' > /dev/null
for _ in $(seq 1 50); do
  api GET /metrics "" > /dev/null
  grep -q 'smdl_timers_fired_total{kind="sla_breach"} 1' "$work/body" && break
  sleep 0.1
done
grep -q 'smdl_timers_fired_total{kind="sla_warning"} 1' "$work/body" || fail "no SLA warning"
grep -q 'smdl_timers_fired_total{kind="sla_breach"} 1' "$work/body" || fail "no SLA breach"
# Nothing acknowledges the outbox here: its oldest message has waited seconds by now.
awk '/^smdl_outbox_oldest_age_seconds / { found = 1; ok = ($2 > 1) } END { exit !(found && ok) }' "$work/body" ||
  fail "the outbox lag: $(grep outbox "$work/body")"

echo "== bad HTTP input: a clear error, nothing written, the server keeps serving"
before=$("$smdl" verify --db "$work/db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["head"]["seq"])')
expect_status 401 GET /v1/records ""
expect_status 401 GET /v1/records "smdl_0000"
expect_status 401 GET /v1/records "" "" "Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l"
expect_status 400 POST /v1/records "$bob" '{"type": "Ticket", "fields": {"title": '
expect_status 400 POST /v1/records "$bob" "$(python3 -c 'print("["*5000 + "]"*5000)')"
expect_status 422 POST /v1/records "$bob" '{"type": "Ticket", "fields": {"title": "x", "colour": 1}}'
expect_status 404 POST /v1/records "$bob" '{"type": "Tikcet", "fields": {"title": "x"}}'
expect_status 415 POST /v1/records "$bob" 'title=x' "Content-Type: application/x-www-form-urlencoded"
expect_status 404 GET /v1/nothing "$bob"
expect_status 404 GET /etc/passwd "$bob"
expect_status 405 DELETE /v1/records "$bob"
expect_status 405 PUT "/v1/records/$id" "$bob" '{}'
expect_status 404 GET "/v1/records/..%2F..%2Fetc" "$bob"
expect_status 400 GET "/v1/records/%2E%2E/history" "$bob"
expect_status 400 GET "/v1/records/Ticket-1%00" "$bob"
expect_status 404 GET "/v1/records/Ticket-999" "$bob"
[ "$(json_get 'd["reason"]')" = not_found ] || fail "a missing record's reason"
python3 -c 'import json; print(json.dumps({"type": "Ticket", "fields": {"title": "x" * 70000}}))' > "$work/big.json"
got=$(curl -s -o "$work/body" -w '%{http_code}' -H "Authorization: Bearer $bob" -H 'Content-Type: application/json' --data @"$work/big.json" "$url/v1/records")
[ "$got" = 413 ] || fail "a body over the limit: $got"
# Not HTTP at all, a request line cut short, and a client too slow to finish its headers.
printf 'HELLO\r\n\r\n' | timeout 5 python3 -c "
import socket,sys
s=socket.create_connection(('127.0.0.1', int(sys.argv[1]))); s.sendall(sys.stdin.buffer.read()); print(s.recv(100).split(b'\r\n')[0].decode())" "${url##*:}" > "$work/raw"
grep -q '400' "$work/raw" || fail "garbage: $(cat "$work/raw")"
timeout 10 python3 - "${url##*:}" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/records HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"type\"")
time.sleep(2.5)  # longer than read_timeout_seconds
s.settimeout(3)
try:
    data = s.recv(100)
except OSError:
    data = b""
print("slow client answered:", data[:20])
PY
expect_status 200 GET /healthz ""
after=$("$smdl" verify --db "$work/db" | python3 -c 'import json,sys; print(json.load(sys.stdin)["head"]["seq"])')
[ "$before" = "$after" ] || fail "bad input wrote to the audit log ($before -> $after)"

echo "== hot reload under load: 20 deploys while clients fire, no request fails"
python3 - "$url" "$bob" "$work/load.json" <<'PY' &
import http.client, json, sys, threading, time
url, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
host, port = url[len("http://"):].split(":")
stop = time.time() + 6
results = {"ok": 0, "failed": []}
lock = threading.Lock()
def client(n):
    c = http.client.HTTPConnection(host, int(port), timeout=30)
    h = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    while time.time() < stop:
        c.request("POST", "/v1/records", json.dumps({"type": "Ticket", "fields": {"title": "load %d" % n}}), h)
        r = c.getresponse(); body = r.read()
        if r.status != 201:
            with lock: results["failed"].append((r.status, body.decode()[:200])); continue
        rid = json.loads(body)["id"]
        c.request("POST", "/v1/records/%s/events/take" % rid, json.dumps({"to": "bob"}), h)
        r = c.getresponse(); body = r.read()
        with lock:
            if r.status == 200: results["ok"] += 1
            else: results["failed"].append((r.status, body.decode()[:200]))
threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
for t in threads: t.start()
for t in threads: t.join()
json.dump(results, open(out, "w"))
PY
load_pid=$!
src_a=$(cat "$here/desk.smdl")
for i in $(seq 1 20); do
  body=$(python3 -c "import json,sys; print(json.dumps({'modules':[{'path':'desk.smdl','source':sys.argv[1] + '\n// reload $i\n'}]}))" "$src_a")
  expect_status 201 POST /v1/deploy "$ann" "$body"
  sleep 0.2
done
wait $load_pid
python3 - "$work/load.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert not r["failed"], r["failed"][:5]
assert r["ok"] > 20, r
print("  %d create+fire pairs during 20 deploys, none failed" % r["ok"])
PY
api GET /v1/definitions "$bob" > /dev/null
[ "$(json_get 'len(d)')" -ge 21 ] || fail "expected 21 deploys"

echo "== logs are one JSON object per line"
python3 - "$work/main.log" <<'PY'
import json, sys
n = 0
for line in open(sys.argv[1]):
    doc = json.loads(line); n += 1
    assert "time" in doc and "level" in doc and "msg" in doc, doc
assert n > 10
PY

echo "== SIGTERM: a clean stop that leaves a verifiable database"
kill -TERM "$server_pid"
wait "$server_pid" || fail "serve exited non-zero after SIGTERM"
[ ! -e "$work/db/smdl-serve.json" ] || fail "the holder file was left behind"
grep -q '"msg":"stopped"' "$work/main.log" || fail "no stopped line in the log"
"$smdl" verify --db "$work/db" > /dev/null || fail "verify after the server stopped"
echo "server tests passed"
