#!/usr/bin/env bash
# Installs the Debian 12 packages smdl needs to build and test, only when one is missing.
# Runs apt-get update first in that case. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  cmake ninja-build g++ make pkg-config
  antlr4 default-jre-headless libantlr4-runtime-dev
  nlohmann-json3-dev libsimdjson-dev librocksdb-dev catch2 libre2-dev
  libhowardhinnant-date-dev libssl-dev libjemalloc-dev tzdata python3
  llvm-14-dev clang
  libcpp-httplib-dev curl wrk graphviz
  dpkg-dev file
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js runs the OpenAPI validator of the tests; any installed one will do
# (a Node.js from elsewhere brings its own npm), else Debian's.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "smdl: installing missing packages: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "smdl: these packages are missing and I am not root: ${missing[*]}" >&2
    exit 2
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
