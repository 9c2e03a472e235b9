#!/bin/sh
# From cryptoapi_other events to alerts, against a real redis-server: the
# sensor on tests/data/gen/cryptoapi.pcap writing into Redis raises exactly
# one cryptoapi_non_pki alert per CryptoAPI download of a non-PKI body (the
# script, the "MZ" file, the gzip: client, server, URL, agent in the
# explanation), and none for the 404, the HEAD or the browser's download.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/redis.sh"
start_redis
"$REVWIRE" sensor -q -r "$top_srcdir/tests/data/gen/cryptoapi.pcap" \
    --redis "$REDIS_URL" --json "$TMP/out.json"
grep '"event_type":"alert"' "$TMP/out.json" >"$TMP/alerts.json" || true
python3 - "$TMP/alerts.json" <<'PYEOF'
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1])]
capi = sorted((a for a in alerts if a.get("rule") == "cryptoapi_non_pki"),
              key=lambda a: a["src_port"])
want = [("/stage.sh", "Microsoft-CryptoAPI/10.0"),
        ("/update.exe", "Microsoft-CryptoAPI/10.0"),
        ("/stage.sh.gz", "CertUtil URL Agent")]
bad = 0
if len(capi) != len(want):
    print("FAIL: %d cryptoapi_non_pki alerts, want %d" % (len(capi), len(want)))
    bad += 1
for a, (url, ua) in zip(capi, want):
    ex = a.get("explain", "")
    ok = (a["src_ip"] == "127.0.0.1" and a["count"] == 1 and
          ("downloads.revwire.test%s and" % url) in ex and
          ("User-Agent %s to" % ua) in ex)
    print("%s cryptoapi_non_pki %s %s" % ("ok" if ok else "FAIL", url, ua))
    bad += not ok
# count 1 each: the HEAD and the browser's fetch of /update.exe added none
if any("/missing.exe" in a.get("explain", "") for a in alerts):
    print("FAIL: an alert for the 404")
    bad += 1
sys.exit(1 if bad else 0)
PYEOF
