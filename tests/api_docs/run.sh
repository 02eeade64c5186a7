#!/usr/bin/env bash
# The examples of docs/api.md, run against a real `smdl serve`.
#
#   tests/api_docs/run.sh BIN SOURCE_DIR
#
# Every block fenced as ```sh api-example STATUS holds one curl command. The
# blocks run in the order the document gives them, each with bash, against
# one server on a fresh database, and each must be answered with STATUS.
# They see SMDL_URL (the server), TOKEN (a token of 'admin' with the roles
# admin and service_desk) and AGENT_TOKEN (a token of 'kim' with the role
# service_desk). Unless the first example deploys (POST /v1/deploy),
# examples/acme is deployed before the first one runs.
#
# Fails when an example gets another status, when the document has fewer
# than 15 examples, or when the server does not stop cleanly on SIGTERM.
# API_DOCS_VERBOSE=1 prints every answer.
set -u
smdl=$1
src=$2
doc="$src/docs/api.md"
min_examples=15
work=$(mktemp -d)
server=""
server_status=""

# Stops the server with SIGTERM and waits for it; its exit status is kept.
stop_server() {
  if [ -n "$server" ]; then
    kill -TERM "$server" 2> /dev/null
    wait "$server" 2> /dev/null
    server_status=$?
    server=""
  fi
}
cleanup() {
  stop_server
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM HUP

fail=0
pass=0
bad() {
  echo "FAIL $*"
  fail=$((fail + 1))
}

# The binary may be missing for a moment while it is linked again.
for _ in $(seq 120); do
  [ -x "$smdl" ] && break
  sleep 1
done
if [ ! -x "$smdl" ]; then
  echo "FAIL no smdl binary at $smdl"
  exit 2
fi
if [ ! -f "$doc" ]; then
  echo "FAIL no $doc"
  exit 2
fi

# The examples, in order: examples/NNN.sh and a line "NNN LINE STATUS" each
# in examples/index (LINE: the fence's line in the document).
mkdir "$work/examples"
if ! awk -v dir="$work/examples" '
  /^```sh api-example([ \t]|$)/ {
    if (!($0 ~ /^```sh api-example [1-5][0-9][0-9][ \t]*$/)) {
      printf "line %d: a fence needs a status: ```sh api-example 200\n", NR > "/dev/stderr"
      bad = 1
      next
    }
    n++
    file = sprintf("%s/%03d.sh", dir, n)
    printf "%03d %d %s\n", n, NR, $3 > (dir "/index")
    printf "" > file
    inside = 1
    next
  }
  inside && /^```[ \t]*$/ { inside = 0; close(file); next }
  inside { print > file }
  END {
    if (inside) { print "the last api-example block is not closed" > "/dev/stderr"; bad = 1 }
    exit bad
  }
' "$doc"; then
  echo "FAIL docs/api.md: malformed api-example blocks"
  exit 1
fi
touch "$work/examples/index"
count=$(wc -l < "$work/examples/index")

# Tokens, and the server on a fresh database at a free port.
tokens="$work/tokens.json"
TOKEN=$("$smdl" token add --tokens "$tokens" admin --role admin --role service_desk) || exit 2
AGENT_TOKEN=$("$smdl" token add --tokens "$tokens" kim --role service_desk) || exit 2
"$smdl" serve --db "$work/db" --listen 127.0.0.1:0 --tokens "$tokens" > "$work/serve.out" 2> "$work/serve.log" &
server=$!
SMDL_URL=""
for _ in $(seq 300); do
  SMDL_URL=$(sed -n 's/^smdl serve: listening on //p' "$work/serve.out")
  [ -n "$SMDL_URL" ] && break
  if ! kill -0 "$server" 2> /dev/null; then
    wait "$server"
    echo "FAIL smdl serve exited with status $? before it listened"
    sed 's/^/    /' "$work/serve.log" | tail -20
    server=""
    exit 1
  fi
  sleep 0.1
done
if [ -z "$SMDL_URL" ]; then
  echo "FAIL smdl serve did not say where it listens within 30 seconds"
  sed 's/^/    /' "$work/serve.log" | tail -20
  exit 1
fi
export SMDL_URL TOKEN AGENT_TOKEN

# The site, unless the document's first example deploys one itself: the
# standard library's processes with ACME's policies (examples/acme), sent
# through the server as `smdl deploy` sends them.
first="$work/examples/001.sh"
if [ ! -f "$first" ] || ! grep -q '/v1/deploy' "$first"; then
  if ! SMDL_TOKEN=$TOKEN "$smdl" --server "$SMDL_URL" deploy "$src/stdlib" \
    "$src/examples/acme/policies.smdl" "$src/examples/acme/change_policies.smdl" > "$work/deploy.out" 2>&1; then
    echo "FAIL deploying examples/acme through the server"
    sed 's/^/    /' "$work/deploy.out" | tail -20
    exit 1
  fi
fi

# Each example runs with curl replaced by a function that keeps the body and
# the status for the comparison.
cat > "$work/prelude.sh" << 'EOF'
curl() {
  command curl -sS --max-time 60 -o "$EXAMPLE_BODY" -w '%{http_code}' "$@" > "$EXAMPLE_STATUS"
}
EOF
while read -r n line want; do
  example="$work/examples/$n.sh"
  where="docs/api.md:$line"
  curls=$(grep -ow 'curl' "$example" | wc -l)
  if [ "$curls" -ne 1 ]; then
    bad "$where: an example holds exactly one curl command (found $curls)"
    continue
  fi
  if ! grep -q 'SMDL_URL' "$example"; then
    bad "$where: the example does not use \$SMDL_URL"
    continue
  fi
  cat "$work/prelude.sh" "$example" > "$work/run.sh"
  : > "$work/body"
  echo 000 > "$work/status"
  EXAMPLE_BODY="$work/body" EXAMPLE_STATUS="$work/status" bash "$work/run.sh" < /dev/null > "$work/out" 2>&1
  got=$(cat "$work/status")
  if [ "$got" = "$want" ]; then
    pass=$((pass + 1))
  else
    bad "$where: expected HTTP $want, got $got"
    sed 's/^/    /' "$work/out" | head -10
    head -c 3000 "$work/body" | sed 's/^/    /'
    echo
  fi
  if [ "${API_DOCS_VERBOSE:-}" = 1 ]; then
    echo "== $where: $got"
    head -c 3000 "$work/body"
    echo
  fi
done < "$work/examples/index"

# A clean stop: exit status 0, the holder file gone.
stop_server
if [ "$server_status" != 0 ]; then
  bad "smdl serve exited with status $server_status on SIGTERM"
  sed 's/^/    /' "$work/serve.log" | tail -20
fi
if [ -e "$work/db/smdl-serve.json" ]; then
  bad "smdl serve left its holder file smdl-serve.json behind"
fi

if [ "$count" -lt "$min_examples" ]; then
  bad "docs/api.md has $count examples (\`\`\`sh api-example STATUS), fewer than $min_examples"
fi
echo "docs/api.md: $count examples, $pass answered as documented, $fail failures"
[ "$fail" -eq 0 ]
