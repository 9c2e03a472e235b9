#!/bin/sh
# tests/bench/redis-ingest.sh - endpoint events per second, per input shape,
# into a local Redis (unix socket, no persistence), pipelined in
# redis-batch commands.  For each shape:
#   no-redis revwire ingest --no-redis -r FILE: normalise and score only
#   file     revwire ingest -r FILE: normalise, correlate, write to Redis
#   list     revwire ingest --from-redis-list --until-empty on the same
#            lines pushed as Winlogbeat's output.redis would
# then, once, the floors and ceilings:
#   jansson / yajl   parsing the Winlogbeat lines alone (parse_floor.c):
#            a jansson tree (the normaliser before), yajl's lexer with
#            empty callbacks (the normaliser's parser now)
#   write    the Redis write path alone (redis_write.c): events normalised
#            once, then written through ingest_redis_event()
#   redis-cpu  events/s one Redis core sustains for that write path: Redis'
#            own time per event (INFO commandstats of the dedupe script)
#   ceiling  redis-benchmark pipelining bare XADDs of the stream's average
#            entry size, no dedupe
# Timed figures are the best of REPS runs (default 3): the machine is
# shared, and the best run is the one least disturbed.  INFLIGHT (default
# 1) is redis-inflight for file and list: 0 compares with batches that
# wait for their replies.
#
#   tests/bench/redis-ingest.sh [BUILD_DIR] [EVENTS] [BATCH]
#
# Shapes (EVENTS lines each, real events repeated with shifted record ids
# so that each is new to the dedupe):
#   wlb    Winlogbeat 6.x/7.x Sysmon, 2.4 kB per line (every event kept)
#   flat   NXLog / OTRF flat Sysmon, 1.6 kB (a third are ids we drop:
#          Sysmon 10, 11, 12, 13...)
#   mde    Defender streaming records (one of four is a table we drop;
#          no record id: nothing to dedupe on)
#   mix    all of the above, line by line in corpus proportions
# from ../shared/corpus when present, else tests/data/endpoint/real (wlb
# and flat only).  Target of issue 4: >= 200000/s into Redis.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-200000}
batch=${3:-256}
reps=${REPS:-3}
inflight=${INFLIGHT:-1}
. "$top/tests/bench/lib.sh"
bench_redis
rcli() { redis-cli -s "$sock" "$@"; }

corpus="$top/../shared/corpus/endpoint"
real="$top/tests/data/endpoint/real"
if [ -d "$corpus" ]; then
	wlb="$corpus/winlogbeat/beats-collection-sysmon-excerpts.jsonl $corpus/winlogbeat/empire_invoke_runas.winlogbeat6.cut.jsonl"
	flat=$(ls "$corpus"/otrf/*.jsonl | tr '\n' ' ')
	mde="$corpus/mde/graph2otel_streaming_records.jsonl"
else
	wlb="$real/winlogbeat6_sysmon3.jsonl"
	flat="$real/otrf_flat_sysmon3.jsonl $real/otrf_nxlog_sysmon3.jsonl"
	mde=""
fi
python3 - "$work" "$n" "wlb=$wlb" "flat=$flat" "mde=$mde" <<'PY'
import json, sys
work, n, sets = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
def shift(d, k):
    """a new record id, in whatever field the shape keeps it"""
    if "winlog" in d:
        d["winlog"]["record_id"] = int(d["winlog"]["record_id"]) + k
    elif "record_number" in d:
        d["record_number"] = str(int(d["record_number"]) + k)
    elif "RecordNumber" in d:
        d["RecordNumber"] = int(d["RecordNumber"]) + k
    elif "EventRecordID" in d:
        d["EventRecordID"] = int(d["EventRecordID"]) + k
base = {}
for s in sets:
    name, files = s.split("=", 1)
    if files.split():
        base[name] = [l for f in files.split() for l in open(f) if l.strip()]
base["mix"] = [l for name in ("wlb", "flat", "mde") for l in base.get(name, [])]
for name, lines in base.items():
    with open("%s/%s.jsonl" % (work, name), "w") as f, \
         open("%s/%s.resp" % (work, name), "wb") as p:
        for i in range(n):
            d = json.loads(lines[i % len(lines)])
            shift(d, i // len(lines) * 10**7)
            line = json.dumps(d)
            f.write(line + "\n")
            p.write(resp("RPUSH", "winlogbeat", line))
PY

now() { date +%s.%N; }
# best NAME CMD...: runs CMD $reps times (Redis flushed before each), keeps
# the fastest, prints events/s
best() {
	name=$1; shift
	b=""
	r=0; while [ $r -lt "$reps" ]; do
		rcli FLUSHALL >/dev/null
		[ "$name" != list ] || rcli --pipe < "$work/$set.resp" >/dev/null
		t0=$(now); "$@"; t1=$(now)
		b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN { s = c - a; print (b == "" || s < b) ? s : b }')
		r=$((r + 1))
	done
	awk -v n="$n" -v s="$b" -v name="$name" -v set="$set" 'BEGIN {
	    printf "%-5s %-9s %7.2f s %9.0f events/s\n", set, name, s, n / s }'
}
# the stream holds every kept event once
check_stream() {
	have=$(rcli XLEN 'rw:{ep}:events')
	[ "$have" = "$kept" ] || { echo "bench: $set $1: stream has $have events, want $kept"; exit 1; }
}

echo "== $n events per shape, redis-batch $batch, redis-inflight $inflight, best of $reps, redis $(redis-server --version | cut -d' ' -f3), load $(cut -d' ' -f1-3 /proc/loadavg)"
for set in wlb flat mde mix; do
	[ -f "$work/$set.jsonl" ] || continue
	f="$work/$set.jsonl"
	kept=$("$build/revwire" ingest --no-redis -r "$f" --json /dev/null --stats 2>&1 |
	    awk '$1 == "endpoint_events_kept" { print $2 }')
	echo "-- $set: $(du -h "$f" | cut -f1), $(awk -v n="$n" -v k="${kept:-0}" 'BEGIN { printf "%d%%", 100 * k / n }') kept"
	best no-redis "$build/revwire" ingest --no-redis -r "$f" --json /dev/null
	best file "$build/revwire" ingest --redis "unix://$sock" \
	    --set redis-batch="$batch" --set state-dir="$work/state" -r "$f" \
	    --set redis-inflight="$inflight" --json /dev/null
	check_stream file
	best list "$build/revwire" ingest --from-redis-list --until-empty \
	    --redis "unix://$sock" --set state-dir="$work/state" \
	    --set redis-batch="$batch" --set redis-inflight="$inflight"
	check_stream list
done

set=wlb
echo "-- floors and ceilings (wlb)"
make -s -C "$build" tests/bench/parse_floor tests/bench/redis_write
"$build/tests/bench/parse_floor" "$work/wlb.jsonl" "$reps"
rcli FLUSHALL >/dev/null
rcli CONFIG RESETSTAT >/dev/null
"$build/tests/bench/redis_write" "unix://$sock" "$work/wlb.jsonl" "$n" "$batch"
# Redis' own time per event (the dedupe script, from INFO commandstats):
# what one Redis core could take if the writers kept it busy
rcli INFO commandstats | tr -d '\r' | awk -F'[=,]' -v n="$n" '
    /^cmdstat_eval:/ { printf "%-15s %7s   %9.0f events/s (Redis CPU %.2f us/event)\n",
        "redis-cpu", "", n / ($4 / 1e6), $4 / n }'
avg=$(rcli --raw XRANGE 'rw:{ep}:events' - + COUNT 1000 |
    awk 'substr($0, 1, 1) == "{" { n++; b += length($0) } END { print int(b / n) }')
pad=$(head -c "$avg" /dev/zero | tr '\0' x)
rcli FLUSHALL >/dev/null
rps=$(redis-benchmark -s "$sock" -n "$n" -P "$batch" -q \
    XADD bench MAXLEN '~' 1000000 '*' event_type x json "$pad" 2>/dev/null |
    tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -n 1)
printf '%-15s %7s   %9.0f XADD/s (redis-benchmark -P %s, %s-byte entries)\n' \
    ceiling "" "$rps" "$batch" "$avg"
echo "== load $(cut -d' ' -f1-3 /proc/loadavg)"
