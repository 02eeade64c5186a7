#!/usr/bin/env bash
# The OpenAPI document of smdl serve (engine/server/openapi.json) against the
# server it describes:
#   1. Redocly CLI lints it as OpenAPI 3.1 (rules in redocly.yaml), and
#      rejects a copy broken on purpose (so that a validator that passes
#      everything cannot go unnoticed);
#   2. the routes of api.cc's kRoutes table are exactly the document's paths,
#      each with the same methods;
#   3. a real server serves the file at GET /v1/openapi.json (compared as
#      parsed JSON; a binary built before the file changed fails here until
#      it is rebuilt);
#   4. conform.mjs drives a server without authentication and one with
#      tokens through every operation and checks each answer (status,
#      Content-Type, body, headers) against the document.
#
# check.sh BIN SOURCE_DIR
# The validator is installed with `npm ci` (package-lock.json) into
# $SMDL_OPENAPI_WORK/node (a temporary directory when unset), only when it is
# missing or the lock file changed. Needs Node.js 20.19+ or 22.12+ with npm,
# curl and python3.
set -u

smdl=${1:?usage: check.sh BIN SOURCE_DIR}
src=${2:?usage: check.sh BIN SOURCE_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
doc=$src/engine/server/openapi.json

die() { echo "FAIL: $*" >&2; exit 1; }
passed=0
failed=0
pass() { echo "ok   $*"; passed=$((passed + 1)); }
problem() { echo "FAIL $*"; failed=$((failed + 1)); }

[ -x "$smdl" ] || die "no smdl binary at $smdl"
[ -f "$doc" ] || die "no OpenAPI document at $doc"
command -v curl >/dev/null 2>&1 || die "curl is not installed"
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  die "Node.js and npm are needed to validate the OpenAPI document (Redocly CLI); tools/install-deps.sh installs them"
fi
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
         process.exit(a > 22 || (a === 22 && b >= 12) || (a === 20 && b >= 19) ? 0 : 1)' ||
  die "Node.js $(node --version) is too old for Redocly CLI 2 (it needs 20.19+ or 22.12+)"

cleanup_work=
if [ -n "${SMDL_OPENAPI_WORK:-}" ]; then
  work=$SMDL_OPENAPI_WORK
  mkdir -p "$work" || die "cannot make $work"
else
  work=$(mktemp -d)
  cleanup_work=1
fi
run=$(mktemp -d "$work/run.XXXXXX")
open_pid=
auth_pid=
cleanup() {
  for pid in $open_pid $auth_pid; do
    kill -TERM "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  rm -rf "$run"
  [ -n "$cleanup_work" ] && rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- the validator
tools=$work/node
if [ ! -x "$tools/node_modules/.bin/redocly" ] || [ ! -d "$tools/node_modules/ajv" ] ||
   ! cmp -s "$here/package-lock.json" "$tools/package-lock.json"; then
  echo "installing the validator into $tools (npm ci)"
  rm -rf "$tools"
  mkdir -p "$tools"
  cp "$here/package.json" "$here/package-lock.json" "$tools/"
  if ! (cd "$tools" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) > "$run/npm.log" 2>&1; then
    cat "$run/npm.log" >&2
    rm -rf "$tools"
    die "npm ci failed in $tools"
  fi
fi
redocly=$tools/node_modules/.bin/redocly
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1

# lint FILE: Redocly's findings in $run/lint.log; its exit status.
lint() {
  "$redocly" lint --config "$here/redocly.yaml" --format=stylish "$1" > "$run/lint.log" 2>&1
}
# Redocly's output without its banner about the Node.js version.
show_lint() { grep -vF -e '║' -e '╔' -e '╚' "$run/lint.log" | sed '/^[[:space:]]*$/d'; }

if lint "$doc"; then
  pass "redocly lint engine/server/openapi.json ($("$redocly" --version 2>/dev/null | tail -1))"
else
  show_lint
  problem "redocly lint engine/server/openapi.json"
fi

# The validator must reject a broken document: a schema with a type that
# does not exist, and an example that its schema does not allow.
python3 - "$doc" "$run/broken.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d.setdefault("components", {}).setdefault("schemas", {})["Broken"] = {"type": "strin"}
d["paths"]["/healthz"]["get"]["responses"]["200"]["content"]["application/json"]["examples"] = {
    "broken": {"value": {"status": 42}}}
json.dump(d, open(sys.argv[2], "w"))
EOF
if lint "$run/broken.json"; then
  problem "redocly lint accepted a broken document"
elif grep -q 'struct' "$run/lint.log" && grep -q 'no-invalid-media-type-examples' "$run/lint.log"; then
  pass "redocly lint rejects a broken document"
else
  show_lint
  problem "redocly lint rejected the broken document, but not for the two faults put in it"
fi

# ---------------------------------------------------------------- routes
if python3 - "$src/engine/server/api.cc" "$doc" <<'EOF'
import json, re, sys
api = open(sys.argv[1]).read()
start = api.find("kRoutes = {")
if start < 0:
    sys.exit("no kRoutes table in api.cc")
table = api[start:api.index("};", start)]
routes = {}
for path, methods in re.findall(r'\},\s*"(/[^"]*)",\s*"([A-Z][A-Z, ]*)"\s*\}', table):
    routes[path] = {m.strip() for m in methods.split(",")}
if len(routes) < 10:
    sys.exit(f"only {len(routes)} routes read from kRoutes: has its form changed?")
doc = json.load(open(sys.argv[2]))
methods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
documented = {p: {m.upper() for m in item if m in methods} for p, item in doc.get("paths", {}).items()}
bad = []
for p, ms in sorted(routes.items()):
    if p not in documented:
        bad.append(f"route {p} ({', '.join(sorted(ms))}) is not in the document")
    elif documented[p] != ms:
        bad.append(f"route {p} answers {', '.join(sorted(ms))}; the document has {', '.join(sorted(documented[p]))}")
for p in sorted(set(documented) - set(routes)):
    bad.append(f"the document has {p}, which api.cc has no route for")
for b in bad:
    print("     " + b)
print(f"     {len(routes)} routes in kRoutes, {len(documented)} paths in the document")
sys.exit(1 if bad else 0)
EOF
then
  pass "the routes of api.cc are the document's paths, with the same methods"
else
  problem "the routes of api.cc and the document's paths differ"
fi

# ---------------------------------------------------------------- servers
# start NAME ARGS...: a server on a free port; sets $url and $pid.
start() {
  local name=$1
  shift
  "$smdl" serve --db "$run/$name-db" --listen 127.0.0.1:0 "$@" > "$run/$name.out" 2> "$run/$name.log" &
  pid=$!
  url=
  for _ in $(seq 1 200); do
    url=$(sed -n 's/^smdl serve: listening on //p' "$run/$name.out")
    [ -n "$url" ] && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$run/$name.log" >&2; die "the server $name did not start"; }
    sleep 0.05
  done
  die "the server $name did not say it was listening"
}

start open --no-auth
open_pid=$pid
open_url=$url

desk_token=$("$smdl" token add --tokens "$run/tokens.json" alice --role service_desk) || die "smdl token add failed"
admin_token=$("$smdl" token add --tokens "$run/tokens.json" root --role admin) || die "smdl token add failed"
start auth --tokens "$run/tokens.json"
auth_pid=$pid
auth_url=$url

# GET /v1/openapi.json serves the file, compared as parsed JSON.
status=$(curl -s -o "$run/served.json" -w '%{http_code} %{content_type}' "$open_url/v1/openapi.json")
if [ "${status%% *}" != 200 ]; then
  problem "GET /v1/openapi.json answered $status"
elif ! python3 -c 'import json, sys; sys.exit(0 if json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])) else 1)' \
    "$doc" "$run/served.json"; then
  problem "GET /v1/openapi.json is not engine/server/openapi.json: $smdl was built from another version of the file (rebuild it)"
else
  pass "GET /v1/openapi.json serves engine/server/openapi.json ($status)"
fi

# Every operation, and the answers around it, against the document.
if OPEN_URL=$open_url AUTH_URL=$auth_url DESK_TOKEN=$desk_token ADMIN_TOKEN=$admin_token \
    node "$here/conform.mjs" "$doc" "$src" "$tools/node_modules" > "$run/conform.log" 2>&1; then
  grep -v '^ok ' "$run/conform.log"
  pass "every answer of a real server conforms to the document"
else
  cat "$run/conform.log"
  problem "answers of a real server do not conform to the document (above)"
fi

echo "openapi: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
