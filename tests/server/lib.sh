# Shared by the server's test scripts: a real `smdl serve` on loopback.
# Needs $smdl (the binary) and $work (a scratch directory).

fail() { echo "FAIL: $*" >&2; exit 1; }

# start_server NAME ARGS...: starts a server on an free port; sets $url and
# $server_pid; its stdout and stderr go to $work/NAME.out and NAME.log.
start_server() {
  local name=$1; shift
  "$smdl" serve --listen 127.0.0.1:0 "$@" > "$work/$name.out" 2> "$work/$name.log" &
  server_pid=$!
  for _ in $(seq 1 100); do
    url=$(sed -n 's/^smdl serve: listening on //p' "$work/$name.out")
    [ -n "$url" ] && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$name.log" >&2; fail "the server $name did not start"; }
    sleep 0.05
  done
  fail "the server $name did not say it was listening"
}

# start_receiver NAME SECRET FAIL_RATE SEED [PORT]: a webhook receiver
# (receiver.py) that logs what it accepts to $work/NAME.jsonl; sets
# $receiver_port and adds its pid to $receiver_pids.
start_receiver() {
  local name=$1; shift
  python3 "$here/receiver.py" "$work/$name.port" "$work/$name.jsonl" "$@" &
  receiver_pids="${receiver_pids:-} $!"
  for _ in $(seq 1 50); do [ -s "$work/$name.port" ] && break; sleep 0.1; done
  [ -s "$work/$name.port" ] || fail "the receiver $name did not start"
  receiver_port=$(cat "$work/$name.port")
}

stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
}

# api METHOD PATH TOKEN [BODY] [HEADER...]: the status, then the body in $work/body.
api() {
  local method=$1 path=$2 token=$3 body=${4:-}; shift 4 2>/dev/null || shift $#
  local args=(-s -o "$work/body" -w '%{http_code}' -X "$method")
  [ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
  local typed=
  for h in "$@"; do args+=(-H "$h"); case $h in [Cc]ontent-[Tt]ype:*) typed=1 ;; esac; done
  [ -n "$body" ] && [ -z "$typed" ] && args+=(-H 'Content-Type: application/json')
  [ -n "$body" ] && args+=(--data "$body")
  curl "${args[@]}" "$url$path"
}

# expect_status WANT METHOD PATH TOKEN [BODY] [HEADER...]
expect_status() {
  local want=$1; shift
  local got
  got=$(api "$@")
  [ "$got" = "$want" ] || fail "$1 $2: expected $want, got $got: $(cat "$work/body")"
}

json_get() { python3 -c "import json,sys; d=json.load(open('$work/body')); print($1)"; }

# deploy_desk TOKEN: deploys tests/server/desk.smdl
deploy_desk() {
  local body
  body=$(python3 -c "import json; print(json.dumps({'modules':[{'path':'desk.smdl','source':open('$here/desk.smdl').read()}]}))")
  local got
  got=$(api POST /v1/deploy "$1" "$body")
  [ "$got" = 201 ] || [ "$got" = 200 ] || fail "deploy: $got $(cat "$work/body")"
}
