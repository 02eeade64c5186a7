#!/usr/bin/env bash
# The server against the embedded engine (docs/benchmarks.md, "HTTP"): wrk
# on loopback with keep-alive POSTs note events to 100 tickets through
# `smdl serve` (bearer token, request logs off), for each durability mode;
# the same fires through the C++ API, in the same run, with as many threads
# as wrk has connections and with two, give the ratio (against the faster). Then p50 and p99 latency at
# about 50% and 90% of the maximum rate (wrk has no fixed rate: each
# connection waits between requests so that the total lands near it), and
# 20 deploys during a wrk run, which must fail or lose no request.
# Environment: SECONDS_PER_RUN (default 10), CONNECTIONS (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."
smdl=build/bin/smdl
bench=build/bin/smdl_bench_runtime
secs=${SECONDS_PER_RUN:-10}
conns=${CONNECTIONS:-32}
work=$(mktemp -d)
pid=
trap 'kill -KILL $pid 2>/dev/null || true; rm -rf "$work"' EXIT
command -v wrk > /dev/null || { echo "http.sh: wrk is missing (apt-get install wrk)" >&2; exit 2; }

"$bench" module > "$work/desk.smdl"
token=$("$smdl" token add --tokens "$work/tokens.json" bench --role admin)
export WRK_TOKEN=$token

start() {  # start DURABILITY: a fresh server with the module and 100 tickets
  rm -rf "$work/db"
  printf '{"tokens": "%s", "log_requests": false, "durability": "%s", "threads": %d}\n' \
    "$work/tokens.json" "$1" "$conns" > "$work/config.json"
  "$smdl" serve --db "$work/db" --listen 127.0.0.1:0 --config "$work/config.json" > "$work/out" 2> "$work/log" &
  pid=$!
  for _ in $(seq 1 100); do url=$(sed -n 's/^smdl serve: listening on //p' "$work/out"); [ -n "$url" ] && break; sleep 0.05; done
  python3 -c "import json; print(json.dumps({'modules':[{'path':'desk.smdl','source':open('$work/desk.smdl').read()}]}))" |
    curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data @- "$url/v1/deploy"
  for i in $(seq 1 100); do
    curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      --data '{"type": "Ticket", "fields": {"title": "printer on floor 3 jams", "impact": "high"}}' "$url/v1/records"
  done
}
stop() { kill -TERM "$pid"; wait "$pid" || true; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" <<< "$2"; }
run_wrk() { WRK_DELAY_MS=${1:-0} wrk -t2 -c"$conns" -d"${secs}s" -s bench/wrk_fire.lua "$url" | grep '^summary:'; }

for mode in async sync; do
  start "$mode"
  max=$(run_wrk)
  rate=$(field rate "$max")
  n=40000; [ "$mode" = sync ] && n=8000
  # The embedded engine at the server's concurrency and on two threads (one
  # per core); the ratio is against the faster of the two.
  wide=$("$bench" embedded "$mode" "$n" "$conns")
  narrow=$("$bench" embedded "$mode" "$n" 2)
  embedded=$(( wide > narrow ? wide : narrow ))
  echo "http $mode: server $rate fires/s ($conns connections: $max)"
  echo "http $mode: embedded engine $wide fires/s ($conns threads), $narrow fires/s (2 threads); ratio server/best embedded $(awk -v a="$rate" -v b="$embedded" 'BEGIN { printf "%.2f", a / b }')"
  p50=$(field p50_ms "$max")
  for share in 50 90; do
    # Each connection waits so that conns / (delay + latency) is share% of the maximum.
    delay=$(awk -v c="$conns" -v r="$rate" -v s="$share" -v l="$p50" 'BEGIN { d = c * 1000 / (r * s / 100) - l; if (d < 1) d = 1; printf "%d", d }')
    at=$(run_wrk "$delay")
    echo "http $mode at ~$share%: $(field rate "$at") fires/s, p50 $(field p50_ms "$at") ms, p99 $(field p99_ms "$at") ms (delay ${delay} ms per connection)"
  done
  stop
done

# Reload under load: 20 deploys of a changed module while wrk fires.
start async
(
  for i in $(seq 1 20); do
    sleep "$(awk -v s="$secs" 'BEGIN { printf "%.2f", s / 22 }')"
    python3 -c "import json; print(json.dumps({'modules':[{'path':'desk.smdl','source':open('$work/desk.smdl').read() + '\n// reload $i\n'}]}))" |
      curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'Content-Type: application/json' --data @- "$url/v1/deploy" ||
      echo "deploy $i failed"
  done
) > "$work/deploys" &
deployer=$!
during=$(run_wrk)
wait $deployer
notes=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/records?type=Ticket&limit=1000" |
  python3 -c 'import json,sys; print(sum(r["fields"]["notes"] for r in json.load(sys.stdin)["records"]))')
deploys=$(curl -sf -H "Authorization: Bearer $token" "$url/v1/definitions" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
stop
echo "http reload: $((deploys - 1)) deploys during the run; $during; notes stored $notes"
if [ -s "$work/deploys" ] || [ "$(field non2xx "$during")" != 0 ] || [ "$(field errors "$during")" != 0 ] ||
   [ "$notes" -lt "$(field requests "$during")" ]; then
  echo "http reload: FAILED (failed deploys: $(cat "$work/deploys"))" >&2
  exit 1
fi
