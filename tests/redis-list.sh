#!/bin/sh
# Winlogbeat's output.redis list consumed by `revwire ingest
# --from-redis-list`: the ingester is SIGKILLed mid-batch and restarted;
# every event (by record id, computer and channel) is in rw:{ep}:events
# exactly once, duplicates pushed by Winlogbeat included, nothing is left
# in the list or the processing list, and malformed elements are counted
# and removed.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/redis.sh"
command -v redis-server >/dev/null || skip "redis-server is not installed"
command -v redis-cli >/dev/null || skip "redis-cli is not installed"
# the corpus' Winlogbeat 6/7 samples when present, else the one in tests/data
WLB="$SHARED_CORPUS/endpoint/winlogbeat"
set -- "$top_srcdir/tests/data/endpoint/real/winlogbeat6_sysmon3.jsonl"
copies=20000
if [ -d "$WLB" ]; then
	set -- "$WLB/beats-collection-sysmon-excerpts.jsonl" \
	    "$WLB/empire_invoke_runas.winlogbeat6.cut.jsonl" "$@"
	copies=200
fi
SOCK="$TMP/redis.sock"
URL="unix://$SOCK"
KEY=winlogbeat
PROC='{winlogbeat}:revwire:processing'
STREAM='rw:{ep}:events'
redis-server --port 0 --unixsocket "$SOCK" --dir "$TMP" --save "" \
    --daemonize yes --pidfile "$TMP/redis.pid" --logfile "$TMP/redis.log"
ingest_pid=
cleanup() {
	[ -z "$ingest_pid" ] || kill -9 "$ingest_pid" 2>/dev/null || true
	stop_redis
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
i=0; until redis-cli -s "$SOCK" PING >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "redis-server did not start"; exit 1; }
	sleep 0.05
done
R() { redis-cli -s "$SOCK" "$@"; }
fail=0

# Real Winlogbeat 6 and 7 events, copied with shifted record ids (each
# copy is a new event), a few pushed twice (Winlogbeat is at-least-once)
# and three malformed elements at the end; the push is RESP through
# redis-cli --pipe.
python3 - "$TMP" "$copies" "$@" <<'PY'
import json, sys
tmp, copies, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
base = [json.loads(l) for f in files for l in open(f) if l.strip()]
def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out
keys, pushes = set(), []
for k in range(copies):
    for d in base:
        d = json.loads(json.dumps(d))
        w = d.get("winlog")
        if w is not None:
            w["record_id"] = int(w["record_id"]) + k * 10**7
            rid, host, chan = w["record_id"], w["computer_name"], w["channel"]
        else:
            d["record_number"] = str(int(d["record_number"]) + k * 10**7)
            rid, host, chan = d["record_number"], d["computer_name"], d["log_name"]
        keys.add("%s|%s|%s" % (rid, host.lower(), chan))
        line = json.dumps(d)
        pushes.append(line)
        if k % (copies // 4) == 0:
            pushes.append(line)
pushes += ['{"winlog": {"event_id": ', 'not json', '[1, 2']
with open(tmp + "/push.resp", "wb") as f:
    for p in pushes:
        f.write(resp("RPUSH", "winlogbeat", p))
with open(tmp + "/want.keys", "w") as f:
    f.write("\n".join(sorted(keys)) + "\n")
print(len(pushes), "elements,", len(keys), "distinct events")
PY
R --pipe < "$TMP/push.resp" >/dev/null
pushed=$(R LLEN $KEY)
want=$(wc -l < "$TMP/want.keys")

# small batches, so the kill lands between a move and its removal
"$REVWIRE" ingest --from-redis-list --redis "$URL" --set redis-batch=8 \
    --set state-dir="$TMP/state" \
    2>"$TMP/err1" & ingest_pid=$!
# freeze it (SIGSTOP) until it is caught with a batch moved but not
# finished, then SIGKILL it there
i=0; while :; do
	i=$((i + 1)); [ $i -lt 2000 ] || { echo "FAIL: never caught mid-batch"; cat "$TMP/err1"; exit 1; }
	kill -STOP $ingest_pid
	if [ "$(R XLEN "$STREAM")" -ge 3000 ] && [ "$(R LLEN "$PROC")" -gt 0 ]; then
		break
	fi
	kill -CONT $ingest_pid
	sleep 0.01
done
kill -9 $ingest_pid
wait $ingest_pid 2>/dev/null || true
ingest_pid=
sleep 0.1	# what it had sent before the kill is executed
inflight=$(R LLEN "$PROC")
left=$(R LLEN $KEY)
echo "killed with $(R XLEN "$STREAM") events written, $inflight elements in flight, $left of $pushed waiting"
[ "$left" -gt 0 ] || { echo "FAIL: the kill came after the end"; fail=1; }
[ "$inflight" -gt 0 ] || { echo "FAIL: the kill was not mid-batch"; fail=1; }

"$REVWIRE" ingest --from-redis-list $KEY --until-empty --redis "$URL" \
    --set state-dir="$TMP/state" \
    --set redis-batch=64 --stats 2>"$TMP/err2"
check "recovered from the processing list" "ingest_list_recovered $inflight" \
    "$(grep '^ingest_list_recovered ' "$TMP/err2" || echo "ingest_list_recovered 0")"
check "list left" 0 "$(R LLEN $KEY)"
check "processing list left" 0 "$(R LLEN "$PROC")"
check "events in the stream" "$want" "$(R XLEN "$STREAM")"
R --raw XRANGE "$STREAM" - + | python3 -c '
import json, sys
for l in sys.stdin:
    if l.startswith("{"):
        print(json.loads(l)["dedupe_key"])
' | sort > "$TMP/have.keys"
check "events written more than once" "" "$(uniq -d "$TMP/have.keys" | head -n 3)"
check "events missing" "" "$(comm -23 "$TMP/want.keys" "$TMP/have.keys" | head -n 3)"
check "malformed elements counted" 3 "$(sed -n 's/^endpoint_json_malformed //p' "$TMP/err2")"
exit $fail
