#!/bin/sh
# tests/bench/wire-redis.sh - wire events into a local Redis: the sensor
# on a revocation-heavy mixed capture (the real-tools OCSP/CRL connections
# again and again under fresh client addresses: the same serials asked by
# the whole "fleet"), into a private redis-server on a unix socket.
# Prints wall time, wire events/s and Redis' own time per correlation call
# (INFO commandstats: FCALL rw_wire) and event reads per wire event, which
# must stay flat as the capture grows: a join that reads every earlier
# user of a serial shows as reads per event growing with PACKETS.
#
#   tests/bench/wire-redis.sh [BUILD_DIR] [PACKETS] [REVOCATION_EVERY]
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-100000}
every=${3:-50}
. "$top/tests/bench/lib.sh"
bench_redis
python3 "$top/tests/bench/gen-mixed.py" --packets "$n" --revocation-every "$every" \
    --out "$work/rev.pcap" >/dev/null
t0=$(date +%s.%N)
"$build/revwire" sensor -r "$work/rev.pcap" --redis "unix://$sock" \
    --set state-dir="$work/state" --json /dev/null 2>"$work/err"
t1=$(date +%s.%N)
ev=$(sed -n 's/^wire_events //p' "$work/err")
redis-cli -s "$sock" INFO commandstats >"$work/stats"
awk -v n="$n" -v ev="$ev" -v a="$t0" -v b="$t1" -F'[=,]' '
/^cmdstat_fcall:/ { calls = $2; us = $4 }
/^cmdstat_get:/ { gets = $2 }
END {
	printf "%d packets, %d wire events: %.2f s, %.0f events/s\n", n, ev, b - a, ev / (b - a)
	printf "Redis time per rw_wire call %.1f us (%d calls), event reads per wire event %.1f\n",
	    us / calls, calls, gets / ev
}' "$work/stats"
