#!/bin/sh
# Makes the RFC 3161 objects test_tsp reads (run from this directory; the
# outputs are committed, so the build does not need this).  The TSA comes
# from tests/gen/tsa-pki.sh; every object's values are in NAME.txt, as
# `openssl ts -query -text` / `openssl ts -reply -text` print them, and the
# unit test's expected values were copied from there.
#   q-granted.tsq   sha256, nonce, certReq  -> r-granted.tsr  (token with
#                   the TSA and CA certificates)
#   q-nocert.tsq    sha1, no nonce, policy ...1.2, no certReq -> r-nocert.tsr
#                   (token without certificates)
#   q-sha512.tsq    sha512, which the TSA refuses -> r-badalg.tsr (rejection,
#                   badAlg)
#   q-policy.tsq    a policy the TSA does not know -> r-policy.tsr
#                   (rejection, unacceptedPolicy)
#   r-odd.tsr       no TSA makes this: `openssl asn1parse -genconf` of a
#                   reply with a status RFC 3161 does not name (7), two
#                   texts, one with a 0xFF byte (patched in for '~'), and
#                   failure bits 1, 3 (unnamed), 17 and 40 (above 31)
set -eu
here=$(pwd)
gen=$(cd "$(dirname "$0")/../../gen" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
sh "$gen/tsa-pki.sh" "$T"
printf 'signed code\n' >"$T/data.txt"
cd "$T"
q() { out=$1; shift; openssl ts -query -data data.txt "$@" -out "$out" 2>/dev/null; }
r() { openssl ts -reply -config tsa.cnf -queryfile "$1" -out "$2" 2>/dev/null; }
q q-granted.tsq -sha256 -cert
q q-nocert.tsq -sha1 -no_nonce -tspolicy 1.3.6.1.4.1.55555.1.2
q q-sha512.tsq -sha512 -cert
q q-policy.tsq -sha256 -tspolicy 1.2.3.4.99
r q-granted.tsq r-granted.tsr
r q-nocert.tsq r-nocert.tsr
r q-sha512.tsq r-badalg.tsr
r q-policy.tsq r-policy.tsr
for f in q-*.tsq; do
	openssl ts -query -in "$f" -text >"${f%.tsq}.txt" 2>/dev/null
done
for f in r-*.tsr; do
	openssl ts -reply -in "$f" -text >"${f%.tsr}.txt" 2>/dev/null
done
cat >odd.cnf <<'CNF'
asn1=SEQUENCE:resp
[resp]
si=SEQUENCE:si
[si]
st=INT:7
txt=SEQUENCE:texts
fi=FORMAT:BITLIST,BITSTRING:1,3,17,40
[texts]
t1=UTF8:TSA busy
t2=UTF8:bad~byte
CNF
openssl asn1parse -genconf odd.cnf -out odd.der >/dev/null
python3 -c 'import sys; b = open(sys.argv[1], "rb").read()
open(sys.argv[2], "wb").write(b.replace(b"~", b"\xff"))' odd.der r-odd.tsr
openssl ts -reply -in r-odd.tsr -text >r-odd.txt 2>/dev/null
cp q-*.tsq r-*.tsr q-*.txt r-*.txt tsa.pem ca.pem data.txt "$here/"
