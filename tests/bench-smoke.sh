#!/bin/sh
# A small mixed capture from tests/bench/gen-mixed.py (20,000 packets of
# TLS-, HTTP-, SSH- and DNS-shaped background with 20 real-tool OCSP/CRL
# connections sprinkled in): the sensor must find exactly the OCSP and CRL
# events that were inserted, no more, no fewer, and count every packet;
# then with full TLS chains (--tls-certs).
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
"$PYTHON" "$top_srcdir/tests/bench/gen-mixed.py" --packets 20000 --revocation-every 1000 \
    --concurrent 500 --out "$TMP/mixed.pcap" --expect-out "$TMP/mixed.json" 2>"$TMP/gen.log" ||
    { cat "$TMP/gen.log"; exit 1; }
cat "$TMP/gen.log"
sensor_check "$TMP/mixed.pcap" "$TMP/mixed.json" 20000
# The same with TLS 1.2 handshakes carrying the pki-wire chain and staple:
# one tls event with the whole chain per handshake, no staple that fails
# to verify.
"$PYTHON" "$top_srcdir/tests/bench/gen-mixed.py" --packets 20000 --revocation-every 1000 \
    --concurrent 500 --tls-certs --out "$TMP/chains.pcap" --expect-out "$TMP/chains.json" \
    2>"$TMP/gen.log" || { cat "$TMP/gen.log"; exit 1; }
cat "$TMP/gen.log"
sensor_check "$TMP/chains.pcap" "$TMP/chains.json" 20000
finish
