#!/bin/sh
# make-tsp-capture.sh - regenerate the RFC 3161 capture and its expected
# events: a test TSA (tests/gen/tsa-pki.sh) answering through
# tests/gen/httpd.py with `openssl ts -reply`, queries made by `openssl ts
# -query` and POSTed by curl, all on loopback and recorded with tcpdump.
#
# usage: tests/gen/make-tsp-capture.sh [DATA_DIR [EXPECTED_DIR]]
#   defaults tests/data/gen and tests/expected/gen in this checkout;
#   writes timestamp.pcap, timestamp.json and timestamp.packets.
# env:   TSA_PORT (18082), PYTHON (python3)
# needs: root (tcpdump on lo), openssl, curl, tcpdump, python3.
#
# The exchanges: a sha256 query with a nonce and certReq (granted, token
# carrying the TSA and CA certificates); a sha1 query without nonce or
# certReq asking for the TSA's second policy, labelled with the older
# application/timestamp-request (granted, no certificates); a sha512 query
# the TSA refuses (rejection, badAlg); bytes that are no query at all
# (openssl answers rejection, badDataFormat).  tests/gen/expected_tsp.py
# takes the expected values from `openssl ts -query/-reply -text` and
# `openssl x509` on the very bytes that were sent, and checks each granted
# token with `openssl ts -verify`.
set -eu
LC_ALL=C
TZ=UTC
export LC_ALL TZ
gen=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$gen/../.." && pwd)
DATA=${1:-$top/tests/data/gen}
EXPD=${2:-$top/tests/expected/gen}
TSA_PORT=${TSA_PORT:-18082}
PYTHON=${PYTHON:-python3}
UA='revwire-test-signer/1.0'
HOST='timestamp.revwire.test'
. "$gen/lib.sh"
gen_begin make-tsp-capture openssl curl tcpdump "$PYTHON"
mkdir -p "$DATA" "$EXPD" "$W/x" "$W/www"

T=$W/tsa
sh "$gen/tsa-pki.sh" "$T"
printf 'revwire: code to be signed\n' >"$W/payload.bin"
# query NAME OPTION...: an `openssl ts -query` of the payload.
query() {
	_n=$1
	shift
	openssl ts -query -data "$W/payload.bin" "$@" -out "$W/x/$_n.tsq" 2>>"$W/openssl.log" ||
	    { cat "$W/openssl.log" >&2; exit 1; }
}
query granted -sha256 -cert
query nocert -sha1 -no_nonce -tspolicy 1.3.6.1.4.1.55555.1.2
query badalg -sha512 -cert
printf 'this is not a TimeStampReq\n' >"$W/x/garbage.tsq"

TX=$W/timestamp.tsv
: >"$TX"
bg "$W/httpd.log" "$PYTHON" "$gen/httpd.py" "$TSA_PORT" "$W/www" "$T/tsa.cnf"
HTTPD=$BG
wait_log "$W/httpd.log" "listening"
capture_start "$W/timestamp.pcap" "tcp port $TSA_PORT"
# post NAME REQUEST-TYPE REPLY-TYPE LABEL: curl POST of NAME.tsq to /tsa.
post() {
	newconn
	curl -sS -f -A "$UA" -H "Host: $HOST" -H "Content-Type: $2" \
	    --data-binary "@$W/x/$1.tsq" -o "$W/x/$1.tsr" "http://127.0.0.1:$TSA_PORT/tsa"
	tx tsp POST "$HOST" /tsa "$UA" "$TSA_PORT" "$W/x/$1.tsq" "$W/x/$1.tsr" "$3" "$4"
}
post granted application/timestamp-query application/timestamp-reply \
    "sha256, nonce, certReq: granted"
post nocert application/timestamp-request application/timestamp-response \
    "sha1, policy ...1.2, no nonce, no certReq, older labels: granted"
post badalg application/timestamp-query application/timestamp-reply \
    "sha512: rejection badAlg"
post garbage application/timestamp-query application/timestamp-reply \
    "not a query: tsp_req_malformed, rejection badDataFormat"
capture_stop timestamp
stop "$HTTPD"

"$PYTHON" "$gen/expected_tsp.py" --tx "$TX" --pcap "$W/timestamp.pcap" \
    --tsa-cert "$T/tsa.pem" --ca "$T/ca.pem" --out "$W/timestamp.json"
cp "$W/timestamp.pcap" "$DATA/timestamp.pcap"
cp "$W/timestamp.json" "$W/timestamp.packets" "$EXPD/"
ls -l "$DATA/timestamp.pcap" "$EXPD/timestamp.json"
