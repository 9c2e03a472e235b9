#!/bin/sh
# A lost reply does not double a wire event: a proxy (tests/redis-cut.py)
# lets Redis run the sensor's pipelined writes of
# tests/data/gen/real-tools.pcap and drops the connection before the
# replies come back, so the sensor spools them and replays them on its
# next connection.  Every event is then in rw:{wire}:events exactly once
# (the write's content-id mark, in the same script), the replayed
# correlation calls are seen as such (wire_duplicate), and the stream
# holds the same events as the sensor's own JSON output.
. "$top_srcdir/tests/setup"
. "$top_srcdir/tests/redis.sh"
start_redis
PCAP="$top_srcdir/tests/data/gen/real-tools.pcap"
fail=0

python3 "$top_srcdir/tests/redis-cut.py" "$TMP/proxy.sock" "$REDIS_SOCK" \
    'rw:{wire}:events' 2>"$TMP/proxy.log" &
proxy=$!
trap 'kill $proxy $REDIS_PID 2>/dev/null; wait $REDIS_PID 2>/dev/null; rm -rf "$TMP"' EXIT INT TERM
i=0
until grep -q listening "$TMP/proxy.log"; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo "FAIL proxy"; exit 1; }; sleep 0.05
done

"$REVWIRE" sensor -r "$PCAP" --redis "unix://$TMP/proxy.sock" \
    --set state-dir="$TMP/state" --json "$TMP/events.json" 2>"$TMP/sensor.err"
grep -q '^cut [1-9]' "$TMP/proxy.log" && echo "ok replies were lost" ||
    { echo "FAIL the proxy cut nothing"; cat "$TMP/proxy.log"; fail=1; }
stat() { sed -n "s/^$1 //p" "$TMP/sensor.err"; }
# the exit statistics are printed before the last flush, which replays
[ "$(stat redis_spooled)" -gt 0 ] 2>/dev/null && echo "ok unanswered writes spooled" ||
    { echo "FAIL nothing spooled"; cat "$TMP/sensor.err"; fail=1; }
n=$(grep -c '"event_type":"ocsp"\|"event_type":"crl"\|"event_type":"ca_cert"' "$TMP/events.json")
[ "$n" = 17 ] || { echo "FAIL sensor wrote $n events, want 17"; fail=1; }
[ "$(rcli --scan --pattern 'rw:{wire}:seen:*' | wc -l)" = 17 ] && echo "ok 17 content-id marks" ||
    { echo "FAIL marks"; fail=1; }
[ "$(rcli HGET 'rw:{rw}:stats' wire_events)" = 17 ] &&
    [ "$(rcli HGET 'rw:{rw}:stats' wire_duplicate)" -gt 0 ] &&
    echo "ok correlation counted each event once" ||
    { echo "FAIL correlation stats"; rcli HGETALL 'rw:{rw}:stats'; fail=1; }
# the stream: each event once, and the very events the sensor reported
rcli --raw XRANGE 'rw:{wire}:events' - + | python3 -c '
import json, sys
lines = sys.stdin.read().split("\n")
got = [json.loads(l) for l in lines if l.startswith("{")]
want = [json.loads(l) for l in open(sys.argv[1]) if "\"event_type\":\"alert\"" not in l]
key = lambda e: (e["timestamp"], e["event_type"], e["src_port"], e.get("http", {}).get("url"))
gk, wk = sorted(map(key, got)), sorted(map(key, want))
if gk != wk:
    dup = [k for k in set(gk) if gk.count(k) > 1]
    print("stream %d entries, sensor %d events; doubled: %s" % (len(gk), len(wk), dup[:3]))
    sys.exit(1)
for e in got:
    if e["event_type"] == "ocsp":
        for r in e["ocsp"].get("response", {}).get("responses", []):
            assert r["serial"] and r["cert_status"] in ("good", "revoked", "unknown"), r' \
    "$TMP/events.json" && echo "ok every event once in rw:{wire}:events" ||
    { echo "FAIL stream"; fail=1; }
[ "$(rcli XLEN 'rw:{wire}:events')" = 17 ] && echo "ok XLEN 17" ||
    { echo "FAIL XLEN $(rcli XLEN 'rw:{wire}:events')"; fail=1; }
exit $fail
