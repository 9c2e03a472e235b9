#!/bin/sh
# make-captures.sh - regenerate the real-tool captures and their expected
# events: an OpenSSL test PKI (root, code-signing intermediate, leaves with
# EKU codeSigning, revoked with each RFC 5280 reason), an `openssl ocsp`
# responder, `openssl ocsp` and curl clients, a small HTTP server for the
# CRL and CA certificate, all on loopback and recorded with tcpdump.  A
# second capture serves python3-cryptography-vectors OCSP/CRL files.  A
# third (pki-wire.pcap) shows the CA registry and OCSP verification at
# work: OCSP before and after the CA certificate crossed the wire, AIA
# downloads (DER, PEM, PKCS#7 DER and PEM), forged / unauthorised / stale
# (faketime) / unsolicited / nonce-mismatched responses, and TLS 1.2
# (stapled by `openssl s_server -status_file`) and 1.3 handshakes.
#
# usage: tests/gen/make-captures.sh [DATA_DIR [EXPECTED_DIR]]
#   defaults tests/data/gen and tests/expected/gen in this checkout.
# env:   HTTP_PORT (18080), OCSP_PORT (18081), PYTHON (python3)
# needs: root (tcpdump on lo), openssl, curl, tcpdump, python3; faketime
#        for the stale response (left out without it).
#
# The expected files come from the CA's own database (index.txt) and from
# `openssl ocsp -reqin/-respin -text` / `openssl crl -text` on the bytes
# that were sent (tests/gen/expected.py), never from revwire.
set -eu
LC_ALL=C
TZ=UTC
export LC_ALL TZ
gen=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$gen/../.." && pwd)
DATA=${1:-$top/tests/data/gen}
EXPD=${2:-$top/tests/expected/gen}
HTTP_PORT=${HTTP_PORT:-18080}
OCSP_PORT=${OCSP_PORT:-18081}
PYTHON=${PYTHON:-python3}
CAPI_UA='Microsoft-CryptoAPI/10.0'
. "$gen/lib.sh"
gen_begin make-captures openssl curl tcpdump "$PYTHON"
mkdir -p "$DATA" "$EXPD"


urlb64() {
	"$PYTHON" -c 'import sys, base64, urllib.parse
print(urllib.parse.quote(base64.b64encode(open(sys.argv[1], "rb").read()).decode(), safe=""))' "$1"
}

# ---------------------------------------------------------------- the PKI
P=$W/pki
mkdir -p "$P/root" "$P/inter" "$W/www" "$W/x"
: >"$P/root/index.txt"
: >"$P/inter/index.txt"
echo 0B >"$P/root/serial"
# Leaf serials cross 0x800000, so some need a DER 00 pad that the JSON
# must not show.
echo 7FFFFC >"$P/inter/serial"
echo 1001 >"$P/inter/crlnumber"
cat >"$P/ca.cnf" <<CNF
[ca]
default_ca = inter_ca
[root_ca]
dir = $P/root
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
certificate = $P/root.crt
private_key = $P/root.key
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
[inter_ca]
dir = $P/inter
database = \$dir/index.txt
new_certs_dir = \$dir
serial = \$dir/serial
crlnumber = \$dir/crlnumber
certificate = $P/inter.crt
private_key = $P/inter.key
default_md = sha256
policy = pol
unique_subject = no
copy_extensions = none
[pol]
countryName = optional
organizationName = optional
commonName = supplied
[req]
distinguished_name = dn
[dn]
[v3_root]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_inter]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[v3_codesign]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = codeSigning
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:http://crl.revwire.test/inter.crl
authorityInfoAccess = OCSP;URI:http://ocsp.revwire.test/, caIssuers;URI:http://crl.revwire.test/inter.crt
[v3_tls]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:tls.revwire.test
authorityKeyIdentifier = keyid
authorityInfoAccess = OCSP;URI:http://ocsp.revwire.test/, caIssuers;URI:http://crl.revwire.test/inter.crt
[v3_unauth]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid
[v3_forged]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_ocsp]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
authorityKeyIdentifier = keyid
[crl_ext]
authorityKeyIdentifier = keyid
CNF
O='/C=US/O=revwire test PKI'
ossl() { openssl "$@" >>"$W/openssl.log" 2>&1 || { cat "$W/openssl.log" >&2; exit 1; }; }
key() { ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1"; }

key "$P/root.key"
ossl req -config "$P/ca.cnf" -new -x509 -key "$P/root.key" -subj "$O/CN=revwire Test Root CA" \
    -set_serial 0x0A -days 3650 -extensions v3_root -out "$P/root.crt"
key "$P/inter.key"
ossl req -config "$P/ca.cnf" -new -key "$P/inter.key" -subj "$O/CN=revwire Test Code Signing CA" \
    -out "$P/inter.csr"
ossl ca -config "$P/ca.cnf" -name root_ca -batch -notext -extensions v3_inter \
    -startdate 20250101000000Z -enddate 20350101000000Z -in "$P/inter.csr" -out "$P/inter.crt"

# issue NAME EXT SUBJECT-CN: a leaf from the intermediate.
issue() {
	key "$P/$1.key"
	ossl req -config "$P/ca.cnf" -new -key "$P/$1.key" -subj "$O/CN=$3" -out "$P/$1.csr"
	ossl ca -config "$P/ca.cnf" -name inter_ca -batch -notext -extensions "$2" \
	    -startdate 20250101000000Z -enddate 20300101000000Z -in "$P/$1.csr" -out "$P/$1.crt"
}
issue ocsp v3_ocsp "revwire Test Code Signing CA OCSP Responder"
LEAVES="good1 good2 keycomp cacomp superseded cessation affiliation hold unspecified noreason"
for l in $LEAVES; do
	issue "$l" v3_codesign "revwire test code signing leaf $l"
done
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/keycomp.crt" -crl_reason keyCompromise
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/cacomp.crt" -crl_reason CACompromise
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/superseded.crt" -crl_reason superseded
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/cessation.crt" -crl_reason cessationOfOperation
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/affiliation.crt" -crl_reason affiliationChanged
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/hold.crt" -crl_reason certificateHold
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/unspecified.crt" -crl_reason unspecified
ossl ca -config "$P/ca.cnf" -name inter_ca -revoke "$P/noreason.crt"
ossl ca -config "$P/ca.cnf" -name inter_ca -gencrl -crldays 30 -crlexts crl_ext -out "$P/inter.crl.pem"
ossl crl -in "$P/inter.crl.pem" -outform DER -out "$W/www/inter.crl"
ossl x509 -in "$P/inter.crt" -outform DER -out "$W/www/inter.crt"

sn() { openssl x509 -in "$P/$1.crt" -noout -serial | sed 's/^serial=//'; }

# ------------------------------------------------- capture 1: real tools
TX=$W/real-tools.tsv
: >"$TX"
bg "$W/httpd.log" "$PYTHON" "$gen/httpd.py" "$HTTP_PORT" "$W/www"
HTTPD=$BG
wait_log "$W/httpd.log" "listening"
bg "$W/responder.log" openssl ocsp -index "$P/inter/index.txt" -port "$OCSP_PORT" \
    -rsigner "$P/ocsp.crt" -rkey "$P/ocsp.key" -CA "$P/inter.crt" -ndays 7
RESPONDER=$BG
wait_log "$W/responder.log" "waiting for OCSP client connections"
capture_start "$W/real-tools.pcap" "tcp port $HTTP_PORT or tcp port $OCSP_PORT"

n=0
# ocsp_post LABEL SERIAL...: `openssl ocsp` POST (with a nonce, no UA).
ocsp_post() {
	n=$((n + 1))
	_label=$1
	shift
	_args=""
	for _s in "$@"; do
		_args="$_args -serial 0x$_s"
	done
	newconn
	# shellcheck disable=SC2086
	ossl ocsp -issuer "$P/inter.crt" $_args -url "http://127.0.0.1:$OCSP_PORT/" \
	    -header Host=ocsp.revwire.test -noverify \
	    -reqout "$W/x/req$n.der" -respout "$W/x/resp$n.der"
	tx ocsp POST ocsp.revwire.test / - "$OCSP_PORT" "$W/x/req$n.der" "$W/x/resp$n.der" \
	    application/ocsp-response "$_label"
}
# ocsp_get LABEL SERIAL: curl GET of the base64 request, CryptoAPI UA.
ocsp_get() {
	n=$((n + 1))
	ossl ocsp -issuer "$P/inter.crt" -serial "0x$2" -no_nonce -reqout "$W/x/req$n.der"
	_b=$(urlb64 "$W/x/req$n.der")
	newconn
	curl -sS -f -A "$CAPI_UA" -H 'Host: ocsp.revwire.test' -o "$W/x/resp$n.der" \
	    "http://127.0.0.1:$OCSP_PORT/$_b"
	tx ocsp GET ocsp.revwire.test "/$_b" "$CAPI_UA" "$OCSP_PORT" "$W/x/req$n.der" \
	    "$W/x/resp$n.der" application/ocsp-response "$1"
}

for l in $LEAVES; do
	ocsp_post "POST $l" "$(sn "$l")"
done
ocsp_post "POST unknown serial" DEAD01
ocsp_post "POST two serials: good2 + keycomp" "$(sn good2)" "$(sn keycomp)"
ocsp_get "GET good1" "$(sn good1)"
ocsp_get "GET keycomp" "$(sn keycomp)"
ocsp_get "GET hold" "$(sn hold)"
# CRL and CA certificate on one keep-alive connection, forced fetch headers
# (certutil -urlfetch style).
newconn
curl -sS -f -A "$CAPI_UA" -H 'Pragma: no-cache' -H 'Cache-Control: no-cache' \
    -H 'Host: crl.revwire.test' \
    -o "$W/x/inter.crl" "http://127.0.0.1:$HTTP_PORT/inter.crl" \
    -o "$W/x/inter.crt" "http://127.0.0.1:$HTTP_PORT/inter.crt"
cmp "$W/x/inter.crl" "$W/www/inter.crl"
tx crl GET crl.revwire.test /inter.crl "$CAPI_UA" "$HTTP_PORT" - "$W/x/inter.crl" \
    application/pkix-crl "CRL of the code signing CA, no-cache"
tx none GET crl.revwire.test /inter.crt "$CAPI_UA" "$HTTP_PORT" - "$W/x/inter.crt" \
    application/pkix-cert "CA certificate (its ca_cert event: pki-wire.pcap)"
capture_stop real-tools
stop "$RESPONDER"
stop "$HTTPD"

"$PYTHON" "$gen/expected.py" --tx "$TX" --index "$P/inter/index.txt" \
    --pcap "$W/real-tools.pcap" --out "$W/real-tools.json"

# ---------------------------------------- capture 2: cryptography vectors
# Debian's python3-cryptography-vectors belongs to the system python3,
# which need not be the first python3 on PATH.
VEC=""
for py in "$PYTHON" python3 /usr/bin/python3; do
	VEC=$("$py" -c 'import cryptography_vectors, os; print(os.path.dirname(cryptography_vectors.__file__))' 2>/dev/null) && break
	VEC=""
done
if [ -n "$VEC" ] && [ -d "$VEC/x509/ocsp" ]; then
	VO=$VEC/x509/ocsp
	C=$VEC/x509/custom
	V=$W/vec
	mkdir -p "$V/ocsp" "$V/crl" "$V/mislabelled"
	for f in resp-revoked resp-sha256 resp-unauthorized resp-revoked-reason \
	    resp-responder-key-hash; do
		cp "$VO/$f.der" "$V/ocsp/$f.ocsp"
	done
	cp "$VO/ocsp-army.deps.mil-resp.der" "$V/ocsp/army.ocsp"
	cp "$VO/resp-revoked-no-next-update.der" "$V/mislabelled/resp-revoked-no-next-update.bin"
	ossl crl -in "$C/crl_all_reasons.pem" -outform DER -out "$V/crl/crl_all_reasons.crl"
	ossl crl -in "$C/crl_empty.pem" -outform DER -out "$V/crl/crl_empty.crl"
	ossl crl -in "$C/crl_no_next_update.pem" -outform DER -out "$V/mislabelled/crl_no_next_update.bin"

	TX=$W/vectors.tsv
	: >"$TX"
	CONN=0
	bg "$W/httpd2.log" "$PYTHON" "$gen/httpd.py" "$HTTP_PORT" "$V"
	HTTPD=$BG
	wait_log "$W/httpd2.log" "listening"
	capture_start "$W/vectors.pcap" "tcp port $HTTP_PORT"
	# vpost REQ-FILE RESPONSE-PATH LABEL: POST an OCSP request file.
	vpost() {
		newconn
		curl -sS -f -A "$CAPI_UA" -H 'Host: ocsp.vectors.test' \
		    -H 'Content-Type: application/ocsp-request' --data-binary "@$VO/$1" \
		    -o "$W/x/v.out" "http://127.0.0.1:$HTTP_PORT/$2"
		tx ocsp POST ocsp.vectors.test "/$2" "$CAPI_UA" "$HTTP_PORT" "$VO/$1" "$V/$2" \
		    application/ocsp-response "$3"
	}
	vpost ocsp-army.revoked-req.der ocsp/army.ocsp "army revoked request + response"
	vpost req-sha1.der ocsp/resp-revoked.ocsp "req-sha1 answered by resp-revoked"
	vpost req-multi-sha1.der ocsp/resp-sha256.ocsp "req-multi-sha1 answered by resp-sha256"
	vpost req-ext-nonce.der ocsp/resp-unauthorized.ocsp "req-ext-nonce answered unauthorized"
	# Six GETs on one keep-alive connection.
	set --
	for g in ocsp/resp-revoked-reason.ocsp ocsp/resp-responder-key-hash.ocsp \
	    mislabelled/resp-revoked-no-next-update.bin crl/crl_all_reasons.crl \
	    crl/crl_empty.crl mislabelled/crl_no_next_update.bin; do
		set -- "$@" -o "$W/x/$(basename "$g")" "http://127.0.0.1:$HTTP_PORT/$g"
	done
	newconn
	curl -sS -f -A "$CAPI_UA" -H 'Host: crl.vectors.test' "$@"
	tx ocsp GET crl.vectors.test /ocsp/resp-revoked-reason.ocsp "$CAPI_UA" "$HTTP_PORT" - \
	    "$V/ocsp/resp-revoked-reason.ocsp" application/ocsp-response "resp-revoked-reason"
	tx ocsp GET crl.vectors.test /ocsp/resp-responder-key-hash.ocsp "$CAPI_UA" "$HTTP_PORT" - \
	    "$V/ocsp/resp-responder-key-hash.ocsp" application/ocsp-response "resp-responder-key-hash (byKey)"
	tx ocsp GET crl.vectors.test /mislabelled/resp-revoked-no-next-update.bin "$CAPI_UA" "$HTTP_PORT" - \
	    "$V/mislabelled/resp-revoked-no-next-update.bin" application/octet-stream \
	    "OCSP response served as application/octet-stream"
	tx crl GET crl.vectors.test /crl/crl_all_reasons.crl "$CAPI_UA" "$HTTP_PORT" - \
	    "$V/crl/crl_all_reasons.crl" application/pkix-crl "crl_all_reasons"
	tx crl GET crl.vectors.test /crl/crl_empty.crl "$CAPI_UA" "$HTTP_PORT" - \
	    "$V/crl/crl_empty.crl" application/pkix-crl "crl_empty"
	tx crl GET crl.vectors.test /mislabelled/crl_no_next_update.bin "$CAPI_UA" "$HTTP_PORT" - \
	    "$V/mislabelled/crl_no_next_update.bin" application/octet-stream \
	    "CRL served as application/octet-stream"
	capture_stop vectors
	stop "$HTTPD"
	"$PYTHON" "$gen/expected.py" --tx "$TX" --pcap "$W/vectors.pcap" --out "$W/vectors.json"
	cp "$W/vectors.pcap" "$DATA/vectors.pcap"
	cp "$W/vectors.json" "$W/vectors.packets" "$EXPD/"
else
	echo "make-captures: python3-cryptography-vectors not found, vectors.pcap not regenerated" >&2
fi

. "$gen/pki-wire.sh"

cp "$W/real-tools.pcap" "$DATA/real-tools.pcap"
cp "$W/real-tools.json" "$W/real-tools.packets" "$EXPD/"
# The PKI's public parts, for a reader who wants to check by hand.
cp "$P/root.crt" "$P/inter.crt" "$P/ocsp.crt" "$DATA/"
cp "$P/inter/index.txt" "$DATA/index.txt"
cp "$P/inter.crl.pem" "$DATA/inter.crl.pem"
ls -l "$DATA" "$EXPD"
