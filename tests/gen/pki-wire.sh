# shellcheck shell=sh disable=SC2154
# pki-wire.sh - capture 3 of make-captures.sh (sourced after capture 1, with
# its PKI in $P and its helpers): the CA registry and OCSP verification on
# the wire.  Every verdict in EXPECT holds by construction of the object
# the script made; every decoded value comes from openssl (expected.py).
#
#   1  OCSP POST for good1 before the CA certificate crossed the wire:
#      issuer unknown, signature_valid null
#   2  AIA downloads on one connection: inter.crt (DER), root.cer (PEM),
#      chain.p7c (PKCS#7 DER), chain.p7b (PKCS#7 PEM)
#   3  the same OCSP POST: issuer "wire", signature valid, authorised
#   4  responses made offline by `openssl ocsp -index ... -reqin`, POSTed
#      through httpd.py: forged (a self-signed CA with the same name,
#      another key), an unauthorised delegated responder (issued by the CA,
#      no OCSPSigning), stale (signed under faketime, nextUpdate long past),
#      unsolicited (the answer for good2 to a request for good1), nonce
#      mismatch (the answer to another request's nonce)
#   5  `openssl s_server -status_file` answered by `openssl s_client -status`
#      with TLS 1.2 (chain + staple) and with TLS 1.3 (SNI and version only)

INTER_DN=$(openssl x509 -in "$P/inter.crt" -noout -subject -nameopt RFC2253 | sed 's/^subject=//')
ISSUER_WIRE="{\"name\": \"$INTER_DN\", \"source\": \"wire\", \"code_signing\": true}"
ISSUER_UNKNOWN='{"source": "unknown", "name": null, "code_signing": null}'
# verdict SIG AUTH STALE UNSOLICITED NONCE: the JSON of a verdict.
verdict() {
	printf '{"signature_valid": %s, "responder_authorized": %s, "stale": %s, "unsolicited": %s, "nonce_mismatch": %s}' "$@"
}
VALID=$(verdict true true false false false)

issue tls v3_tls "tls.revwire.test"
issue unauth v3_unauth "revwire unauthorised OCSP responder"
# The forgery: the CA's very name on a key the CA never saw.
key "$P/forged.key"
ossl req -config "$P/ca.cnf" -new -x509 -key "$P/forged.key" -days 3650 \
    -subj "$O/CN=revwire Test Code Signing CA" -extensions v3_forged -out "$P/forged.crt"

WWW3=$W/www3
mkdir -p "$WWW3"
cp "$W/www/inter.crt" "$WWW3/inter.crt"
cp "$P/root.crt" "$WWW3/root.cer"
ossl crl2pkcs7 -nocrl -certfile "$P/inter.crt" -certfile "$P/root.crt" -outform DER \
    -out "$WWW3/chain.p7c"
ossl crl2pkcs7 -nocrl -certfile "$P/inter.crt" -certfile "$P/root.crt" -out "$WWW3/chain.p7b"

# oreq NAME SERIAL [nonce]: an OCSP request file for the intermediate's SERIAL.
oreq() {
	ossl ocsp -issuer "$P/inter.crt" -serial "0x$2" ${3:--no_nonce} -reqout "$W/x/$1.req"
}
# oresp NAME REQ SIGNER [faketime-date]: answer REQ offline, signed by SIGNER.
oresp() {
	if [ -n "${4:-}" ]; then
		faketime "$4" openssl ocsp -index "$P/inter/index.txt" -CA "$P/inter.crt" \
		    -rsigner "$P/$3.crt" -rkey "$P/$3.key" -reqin "$W/x/$2.req" -ndays 7 \
		    -respout "$WWW3/$1.ocsp" >>"$W/openssl.log" 2>&1
	else
		ossl ocsp -index "$P/inter/index.txt" -CA "$P/inter.crt" -rsigner "$P/$3.crt" \
		    -rkey "$P/$3.key" -reqin "$W/x/$2.req" -ndays 7 -respout "$WWW3/$1.ocsp"
	fi
}
oreq good1 "$(sn good1)"
oreq good1n "$(sn good1)" -nonce
oreq good1m "$(sn good1)" -nonce
oreq good2 "$(sn good2)"
oresp forged good1 forged
oresp unauth good1 unauth
oresp unsolicited good2 ocsp
oresp nonce good1m ocsp
if command -v faketime >/dev/null 2>&1; then
	oresp stale good1 ocsp "2025-06-01 00:00:00"
else
	echo "make-captures: faketime not found, no stale response" >&2
fi
oreq tls "$(sn tls)"
oresp staple tls ocsp

TX=$W/pki-wire.tsv
: >"$TX"
CONN=0
bg "$W/responder3.log" openssl ocsp -index "$P/inter/index.txt" -port "$OCSP_PORT" \
    -rsigner "$P/ocsp.crt" -rkey "$P/ocsp.key" -CA "$P/inter.crt" -ndays 7
RESPONDER=$BG
wait_log "$W/responder3.log" "waiting for OCSP client connections"
bg "$W/httpd3.log" "$PYTHON" "$gen/httpd.py" "$HTTP_PORT" "$WWW3"
HTTPD=$BG
wait_log "$W/httpd3.log" "listening"
capture_start "$W/pki-wire.pcap" "tcp port $HTTP_PORT or tcp port $OCSP_PORT"

EXPECT="{\"issuer\": $ISSUER_UNKNOWN, \"verdict\": $(verdict null null false false false)}"
ocsp_post "good1 before the CA certificate was seen" "$(sn good1)"
EXPECT="{\"issuer\": $ISSUER_UNKNOWN}"
newconn
set --
for f in inter.crt root.cer chain.p7c chain.p7b; do
	set -- "$@" -o "$W/x/dl-$f" "http://127.0.0.1:$HTTP_PORT/$f"
done
curl -sS -f -A "$CAPI_UA" -H 'Host: crl.revwire.test' "$@"
tx ca_cert GET crl.revwire.test /inter.crt "$CAPI_UA" "$HTTP_PORT" - "$WWW3/inter.crt" \
    application/pkix-cert "intermediate, DER (its root not yet seen)"
tx ca_cert GET crl.revwire.test /root.cer "$CAPI_UA" "$HTTP_PORT" - "$WWW3/root.cer" \
    application/x-x509-ca-cert "root, PEM (self-signed, not vouching for itself)"
EXPECT="{\"issuer\": {\"name\": \"$(openssl x509 -in "$P/root.crt" -noout -subject \
    -nameopt RFC2253 | sed 's/^subject=//')\", \"source\": \"wire\", \"code_signing\": false}}"
tx ca_cert GET crl.revwire.test /chain.p7c "$CAPI_UA" "$HTTP_PORT" - "$WWW3/chain.p7c" \
    application/pkcs7-mime "PKCS#7 DER bundle"
tx ca_cert GET crl.revwire.test /chain.p7b "$CAPI_UA" "$HTTP_PORT" - "$WWW3/chain.p7b" \
    application/x-pkcs7-certificates "PKCS#7 PEM bundle"
EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $VALID}"
ocsp_post "good1 after the CA certificate crossed the wire" "$(sn good1)"

# hpost NAME REQ LABEL: POST request file REQ, httpd answers NAME.ocsp.
hpost() {
	newconn
	curl -sS -f -A "$CAPI_UA" -H 'Host: ocsp.revwire.test' \
	    -H 'Content-Type: application/ocsp-request' --data-binary "@$W/x/$2.req" \
	    -o "$W/x/h.out" "http://127.0.0.1:$HTTP_PORT/$1.ocsp"
	tx ocsp POST ocsp.revwire.test "/$1.ocsp" "$CAPI_UA" "$HTTP_PORT" "$W/x/$2.req" \
	    "$WWW3/$1.ocsp" application/ocsp-response "$3"
}
EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $(verdict false false false false false)}"
hpost forged good1 "forged: same CA name, another key"
EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $(verdict true false false false false)}"
hpost unauth good1 "delegated responder without OCSPSigning"
if [ -f "$WWW3/stale.ocsp" ]; then
	EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $(verdict true true true false false)}"
	hpost stale good1 "stale: signed 2025-06-01, nextUpdate 2025-06-08"
fi
EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $(verdict true true false true false)}"
hpost unsolicited good1 "unsolicited: good2 answered to a request for good1"
EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $(verdict true true false false true)}"
hpost nonce good1n "nonce mismatch: the answer to another request"
stop "$RESPONDER"
stop "$HTTPD"

# TLS on the OCSP port, now free.  -www: s_server reads no stdin (it would
# end at EOF) and the clients send nothing, so each ends after the handshake.
cat "$P/tls.crt" "$P/inter.crt" >"$W/x/tls-chain.pem"
bg "$W/s_server.log" openssl s_server -www -accept "127.0.0.1:$OCSP_PORT" -naccept 2 \
    -cert "$P/tls.crt" -key "$P/tls.key" -cert_chain "$P/inter.crt" \
    -status_file "$WWW3/staple.ocsp"
SSERVER=$BG
wait_log "$W/s_server.log" "ACCEPT"
# tls_client VERSION-FLAG: one handshake, stdin closed so it ends there.
tls_client() {
	newconn
	openssl s_client -connect "127.0.0.1:$OCSP_PORT" "$1" -status \
	    -servername tls.revwire.test -CAfile "$P/root.crt" </dev/null \
	    >"$W/s_client$1.log" 2>&1 || { cat "$W/s_client$1.log" >&2; exit 1; }
}
tls_client -tls1_2
grep -q "OCSP Response Status: successful" "$W/s_client-tls1_2.log" ||
    { echo "make-captures: s_client saw no staple" >&2; exit 1; }
EXPECT="{\"issuer\": $ISSUER_WIRE, \"verdict\": $(verdict true true false false false)}"
tx tls TLSv12 tls.revwire.test - - "$OCSP_PORT" "$W/x/tls-chain.pem" "$WWW3/staple.ocsp" \
    - "TLS 1.2, chain and staple"
tls_client -tls1_3
EXPECT=-
tx tls TLSv13 tls.revwire.test - - "$OCSP_PORT" - - - "TLS 1.3: SNI and version only"
capture_stop pki-wire
wait "$SSERVER" 2>/dev/null || true
"$PYTHON" "$gen/expected.py" --tx "$TX" --index "$P/inter/index.txt" \
    --pcap "$W/pki-wire.pcap" --out "$W/pki-wire.json"
cp "$W/pki-wire.pcap" "$DATA/pki-wire.pcap"
cp "$W/pki-wire.json" "$W/pki-wire.packets" "$EXPD/"
# This capture's PKI, public parts: the files in $DATA/ are the same after
# a full run, but a capture may be regenerated on its own.
mkdir -p "$DATA/pki-wire"
cp "$P/root.crt" "$P/inter.crt" "$P/ocsp.crt" "$P/forged.crt" "$P/unauth.crt" \
    "$P/tls.crt" "$DATA/pki-wire/"
cp "$P/inter/index.txt" "$DATA/pki-wire/index.txt"
# and the objects served, as the bytes on the wire (fuzz seeds too)
cp "$WWW3"/*.ocsp "$WWW3/chain.p7c" "$WWW3/chain.p7b" "$DATA/pki-wire/"
