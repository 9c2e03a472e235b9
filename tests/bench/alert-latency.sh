#!/bin/sh
# tests/bench/alert-latency.sh - wire-event-to-alert latency (p50/p99) of
# the correlation against a private redis-server on a unix socket, with
# the events of tests/data/gen/real-tools.pcap replayed ROUNDS times under
# fresh client addresses (every round raises new alerts: 8 ocsp_revoked,
# 8 crl_listed_in_use, a sweep ...); then the same pipelined.
#
#   tests/bench/alert-latency.sh [BUILD_DIR] [ROUNDS]     (default 200)
#
# Target: p99 <= 100 ms.  Needs redis-server >= 7, a built tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
rounds=${2:-200}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
redis-server --port 0 --unixsocket "$work/r.sock" --dir "$work" --save '' \
    --appendonly no >"$work/redis.log" 2>&1 &
rpid=$!
trap 'kill $rpid 2>/dev/null; wait $rpid 2>/dev/null; rm -rf "$work"' EXIT INT TERM
until redis-cli -s "$work/r.sock" ping >/dev/null 2>&1; do sleep 0.05; done
"$build/revwire" sensor -q --no-redis -r "$top/tests/data/gen/real-tools.pcap" \
    --json "$work/eve.json"
make -s -C "$build" tests/bench/alert_latency
"$build/tests/bench/alert_latency" "unix://$work/r.sock" "$work/eve.json" "$rounds"
echo "redis used_memory: $(redis-cli -s "$work/r.sock" info memory | grep '^used_memory_human' | cut -d: -f2)"
