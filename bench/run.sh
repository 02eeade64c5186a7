#!/usr/bin/env bash
# Benchmarks (run by `make bench`). Method and results: docs/benchmarks.md.
#
# check: `smdl check` on a generated module of ~50,000 lines, RUNS times
# (default 5); reports lines per second of user CPU time for the fastest and
# the median run, so that a busy machine skews the figure as little as
# possible. Set SMDL_BENCH_CALLGRIND=1 to also count instructions per line on
# a 5,000-line module (repeatable whatever the machine is doing).
set -euo pipefail
cd "$(dirname "$0")/.."
smdl=build/bin/smdl
runs=${RUNS:-5}
work=build/bench
mkdir -p "$work"
bash bench/gen_check_input.sh 50000 > "$work/check50k.smdl"
lines=$(wc -l < "$work/check50k.smdl")

user_times=()
for ((i = 0; i < runs; i++)); do
  t=$( { TIMEFORMAT=%U; time "$smdl" check "$work/check50k.smdl" > /dev/null; } 2>&1 | tail -1)
  user_times+=("$t")
done
sorted=$(printf '%s\n' "${user_times[@]}" | sort -n)
best=$(echo "$sorted" | head -1)
median=$(echo "$sorted" | sed -n "$(( (runs + 1) / 2 ))p")
rate() { awk -v l="$lines" -v t="$1" 'BEGIN { if (t <= 0) t = 0.01; printf "%d", l / t }'; }
echo "check: $lines lines, user CPU per run: ${user_times[*]} s"
echo "check: best $(rate "$best") lines/s, median $(rate "$median") lines/s (one core)"

if [ "${SMDL_BENCH_CALLGRIND:-0}" = 1 ] && command -v valgrind > /dev/null; then
  bash bench/gen_check_input.sh 5000 > "$work/check5k.smdl"
  small=$(wc -l < "$work/check5k.smdl")
  valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" "$smdl" check "$work/check5k.smdl" \
    > /dev/null 2> "$work/callgrind.log"
  total=$(grep -oP 'Collected : \K[0-9]+' "$work/callgrind.log" || true)
  [ -n "$total" ] && echo "check: $(( total / small )) instructions per line (callgrind, $small lines)"
fi

# runtime: engine fires against the raw storage layer doing the same writes
# (ratio in one run), async and sync; then a database of RECORDS records
# (default 1,000,000) is populated and served by a fresh process whose peak
# memory is reported (SMDL_BENCH_RECORDS=0 skips this part).
build/bin/smdl_bench_runtime fires 20000 2
# The engine in memory (Storage::kMemory) against the engine on RocksDB.
build/bin/smdl_bench_runtime memory 20000 1
build/bin/smdl_bench_runtime memory 20000 2
records=${SMDL_BENCH_RECORDS:-1000000}
if [ "$records" -gt 0 ]; then
  memdir="$work/memory-db"
  rm -rf "$memdir"
  build/bin/smdl_bench_runtime populate "$memdir" "$records"
  build/bin/smdl_bench_runtime serve "$memdir" "$records"
  rm -rf "$memdir"
fi

# calendar: Calendar::Add over an office calendar with holidays (Europe/Berlin),
# targets from minutes to eight weeks, and Between; best of RUNS rounds of a
# million operations each, on one thread.
RUNS=$runs build/bin/smdl_bench_calendar

# expr: typical guards and policies through the bytecode interpreter and as
# hand-written C++ in the same run; best of five rounds each (docs/benchmarks.md).
build/bin/smdl_bench_expr

# statecharts: the executor's cost of a fire in nested states and in
# parallel regions against flat ones (times, best of five rounds); with SMDL_BENCH_CALLGRIND=1 also the
# instructions per fire, which do not depend on the machine's load.
build/bin/smdl_bench_statecharts 20000
if [ "${SMDL_BENCH_CALLGRIND:-0}" = 1 ] && command -v valgrind > /dev/null; then
  for kind in move parent; do
    for variant in flat nested parallel; do
      count() {
        valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.sc" \
          build/bin/smdl_bench_statecharts "$1" "$variant" "$kind" 2>&1 | grep -oP 'Collected : \K[0-9]+'
      }
      small=$(count 400); large=$(count 800)
      # Five rounds each: the difference is 5 * 400 fires.
      echo "statecharts $kind $variant: $(( (large - small) / 2000 )) instructions per fire (callgrind)"
    done
  done
fi

# http: the server under wrk against the embedded engine, latency at 50% and
# 90% of the maximum, 20 deploys under load (bench/http.sh).
bash bench/http.sh
