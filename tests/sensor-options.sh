#!/bin/sh
# The capture options of `revwire sensor` on a committed capture: a pcapng
# copy of it gives the same events as the pcap, -f applies a BPF filter
# offline too, -c stops after COUNT packets, several -r files are read in
# turn, IPv6 extension headers are skipped, VLAN tags are read after a
# Linux cooked header too, and the counters an operator looks for are
# printed even at zero.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
CAP="$top_srcdir/tests/data/awkward/clean.pcap"
WANT="$top_srcdir/tests/expected/awkward/clean.json"

# pcapng: one section, one Ethernet interface, one enhanced packet block
# per frame, written from the classic pcap
"$PYTHON" - "$CAP" "$TMP/clean.pcapng" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\xd4\xc3\xb2\xa1", "little-endian microsecond pcap"
def block(btype, body):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
out = open(sys.argv[2], "wb")
out.write(block(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1)))
out.write(block(1, struct.pack("<HHI", 1, 0, 262144)))
off = 24
while off + 16 <= len(data):
    sec, usec, incl, orig = struct.unpack("<IIII", data[off:off + 16])
    t = sec * 1000000 + usec
    out.write(block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xffffffff,
                                   incl, orig) + data[off + 16:off + 16 + incl]))
    off += 16 + incl
EOF
sensor_check "$TMP/clean.pcapng" "$WANT" 51

# IPv6 extension headers skipped: Hop-by-Hop, Routing and Destination
# Options (8 bytes each) inserted before TCP in every packet of ipv6.pcap;
# then Mobility, HIP and Shim6 (RFC 7045: the generic layout)
for chain in std more; do
"$PYTHON" - "$top_srcdir/tests/data/awkward/ipv6.pcap" "$TMP/ipv6-$chain.pcap" "$chain" \
    "$top_srcdir/tests/gen" <<'EOF'
import struct, sys
sys.path.insert(0, sys.argv[4])
from pcapmap import map_frames
first = {"std": (0, 60, 1), "more": (135, 139, 140)}[sys.argv[3]]
def insert(f):
    if f[12:14] != b"\x86\xdd":
        return f
    ip, rest = bytearray(f[14:54]), f[54:]
    if sys.argv[3] == "std":
        ext = (bytes([43, 0, 1, 4]) + b"\0" * 4 +      # HBH, PadN
               bytes([60, 0, 253, 0]) + b"\0" * 4 +    # Routing, segleft 0
               bytes([ip[6], 0, 1, 4]) + b"\0" * 4)    # DestOpts, PadN
    else:
        ext = (bytes([139, 0, 0, 0]) + b"\0" * 4 +     # Mobility
               bytes([140, 0, 0, 0]) + b"\0" * 4 +     # HIP
               bytes([ip[6], 0, 0, 0]) + b"\0" * 4)    # Shim6
    ip[6] = first[0]
    ip[4:6] = struct.pack("!H", struct.unpack("!H", ip[4:6])[0] + 24)
    return f[:14] + bytes(ip) + ext + rest
map_frames(sys.argv[1], sys.argv[2], insert)
EOF
sensor_check "$TMP/ipv6-$chain.pcap" "$top_srcdir/tests/expected/awkward/ipv6.json" 51
done

# Linux cooked capture with the 802.1Q tag libpcap puts back after the
# protocol field (-i any on a trunk): same events, tagged vlan 100
"$PYTHON" - "$top_srcdir/tests/data/awkward/sll.pcap" "$TMP/sll-vlan.pcap" \
    "$top_srcdir/tests/gen" <<'EOF'
import sys
sys.path.insert(0, sys.argv[3])
from pcapmap import map_frames
map_frames(sys.argv[1], sys.argv[2], lambda f: f[:14] + b"\x81\x00\x00\x64" + f[14:])
EOF
"$PYTHON" - "$top_srcdir/tests/expected/awkward/sll.json" "$TMP/sll-vlan.json" <<'EOF'
import json, sys
want = json.load(open(sys.argv[1]))
for e in want:
    if "event_type" in e:
        e["vlan"] = 100
json.dump(want, open(sys.argv[2], "w"))
EOF
sensor_check "$TMP/sll-vlan.pcap" "$TMP/sll-vlan.json" 51

# run NAME ARGS...: the sensor's events in $TMP/NAME.json, counters in .err
run() {
	_n=$1; shift
	"$REVWIRE" sensor --no-redis --json "$TMP/$_n.json" "$@" 2>"$TMP/$_n.err" ||
	    { echo "FAIL $_n: exit $?"; failures=$((failures + 1)); }
}
# want NAME LINE...: every LINE is a whole line of NAME's counters
want() {
	_n=$1; shift
	for _l in "$@"; do
		grep -qx "$_l" "$TMP/$_n.err" && continue
		echo "FAIL $_n: no counter line '$_l'"
		sed 's/^/  stderr: /' "$TMP/$_n.err"
		failures=$((failures + 1))
	done
}
# events NAME N: NAME wrote N events
events() {
	_have=$(wc -l <"$TMP/$1.json")
	[ "$_have" = "$2" ] && { echo "ok $1: $2 events"; return 0; }
	echo "FAIL $1: $_have events, want $2"
	failures=$((failures + 1))
}

# the OCSP responder of the capture is on 18081, the CRL server on 18080
run ocsp-only -r "$CAP" -f "tcp port 18081"
events ocsp-only 3
"$PYTHON" "$CHECK_EVENTS" --actual "$TMP/ocsp-only.json" /dev/stdin <<'EOF' ||
[{"count": 3, "where": {"event_type": "ocsp", "dest_port": 18081}},
 {"count": 0, "where": {"event_type": "crl"}}]
EOF
	{ echo "FAIL ocsp-only: events"; failures=$((failures + 1)); }
run nothing -r "$CAP" -f "udp"
events nothing 0
want nothing "packets 0" "bytes 0" "flows_created 0" "tcp_gaps 0" \
    "http_txn 0" "wire_events 0"
run count -r "$CAP" -c 10
want count "packets 10"
run two -r "$CAP" -r "$top_srcdir/tests/data/awkward/vlan.pcap"
events two 10
want two "packets 102" "tcp_gaps 0"
expect_bad() {
	rc=0
	"$REVWIRE" sensor --no-redis -r "$CAP" -f "$1" >/dev/null 2>"$TMP/bad.err" || rc=$?
	if [ "$rc" = 1 ] && [ "$(wc -l <"$TMP/bad.err")" = 1 ] &&
	    grep -q "^revwire sensor: " "$TMP/bad.err"; then
		echo "ok -f '$1' -> one-line error, exit 1"
	else
		echo "FAIL -f '$1': exit $rc"; cat "$TMP/bad.err"
		failures=$((failures + 1))
	fi
}
expect_bad "tcp port"
finish
