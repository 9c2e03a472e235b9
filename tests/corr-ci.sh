#!/bin/sh
# Code Integrity 3089 is signature information (the publisher and issuer of
# a 3033/3034/3036's file), not a bad load: on the real AaronLocker events
# (a 3033 with its two 3089s, a 3077 and a 3099) only the 3033 is a bad
# signature of the host (rw:{rw}:hbad), scored and alerted; both 3089s are
# kept in rw:{ep}:events as context; 3077/3099 are not kept at all.
. "$top_srcdir/tests/setup"
. "$top_srcdir/tests/redis.sh"
start_redis
CI="$top_srcdir/tests/data/endpoint/real/aaronlocker_ci_3033_3089_3077_3089_3099.xml"
fail=0

"$REVWIRE" ingest --redis "$REDIS_URL" -r "$CI" --stats >"$TMP/out" 2>"$TMP/err"
ok() { echo "ok $1"; }
no() { echo "FAIL $1"; fail=1; }
[ "$(rcli ZCARD 'rw:{rw}:hbad:desktop-7e3e45c')" = 1 ] && ok "one bad load" || no "bad loads"
bad=$(rcli ZRANGE 'rw:{rw}:hbad:desktop-7e3e45c' 0 -1)
rcli GET "rw:{rw}:ev:$bad" | grep -q '"loaded":"\\\\Device\\\\HarddiskVolume3\\\\Windows\\\\System32\\\\scrobj.dll"' &&
    ok "the bad load is the 3033's scrobj.dll" || { no "bad load event"; rcli GET "rw:{rw}:ev:$bad"; }
kinds=$(rcli --raw XRANGE 'rw:{ep}:events' - + | grep -o '"kind":"[a-z_]*"' | sort | uniq -c | tr -s ' ')
[ "$kinds" = ' 1 "kind":"ci_blocked"
 2 "kind":"ci_signature"' ] && ok "3033 and both 3089s in the stream" || { no "stream kinds"; echo "$kinds"; }
grep -q '^score_rows 1$' "$TMP/err" && ok "one scored row" || no "scored rows"
"$REVWIRE" query --redis "$REDIS_URL" --json alerts > "$TMP/alerts"
python3 -c '
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
assert len(a) == 1 and a[0]["rule"] == "endpoint_signature" and a[0]["score"] == 25, a
assert a[0]["host"] == "desktop-7e3e45c" and "blocked" in a[0]["explain"], a' "$TMP/alerts" &&
    ok "one alert, for the 3033" || { no "alerts"; cat "$TMP/alerts"; }
[ "$(rcli HGET 'rw:{rw}:stats' ep_events)" = 1 ] && ok "3089s not correlated" || no "ep_events"
exit $fail
