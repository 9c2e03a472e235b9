#!/bin/sh
# tests/bench/redis-ingest.sh - endpoint events per second into a local
# Redis (unix socket, no persistence), pipelined in redis-batch commands:
#   file     revwire ingest -r FILE (normalise, score, write to Redis)
#   no-redis the same with --no-redis (the cost of the rest)
#   list     revwire ingest --from-redis-list --until-empty on the same
#            events pushed as Winlogbeat's output.redis would
#   write    the write path alone (tests/bench/redis_write.c): events
#            normalised once, then written through ingest_redis_event()
#   redis-cpu  events/s one Redis core sustains for the write path: Redis'
#            own time per event (INFO commandstats of the dedupe script)
# Each event goes in once (dedupe script: SET NX EX + XADD).
#
#   tests/bench/redis-ingest.sh [BUILD_DIR] [EVENTS] [BATCH]
#
# Events are the Winlogbeat samples (../shared/corpus when present, else
# tests/data/endpoint) copied with shifted record ids.  Target: >= 200000/s.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-200000}
batch=${3:-256}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
sock="$work/redis.sock"
cleanup() {
	[ ! -f "$work/redis.pid" ] || kill "$(cat "$work/redis.pid")" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
redis-server --port 0 --unixsocket "$sock" --dir "$work" --save "" \
    --appendonly no --daemonize yes --pidfile "$work/redis.pid" \
    --logfile "$work/redis.log"
i=0; until redis-cli -s "$sock" PING >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done

src="$top/../shared/corpus/endpoint/winlogbeat"
if [ -d "$src" ]; then
	set -- "$src/beats-collection-sysmon-excerpts.jsonl" \
	    "$src/empire_invoke_runas.winlogbeat6.cut.jsonl"
else
	set -- "$top/tests/data/endpoint/real/winlogbeat6_sysmon3.jsonl"
fi
python3 - "$work" "$n" "$@" <<'PY'
import json, sys
work, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
base = [json.loads(l) for f in files for l in open(f) if l.strip()]
def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
with open(work + "/events.jsonl", "w") as f, open(work + "/push.resp", "wb") as p:
    for i in range(n):
        d = json.loads(json.dumps(base[i % len(base)]))
        k = i // len(base) * 10**7
        if "winlog" in d:
            d["winlog"]["record_id"] = int(d["winlog"]["record_id"]) + k
        else:
            d["record_number"] = str(int(d["record_number"]) + k)
        line = json.dumps(d)
        f.write(line + "\n")
        p.write(resp("RPUSH", "winlogbeat", line))
PY
echo "== $n events ($(du -h "$work/events.jsonl" | cut -f1)), redis-batch $batch, $(redis-server --version | cut -d' ' -f3)"

# rate NAME T0 T1: events/s
rate() { awk -v n="$n" -v a="$2" -v b="$3" -v name="$1" 'BEGIN { s = b - a; printf "%-9s %7.2f s %9.0f events/s\n", name, s, n / s }'; }
now() { date +%s.%N; }

t0=$(now)
"$build/revwire" ingest --no-redis -r "$work/events.jsonl" --json /dev/null
t1=$(now); rate no-redis "$t0" "$t1"

t0=$(now)
"$build/revwire" ingest --redis "unix://$sock" --set redis-batch="$batch" \
    --set state-dir="$work/state" \
    -r "$work/events.jsonl" --json /dev/null
t1=$(now); rate file "$t0" "$t1"
have=$(redis-cli -s "$sock" XLEN 'rw:{ep}:events')
[ "$have" = "$n" ] || { echo "bench: stream has $have events, want $n"; exit 1; }

# the machine's ceiling: redis-benchmark pipelining bare XADDs of the
# stream's average entry size, no dedupe
avg=$(redis-cli -s "$sock" --raw XRANGE 'rw:{ep}:events' - + COUNT 1000 |
    awk 'substr($0, 1, 1) == "{" { n++; b += length($0) } END { print int(b / n) }')
pad=$(head -c "$avg" /dev/zero | tr '\0' x)
rps=$(redis-benchmark -s "$sock" -n "$n" -P "$batch" -q \
    XADD bench MAXLEN '~' 1000000 '*' event_type x json "$pad" 2>/dev/null |
    tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -n 1)
printf '%-9s %7s   %9.0f XADD/s (redis-benchmark -P %s, %s-byte entries)\n' \
    ceiling "" "$rps" "$batch" "$avg"
redis-cli -s "$sock" FLUSHALL >/dev/null
redis-cli -s "$sock" FLUSHALL >/dev/null
cc -O2 -I"$top" -I"$build" -o "$work/redis_write" "$top/tests/bench/redis_write.c" \
    "$top/src/ingest_redis.c" "$build/librevwire.a" \
    $(pkg-config --cflags --libs hiredis jansson expat libcrypto libpcap)
redis-cli -s "$sock" CONFIG RESETSTAT >/dev/null
"$work/redis_write" "unix://$sock" "$work/events.jsonl" "$n" "$batch"
# Redis' own time per event (the dedupe script, from INFO commandstats):
# what one Redis core could take if the writers kept it busy
redis-cli -s "$sock" INFO commandstats | tr -d '\r' | awk -F'[=,]' -v n="$n" '
    /^cmdstat_eval:/ { printf "%-9s %7s   %9.0f events/s (Redis CPU %.2f us/event)\n",
        "redis-cpu", "", n / ($4 / 1e6), $4 / n }'
have=$(redis-cli -s "$sock" XLEN 'rw:{ep}:events')
[ "$have" = "$n" ] || { echo "bench: stream has $have events, want $n"; exit 1; }

redis-cli -s "$sock" FLUSHALL >/dev/null
redis-cli -s "$sock" --pipe < "$work/push.resp" >/dev/null
t0=$(now)
"$build/revwire" ingest --from-redis-list --until-empty --redis "unix://$sock" \
    --set state-dir="$work/state" \
    --set redis-batch="$batch"
t1=$(now); rate list "$t0" "$t1"
have=$(redis-cli -s "$sock" XLEN 'rw:{ep}:events')
[ "$have" = "$n" ] || { echo "bench: stream has $have events, want $n"; exit 1; }
