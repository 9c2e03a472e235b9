#!/bin/sh
# Regenerates the real-tool captures, the RFC 3161 one and the
# CryptoAPI-downloader one into a temp dir
# (fresh keys, fresh times, the ports from HTTP_PORT/OCSP_PORT) and runs
# the sensor on them:
# the committed captures are not the only traffic the sensor understands.
# Needs root (tcpdump on lo), openssl, curl and tcpdump; skips otherwise.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
[ "$(id -u)" = 0 ] || skip "tcpdump on the loopback interface needs root"
need_tool openssl curl tcpdump "$PYTHON"
# Ports of their own, so this can run beside a manual make-captures.sh.
HTTP_PORT=${GEN_HTTP_PORT:-18090}
OCSP_PORT=${GEN_OCSP_PORT:-18091}
export HTTP_PORT OCSP_PORT PYTHON
set +e
sh "$top_srcdir/tests/gen/make-captures.sh" "$TMP/data" "$TMP/exp" >"$TMP/gen.log" 2>&1
rc=$?
set -e
[ "$rc" = 77 ] && skip "$(tail -1 "$TMP/gen.log")"
if [ "$rc" != 0 ]; then
	echo "FAIL: make-captures.sh exited $rc"
	cat "$TMP/gen.log"
	exit 1
fi
# The RFC 3161 capture, on the HTTP port make-captures.sh has released.
set +e
TSA_PORT=$HTTP_PORT sh "$top_srcdir/tests/gen/make-tsp-capture.sh" "$TMP/data" "$TMP/exp" \
    >"$TMP/gen-tsp.log" 2>&1
rc=$?
set -e
if [ "$rc" != 0 ]; then
	echo "FAIL: make-tsp-capture.sh exited $rc"
	cat "$TMP/gen-tsp.log"
	exit 1
fi
# The CryptoAPI-downloader capture, on the same port.
set +e
CAPI_PORT=$HTTP_PORT sh "$top_srcdir/tests/gen/make-capi-capture.sh" "$TMP/data" "$TMP/exp" \
    >"$TMP/gen-capi.log" 2>&1
rc=$?
set -e
if [ "$rc" != 0 ]; then
	echo "FAIL: make-capi-capture.sh exited $rc"
	cat "$TMP/gen-capi.log"
	exit 1
fi
for n in real-tools vectors pki-wire timestamp cryptoapi; do
	[ -f "$TMP/data/$n.pcap" ] || continue
	sensor_check "$TMP/data/$n.pcap" "$TMP/exp/$n.json" "$(cat "$TMP/exp/$n.packets")"
done
finish
