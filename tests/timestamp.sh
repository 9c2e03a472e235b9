#!/bin/sh
# The sensor on the committed RFC 3161 capture (tests/data/gen/
# timestamp.pcap, made by tests/gen/make-tsp-capture.sh: `openssl ts
# -query` POSTed by curl to a TSA answering with `openssl ts -reply`,
# recorded with tcpdump on loopback) against tests/expected/gen/
# timestamp.json, which the same script took from `openssl ts -text` and
# `openssl x509` on the bytes sent: granted with certificates, granted
# without (older media types), a badAlg rejection, and a body that is no
# query (tsp_req_malformed, answered badDataFormat).
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
D="$top_srcdir/tests/data/gen"
E="$top_srcdir/tests/expected/gen"
sensor_check "$D/timestamp.pcap" "$E/timestamp.json" "$(cat "$E/timestamp.packets")"
# what was counted: four queries and replies, one query that is not DER
"$REVWIRE" sensor -r "$D/timestamp.pcap" --no-redis --json /dev/null 2>"$TMP/err"
for c in "obj_ts_query 4" "obj_ts_reply 4" "tsp_req_malformed 1" "eve_events 4"; do
	if grep -qx "$c" "$TMP/err"; then
		echo "ok counter $c"
	else
		echo "FAIL: stderr lacks the counter line '$c'"
		failures=$((failures + 1))
	fi
done
finish
