#!/bin/sh
# tests/gen/awkward.py is deterministic: run on the committed clean capture
# it must reproduce the committed awkward captures and expectations byte for
# byte (so they cannot drift from the generator).  Needs scapy.
. "${top_srcdir:-$(dirname "$0")/..}/tests/setup"
. "$top_srcdir/tests/events.sh"
py=$(find_scapy_python)
[ -n "$py" ] || skip "no python3 with scapy (Debian: python3-scapy)"
"$py" "$top_srcdir/tests/gen/awkward.py" "$top_srcdir/tests/data/gen/real-tools.pcap" \
    "$top_srcdir/tests/expected/gen/real-tools.json" "$TMP/pcap" "$TMP/exp" \
    >"$TMP/log" 2>&1 || { cat "$TMP/log"; exit 1; }
for f in "$top_srcdir"/tests/data/awkward/*.pcap; do
	cmp "$f" "$TMP/pcap/$(basename "$f")" || failures=$((failures + 1))
done
for f in "$top_srcdir"/tests/expected/awkward/*.json "$top_srcdir"/tests/expected/awkward/packets.txt; do
	cmp "$f" "$TMP/exp/$(basename "$f")" || failures=$((failures + 1))
done
[ "$(ls "$TMP/pcap" | wc -l)" = "$(ls "$top_srcdir"/tests/data/awkward/*.pcap | wc -l)" ] ||
    { echo "FAIL: the generator writes a different set of captures"; failures=$((failures + 1)); }
finish
