#!/bin/sh
# revoked_confirmed, serial-exact: Defender DeviceFileCertificateInfo rows
# (the real streaming-API record of the shared corpus, with the fields
# tests/data/corr/real-tools.defender.recipe lists edited) naming serials
# that tests/data/gen/real-tools.pcap shows revoked (OCSP answers, the
# CA's CRL) give one alert per host and serial, with that serial, the
# issuer, the host and both evidence ids, whichever side arrives first:
# tests/expected/corr/real-tools.defender.alerts.  The strongest wire
# finding scores it (OCSP keyCompromise 90 over the CRL's 80; the CRL's 60
# over OCSP affiliationChanged's 50).  A row outside correlate-window gets
# crl_listed_in_use instead; a row of a good serial joins nothing, even
# untrusted on a host whose address has revoked answers (Sysmon 3 maps
# it: the host+window rule is for loads that name no serial, and still
# confirms the Sysmon 7 load there).
. "$top_srcdir/tests/setup"
. "$top_srcdir/tests/redis.sh"
BASE="$SHARED_CORPUS/endpoint/mde/graph2otel_streaming_records.jsonl"
[ -f "$BASE" ] || skip "../shared/corpus/endpoint is absent (the Defender record is not part of a clone)"
start_redis
PCAP="$top_srcdir/tests/data/gen/real-tools.pcap"
SYSMON="$top_srcdir/tests/data/corr/real-tools.sysmon.jsonl"
EXPECTED="$top_srcdir/tests/expected/corr/real-tools.defender.alerts"
fail=0

python3 - "$SHARED_CORPUS/endpoint" "$top_srcdir/tests/data/corr/real-tools.defender.recipe" \
    > "$TMP/defender.jsonl" <<'PY'
import json, sys
root, recipe = sys.argv[1], sys.argv[2]
for line in open(recipe):
    if not line.strip() or line.startswith("#"):
        continue
    r = json.loads(line)
    rec = json.loads(open(root + "/" + r["base"]).readlines()[r["line"] - 1])
    assert rec["category"] == "AdvancedHunting-DeviceFileCertificateInfo", rec
    rec["properties"].update(r["set"])
    print(json.dumps(rec))
PY

sensor() { "$REVWIRE" sensor -q -r "$PCAP" --redis "$REDIS_URL" --json /dev/null; }
ingest() { "$REVWIRE" ingest --redis "$REDIS_URL" -r "$SYSMON" -r "$TMP/defender.jsonl" > /dev/null; }
project() {	# the alerts of the Defender hosts, and every revoked_confirmed
	"$REVWIRE" query --redis "$REDIS_URL" --json alerts | python3 -c '
import json, sys
print("# rule\tscore\thost\tserial\tissuer\tsubject\tevidence\tfirst_seen\tlast_seen")
rows = []
for l in sys.stdin:
    a = json.loads(l)
    if a["rule"] != "revoked_confirmed" and a.get("host") not in ("ws-build07", "ws-fin02"):
        continue
    ev = ",".join(sorted(e[0] for e in a["evidence"]))
    rows.append("\t".join(str(a.get(k, "-")) for k in ("rule", "score", "host",
        "serial", "issuer", "subject")) + "\t" + ev + "\t" + a["first_seen"] +
        "\t" + a["last_seen"])
print("\n".join(sorted(rows)))'
}
check() {	# name
	project > "$TMP/$1.alerts"
	if cmp -s "$EXPECTED" "$TMP/$1.alerts"; then echo "ok $1"; else
		echo "FAIL $1"; diff "$EXPECTED" "$TMP/$1.alerts" || true; fail=1; fi
}

ingest; sensor
check endpoint-first
"$REVWIRE" query --redis "$REDIS_URL" --json alerts --rule revoked_confirmed |
    python3 -c '
import json, sys
a = [json.loads(l) for l in sys.stdin if "ws-build07" in l and "7FFFFF" in l][0]
assert "serial 7FFFFF" in a["explain"] and "keyCompromise" in a["explain"], a
# the row, the 3 OCSP exchanges that answered revoked for 7FFFFF, the CRL
ev = sorted(e[0] for e in a["evidence"])
assert a["severity"] == "high" and ev == ["e", "w", "w", "w", "w"], a' &&
    echo "ok explanation and evidence" || { echo "FAIL explanation"; fail=1; }
rcli FLUSHALL >/dev/null
sensor; ingest
check endpoint-last
exit $fail
