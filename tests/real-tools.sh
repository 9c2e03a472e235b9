#!/bin/sh
# The sensor on the committed real-tool captures (tests/data/gen, made by
# tests/gen/make-captures.sh with openssl ca/ocsp, curl and tcpdump on
# loopback) against tests/expected/gen, which the same script derived from
# the CA database (index.txt) and from openssl's own decoding.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
D="$top_srcdir/tests/data/gen"
E="$top_srcdir/tests/expected/gen"
# NAME.packets: the count tcpdump reported when it wrote NAME.pcap.
for n in real-tools vectors pki-wire; do
	sensor_check "$D/$n.pcap" "$E/$n.json" "$(cat "$E/$n.packets")"
done
finish
