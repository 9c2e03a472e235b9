#!/bin/sh
# The sensor on the committed CryptoAPI-downloader capture (tests/data/gen/
# cryptoapi.pcap, made by tests/gen/make-capi-capture.sh: curl wearing
# Microsoft-CryptoAPI/10.0 and CertUtil URL Agent fetching a shell script,
# a file starting with "MZ" and a gzip from tests/gen/httpd.py, recorded
# with tcpdump on loopback) against tests/expected/gen/cryptoapi.json:
# three cryptoapi_other events with the length and sha256sum of the served
# files, their magic and the agent's version; a CryptoAPI fetch of a real
# CA certificate is a ca_cert event, a 404 without body, a HEAD and a
# browser fetch of the same "MZ" file give none.  Then the same capture
# with a 1 KB body cap: the cut "MZ" file keeps its length and magic, loses
# its hash, and says why.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
D="$top_srcdir/tests/data/gen"
E="$top_srcdir/tests/expected/gen"
sensor_check "$D/cryptoapi.pcap" "$E/cryptoapi.json" "$(cat "$E/cryptoapi.packets")"
"$REVWIRE" sensor -r "$D/cryptoapi.pcap" --no-redis --json /dev/null 2>"$TMP/err"
for c in "obj_other_cryptoapi 3" "obj_cert 1" "eve_events 4"; do
	if grep -qx "$c" "$TMP/err"; then
		echo "ok counter $c"
	else
		echo "FAIL: stderr lacks the counter line '$c'"
		failures=$((failures + 1))
	fi
done

# the "MZ" event of the expected file, cut by the cap
"$PYTHON" - "$E/cryptoapi.json" >"$TMP/cut.json" <<'PYEOF'
import json, sys
exp = json.load(open(sys.argv[1]))
ev = [e for e in exp if e.get("cryptoapi_other", {}).get("body_magic") == "pe"]
assert len(ev) == 1 and ev[0]["cryptoapi_other"]["body_len"] > 1024
ev = ev[0]
ev["_label"] += ", cut at 1 KB"
ev["http"]["body_truncated"] = True
ev["cryptoapi_other"]["body_sha256"] = None
ev["anomalies"] = ["app_body_truncated"]
print(json.dumps([ev, {"count": 3, "where": {"event_type": "cryptoapi_other"}},
                  {"count": 2, "where": {"cryptoapi_other": {
                      "body_sha256": {"$present": True}}}}]))
PYEOF
"$REVWIRE" sensor -r "$D/cryptoapi.pcap" --set http-max-body=1k --no-redis \
    --json - >"$TMP/cut.out" 2>"$TMP/cut.err"
if "$PYTHON" "$CHECK_EVENTS" --actual "$TMP/cut.out" "$TMP/cut.json"; then
	echo "ok cut body: no hash, app_body_truncated"
else
	echo "FAIL cut body"
	failures=$((failures + 1))
fi
finish
