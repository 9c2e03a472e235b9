#!/bin/sh
# tests/bench/crl-big.sh - how long `revwire sensor` takes over a CRL of
# ENTRIES revoked certificates (default 100000) fetched over HTTP.
#
#   tests/bench/crl-big.sh [BUILD_DIR] [ENTRIES]
#
# An OpenSSL test CA signs the CRL with `openssl ca -gencrl` over an
# index.txt of ENTRIES revoked serials (reasons cycling through those
# `openssl ca` writes);
# a few lines of Python write one HTTP/1.1 exchange carrying it; the sensor is timed on
# that capture and on the same exchange with an empty CRL, so the
# difference is the decoding of the entries.  The event must report every
# entry (revoked_count) and the last serial.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
n=${2:-100000}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-crl.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
cat >ca.cnf <<'EOF'
[ca]
default_ca = bench
[bench]
database = index.txt
crlnumber = crlnumber
certificate = ca.crt
private_key = ca.key
default_md = sha256
default_crl_days = 7
EOF
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout ca.key -out ca.crt -subj "/CN=revwire bench CA" -days 30 2>/dev/null

# mkcrl ENTRIES OUT.der
mkcrl() {
	python3 - "$1" <<'EOF' >index.txt
import sys
reasons = ["", "keyCompromise", "CACompromise", "affiliationChanged",
           "superseded", "cessationOfOperation", "certificateHold",
           "removeFromCRL", "unspecified"]
for i in range(int(sys.argv[1])):
    r = reasons[i % len(reasons)]
    print("R\t351231235959Z\t250101000000Z%s\t%06X\tunknown\t/CN=leaf %d"
          % ("," + r if r else "", i + 1, i + 1))
EOF
	echo 1000 >crlnumber
	openssl ca -config ca.cnf -gencrl -out crl.pem 2>/dev/null
	openssl crl -in crl.pem -outform DER -out "$2"
}

# mkpcap CRL.der OUT.pcap: one GET of /big.crl and its response (classic
# pcap, Ethernet; revwire does not verify checksums, so they are left 0)
mkpcap() {
	python3 - "$1" "$2" <<'EOF'
import struct, sys
body = open(sys.argv[1], "rb").read()
C, S = (bytes([192, 0, 2, 10]), 40000), (bytes([192, 0, 2, 80]), 80)
req = b"GET /big.crl HTTP/1.1\r\nHost: crl.example\r\n\r\n"
resp = (b"HTTP/1.1 200 OK\r\nContent-Type: application/pkix-crl\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)) + body
out = open(sys.argv[2], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
t = [1735689600 * 1000000]
def seg(src, dst, flags, seq, ack, data=b""):
    tcp = struct.pack("!HHIIBBHHH", src[1], dst[1], seq, ack, 5 << 4, flags,
                      65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 40 + len(data), 0, 0x4000, 64,
                     6, 0, src[0], dst[0])
    frame = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00" + ip + tcp + data
    t[0] += 100
    out.write(struct.pack("<IIII", t[0] // 1000000, t[0] % 1000000,
                          len(frame), len(frame)) + frame)
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
cseq, sseq = 1000, 5000
seg(C, S, SYN, cseq, 0)
seg(S, C, SYN | ACK, sseq, cseq + 1)
cseq += 1; sseq += 1
seg(C, S, PSH | ACK, cseq, sseq, req)
cseq += len(req)
for i in range(0, len(resp), 16000):
    seg(S, C, ACK, sseq, cseq, resp[i:i + 16000])
    sseq += len(resp[i:i + 16000])
seg(C, S, FIN | ACK, cseq, sseq)
seg(S, C, FIN | ACK, sseq, cseq + 1)
EOF
}

# run NAME PCAP: times the sensor (elapsed and CPU seconds: on a shared
# machine the CPU time is the steadier figure), prints the event's counts
run() {
	/usr/bin/time -f "%e %U %S %M" -o "$1.t" "$build/revwire" sensor -q -r "$2" \
	    --no-redis --json - >"$1.json"
	python3 - "$1" "$(cat "$1.t")" <<'EOF'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1] + ".json")]
crl = ev[0]["crl"] if len(ev) == 1 and "crl" in ev[0] else {}
secs, user, sys_, rss = sys.argv[2].split()
print("%-6s %5s s elapsed, %5.2f s CPU, %6s KiB; revoked_count %s, %d listed,"
      " last serial %s"
      % (sys.argv[1], secs, float(user) + float(sys_), rss,
         crl.get("revoked_count"),
         len(crl.get("revoked") or []),
         (crl.get("revoked") or [{}])[-1].get("serial")))
EOF
}

mkcrl "$n" big.der
mkpcap big.der big.pcap
mkcrl 0 empty.der
mkpcap empty.der empty.pcap
echo "CRL of $n entries: $(wc -c <big.der) bytes DER"
run empty empty.pcap
run big big.pcap | tee big.out
grep -q "revoked_count $n," big.out ||
    { echo "bench: revoked_count is not $n"; exit 1; }
