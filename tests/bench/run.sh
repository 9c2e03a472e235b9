#!/bin/sh
# tests/bench/run.sh - times revwire against the floor (libpcap reading
# every byte, no decoding) and tshark decoding OCSP, on the same capture,
# and checks that memory stays flat as the capture grows tenfold.
#
#   tests/bench/run.sh [BUILD_DIR] [PACKETS]
#
# BUILD_DIR holds the revwire binary (default build/); PACKETS sizes the
# small capture (default 200000; the large one is ten times that).  Needs
# GNU time (package "time") and, for the tshark column, tshark.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
n=${2:-200000}
work=$(mktemp -d "${TMPDIR:-/tmp}/revwire-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

[ -x /usr/bin/time ] || { echo "bench: needs GNU time (apt-get install time)"; exit 1; }
cc -O2 -o "$work/floor" "$top/tests/bench/floor.c" $(pkg-config --cflags --libs libpcap)

# measure NAME CMD...: prints "NAME seconds maxrss_kib"
measure() {
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" ||
	    { echo "bench: $name failed:"; cat "$work/err"; exit 1; }
	printf '%-10s %8s s %8s KiB\n' "$name" $(cat "$work/t")
}

for size in $n $((n * 10)); do
	cap="$work/mixed-$size.pcap"
	python3 "$top/tests/bench/gen-mixed.py" --packets "$size" --out "$cap"
	echo "== $size packets, $(du -h "$cap" | cut -f1)"
	measure floor "$work/floor" "$cap"
	measure revwire "$build/revwire" sensor -q -r "$cap" --no-redis --json /dev/null
	if command -v tshark >/dev/null; then
		measure tshark tshark -n -r "$cap" -Y ocsp -T fields -e ocsp.serialNumber
	fi
	rm -f "$work/ev.json"
	"$build/revwire" sensor -r "$cap" --no-redis --json "$work/ev.json" 2>"$work/stats"
	echo "   events $(wc -l <"$work/ev.json"), $(grep -E '^(packets|flows_created|tcp_gaps) ' "$work/stats" | tr '\n' ' ')"
done
