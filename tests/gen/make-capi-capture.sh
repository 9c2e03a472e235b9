#!/bin/sh
# make-capi-capture.sh - regenerate the CryptoAPI-downloader capture and its
# expected events: curl wearing certutil's User-Agents fetches files that
# are no PKI objects (a shell script, a file starting with "MZ", a gzip)
# from tests/gen/httpd.py, all on loopback and recorded with tcpdump.
#
# usage: tests/gen/make-capi-capture.sh [DATA_DIR [EXPECTED_DIR]]
#   defaults tests/data/gen and tests/expected/gen in this checkout;
#   writes cryptoapi.pcap, cryptoapi.json and cryptoapi.packets.
# env:   CAPI_PORT (18083), PYTHON (python3)
# needs: root (tcpdump on lo), openssl, curl, gzip, tcpdump, python3.
#
# The exchanges, one connection each: Microsoft-CryptoAPI/10.0 fetching
# the script and the "MZ" file, "CertUtil URL Agent" fetching the gzip
# (three cryptoapi_other events); as controls, which give none: a
# CryptoAPI fetch of a real CA certificate (a ca_cert event), of a file
# the server does not have (404, no body) and a HEAD of the "MZ" file, and
# a browser User-Agent fetching the "MZ" file.  tests/gen/expected_capi.py
# takes the lengths and hashes from the served files (sha256sum) and the
# certificate's fields from `openssl x509`.
set -eu
LC_ALL=C
TZ=UTC
export LC_ALL TZ
gen=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$gen/../.." && pwd)
DATA=${1:-$top/tests/data/gen}
EXPD=${2:-$top/tests/expected/gen}
CAPI_PORT=${CAPI_PORT:-18083}
PYTHON=${PYTHON:-python3}
HOST='downloads.revwire.test'
CAPI='Microsoft-CryptoAPI/10.0'
W=$(mktemp -d "${TMPDIR:-/tmp}/revwire-capi.XXXXXX")
PIDS=""
ME=make-capi-capture

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for t in openssl curl gzip tcpdump "$PYTHON"; do
	command -v "$t" >/dev/null 2>&1 || { echo "$ME: $t not found" >&2; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "$ME: tcpdump on lo needs root" >&2; exit 77; }
mkdir -p "$DATA" "$EXPD" "$W/www"
. "$gen/lib.sh"

www=$W/www
printf '#!/bin/sh\n# revwire test payload, fetched with a CryptoAPI User-Agent\necho "stage 2"\n' \
    >"$www/stage.sh"
# a DOS header and stub, padded past the sensor's smallest body cap (1 KB)
# so tests/cryptoapi.sh can see the hash go when the cap cuts it
{
	printf 'MZ\220\000\003\000\000\000\004\000\000\000\377\377\000\000'
	printf 'This program cannot be run in DOS mode.\r\r\n$'
	head -c 4000 /dev/zero
} >"$www/update.exe"
gzip -n -c "$www/stage.sh" >"$www/stage.sh.gz"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$W/ca.key" -subj '/C=US/O=revwire test PKI/CN=revwire CryptoAPI Test CA' \
    -days 3650 -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign -outform DER \
    -out "$www/ca.crt" 2>"$W/openssl.log" || { cat "$W/openssl.log" >&2; exit 1; }

TX=$W/cryptoapi.tsv
: >"$TX"
bg "$W/httpd.log" "$PYTHON" "$gen/httpd.py" "$CAPI_PORT" "$www"
HTTPD=$BG
wait_log "$W/httpd.log" "listening"
capture_start "$W/cryptoapi.pcap" "tcp port $CAPI_PORT"
# get KIND UA PATH WANT-STATUS [CURL-OPTION]: one request on a connection
# of its own; EXPECT (JSON) carries what the script knows by construction.
get() {
	newconn
	_code=$(curl -sS ${5:-} -A "$2" -H "Host: $HOST" -o "$W/body" \
	    -w '%{http_code}' "http://127.0.0.1:$CAPI_PORT$3")
	[ "$_code" = "$4" ] || { echo "$ME: $3: HTTP $_code, want $4" >&2; exit 1; }
	_m=GET
	[ "${5:-}" = -I ] && _m=HEAD
	_f=$www$3
	[ -f "$_f" ] || _f=-
	tx "$1" "$_m" "$HOST" "$3" "$2" "$CAPI_PORT" - "$_f" \
	    application/octet-stream "$2 $_m $3 ($4)"
}
EXPECT='{"body_magic": "script/text", "ua_version": "10.0"}' \
    get cryptoapi_other "$CAPI" /stage.sh 200
EXPECT='{"body_magic": "pe", "ua_version": "10.0"}' \
    get cryptoapi_other "$CAPI" /update.exe 200
EXPECT='{"body_magic": "gzip", "ua_version": "certutil"}' \
    get cryptoapi_other 'CertUtil URL Agent' /stage.sh.gz 200
get ca_cert 'Microsoft-CryptoAPI/6.1' /ca.crt 200
get none "$CAPI" /missing.exe 404
get none "$CAPI" /update.exe 200 -I
get none 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' /update.exe 200
capture_stop cryptoapi
stop "$HTTPD"

"$PYTHON" "$gen/expected_capi.py" --tx "$TX" --pcap "$W/cryptoapi.pcap" \
    --out "$W/cryptoapi.json"
cp "$W/cryptoapi.pcap" "$DATA/cryptoapi.pcap"
cp "$W/cryptoapi.json" "$W/cryptoapi.packets" "$EXPD/"
ls -l "$DATA/cryptoapi.pcap" "$EXPD/cryptoapi.json"
