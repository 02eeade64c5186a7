#!/usr/bin/env bash
# The soak (`make soak`): a long reliability run on the fuzz build of
# tools/fuzz.sh (clang, AddressSanitizer, UBSan).
#
#  1. Every fuzz target for SMDL_SOAK_FUZZ_SECONDS (default 3600), in
#     libFuzzer's fork mode: a crash, hang (over 10 s) or out-of-memory ends
#     one job, is counted and its input kept, and fuzzing goes on.
#  2. The crash test (tests/runtime/crash_test.cc) for SMDL_SOAK_KILL_ROUNDS
#     rounds (default 1000): writers under load killed with SIGKILL, the
#     database reopened and checked each time.
#  3. The server under HTTP load killed with SIGKILL 100 times
#     (tests/server/kill.sh), with the fuzz build's smdl (ASan, UBSan).
#
# Everything of one run lands in build-fuzz/soak/DATE-TIME/: a log per part,
# the inputs that failed (NAME/crash-*, NAME/timeout-*, NAME/oom-*; "kept" in
# the summary, seeds that fail included) and summary.txt, which is also
# printed. Exits 1 on any finding.
set -euo pipefail
# shellcheck source=tools/fuzz.sh
source "$(dirname "${BASH_SOURCE[0]}")/fuzz.sh"

seconds=${SMDL_SOAK_FUZZ_SECONDS:-3600}
rounds=${SMDL_SOAK_KILL_ROUNDS:-1000}
run=$fuzz_dir/soak/$(date +%Y%m%d-%H%M%S)

fuzz_configure
mkdir -p "$run/tmp"
# The JSON target's engine and the crash test's database live here.
export TMPDIR=$run/tmp
findings=0
summary=$run/summary.txt
{
  echo "soak of $(date +%Y-%m-%d) on $(nproc) cores: fuzzers ${seconds} s each, ${rounds} kill rounds"
  printf '%-12s %12s %8s %6s %5s %7s\n' fuzzer inputs crashes hangs ooms kept
} > "$summary"

for name in $(fuzz_names); do
  if ! fuzz_build "$(fuzz_target "$name")"; then
    printf '%-12s does not build\n' "$name" >> "$summary"
    findings=$((findings + 1))
    continue
  fi
  echo "soak: fuzzing $name for $seconds s"
  mkdir -p "$run/$name"
  fuzz_run "$name" "$seconds" "$run/$name.log" -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
    -artifact_prefix="$run/$name/" || true  # the counts below decide
  # Fork mode reports its totals on each line "#RUNS: ... oom/timeout/crash: O/T/C ...".
  last=$(grep -E '^#[0-9]+: .*oom/timeout/crash:' "$run/$name.log" | tail -n 1 || true)
  inputs=$(sed -E 's/^#([0-9]+):.*/\1/' <<< "$last")
  read -r ooms hangs crashes < <(sed -E 's|.*oom/timeout/crash: ([0-9]+)/([0-9]+)/([0-9]+).*|\1 \2 \3|' <<< "$last")
  kept=$(find "$run/$name" -type f | wc -l)
  if [ -z "$last" ]; then  # no job finished: the target does not run
    inputs=0 ooms=0 hangs=0 crashes=1
    tail -n 40 "$run/$name.log"
  fi
  printf '%-12s %12s %8s %6s %5s %7s\n' "$name" "$inputs" "$crashes" "$hangs" "$ooms" "$kept" >> "$summary"
  # A seed that fails is left out of fuzzing (and of the counts) but kept.
  found=$((crashes + hangs + ooms))
  findings=$((findings + (kept > found ? kept : found)))
done

echo "soak: $rounds kill rounds"
if fuzz_build smdl_crash_test; then
  "$fuzz_dir/bin/smdl_crash_test" "$rounds" > "$run/crash.log" 2>&1 || true  # its summary decides
else
  echo "the crash test does not build" > "$run/crash.log"
fi
# The crash test ends with "summary: R rounds, A acknowledged operations, L lost operations, F failures".
line=$(grep '^summary: ' "$run/crash.log" | tail -n 1 || true)
if [ -n "$line" ]; then
  read -r done_rounds acks lost failures < <(sed -E 's/^summary: ([0-9]+) rounds, ([0-9]+) acknowledged operations, ([0-9]+) lost operations, ([0-9]+) failures.*/\1 \2 \3 \4/' <<< "$line")
else  # it died before its summary
  done_rounds='?' acks='?' lost='?' failures=1
  tail -n 40 "$run/crash.log"
fi
echo "kill rounds: $done_rounds of $rounds, acknowledged operations: $acks, lost: $lost, other failures: $failures" >> "$summary"
if [ "$done_rounds" != "$rounds" ] || [ "$lost" != 0 ] || [ "$failures" != 0 ]; then
  findings=$((findings + 1))
fi

# The server under HTTP load, killed 100 times (tests/server/kill.sh).
echo "soak: server kill rounds"
if fuzz_build smdl && bash "$fuzz_root/tests/server/kill.sh" "$fuzz_dir/bin/smdl" "$fuzz_root" 100 > "$run/server-kill.log" 2>&1; then
  echo "server kill rounds: $(grep -E 'kills|webhooks:' "$run/server-kill.log" | tr -s ' ' | paste -sd ';')" >> "$summary"
else
  echo "server kill rounds: FAILED (see $run/server-kill.log)" >> "$summary"
  findings=$((findings + 1))
fi

rm -rf "$run/tmp"
echo "findings: $findings (logs and inputs in $run)" >> "$summary"
cat "$summary"
[ "$findings" -eq 0 ]
