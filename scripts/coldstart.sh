#!/usr/bin/env bash
# Measures envhome's cold start on an empty SQLite database (until /healthz
# answers) and its idle resident memory, with and without demo data.
# Usage: scripts/coldstart.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
bin=$(mktemp -d)/envhome
go build -o "$bin" ./cmd/envhome
port=18185
for demo in false true; do
  for _ in $(seq "$runs"); do
    dir=$(mktemp -d)
    start=$(date +%s%N)
    "$bin" --data-dir "$dir" --addr 127.0.0.1:$port --demo=$demo >/dev/null 2>&1 &
    pid=$!
    until curl -sf 127.0.0.1:$port/healthz >/dev/null; do sleep 0.002; done
    ready=$(date +%s%N)
    sleep 2
    rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
    kill -TERM $pid
    wait $pid
    echo "demo=$demo  cold start $(( (ready - start) / 1000000 )) ms  idle RSS $(( rss / 1024 )) MiB  exit $?"
    rm -rf "$dir"
  done
done
