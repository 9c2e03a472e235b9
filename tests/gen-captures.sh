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
# Free ports of their own (GEN_HTTP_PORT, GEN_OCSP_PORT to choose them),
# so this runs beside the other tests and a manual make-captures.sh.
HTTP_PORT=${GEN_HTTP_PORT:-$(free_port)}
OCSP_PORT=${GEN_OCSP_PORT:-$(free_port "$HTTP_PORT")}
export HTTP_PORT OCSP_PORT PYTHON
# gen SCRIPT [VAR=VALUE...]: run one generator into $TMP/data and $TMP/exp;
# its skip (77) skips the test, any other failure fails it.
gen() {
	_g=$1; shift
	set +e
	env "$@" sh "$top_srcdir/tests/gen/$_g" "$TMP/data" "$TMP/exp" >"$TMP/$_g.log" 2>&1
	_rc=$?
	set -e
	[ "$_rc" = 77 ] && skip "$(tail -1 "$TMP/$_g.log")"
	if [ "$_rc" != 0 ]; then
		echo "FAIL: $_g exited $_rc"
		cat "$TMP/$_g.log"
		exit 1
	fi
	return 0
}
gen make-captures.sh
# The RFC 3161 and CryptoAPI-downloader captures, on the HTTP port
# make-captures.sh has released.
gen make-tsp-capture.sh TSA_PORT="$HTTP_PORT"
gen make-capi-capture.sh CAPI_PORT="$HTTP_PORT"
for n in real-tools vectors pki-wire timestamp cryptoapi; do
	[ -f "$TMP/data/$n.pcap" ] || continue
	sensor_check "$TMP/data/$n.pcap" "$TMP/exp/$n.json" "$(cat "$TMP/exp/$n.packets")"
done
finish
