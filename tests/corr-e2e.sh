#!/bin/sh
# Correlation end to end against a real redis-server: the real-tool capture
# (tests/data/gen/real-tools.pcap: openssl/curl OCSP, a CRL and an AIA
# fetch) plus Sysmon 3/1/7 events whose 5-tuples and UtcTimes match its
# flows (tests/data/corr/real-tools.sysmon.jsonl, real event shapes with
# the edited fields listed in the file) give exactly the alerts of
# tests/expected/corr/real-tools.alerts (rule, score, host, process image,
# serial, CA, count, tool) whether the endpoint events arrive last, first,
# or while two sensors and an ingester write at once; every alert is
# created by exactly one process; replaying everything changes nothing;
# ack/close, the query commands and their JSON.  Two sensors reading the
# same capture are two taps seeing the same packets: the second copy of
# each event is recognised by its content id (wire_duplicate).
. "$top_srcdir/tests/setup"
. "$top_srcdir/tests/redis.sh"
start_redis
PCAP="$top_srcdir/tests/data/gen/real-tools.pcap"
SYSMON="$top_srcdir/tests/data/corr/real-tools.sysmon.jsonl"
EXPECTED="$top_srcdir/tests/expected/corr/real-tools.alerts"
fail=0

sensor() {	# output file
	"$REVWIRE" sensor -q -r "$PCAP" --redis "$REDIS_URL" --json "$1"
}
ingest() {	# output file
	"$REVWIRE" ingest --redis "$REDIS_URL" -r "$SYSMON" > "$1"
}
project() {	# alerts JSON lines -> the expected file's columns
	python3 -c '
import json, sys
print("# rule\tscore\tseverity\thost\timage\tserial\tca\tcount\ttool_image\tfirst_seen\tlast_seen")
for l in sys.stdin:
    a = json.loads(l)
    print("\t".join(str(a.get(k, "-")) for k in ("rule", "score", "severity",
        "host", "image", "serial", "ca", "count", "tool_image", "first_seen",
        "last_seen")))'
}
created() {	# files...: alert lines the processes wrote as they created them
	cat "$@" | grep -h '"event_type":"alert"' || true
}
check_run() {	# name, files with the processes' outputs
	_n=$1; shift
	"$REVWIRE" query --redis "$REDIS_URL" --json alerts > "$TMP/$_n.json"
	project < "$TMP/$_n.json" > "$TMP/$_n.alerts"
	if cmp -s "$EXPECTED" "$TMP/$_n.alerts"; then echo "ok $_n alerts"; else
		echo "FAIL $_n alerts"; diff "$EXPECTED" "$TMP/$_n.alerts" | head -20; fail=1; fi
	# each alert created once, by one process, and announced by it
	created "$@" | python3 -c '
import json, sys
ids = [json.loads(l)["id"] for l in sys.stdin]
want = [json.loads(l)["id"] for l in open(sys.argv[1])]
if len(ids) != len(set(ids)) or sorted(ids) != sorted(want):
    print("created %d (%d distinct), stored %d" % (len(ids), len(set(ids)), len(want)))
    sys.exit(1)' "$TMP/$_n.json" && echo "ok $_n created once" ||
	    { echo "FAIL $_n created once"; fail=1; }
}

# endpoint events last
sensor "$TMP/s1.out"; ingest "$TMP/i1.out"
check_run endpoint-last "$TMP/s1.out" "$TMP/i1.out"
cp "$TMP/endpoint-last.json" "$TMP/reference.json"

# replaying the same data (another sensor on the same tap) changes nothing
sensor "$TMP/s1b.out"; ingest "$TMP/i1b.out"
"$REVWIRE" query --redis "$REDIS_URL" --json alerts > "$TMP/replay.json"
cmp -s "$TMP/reference.json" "$TMP/replay.json" && echo "ok replay idempotent" ||
    { echo "FAIL replay changed the alerts"; diff "$TMP/reference.json" "$TMP/replay.json" | head; fail=1; }
[ -z "$(created "$TMP/s1b.out" "$TMP/i1b.out")" ] && echo "ok replay creates nothing" ||
    { echo "FAIL replay created alerts"; fail=1; }
[ "$(rcli HGET 'rw:{rw}:stats' wire_duplicate)" = 17 ] && echo "ok 17 duplicate wire events" ||
    { echo "FAIL wire_duplicate"; fail=1; }

# endpoint events first
rcli FLUSHALL >/dev/null
ingest "$TMP/i2.out"; sensor "$TMP/s2.out"
check_run endpoint-first "$TMP/s2.out" "$TMP/i2.out"

# two sensors and an ingester at once
rcli FLUSHALL >/dev/null
sensor "$TMP/s3.out" & p1=$!
sensor "$TMP/s4.out" & p2=$!
ingest "$TMP/i3.out" & p3=$!
wait $p1; wait $p2; wait $p3
check_run concurrent "$TMP/s3.out" "$TMP/s4.out" "$TMP/i3.out"
cmp -s "$TMP/reference.json" "$TMP/concurrent.json" && echo "ok concurrent = single run" ||
    { echo "FAIL concurrent differs from a single run"; fail=1; }

# alert lines on the sensor's JSON output carry the public shape
grep -m1 '"rule":"ocsp_revoked"' "$TMP/s1.out" | python3 -c '
import json, sys
a = json.loads(sys.stdin.read())
assert a["technique"] == "T1588.003" and a["status"] == "new", a
assert a["first_seen"].endswith("Z") and "key" not in a, a
assert all(e.startswith(("w:", "e:")) for e in a["evidence"]), a' &&
    echo "ok alert line shape" || { echo "FAIL alert line shape"; fail=1; }

# the query commands
ID=$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["id"])' "$TMP/reference.json")
# the strongest alert: revoked_confirmed, its evidence oldest first, the
# Sysmon 7 load (48 s after the OCSP answers) last
"$REVWIRE" query --redis "$REDIS_URL" alert "$ID" > "$TMP/alert"
sed -n '/^evidence:/,$p' "$TMP/alert" | sed 1d > "$TMP/evidence"
[ "$(wc -l < "$TMP/evidence")" = 12 ] && sort -c "$TMP/evidence" &&
    tail -1 "$TMP/evidence" | grep -q '^2026-11-23T00:34:00.000000Z  e:.*payload.exe' &&
    grep -q '"rule": "revoked_confirmed"' "$TMP/alert" &&
    echo "ok alert ID with its evidence" || { echo "FAIL alert ID"; cat "$TMP/alert"; fail=1; }
"$REVWIRE" alert --redis "$REDIS_URL" ack "$ID" | grep -qx "$ID acknowledged" &&
    echo "ok ack" || { echo "FAIL ack"; fail=1; }
"$REVWIRE" query --redis "$REDIS_URL" --json alerts --status acknowledged |
    python3 -c 'import json,sys; l=sys.stdin.readlines(); assert len(l)==1 and json.loads(l[0])["id"]==sys.argv[1]' "$ID" &&
    echo "ok --status" || { echo "FAIL --status"; fail=1; }
"$REVWIRE" alert --redis "$REDIS_URL" close "$ID" >/dev/null
[ "$(rcli XREVRANGE 'rw:{rw}:alerts:stream' + - COUNT 1 | sed -n 3p)" = closed ] &&
    echo "ok close on the stream" || { echo "FAIL close on the stream"; fail=1; }
if "$REVWIRE" alert --redis "$REDIS_URL" ack 0000000000000000 2>"$TMP/err"; then
	echo "FAIL ack of a missing alert"; fail=1
else grep -q "no such alert" "$TMP/err" && echo "ok ack missing" || { echo "FAIL ack missing msg"; cat "$TMP/err"; fail=1; }; fi
n=$("$REVWIRE" query --redis "$REDIS_URL" --json alerts --rule ocsp_revoked --min-score 60 | wc -l)
[ "$n" = 5 ] && echo "ok --rule --min-score" || { echo "FAIL --rule --min-score: $n"; fail=1; }
n=$("$REVWIRE" query --redis "$REDIS_URL" --json alerts --host WS-SIGN01 --since 2026-11-23T00:33:30Z | wc -l)
[ "$n" = 2 ] && echo "ok --host --since" || { echo "FAIL --host --since: $n"; fail=1; }
n=$("$REVWIRE" query --redis "$REDIS_URL" --json alerts --limit 3 | wc -l)
[ "$n" = 3 ] && echo "ok --limit" || { echo "FAIL --limit: $n"; fail=1; }
"$REVWIRE" query --redis "$REDIS_URL" --json cert 7ffffd > "$TMP/good.cert"
grep -q '"type":"ocsp"' "$TMP/good.cert" && ! grep -q '"rule"' "$TMP/good.cert" &&
    echo "ok cert of a good serial: used, no alert" || { echo "FAIL cert 7FFFFD"; cat "$TMP/good.cert"; fail=1; }
"$REVWIRE" query --redis "$REDIS_URL" cert 7FFFFF > "$TMP/kc.cert"
grep -q '"reason":"keyCompromise"' "$TMP/kc.cert" && grep -q revoked_confirmed "$TMP/kc.cert" &&
    echo "ok cert 7FFFFF" || { echo "FAIL cert 7FFFFF"; cat "$TMP/kc.cert"; fail=1; }
"$REVWIRE" query --redis "$REDIS_URL" host ws-sign01 > "$TMP/host"
grep -q 'certutil.exe' "$TMP/host" && grep -q 'payload.exe' "$TMP/host" &&
    echo "ok host timeline" || { echo "FAIL host timeline"; cat "$TMP/host"; fail=1; }
"$REVWIRE" query --redis "$REDIS_URL" --json cas | python3 -c '
import json, sys
c = [json.loads(l) for l in sys.stdin]
# the code signing CA answers 16 OCSP/CRL exchanges; its root only signed
# the intermediate downloaded over AIA (the ca_cert event)
by = {x["name"].split(",")[0]: x for x in c}
assert len(c) == 2 and all(x["hosts"] == 1 and not x["known"] for x in c), c
assert by["CN=revwire Test Code Signing CA"]["events"] == 16, c
assert by["CN=revwire Test Root CA"]["events"] == 1, c' &&
    echo "ok cas" || { echo "FAIL cas"; fail=1; }
"$REVWIRE" query --redis "$REDIS_URL" --json stats | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["alerts"] == 21 and s["wire_events"] == 17 and s["wire_duplicate"] == 17 and s["ep_events"] == 5, s' &&
    echo "ok stats" || { echo "FAIL stats"; fail=1; }
# every key in Redis is one of the schema's, and docs/redis-schema.md lists them all
"$REVWIRE" query --json schema > "$TMP/schema.json"
rcli --scan > "$TMP/keys"
python3 -c '
import json, sys
pats = [json.loads(l)["key"] for l in open(sys.argv[1])]
doc = open(sys.argv[3]).read()
bad = [p for p in pats if "`%s`" % p not in doc]
prefixes = [p.split("<")[0] for p in pats]
stray = [k.strip() for k in open(sys.argv[2]) if k.strip() and not any(
    k.strip() == p or ("<" in q and k.startswith(p)) for p, q in zip(prefixes, pats))]
if bad or stray:
    print("undocumented:", bad, "not in the schema:", stray[:5]); sys.exit(1)' \
    "$TMP/schema.json" "$TMP/keys" "$top_srcdir/docs/redis-schema.md" &&
    echo "ok schema covers every key and the doc" || { echo "FAIL schema"; fail=1; }
"$REVWIRE" query --help | grep -q 'usage: revwire query' && echo "ok --help" || { echo "FAIL --help"; fail=1; }
exit $fail
