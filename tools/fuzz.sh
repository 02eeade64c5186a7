#!/usr/bin/env bash
# Fuzzing in a separate clang build (build-fuzz) with AddressSanitizer and
# UBSan (which stops at its first report, so that it counts as a crash).
#
# Run, this is `make fuzz`: every fuzz target of tests/fuzz/tests.cmake for
# SMDL_FUZZ_SECONDS each (default 60), each stopping at its first crash,
# hang or leak. New inputs that grow coverage land in
# build-fuzz/fuzz-corpus/NAME; a failing input is left in
# build-fuzz/findings/NAME and fails the run.
#
# Sourced (tools/soak.sh), it only defines the functions below. JOBS sets the
# build's parallelism (default: every core). A fuzzer that does not build
# fails the run too, after the others have run.
set -euo pipefail

fuzz_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fuzz_dir=$fuzz_root/build-fuzz
fuzz_list=$fuzz_dir/fuzzers.txt  # NAME BINARY ARGUMENTS..., written by cmake
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

# fuzz_configure: configures build-fuzz once; later it only regenerates the
# build when the CMake files changed, so that new fuzz targets appear in the
# list before it is read.
fuzz_configure() {
  if [ ! -f "$fuzz_dir/build.ninja" ]; then
    CC=clang CXX=clang++ cmake -S "$fuzz_root" -B "$fuzz_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DSMDL_BUILD_FUZZERS=ON \
      -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
      -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
  else
    cmake --build "$fuzz_dir" --target build.ninja > /dev/null
  fi
}

# fuzz_build TARGET...: builds targets of build-fuzz.
fuzz_build() { cmake --build "$fuzz_dir" -j "${JOBS:-$(nproc)}" --target "$@"; }

# fuzz_target NAME: the build target of fuzzer NAME.
fuzz_target() { awk -v name="$1" '$1 == name { n = split($2, p, "/"); print p[n] }' "$fuzz_list"; }

# fuzz_names: the fuzz targets, one a line.
fuzz_names() { awk '{ print $1 }' "$fuzz_list"; }

# fuzz_run NAME SECONDS LOG [FLAG...]: fuzzes NAME with its arguments from the
# list and the extra libFuzzer FLAGs, output to LOG; libFuzzer's status.
fuzz_run() {
  local name=$1 seconds=$2 log=$3 bin args
  shift 3
  read -r _ bin args < <(grep "^$name " "$fuzz_list")
  # The list's arguments are paths and flags without blanks.
  # shellcheck disable=SC2086
  "$bin" $args -max_total_time="$seconds" -print_final_stats=1 "$@" > "$log" 2>&1
}

fuzz_main() {
  local seconds=${SMDL_FUZZ_SECONDS:-60} status=0 name findings log
  fuzz_configure
  for name in $(fuzz_names); do
    findings=$fuzz_dir/findings/$name
    log=$fuzz_dir/fuzz-$name.log
    mkdir -p "$findings"
    if ! fuzz_build "$(fuzz_target "$name")"; then
      echo "fuzz $name: DOES NOT BUILD"
      status=1
    elif fuzz_run "$name" "$seconds" "$log" -artifact_prefix="$findings/"; then
      echo "fuzz $name: $(sed -n 's/^stat::number_of_executed_units: //p' "$log") inputs, no finding"
    else
      tail -n 40 "$log"
      echo "fuzz $name: FINDING (log $log, input in $findings)"
      status=1
    fi
  done
  return $status
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  fuzz_main
fi
