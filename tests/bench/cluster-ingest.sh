#!/bin/sh
# tests/bench/cluster-ingest.sh - revwire ingest -r FILE (normalise, score,
# dedupe script + XADD, one FCALL rw_ep per event) into one redis-server
# and into a three-master Redis Cluster (redis-cluster yes), both over TCP
# on 127.0.0.1, no persistence: events per second and what the cluster
# routing costs or gains.
#
#   tests/bench/cluster-ingest.sh [BUILD_DIR] [EVENTS] [BASE_PORT]
#
# Ports BASE_PORT .. +3 (default 18346) and their bus ports (+10000).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-50000}
base=${3:-18346}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
ports="$base $((base + 1)) $((base + 2)) $((base + 3))"
cleanup() {	# and wait, so the ports are free for the next run
	for p in $ports; do
		[ -f "$work/$p/pid" ] || continue
		pid=$(cat "$work/$p/pid")
		kill "$pid" 2>/dev/null || continue
		i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
			i=$((i + 1)); sleep 0.05
		done
	done
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
start() {	# port [cluster]
	mkdir -p "$work/$1"
	redis-server --port "$1" --bind 127.0.0.1 --dir "$work/$1" --save '' \
	    --appendonly no --daemonize yes --pidfile "$work/$1/pid" \
	    --logfile "$work/$1/log" ${2:+--cluster-enabled yes \
	    --cluster-config-file "$work/$1/nodes.conf"}
	i=0; until redis-cli -p "$1" PING >/dev/null 2>&1; do
		i=$((i + 1)); [ $i -lt 100 ] || { echo "redis $1 did not start"; exit 1; }
		sleep 0.05
	done
}
python3 - "$top/tests/data/endpoint/real/winlogbeat6_sysmon3.jsonl" "$n" \
    > "$work/events.jsonl" <<'PY'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
n = int(sys.argv[2])
for k in range(n):
    d = json.loads(json.dumps(base[k % len(base)]))
    w = d.get("winlog")
    if w is not None:
        w["record_id"] = int(w["record_id"]) + k * 10**7
    else:
        d["record_number"] = str(int(d["record_number"]) + k * 10**7)
    print(json.dumps(d))
PY
run() {	# label url [conf]
	t0=$(date +%s.%N)
	"$build/revwire" ingest --redis "$2" ${3:+--config "$3"} \
	    -r "$work/events.jsonl" --set state-dir="$work/state" >/dev/null
	t1=$(date +%s.%N)
	python3 -c 'import sys; n=int(sys.argv[1]); t=float(sys.argv[3])-float(sys.argv[2]); print("%-28s %8d events %7.2f s %9.0f events/s" % (sys.argv[4], n, t, n/t))' \
	    "$n" "$t0" "$t1" "$1"
}
set -- $ports
start "$1"
run "one redis-server (TCP)" "redis://127.0.0.1:$1"
start "$2" c; start "$3" c; start "$4" c
redis-cli --cluster create 127.0.0.1:$2 127.0.0.1:$3 127.0.0.1:$4 --cluster-yes >/dev/null
i=0; for p in $2 $3 $4; do until redis-cli -p "$p" CLUSTER INFO | grep -q '^cluster_state:ok'; do
	i=$((i + 1)); [ $i -lt 400 ] || { echo "cluster not ok"; exit 1; }; sleep 0.05; done; done
echo "redis-cluster yes" > "$work/cluster.conf"
run "three masters (cluster)" "redis://127.0.0.1:$2" "$work/cluster.conf"
for p in $2 $3 $4; do
	printf '  master %s: %s keys\n' "$p" "$(redis-cli -p "$p" DBSIZE)"
done
