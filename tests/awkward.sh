#!/bin/sh
# The sensor on awkward variants of four real-tool transactions
# (tests/data/awkward, made by tests/gen/awkward.py): reordered, duplicated,
# overlapping and 1-byte TCP segments, a missing segment, VLAN, QinQ, Linux
# SLL and SLL2, raw IP, IPv6 and IPv4 fragments.  Each must give the same
# serials, statuses, reasons and times as the clean capture
# (tests/expected/awkward/NAME.json); see tests/expected/awkward/README.md.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
D="$top_srcdir/tests/data/awkward"
E="$top_srcdir/tests/expected/awkward"
# packets.txt: "variant packets", written by the generator.
while read -r v n; do
	sensor_check "$D/$v.pcap" "$E/$v.json" "$n"
done <"$E/packets.txt"
finish
