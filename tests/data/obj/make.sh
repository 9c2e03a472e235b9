#!/bin/sh
# Makes the small DER/PEM objects test_objtype reads (run from this
# directory; the outputs are committed, so the build does not need this).
# A throwaway EC PKI: CA, leaf (v3 and v1), TSA; then a CRL, an OCSP request
# and response, a certs-only PKCS#7, an RFC 3161 query and reply.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd_out=$(pwd)
cd "$T"
openssl ecparam -name prime256v1 -genkey -noout -out ca.key
openssl req -new -x509 -key ca.key -subj "/C=US/O=revwire test/CN=Test CA" \
    -days 3650 -out ca.pem -set_serial 1 \
    -addext "basicConstraints=critical,CA:true" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
openssl ecparam -name prime256v1 -genkey -noout -out leaf.key
openssl req -new -key leaf.key -subj "/CN=Test Code Signer" -out leaf.csr
printf 'extendedKeyUsage=codeSigning\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 0x1234 \
    -days 365 -extfile leaf.ext -out leaf.pem
# version 1 certificate: no [0] version field
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -set_serial 7 \
    -days 365 -out v1.pem
openssl ecparam -name prime256v1 -genkey -noout -out tsa.key
openssl req -new -key tsa.key -subj "/CN=Test TSA" -out tsa.csr
printf 'extendedKeyUsage=critical,timeStamping\n' > tsa.ext
openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -set_serial 0x55 \
    -days 365 -extfile tsa.ext -out tsa.pem

# CA database: the leaf is revoked (keyCompromise)
mkdir db
: > db/index.txt
echo 01 > db/crlnumber
cat > ca.cnf <<EOC
[ ca ]
default_ca = test_ca
[ test_ca ]
database = db/index.txt
crlnumber = db/crlnumber
certificate = ca.pem
private_key = ca.key
default_md = sha256
default_crl_days = 7
[ crl_ext ]
authorityKeyIdentifier = keyid
EOC
openssl ca -config ca.cnf -revoke leaf.pem -crl_reason keyCompromise
openssl ca -config ca.cnf -gencrl -crlexts crl_ext -out crl.pem

openssl ocsp -issuer ca.pem -sha1 -cert leaf.pem -reqout ocsp-req.der -no_nonce
openssl ocsp -index db/index.txt -rsigner ca.pem -rkey ca.key -CA ca.pem \
    -reqin ocsp-req.der -respout ocsp-resp.der -ndays 7

openssl crl2pkcs7 -nocrl -certfile ca.pem -certfile leaf.pem -outform DER \
    -out certs.p7c

printf 'signed code\n' > data.txt
openssl ts -query -data data.txt -sha256 -cert -out ts-query.der
cat > tsa.cnf <<EOC
[ tsa ]
default_tsa = t
[ t ]
serial = tsaserial
signer_cert = tsa.pem
signer_key = tsa.key
certs = ca.pem
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256
accuracy = secs:1
ess_cert_id_alg = sha256
EOC
echo 01 > tsaserial
openssl ts -reply -config tsa.cnf -queryfile ts-query.der -out ts-reply.der

cd "$cd_out"
openssl x509 -in "$T/ca.pem" -outform DER -out ca.der
cp "$T/ca.pem" ca.pem
openssl x509 -in "$T/leaf.pem" -outform DER -out leaf.der
openssl x509 -in "$T/v1.pem" -outform DER -out cert-v1.der
openssl crl -in "$T/crl.pem" -outform DER -out crl.der
cp "$T/crl.pem" crl.pem
openssl pkcs7 -inform DER -in "$T/certs.p7c" -out certs.p7b.pem
cp "$T/certs.p7c" certs.p7c
cp "$T/ocsp-req.der" "$T/ocsp-resp.der" "$T/ts-query.der" "$T/ts-reply.der" .
