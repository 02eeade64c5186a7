#!/usr/bin/env bash
# Fuzzes parse + check with libFuzzer for a bounded time (SMDL_FUZZ_SECONDS,
# default 60) in a separate clang build with AddressSanitizer and UBSan.
# New inputs that grow coverage land in build-fuzz/fuzz-corpus; a crash leaves
# a crash-* file in the current directory and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${SMDL_FUZZ_SECONDS:-60}
dir=build-fuzz
if [ ! -f "$dir/build.ninja" ]; then
  CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSMDL_BUILD_FUZZERS=ON -DSMDL_FUZZ_SECONDS="$seconds" \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined"
else
  cmake -S . -B "$dir" -DSMDL_FUZZ_SECONDS="$seconds" > /dev/null
fi
cmake --build "$dir" --target smdl_parse_check_fuzzer
mkdir -p "$dir/fuzz-corpus"
cd "$dir" && ctest --output-on-failure -L fuzz
