#!/bin/sh
# tsa-pki.sh DIR - a throwaway RFC 3161 time-stamping authority in DIR for
# the generators (tests/data/tsp/make.sh, tests/gen/make-tsp-capture.sh):
#   ca.pem/ca.key    root CA (EC P-256)
#   tsa.pem/tsa.key  TSA certificate, serial 0x8A5A, EKU timeStamping
#                    (critical, as RFC 3161 2.3 requires)
#   tsa.cnf          `openssl ts -reply -config` file: policy
#                    1.3.6.1.4.1.55555.1.1 (also accepts ...1.2), digests
#                    sha256/sha1/sha384 (sha512 is refused: badAlg), accuracy
#                    1 s 500 ms 100 us, millisecond genTime, TSA name in
#                    the token, the CA certificate added to the token
#   tsaserial        next token serial - 1 (9F00: serials need a DER 00 pad)
set -eu
D=$1
mkdir -p "$D"
ossl() { openssl "$@" >>"$D/openssl.log" 2>&1 || { cat "$D/openssl.log" >&2; exit 1; }; }
O='/C=US/O=revwire test PKI'
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/ca.key"
ossl req -new -x509 -key "$D/ca.key" -subj "$O/CN=revwire Test Root CA" \
    -days 3650 -set_serial 0x0A -out "$D/ca.pem" \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$D/tsa.key"
ossl req -new -key "$D/tsa.key" -subj "$O/CN=revwire Test TSA" -out "$D/tsa.csr"
printf '%s\n' 'basicConstraints=critical,CA:false' \
    'keyUsage=critical,digitalSignature' \
    'extendedKeyUsage=critical,timeStamping' >"$D/tsa.ext"
ossl x509 -req -in "$D/tsa.csr" -CA "$D/ca.pem" -CAkey "$D/ca.key" \
    -set_serial 0x8A5A -days 3650 -extfile "$D/tsa.ext" -out "$D/tsa.pem"
echo 9F00 >"$D/tsaserial"
cat >"$D/tsa.cnf" <<CNF
[tsa]
default_tsa = revwire_tsa
[revwire_tsa]
serial = $D/tsaserial
signer_cert = $D/tsa.pem
signer_key = $D/tsa.key
certs = $D/ca.pem
signer_digest = sha256
default_policy = 1.3.6.1.4.1.55555.1.1
other_policies = 1.3.6.1.4.1.55555.1.2
digests = sha256, sha1, sha384
accuracy = secs:1, millisecs:500, microsecs:100
clock_precision_digits = 3
ordering = no
tsa_name = yes
ess_cert_id_alg = sha256
CNF
